"""Opportunities: created from a converted lead or directly, moved through their
pipeline's stages with every move kept as history, won, lost and reopened."""
from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import or_, select

from crmkit.db import utcnow
from crmkit.errors import Conflict, InvalidTransition, ValidationFailed, check_version
from crmkit.listing import contains, paginate
from crmkit.schemas import load, money_problem
from crmkit.unit_of_work import UnitOfWork

from . import customers, domain, pipelines, schemas
from .models import Opportunity, Pipeline, Quote, StageChange

opportunity_out = schemas.OpportunityOut()
creation_failed_out = schemas.CreationFailedOut()

log = logging.getLogger(__name__)


def _enter_stage(unit: UnitOfWork, opportunity: Opportunity, pipeline: Pipeline, stage_name: str,
                 probability: Decimal | None = None, forecast_category: str | None = None,
                 lost_reason: str | None = None, note: str | None = None) -> None:
    """Put the deal in a stage of its pipeline, with the stage's defaults unless the
    seller overrides them, and keep the move (and why it was made) in the history."""
    stage = pipelines.stage_of(pipeline, stage_name)
    previous = opportunity.stage
    opportunity.stage = stage.name
    opportunity.probability = stage.probability if probability is None or domain.is_closed(stage.name) \
        else probability
    opportunity.forecast_category = stage.forecast_category if forecast_category is None \
        or domain.is_closed(stage.name) else forecast_category
    opportunity.closed_at = utcnow() if domain.is_closed(stage.name) else None
    opportunity.history.append(StageChange(
        from_stage=previous, to_stage=stage.name, at=utcnow(), actor=unit.call.actor,
        amount=opportunity.amount, probability=opportunity.probability, lost_reason=lost_reason, note=note))


def _check_amount(opportunity: Opportunity) -> None:
    if opportunity.amount is not None and not opportunity.currency:
        raise ValidationFailed({"currency": ["An amount needs its currency."]})
    if problem := money_problem(opportunity.amount, opportunity.currency):
        raise ValidationFailed({"amount": [problem]})


def _open_stage(pipeline: Pipeline, name: str | None) -> str:
    stage = pipelines.stage_of(pipeline, name or pipeline.stages[0].name)
    if domain.is_closed(stage.name):
        raise ValidationFailed({"stage": ["A new opportunity starts in an open stage; win or lose it after."]})
    return stage.name


def create_opportunity(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.OpportunityCreate, data)
    pipeline = pipelines.pipeline_for(unit, fields.pop("pipeline_id", None))
    stage = _open_stage(pipeline, fields.pop("stage", None))
    probability, category = fields.pop("probability", None), fields.pop("forecast_category", None)
    opportunity = Opportunity(**fields, pipeline_id=pipeline.id)
    opportunity.owner_id = fields.get("owner_id") or unit.call.actor
    customers.name_the_customer(unit, opportunity)
    _check_amount(opportunity)
    _enter_stage(unit, opportunity, pipeline, stage, probability, category)
    return unit.add(opportunity, opportunity_out, "opportunity.created")


