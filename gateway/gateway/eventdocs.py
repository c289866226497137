"""Make the event contract's documents from the services' catalogues (``leads.events``,
``deals.events``, ``billing.events``; crmkit.catalogue): a JSON Schema per event type
and version (the CloudEvents envelope with its ``data``), the catalogue the gateway
answers ``GET /event-types`` from, and an AsyncAPI 3.0 document.

Each service's README gets the table of what it publishes and consumes between its
``<!-- events -->`` markers.

``python -m gateway.eventdocs`` writes them under ``gateway/events``; ``--check`` fails
when the committed ones are stale. Both refuse a change that would break a consumer of
a type already published (``breaks``): a field removed or retyped, a field made
required or no longer required, a type removed or renamed, unless the type gets a new
version. Adding an optional field is no break. The committed schemas are that snapshot.

Like apigen, this reads the services' schemas and runs where they are installed; the
gateway only serves the committed files.
"""
from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from importlib.metadata import entry_points
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from crmkit.broker import EVENTS_EXCHANGE
from crmkit.catalogue import Catalogue, EventType
from crmkit.envelope import CONTENT_TYPE, SEQUENCE_DIGITS, SPEC_VERSION
from crmkit.runner import event_handlers

from .apigen import decimal_as_string, integer_bounds, schema_name

HERE = Path(__file__).parent / "events"
SCHEMAS = HERE / "schemas"
CATALOGUE_DOC = HERE / "catalogue.json"
ASYNCAPI = HERE / "asyncapi.json"
SERVICES_DIR = Path(__file__).parents[2] / "services"
README_PART = re.compile(r"(<!-- events -->\n).*?(<!-- /events -->)", re.S)
VERSION = "1.0.0"
SERVICES = ("leads", "deals", "billing", "subscriptions")
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
TRACEPARENT_PATTERN = "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
# What a keyword says in words only: changing it breaks no consumer.
WORDS = frozenset({"description", "title", "example", "examples"})


def catalogues() -> list[Catalogue]:
    return [importlib.import_module(f"{service}.events").CATALOGUE for service in SERVICES]


def file_name(type_: str) -> str:
    return f"{type_}.json"


def event_schema(event: EventType) -> dict:
    """The JSON Schema of one event type's events: the envelope, with ``data`` by the
    type's marshmallow schema (and the schemas it nests, in ``$defs``)."""
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    spec = APISpec(title=event.type, version=VERSION, openapi_version="3.1.0", plugins=[plugin])
    plugin.converter.add_attribute_function(decimal_as_string)
    plugin.converter.add_attribute_function(integer_bounds)
    data_name = event.data.__name__
    spec.components.schema(data_name, schema=event.data)
    defs = _refs_to_defs(spec.to_dict()["components"]["schemas"])
    text = {"type": "string", "minLength": 1}
    return {
        "$schema": JSON_SCHEMA,
        "title": event.type,
        "description": f"{event.description} Published by the {event.service} service as a CloudEvent "
                       f"(structured mode, {CONTENT_TYPE}).",
        "type": "object",
        "required": ["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema",
                     "sequence", "data"],
        "properties": {
            "specversion": {"const": SPEC_VERSION},
            "id": {**text, "description": "Unique per event: deduplicate on it."},
            "source": {"type": "string", "pattern": rf"^urn:crm:[A-Za-z0-9][A-Za-z0-9.-]*:{event.service}$",
                       "description": "urn:crm:<installation id>:<service>."},
            "type": {"const": event.type},
            "subject": {**text, "description": "The id of the record the event is about."},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"type": "string", "format": "uri",
                           "description": "Where the gateway serves this schema."},
            "sequence": {"type": "string", "pattern": f"^[0-9]{{{SEQUENCE_DIGITS}}}$", "description": (
                "The event's place among the events of its subject from its source: 1, 2, 3 ... without gaps, "
                f"zero-padded to {SEQUENCE_DIGITS} digits so that the strings sort as the numbers do.")},
            "correlationid": {**text, "description": "One id for one user action across every service."},
            "causationid": {**text, "description": "The request or event that caused this one."},
            "actor": {**text, "description": "Who did it."},
            "traceparent": {"type": "string", "pattern": TRACEPARENT_PATTERN,
                            "description": "The W3C trace context of the request that caused it."},
            "data": {"$ref": f"#/$defs/{data_name}"},
        },
        "$defs": defs,
    }


