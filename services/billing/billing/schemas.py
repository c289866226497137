"""Wire formats of the billing service.

Every RPC's answer has an output schema, here or in ``reports`` (``RPC_OUTPUTS`` at the
end says which), exactly as the service answers: a field that can be null says
``allow_none``, a field of a fixed set of values lists them, amounts that the schema
dumps are decimal strings (Amount; SignedAmount where they may be negative). The gateway
makes its OpenAPI document from them.
"""
from datetime import UTC

from marshmallow import EXCLUDE, Schema, fields, validate

import crmtotals
from crmkit.listing import Sort
from crmkit.schemas import (  # noqa: F401 (the health and history RPCs' schemas, by name)
    Address,
    Amount,
    CommaSeparated,
    Day,
    HealthOut,
    HistoryQuery,
    Integer,
    PaymentTerms,
    RecordChangeOut,
    RecordListQuery,
    RecordSchema,
)
from crmtotals import ROUNDING_MODES, TAX_MODES

from .domain import INVOICE_STATUSES, ORDER_STATUSES, PAYMENT_METHODS

_percent = dict(validate=validate.Range(min=0, max=100))


def SignedAmount(**kwargs):
    """An amount in an answer that may be negative (a return line, a document of returns,
    its balance and credits): Amount without its minimum of 0."""
    return Amount(validate=None, **kwargs)


class DealLead(Schema):
    """The lead an accepted quote's deal came from (quote.accepted's "lead"), as the funnel
    counts the order: in its lead's cohort, under its source (billing.reports.funnel)."""

    class Meta:
        unknown = EXCLUDE  # a tolerant reader: what deals adds later does not break this

    created_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=UTC)
    source = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20))


class OrderUpdate(Schema):
    shipping_address = fields.Nested(Address, allow_none=True)
    delivery_terms = fields.String(allow_none=True, validate=validate.Length(max=500))
    internal_notes = fields.String(allow_none=True, validate=validate.Length(max=10000))


