"""The event contract as the gateway serves it, from the committed documents that
``python -m gateway.eventdocs`` makes (the gateway does not import the services):
``GET /event-types`` (the catalogue, with each type's schema URL), each type's JSON
Schema at its events' ``dataschema`` URL, and the AsyncAPI document."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from crmkit.envelope import schema_url

EVENTS = Path(__file__).with_name("events")
ASYNCAPI = EVENTS / "asyncapi.json"


@functools.cache
def catalogue() -> tuple[dict, ...]:
    return tuple(json.loads((EVENTS / "catalogue.json").read_text()))


def listed(api_url: str) -> list[dict]:
    return [{**entry, "dataschema": schema_url(api_url, entry["type"])} for entry in catalogue()]


@functools.cache
def schema(type_: str) -> bytes | None:
    """The JSON Schema of the events of ``type_``; None for a type no service publishes."""
    if type_ not in {entry["type"] for entry in catalogue()}:
        return None
    return (EVENTS / "schemas" / f"{type_}.json").read_bytes()
