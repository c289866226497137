"""Wire formats of the billing service."""
from marshmallow import Schema, fields, validate

from crmkit.listing import ListQuery
from crmkit.schemas import Address, Amount, CommaSeparated, PaymentTerms, RecordSchema

from .domain import INVOICE_STATUSES, ORDER_STATUSES, PAYMENT_METHODS


class OrderUpdate(Schema):
    shipping_address = fields.Nested(Address, allow_none=True)
    delivery_terms = fields.String(allow_none=True, validate=validate.Length(max=500))
    internal_notes = fields.String(allow_none=True, validate=validate.Length(max=10000))


class OrderCancel(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class OrderListQuery(ListQuery):
    status = CommaSeparated(fields.String(validate=validate.OneOf(ORDER_STATUSES)))
    organization_id = fields.String()
    opportunity_id = fields.String()
    quote_id = fields.String()
    owner_id = fields.String()


class InvoiceUpdate(Schema):
    payment_terms_days = PaymentTerms()


class InvoiceListQuery(ListQuery):
    status = CommaSeparated(fields.String(validate=validate.OneOf(INVOICE_STATUSES)))
    organization_id = fields.String()
    order_id = fields.String()
    owner_id = fields.String()
    number = fields.String()
    due_before = fields.Date()


class CreditLineIn(Schema):
    position = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    quantity = Amount(required=True, validate=validate.Range(min=0, min_inclusive=False))


class CreditNoteIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    # None: everything still uncredited (a full credit).
    lines = fields.List(fields.Nested(CreditLineIn), validate=validate.Length(min=1, max=500))


class CreditNoteListQuery(ListQuery):
    invoice_id = fields.String()
    organization_id = fields.String()


class PaymentIn(Schema):
    amount = Amount(required=True, validate=validate.Range(min=0, min_inclusive=False))
    payment_date = fields.Date(allow_none=True)
    method = fields.String(load_default="bank_transfer", validate=validate.OneOf(PAYMENT_METHODS))
    # The bank's or the processor's reference: a payment is recorded once per reference.
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class LineOut(Schema):
    position = fields.Integer()
    sku = fields.String()
    description = fields.String()
    quantity = Amount()
    unit_price = Amount()
    discount_percent = Amount()
    tax_rate = Amount()
    net = Amount()


class _DocumentOut(RecordSchema):
    currency = fields.String()
    organization_id = fields.String()
    organization_name = fields.String()
    organization_vat_id = fields.String()
    contact_id = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    billing_address = fields.Dict()
    subtotal = Amount()
    discount_total = Amount()
    net_total = Amount()
    tax_total = Amount()
    grand_total = Amount()
    tax_breakdown = fields.List(fields.Dict())
    document_discount_percent = Amount()
    rounding = fields.String()
    tax_mode = fields.String()
    lines = fields.List(fields.Nested(LineOut))


class PaymentOut(RecordSchema):
    invoice_id = fields.String()
    amount = Amount()
    currency = fields.String()
    payment_date = fields.Date()
    method = fields.String()
    reference = fields.String()
    note = fields.String()


class InvoiceOut(_DocumentOut):
    number = fields.String()
    order_id = fields.String()
    status = fields.String()
    issue_date = fields.Date()
    payment_terms_days = fields.Integer()
    due_date = fields.Date()
    balance_due = Amount()
    credited_total = Amount()
    issued_at = fields.DateTime()
    paid_at = fields.DateTime()
    dunning_level = fields.Integer()
    payments = fields.List(fields.Nested(PaymentOut))
    credit_note_ids = fields.Method("_credit_note_ids")

    def _credit_note_ids(self, invoice):
        return [note.id for note in invoice.credit_notes]


class CreditNoteOut(_DocumentOut):
    number = fields.String()
    invoice_id = fields.String()
    invoice_number = fields.String()
    issue_date = fields.Date()
    reason = fields.String()
    refund_due = Amount()


class OrderOut(_DocumentOut):
    number = fields.String()
    quote_id = fields.String()
    quote_number = fields.String()
    opportunity_id = fields.String()
    status = fields.String()
    order_date = fields.Date()
    shipping_address = fields.Dict()
    delivery_terms = fields.String()
    internal_notes = fields.String()
    payment_terms_days = fields.Integer()
    fulfilment_started_at = fields.DateTime()
    fulfilled_at = fields.DateTime()
    cancelled_at = fields.DateTime()
    cancel_reason = fields.String()
    invoice_ids = fields.Method("_invoice_ids")

    def _invoice_ids(self, order):
        return [invoice.id for invoice in order.invoices]
