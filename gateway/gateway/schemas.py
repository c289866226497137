"""The gateway's own wire formats: API tokens, the funnel, the event types, and the error shape.

(The story's schema nests the services' records, so it is assembled where those are
known: ``gateway.apigen``.)"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crmkit import funnel
from crmkit.db import utcnow
from crmkit.schemas import Integer

from .auth import ROLES, SALES_REP

FUNNEL_STEPS = ("leads", "qualified", "opportunities", "quotes_sent", "won", "invoiced", "paid")


class EventTypeOut(Schema):
    """An event type the services publish (GET /event-types; gateway/README.md, "Events")."""

    type = fields.String(required=True, metadata={"description": "The CloudEvents type, also the routing key: "
                                                                 "crm.<name>.v<version>."})
    name = fields.String(required=True, metadata={"description": "lead.created, invoice.paid, ..."})
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    service = fields.String(required=True, metadata={"description": "The service that publishes it (its source)."})
    description = fields.String(required=True)
    dataschema = fields.String(required=True, metadata={
        "description": "The URL of its events' JSON Schema (the envelope and its data), as each event names it."})


class TokenIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    team = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=64))
    rate_limit_per_minute = Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=1_000_000))
    expires_at = fields.AwareDateTime(allow_none=True, load_default=None,
                                      metadata={"description": "When it stops working; null: until revoked."})

    # What _a_sales_rep_has_a_team says, for the API document (gateway.apigen).
    JSON_SCHEMA = {"if": {"properties": {"role": {"const": SALES_REP}}},
                   "then": {"required": ["team"], "properties": {"team": {"type": "string"}}}}

    @validates_schema(skip_on_field_errors=False)  # named together with the other bad fields
    def _a_sales_rep_has_a_team(self, data, **_kwargs):
        errors = {}
        if data.get("role") == SALES_REP and not data.get("team"):
            errors["team"] = ["A sales rep's token needs its team."]
        if data.get("expires_at") and data["expires_at"] <= utcnow():
            errors["expires_at"] = ["Must be in the future."]
        if errors:
            raise ValidationError(errors)


class TokenOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    user_id = fields.String(required=True)
    team = fields.String(required=True, allow_none=True)
    rate_limit_per_minute = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(required=True)
    revoked_at = fields.DateTime(required=True, allow_none=True)
    expires_at = fields.DateTime(required=True, allow_none=True)


class NewTokenOut(TokenOut):
    token = fields.String(required=True, allow_none=True, metadata={
        "description": "The secret: shown once, never again; null when a retry with the same Idempotency-Key "
                       "answers the token made first."})


class FunnelQuery(funnel.FunnelQuery):
    pass


class FunnelStepOut(Schema):
    step = fields.String(required=True, validate=validate.OneOf(FUNNEL_STEPS))
    count = fields.Integer(required=True)
    conversion_from_previous = fields.String(required=True, allow_none=True, metadata={
        "description": "This step's count over the previous step's, 4 places; null for the first step or "
                       "when the previous count is 0. In the cohort view each step is a part of the one before, "
                       "so it is at most 1; in the activity view each step counts what reached it within the "
                       "range, and it may exceed 1."})


class FunnelSourceOut(Schema):
    source = fields.String(required=True, allow_none=True, metadata={
        "description": "The leads' source; null for deals without a known lead (activity view)."})
    steps = fields.List(fields.Nested(FunnelStepOut), required=True)
    conversion_overall = fields.String(required=True, allow_none=True)


class FunnelUnattributedOut(Schema):
    opportunities = fields.Integer(required=True, metadata={
        "description": "Opportunities converted before they kept their lead's creation time, made on or after from."})
    orders = fields.Integer(required=True, metadata={
        "description": "Orders whose lead is unknown (made before they kept it), made on or after from."})


class FunnelOut(Schema):
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    view = fields.String(required=True, validate=validate.OneOf(funnel.VIEWS))
    group_by = fields.String(required=True, validate=validate.OneOf(funnel.GROUPINGS))
    steps = fields.List(fields.Nested(FunnelStepOut), required=True)
    conversion_overall = fields.String(required=True, allow_none=True)
    by_source = fields.List(fields.Nested(FunnelSourceOut), required=True, allow_none=True, metadata={
        "description": "With group_by=source: the same steps per lead source (by source, the unknown one "
                       "last); null otherwise."})
    unattributed = fields.Nested(FunnelUnattributedOut, required=True, allow_none=True, metadata={
        "description": "Cohort view: records made before the funnel kept their lead's creation time, that may "
                       "belong to the cohort but are counted in none of its steps (0 and 0: the cohort is "
                       "complete); null in the activity view."})


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)
