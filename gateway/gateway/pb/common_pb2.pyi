from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Address(_message.Message):
    __slots__ = ("city", "country", "postal_code", "region", "street")
    CITY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    STREET_FIELD_NUMBER: _ClassVar[int]
    city: str
    country: str
    postal_code: str
    region: str
    street: str
    def __init__(self, city: _Optional[str] = ..., country: _Optional[str] = ..., postal_code: _Optional[str] = ..., region: _Optional[str] = ..., street: _Optional[str] = ...) -> None: ...

class ChangeCauseOut(_message.Message):
    __slots__ = ("id", "kind", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    name: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class RecordChangeOut(_message.Message):
    __slots__ = ("action", "actor", "at", "cause", "changes", "correlation_id", "version")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    action: str
    actor: str
    at: str
    cause: ChangeCauseOut
    changes: _struct_pb2.Struct
    correlation_id: str
    version: int
    def __init__(self, action: _Optional[str] = ..., actor: _Optional[str] = ..., at: _Optional[str] = ..., cause: _Optional[_Union[ChangeCauseOut, _Mapping]] = ..., changes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., correlation_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...
