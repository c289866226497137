"""Billing rules: order and invoice state machines, numbers, payment rules."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crmkit.errors import InvalidTransition, ValidationFailed

CONFIRMED, IN_FULFILMENT, FULFILLED, CANCELLED = "confirmed", "in_fulfilment", "fulfilled", "cancelled"
DRAFT, ISSUED, PARTIALLY_PAID, PAID, OVERDUE, CREDITED = (
    "draft", "issued", "partially_paid", "paid", "overdue", "credited")
PAYABLE_STATES = (ISSUED, PARTIALLY_PAID, OVERDUE)
DEFAULT_PAYMENT_TERMS_DAYS = 30
PAYMENT_METHODS = ("bank_transfer", "card", "direct_debit", "cash", "cheque", "other")


def order_number(year: int, sequence: int) -> str:
    return f"SO-{year}-{sequence:04d}"


def invoice_number(year: int, sequence: int) -> str:
    return f"INV-{year}-{sequence:05d}"


def due_date(issue_date: date, terms_days: int) -> date:
    return issue_date + timedelta(days=terms_days)


def check_issuable(status: str) -> None:
    if status != DRAFT:
        raise InvalidTransition("invoice", status, "issue")


def status_after_payment(status: str, balance_due: Decimal, amount: Decimal) -> str:
    """The invoice's status once ``amount`` is paid against ``balance_due``."""
    if status not in PAYABLE_STATES:
        raise InvalidTransition("invoice", status, "record a payment on")
    if amount > balance_due:
        raise ValidationFailed(
            {"amount": [f"The payment exceeds the balance due of {balance_due}."]},
            "The payment is larger than what is owed.")
    return PAID if amount == balance_due else PARTIALLY_PAID
