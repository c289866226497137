"""crmkit.schemas.load refuses, by name, what no field type forbids but no database
takes: NUL characters, lone surrogates and integers beyond 32 bits (found by the fuzzer
as 500s), and JSON nested too deep; and the shared fields refuse days at the
calendar's edges, amounts that are no money, and currencies that do not exist."""
from decimal import Decimal

import pytest
from marshmallow import Schema, fields

from crmkit.errors import ValidationFailed
from crmkit.schemas import INT_MAX, MAX_DEPTH, Amount, Currency, Day, Period, Timestamp, load, money_problem, too_deep


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


# Issue 11 items 7, 9, 10: lone surrogates, nesting, calendar edges, amounts, currencies
class Bounded(Schema):
    note = fields.String()
    budget = Amount(allow_none=True)
    price = Amount(places=6)
    currency = Currency()
    day = Day()
    at = Timestamp()
    anything = fields.Raw()


def refused(data) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        load(Bounded(), data)
    return caught.value.details


def test_a_lone_surrogate_is_named_like_a_nul():
    assert refused({"note": "x\ud800"}) == {"note": ["Must be valid Unicode text (a lone surrogate is not)."]}
    assert refused({"anything": {"deep": ["ok", "\udfff"]}}) == {
        "anything": {"deep": {1: ["Must be valid Unicode text (a lone surrogate is not)."]}}}


def test_json_nested_deeper_than_the_limit_is_refused_before_anything_walks_it():
    deep: list = []
    for _ in range(990):
        deep = [deep]
    assert refused({"anything": deep}) == {"_schema": [f"Nested deeper than {MAX_DEPTH} levels."]}
    assert not too_deep({"anything": [[{"a": [1]}]]})


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_a_day_at_the_calendar_edges_is_refused(value):
    assert list(refused({"day": value})) == ["day"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_timestamp_whose_offset_would_leave_the_calendar_is_refused(value):
    assert list(refused({"at": value})) == ["at"]


def test_a_period_at_the_end_of_the_calendar_names_its_ends():
    with pytest.raises(ValidationFailed) as caught:
        load(Period(), {"from": "9999-12-01", "to": "9999-12-31"})
    assert set(caught.value.details) == {"from", "to"}


@pytest.mark.parametrize(("value", "message"), [
    ("0.000000000000000000000000000001", "At most 4 decimals."),
    ("1" + "0" * 30, "Must be smaller than 1,000,000,000,000,000."),
    ("-0", "Must not be negative zero."),
    # Only the form the API document gives: no exponent, no NaN or Infinity, no number.
    ("1E+30", 'Not a decimal written as text, like "1234.50".'),
    ("NaN", 'Not a decimal written as text, like "1234.50".'),
    ("Infinity", 'Not a decimal written as text, like "1234.50".'),
    (" 5", 'Not a decimal written as text, like "1234.50".'),
    ("1_000", 'Not a decimal written as text, like "1234.50".'),
    (5, 'Not a decimal written as text, like "1234.50".'),
])
def test_an_amount_is_finite_sane_in_size_and_no_finer_than_any_currency(value, message):
    assert refused({"budget": value}) == {"budget": [message]}


def test_an_amount_is_taken_exactly_as_written():
    loaded = load(Bounded(), {"budget": "1000", "price": "0.123456"})
    assert (str(loaded["budget"]), str(loaded["price"])) == ("1000", "0.123456")
    assert refused({"price": "0.1234567"}) == {"price": ["At most 6 decimals."]}


def test_an_amount_has_at_most_its_currency_minor_units():
    assert money_problem(Decimal("0.001"), "EUR") == "At most 2 decimals in EUR."
    assert money_problem(Decimal("1.5"), "JPY") == "No decimals in JPY."
    assert money_problem(Decimal("0.125"), "BHD") is None
    assert money_problem(Decimal("0.44"), "EUR") is None


@pytest.mark.parametrize("code", ["ZZZ", "QQQ", "ABC", "XXX", "eur"])
def test_a_currency_is_an_iso_4217_code_of_a_currency(code):
    assert list(refused({"currency": code})) == ["currency"]
    assert load(Bounded(), {"currency": "CHF"})["currency"] == "CHF"
