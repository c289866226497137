from . import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListOrdersRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "status", "organization_id", "opportunity_id", "quote_id", "owner_id", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    status: str
    organization_id: str
    opportunity_id: str
    quote_id: str
    owner_id: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., status: _Optional[str] = ..., organization_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., quote_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class OrderPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[OrderOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[OrderOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class UpdateOrderRequest(_message.Message):
    __slots__ = ("order_id", "body", "update_mask")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    body: OrderUpdatePatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, order_id: _Optional[str] = ..., body: _Optional[_Union[OrderUpdatePatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class StartOrderFulfilmentRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class FulfilOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_id", "body")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    body: OrderCancel
    def __init__(self, order_id: _Optional[str] = ..., body: _Optional[_Union[OrderCancel, _Mapping]] = ...) -> None: ...

class ListInvoicesRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "status", "organization_id", "order_id", "owner_id", "number", "due_before", "opportunity_id", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    DUE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    status: str
    organization_id: str
    order_id: str
    owner_id: str
    number: str
    due_before: str
    opportunity_id: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., status: _Optional[str] = ..., organization_id: _Optional[str] = ..., order_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., number: _Optional[str] = ..., due_before: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class InvoicePage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[InvoiceOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[InvoiceOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetInvoiceRequest(_message.Message):
    __slots__ = ("invoice_id",)
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    def __init__(self, invoice_id: _Optional[str] = ...) -> None: ...

class UpdateInvoiceRequest(_message.Message):
    __slots__ = ("invoice_id", "body", "update_mask")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    body: InvoiceUpdatePatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, invoice_id: _Optional[str] = ..., body: _Optional[_Union[InvoiceUpdatePatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class IssueInvoiceRequest(_message.Message):
    __slots__ = ("invoice_id",)
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    def __init__(self, invoice_id: _Optional[str] = ...) -> None: ...

class RecordPaymentRequest(_message.Message):
    __slots__ = ("invoice_id", "body")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    body: PaymentIn
    def __init__(self, invoice_id: _Optional[str] = ..., body: _Optional[_Union[PaymentIn, _Mapping]] = ...) -> None: ...

class InvoicePaymentsRequest(_message.Message):
    __slots__ = ("invoice_id",)
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    def __init__(self, invoice_id: _Optional[str] = ...) -> None: ...

class PaymentList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[PaymentOut]
    def __init__(self, items: _Optional[_Iterable[_Union[PaymentOut, _Mapping]]] = ...) -> None: ...

class CreateCreditNoteRequest(_message.Message):
    __slots__ = ("invoice_id", "body")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    body: CreditNoteIn
    def __init__(self, invoice_id: _Optional[str] = ..., body: _Optional[_Union[CreditNoteIn, _Mapping]] = ...) -> None: ...

class ListCreditNotesRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "invoice_id", "organization_id", "owner_id", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    invoice_id: str
    organization_id: str
    owner_id: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., invoice_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class CreditNotePage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[CreditNoteOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[CreditNoteOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetCreditNoteRequest(_message.Message):
    __slots__ = ("credit_note_id",)
    CREDIT_NOTE_ID_FIELD_NUMBER: _ClassVar[int]
    credit_note_id: str
    def __init__(self, credit_note_id: _Optional[str] = ...) -> None: ...

class ReportReceivablesRequest(_message.Message):
    __slots__ = ("as_of", "group_by", "organization_id")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    as_of: str
    group_by: str
    organization_id: str
    def __init__(self, as_of: _Optional[str] = ..., group_by: _Optional[str] = ..., organization_id: _Optional[str] = ...) -> None: ...

class ReportBilledCollectedRequest(_message.Message):
    __slots__ = ("from_", "to", "organization_id")
    FROM__FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    from_: str
    to: str
    organization_id: str
    def __init__(self, from_: _Optional[str] = ..., to: _Optional[str] = ..., organization_id: _Optional[str] = ...) -> None: ...

class ReportDsoRequest(_message.Message):
    __slots__ = ("from_", "to", "organization_id")
    FROM__FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    from_: str
    to: str
    organization_id: str
    def __init__(self, from_: _Optional[str] = ..., to: _Optional[str] = ..., organization_id: _Optional[str] = ...) -> None: ...

class OrderHistoryRequest(_message.Message):
    __slots__ = ("order_id", "sort", "limit", "cursor")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, order_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class RecordChangePage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordChangeOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[_common_pb2.RecordChangeOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class InvoiceHistoryRequest(_message.Message):
    __slots__ = ("invoice_id", "sort", "limit", "cursor")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, invoice_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class CreditNoteHistoryRequest(_message.Message):
    __slots__ = ("credit_note_id", "sort", "limit", "cursor")
    CREDIT_NOTE_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    credit_note_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, credit_note_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class AgingAmountOut(_message.Message):
    __slots__ = ("buckets", "currency", "total")
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    buckets: _containers.RepeatedCompositeFieldContainer[AgingBucketOut]
    currency: str
    total: AgingTotalOut
    def __init__(self, buckets: _Optional[_Iterable[_Union[AgingBucketOut, _Mapping]]] = ..., currency: _Optional[str] = ..., total: _Optional[_Union[AgingTotalOut, _Mapping]] = ...) -> None: ...

class AgingBucketOut(_message.Message):
    __slots__ = ("amount", "bucket", "count")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    bucket: str
    count: int
    def __init__(self, amount: _Optional[str] = ..., bucket: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class AgingTotalOut(_message.Message):
    __slots__ = ("amount", "count")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    count: int
    def __init__(self, amount: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class BilledCollectedQuery(_message.Message):
    __slots__ = ("from_", "organization_id", "to")
    FROM__FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    from_: str
    organization_id: str
    to: str
    def __init__(self, from_: _Optional[str] = ..., organization_id: _Optional[str] = ..., to: _Optional[str] = ...) -> None: ...

class BilledCollectedReportOut(_message.Message):
    __slots__ = ("months", "query", "rows", "totals")
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    months: _containers.RepeatedScalarFieldContainer[str]
    query: BilledCollectedQuery
    rows: _containers.RepeatedCompositeFieldContainer[BilledCollectedRowOut]
    totals: _containers.RepeatedCompositeFieldContainer[FlowFiguresOut]
    def __init__(self, months: _Optional[_Iterable[str]] = ..., query: _Optional[_Union[BilledCollectedQuery, _Mapping]] = ..., rows: _Optional[_Iterable[_Union[BilledCollectedRowOut, _Mapping]]] = ..., totals: _Optional[_Iterable[_Union[FlowFiguresOut, _Mapping]]] = ...) -> None: ...

class BilledCollectedRowOut(_message.Message):
    __slots__ = ("amounts", "month")
    AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    amounts: _containers.RepeatedCompositeFieldContainer[FlowFiguresOut]
    month: str
    def __init__(self, amounts: _Optional[_Iterable[_Union[FlowFiguresOut, _Mapping]]] = ..., month: _Optional[str] = ...) -> None: ...

class CreditLineIn(_message.Message):
    __slots__ = ("position", "quantity")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    position: int
    quantity: str
    def __init__(self, position: _Optional[int] = ..., quantity: _Optional[str] = ...) -> None: ...

class CreditNoteIn(_message.Message):
    __slots__ = ("lines", "reason")
    LINES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[CreditLineIn]
    reason: str
    def __init__(self, lines: _Optional[_Iterable[_Union[CreditLineIn, _Mapping]]] = ..., reason: _Optional[str] = ...) -> None: ...

class CreditNoteOut(_message.Message):
    __slots__ = ("billing_address", "contact_email", "contact_id", "contact_name", "created_at", "currency", "discount_total", "document_discount_percent", "grand_total", "id", "invoice_id", "invoice_number", "issue_date", "lines", "net_total", "number", "organization_id", "organization_name", "organization_vat_id", "owner_id", "reason", "refund_due", "rounding", "subtotal", "tax_breakdown", "tax_mode", "tax_total", "updated_at", "version")
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    GRAND_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ISSUE_DATE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_VAT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFUND_DUE_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    TAX_MODE_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    billing_address: _common_pb2.Address
    contact_email: str
    contact_id: str
    contact_name: str
    created_at: str
    currency: str
    discount_total: str
    document_discount_percent: str
    grand_total: str
    id: str
    invoice_id: str
    invoice_number: str
    issue_date: str
    lines: _containers.RepeatedCompositeFieldContainer[LineOut]
    net_total: str
    number: str
    organization_id: str
    organization_name: str
    organization_vat_id: str
    owner_id: str
    reason: str
    refund_due: str
    rounding: str
    subtotal: str
    tax_breakdown: _containers.RepeatedCompositeFieldContainer[DocumentTaxBreakdownOut]
    tax_mode: str
    tax_total: str
    updated_at: str
    version: int
    def __init__(self, billing_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., contact_email: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., created_at: _Optional[str] = ..., currency: _Optional[str] = ..., discount_total: _Optional[str] = ..., document_discount_percent: _Optional[str] = ..., grand_total: _Optional[str] = ..., id: _Optional[str] = ..., invoice_id: _Optional[str] = ..., invoice_number: _Optional[str] = ..., issue_date: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[LineOut, _Mapping]]] = ..., net_total: _Optional[str] = ..., number: _Optional[str] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ..., organization_vat_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., reason: _Optional[str] = ..., refund_due: _Optional[str] = ..., rounding: _Optional[str] = ..., subtotal: _Optional[str] = ..., tax_breakdown: _Optional[_Iterable[_Union[DocumentTaxBreakdownOut, _Mapping]]] = ..., tax_mode: _Optional[str] = ..., tax_total: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DocumentTaxBreakdownOut(_message.Message):
    __slots__ = ("rate", "tax", "taxable")
    RATE_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    TAXABLE_FIELD_NUMBER: _ClassVar[int]
    rate: str
    tax: str
    taxable: str
    def __init__(self, rate: _Optional[str] = ..., tax: _Optional[str] = ..., taxable: _Optional[str] = ...) -> None: ...

class DsoQuery(_message.Message):
    __slots__ = ("from_", "organization_id", "to")
    FROM__FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    from_: str
    organization_id: str
    to: str
    def __init__(self, from_: _Optional[str] = ..., organization_id: _Optional[str] = ..., to: _Optional[str] = ...) -> None: ...

class DsoReportOut(_message.Message):
    __slots__ = ("balance_basis", "days", "query", "rows")
    BALANCE_BASIS_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    balance_basis: str
    days: int
    query: DsoQuery
    rows: _containers.RepeatedCompositeFieldContainer[DsoRowOut]
    def __init__(self, balance_basis: _Optional[str] = ..., days: _Optional[int] = ..., query: _Optional[_Union[DsoQuery, _Mapping]] = ..., rows: _Optional[_Iterable[_Union[DsoRowOut, _Mapping]]] = ...) -> None: ...

class DsoRowOut(_message.Message):
    __slots__ = ("billed", "currency", "dso", "receivables")
    BILLED_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DSO_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLES_FIELD_NUMBER: _ClassVar[int]
    billed: str
    currency: str
    dso: str
    receivables: str
    def __init__(self, billed: _Optional[str] = ..., currency: _Optional[str] = ..., dso: _Optional[str] = ..., receivables: _Optional[str] = ...) -> None: ...

class FlowFiguresOut(_message.Message):
    __slots__ = ("billed", "collected", "credit_notes", "credited", "currency", "invoiced", "invoices", "payments")
    BILLED_FIELD_NUMBER: _ClassVar[int]
    COLLECTED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_NOTES_FIELD_NUMBER: _ClassVar[int]
    CREDITED_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    INVOICED_FIELD_NUMBER: _ClassVar[int]
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    billed: str
    collected: str
    credit_notes: int
    credited: str
    currency: str
    invoiced: str
    invoices: int
    payments: int
    def __init__(self, billed: _Optional[str] = ..., collected: _Optional[str] = ..., credit_notes: _Optional[int] = ..., credited: _Optional[str] = ..., currency: _Optional[str] = ..., invoiced: _Optional[str] = ..., invoices: _Optional[int] = ..., payments: _Optional[int] = ...) -> None: ...

class InvoiceOut(_message.Message):
    __slots__ = ("balance_due", "billing_address", "contact_email", "contact_id", "contact_name", "created_at", "credit_note_ids", "credited_total", "currency", "discount_total", "document_discount_percent", "due_date", "dunning_level", "grand_total", "id", "issue_date", "issued_at", "lines", "net_total", "number", "order_id", "organization_id", "organization_name", "organization_vat_id", "owner_id", "paid_at", "payment_terms_days", "payments", "rounding", "status", "subtotal", "tax_breakdown", "tax_mode", "tax_total", "updated_at", "version")
    BALANCE_DUE_FIELD_NUMBER: _ClassVar[int]
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_NOTE_IDS_FIELD_NUMBER: _ClassVar[int]
    CREDITED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    DUNNING_LEVEL_FIELD_NUMBER: _ClassVar[int]
    GRAND_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ISSUE_DATE_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_VAT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    TAX_MODE_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    balance_due: str
    billing_address: _common_pb2.Address
    contact_email: str
    contact_id: str
    contact_name: str
    created_at: str
    credit_note_ids: _containers.RepeatedScalarFieldContainer[str]
    credited_total: str
    currency: str
    discount_total: str
    document_discount_percent: str
    due_date: str
    dunning_level: int
    grand_total: str
    id: str
    issue_date: str
    issued_at: str
    lines: _containers.RepeatedCompositeFieldContainer[LineOut]
    net_total: str
    number: str
    order_id: str
    organization_id: str
    organization_name: str
    organization_vat_id: str
    owner_id: str
    paid_at: str
    payment_terms_days: int
    payments: _containers.RepeatedCompositeFieldContainer[PaymentOut]
    rounding: str
    status: str
    subtotal: str
    tax_breakdown: _containers.RepeatedCompositeFieldContainer[DocumentTaxBreakdownOut]
    tax_mode: str
    tax_total: str
    updated_at: str
    version: int
    def __init__(self, balance_due: _Optional[str] = ..., billing_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., contact_email: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., created_at: _Optional[str] = ..., credit_note_ids: _Optional[_Iterable[str]] = ..., credited_total: _Optional[str] = ..., currency: _Optional[str] = ..., discount_total: _Optional[str] = ..., document_discount_percent: _Optional[str] = ..., due_date: _Optional[str] = ..., dunning_level: _Optional[int] = ..., grand_total: _Optional[str] = ..., id: _Optional[str] = ..., issue_date: _Optional[str] = ..., issued_at: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[LineOut, _Mapping]]] = ..., net_total: _Optional[str] = ..., number: _Optional[str] = ..., order_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ..., organization_vat_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., paid_at: _Optional[str] = ..., payment_terms_days: _Optional[int] = ..., payments: _Optional[_Iterable[_Union[PaymentOut, _Mapping]]] = ..., rounding: _Optional[str] = ..., status: _Optional[str] = ..., subtotal: _Optional[str] = ..., tax_breakdown: _Optional[_Iterable[_Union[DocumentTaxBreakdownOut, _Mapping]]] = ..., tax_mode: _Optional[str] = ..., tax_total: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class InvoiceUpdatePatch(_message.Message):
    __slots__ = ("payment_terms_days",)
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    payment_terms_days: int
    def __init__(self, payment_terms_days: _Optional[int] = ...) -> None: ...

class LineOut(_message.Message):
    __slots__ = ("description", "discount_percent", "net", "position", "quantity", "sku", "tax_rate", "unit_price")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    NET_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    description: str
    discount_percent: str
    net: str
    position: int
    quantity: str
    sku: str
    tax_rate: str
    unit_price: str
    def __init__(self, description: _Optional[str] = ..., discount_percent: _Optional[str] = ..., net: _Optional[str] = ..., position: _Optional[int] = ..., quantity: _Optional[str] = ..., sku: _Optional[str] = ..., tax_rate: _Optional[str] = ..., unit_price: _Optional[str] = ...) -> None: ...

class OrderCancel(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class OrderOut(_message.Message):
    __slots__ = ("billing_address", "cancel_reason", "cancelled_at", "contact_email", "contact_id", "contact_name", "created_at", "currency", "delivery_terms", "discount_total", "document_discount_percent", "fulfilled_at", "fulfilment_started_at", "grand_total", "id", "internal_notes", "invoice_ids", "lines", "net_total", "number", "opportunity_id", "order_date", "organization_id", "organization_name", "organization_vat_id", "owner_id", "payment_terms_days", "quote_id", "quote_number", "rounding", "shipping_address", "status", "subtotal", "tax_breakdown", "tax_mode", "tax_total", "updated_at", "version")
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    CONTACT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_TERMS_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    FULFILLED_AT_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    GRAND_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_NOTES_FIELD_NUMBER: _ClassVar[int]
    INVOICE_IDS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_DATE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_VAT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    TAX_MODE_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    billing_address: _common_pb2.Address
    cancel_reason: str
    cancelled_at: str
    contact_email: str
    contact_id: str
    contact_name: str
    created_at: str
    currency: str
    delivery_terms: str
    discount_total: str
    document_discount_percent: str
    fulfilled_at: str
    fulfilment_started_at: str
    grand_total: str
    id: str
    internal_notes: str
    invoice_ids: _containers.RepeatedScalarFieldContainer[str]
    lines: _containers.RepeatedCompositeFieldContainer[LineOut]
    net_total: str
    number: str
    opportunity_id: str
    order_date: str
    organization_id: str
    organization_name: str
    organization_vat_id: str
    owner_id: str
    payment_terms_days: int
    quote_id: str
    quote_number: str
    rounding: str
    shipping_address: _common_pb2.Address
    status: str
    subtotal: str
    tax_breakdown: _containers.RepeatedCompositeFieldContainer[DocumentTaxBreakdownOut]
    tax_mode: str
    tax_total: str
    updated_at: str
    version: int
    def __init__(self, billing_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., cancel_reason: _Optional[str] = ..., cancelled_at: _Optional[str] = ..., contact_email: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., created_at: _Optional[str] = ..., currency: _Optional[str] = ..., delivery_terms: _Optional[str] = ..., discount_total: _Optional[str] = ..., document_discount_percent: _Optional[str] = ..., fulfilled_at: _Optional[str] = ..., fulfilment_started_at: _Optional[str] = ..., grand_total: _Optional[str] = ..., id: _Optional[str] = ..., internal_notes: _Optional[str] = ..., invoice_ids: _Optional[_Iterable[str]] = ..., lines: _Optional[_Iterable[_Union[LineOut, _Mapping]]] = ..., net_total: _Optional[str] = ..., number: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., order_date: _Optional[str] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ..., organization_vat_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., payment_terms_days: _Optional[int] = ..., quote_id: _Optional[str] = ..., quote_number: _Optional[str] = ..., rounding: _Optional[str] = ..., shipping_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., status: _Optional[str] = ..., subtotal: _Optional[str] = ..., tax_breakdown: _Optional[_Iterable[_Union[DocumentTaxBreakdownOut, _Mapping]]] = ..., tax_mode: _Optional[str] = ..., tax_total: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class OrderUpdatePatch(_message.Message):
    __slots__ = ("delivery_terms", "internal_notes", "shipping_address")
    DELIVERY_TERMS_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_NOTES_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    delivery_terms: str
    internal_notes: str
    shipping_address: _common_pb2.Address
    def __init__(self, delivery_terms: _Optional[str] = ..., internal_notes: _Optional[str] = ..., shipping_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class PaymentIn(_message.Message):
    __slots__ = ("amount", "method", "note", "payment_date", "reference")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    amount: str
    method: str
    note: str
    payment_date: str
    reference: str
    def __init__(self, amount: _Optional[str] = ..., method: _Optional[str] = ..., note: _Optional[str] = ..., payment_date: _Optional[str] = ..., reference: _Optional[str] = ...) -> None: ...

class PaymentOut(_message.Message):
    __slots__ = ("amount", "created_at", "currency", "id", "invoice_id", "method", "note", "owner_id", "payment_date", "reference", "updated_at", "version")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    amount: str
    created_at: str
    currency: str
    id: str
    invoice_id: str
    method: str
    note: str
    owner_id: str
    payment_date: str
    reference: str
    updated_at: str
    version: int
    def __init__(self, amount: _Optional[str] = ..., created_at: _Optional[str] = ..., currency: _Optional[str] = ..., id: _Optional[str] = ..., invoice_id: _Optional[str] = ..., method: _Optional[str] = ..., note: _Optional[str] = ..., owner_id: _Optional[str] = ..., payment_date: _Optional[str] = ..., reference: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ReceivablesQuery(_message.Message):
    __slots__ = ("as_of", "group_by", "organization_id")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    as_of: str
    group_by: str
    organization_id: str
    def __init__(self, as_of: _Optional[str] = ..., group_by: _Optional[str] = ..., organization_id: _Optional[str] = ...) -> None: ...

class ReceivablesReportOut(_message.Message):
    __slots__ = ("balance_basis", "buckets", "query", "rows")
    BALANCE_BASIS_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    balance_basis: str
    buckets: _containers.RepeatedScalarFieldContainer[str]
    query: ReceivablesQuery
    rows: _containers.RepeatedCompositeFieldContainer[ReceivablesRowOut]
    def __init__(self, balance_basis: _Optional[str] = ..., buckets: _Optional[_Iterable[str]] = ..., query: _Optional[_Union[ReceivablesQuery, _Mapping]] = ..., rows: _Optional[_Iterable[_Union[ReceivablesRowOut, _Mapping]]] = ...) -> None: ...

class ReceivablesRowOut(_message.Message):
    __slots__ = ("amounts", "count", "organization_id", "organization_name")
    AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    amounts: _containers.RepeatedCompositeFieldContainer[AgingAmountOut]
    count: int
    organization_id: str
    organization_name: str
    def __init__(self, amounts: _Optional[_Iterable[_Union[AgingAmountOut, _Mapping]]] = ..., count: _Optional[int] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ...) -> None: ...
