"""The event envelope: CloudEvents 1.0 attributes plus our extensions.

An event travels in structured mode: the AMQP body is the whole envelope as JSON, so a
subscriber needs nothing but the body to know what happened, to whom, and why.

``source`` is absolute and names the installation and the service
(``urn:crm:<installation id>:<service>``, crmkit.settings); ``subject`` is the record's
id; ``sequence`` (the CloudEvents sequence extension) counts the events of one subject
from one source, gap-free, and is zero-padded so that comparing the strings orders them
(outbox.append assigns it); ``dataschema`` is the URL of the type's JSON Schema, served
by the gateway; ``traceparent`` (the distributed tracing extension) is the W3C trace
context of the request that caused the event.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime

from .ids import new_id

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
# Digits of a sequence: any 64-bit count, and strings that sort as the numbers do.
SEQUENCE_DIGITS = 20


def sequence_text(number: int) -> str:
    return f"{number:0{SEQUENCE_DIGITS}d}"


def event_type(name: str, version: int = 1) -> str:
    """``lead.converted`` -> ``crm.lead.converted.v1``, the type and the routing key."""
    return f"crm.{name}.v{version}"


def schema_url(api_url: str, type: str) -> str:
    """Where the gateway serves the JSON Schema of events of ``type`` (their ``dataschema``)."""
    return f"{api_url}/event-types/{type}/schema"


@dataclass(frozen=True)
class Envelope:
    id: str
    source: str
    type: str
    subject: str
    time: str
    data: dict
    sequence: str | None = None
    dataschema: str | None = None
    correlationid: str | None = None
    causationid: str | None = None
    actor: str | None = None
    traceparent: str | None = None
    specversion: str = SPEC_VERSION
    datacontenttype: str = "application/json"
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def new(cls, *, source: str, type: str, subject: str, data: dict, sequence: str | None = None,
            dataschema: str | None = None, correlationid: str | None = None, causationid: str | None = None,
            actor: str | None = None, traceparent: str | None = None) -> Envelope:
        return cls(
            id=new_id(), source=source, type=type, subject=subject,
            time=datetime.now(UTC).isoformat(timespec="microseconds"),
            data=data, sequence=sequence, dataschema=dataschema, correlationid=correlationid,
            causationid=causationid, actor=actor, traceparent=traceparent,
        )

    @property
    def name(self) -> str:
        """``crm.lead.converted.v1`` -> ``lead.converted``."""
        return self.type.removeprefix("crm.").rsplit(".v", 1)[0]

    def to_dict(self) -> dict:
        body = {k: v for k, v in asdict(self).items() if k != "extra" and v is not None}
        body.update(self.extra)
        return body

    def to_json(self) -> str:
        # The same body as to_dict's, without its deep copy (asdict): json.dumps only reads it.
        body = {name: value for name in _FIELDS if (value := getattr(self, name)) is not None}
        body.update(self.extra)
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def from_dict(cls, body: dict) -> Envelope:
        missing = [k for k in ("id", "source", "type", "subject", "time", "data") if k not in body]
        if missing:
            raise ValueError(f"not a CRM event envelope: missing {', '.join(missing)}")
        known = set(cls.__dataclass_fields__) - {"extra"}
        extra = {k: v for k, v in body.items() if k not in known}
        return cls(**{k: v for k, v in body.items() if k in known}, extra=extra)


# The envelope's attributes in to_dict's order (extra, the unknown ones, go last).
_FIELDS = tuple(f.name for f in fields(Envelope) if f.name != "extra")