def _refs_to_defs(value):
    """apispec's components as ``$defs``; open objects: a consumer ignores the fields it
    does not know, so that adding one (optional) breaks no one who validates."""
    if isinstance(value, dict):
        return {key: (item.replace("#/components/schemas/", "#/$defs/") if key == "$ref" else _refs_to_defs(item))
                for key, item in value.items() if not (key == "additionalProperties" and item is False)}
    if isinstance(value, list):
        return [_refs_to_defs(item) for item in value]
    return value


def catalogue_entries(found: list[Catalogue]) -> list[dict]:
    """What GET /event-types answers (the gateway adds each schema's URL)."""
    return [{"type": event.type, "name": event.name, "version": event.version, "service": event.service,
             "description": event.description}
            for catalogue in found for event in catalogue]


def asyncapi(found: list[Catalogue], schemas: dict[str, dict]) -> dict:
    """An AsyncAPI 3.0 document: a channel per event type on the events exchange (its
    routing key is the type), the CRM sending each one, the payload its JSON Schema."""
    channels, operations, messages, components = {}, {}, {}, {}
    for catalogue in found:
        for event in catalogue:
            key = event.type.replace(".", "_")
            schema = schemas[event.type]
            for name, definition in schema["$defs"].items():
                components[name] = _defs_to_components(definition)
            envelope = {k: v for k, v in schema.items() if k not in ("$schema", "$defs")}
            components[key] = _defs_to_components(envelope)
            messages[key] = {
                "name": event.type, "title": event.name, "summary": event.description,
                "contentType": CONTENT_TYPE, "payload": {"$ref": f"#/components/schemas/{key}"},
            }
            channels[key] = {
                "address": event.type, "title": event.name, "description": event.description,
                "messages": {key: {"$ref": f"#/components/messages/{key}"}},
                "bindings": {"amqp": {"is": "routingKey", "bindingVersion": "0.3.0", "exchange": {
                    "name": EVENTS_EXCHANGE.name, "type": "topic", "durable": True, "autoDelete": False}}},
            }
            operations[f"publish_{key}"] = {
                "action": "send", "channel": {"$ref": f"#/channels/{key}"}, "summary": event.description,
                "tags": [{"name": event.service}],
                "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "CRM events", "version": VERSION, "description": (
            "Every event the CRM's services publish, as CloudEvents 1.0 in structured mode on the topic exchange "
            f"{EVENTS_EXCHANGE.name} (routing key: the type). data is the whole record after the change and, where it "
            "changed, changed: each changed field with its previous value. GET /api/v1/event-types lists them.")},
        "defaultContentType": CONTENT_TYPE,
        "servers": {"broker": {"host": "127.0.0.1:5672", "protocol": "amqp", "protocolVersion": "0-9-1",
                               "description": "The installation's RabbitMQ (AMQP_URI)."}},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(components.items()))},
    }


