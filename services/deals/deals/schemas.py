"""Wire formats of the deals service.

Every RPC's answer has an output schema, here or in ``reports`` (``RPC_OUTPUTS`` at the
end says which), exactly as the service answers: a field that can be null says
``allow_none``, a field of a fixed set of values lists them, amounts that the schema
dumps are decimal strings (Amount; SignedAmount where they may be negative). The gateway
makes its OpenAPI document from them.
"""
from datetime import UTC
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

import crmtotals
from crmkit.listing import Sort
from crmkit.schemas import (  # noqa: F401 (the health and history RPCs' schemas, by name)
    Address,
    Amount,
    Boolean,
    CommaSeparated,
    Currency,
    Day,
    HealthOut,
    HistoryQuery,
    PaymentTerms,
    RecordChangeOut,
    RecordListQuery,
    RecordSchema,
)
from crmtotals import ROUNDING_MODES, TAX_MODES

from .domain import FORECAST_CATEGORIES, OPEN_FORECAST_CATEGORIES, QUOTE_STATUSES

_percent = dict(validate=validate.Range(min=0, max=100))
_name = dict(validate=validate.Length(min=1, max=200))
_text = dict(allow_none=True, validate=validate.Length(max=10000))
_reason = dict(validate=validate.Length(min=1, max=500))
_sku = dict(validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$",
                                     error="Letters, digits and . _ / - (max 64)."))
_price = dict(places=crmtotals.PRICE_PLACES, validate=validate.Range(min=0, max=1_000_000_000_000))


def SignedAmount(**kwargs):
    """An amount in an answer that may be negative (a return line, a document of returns,
    a deal won at such a quote's net amount): Amount without its minimum of 0."""
    return Amount(validate=None, **kwargs)


# Pipelines
class StageIn(Schema):
    name = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{0,39}$", error="Lower-case letters, digits and _, starting with a letter (max 40)."))
    probability = Amount(required=True, **_percent)
    forecast_category = fields.String(load_default="pipeline", validate=validate.OneOf(OPEN_FORECAST_CATEGORIES))


class PipelineIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    # The open stages in order; closed_won and closed_lost end every pipeline.
    stages = fields.List(fields.Nested(StageIn), required=True, validate=validate.Length(min=1, max=30))
    is_default = Boolean(load_default=False)


class StageOut(Schema):
    name = fields.String()
    position = fields.Integer()
    probability = Amount(**_percent)
    forecast_category = fields.String(validate=validate.OneOf(FORECAST_CATEGORIES))


class PipelineOut(RecordSchema):
    name = fields.String()
    is_default = fields.Boolean()
    stages = fields.List(fields.Nested(StageOut))


# Opportunities
class OpportunityFields(Schema):
    """What a seller may set on an opportunity (the stage moves by its own commands)."""

    name = fields.String(**_name)
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    team = fields.String(allow_none=True, validate=validate.Length(max=64))
    organization_id = fields.String(allow_none=True, validate=validate.Length(max=36))
    organization_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    contact_id = fields.String(allow_none=True, validate=validate.Length(max=36))
    contact_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    amount = Amount(allow_none=True)
    currency = Currency(allow_none=True)
    probability = Amount(**_percent)
    expected_close_date = Day(allow_none=True)
    forecast_category = fields.String(validate=validate.OneOf(OPEN_FORECAST_CATEGORIES))
    next_step = fields.String(allow_none=True, validate=validate.Length(max=500))


class OpportunityCreate(OpportunityFields):
    # What opportunities._check_amount says, for the API document (gateway.apigen): an
    # amount has its currency.
    JSON_SCHEMA = {"if": {"required": ["amount"], "properties": {"amount": {"type": "string"}}},
                   "then": {"required": ["currency"], "properties": {"currency": {"type": "string"}}}}

    name = fields.String(required=True, **_name)
    pipeline_id = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)


class OpportunityFromLead(Schema):
    """The opportunity a lead's conversion asks for (lead.converted's "opportunity")."""

    class Meta:
        unknown = EXCLUDE  # a tolerant reader: fields the lead adds later do not break this

    id = fields.String(required=True, validate=validate.Length(equal=36))
    name = fields.String(required=True, **_name)
    lead_id = fields.String(required=True)
    owner_id = fields.String(allow_none=True)
    team = fields.String(allow_none=True, validate=validate.Length(max=64))
    organization_id = fields.String(allow_none=True)
    organization_name = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    amount = Amount(allow_none=True)
    currency = Currency(allow_none=True)
    expected_close_date = Day(allow_none=True)
    stage = fields.String(allow_none=True)


