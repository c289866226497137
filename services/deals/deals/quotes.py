"""Quotes: priced by the totals engine from free lines and the price book, numbered
Q-YYYY-NNNN without gaps, sent, revised, accepted, rejected or expired."""
from __future__ import annotations

import base64
import logging
from decimal import Decimal

from sqlalchemy import select

import crmtotals
from crmkit.db import is_sqlite, utcnow
from crmkit.errors import Conflict, InvalidTransition, ValidationFailed, check_version
from crmkit.ids import new_id, parse_id
from crmkit.listing import paginate
from crmkit.numbering import next_number
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import customers, domain, opportunities, pdf, schemas
from .models import Opportunity, Product, Quote, QuoteLine

quote_out = schemas.QuoteOut()
quote_lead_out = schemas.QuoteLeadOut()
# What a revision carries over from the quote it revises unless the change says otherwise.
_DOCUMENT_FIELDS = ("currency", "document_discount_percent", "tax_mode", "rounding", "terms", "billing_address",
                    "shipping_address", "payment_terms_days")
_CUSTOMER_FIELDS = ("organization_id", "organization_name", "organization_vat_id", "contact_id", "contact_name",
                    "contact_email")
_LINE_FIELDS = ("product_id", "sku", "description", "quantity", "unit_price", "discount_percent", "tax_rate")

log = logging.getLogger(__name__)


def _resolve_lines(unit: UnitOfWork, lines: list[dict], currency: str) -> list[dict]:
    """Each line complete: a product line takes what it does not say from the price
    book. Every problem of every line is reported at once, by its position."""
    resolved, problems = [], {}
    for index, line in enumerate(lines):
        line = dict(line)
        if schemas.is_product_line(line):
            product = _product_of(unit, line)
            wanted = line.get("product_id") or line.get("sku")
            if product is None:
                problems[str(index)] = {"product": [f"No product {wanted} in the price book."]}
            elif not product.active:
                problems[str(index)] = {"product": [f"Product {product.sku} is no longer sold."]}
            elif product.currency != currency:
                problems[str(index)] = {"product": [
                    f"Product {product.sku} is priced in {product.currency}, the quote in {currency}."]}
            else:
                line["product_id"], line["sku"] = product.id, product.sku
                line.setdefault("description", product.name)
                line.setdefault("unit_price", product.unit_price)
                line.setdefault("tax_rate", product.tax_rate)
        line.setdefault("tax_rate", Decimal(0))
        resolved.append({name: line.get(name) for name in _LINE_FIELDS})
    if problems:
        raise ValidationFailed({"lines": problems})
    return resolved


def _product_of(unit: UnitOfWork, line: dict) -> Product | None:
    if line.get("product_id"):
        key = parse_id(line["product_id"])
        return unit.session.get(Product, key) if key else None
    return unit.session.scalar(select(Product).where(Product.sku == line["sku"]))


def _price(quote: Quote, lines: list[dict]) -> None:
    """Lines and totals of the quote, from the one totals engine. Lines may be negative
    (returns, credits), the whole may not: money goes back through credit notes, and an
    invoice of less than nothing could never be paid."""
    totals = crmtotals.compute(
        [crmtotals.Line(l["quantity"], l["unit_price"], l["discount_percent"], l["tax_rate"]) for l in lines],
        quote.currency, quote.document_discount_percent, quote.rounding, tax_mode=quote.tax_mode)
    if totals.grand_total < 0:
        raise ValidationFailed({"lines": [
            f"The quote's total would be {totals.grand_total} {quote.currency}; it must not be negative "
            "(money goes back to a customer through a credit note of its invoice)."]})
    quote.lines = [QuoteLine(position=position, net=line_totals.net, **line)
                   for position, (line, line_totals) in enumerate(zip(lines, totals.lines, strict=True), start=1)]
    for name in ("subtotal", "discount_total", "net_total", "tax_total", "grand_total"):
        setattr(quote, name, getattr(totals, name))
    quote.tax_breakdown = [{"rate": str(b.rate), "taxable": str(b.taxable), "tax": str(b.tax)}
                           for b in totals.tax_breakdown]


def _lines_after(unit: UnitOfWork, changes: dict, previous: Quote, currency: str) -> list[dict]:
    """The lines of a changed quote: those given, or the previous ones, which are checked
    against the price book again only when the currency changes (a product priced in
    the old currency cannot follow)."""
    if changes.get("lines") is not None:
        return _resolve_lines(unit, changes["lines"], currency)
    stored = [{name: getattr(line, name) for name in _LINE_FIELDS} for line in previous.lines]
    return _resolve_lines(unit, stored, currency) if "currency" in changes else stored