def _defs_to_components(value):
    if isinstance(value, dict):
        return {key: (item.replace("#/$defs/", "#/components/schemas/") if key == "$ref"
                      else _defs_to_components(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_defs_to_components(item) for item in value]
    return value


def readme_part(catalogue: Catalogue, consumed: list[tuple[str, tuple[str, ...]]]) -> str:
    """What a service's README says of its events: a row per type it publishes, and the
    types each of its handlers consumes."""
    rows = ["Publishes (the data convention and each type's schema: `GET /api/v1/event-types`, "
            "gateway/README.md):", "", "| type | data | meaning |", "|---|---|---|"]
    for event in catalogue:
        rows.append(f"| `{event.type}` | {', '.join(event.data().fields)} | {event.description} |")
    rows += ["", "Consumes:" if consumed else "Consumes none.", ""]
    rows += [f"- `{method}`: {', '.join(f'`{t}`' for t in types)}" for method, types in consumed]
    return "\n".join(rows).rstrip() + "\n"


def _readmes(found: list[Catalogue]) -> dict[Path, str]:
    services = {ep.name: ep for ep in entry_points(group="crm.services")}
    docs = {}
    for catalogue in found:
        path = SERVICES_DIR / catalogue.service / "README.md"
        if not path.exists() or catalogue.service not in services:
            continue
        consumed = sorted(event_handlers(services[catalogue.service].load()))
        text = path.read_text()
        if not README_PART.search(text):
            raise LookupError(f"{path} has no <!-- events --> ... <!-- /events --> part for its events")
        part = readme_part(catalogue, consumed)
        docs[path] = README_PART.sub(lambda match, part=part: match.group(1) + part + match.group(2), text)
    return docs


def render(found: list[Catalogue] | None = None) -> dict[Path, str]:
    found = catalogues() if found is None else found
    schemas = {event.type: event_schema(event) for catalogue in found for event in catalogue}
    docs = {SCHEMAS / file_name(type_): _json(schema) for type_, schema in schemas.items()}
    docs[CATALOGUE_DOC] = _json(catalogue_entries(found))
    docs[ASYNCAPI] = _json(asyncapi(found, schemas))
    docs.update(_readmes(found))
    return docs


def _json(value) -> str:
    return json.dumps(value, indent=1, sort_keys=True) + "\n"


def committed_schemas() -> dict[str, dict]:
    return {path.name.removesuffix(".json"): json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json"))}


def breaks(published: dict[str, dict], current: dict[str, dict]) -> list[str]:
    """What in ``current`` (type -> its JSON Schema) would break a consumer of
    ``published``: a published type gone (unless a newer version of it is there), or
    changed other than by an optional field added."""
    problems = []
    for type_, old in sorted(published.items()):
        if type_ in current:
            problems += [f"{type_}: {problem}" for problem in _compare(old, current[type_], old, current[type_], "")]
        elif not _newer_version(type_, current):
            problems.append(f"{type_}: removed or renamed without a new version")
    return problems


def _newer_version(type_: str, current: dict) -> bool:
    name, _, version = type_.rpartition(".v")
    return any(other.rpartition(".v")[0] == name and int(other.rpartition(".v")[2]) > int(version)
               for other in current)


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _compare(old: dict, new: dict, old_root: dict, new_root: dict, path: str) -> list[str]:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    where = path or "the event"
    problems = []
    old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
    for name, schema in old_properties.items():
        if name not in new_properties:
            problems.append(f"{path}.{name} removed")
        else:
            problems += _compare(schema, new_properties[name], old_root, new_root, f"{path}.{name}")
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    problems += [f"{path}.{name} became required" for name in sorted(new_required - old_required)]
    problems += [f"{path}.{name} is no longer required" for name in sorted(old_required - new_required)]
    for key in ("items", "additionalProperties"):
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            problems += _compare(old[key], new[key], old_root, new_root, f"{path}[]")
        elif old.get(key) != new.get(key):
            problems.append(f"{where}: {key} {old.get(key)!r} became {new.get(key)!r}")
    for key in ("anyOf", "oneOf", "allOf"):  # a nullable nested record: [its $ref, null]
        if isinstance(old.get(key), list) and isinstance(new.get(key), list) and len(old[key]) == len(new[key]):
            for old_choice, new_choice in zip(old[key], new[key], strict=True):
                problems += _compare(old_choice, new_choice, old_root, new_root, path)
        elif old.get(key) != new.get(key):
            problems.append(f"{where}: {key} {old.get(key)!r} became {new.get(key)!r}")
    compared = {"properties", "required", "items", "additionalProperties", "anyOf", "oneOf", "allOf", "$ref",
                "$defs"} | WORDS
    for key in sorted((set(old) | set(new)) - compared):
        if old.get(key) != new.get(key):
            problems.append(f"{where}: {key} {old.get(key)!r} became {new.get(key)!r}")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.eventdocs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a committed document is stale")
    args = parser.parse_args(argv)
    docs = render()
    current = {path.name.removesuffix(".json"): json.loads(text) for path, text in docs.items()
               if path.parent == SCHEMAS}
    broken = breaks(committed_schemas(), current)
    if broken:
        sys.exit("these changes would break consumers; publish a new version of the type instead "
                 "(crmkit.catalogue, version=):\n  " + "\n  ".join(broken))
    stale = [str(path) for path, text in docs.items() if not path.exists() or path.read_text() != text]
    retired = [path for path in SCHEMAS.glob("*.json") if path not in docs]
    if args.check:
        if stale or retired:
            sys.exit("stale, run `python -m gateway.eventdocs`: " + ", ".join(stale + [str(p) for p in retired]))
        return
    SCHEMAS.mkdir(parents=True, exist_ok=True)
    for path in retired:  # a type with a newer version (breaks allowed it)
        path.unlink()
        print(f"removed {path}")
    for path, text in docs.items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
