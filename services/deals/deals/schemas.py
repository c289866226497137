"""Wire formats of the deals service."""
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, fields, validate

from crmkit.schemas import Amount, Currency, RecordSchema
from crmtotals import ROUNDING_MODES

from .domain import CLOSED_STAGES, DEFAULT_PIPELINE

_percent = dict(validate=validate.Range(min=0, max=100))


class OpportunityFromLead(Schema):
    """The opportunity a lead's conversion asks for (lead.converted's "opportunity")."""

    class Meta:
        unknown = EXCLUDE  # a tolerant reader: fields the lead adds later do not break this

    id = fields.String(required=True, validate=validate.Length(equal=36))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lead_id = fields.String(required=True)
    owner_id = fields.String(allow_none=True)
    organization_id = fields.String(allow_none=True)
    organization_name = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    amount = Amount(allow_none=True)
    currency = Currency(allow_none=True)
    expected_close_date = fields.Date(allow_none=True)
    stage = fields.String(allow_none=True, validate=validate.OneOf(
        [s for s in DEFAULT_PIPELINE if s not in CLOSED_STAGES],
        error="Not an open stage of the pipeline: {choices}."))


class QuoteLineIn(Schema):
    sku = fields.String(allow_none=True, validate=validate.Length(max=64))
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    # Negative quantities are returns and credits; the totals rules are the same.
    quantity = Amount(required=True, validate=validate.Range(min=-1_000_000_000, max=1_000_000_000))
    unit_price = Amount(required=True)
    discount_percent = Amount(load_default=Decimal(0), **_percent)
    tax_rate = Amount(load_default=Decimal(0), **_percent)


class QuoteCreate(Schema):
    opportunity_id = fields.String(required=True)
    currency = Currency(allow_none=True)
    lines = fields.List(fields.Nested(QuoteLineIn), required=True, validate=validate.Length(min=1, max=500))
    document_discount_percent = Amount(load_default=Decimal(0), **_percent)
    rounding = fields.String(load_default="per_rate", validate=validate.OneOf(ROUNDING_MODES))
    terms = fields.String(allow_none=True, validate=validate.Length(max=10000))


class StageChangeOut(Schema):
    from_stage = fields.String()
    to_stage = fields.String()
    at = fields.DateTime()
    actor = fields.String()
    amount = Amount()
    probability = Amount()


class OpportunityOut(RecordSchema):
    name = fields.String()
    lead_id = fields.String()
    organization_id = fields.String()
    organization_name = fields.String()
    contact_id = fields.String()
    contact_name = fields.String()
    amount = Amount()
    currency = fields.String()
    stage = fields.String()
    probability = Amount()
    forecast_category = fields.String()
    expected_close_date = fields.Date()
    closed_at = fields.DateTime()
    history = fields.List(fields.Nested(StageChangeOut))


class QuoteLineOut(Schema):
    position = fields.Integer()
    sku = fields.String()
    description = fields.String()
    quantity = Amount()
    unit_price = Amount()
    discount_percent = Amount()
    tax_rate = Amount()
    net = Amount()


class QuoteOut(RecordSchema):
    number = fields.String()
    opportunity_id = fields.String()
    status = fields.String()
    currency = fields.String()
    organization_id = fields.String()
    organization_name = fields.String()
    contact_id = fields.String()
    contact_name = fields.String()
    document_discount_percent = Amount()
    rounding = fields.String()
    terms = fields.String()
    valid_until = fields.Date()
    sent_at = fields.DateTime()
    accepted_at = fields.DateTime()
    order_id = fields.String()
    subtotal = Amount()
    discount_total = Amount()
    net_total = Amount()
    tax_total = Amount()
    grand_total = Amount()
    tax_breakdown = fields.List(fields.Dict())
    lines = fields.List(fields.Nested(QuoteLineOut))
