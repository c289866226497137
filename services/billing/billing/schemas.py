"""Wire formats of the billing service."""
from marshmallow import Schema, fields, validate

from crmkit.schemas import Amount, RecordSchema

from .domain import PAYMENT_METHODS


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
    contact_id = fields.String()
    contact_name = fields.String()
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
    paid_at = fields.DateTime()
    payments = fields.List(fields.Nested(PaymentOut))


class OrderOut(_DocumentOut):
    number = fields.String()
    quote_id = fields.String()
    quote_number = fields.String()
    opportunity_id = fields.String()
    status = fields.String()
    order_date = fields.Date()
    invoice_ids = fields.Method("_invoice_ids")

    def _invoice_ids(self, order):
        return [invoice.id for invoice in order.invoices]