class OrderCancel(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class OrderListQuery(RecordListQuery):
    sort = Sort("created_at", "updated_at", "number")
    status = CommaSeparated(fields.String(validate=validate.OneOf(ORDER_STATUSES)))
    organization_id = fields.String()
    opportunity_id = fields.String()
    quote_id = fields.String()
    owner_id = fields.String()


class InvoiceUpdate(Schema):
    payment_terms_days = PaymentTerms()


class InvoiceListQuery(RecordListQuery):
    sort = Sort("created_at", "updated_at")
    status = CommaSeparated(fields.String(validate=validate.OneOf(INVOICE_STATUSES)))
    organization_id = fields.String()
    order_id = fields.String()
    opportunity_id = fields.String()  # through the invoice's order
    owner_id = fields.String()
    number = fields.String()
    due_before = Day()


class CreditLineIn(Schema):
    position = Integer(required=True, validate=validate.Range(min=1))
    quantity = Amount(required=True, places=crmtotals.QUANTITY_PLACES,
                      validate=validate.Range(min=0, min_inclusive=False))


class CreditNoteIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    # None: everything still uncredited (a full credit).
    lines = fields.List(fields.Nested(CreditLineIn), validate=validate.Length(min=1, max=500))


class CreditNoteListQuery(RecordListQuery):
    sort = Sort("created_at", "updated_at", "number")
    invoice_id = fields.String()
    organization_id = fields.String()
    owner_id = fields.String()


class PaymentIn(Schema):
    amount = Amount(required=True, validate=validate.Range(min=0, min_inclusive=False))
    payment_date = Day(allow_none=True)
    method = fields.String(load_default="bank_transfer", validate=validate.OneOf(PAYMENT_METHODS))
    # The bank's or the processor's reference: a payment is recorded once per reference.
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class LineOut(Schema):
    position = fields.Integer()
    sku = fields.String(allow_none=True)
    description = fields.String()
    quantity = SignedAmount(places=crmtotals.QUANTITY_PLACES)  # negative: a return
    unit_price = Amount(places=crmtotals.PRICE_PLACES)
    discount_percent = Amount(**_percent)
    tax_rate = Amount(**_percent)
    # Without tax in either tax mode (a line of 119.00 at 19 % included is net 100.00).
    net = SignedAmount(metadata={"description": "The line's amount after its discount, without tax."})


class DocumentTaxBreakdownOut(Schema):
    """The taxable amount and the tax at one tax rate, decimal strings as stored."""

    rate = fields.String(required=True)
    taxable = fields.String(required=True)
    tax = fields.String(required=True)


class _IdOnly(Schema):
    id = fields.String()


class _DocumentOut(RecordSchema):
    currency = fields.String()
    organization_id = fields.String(allow_none=True)
    organization_name = fields.String(allow_none=True)
    organization_vat_id = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    billing_address = fields.Nested(Address, allow_none=True)
    subtotal = SignedAmount()
    discount_total = SignedAmount()
    net_total = SignedAmount()
    tax_total = SignedAmount()
    grand_total = SignedAmount()
    tax_breakdown = fields.List(fields.Nested(DocumentTaxBreakdownOut))
    document_discount_percent = Amount(**_percent)
    rounding = fields.String(validate=validate.OneOf(ROUNDING_MODES))
    tax_mode = fields.String(validate=validate.OneOf(TAX_MODES))
    lines = fields.List(fields.Nested(LineOut))


class PaymentOut(RecordSchema):
    invoice_id = fields.String()
    amount = Amount()
    currency = fields.String()
    payment_date = fields.Date()
    method = fields.String(validate=validate.OneOf(PAYMENT_METHODS))
    reference = fields.String()
    note = fields.String(allow_none=True)


class InvoiceOut(_DocumentOut):
    number = fields.String(allow_none=True)  # a draft has none
    order_id = fields.String()
    status = fields.String(validate=validate.OneOf(INVOICE_STATUSES))
    issue_date = fields.Date(allow_none=True)
    payment_terms_days = PaymentTerms()
    due_date = fields.Date(allow_none=True)
    balance_due = SignedAmount()
    credited_total = SignedAmount()
    issued_at = fields.DateTime(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)
    dunning_level = fields.Integer(validate=validate.Range(min=0))
    payments = fields.List(fields.Nested(PaymentOut))
    credit_note_ids = fields.Pluck(_IdOnly, "id", many=True, attribute="credit_notes")


class CreditNoteOut(_DocumentOut):
    number = fields.String()
    invoice_id = fields.String()
    invoice_number = fields.String()
    issue_date = fields.Date()
    reason = fields.String()
    refund_due = Amount()  # what the invoice's balance could not absorb


class OrderOut(_DocumentOut):
    number = fields.String()
    quote_id = fields.String()
    quote_number = fields.String()
    opportunity_id = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))
    order_date = fields.Date()
    shipping_address = fields.Nested(Address, allow_none=True)
    delivery_terms = fields.String(allow_none=True)
    internal_notes = fields.String(allow_none=True)
    payment_terms_days = PaymentTerms()
    fulfilment_started_at = fields.DateTime(allow_none=True)
    fulfilled_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    invoice_ids = fields.Pluck(_IdOnly, "id", many=True, attribute="invoices")



# The answer of every RPC of the service: (shape, output schema by name, in this module
# or in reports). "one": the schema; "list": a JSON array of it; "page": {"items": [it,
# ...], "next_cursor": a string, null on the last page} (crmkit.listing).
RPC_OUTPUTS = {
    "get_order": ("one", "OrderOut"),
    "list_orders": ("page", "OrderOut"),
    "update_order": ("one", "OrderOut"),
    "start_order_fulfilment": ("one", "OrderOut"),
    "fulfil_order": ("one", "OrderOut"),
    "cancel_order": ("one", "OrderOut"),
    "get_invoice": ("one", "InvoiceOut"),
    "list_invoices": ("page", "InvoiceOut"),
    "update_invoice": ("one", "InvoiceOut"),
    "issue_invoice": ("one", "InvoiceOut"),
    "record_payment": ("one", "InvoiceOut"),
    "create_credit_note": ("one", "CreditNoteOut"),
    "get_credit_note": ("one", "CreditNoteOut"),
    "list_credit_notes": ("page", "CreditNoteOut"),
    "order_history": ("page", "RecordChangeOut"),  # crmkit.history
    "invoice_history": ("page", "RecordChangeOut"),  # crmkit.history
    "credit_note_history": ("page", "RecordChangeOut"),  # crmkit.history
    "report_receivables": ("one", "ReceivablesReportOut"),  # in reports, as the rest of this block
    "report_billed_collected": ("one", "BilledCollectedReportOut"),
    "report_dso": ("one", "DsoReportOut"),
    "report_funnel": ("one", "FunnelStepsOut"),
    "health": ("one", "HealthOut"),
}
