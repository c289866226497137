"""Use cases of the billing service."""
from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select

import crmtotals
from crmkit.db import utcnow
from crmkit.errors import Conflict
from crmkit.ids import new_id
from crmkit.numbering import next_number
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import domain, schemas
from .models import Invoice, InvoiceLine, Order, OrderLine, Payment

order_out = schemas.OrderOut()
invoice_out = schemas.InvoiceOut()
payment_out = schemas.PaymentOut()

_LINE_FIELDS = ("position", "sku", "description", "quantity", "unit_price", "discount_percent", "tax_rate", "net")
_TOTAL_FIELDS = ("subtotal", "discount_total", "net_total", "tax_total", "grand_total")

log = logging.getLogger(__name__)


def _recomputed_totals(quote: dict) -> crmtotals.Totals:
    """The quote's totals from its lines, by the same engine; a difference is a bug that
    must stop the order rather than bill a customer a different amount."""
    lines = [crmtotals.Line(Decimal(l["quantity"]), Decimal(l["unit_price"]), Decimal(l["discount_percent"]),
                            Decimal(l["tax_rate"])) for l in quote["lines"]]
    totals = crmtotals.compute(lines, quote["currency"], Decimal(quote["document_discount_percent"]),
                               quote["rounding"], tax_mode=quote.get("tax_mode", "exclusive"))
    drift = {f: (quote[f], str(getattr(totals, f))) for f in _TOTAL_FIELDS
             if Decimal(quote[f]) != getattr(totals, f)}
    if drift:
        raise ValueError(f"quote {quote['number']} totals differ from the totals engine: {drift}")
    return totals


def create_order_from_quote(unit: UnitOfWork, quote: dict) -> None:
    """From quote.accepted: the order (with the id deals chose) and, by the default
    invoicing policy, its invoice, issued at once. Exactly once per quote."""
    if unit.session.scalar(select(Order.id).where(Order.quote_id == quote["id"])) is not None:
        return
    totals = _recomputed_totals(quote)
    today = utcnow().date()
    document = {
        "currency": quote["currency"], "document_discount_percent": Decimal(quote["document_discount_percent"]),
        "rounding": quote["rounding"], "tax_mode": quote.get("tax_mode", "exclusive"),
        "tax_breakdown": quote["tax_breakdown"],
        "organization_id": quote.get("organization_id"), "organization_name": quote.get("organization_name"),
        "contact_id": quote.get("contact_id"), "contact_name": quote.get("contact_name"),
        "owner_id": quote.get("owner_id"),
        **{f: getattr(totals, f) for f in _TOTAL_FIELDS},
    }
    order = Order(
        id=quote["order_id"], number=domain.order_number(today.year, next_number(unit.session, "order", today.year)),
        quote_id=quote["id"], quote_number=quote["number"], opportunity_id=quote.get("opportunity_id"),
        status=domain.CONFIRMED, order_date=today,
        lines=[OrderLine(**{f: l[f] for f in _LINE_FIELDS}) for l in quote["lines"]], **document,
    )
    unit.session.add(order)
    unit.session.flush()
    invoice = Invoice(
        id=new_id(), order=order, status=domain.DRAFT, payment_terms_days=domain.DEFAULT_PAYMENT_TERMS_DAYS,
        balance_due=totals.grand_total,
        lines=[InvoiceLine(**{f: l[f] for f in _LINE_FIELDS}) for l in quote["lines"]], **document,
    )
    unit.session.add(invoice)
    unit.session.flush()
    unit.emit("order.created", order.id, order_out.dump(order), order.version)
    log.info("order %s created from quote %s", order.number, order.quote_number)
    issue_invoice(unit, invoice)


def issue_invoice(unit: UnitOfWork, invoice: Invoice) -> None:
    domain.check_issuable(invoice.status)
    today = utcnow().date()
    invoice.number = domain.invoice_number(today.year, next_number(unit.session, "invoice", today.year))
    invoice.status = domain.ISSUED
    invoice.issue_date = today
    invoice.due_date = domain.due_date(today, invoice.payment_terms_days)
    unit.session.flush()
    unit.emit("invoice.issued", invoice.id, invoice_out.dump(invoice), invoice.version)
    log.info("invoice %s issued for order %s", invoice.number, invoice.order_id)


def record_payment(unit: UnitOfWork, invoice_id: str, data: dict) -> dict:
    fields = load(schemas.PaymentIn(), data)
    invoice = unit.get(Invoice, invoice_id)
    for earlier in invoice.payments:
        if earlier.reference == fields["reference"]:
            if earlier.amount != fields["amount"]:
                raise Conflict(f"Payment {fields['reference']} is already recorded with amount {earlier.amount}.",
                               {"reference": fields["reference"], "recorded_amount": str(earlier.amount)})
            return invoice_out.dump(invoice)  # the same payment told twice: recorded once
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
    out = invoice_out.dump(invoice)
    unit.emit("invoice.payment_recorded", invoice.id, {"invoice": out, "payment": payment_out.dump(payment)},
              invoice.version)
    if invoice.status == domain.PAID:
        unit.emit("invoice.paid", invoice.id, out, invoice.version)
    log.info("payment %s of %s recorded on invoice %s", payment.reference, payment.amount, invoice.number)
    return out


def get_order(unit: UnitOfWork, order_id: str) -> dict:
    return order_out.dump(unit.get(Order, order_id))


def get_invoice(unit: UnitOfWork, invoice_id: str) -> dict:
    return invoice_out.dump(unit.get(Invoice, invoice_id))