class ConvertedLead(Schema):
    """What the opportunity keeps of the lead it came from (lead.converted's "record"): the
    funnel counts a deal in its lead's cohort (deals.reports.funnel)."""

    class Meta:
        unknown = EXCLUDE  # the whole lead travels; only these two are kept

    created_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=UTC)
    source = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20))


class StageMove(Schema):
    stage = fields.String(required=True)
    # The new stage's defaults unless given here.
    probability = Amount(**_percent)
    forecast_category = fields.String(validate=validate.OneOf(OPEN_FORECAST_CATEGORIES))
    lost_reason = fields.String(**_reason)
    closing_note = fields.String(**_text)
    # What opportunities.move_stage says, for the API document (gateway.apigen): a move
    # to closed_lost has a lost reason, and only such a move; only a win or a loss has a
    # closing note.
    JSON_SCHEMA = {"allOf": [
        {"if": {"properties": {"stage": {"const": "closed_lost"}}},
         "then": {"required": ["lost_reason"], "properties": {"lost_reason": {"type": "string"}}},
         "else": {"not": {"required": ["lost_reason"]}}},
        {"if": {"properties": {"stage": {"enum": ["closed_won", "closed_lost"]}}},
         "else": {"not": {"required": ["closing_note"]}}},
    ]}


class Lose(Schema):
    lost_reason = fields.String(required=True, **_reason)
    closing_note = fields.String(**_text)


class Win(Schema):
    closing_note = fields.String(**_text)


class Reopen(Schema):
    # Default: the stage the deal was in before it closed.
    stage = fields.String()
    note = fields.String(**_text)  # why, kept in the history


class OpportunityListQuery(RecordListQuery):
    sort = Sort("created_at", "updated_at", "name")
    stage = CommaSeparated(fields.String())
    status = fields.String(validate=validate.OneOf(["open", "won", "lost", "closed"]))
    pipeline_id = fields.String()
    owner_id = fields.String()
    team = fields.String()
    organization_id = fields.String()
    lead_id = fields.String()
    forecast_category = CommaSeparated(fields.String(validate=validate.OneOf(FORECAST_CATEGORIES)))
    expected_close_from = Day()
    expected_close_to = Day()
    q = fields.String(validate=validate.Length(min=1, max=100))


class CreationFailedOut(Schema):
    """An opportunity a conversion asked for that deals could not create (opportunity.creation_failed)."""

    opportunity_id = fields.String(required=True, allow_none=True)
    lead_id = fields.String(required=True, allow_none=True)
    reasons = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": "What was refused: each field with its messages, as a 422 names them."})


class QuoteLeadOut(Schema):
    """The lead an accepted quote's deal came from, as the funnel counts it (quote.accepted's "lead")."""

    id = fields.String(required=True)
    created_at = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "Null for a deal converted before it was kept."})
    source = fields.String(required=True, allow_none=True)


class StageChangeOut(Schema):
    from_stage = fields.String(allow_none=True)  # null: where the deal began
    to_stage = fields.String()
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    amount = SignedAmount(allow_none=True)
    probability = Amount(**_percent)
    lost_reason = fields.String(allow_none=True, metadata={"description": "Why it was lost (a move to closed_lost)."})
    note = fields.String(allow_none=True, metadata={
        "description": "The closing note of a win or loss, or why a deal was reopened."})


