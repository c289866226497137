from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListEventTypesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EventTypeList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[EventTypeOut]
    def __init__(self, items: _Optional[_Iterable[_Union[EventTypeOut, _Mapping]]] = ...) -> None: ...

class CreateTokenRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: TokenIn
    def __init__(self, body: _Optional[_Union[TokenIn, _Mapping]] = ...) -> None: ...

class ListTokensRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TokenList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[TokenOut]
    def __init__(self, items: _Optional[_Iterable[_Union[TokenOut, _Mapping]]] = ...) -> None: ...

class RevokeTokenRequest(_message.Message):
    __slots__ = ("token_id",)
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    token_id: str
    def __init__(self, token_id: _Optional[str] = ...) -> None: ...

class EventTypeOut(_message.Message):
    __slots__ = ("dataschema", "description", "name", "service_", "type", "version")
    DATASCHEMA_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE__FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    dataschema: str
    description: str
    name: str
    service_: str
    type: str
    version: int
    def __init__(self, dataschema: _Optional[str] = ..., description: _Optional[str] = ..., name: _Optional[str] = ..., service_: _Optional[str] = ..., type: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class NewTokenOut(_message.Message):
    __slots__ = ("created_at", "created_by", "id", "name", "rate_limit_per_minute", "revoked_at", "role", "team", "token", "user_id", "expires_at")
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMIT_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    created_at: str
    created_by: str
    id: str
    name: str
    rate_limit_per_minute: int
    revoked_at: str
    role: str
    team: str
    token: str
    user_id: str
    expires_at: str
    def __init__(self, created_at: _Optional[str] = ..., created_by: _Optional[str] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., rate_limit_per_minute: _Optional[int] = ..., revoked_at: _Optional[str] = ..., role: _Optional[str] = ..., team: _Optional[str] = ..., token: _Optional[str] = ..., user_id: _Optional[str] = ..., expires_at: _Optional[str] = ...) -> None: ...

class TokenIn(_message.Message):
    __slots__ = ("name", "rate_limit_per_minute", "role", "team", "user_id", "expires_at")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMIT_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    name: str
    rate_limit_per_minute: int
    role: str
    team: str
    user_id: str
    expires_at: str
    def __init__(self, name: _Optional[str] = ..., rate_limit_per_minute: _Optional[int] = ..., role: _Optional[str] = ..., team: _Optional[str] = ..., user_id: _Optional[str] = ..., expires_at: _Optional[str] = ...) -> None: ...

class TokenOut(_message.Message):
    __slots__ = ("created_at", "created_by", "id", "name", "rate_limit_per_minute", "revoked_at", "role", "team", "user_id", "expires_at")
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMIT_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    created_at: str
    created_by: str
    id: str
    name: str
    rate_limit_per_minute: int
    revoked_at: str
    role: str
    team: str
    user_id: str
    expires_at: str
    def __init__(self, created_at: _Optional[str] = ..., created_by: _Optional[str] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., rate_limit_per_minute: _Optional[int] = ..., revoked_at: _Optional[str] = ..., role: _Optional[str] = ..., team: _Optional[str] = ..., user_id: _Optional[str] = ..., expires_at: _Optional[str] = ...) -> None: ...
