"""The event catalogue: every event type a service publishes, declared once, in the
service's ``events`` module (``leads.events``, ``deals.events``, ``billing.events``).

A declaration names the type, its version, a one-line meaning and the marshmallow schema
of its ``data``, made from the service's own output schemas (``LeadOut`` ...), so the
published JSON Schema (``python -m gateway.eventdocs``) is generated from what shapes the
data and is never written twice. The unit of work emits only declared types
(``UnitOfWork.emit`` raises ``UndeclaredEvent`` otherwise).

One convention for ``data`` (docs in libs/crmkit/README.md, "Events"): an event about
a record carries ``record``, the whole record as it is after the change (as the API
shows it), and, where the record changed, ``changed``: each changed field with its
previous value, as the record's history (``crmkit.history``) keeps it. A few events
carry named context besides (``payment`` of invoice.payment_recorded). Events about
something that is not a record (a team's members) carry that thing's own schema.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from marshmallow import Schema, fields

from .envelope import event_type

CHANGED_DESCRIPTION = (
    "Each field of the record this change changed, with its previous value as the record's history keeps it "
    "(decimals, dates and times as exact text; a list of parts as the whole previous list).")


class UndeclaredEvent(LookupError):
    """A service emitted an event type its catalogue does not declare."""


@dataclass(frozen=True)
class EventType:
    name: str                    # "lead.created"
    description: str             # one line: what happened
    data: type[Schema]           # the marshmallow schema of ``data``
    version: int = 1
    # An event about one record: data is {"record", "changed"?, ...} (see the module).
    about_record: bool = False
    # It reports a change of an existing record: data["changed"] is always there.
    changes: bool = False
    service: str = field(default="", compare=False)

    @property
    def type(self) -> str:
        """``crm.lead.created.v1``: the CloudEvents type and the routing key."""
        return event_type(self.name, self.version)


def _record_schema(name: str, out: type[Schema], changes: bool, extra: dict) -> type[Schema]:
    shape = {"record": fields.Nested(out, required=True,
                                     metadata={"description": "The whole record as it is after the change."})}
    if changes:
        shape["changed"] = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True,
                                       metadata={"description": CHANGED_DESCRIPTION})
    shape.update(extra)
    return Schema.from_dict(shape, name=_schema_name(name))


def _schema_name(name: str) -> str:
    """``invoice.payment_recorded`` -> ``InvoicePaymentRecordedData``."""
    return "".join(part.capitalize() for part in name.replace(".", "_").split("_")) + "Data"


def created(name: str, out: type[Schema], description: str, version: int = 1, **extra: fields.Field) -> EventType:
    """A record was made (or, its last state, removed): data is ``{"record", **extra}``."""
    return EventType(name, description, _record_schema(name, out, False, extra), version, about_record=True)


def changed(name: str, out: type[Schema], description: str, version: int = 1, **extra: fields.Field) -> EventType:
    """A record changed: data is ``{"record", "changed", **extra}``."""
    return EventType(name, description, _record_schema(name, out, True, extra), version, about_record=True,
                     changes=True)


def other(name: str, data: type[Schema], description: str, version: int = 1) -> EventType:
    """Something that is not one record changed: data is ``data``'s dump."""
    return EventType(name, description, data, version)


class Catalogue:
    """The event types one service publishes."""

    def __init__(self, service: str, *types: EventType):
        self.service = service
        self.types = tuple(replace(t, service=service) for t in types)
        self._by_name = {}
        for declared in self.types:
            if declared.name in self._by_name:
                raise ValueError(f"{service} declares {declared.name} twice; a new version is a new name's "
                                 f"successor, not a second declaration")
            self._by_name[declared.name] = declared

    def __iter__(self):
        return iter(self.types)

    def __getitem__(self, name: str) -> EventType:
        try:
            return self._by_name[name]
        except KeyError:
            raise UndeclaredEvent(f"the {self.service} service does not declare the event type {name!r} "
                                  f"(add it to {self.service}.events)") from None
