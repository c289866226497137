"""Use cases of the deals service."""
from __future__ import annotations

import logging

from sqlalchemy import select

import crmtotals
from crmkit.db import utcnow
from crmkit.errors import Conflict, ValidationFailed
from crmkit.ids import new_id
from crmkit.numbering import next_number
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import domain, schemas
from .models import Opportunity, Quote, QuoteLine, StageChange

opportunity_out = schemas.OpportunityOut()
quote_out = schemas.QuoteOut()

log = logging.getLogger(__name__)


def _move_stage(unit: UnitOfWork, opportunity: Opportunity, stage: str) -> None:
    previous = opportunity.stage
    opportunity.stage = stage
    opportunity.probability = domain.stage_probability(stage)
    opportunity.forecast_category = domain.forecast_category(stage)
    if stage in domain.CLOSED_STAGES:
        opportunity.closed_at = utcnow()
    opportunity.history.append(StageChange(
        from_stage=previous, to_stage=stage, at=utcnow(), actor=unit.call.actor,
        amount=opportunity.amount, probability=opportunity.probability,
    ))


def create_opportunity_from_lead(unit: UnitOfWork, data: dict) -> None:
    """From lead.converted, with the id the lead chose. Once, however often it arrives:
    the inbox skips redeliveries, and the id (and lead_id) are unique besides.

    What deals cannot honour (details its pipeline refuses, an id already taken) is
    published as opportunity.creation_failed, which the lead shows; an error that may
    pass (the database away) is raised, so the event is retried instead."""
    if not data.get("opportunity"):
        return
    wanted = data["opportunity"]
    existing = unit.session.get(Opportunity, wanted.get("id"))
    if existing is not None:
        if existing.lead_id != wanted.get("lead_id"):
            _refuse(unit, wanted, {"id": [f"Opportunity {existing.id} exists already for another lead."]})
        return
    try:
        fields = load(schemas.OpportunityFromLead(), wanted)
    except ValidationFailed as refused:
        _refuse(unit, wanted, refused.details)
        return
    stage = fields.get("stage") or domain.FIRST_STAGE
    opportunity = Opportunity(
        **{k: v for k, v in fields.items() if k != "stage"}, stage=stage,
        probability=domain.stage_probability(stage), forecast_category=domain.forecast_category(stage),
    )
    opportunity.history.append(StageChange(
        from_stage=None, to_stage=stage, at=utcnow(), actor=unit.call.actor,
        amount=opportunity.amount, probability=opportunity.probability))
    unit.add(opportunity, opportunity_out, "opportunity.created")
    log.info("opportunity %s created from lead %s", opportunity.id, opportunity.lead_id)


def _refuse(unit: UnitOfWork, wanted: dict, reasons: dict) -> None:
    unit.emit("opportunity.creation_failed", str(wanted.get("id")), {
        "opportunity_id": wanted.get("id"), "lead_id": wanted.get("lead_id"), "reasons": reasons})
    log.warning("opportunity %s for lead %s refused: %s", wanted.get("id"), wanted.get("lead_id"), reasons)


def get_opportunity(unit: UnitOfWork, opportunity_id: str) -> dict:
    return opportunity_out.dump(unit.get(Opportunity, opportunity_id))


def create_quote(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.QuoteCreate(), data)
    opportunity = unit.get(Opportunity, fields["opportunity_id"])
    domain.check_open(opportunity.stage, "quote")
    currency = fields.get("currency") or opportunity.currency or "EUR"
    totals = crmtotals.compute(
        [crmtotals.Line(l["quantity"], l["unit_price"], l["discount_percent"], l["tax_rate"]) for l in fields["lines"]],
        currency, fields["document_discount_percent"], fields["rounding"],
    )
    today = utcnow().date()
    quote = Quote(
        id=new_id(), number=domain.quote_number(today.year, next_number(unit.session, "quote", today.year)),
        opportunity_id=opportunity.id, status=domain.DRAFT, currency=currency,
        organization_id=opportunity.organization_id, organization_name=opportunity.organization_name,
        contact_id=opportunity.contact_id, contact_name=opportunity.contact_name,
        owner_id=opportunity.owner_id or unit.call.actor,
        document_discount_percent=fields["document_discount_percent"], rounding=fields["rounding"],
        terms=fields.get("terms"), subtotal=totals.subtotal, discount_total=totals.discount_total,
        net_total=totals.net_total, tax_total=totals.tax_total, grand_total=totals.grand_total,
        tax_breakdown=[{"rate": str(b.rate), "taxable": str(b.taxable), "tax": str(b.tax)}
                       for b in totals.tax_breakdown],
        lines=[
            QuoteLine(position=i, sku=l.get("sku"), description=l["description"], quantity=l["quantity"],
                      unit_price=l["unit_price"], discount_percent=l["discount_percent"], tax_rate=l["tax_rate"],
                      net=t.net)
            for i, (l, t) in enumerate(zip(fields["lines"], totals.lines, strict=True), start=1)
        ],
    )
    return unit.add(quote, quote_out, "quote.created")


def get_quote(unit: UnitOfWork, quote_id: str) -> dict:
    return quote_out.dump(unit.get(Quote, quote_id))


def send_quote(unit: UnitOfWork, quote_id: str) -> dict:
    quote = unit.get(Quote, quote_id)
    quote.status = domain.next_quote_status(quote.status, "send")
    quote.sent_at = utcnow()
    quote.valid_until = quote.sent_at.date() + domain.QUOTE_VALIDITY
    unit.session.flush()
    out = quote_out.dump(quote)
    unit.emit("quote.sent", quote.id, out, quote.version)
    return out


def accept_quote(unit: UnitOfWork, quote_id: str) -> dict:
    """Accept a sent quote: the opportunity is won, and billing is told everything it
    needs to create the order, whose id is chosen here so the caller has it at once."""
    quote = unit.get(Quote, quote_id)
    quote.status = domain.next_quote_status(quote.status, "accept", quote.valid_until, utcnow().date())
    opportunity = unit.get(Opportunity, quote.opportunity_id)
    already = unit.session.scalar(select(Quote.number).where(
        Quote.opportunity_id == opportunity.id, Quote.status == domain.ACCEPTED, Quote.id != quote.id))
    if already:
        raise Conflict(f"Quote {already} of this opportunity is already accepted.",
                       {"accepted_quote": already})
    domain.check_open(opportunity.stage, "win")
    quote.accepted_at = utcnow()
    quote.order_id = new_id()
    _move_stage(unit, opportunity, domain.WON)
    unit.session.flush()
    out = quote_out.dump(quote)
    unit.emit("quote.accepted", quote.id, {**out, "opportunity_name": opportunity.name}, quote.version)
    opportunity_data = opportunity_out.dump(opportunity)
    unit.emit("opportunity.stage_changed", opportunity.id, opportunity_data, opportunity.version)
    unit.emit("opportunity.won", opportunity.id, opportunity_data, opportunity.version)
    log.info("quote %s accepted; opportunity %s won", quote.number, opportunity.id)
    return out
