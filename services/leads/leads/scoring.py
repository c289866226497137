"""Lead scoring: rules are data, every score explains itself.

A scoring model is a list of rules, each ``{"factor", "points", "when": {<condition>}}``
with one condition on one field of the lead:
``{"field": f, "equals": v}``, ``{"field": f, "in": [..]}``, ``{"field": f, "present": true}``,
``{"field": f, "at_least": n}``, ``{"field": f, "at_most": n}``,
``{"field": f, "within_days": n}`` (a date from today up to n days ahead). The bounds of
``at_least`` and ``at_most`` are kept, and answered, as decimal strings (``"50"``).
A lead's score is the sum of the points of the rules that hold, kept within 0..100; its
factors list each rule that counted with its points (and, when the sum was cut to fit,
the cut as one more factor), so the factors always add up to the score. The rating is
hot from ``hot_from`` points, warm from ``warm_from``, cold below.

The score is recomputed whenever a lead is written (a ``before_flush`` hook, so no
command can forget it). When the model changes, a timer rescores the leads scored by an
older model, a batch at a time.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crmkit.db import utcnow
from crmkit.schemas import Boolean, Integer, load
from crmkit.unit_of_work import UnitOfWork

from . import domain
from .models import Lead, ScoringModel

CONDITIONS = ("equals", "in", "present", "at_least", "at_most", "within_days")
SCORED_FIELDS = (
    "status", "source", "campaign", "email_key", "phone_key", "company", "title", "website", "industry", "employees",
    "annual_revenue", "country", "budget_amount", "authority", "need", "timeline",
)

DEFAULT_MODEL = {
    "version": 0,
    "hot_from": 70,
    "warm_from": 40,
    "rules": [
        {"factor": "source: referral or partner", "points": 15,
         "when": {"field": "source", "in": ["referral", "partner"]}},
        {"factor": "source: event or webinar", "points": 10,
         "when": {"field": "source", "in": ["event", "webinar"]}},
        {"factor": "source: web", "points": 5, "when": {"field": "source", "equals": "web"}},
        {"factor": "valid email", "points": 10, "when": {"field": "email_key", "present": True}},
        {"factor": "valid phone", "points": 5, "when": {"field": "phone_key", "present": True}},
        {"factor": "company named", "points": 5, "when": {"field": "company", "present": True}},
        {"factor": "title known", "points": 3, "when": {"field": "title", "present": True}},
        {"factor": "company of 50+ people", "points": 5, "when": {"field": "employees", "at_least": "50"}},
        {"factor": "company of 500+ people", "points": 5, "when": {"field": "employees", "at_least": "500"}},
        {"factor": "budget known", "points": 12, "when": {"field": "budget_amount", "present": True}},
        {"factor": "decision maker", "points": 10, "when": {"field": "authority", "equals": True}},
        {"factor": "need described", "points": 8, "when": {"field": "need", "present": True}},
        {"factor": "buys within 90 days", "points": 10, "when": {"field": "timeline", "within_days": 90}},
        {"factor": "contacted", "points": 5, "when": {"field": "status", "equals": "contacted"}},
        {"factor": "qualified", "points": 15, "when": {"field": "status", "equals": "qualified"}},
        {"factor": "disqualified", "points": -50, "when": {"field": "status", "equals": "disqualified"}},
    ],
}


def _a_value(value) -> None:
    """What a lead's field holds, and so what a condition compares it with: text, a
    number or a boolean (an object or a list is no field's value)."""
    if isinstance(value, dict | list):
        raise ValidationError("A condition compares a field with text, a number or a boolean.")


class Condition(Schema):
    field = fields.String(required=True, validate=validate.OneOf(SCORED_FIELDS))
    equals = fields.Raw(validate=_a_value)
    in_ = fields.List(fields.Raw(validate=_a_value), data_key="in")
    present = Boolean()
    at_least = fields.Decimal()
    at_most = fields.Decimal()
    within_days = Integer(validate=validate.Range(min=0))
    # What _one_condition says, for the API document (gateway.apigen): field and one
    # condition, nothing else (a oneOf of six would say the same, at six times the cost
    # to every generator of requests).
    JSON_SCHEMA = {"minProperties": 2, "maxProperties": 2}

    @validates_schema
    def _one_condition(self, data, **_kwargs):
        given = [name for name in ("equals", "in_", "present", "at_least", "at_most", "within_days") if name in data]
        if len(given) != 1:
            raise ValidationError(f"Give exactly one of {', '.join(CONDITIONS)}.", "_schema")


class Rule(Schema):
    factor = fields.String(required=True, validate=validate.Length(min=1, max=100))
    points = Integer(required=True, validate=validate.Range(min=-100, max=100))
    when = fields.Nested(Condition, required=True)


class Model(Schema):
    rules = fields.List(fields.Nested(Rule), required=True, validate=validate.Length(min=1, max=200))
    hot_from = Integer(required=True, validate=validate.Range(min=0, max=100))
    warm_from = Integer(required=True, validate=validate.Range(min=0, max=100))

    @validates_schema(skip_on_field_errors=False)  # say this too when a rule is wrong
    def _ordered(self, data, **_kwargs):
        if "warm_from" in data and "hot_from" in data and data["warm_from"] > data["hot_from"]:
            raise ValidationError("warm_from must not be above hot_from.", "warm_from")


def holds(condition: dict, value, today: date) -> bool:
    if "present" in condition:
        return (value not in (None, "")) == condition["present"]
    if value is None:
        return False
    if "equals" in condition:
        return value == condition["equals"]
    if "in" in condition:
        return value in condition["in"]
    # A bound holds only for a number, a window of days only for a day: a rule that puts
    # one on a field of text (at_least on company) holds for no lead, instead of failing
    # every lead's scoring from then on.
    if "at_least" in condition or "at_most" in condition:
        number = _number(value)
        if number is None:
            return False
        if "at_least" in condition:
            return number >= Decimal(str(condition["at_least"]))
        return number <= Decimal(str(condition["at_most"]))
    if "within_days" in condition:
        return isinstance(value, date) and 0 <= (value - today).days <= condition["within_days"]
    return False


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def evaluate(model: dict, values: dict, today: date) -> tuple[int, list[dict], str]:
    """(score, factors, rating) of a lead whose fields are ``values``."""
    factors = [{"factor": rule["factor"], "points": rule["points"]} for rule in model["rules"]
               if holds(rule["when"], values.get(rule["when"]["field"]), today)]
    total = sum(f["points"] for f in factors)
    score = max(0, min(100, total))
    if score != total:
        factors.append({"factor": f"kept within 0..100 (was {total})", "points": score - total})
    rating = "hot" if score >= model["hot_from"] else "warm" if score >= model["warm_from"] else "cold"
    return score, factors, rating


def active_model(session: Session) -> dict:
    latest = session.scalar(select(ScoringModel).order_by(ScoringModel.version.desc()).limit(1))
    if latest is None:
        return DEFAULT_MODEL
    return {"version": latest.version, "rules": latest.rules, "hot_from": latest.hot_from,
            "warm_from": latest.warm_from}


def rescore(lead: Lead, model: dict, today: date) -> None:
    lead.score, lead.score_factors, lead.rating = evaluate(
        model, {name: getattr(lead, name) for name in SCORED_FIELDS}, today)
    lead.score_model_version = model["version"]


@event.listens_for(Session, "before_flush")
def _rescore_changed_leads(session: Session, _flush_context, _instances) -> None:
    changed = [obj for obj in list(session.new) + list(session.dirty) if isinstance(obj, Lead)]
    if changed:
        # One read of the model per unit of work, however many leads it writes.
        if "scoring_model" not in session.info:
            session.info["scoring_model"] = active_model(session)
        model = session.info["scoring_model"]
        today = utcnow().date()
        for lead in changed:
            rescore(lead, model, today)


def get_model(unit: UnitOfWork) -> dict:
    return active_model(unit.session)


def set_model(unit: UnitOfWork, data: dict) -> dict:
    """A new version of the rules; leads scored by an older one are rescored by a timer."""
    fields = load(Model, data)
    # the schema's "in_" attribute is "in" on the wire and in storage
    rules = [{**rule, "when": {("in" if k == "in_" else k): v for k, v in rule["when"].items()}}
             for rule in fields["rules"]]
    rules = [{**rule, "when": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in rule["when"].items()}}
             for rule in rules]
    version = active_model(unit.session)["version"] + 1
    unit.session.add(ScoringModel(version=version, rules=rules, hot_from=fields["hot_from"],
                                  warm_from=fields["warm_from"], created_at=utcnow(), actor=unit.call.actor))
    unit.session.flush()
    model = active_model(unit.session)
    unit.session.info["scoring_model"] = model
    unit.emit("scoring_model.changed", str(version), model)
    return model


def rescore_stale(unit: UnitOfWork, batch: int) -> int:
    """Rescore up to ``batch`` open leads last scored by an older model; how many it did."""
    from .commands import lead_out  # the lead's wire format lives with the lead's commands

    model = active_model(unit.session)
    stale = list(unit.session.scalars(
        # versions only grow, so "<" (an index range) finds the stale ones without a scan
        select(Lead).where(Lead.score_model_version < model["version"], Lead.status.not_in(domain.READ_ONLY_STATES))
        .limit(batch).with_for_update(skip_locked=True)))  # two service instances share the work
    today = utcnow().date()
    for lead in stale:
        before = (lead.score, lead.rating)
        rescore(lead, model, today)
        if (lead.score, lead.rating) != before:
            unit.changed(lead, lead_out, "lead.updated")
    return len(stale)