def create_opportunity_from_lead(unit: UnitOfWork, data: dict) -> None:
    """From lead.converted (or lead.conversion_retried, after a refusal), with the id the
    lead chose. Once, however often it arrives: the inbox skips redeliveries, and the id
    (and lead_id) are unique besides, so concurrent attempts make one opportunity.

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
        fields = load(schemas.OpportunityFromLead, wanted)
        lead = load(schemas.ConvertedLead, data["record"])
        if fields.get("contact_name"):
            fields["contact_name"] = fields["contact_name"][:customers.PERSON_NAME_LENGTH]
        pipeline = pipelines.pipeline_for(unit, None)
        stage = _open_stage(pipeline, fields.pop("stage", None))
        opportunity = Opportunity(**fields, pipeline_id=pipeline.id, lead_created_at=lead["created_at"],
                                  lead_source=lead["source"])
        _check_amount(opportunity)
    except ValidationFailed as refused:
        _refuse(unit, wanted, refused.details)
        return
    _enter_stage(unit, opportunity, pipeline, stage)
    unit.add(opportunity, opportunity_out, "opportunity.created")
    log.info("opportunity %s created from lead %s", opportunity.id, opportunity.lead_id)


def _refuse(unit: UnitOfWork, wanted: dict, reasons: dict) -> None:
    unit.emit("opportunity.creation_failed", str(wanted.get("id")), creation_failed_out.dump({
        "opportunity_id": wanted.get("id"), "lead_id": wanted.get("lead_id"), "reasons": reasons}))
    log.warning("opportunity %s for lead %s refused: %s", wanted.get("id"), wanted.get("lead_id"), reasons)


def get_opportunity(unit: UnitOfWork, opportunity_id: str) -> dict:
    return opportunity_out.dump(unit.get(Opportunity, opportunity_id))


def list_opportunities(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.OpportunityListQuery, query)
    stmt = select(Opportunity)
    for name in ("pipeline_id", "owner_id", "team", "organization_id", "lead_id"):
        if params.get(name):
            stmt = stmt.where(getattr(Opportunity, name) == params[name])
    if params.get("stage"):
        stmt = stmt.where(Opportunity.stage.in_(params["stage"]))
    status = params.get("status")
    if status == "open":
        stmt = stmt.where(Opportunity.stage.not_in(domain.CLOSED_STAGES))
    elif status == "closed":
        stmt = stmt.where(Opportunity.stage.in_(domain.CLOSED_STAGES))
    elif status in ("won", "lost"):
        stmt = stmt.where(Opportunity.stage == (domain.WON if status == "won" else domain.LOST))
    if params.get("forecast_category"):
        stmt = stmt.where(Opportunity.forecast_category.in_(params["forecast_category"]))
    if params.get("expected_close_from"):
        stmt = stmt.where(Opportunity.expected_close_date >= params["expected_close_from"])
    if params.get("expected_close_to"):
        stmt = stmt.where(Opportunity.expected_close_date <= params["expected_close_to"])
    if params.get("q"):
        stmt = stmt.where(or_(contains(Opportunity.name, params["q"]),
                              contains(Opportunity.organization_name, params["q"])))
    page = paginate(unit.session, stmt, model=Opportunity, params=params)
    return {"items": opportunity_out.dump(page.items, many=True), "next_cursor": page.next_cursor}


def update_opportunity(unit: UnitOfWork, opportunity_id: str, data: dict,
                       expected_version: int | None = None) -> dict:
    changes = load(schemas.OpportunityFields(partial=True), data)
    opportunity = unit.get(Opportunity, opportunity_id)
    check_version("opportunity", opportunity, expected_version)
    domain.check_open(opportunity.stage, "update")
    return unit.update(opportunity, changes, opportunity_out, "opportunity.updated", check=_check_amount,
                       apply=lambda changed: customers.name_the_customer(unit, changed))


def move_stage(unit: UnitOfWork, opportunity_id: str, data: dict, expected_version: int | None = None) -> dict:
    """Move an open deal to another stage of its pipeline; to closed_lost only with a
    reason. A closed deal moves only by being reopened."""
    fields = load(schemas.StageMove, data)
    opportunity = unit.get(Opportunity, opportunity_id)
    check_version("opportunity", opportunity, expected_version)
    domain.check_open(opportunity.stage, "move")
    if fields["stage"] == domain.LOST and not fields.get("lost_reason"):
        raise ValidationFailed({"lost_reason": ["A lost deal needs a reason."]})
    if fields["stage"] != domain.LOST and "lost_reason" in fields:
        raise ValidationFailed({"lost_reason": ["Only a move to closed_lost has a lost reason."]})
    if not domain.is_closed(fields["stage"]) and "closing_note" in fields:
        raise ValidationFailed({"closing_note": ["Only a win or a loss has a closing note."]})
    if fields["stage"] == opportunity.stage:
        # Not a move (a retried one, or a new probability): nothing for the history.
        overrides = {name: fields[name] for name in ("probability", "forecast_category") if name in fields}
        return unit.update(opportunity, overrides, opportunity_out, "opportunity.updated")
    return _move(unit, opportunity, fields)


def win(unit: UnitOfWork, opportunity_id: str, data: dict, expected_version: int | None = None) -> dict:
    return move_stage(unit, opportunity_id, {**load(schemas.Win, data), "stage": domain.WON}, expected_version)


def lose(unit: UnitOfWork, opportunity_id: str, data: dict, expected_version: int | None = None) -> dict:
    return move_stage(unit, opportunity_id, {**load(schemas.Lose, data), "stage": domain.LOST}, expected_version)


def reopen(unit: UnitOfWork, opportunity_id: str, data: dict, expected_version: int | None = None) -> dict:
    """Back to an open stage: the one it closed from unless another is named. A deal won
    by an accepted quote has an order in billing, so it stays won."""
    fields = load(schemas.Reopen, data)
    opportunity = unit.get(Opportunity, opportunity_id)
    check_version("opportunity", opportunity, expected_version)
    if not domain.is_closed(opportunity.stage):
        raise InvalidTransition("opportunity", opportunity.stage, "reopen")
    accepted = unit.session.scalar(select(Quote.number).where(
        Quote.opportunity_id == opportunity.id, Quote.status == domain.ACCEPTED))
    if accepted:
        raise Conflict(f"Quote {accepted} of this deal was accepted and ordered; it cannot be reopened.",
                       {"accepted_quote": accepted})
    pipeline = unit.get(Pipeline, opportunity.pipeline_id)
    before_closing = opportunity.history[-1].from_stage if opportunity.history else None
    open_names = [stage.name for stage in pipeline.stages if not domain.is_closed(stage.name)]
    stage = fields.get("stage") or (before_closing if before_closing in open_names else open_names[0])
    if domain.is_closed(stage):
        raise ValidationFailed({"stage": ["Reopen into an open stage."]})
    return _move(unit, opportunity, {"stage": stage, "lost_reason": None, "closing_note": None},
                 extra_event="opportunity.reopened", note=fields.get("note"))


def _move(unit: UnitOfWork, opportunity: Opportunity, fields: dict, extra_event: str | None = None,
          note: str | None = None) -> dict:
    pipeline = unit.get(Pipeline, opportunity.pipeline_id)
    _enter_stage(unit, opportunity, pipeline, fields["stage"], fields.get("probability"),
                 fields.get("forecast_category"), fields.get("lost_reason"), fields.get("closing_note") or note)
    for name in ("lost_reason", "closing_note"):
        if name in fields:
            setattr(opportunity, name, fields[name])
    return _stage_changed(unit, opportunity, extra_event)


def _stage_changed(unit: UnitOfWork, opportunity: Opportunity, extra_event: str | None = None) -> dict:
    out = unit.changed(opportunity, opportunity_out, "opportunity.stage_changed")
    outcome = {domain.WON: "opportunity.won", domain.LOST: "opportunity.lost"}.get(opportunity.stage, extra_event)
    if outcome:
        unit.changed(opportunity, opportunity_out, outcome)
    return out


def win_by_quote(unit: UnitOfWork, opportunity: Opportunity, quote: Quote) -> dict:
    """An accepted quote wins its deal, at the quote's net amount."""
    domain.check_open(opportunity.stage, "win")
    opportunity.amount, opportunity.currency = quote.net_total, quote.currency
    _enter_stage(unit, opportunity, unit.get(Pipeline, opportunity.pipeline_id), domain.WON)
    return _stage_changed(unit, opportunity)
