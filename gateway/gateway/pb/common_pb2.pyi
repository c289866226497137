from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

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