def create_quote(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.QuoteCreate, data)
    opportunity = unit.get(Opportunity, fields["opportunity_id"])
    domain.check_open(opportunity.stage, "quote")
    currency = fields.get("currency") or opportunity.currency or "EUR"
    base_number = _next_quote_number(unit)
    customer = customers.snapshot(unit, opportunity)
    for name in ("billing_address", "shipping_address", "payment_terms_days"):
        if fields.get(name) is not None:
            customer[name] = fields[name]
    quote = Quote(
        id=new_id(), number=base_number, base_number=base_number, revision=1,
        opportunity_id=opportunity.id, status=domain.DRAFT, currency=currency, **customer,
        owner_id=opportunity.owner_id or unit.call.actor,
        document_discount_percent=fields.get("document_discount_percent", Decimal(0)),
        tax_mode=fields.get("tax_mode", "exclusive"), rounding=fields.get("rounding", "per_rate"),
        terms=fields.get("terms"),
    )
    _price(quote, _resolve_lines(unit, fields["lines"], currency))
    return unit.add(quote, quote_out, "quote.created")


def _next_quote_number(unit: UnitOfWork) -> str:
    year = utcnow().year
    return domain.quote_number(year, next_number(unit.session, "quote", year))


def update_quote(unit: UnitOfWork, quote_id: str, data: dict, expected_version: int | None = None) -> dict:
    """A draft changes in place. A sent quote is never changed: the change makes the next
    revision (Q-2026-0043-R2, a draft to send), and the sent one is superseded so it can
    no longer be accepted."""
    # Partial at the top only: lines given are whole lines, with their defaults.
    changes = load(schemas.QuoteFields(partial=tuple(schemas.QuoteFields().fields)), data)
    quote = unit.get(Quote, quote_id)
    check_version("quote", quote, expected_version)
    if quote.status == domain.DRAFT:
        return _change_draft(unit, quote, changes)
    if quote.status == domain.SENT:
        return _revise(unit, quote, changes)
    raise InvalidTransition("quote", quote.status, "change")


def _change_draft(unit: UnitOfWork, quote: Quote, changes: dict) -> dict:
    domain.check_open(unit.get(Opportunity, quote.opportunity_id).stage, "change a quote of")
    fields = {name: value for name, value in changes.items() if name != "lines"}

    def reprice(quote: Quote) -> None:
        _price(quote, _lines_after(unit, changes, quote, quote.currency))

    return unit.update(quote, fields, quote_out, "quote.updated", apply=reprice)


def _revise(unit: UnitOfWork, sent: Quote, changes: dict) -> dict:
    opportunity = unit.get(Opportunity, sent.opportunity_id)
    domain.check_open(opportunity.stage, "revise a quote of")
    revision = sent.revision + 1
    document = {name: changes.get(name, getattr(sent, name)) for name in _DOCUMENT_FIELDS}
    quote = Quote(
        id=new_id(), number=domain.revision_number(sent.base_number, revision), base_number=sent.base_number,
        revision=revision, revises_id=sent.id, opportunity_id=sent.opportunity_id, status=domain.DRAFT,
        owner_id=sent.owner_id, **{name: getattr(sent, name) for name in _CUSTOMER_FIELDS}, **document,
    )
    _price(quote, _lines_after(unit, changes, sent, quote.currency))
    sent.status = domain.next_quote_status(sent.status, "revise")
    sent.superseded_by_id = quote.id
    unit.session.add(quote)
    out = unit.changed(quote, quote_out, "quote.revised", supersedes=quote_out.dump(sent))
    log.info("quote %s revised as %s", sent.number, quote.number)
    return out


def get_quote(unit: UnitOfWork, quote_id: str) -> dict:
    return quote_out.dump(unit.get(Quote, quote_id))


def list_quotes(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.QuoteListQuery, query)
    stmt = select(Quote)
    for name in ("opportunity_id", "owner_id"):
        if params.get(name):
            stmt = stmt.where(getattr(Quote, name) == params[name])
    if params.get("status"):
        stmt = stmt.where(Quote.status.in_(params["status"]))
    if params.get("number"):
        stmt = stmt.where(Quote.base_number == params["number"].split("-R")[0])
    page = paginate(unit.session, stmt, model=Quote, params=params)
    return {"items": quote_out.dump(page.items, many=True), "next_cursor": page.next_cursor}


