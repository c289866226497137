"""The API's JSON (as REST and the services speak it) and its proto messages, one onto
the other: the messages of ``gateway.pb`` are the JSON Schemas field for field (see
``protogen``), so this is protobuf's own JSON mapping with three differences that keep
the JSON exactly as REST has it:

- keys are the JSON names: the field name, or its explicit ``json_name`` where the
  JSON name is a keyword (``from``, ``in``), never protobuf's lowerCamelCase;
- int64 is a JSON number, not protobuf's string (services load some integers strictly);
- a whole number in a Struct or Value is an int again (protobuf keeps only doubles).
"""
from __future__ import annotations

import base64
import functools
import logging
from typing import Any

from google.protobuf import descriptor_pb2, json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor
from google.protobuf.message import Message

log = logging.getLogger(__name__)

JSON_VALUES = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
_INTEGERS = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_UINT64,
             FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SINT32,
             FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_FIXED32, FieldDescriptor.TYPE_SFIXED64,
             FieldDescriptor.TYPE_SFIXED32}


def to_message(data: dict, message: Message) -> Message:
    """Fill ``message`` from JSON. A field the message lacks is an error (the schemas and
    the protos have drifted apart): it is logged, and the rest still answers."""
    try:
        return json_format.ParseDict(data, message, ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        if "has no field named" not in str(exc):
            raise
        log.error("a field its proto lacks (run gateway.protogen?): %s", str(exc).splitlines()[0])
        message.Clear()
        return json_format.ParseDict(data, message, ignore_unknown_fields=True)


def to_json(message: Message) -> dict:
    """The fields set in ``message`` as JSON; an unset field is left out."""
    keys = json_keys(message.DESCRIPTOR)
    return {keys[field.name]: _json_field(field, value) for field, value in message.ListFields()}


def json_key(descriptor: Descriptor, field_name: str) -> str:
    return json_keys(descriptor)[field_name]


@functools.cache
def json_keys(descriptor: Descriptor) -> dict[str, str]:
    explicit = _explicit_json_names(descriptor.file).get(descriptor.full_name, {})
    return {field.name: explicit.get(field.name, field.name) for field in descriptor.fields}


@functools.cache
def _explicit_json_names(file: FileDescriptor) -> dict[str, dict[str, str]]:
    """message full name -> {field name: json_name} for the json_names a proto file sets
    itself (protoc leaves the others out of the descriptor it embeds)."""
    proto = descriptor_pb2.FileDescriptorProto.FromString(file.serialized_pb)
    names: dict[str, dict[str, str]] = {}

    def visit(prefix: str, messages) -> None:
        for message in messages:
            full_name = f"{prefix}.{message.name}" if prefix else message.name
            names[full_name] = {f.name: f.json_name for f in message.field if f.HasField("json_name")}
            visit(full_name, message.nested_type)

    visit(proto.package, proto.message_type)
    return names


def _json_field(field: FieldDescriptor, value: Any) -> Any:
    if field.is_repeated:
        return [_json_value(field, item) for item in value]
    return _json_value(field, value)


def _json_value(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name in JSON_VALUES:
            return _whole_numbers(json_format.MessageToDict(value))
        return to_json(value)
    if field.type in _INTEGERS:
        return int(value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode()
    return value


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value
