"""crmkit.schemas.load refuses, by name, what no field type forbids but no database
takes: NUL characters and integers beyond 32 bits (found by the fuzzer as 500s)."""
import pytest
from marshmallow import Schema, fields

from crmkit.errors import ValidationFailed
from crmkit.schemas import INT_MAX, load


class Line(Schema):
    description = fields.String()


class Thing(Schema):
    name = fields.String(required=True)
    count = fields.Integer()
    lines = fields.List(fields.Nested(Line))


def details(data) -> dict:
    with pytest.raises(ValidationFailed) as refused:
        load(Thing(), data)
    return refused.value.details


def test_nul_characters_and_huge_integers_are_named_with_the_other_bad_fields():
    assert details({"name": "a\x00b", "count": INT_MAX + 1}) == {
        "name": ["Must not contain the NUL character."], "count": [f"Must be between {-INT_MAX - 1} and {INT_MAX}."]}
    assert details({"lines": [{"description": "ok"}, {"description": "\x00"}]}) == {
        "name": ["Missing data for required field."],
        "lines": {1: {"description": ["Must not contain the NUL character."]}}}


def test_what_a_database_takes_passes():
    assert load(Thing(), {"name": "Zoë", "count": INT_MAX, "lines": [{"description": "ok"}]})["count"] == INT_MAX