def send_quote(unit: UnitOfWork, quote_id: str, data: dict | None = None,
               expected_version: int | None = None) -> dict:
    fields = load(schemas.QuoteSend, data or {})
    quote = unit.get(Quote, quote_id)
    check_version("quote", quote, expected_version)
    quote.status = domain.next_quote_status(quote.status, "send")
    domain.check_open(unit.get(Opportunity, quote.opportunity_id).stage, "send a quote of")
    quote.sent_at = utcnow()
    today = quote.sent_at.date()
    valid_until = fields.get("valid_until") or today + domain.QUOTE_VALIDITY
    if valid_until < today:
        raise ValidationFailed({"valid_until": [f"Must be today ({today}) or later."]})
    quote.valid_until = valid_until
    return unit.changed(quote, quote_out, "quote.sent")


def accept_quote(unit: UnitOfWork, quote_id: str, expected_version: int | None = None) -> dict:
    """Accept a sent quote: the opportunity is won, and billing is told everything it
    needs to create the order, whose id is chosen here so the caller has it at once."""
    quote = unit.get(Quote, quote_id)
    check_version("quote", quote, expected_version)
    quote.status = domain.next_quote_status(quote.status, "accept", quote.valid_until, utcnow().date())
    opportunity = unit.get(Opportunity, quote.opportunity_id)
    already = unit.session.scalar(select(Quote.number).where(
        Quote.opportunity_id == opportunity.id, Quote.status == domain.ACCEPTED, Quote.id != quote.id))
    if already:
        raise Conflict(f"Quote {already} of this opportunity is already accepted.", {"accepted_quote": already})
    quote.accepted_at = utcnow()
    quote.order_id = new_id()
    opportunities.win_by_quote(unit, opportunity, quote)
    out = unit.changed(quote, quote_out, "quote.accepted", opportunity_name=opportunity.name,
                       lead=_lead_of(opportunity))
    log.info("quote %s accepted; opportunity %s won", quote.number, opportunity.id)
    return out


def _lead_of(opportunity: Opportunity) -> dict | None:
    """The deal's lead as the funnel counts it (its cohort and source), for billing's order;
    None for a deal created directly. Its time and source are null for a deal converted
    before they were kept (deals migration 0009)."""
    if opportunity.lead_id is None:
        return None
    return quote_lead_out.dump({"id": opportunity.lead_id, "created_at": opportunity.lead_created_at,
                                "source": opportunity.lead_source})


def reject_quote(unit: UnitOfWork, quote_id: str, data: dict, expected_version: int | None = None) -> dict:
    fields = load(schemas.QuoteReject, data)
    quote = unit.get(Quote, quote_id)
    check_version("quote", quote, expected_version)
    quote.status = domain.next_quote_status(quote.status, "reject")
    quote.rejected_at, quote.rejection_reason = utcnow(), fields["reason"]
    return unit.changed(quote, quote_out, "quote.rejected")


def expire_due(unit: UnitOfWork, batch: int) -> int:
    """Expire sent quotes whose last valid day has passed; returns how many. Replicas
    share the work: rows another one holds are skipped (PostgreSQL), and a quote
    accepted meanwhile wins by its version."""
    today = utcnow().date()
    stmt = (select(Quote).where(Quote.status == domain.SENT, Quote.valid_until < today)
            .order_by(Quote.valid_until).limit(batch))
    if not is_sqlite(unit.session.bind):
        stmt = stmt.with_for_update(skip_locked=True)
    due = list(unit.session.scalars(stmt))
    for quote in due:
        quote.status = domain.next_quote_status(quote.status, "expire")
        quote.expired_at = utcnow()
        unit.changed(quote, quote_out, "quote.expired")
    if due:
        log.info("%d quotes expired (valid until before %s)", len(due), today)
    return len(due)


def quote_pdf(unit: UnitOfWork, quote_id: str, render=lambda work, *args: work(*args)) -> dict:
    """The quote as the PDF document the customer signs (base64: RPC carries JSON).
    ``render(work, *args)`` runs the rendering, 0.1-0.5 s of pure Python: the service
    shell gives a real thread, so its other workers are served meanwhile."""
    quote = quote_out.dump(unit.get(Quote, quote_id))
    document = render(pdf.render_quote, quote, pdf.Seller.from_env())
    return {"filename": f"{quote['number']}.pdf", "content": base64.b64encode(document).decode("ascii")}
