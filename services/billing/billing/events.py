"""Every event type the billing service publishes: the published contract (crmkit.catalogue).

The gateway's documents (``python -m gateway.eventdocs``: a JSON Schema per type, the
AsyncAPI document, GET /event-types) are generated from this list and these schemas.
"""
from marshmallow import fields

from crmkit.catalogue import Catalogue, changed, created

from .schemas import CreditNoteOut, InvoiceOut, OrderOut, PaymentOut

CATALOGUE = Catalogue(
    "billing",
    created("order.created", OrderOut, "An order was made from an accepted quote (record.quote_id)."),
    changed("order.updated", OrderOut, "An order's terms or notes changed."),
    changed("order.fulfilment_started", OrderOut, "An order's fulfilment started."),
    changed("order.fulfilled", OrderOut, "An order was delivered."),
    changed("order.cancelled", OrderOut, "An order was cancelled, with a reason; its draft invoices are discarded."),
    created("invoice.created", InvoiceOut, "An invoice was made for an order (a draft, unless issued at once)."),
    changed("invoice.updated", InvoiceOut, "A draft invoice's terms or notes changed."),
    changed("invoice.issued", InvoiceOut, "An invoice was issued: numbered, dated and due (record.due_date)."),
    created("invoice.discarded", InvoiceOut, "A draft invoice was discarded (its order was cancelled); record is "
                                             "its last state, and it is gone."),
    changed("invoice.payment_recorded", InvoiceOut, "A payment was recorded against an invoice.",
            payment=fields.Nested(PaymentOut, required=True, metadata={"description": "The payment."})),
    changed("invoice.paid", InvoiceOut, "An invoice was paid in full (it follows its payment_recorded)."),
    changed("invoice.overdue", InvoiceOut, "An invoice reached a dunning level: it is this many days past due "
                                           "with a balance.",
            days_overdue=fields.Integer(required=True, metadata={"description": "Days since the due date."}),
            dunning_level=fields.Integer(required=True, metadata={"description": "1 for the first reminder, ..."}),
            dunning_days=fields.Integer(required=True, metadata={
                "description": "The days overdue at which this level is reached (BILLING_DUNNING_DAYS)."})),
    changed("invoice.credited", InvoiceOut, "An invoice was credited in full by its credit notes."),
    created("credit_note.issued", CreditNoteOut, "A credit note was issued against an invoice.",
            invoice=fields.Nested(InvoiceOut, required=True, metadata={
                "description": "The invoice it credits, as it is after the credit."})),
)