class OpportunityOut(RecordSchema):
    name = fields.String()
    pipeline_id = fields.String()
    team = fields.String(allow_none=True)
    lead_id = fields.String(allow_none=True)
    organization_id = fields.String(allow_none=True)
    organization_name = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    amount = SignedAmount(allow_none=True)  # won by a quote: the quote's net total
    currency = fields.String(allow_none=True)
    stage = fields.String()
    probability = Amount(**_percent)
    forecast_category = fields.String(validate=validate.OneOf(FORECAST_CATEGORIES))
    expected_close_date = fields.Date(allow_none=True)
    next_step = fields.String(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    closing_note = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    history = fields.List(fields.Nested(StageChangeOut))


# Products
class ProductFields(Schema):
    sku = fields.String(**_sku)
    name = fields.String(**_name)
    description = fields.String(**_text)
    unit_price = Amount(**_price)
    currency = Currency()
    tax_rate = Amount(**_percent)
    active = Boolean()


class ProductCreate(ProductFields):
    sku = fields.String(required=True, **_sku)
    name = fields.String(required=True, **_name)
    unit_price = Amount(required=True, **_price)
    currency = Currency(required=True)
    tax_rate = Amount(load_default=Decimal(0), **_percent)
    active = Boolean(load_default=True)


class ProductListQuery(RecordListQuery):
    sort = Sort("sku", "name", "created_at", "updated_at", default="sku")
    active = fields.Boolean()
    currency = Currency()
    q = fields.String(validate=validate.Length(min=1, max=100))


class ProductOut(RecordSchema):
    sku = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    unit_price = Amount(**_price)
    currency = fields.String()
    tax_rate = Amount(**_percent)
    active = fields.Boolean()


# Quotes
class QuoteLineIn(Schema):
    """A free line, or a line from the price book (product_id or sku) whose description,
    price and tax rate come from the product unless given here."""

    product_id = fields.String(allow_none=True)
    sku = fields.String(allow_none=True, validate=validate.Length(max=64))
    description = fields.String(validate=validate.Length(min=1, max=500))
    # Negative quantities are returns and credits; the totals rules are the same.
    quantity = Amount(required=True, places=crmtotals.QUANTITY_PLACES,
                      validate=validate.Range(min=-1_000_000_000, max=1_000_000_000))
    unit_price = Amount(**_price)
    discount_percent = Amount(load_default=Decimal(0), **_percent)
    tax_rate = Amount(**_percent)
    # What _free_lines_are_complete and is_product_line say, for the API document
    # (gateway.apigen): a product, an sku without a price, or a description and a price.
    JSON_SCHEMA = {"anyOf": [
        {"required": ["product_id"], "properties": {"product_id": {"type": "string", "minLength": 1}}},
        {"required": ["sku"],
         "properties": {"sku": {"type": "string", "minLength": 1}, "unit_price": {"type": "null"}}},
        {"required": ["description", "unit_price"],
         "properties": {"description": {"type": "string"}, "unit_price": {"type": "string"}}},
    ]}

    # Also when other fields are bad, so that every bad field is named at once; what was
    # sent (not what loaded) says whether a field is missing.
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _free_lines_are_complete(self, _data, original, **_kwargs):
        if isinstance(original, dict) and not is_product_line(original):
            missing = [name for name in ("description", "unit_price") if original.get(name) is None]
            if missing:
                raise ValidationError({name: ["Required for a line without a product."] for name in missing})


def is_product_line(line: dict) -> bool:
    """A line from the price book names its product, or its sku without a price of its
    own (an sku with a price is only a label on a free line)."""
    return bool(line.get("product_id") or (line.get("sku") and line.get("unit_price") is None))


class QuoteFields(Schema):
    currency = Currency()
    lines = fields.List(fields.Nested(QuoteLineIn), validate=validate.Length(min=1, max=500))
    document_discount_percent = Amount(**_percent)
    tax_mode = fields.String(validate=validate.OneOf(TAX_MODES))
    rounding = fields.String(validate=validate.OneOf(ROUNDING_MODES))
    terms = fields.String(**_text)
    billing_address = fields.Nested(Address, allow_none=True)
    shipping_address = fields.Nested(Address, allow_none=True)
    payment_terms_days = PaymentTerms(allow_none=True)


class QuoteCreate(QuoteFields):
    opportunity_id = fields.String(required=True)
    currency = Currency(allow_none=True)  # none: the opportunity's (or EUR)
    lines = fields.List(fields.Nested(QuoteLineIn), required=True, validate=validate.Length(min=1, max=500))


class QuoteSend(Schema):
    valid_until = Day()


class QuoteReject(Schema):
    reason = fields.String(required=True, **_reason)


class QuoteListQuery(RecordListQuery):
    sort = Sort("created_at", "updated_at", "number")
    opportunity_id = fields.String()
    status = CommaSeparated(fields.String(validate=validate.OneOf(QUOTE_STATUSES)))
    owner_id = fields.String()
    number = fields.String()


class QuoteLineOut(Schema):
    position = fields.Integer()
    product_id = fields.String(allow_none=True)
    sku = fields.String(allow_none=True)
    description = fields.String()
    quantity = SignedAmount(places=crmtotals.QUANTITY_PLACES)  # negative: a return or a credit
    unit_price = Amount(**_price)
    discount_percent = Amount(**_percent)
    tax_rate = Amount(**_percent)
    # Without tax in either tax mode (a line of 119.00 at 19 % included is net 100.00).
    net = SignedAmount(metadata={"description": "The line's amount after its discount, without tax."})


class QuoteTaxBreakdownOut(Schema):
    """The taxable amount and the tax at one tax rate, decimal strings as stored."""

    rate = fields.String(required=True)
    taxable = fields.String(required=True)
    tax = fields.String(required=True)


class QuoteOut(RecordSchema):
    number = fields.String()
    base_number = fields.String()
    revision = fields.Integer()
    revises_id = fields.String(allow_none=True)
    superseded_by_id = fields.String(allow_none=True)
    opportunity_id = fields.String()
    status = fields.String(validate=validate.OneOf(QUOTE_STATUSES))
    currency = fields.String()
    organization_id = fields.String(allow_none=True)
    organization_name = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    organization_vat_id = fields.String(allow_none=True)
    billing_address = fields.Nested(Address, allow_none=True)
    shipping_address = fields.Nested(Address, allow_none=True)
    payment_terms_days = PaymentTerms(allow_none=True)  # null: the seller's default
    document_discount_percent = Amount(**_percent)
    tax_mode = fields.String(validate=validate.OneOf(TAX_MODES))
    rounding = fields.String(validate=validate.OneOf(ROUNDING_MODES))
    terms = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    rejected_at = fields.DateTime(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    expired_at = fields.DateTime(allow_none=True)
    order_id = fields.String(allow_none=True)
    subtotal = SignedAmount()
    discount_total = SignedAmount()
    net_total = SignedAmount()
    tax_total = SignedAmount()
    grand_total = SignedAmount()
    tax_breakdown = fields.List(fields.Nested(QuoteTaxBreakdownOut))
    lines = fields.List(fields.Nested(QuoteLineOut))


class QuotePdfOut(Schema):
    """The quote as the PDF the customer signs (quote_pdf); RPC carries JSON, so base64."""

    filename = fields.String(required=True)
    content = fields.String(required=True, metadata={"description": "The PDF document, base64-encoded."})



# The answer of every RPC of the service: (shape, output schema by name, in this module
# or in reports). "one": the schema; "list": a JSON array of it; "page": {"items": [it,
# ...], "next_cursor": a string, null on the last page} (crmkit.listing).
RPC_OUTPUTS = {
    "create_pipeline": ("one", "PipelineOut"),
    "update_pipeline": ("one", "PipelineOut"),
    "get_pipeline": ("one", "PipelineOut"),
    "list_pipelines": ("list", "PipelineOut"),
    "create_opportunity": ("one", "OpportunityOut"),
    "get_opportunity": ("one", "OpportunityOut"),
    "list_opportunities": ("page", "OpportunityOut"),
    "update_opportunity": ("one", "OpportunityOut"),
    "move_opportunity": ("one", "OpportunityOut"),
    "win_opportunity": ("one", "OpportunityOut"),
    "lose_opportunity": ("one", "OpportunityOut"),
    "reopen_opportunity": ("one", "OpportunityOut"),
    "create_product": ("one", "ProductOut"),
    "update_product": ("one", "ProductOut"),
    "get_product": ("one", "ProductOut"),
    "list_products": ("page", "ProductOut"),
    "create_quote": ("one", "QuoteOut"),
    "update_quote": ("one", "QuoteOut"),
    "get_quote": ("one", "QuoteOut"),
    "list_quotes": ("page", "QuoteOut"),
    "quote_pdf": ("one", "QuotePdfOut"),
    "send_quote": ("one", "QuoteOut"),
    "accept_quote": ("one", "QuoteOut"),
    "reject_quote": ("one", "QuoteOut"),
    "pipeline_history": ("page", "RecordChangeOut"),  # crmkit.history
    "opportunity_history": ("page", "RecordChangeOut"),  # crmkit.history
    "product_history": ("page", "RecordChangeOut"),  # crmkit.history
    "quote_history": ("page", "RecordChangeOut"),  # crmkit.history
    "report_pipeline": ("one", "PipelineReportOut"),  # in reports, as the rest of this block
    "report_forecast": ("one", "ForecastReportOut"),
    "report_win_rate": ("one", "WinRateReportOut"),
    "report_funnel": ("one", "FunnelStepsOut"),
    "health": ("one", "HealthOut"),
}
