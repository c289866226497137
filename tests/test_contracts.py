"""Contracts as code: the published event envelope and what the code produces agree."""
import json
import re
from pathlib import Path

from crmkit.envelope import Envelope, event_type

PROTO = Path(__file__).parents[1] / "proto" / "crm" / "events" / "v1" / "event.proto"


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
