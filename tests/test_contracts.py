"""Contracts as code: the published event envelope and what the code produces agree; the
event catalogue's committed schemas are current, and a change that would break a consumer
of a published type fails here unless the type gets a new version."""
import ast
import importlib
import json
import re
from pathlib import Path

import pytest
from marshmallow import fields

from crmkit.catalogue import Catalogue, EventType, UndeclaredEvent, created
from crmkit.context import CallContext
from crmkit.envelope import Envelope, event_type
from crmkit.unit_of_work import UnitOfWork
from gateway import eventdocs
from leads.schemas import LeadOut

ROOT = Path(__file__).parents[1]
PROTO = ROOT / "proto" / "crm" / "events" / "v1" / "event.proto"


def proto_fields() -> set[str]:
    message = re.search(r"message Event \{(.*?)\n\}", PROTO.read_text(), re.S).group(1)
    return set(re.findall(r"^\s*(?:optional\s+)?[\w.]+\s+(\w+)\s*=\s*\d+;", message, re.M))


def test_the_envelope_on_the_wire_has_exactly_the_published_fields():
    envelope = Envelope.new(source="urn:crm:test:leads", type=event_type("lead.created"), subject="L", data={},
                            sequence="00000000000000000001", dataschema="http://x/api/v1/event-types/t/schema",
                            correlationid="c", causationid="x", actor="a",
                            traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    assert set(json.loads(envelope.to_json())) == proto_fields()


def test_optional_extensions_may_be_absent_but_nothing_else_appears():
    bare = Envelope.new(source="urn:crm:test:leads", type=event_type("lead.created"), subject="L", data={})
    assert set(json.loads(bare.to_json())) <= proto_fields()


# The event catalogue (crmkit.catalogue, each service's events.py) and its documents (gateway.eventdocs)

def _current(found=None) -> dict[str, dict]:
    return {path.name.removesuffix(".json"): json.loads(text) for path, text in eventdocs.render(found).items()
            if path.parent == eventdocs.SCHEMAS}


def test_the_committed_event_documents_are_current():
    for path, text in eventdocs.render().items():
        assert path.exists() and path.read_text() == text, f"{path.name} is stale: run `python -m gateway.eventdocs`"
    assert {path.name for path in eventdocs.SCHEMAS.glob("*.json")} == {
        eventdocs.file_name(event.type) for catalogue in eventdocs.catalogues() for event in catalogue}


def test_no_published_event_type_changed_in_a_way_that_breaks_a_consumer():
    assert eventdocs.breaks(eventdocs.committed_schemas(), _current()) == []


def _with_leads(*types: EventType) -> list[Catalogue]:
    """The catalogues, with lead.created (and only it) declared as ``types`` say."""
    leads, *others = eventdocs.catalogues()
    return [Catalogue("leads", *[t for t in leads if t.name != "lead.created"], *types), *others]


class LeadOutWithoutEmail(LeadOut):
    class Meta:
        exclude = ("email",)


class LeadOutWithANumberForEmail(LeadOut):
    email = fields.Integer(allow_none=True)


class LeadOutWithANickname(LeadOut):
    nickname = fields.String(allow_none=True)


@pytest.mark.parametrize(("lead_created", "problem"), [
    (created("lead.created", LeadOutWithoutEmail, "A lead."), ".data.record.email removed"),
    (created("lead.created", LeadOutWithANumberForEmail, "A lead."), ".data.record.email: type"),
    (created("lead.created", LeadOut, "A lead.", why=fields.String(required=True)), ".data.why became required"),
    (None, "removed or renamed without a new version"),
])
def test_a_change_that_would_break_a_consumer_is_refused(lead_created, problem):
    found = _with_leads(*([lead_created] if lead_created else []))
    problems = eventdocs.breaks(eventdocs.committed_schemas(), _current(found))
    assert problems and all(p.startswith("crm.lead.created.v1: ") for p in problems), problems
    assert any(problem in p for p in problems), problems


def test_a_renamed_type_is_a_break_and_a_new_version_is_not():
    renamed = created("lead.made", LeadOut, "A lead.")
    assert eventdocs.breaks(eventdocs.committed_schemas(), _current(_with_leads(renamed))) == [
        "crm.lead.created.v1: removed or renamed without a new version"]
    retyped_in_v2 = created("lead.created", LeadOutWithoutEmail, "A lead.", version=2)
    assert eventdocs.breaks(eventdocs.committed_schemas(), _current(_with_leads(retyped_in_v2))) == []


def test_an_optional_field_added_breaks_no_one():
    nickname = created("lead.created", LeadOutWithANickname, "A lead.")
    assert eventdocs.breaks(eventdocs.committed_schemas(), _current(_with_leads(nickname))) == []


def test_the_envelope_in_every_event_schema_is_the_published_one():
    for schema in eventdocs.committed_schemas().values():
        assert set(schema["properties"]) == proto_fields()


def _event_names(service: str, entities: set[str]) -> list[tuple[str, str]]:
    """Every string in a service's code (but its catalogue) that names an event of one
    of ``entities`` ("quote.sent"), with where it is."""
    found = []
    for path in sorted((ROOT / "services" / service / service).glob("*.py")):
        if path.name == "events.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"[a-z_]+\.[a-z_]+", node.value) and node.value.split(".")[0] in entities:
                found.append((f"{path.name}:{node.lineno}", node.value))
    return found


@pytest.mark.parametrize("service", eventdocs.SERVICES)
def test_every_event_a_service_names_is_declared_in_its_catalogue_and_every_declared_one_is_named(service):
    declared = {event.name for event in importlib.import_module(f"{service}.events").CATALOGUE}
    named = _event_names(service, {name.split(".")[0] for name in declared})
    assert named  # the scan finds them at all (the next two lines say which)
    assert [(where, name) for where, name in named if name not in declared] == []
    # customers.py emits f"{entity}.archived": the unit of work checks such a name when it is emitted.
    assert declared - {name for _, name in named} <= {"organization.archived", "contact.archived"}


def test_the_unit_of_work_refuses_an_undeclared_event_type():
    unit = UnitOfWork(engine=None, source="leads", call=CallContext(), sqlite_lock=None, waker=None,
                      catalogue=importlib.import_module("leads.events").CATALOGUE)
    with pytest.raises(UndeclaredEvent, match="does not declare the event type 'lead.vanished'"):
        unit.emit("lead.vanished", "L1", {})
    assert unit.emit("team.members_changed", "north", {"team": "north", "members": []}).type == \
        "crm.team.members_changed.v1"
