from . import billing_pb2 as _billing_pb2
from . import common_pb2 as _common_pb2
from . import leads_pb2 as _leads_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreatePipelineRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: PipelineIn
    def __init__(self, body: _Optional[_Union[PipelineIn, _Mapping]] = ...) -> None: ...

class ListPipelinesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PipelineList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[PipelineOut]
    def __init__(self, items: _Optional[_Iterable[_Union[PipelineOut, _Mapping]]] = ...) -> None: ...

class GetPipelineRequest(_message.Message):
    __slots__ = ("pipeline_id",)
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    pipeline_id: str
    def __init__(self, pipeline_id: _Optional[str] = ...) -> None: ...

class UpdatePipelineRequest(_message.Message):
    __slots__ = ("pipeline_id", "body", "update_mask")
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    pipeline_id: str
    body: PipelineInPatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, pipeline_id: _Optional[str] = ..., body: _Optional[_Union[PipelineInPatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class CreateOpportunityRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: OpportunityCreate
    def __init__(self, body: _Optional[_Union[OpportunityCreate, _Mapping]] = ...) -> None: ...

class ListOpportunitiesRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "stage", "status", "pipeline_id", "owner_id", "team", "organization_id", "lead_id", "forecast_category", "expected_close_from", "expected_close_to", "q", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_FROM_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_TO_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    stage: str
    status: str
    pipeline_id: str
    owner_id: str
    team: str
    organization_id: str
    lead_id: str
    forecast_category: str
    expected_close_from: str
    expected_close_to: str
    q: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., stage: _Optional[str] = ..., status: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., organization_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., forecast_category: _Optional[str] = ..., expected_close_from: _Optional[str] = ..., expected_close_to: _Optional[str] = ..., q: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class OpportunityPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[OpportunityOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[OpportunityOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetOpportunityRequest(_message.Message):
    __slots__ = ("opportunity_id",)
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    def __init__(self, opportunity_id: _Optional[str] = ...) -> None: ...

class UpdateOpportunityRequest(_message.Message):
    __slots__ = ("opportunity_id", "body", "update_mask")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    body: OpportunityFieldsPatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, opportunity_id: _Optional[str] = ..., body: _Optional[_Union[OpportunityFieldsPatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class MoveOpportunityRequest(_message.Message):
    __slots__ = ("opportunity_id", "body")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    body: StageMove
    def __init__(self, opportunity_id: _Optional[str] = ..., body: _Optional[_Union[StageMove, _Mapping]] = ...) -> None: ...

class WinOpportunityRequest(_message.Message):
    __slots__ = ("opportunity_id", "body")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    body: Win
    def __init__(self, opportunity_id: _Optional[str] = ..., body: _Optional[_Union[Win, _Mapping]] = ...) -> None: ...

class LoseOpportunityRequest(_message.Message):
    __slots__ = ("opportunity_id", "body")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    body: Lose
    def __init__(self, opportunity_id: _Optional[str] = ..., body: _Optional[_Union[Lose, _Mapping]] = ...) -> None: ...

class ReopenOpportunityRequest(_message.Message):
    __slots__ = ("opportunity_id", "body")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    body: Reopen
    def __init__(self, opportunity_id: _Optional[str] = ..., body: _Optional[_Union[Reopen, _Mapping]] = ...) -> None: ...

class OpportunityStoryRequest(_message.Message):
    __slots__ = ("opportunity_id",)
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    def __init__(self, opportunity_id: _Optional[str] = ...) -> None: ...

class CreateProductRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: ProductCreate
    def __init__(self, body: _Optional[_Union[ProductCreate, _Mapping]] = ...) -> None: ...

class ListProductsRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "active", "currency", "q", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    active: bool
    currency: str
    q: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., active: _Optional[bool] = ..., currency: _Optional[str] = ..., q: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class ProductPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ProductOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[ProductOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetProductRequest(_message.Message):
    __slots__ = ("product_id",)
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    def __init__(self, product_id: _Optional[str] = ...) -> None: ...

class UpdateProductRequest(_message.Message):
    __slots__ = ("product_id", "body", "update_mask")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    body: ProductFieldsPatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, product_id: _Optional[str] = ..., body: _Optional[_Union[ProductFieldsPatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class CreateQuoteRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: QuoteCreate
    def __init__(self, body: _Optional[_Union[QuoteCreate, _Mapping]] = ...) -> None: ...

class ListQuotesRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "opportunity_id", "status", "owner_id", "number", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    opportunity_id: str
    status: str
    owner_id: str
    number: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., status: _Optional[str] = ..., owner_id: _Optional[str] = ..., number: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class QuotePage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[QuoteOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[QuoteOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetQuoteRequest(_message.Message):
    __slots__ = ("quote_id",)
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    def __init__(self, quote_id: _Optional[str] = ...) -> None: ...

class UpdateQuoteRequest(_message.Message):
    __slots__ = ("quote_id", "body", "update_mask")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    body: QuoteFieldsPatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, quote_id: _Optional[str] = ..., body: _Optional[_Union[QuoteFieldsPatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class QuotePdfRequest(_message.Message):
    __slots__ = ("quote_id",)
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    def __init__(self, quote_id: _Optional[str] = ...) -> None: ...

class SendQuoteRequest(_message.Message):
    __slots__ = ("quote_id", "body")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    body: QuoteSend
    def __init__(self, quote_id: _Optional[str] = ..., body: _Optional[_Union[QuoteSend, _Mapping]] = ...) -> None: ...

class AcceptQuoteRequest(_message.Message):
    __slots__ = ("quote_id",)
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    def __init__(self, quote_id: _Optional[str] = ...) -> None: ...

class RejectQuoteRequest(_message.Message):
    __slots__ = ("quote_id", "body")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    body: QuoteReject
    def __init__(self, quote_id: _Optional[str] = ..., body: _Optional[_Union[QuoteReject, _Mapping]] = ...) -> None: ...

class ReportPipelineRequest(_message.Message):
    __slots__ = ("owner_id", "team", "pipeline_id", "group_by", "expected_close_from", "expected_close_to")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_FROM_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_TO_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    team: str
    pipeline_id: str
    group_by: str
    expected_close_from: str
    expected_close_to: str
    def __init__(self, owner_id: _Optional[str] = ..., team: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., group_by: _Optional[str] = ..., expected_close_from: _Optional[str] = ..., expected_close_to: _Optional[str] = ...) -> None: ...

class ReportForecastRequest(_message.Message):
    __slots__ = ("owner_id", "team", "pipeline_id", "group_by", "from_", "to")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    FROM__FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    team: str
    pipeline_id: str
    group_by: str
    from_: str
    to: str
    def __init__(self, owner_id: _Optional[str] = ..., team: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., group_by: _Optional[str] = ..., from_: _Optional[str] = ..., to: _Optional[str] = ...) -> None: ...

class ReportWinRateRequest(_message.Message):
    __slots__ = ("owner_id", "team", "pipeline_id", "group_by", "from_", "to")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    FROM__FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    team: str
    pipeline_id: str
    group_by: str
    from_: str
    to: str
    def __init__(self, owner_id: _Optional[str] = ..., team: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., group_by: _Optional[str] = ..., from_: _Optional[str] = ..., to: _Optional[str] = ...) -> None: ...

class ReportFunnelRequest(_message.Message):
    __slots__ = ("from_", "to", "view", "group_by")
    FROM__FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    from_: str
    to: str
    view: str
    group_by: str
    def __init__(self, from_: _Optional[str] = ..., to: _Optional[str] = ..., view: _Optional[str] = ..., group_by: _Optional[str] = ...) -> None: ...

class PipelineHistoryRequest(_message.Message):
    __slots__ = ("pipeline_id", "sort", "limit", "cursor")
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    pipeline_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, pipeline_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class RecordChangePage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordChangeOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[_common_pb2.RecordChangeOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class OpportunityHistoryRequest(_message.Message):
    __slots__ = ("opportunity_id", "sort", "limit", "cursor")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, opportunity_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class ProductHistoryRequest(_message.Message):
    __slots__ = ("product_id", "sort", "limit", "cursor")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, product_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class QuoteHistoryRequest(_message.Message):
    __slots__ = ("quote_id", "sort", "limit", "cursor")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, quote_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class DealAmountOut(_message.Message):
    __slots__ = ("amount", "count", "currency", "weighted_amount")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    count: int
    currency: str
    weighted_amount: str
    def __init__(self, amount: _Optional[str] = ..., count: _Optional[int] = ..., currency: _Optional[str] = ..., weighted_amount: _Optional[str] = ...) -> None: ...

class ForecastQuery(_message.Message):
    __slots__ = ("from_", "group_by", "owner_id", "pipeline_id", "team", "to")
    FROM__FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    from_: str
    group_by: str
    owner_id: str
    pipeline_id: str
    team: str
    to: str
    def __init__(self, from_: _Optional[str] = ..., group_by: _Optional[str] = ..., owner_id: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., team: _Optional[str] = ..., to: _Optional[str] = ...) -> None: ...

class ForecastReportOut(_message.Message):
    __slots__ = ("months", "query", "rows")
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    months: _containers.RepeatedScalarFieldContainer[str]
    query: ForecastQuery
    rows: _containers.RepeatedCompositeFieldContainer[ForecastRowOut]
    def __init__(self, months: _Optional[_Iterable[str]] = ..., query: _Optional[_Union[ForecastQuery, _Mapping]] = ..., rows: _Optional[_Iterable[_Union[ForecastRowOut, _Mapping]]] = ...) -> None: ...

class ForecastRowOut(_message.Message):
    __slots__ = ("amounts", "count", "forecast_category", "month", "owner_id", "team")
    AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    amounts: _containers.RepeatedCompositeFieldContainer[DealAmountOut]
    count: int
    forecast_category: str
    month: str
    owner_id: str
    team: str
    def __init__(self, amounts: _Optional[_Iterable[_Union[DealAmountOut, _Mapping]]] = ..., count: _Optional[int] = ..., forecast_category: _Optional[str] = ..., month: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class FunnelOut(_message.Message):
    __slots__ = ("conversion_overall", "from_", "steps", "to", "by_source", "group_by", "unattributed", "view")
    CONVERSION_OVERALL_FIELD_NUMBER: _ClassVar[int]
    FROM__FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    BY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    UNATTRIBUTED_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    conversion_overall: str
    from_: str
    steps: _containers.RepeatedCompositeFieldContainer[FunnelStepOut]
    to: str
    by_source: _containers.RepeatedCompositeFieldContainer[FunnelSourceOut]
    group_by: str
    unattributed: FunnelUnattributedOut
    view: str
    def __init__(self, conversion_overall: _Optional[str] = ..., from_: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[FunnelStepOut, _Mapping]]] = ..., to: _Optional[str] = ..., by_source: _Optional[_Iterable[_Union[FunnelSourceOut, _Mapping]]] = ..., group_by: _Optional[str] = ..., unattributed: _Optional[_Union[FunnelUnattributedOut, _Mapping]] = ..., view: _Optional[str] = ...) -> None: ...

class FunnelSourceOut(_message.Message):
    __slots__ = ("conversion_overall", "source", "steps")
    CONVERSION_OVERALL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    conversion_overall: str
    source: str
    steps: _containers.RepeatedCompositeFieldContainer[FunnelStepOut]
    def __init__(self, conversion_overall: _Optional[str] = ..., source: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[FunnelStepOut, _Mapping]]] = ...) -> None: ...

class FunnelStepOut(_message.Message):
    __slots__ = ("conversion_from_previous", "count", "step")
    CONVERSION_FROM_PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    conversion_from_previous: str
    count: int
    step: str
    def __init__(self, conversion_from_previous: _Optional[str] = ..., count: _Optional[int] = ..., step: _Optional[str] = ...) -> None: ...

class FunnelUnattributedOut(_message.Message):
    __slots__ = ("opportunities", "orders")
    OPPORTUNITIES_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    opportunities: int
    orders: int
    def __init__(self, opportunities: _Optional[int] = ..., orders: _Optional[int] = ...) -> None: ...

class IncompletePart(_message.Message):
    __slots__ = ("part", "reason")
    PART_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    part: str
    reason: str
    def __init__(self, part: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Lose(_message.Message):
    __slots__ = ("closing_note", "lost_reason")
    CLOSING_NOTE_FIELD_NUMBER: _ClassVar[int]
    LOST_REASON_FIELD_NUMBER: _ClassVar[int]
    closing_note: str
    lost_reason: str
    def __init__(self, closing_note: _Optional[str] = ..., lost_reason: _Optional[str] = ...) -> None: ...

class OpportunityCreate(_message.Message):
    __slots__ = ("amount", "contact_id", "contact_name", "currency", "expected_close_date", "forecast_category", "name", "next_step", "organization_id", "organization_name", "owner_id", "pipeline_id", "probability", "stage", "team")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    amount: str
    contact_id: str
    contact_name: str
    currency: str
    expected_close_date: str
    forecast_category: str
    name: str
    next_step: str
    organization_id: str
    organization_name: str
    owner_id: str
    pipeline_id: str
    probability: str
    stage: str
    team: str
    def __init__(self, amount: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., currency: _Optional[str] = ..., expected_close_date: _Optional[str] = ..., forecast_category: _Optional[str] = ..., name: _Optional[str] = ..., next_step: _Optional[str] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ..., owner_id: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., probability: _Optional[str] = ..., stage: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class OpportunityFieldsPatch(_message.Message):
    __slots__ = ("amount", "contact_id", "contact_name", "currency", "expected_close_date", "forecast_category", "name", "next_step", "organization_id", "organization_name", "owner_id", "probability", "team")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    amount: str
    contact_id: str
    contact_name: str
    currency: str
    expected_close_date: str
    forecast_category: str
    name: str
    next_step: str
    organization_id: str
    organization_name: str
    owner_id: str
    probability: str
    team: str
    def __init__(self, amount: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., currency: _Optional[str] = ..., expected_close_date: _Optional[str] = ..., forecast_category: _Optional[str] = ..., name: _Optional[str] = ..., next_step: _Optional[str] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ..., owner_id: _Optional[str] = ..., probability: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class OpportunityOut(_message.Message):
    __slots__ = ("amount", "closed_at", "closing_note", "contact_id", "contact_name", "created_at", "currency", "expected_close_date", "forecast_category", "history", "id", "lead_id", "lost_reason", "name", "next_step", "organization_id", "organization_name", "owner_id", "pipeline_id", "probability", "stage", "team", "updated_at", "version")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSING_NOTE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    LOST_REASON_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    amount: str
    closed_at: str
    closing_note: str
    contact_id: str
    contact_name: str
    created_at: str
    currency: str
    expected_close_date: str
    forecast_category: str
    history: _containers.RepeatedCompositeFieldContainer[StageChangeOut]
    id: str
    lead_id: str
    lost_reason: str
    name: str
    next_step: str
    organization_id: str
    organization_name: str
    owner_id: str
    pipeline_id: str
    probability: str
    stage: str
    team: str
    updated_at: str
    version: int
    def __init__(self, amount: _Optional[str] = ..., closed_at: _Optional[str] = ..., closing_note: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., created_at: _Optional[str] = ..., currency: _Optional[str] = ..., expected_close_date: _Optional[str] = ..., forecast_category: _Optional[str] = ..., history: _Optional[_Iterable[_Union[StageChangeOut, _Mapping]]] = ..., id: _Optional[str] = ..., lead_id: _Optional[str] = ..., lost_reason: _Optional[str] = ..., name: _Optional[str] = ..., next_step: _Optional[str] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ..., owner_id: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., probability: _Optional[str] = ..., stage: _Optional[str] = ..., team: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class PdfDocument(_message.Message):
    __slots__ = ("content", "filename")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    filename: str
    def __init__(self, content: _Optional[bytes] = ..., filename: _Optional[str] = ...) -> None: ...

class PipelineIn(_message.Message):
    __slots__ = ("is_default", "name", "stages")
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    is_default: bool
    name: str
    stages: _containers.RepeatedCompositeFieldContainer[StageIn]
    def __init__(self, is_default: _Optional[bool] = ..., name: _Optional[str] = ..., stages: _Optional[_Iterable[_Union[StageIn, _Mapping]]] = ...) -> None: ...

class PipelineInPatch(_message.Message):
    __slots__ = ("is_default", "name", "stages")
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    is_default: bool
    name: str
    stages: _containers.RepeatedCompositeFieldContainer[StageIn]
    def __init__(self, is_default: _Optional[bool] = ..., name: _Optional[str] = ..., stages: _Optional[_Iterable[_Union[StageIn, _Mapping]]] = ...) -> None: ...

class PipelineOut(_message.Message):
    __slots__ = ("created_at", "id", "is_default", "name", "owner_id", "stages", "updated_at", "version")
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    created_at: str
    id: str
    is_default: bool
    name: str
    owner_id: str
    stages: _containers.RepeatedCompositeFieldContainer[StageOut]
    updated_at: str
    version: int
    def __init__(self, created_at: _Optional[str] = ..., id: _Optional[str] = ..., is_default: _Optional[bool] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., stages: _Optional[_Iterable[_Union[StageOut, _Mapping]]] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class PipelineQuery(_message.Message):
    __slots__ = ("expected_close_from", "expected_close_to", "group_by", "owner_id", "pipeline_id", "team")
    EXPECTED_CLOSE_FROM_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_TO_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    expected_close_from: str
    expected_close_to: str
    group_by: str
    owner_id: str
    pipeline_id: str
    team: str
    def __init__(self, expected_close_from: _Optional[str] = ..., expected_close_to: _Optional[str] = ..., group_by: _Optional[str] = ..., owner_id: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class PipelineRefOut(_message.Message):
    __slots__ = ("id", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class PipelineReportOut(_message.Message):
    __slots__ = ("pipeline", "query", "rows", "stages")
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    pipeline: PipelineRefOut
    query: PipelineQuery
    rows: _containers.RepeatedCompositeFieldContainer[PipelineRowOut]
    stages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pipeline: _Optional[_Union[PipelineRefOut, _Mapping]] = ..., query: _Optional[_Union[PipelineQuery, _Mapping]] = ..., rows: _Optional[_Iterable[_Union[PipelineRowOut, _Mapping]]] = ..., stages: _Optional[_Iterable[str]] = ...) -> None: ...

class PipelineRowOut(_message.Message):
    __slots__ = ("amounts", "count", "owner_id", "stage", "team")
    AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    amounts: _containers.RepeatedCompositeFieldContainer[DealAmountOut]
    count: int
    owner_id: str
    stage: str
    team: str
    def __init__(self, amounts: _Optional[_Iterable[_Union[DealAmountOut, _Mapping]]] = ..., count: _Optional[int] = ..., owner_id: _Optional[str] = ..., stage: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class ProductCreate(_message.Message):
    __slots__ = ("active", "currency", "description", "name", "sku", "tax_rate", "unit_price")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    active: bool
    currency: str
    description: str
    name: str
    sku: str
    tax_rate: str
    unit_price: str
    def __init__(self, active: _Optional[bool] = ..., currency: _Optional[str] = ..., description: _Optional[str] = ..., name: _Optional[str] = ..., sku: _Optional[str] = ..., tax_rate: _Optional[str] = ..., unit_price: _Optional[str] = ...) -> None: ...

class ProductFieldsPatch(_message.Message):
    __slots__ = ("active", "currency", "description", "name", "sku", "tax_rate", "unit_price")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    active: bool
    currency: str
    description: str
    name: str
    sku: str
    tax_rate: str
    unit_price: str
    def __init__(self, active: _Optional[bool] = ..., currency: _Optional[str] = ..., description: _Optional[str] = ..., name: _Optional[str] = ..., sku: _Optional[str] = ..., tax_rate: _Optional[str] = ..., unit_price: _Optional[str] = ...) -> None: ...

class ProductOut(_message.Message):
    __slots__ = ("active", "created_at", "currency", "description", "id", "name", "owner_id", "sku", "tax_rate", "unit_price", "updated_at", "version")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    active: bool
    created_at: str
    currency: str
    description: str
    id: str
    name: str
    owner_id: str
    sku: str
    tax_rate: str
    unit_price: str
    updated_at: str
    version: int
    def __init__(self, active: _Optional[bool] = ..., created_at: _Optional[str] = ..., currency: _Optional[str] = ..., description: _Optional[str] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., sku: _Optional[str] = ..., tax_rate: _Optional[str] = ..., unit_price: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class QuoteCreate(_message.Message):
    __slots__ = ("billing_address", "currency", "document_discount_percent", "lines", "opportunity_id", "payment_terms_days", "rounding", "shipping_address", "tax_mode", "terms")
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TAX_MODE_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    billing_address: _common_pb2.Address
    currency: str
    document_discount_percent: str
    lines: _containers.RepeatedCompositeFieldContainer[QuoteLineIn]
    opportunity_id: str
    payment_terms_days: int
    rounding: str
    shipping_address: _common_pb2.Address
    tax_mode: str
    terms: str
    def __init__(self, billing_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., currency: _Optional[str] = ..., document_discount_percent: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[QuoteLineIn, _Mapping]]] = ..., opportunity_id: _Optional[str] = ..., payment_terms_days: _Optional[int] = ..., rounding: _Optional[str] = ..., shipping_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., tax_mode: _Optional[str] = ..., terms: _Optional[str] = ...) -> None: ...

class QuoteFieldsPatch(_message.Message):
    __slots__ = ("billing_address", "currency", "document_discount_percent", "lines", "payment_terms_days", "rounding", "shipping_address", "tax_mode", "terms")
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TAX_MODE_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    billing_address: _common_pb2.Address
    currency: str
    document_discount_percent: str
    lines: _containers.RepeatedCompositeFieldContainer[QuoteLineIn]
    payment_terms_days: int
    rounding: str
    shipping_address: _common_pb2.Address
    tax_mode: str
    terms: str
    def __init__(self, billing_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., currency: _Optional[str] = ..., document_discount_percent: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[QuoteLineIn, _Mapping]]] = ..., payment_terms_days: _Optional[int] = ..., rounding: _Optional[str] = ..., shipping_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., tax_mode: _Optional[str] = ..., terms: _Optional[str] = ...) -> None: ...

class QuoteLineIn(_message.Message):
    __slots__ = ("description", "discount_percent", "product_id", "quantity", "sku", "tax_rate", "unit_price")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    description: str
    discount_percent: str
    product_id: str
    quantity: str
    sku: str
    tax_rate: str
    unit_price: str
    def __init__(self, description: _Optional[str] = ..., discount_percent: _Optional[str] = ..., product_id: _Optional[str] = ..., quantity: _Optional[str] = ..., sku: _Optional[str] = ..., tax_rate: _Optional[str] = ..., unit_price: _Optional[str] = ...) -> None: ...

class QuoteLineOut(_message.Message):
    __slots__ = ("description", "discount_percent", "net", "position", "product_id", "quantity", "sku", "tax_rate", "unit_price")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    NET_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    description: str
    discount_percent: str
    net: str
    position: int
    product_id: str
    quantity: str
    sku: str
    tax_rate: str
    unit_price: str
    def __init__(self, description: _Optional[str] = ..., discount_percent: _Optional[str] = ..., net: _Optional[str] = ..., position: _Optional[int] = ..., product_id: _Optional[str] = ..., quantity: _Optional[str] = ..., sku: _Optional[str] = ..., tax_rate: _Optional[str] = ..., unit_price: _Optional[str] = ...) -> None: ...

class QuoteOut(_message.Message):
    __slots__ = ("accepted_at", "base_number", "billing_address", "contact_email", "contact_id", "contact_name", "created_at", "currency", "discount_total", "document_discount_percent", "expired_at", "grand_total", "id", "lines", "net_total", "number", "opportunity_id", "order_id", "organization_id", "organization_name", "organization_vat_id", "owner_id", "payment_terms_days", "rejected_at", "rejection_reason", "revises_id", "revision", "rounding", "sent_at", "shipping_address", "status", "subtotal", "superseded_by_id", "tax_breakdown", "tax_mode", "tax_total", "terms", "updated_at", "valid_until", "version")
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    BASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_AT_FIELD_NUMBER: _ClassVar[int]
    GRAND_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_VAT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    REJECTED_AT_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    REVISES_ID_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_BY_ID_FIELD_NUMBER: _ClassVar[int]
    TAX_BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    TAX_MODE_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    accepted_at: str
    base_number: str
    billing_address: _common_pb2.Address
    contact_email: str
    contact_id: str
    contact_name: str
    created_at: str
    currency: str
    discount_total: str
    document_discount_percent: str
    expired_at: str
    grand_total: str
    id: str
    lines: _containers.RepeatedCompositeFieldContainer[QuoteLineOut]
    net_total: str
    number: str
    opportunity_id: str
    order_id: str
    organization_id: str
    organization_name: str
    organization_vat_id: str
    owner_id: str
    payment_terms_days: int
    rejected_at: str
    rejection_reason: str
    revises_id: str
    revision: int
    rounding: str
    sent_at: str
    shipping_address: _common_pb2.Address
    status: str
    subtotal: str
    superseded_by_id: str
    tax_breakdown: _containers.RepeatedCompositeFieldContainer[QuoteTaxBreakdownOut]
    tax_mode: str
    tax_total: str
    terms: str
    updated_at: str
    valid_until: str
    version: int
    def __init__(self, accepted_at: _Optional[str] = ..., base_number: _Optional[str] = ..., billing_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., contact_email: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., created_at: _Optional[str] = ..., currency: _Optional[str] = ..., discount_total: _Optional[str] = ..., document_discount_percent: _Optional[str] = ..., expired_at: _Optional[str] = ..., grand_total: _Optional[str] = ..., id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[QuoteLineOut, _Mapping]]] = ..., net_total: _Optional[str] = ..., number: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., order_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., organization_name: _Optional[str] = ..., organization_vat_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., payment_terms_days: _Optional[int] = ..., rejected_at: _Optional[str] = ..., rejection_reason: _Optional[str] = ..., revises_id: _Optional[str] = ..., revision: _Optional[int] = ..., rounding: _Optional[str] = ..., sent_at: _Optional[str] = ..., shipping_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., status: _Optional[str] = ..., subtotal: _Optional[str] = ..., superseded_by_id: _Optional[str] = ..., tax_breakdown: _Optional[_Iterable[_Union[QuoteTaxBreakdownOut, _Mapping]]] = ..., tax_mode: _Optional[str] = ..., tax_total: _Optional[str] = ..., terms: _Optional[str] = ..., updated_at: _Optional[str] = ..., valid_until: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class QuoteReject(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class QuoteSend(_message.Message):
    __slots__ = ("valid_until",)
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    valid_until: str
    def __init__(self, valid_until: _Optional[str] = ...) -> None: ...

class QuoteTaxBreakdownOut(_message.Message):
    __slots__ = ("rate", "tax", "taxable")
    RATE_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    TAXABLE_FIELD_NUMBER: _ClassVar[int]
    rate: str
    tax: str
    taxable: str
    def __init__(self, rate: _Optional[str] = ..., tax: _Optional[str] = ..., taxable: _Optional[str] = ...) -> None: ...

class Reopen(_message.Message):
    __slots__ = ("stage", "note")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    stage: str
    note: str
    def __init__(self, stage: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class StageChangeOut(_message.Message):
    __slots__ = ("actor", "amount", "at", "from_stage", "probability", "to_stage", "lost_reason", "note")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    TO_STAGE_FIELD_NUMBER: _ClassVar[int]
    LOST_REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    actor: str
    amount: str
    at: str
    from_stage: str
    probability: str
    to_stage: str
    lost_reason: str
    note: str
    def __init__(self, actor: _Optional[str] = ..., amount: _Optional[str] = ..., at: _Optional[str] = ..., from_stage: _Optional[str] = ..., probability: _Optional[str] = ..., to_stage: _Optional[str] = ..., lost_reason: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class StageIn(_message.Message):
    __slots__ = ("forecast_category", "name", "probability")
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    forecast_category: str
    name: str
    probability: str
    def __init__(self, forecast_category: _Optional[str] = ..., name: _Optional[str] = ..., probability: _Optional[str] = ...) -> None: ...

class StageMove(_message.Message):
    __slots__ = ("closing_note", "forecast_category", "lost_reason", "probability", "stage")
    CLOSING_NOTE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    LOST_REASON_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    closing_note: str
    forecast_category: str
    lost_reason: str
    probability: str
    stage: str
    def __init__(self, closing_note: _Optional[str] = ..., forecast_category: _Optional[str] = ..., lost_reason: _Optional[str] = ..., probability: _Optional[str] = ..., stage: _Optional[str] = ...) -> None: ...

class StageOut(_message.Message):
    __slots__ = ("forecast_category", "name", "position", "probability")
    FORECAST_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    forecast_category: str
    name: str
    position: int
    probability: str
    def __init__(self, forecast_category: _Optional[str] = ..., name: _Optional[str] = ..., position: _Optional[int] = ..., probability: _Optional[str] = ...) -> None: ...

class StoryOut(_message.Message):
    __slots__ = ("contact", "incomplete", "invoices", "lead", "opportunity", "orders", "organization", "payments", "quotes", "stage_history", "withheld")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    LEAD_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    QUOTES_FIELD_NUMBER: _ClassVar[int]
    STAGE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_FIELD_NUMBER: _ClassVar[int]
    contact: _leads_pb2.ContactOut
    incomplete: _containers.RepeatedCompositeFieldContainer[IncompletePart]
    invoices: _containers.RepeatedCompositeFieldContainer[_billing_pb2.InvoiceOut]
    lead: _leads_pb2.LeadOut
    opportunity: OpportunityOut
    orders: _containers.RepeatedCompositeFieldContainer[_billing_pb2.OrderOut]
    organization: _leads_pb2.OrganizationOut
    payments: _containers.RepeatedCompositeFieldContainer[_billing_pb2.PaymentOut]
    quotes: _containers.RepeatedCompositeFieldContainer[QuoteOut]
    stage_history: _containers.RepeatedCompositeFieldContainer[StageChangeOut]
    withheld: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, contact: _Optional[_Union[_leads_pb2.ContactOut, _Mapping]] = ..., incomplete: _Optional[_Iterable[_Union[IncompletePart, _Mapping]]] = ..., invoices: _Optional[_Iterable[_Union[_billing_pb2.InvoiceOut, _Mapping]]] = ..., lead: _Optional[_Union[_leads_pb2.LeadOut, _Mapping]] = ..., opportunity: _Optional[_Union[OpportunityOut, _Mapping]] = ..., orders: _Optional[_Iterable[_Union[_billing_pb2.OrderOut, _Mapping]]] = ..., organization: _Optional[_Union[_leads_pb2.OrganizationOut, _Mapping]] = ..., payments: _Optional[_Iterable[_Union[_billing_pb2.PaymentOut, _Mapping]]] = ..., quotes: _Optional[_Iterable[_Union[QuoteOut, _Mapping]]] = ..., stage_history: _Optional[_Iterable[_Union[StageChangeOut, _Mapping]]] = ..., withheld: _Optional[_Iterable[str]] = ...) -> None: ...

class Win(_message.Message):
    __slots__ = ("closing_note",)
    CLOSING_NOTE_FIELD_NUMBER: _ClassVar[int]
    closing_note: str
    def __init__(self, closing_note: _Optional[str] = ...) -> None: ...

class WinRateQuery(_message.Message):
    __slots__ = ("from_", "group_by", "owner_id", "pipeline_id", "team", "to")
    FROM__FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    from_: str
    group_by: str
    owner_id: str
    pipeline_id: str
    team: str
    to: str
    def __init__(self, from_: _Optional[str] = ..., group_by: _Optional[str] = ..., owner_id: _Optional[str] = ..., pipeline_id: _Optional[str] = ..., team: _Optional[str] = ..., to: _Optional[str] = ...) -> None: ...

class WinRateReportOut(_message.Message):
    __slots__ = ("query", "rows")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    query: WinRateQuery
    rows: _containers.RepeatedCompositeFieldContainer[WinRateRowOut]
    def __init__(self, query: _Optional[_Union[WinRateQuery, _Mapping]] = ..., rows: _Optional[_Iterable[_Union[WinRateRowOut, _Mapping]]] = ...) -> None: ...

class WinRateRowOut(_message.Message):
    __slots__ = ("average_sales_cycle_days", "lost", "owner_id", "team", "win_rate", "won", "won_amounts")
    AVERAGE_SALES_CYCLE_DAYS_FIELD_NUMBER: _ClassVar[int]
    LOST_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    WIN_RATE_FIELD_NUMBER: _ClassVar[int]
    WON_FIELD_NUMBER: _ClassVar[int]
    WON_AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    average_sales_cycle_days: str
    lost: int
    owner_id: str
    team: str
    win_rate: str
    won: int
    won_amounts: _containers.RepeatedCompositeFieldContainer[WonAmountOut]
    def __init__(self, average_sales_cycle_days: _Optional[str] = ..., lost: _Optional[int] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., win_rate: _Optional[str] = ..., won: _Optional[int] = ..., won_amounts: _Optional[_Iterable[_Union[WonAmountOut, _Mapping]]] = ...) -> None: ...

class WonAmountOut(_message.Message):
    __slots__ = ("amount", "average_deal_size", "count", "currency")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_DEAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    amount: str
    average_deal_size: str
    count: int
    currency: str
    def __init__(self, amount: _Optional[str] = ..., average_deal_size: _Optional[str] = ..., count: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...
