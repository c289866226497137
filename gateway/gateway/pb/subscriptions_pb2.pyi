from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateSubscriptionRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: SubscriptionIn
    def __init__(self, body: _Optional[_Union[SubscriptionIn, _Mapping]] = ...) -> None: ...

class ListSubscriptionsRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "status")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    status: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class SubscriptionPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[SubscriptionOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[SubscriptionOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetSubscriptionRequest(_message.Message):
    __slots__ = ("subscription_id",)
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    def __init__(self, subscription_id: _Optional[str] = ...) -> None: ...

class UpdateSubscriptionRequest(_message.Message):
    __slots__ = ("subscription_id", "body", "update_mask")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    body: SubscriptionUpdatePatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, subscription_id: _Optional[str] = ..., body: _Optional[_Union[SubscriptionUpdatePatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class PauseSubscriptionRequest(_message.Message):
    __slots__ = ("subscription_id",)
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    def __init__(self, subscription_id: _Optional[str] = ...) -> None: ...

class ResumeSubscriptionRequest(_message.Message):
    __slots__ = ("subscription_id",)
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    def __init__(self, subscription_id: _Optional[str] = ...) -> None: ...

class DeleteSubscriptionRequest(_message.Message):
    __slots__ = ("subscription_id",)
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    def __init__(self, subscription_id: _Optional[str] = ...) -> None: ...

class RotateSubscriptionSecretRequest(_message.Message):
    __slots__ = ("subscription_id",)
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    def __init__(self, subscription_id: _Optional[str] = ...) -> None: ...

class ReplaySubscriptionRequest(_message.Message):
    __slots__ = ("subscription_id", "body")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    body: Replay
    def __init__(self, subscription_id: _Optional[str] = ..., body: _Optional[_Union[Replay, _Mapping]] = ...) -> None: ...

class SubscriptionDeliveriesRequest(_message.Message):
    __slots__ = ("subscription_id", "sort", "limit", "cursor")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, subscription_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class DeliveryPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[DeliveryOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[DeliveryOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class SubscriptionDeadLettersRequest(_message.Message):
    __slots__ = ("subscription_id", "sort", "limit", "cursor")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, subscription_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class DeadLetterPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[DeadLetterOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[DeadLetterOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class RedeliverDeadLetterRequest(_message.Message):
    __slots__ = ("subscription_id", "dead_letter_id")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTER_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    dead_letter_id: str
    def __init__(self, subscription_id: _Optional[str] = ..., dead_letter_id: _Optional[str] = ...) -> None: ...

class DeadLetterOut(_message.Message):
    __slots__ = ("attempts", "dead_at", "event_id", "event_type", "id", "last_error", "position", "redelivered_at", "status", "subject")
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    DEAD_AT_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    REDELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    attempts: int
    dead_at: str
    event_id: str
    event_type: str
    id: str
    last_error: str
    position: int
    redelivered_at: str
    status: str
    subject: str
    def __init__(self, attempts: _Optional[int] = ..., dead_at: _Optional[str] = ..., event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., id: _Optional[str] = ..., last_error: _Optional[str] = ..., position: _Optional[int] = ..., redelivered_at: _Optional[str] = ..., status: _Optional[str] = ..., subject: _Optional[str] = ...) -> None: ...

class DeliveryOut(_message.Message):
    __slots__ = ("at", "attempt", "error", "event_id", "event_type", "http_status", "id", "latency_ms", "position", "status", "subject")
    AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    at: str
    attempt: int
    error: str
    event_id: str
    event_type: str
    http_status: int
    id: str
    latency_ms: int
    position: int
    status: str
    subject: str
    def __init__(self, at: _Optional[str] = ..., attempt: _Optional[int] = ..., error: _Optional[str] = ..., event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., http_status: _Optional[int] = ..., id: _Optional[str] = ..., latency_ms: _Optional[int] = ..., position: _Optional[int] = ..., status: _Optional[str] = ..., subject: _Optional[str] = ...) -> None: ...

class NewSubscriptionOut(_message.Message):
    __slots__ = ("created_at", "dead_lettered", "delivered", "disabled_reason", "failed", "id", "lag", "last_delivered_at", "last_error", "last_error_at", "min_amount", "name", "organization_id", "owner_id", "owner_role", "position", "secret", "status", "team", "types", "updated_at", "url", "version", "delivery", "queue")
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERED_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    DISABLED_REASON_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAG_FIELD_NUMBER: _ClassVar[int]
    LAST_DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_AT_FIELD_NUMBER: _ClassVar[int]
    MIN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ROLE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    created_at: str
    dead_lettered: int
    delivered: int
    disabled_reason: str
    failed: int
    id: str
    lag: int
    last_delivered_at: str
    last_error: str
    last_error_at: str
    min_amount: str
    name: str
    organization_id: str
    owner_id: str
    owner_role: str
    position: int
    secret: str
    status: str
    team: str
    types: _containers.RepeatedScalarFieldContainer[str]
    updated_at: str
    url: str
    version: int
    delivery: str
    queue: QueueOut
    def __init__(self, created_at: _Optional[str] = ..., dead_lettered: _Optional[int] = ..., delivered: _Optional[int] = ..., disabled_reason: _Optional[str] = ..., failed: _Optional[int] = ..., id: _Optional[str] = ..., lag: _Optional[int] = ..., last_delivered_at: _Optional[str] = ..., last_error: _Optional[str] = ..., last_error_at: _Optional[str] = ..., min_amount: _Optional[str] = ..., name: _Optional[str] = ..., organization_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., owner_role: _Optional[str] = ..., position: _Optional[int] = ..., secret: _Optional[str] = ..., status: _Optional[str] = ..., team: _Optional[str] = ..., types: _Optional[_Iterable[str]] = ..., updated_at: _Optional[str] = ..., url: _Optional[str] = ..., version: _Optional[int] = ..., delivery: _Optional[str] = ..., queue: _Optional[_Union[QueueOut, _Mapping]] = ...) -> None: ...

class QueueOut(_message.Message):
    __slots__ = ("amqp_uri", "name", "user")
    AMQP_URI_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    amqp_uri: str
    name: str
    user: str
    def __init__(self, amqp_uri: _Optional[str] = ..., name: _Optional[str] = ..., user: _Optional[str] = ...) -> None: ...

class Replay(_message.Message):
    __slots__ = ("after", "from_time")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    after: int
    from_time: str
    def __init__(self, after: _Optional[int] = ..., from_time: _Optional[str] = ...) -> None: ...

class SubscriptionIn(_message.Message):
    __slots__ = ("min_amount", "name", "organization_id", "start", "team", "types", "url", "delivery")
    MIN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    min_amount: str
    name: str
    organization_id: str
    start: str
    team: str
    types: _containers.RepeatedScalarFieldContainer[str]
    url: str
    delivery: str
    def __init__(self, min_amount: _Optional[str] = ..., name: _Optional[str] = ..., organization_id: _Optional[str] = ..., start: _Optional[str] = ..., team: _Optional[str] = ..., types: _Optional[_Iterable[str]] = ..., url: _Optional[str] = ..., delivery: _Optional[str] = ...) -> None: ...

class SubscriptionOut(_message.Message):
    __slots__ = ("created_at", "dead_lettered", "delivered", "disabled_reason", "failed", "id", "lag", "last_delivered_at", "last_error", "last_error_at", "min_amount", "name", "organization_id", "owner_id", "owner_role", "position", "status", "team", "types", "updated_at", "url", "version", "delivery", "queue")
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERED_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    DISABLED_REASON_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAG_FIELD_NUMBER: _ClassVar[int]
    LAST_DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_AT_FIELD_NUMBER: _ClassVar[int]
    MIN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ROLE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    created_at: str
    dead_lettered: int
    delivered: int
    disabled_reason: str
    failed: int
    id: str
    lag: int
    last_delivered_at: str
    last_error: str
    last_error_at: str
    min_amount: str
    name: str
    organization_id: str
    owner_id: str
    owner_role: str
    position: int
    status: str
    team: str
    types: _containers.RepeatedScalarFieldContainer[str]
    updated_at: str
    url: str
    version: int
    delivery: str
    queue: QueueOut
    def __init__(self, created_at: _Optional[str] = ..., dead_lettered: _Optional[int] = ..., delivered: _Optional[int] = ..., disabled_reason: _Optional[str] = ..., failed: _Optional[int] = ..., id: _Optional[str] = ..., lag: _Optional[int] = ..., last_delivered_at: _Optional[str] = ..., last_error: _Optional[str] = ..., last_error_at: _Optional[str] = ..., min_amount: _Optional[str] = ..., name: _Optional[str] = ..., organization_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., owner_role: _Optional[str] = ..., position: _Optional[int] = ..., status: _Optional[str] = ..., team: _Optional[str] = ..., types: _Optional[_Iterable[str]] = ..., updated_at: _Optional[str] = ..., url: _Optional[str] = ..., version: _Optional[int] = ..., delivery: _Optional[str] = ..., queue: _Optional[_Union[QueueOut, _Mapping]] = ...) -> None: ...

class SubscriptionUpdatePatch(_message.Message):
    __slots__ = ("min_amount", "name", "organization_id", "team", "types", "url")
    MIN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    min_amount: str
    name: str
    organization_id: str
    team: str
    types: _containers.RepeatedScalarFieldContainer[str]
    url: str
    def __init__(self, min_amount: _Optional[str] = ..., name: _Optional[str] = ..., organization_id: _Optional[str] = ..., team: _Optional[str] = ..., types: _Optional[_Iterable[str]] = ..., url: _Optional[str] = ...) -> None: ...
