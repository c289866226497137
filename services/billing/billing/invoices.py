"""Invoices: a draft from its order, issued with the next gap-free number, paid in one
or more payments, overdue and dunned by a timer. An issued invoice never changes."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import and_, or_, select

from crmkit.db import is_sqlite, utcnow
from crmkit.errors import Conflict, InvalidTransition, ValidationFailed, check_version
from crmkit.ids import new_id
from crmkit.listing import paginate
from crmkit.numbering import next_number
from crmkit.schemas import load, money_problem
from crmkit.unit_of_work import UnitOfWork

from . import domain, schemas
from .models import LINE_FIELDS, Invoice, InvoiceLine, Order, Payment

invoice_out = schemas.InvoiceOut()
payment_out = schemas.PaymentOut()
_COPIED_FROM_ORDER = (
    "currency", "document_discount_percent", "rounding", "tax_mode", "tax_breakdown", "subtotal",
    "discount_total", "net_total", "tax_total", "grand_total", "organization_id", "organization_name",
    "organization_vat_id", "contact_id", "contact_name", "contact_email", "billing_address", "owner_id",
    "payment_terms_days",
)

log = logging.getLogger(__name__)


def invoice_order(unit: UnitOfWork, order: Order, issue: bool) -> Invoice:
    """The order's invoice, a draft with the order's lines and totals; issued at once
    when the settings say so."""
    invoice = Invoice(
        id=new_id(), order=order, status=domain.DRAFT, balance_due=order.grand_total,
        **{name: getattr(order, name) for name in _COPIED_FROM_ORDER},
        lines=[InvoiceLine(**{name: getattr(line, name) for name in LINE_FIELDS}) for line in order.lines],
    )
    unit.add(invoice, invoice_out, "invoice.created")
    if issue:
        _issue(unit, invoice)
    return invoice


def discard_draft(unit: UnitOfWork, invoice: Invoice) -> None:
    """A draft has no number, so it can go without leaving a gap."""
    # Its last state, as it is: flushing here would write its order's change in two versions.
    unit.emit("invoice.discarded", invoice.id, {"record": invoice_out.dump(invoice)})
    invoice.order.invoices.remove(invoice)
    unit.session.delete(invoice)


def issue_invoice(unit: UnitOfWork, invoice_id: str, expected_version: int | None = None) -> dict:
    invoice = unit.get(Invoice, invoice_id)
    check_version("invoice", invoice, expected_version)
    return _issue(unit, invoice)


def _issue(unit: UnitOfWork, invoice: Invoice) -> dict:
    """Number, dates, and the invoice is final. The number is the last thing taken
    before the commit: the series row stays locked (issuers of the same year wait their
    turn, nothing else does) for as short a time as possible."""
    domain.check_issuable(invoice.status)
    today = utcnow().date()
    invoice.status = domain.ISSUED
    invoice.issue_date, invoice.issued_at = today, utcnow()
    invoice.due_date = domain.due_date(today, invoice.payment_terms_days)
    invoice.number = domain.invoice_number(today.year, next_number(unit.session, "invoice", today.year))
    out = unit.changed(invoice, invoice_out, "invoice.issued")
    log.info("invoice %s issued for order %s, due %s", invoice.number, invoice.order_id, invoice.due_date)
    return out


def update_draft(unit: UnitOfWork, invoice_id: str, data: dict, expected_version: int | None = None) -> dict:
    changes = load(schemas.InvoiceUpdate, data)
    invoice = unit.get(Invoice, invoice_id)
    check_version("invoice", invoice, expected_version)
    if invoice.status != domain.DRAFT:
        raise InvalidTransition("invoice", invoice.status, "change")  # corrections are credit notes
    return unit.update(invoice, changes, invoice_out, "invoice.updated")


def get_invoice(unit: UnitOfWork, invoice_id: str) -> dict:
    return invoice_out.dump(unit.get(Invoice, invoice_id))


def list_invoices(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.InvoiceListQuery, query)
    stmt = select(Invoice)
    for name in ("organization_id", "order_id", "owner_id", "number"):
        if params.get(name):
            stmt = stmt.where(getattr(Invoice, name) == params[name])
    if params.get("status"):
        stmt = stmt.where(Invoice.status.in_(params["status"]))
    if params.get("due_before"):
        stmt = stmt.where(Invoice.due_date < params["due_before"])
    if params.get("opportunity_id"):
        orders = select(Order.id).where(Order.opportunity_id == params["opportunity_id"])
        stmt = stmt.where(Invoice.order_id.in_(orders))
    page = paginate(unit.session, stmt, model=Invoice, params=params)
    return {"items": invoice_out.dump(page.items, many=True), "next_cursor": page.next_cursor}


def record_payment(unit: UnitOfWork, invoice_id: str, data: dict, expected_version: int | None = None) -> dict:
    fields = load(schemas.PaymentIn, data)
    invoice = unit.get(Invoice, invoice_id)
    if problem := money_problem(fields["amount"], invoice.currency):  # a payment is in its invoice's currency
        raise ValidationFailed({"amount": [problem]})
    for earlier in invoice.payments:
        if earlier.reference == fields["reference"]:
            if earlier.amount != fields["amount"]:
                raise Conflict(f"Payment {fields['reference']} is already recorded with amount {earlier.amount}.",
                               {"reference": fields["reference"], "recorded_amount": str(earlier.amount)})
            return invoice_out.dump(invoice)  # the same payment told twice: recorded once
    # After the replay above: a payment told again answers as the first time, although
    # recording it moved the invoice past the version the caller read.
    check_version("invoice", invoice, expected_version)
    invoice.status = domain.status_after_payment(invoice.status, invoice.balance_due, fields["amount"])
    payment = Payment(
        id=new_id(), invoice_id=invoice.id, amount=fields["amount"], currency=invoice.currency,
        payment_date=fields.get("payment_date") or utcnow().date(), method=fields["method"],
        reference=fields["reference"], note=fields.get("note"), owner_id=invoice.owner_id,
    )
    unit.session.add(payment)
    invoice.payments.append(payment)
    invoice.balance_due -= fields["amount"]
    if invoice.status == domain.PAID:
        invoice.paid_at = utcnow()
    unit.session.flush()
    out = unit.changed(invoice, invoice_out, "invoice.payment_recorded", payment=payment_out.dump(payment))
    if invoice.status == domain.PAID:
        unit.changed(invoice, invoice_out, "invoice.paid")
    log.info("payment %s of %s recorded on invoice %s", payment.reference, payment.amount, invoice.number)
    return out


def mark_overdue(unit: UnitOfWork, dunning_days: tuple[int, ...], batch: int) -> int:
    """Invoices past their due date with a balance become overdue; each dunning level
    (days overdue, e.g. 1, 15, 30) is published once, as invoice.overdue with the days.
    After a long pause only the highest level reached is published: one reminder, not a
    stack of them. Replicas skip each other's rows (PostgreSQL)."""
    today = utcnow().date()
    # Only the invoices that reached their next level: those waiting for a later one
    # must not fill the batch and starve the rest.
    next_level_reached = or_(*(
        and_(Invoice.dunning_level == level, Invoice.due_date <= today - timedelta(days=days))
        for level, days in enumerate(dunning_days)))
    stmt = (select(Invoice).where(Invoice.status.in_(domain.PAYABLE_STATES), next_level_reached)
            .order_by(Invoice.due_date).limit(batch))
    if not is_sqlite(unit.session.bind):
        stmt = stmt.with_for_update(skip_locked=True)
    count = 0
    for invoice in unit.session.scalars(stmt):
        days_overdue = (today - invoice.due_date).days
        level = domain.dunning_level(days_overdue, dunning_days)
        if level <= invoice.dunning_level or invoice.balance_due <= 0:
            continue
        invoice.status, invoice.dunning_level = domain.OVERDUE, level
        unit.changed(invoice, invoice_out, "invoice.overdue", days_overdue=days_overdue, dunning_level=level,
                     dunning_days=dunning_days[level - 1])
        count += 1
    if count:
        log.info("%d invoices reached a dunning level", count)
    return count
