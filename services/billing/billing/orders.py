"""Orders: made from quote.accepted exactly once, fulfilled or cancelled; the invoicing
policy decides when each gets its invoice."""
from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select

import crmtotals
from crmkit.db import utcnow
from crmkit.errors import Conflict, InvalidTransition, check_version
from crmkit.listing import paginate
from crmkit.numbering import next_number
from crmkit.schemas import DEFAULT_PAYMENT_TERMS_DAYS, load
from crmkit.unit_of_work import UnitOfWork

from . import domain, invoices, schemas
from .models import LINE_FIELDS, TOTAL_FIELDS, Order, OrderLine
from .settings import settings

order_out = schemas.OrderOut()

# What every billing document copies from the quote: the customer and how it was priced.
_SNAPSHOT_FIELDS = ("organization_id", "organization_name", "organization_vat_id", "contact_id", "contact_name",
                    "contact_email", "billing_address")

log = logging.getLogger(__name__)


def _recomputed_totals(quote: dict) -> crmtotals.Totals:
    """The quote's totals from its lines, by the same engine; a difference is a bug that
    must stop the order rather than bill a customer a different amount."""
    lines = [crmtotals.Line(Decimal(l["quantity"]), Decimal(l["unit_price"]), Decimal(l["discount_percent"]),
                            Decimal(l["tax_rate"])) for l in quote["lines"]]
    totals = crmtotals.compute(lines, quote["currency"], Decimal(quote["document_discount_percent"]),
                               quote["rounding"], tax_mode=quote.get("tax_mode", "exclusive"))
    drift = {f: (quote[f], str(getattr(totals, f))) for f in TOTAL_FIELDS
             if Decimal(quote[f]) != getattr(totals, f)}
    if drift:
        raise ValueError(f"quote {quote['number']} totals differ from the totals engine: {drift}")
    return totals


def create_order_from_quote(unit: UnitOfWork, quote: dict) -> None:
    """From quote.accepted: the order, with the id deals chose, and by the invoicing
    policy its invoice. Exactly once per quote: a redelivery finds the order (and the
    unique quote_id decides a race), whatever has happened to the order since."""
    if unit.session.scalar(select(Order.id).where(Order.quote_id == quote["id"])) is not None:
        log.info("quote %s already has its order", quote.get("number"))
        return
    totals = _recomputed_totals(quote)
    today = utcnow().date()
    lead = load(schemas.DealLead, quote.get("lead") or {})
    order = Order(
        id=quote["order_id"], number=domain.order_number(today.year, next_number(unit.session, "order", today.year)),
        quote_id=quote["id"], quote_number=quote["number"], opportunity_id=quote.get("opportunity_id"),
        status=domain.CONFIRMED, order_date=today, owner_id=quote.get("owner_id"),
        currency=quote["currency"], document_discount_percent=Decimal(quote["document_discount_percent"]),
        rounding=quote["rounding"], tax_mode=quote.get("tax_mode", "exclusive"),
        tax_breakdown=quote["tax_breakdown"], shipping_address=quote.get("shipping_address"),
        payment_terms_days=quote.get("payment_terms_days") or DEFAULT_PAYMENT_TERMS_DAYS,
        # A quote.accepted without "lead" comes from deals of before it was carried: unknown.
        from_lead=quote["lead"] is not None if "lead" in quote else None,
        lead_created_at=lead["created_at"], lead_source=lead["source"],
        **{name: quote.get(name) for name in _SNAPSHOT_FIELDS},
        **{name: getattr(totals, name) for name in TOTAL_FIELDS},
        lines=[OrderLine(**{name: line[name] for name in LINE_FIELDS}) for line in quote["lines"]],
    )
    unit.add(order, order_out, "order.created")
    log.info("order %s created from quote %s", order.number, order.quote_number)
    if settings().invoicing_policy == domain.ON_CONFIRMATION:
        invoices.invoice_order(unit, order, issue=settings().issue_automatically)


def get_order(unit: UnitOfWork, order_id: str) -> dict:
    return order_out.dump(unit.get(Order, order_id))


def list_orders(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.OrderListQuery, query)
    stmt = select(Order)
    for name in ("organization_id", "opportunity_id", "owner_id", "quote_id"):
        if params.get(name):
            stmt = stmt.where(getattr(Order, name) == params[name])
    if params.get("status"):
        stmt = stmt.where(Order.status.in_(params["status"]))
    page = paginate(unit.session, stmt, model=Order, params=params)
    return {"items": order_out.dump(page.items, many=True), "next_cursor": page.next_cursor}


def update_order(unit: UnitOfWork, order_id: str, data: dict, expected_version: int | None = None) -> dict:
    """What may change on an order: where it ships, how, and the notes kept on it."""
    changes = load(schemas.OrderUpdate, data)
    order = unit.get(Order, order_id)
    check_version("order", order, expected_version)
    if order.status in (domain.FULFILLED, domain.CANCELLED):
        raise InvalidTransition("order", order.status, "change")
    return unit.update(order, changes, order_out, "order.updated")


def start_fulfilment(unit: UnitOfWork, order_id: str, expected_version: int | None = None) -> dict:
    order = unit.get(Order, order_id)
    check_version("order", order, expected_version)
    order.status = domain.next_order_status(order.status, "start_fulfilment")
    order.fulfilment_started_at = utcnow()
    return _changed(unit, order, "order.fulfilment_started")


def fulfil(unit: UnitOfWork, order_id: str, expected_version: int | None = None) -> dict:
    """Delivered. By the on_fulfilment policy (or when it has none yet) the order gets
    its invoice now."""
    order = unit.get(Order, order_id)
    check_version("order", order, expected_version)
    order.status = domain.next_order_status(order.status, "fulfil")
    order.fulfilled_at = utcnow()
    out = _changed(unit, order, "order.fulfilled")
    if not order.invoices:
        invoices.invoice_order(unit, order, issue=settings().issue_automatically)
        out = order_out.dump(order)
    return out


def cancel(unit: UnitOfWork, order_id: str, data: dict, expected_version: int | None = None) -> dict:
    """Cancel while no issued invoice of the order is still owed: such an invoice is
    paid or credited first. Draft invoices (they have no number yet) go with it."""
    fields = load(schemas.OrderCancel, data)
    order = unit.get(Order, order_id)
    check_version("order", order, expected_version)
    order.status = domain.next_order_status(order.status, "cancel")
    owed = [invoice for invoice in order.invoices if invoice.status in domain.PAYABLE_STATES]
    if owed:
        names = ", ".join(f"{invoice.number} ({invoice.balance_due} {invoice.currency} due)" for invoice in owed)
        raise Conflict(f"Invoice {names} is still owed: record its payment or credit it first.",
                       {"unpaid_invoices": [invoice.number for invoice in owed]})
    for draft in [invoice for invoice in order.invoices if invoice.status == domain.DRAFT]:
        invoices.discard_draft(unit, draft)
    order.cancelled_at, order.cancel_reason = utcnow(), fields["reason"]
    return _changed(unit, order, "order.cancelled")


def _changed(unit: UnitOfWork, order: Order, event: str) -> dict:
    out = unit.changed(order, order_out, event)
    log.info("%s: order %s is %s", event, order.number, order.status)
    return out
