"""Billing rules: the order and invoice state machines, numbers, payments, credits
and dunning."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crmkit.errors import InvalidTransition, ValidationFailed

CONFIRMED, IN_FULFILMENT, FULFILLED, CANCELLED = "confirmed", "in_fulfilment", "fulfilled", "cancelled"
ORDER_STATUSES = (CONFIRMED, IN_FULFILMENT, FULFILLED, CANCELLED)
ORDER_TRANSITIONS = {
    "start_fulfilment": ((CONFIRMED,), IN_FULFILMENT),
    "fulfil": ((CONFIRMED, IN_FULFILMENT), FULFILLED),
    "cancel": ((CONFIRMED, IN_FULFILMENT), CANCELLED),
}

DRAFT, ISSUED, PARTIALLY_PAID, PAID, OVERDUE, CREDITED = (
    "draft", "issued", "partially_paid", "paid", "overdue", "credited")
INVOICE_STATUSES = (DRAFT, ISSUED, PARTIALLY_PAID, PAID, OVERDUE, CREDITED)
PAYABLE_STATES = (ISSUED, PARTIALLY_PAID, OVERDUE)
# An issued invoice is corrected by credit notes, also once it is paid (a refund).
CREDITABLE_STATES = (ISSUED, PARTIALLY_PAID, OVERDUE, PAID)
PAYMENT_METHODS = ("bank_transfer", "card", "direct_debit", "cash", "cheque", "other")

ON_CONFIRMATION, ON_FULFILMENT = "on_confirmation", "on_fulfilment"
INVOICING_POLICIES = (ON_CONFIRMATION, ON_FULFILMENT)


def order_number(year: int, sequence: int) -> str:
    return f"SO-{year}-{sequence:04d}"


def invoice_number(year: int, sequence: int) -> str:
    return f"INV-{year}-{sequence:05d}"


def credit_note_number(year: int, sequence: int) -> str:
    return f"CN-{year}-{sequence:04d}"


def due_date(issue_date: date, terms_days: int) -> date:
    return issue_date + timedelta(days=terms_days)


def next_order_status(current: str, command: str) -> str:
    allowed_from, target = ORDER_TRANSITIONS[command]
    if current not in allowed_from:
        raise InvalidTransition("order", current, command.replace("_", " "))
    return target


def check_issuable(status: str) -> None:
    if status != DRAFT:
        raise InvalidTransition("invoice", status, "issue")


def check_creditable(status: str) -> None:
    if status not in CREDITABLE_STATES:
        raise InvalidTransition("invoice", status, "credit")


def status_after_payment(status: str, balance_due: Decimal, amount: Decimal) -> str:
    """The invoice's status once ``amount`` is paid against ``balance_due``. An overdue
    invoice stays overdue until it is paid in full."""
    if status not in PAYABLE_STATES:
        raise InvalidTransition("invoice", status, "record a payment on")
    if amount > balance_due:
        raise ValidationFailed(
            {"amount": [f"The payment exceeds the balance due of {balance_due}."]},
            "The payment is larger than what is owed.")
    if amount == balance_due:
        return PAID
    return OVERDUE if status == OVERDUE else PARTIALLY_PAID


def status_after_credit(status: str, balance_due: Decimal, fully_credited: bool) -> str:
    if fully_credited:
        return CREDITED
    if balance_due == 0:
        return PAID  # payments and credits together settle it
    return status


def dunning_level(days_overdue: int, thresholds: tuple[int, ...]) -> int:
    """How many of the dunning thresholds (days overdue, ascending) are reached."""
    return sum(1 for days in thresholds if days_overdue >= days)
