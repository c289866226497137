"""marshmallow pieces every boundary uses, and the one way to load input."""
from __future__ import annotations

import functools
import re
from datetime import date, datetime
from decimal import Decimal

import iso4217
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .errors import ValidationFailed
from .listing import ListQuery

# Our integer columns are 32-bit; a larger number would fail in the database, not here.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# How deep a JSON document may nest: far beyond any schema of ours (four levels), far
# below where encoding it again (an RPC, a log line) would exhaust Python's recursion.
MAX_DEPTH = 32


class HealthOut(Schema):
    """Every service's health() (crmkit.health.Health)."""
    service = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("ok",)))


@functools.cache
def instance(schema_class: type[Schema]) -> Schema:
    """One instance per schema class: building a schema (its fields, their validators)
    costs more than loading a small request with it, and loading keeps no state on it."""
    return schema_class()


def load(schema: Schema | type[Schema], data) -> dict:
    """Validate input; a failure names every bad field (ValidationFailed -> HTTP 422).
    ``schema``: a class (its one shared instance) or an instance (a partial one)."""
    if isinstance(schema, type):
        schema = instance(schema)
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["Expected a JSON object."]})
    if too_deep(data):
        raise ValidationFailed({"_schema": [f"Nested deeper than {MAX_DEPTH} levels."]})
    # A field that takes wider integers (a position of the events log) bounds them itself.
    wide = {f.data_key or name for name, f in schema.fields.items() if isinstance(f, Integer) and f.MAX > INT_MAX}
    unstorable = _unstorable({k: v for k, v in data.items() if k not in wide})
    try:
        loaded = schema.load(data)
    except ValidationError as err:
        raise ValidationFailed({**err.messages, **unstorable}) from None
    if unstorable:
        raise ValidationFailed(unstorable)
    return loaded


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether objects and lists nest deeper than ``limit`` in ``value`` (without recursion)."""
    level = [value]
    for _depth in range(limit + 1):
        level = [inner for item in level if isinstance(item, dict | list)
                 for inner in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return True


def text_problem(text: str) -> str | None:
    """What no database stores in text: a NUL character (PostgreSQL refuses it), a lone
    surrogate (JSON's "\\ud800" decodes to one; it has no UTF-8)."""
    if "\x00" in text:
        return "Must not contain the NUL character."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Must be valid Unicode text (a lone surrogate is not)."
    return None


def _unstorable(value) -> dict:
    """Values no field type forbids but no database takes: text_problem's, an integer
    beyond 32 bits. Named like marshmallow names errors: {field: [message]}, nested for
    objects and lists (a field name is no field's value: marshmallow names unknown ones)."""
    problems: dict = {}
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, str) and (problem := text_problem(item)):
            problems[key] = [problem]
        elif isinstance(item, int) and not isinstance(item, bool) and not INT_MIN <= item <= INT_MAX:
            problems[key] = [f"Must be between {INT_MIN} and {INT_MAX}."]
        elif isinstance(item, dict | list) and (inner := _unstorable(item)):
            problems[key] = inner
    return problems


# The size no amount reaches: beyond any deal, well inside what columns and sums keep exact.
MAX_AMOUNT = Decimal(10) ** 15
# Currencies as ISO 4217 has them, those with minor units (not the funds, metals and
# test codes such as XXX and XAU): code -> digits after the decimal point.
MINOR_UNITS = {currency.code: currency.exponent for currency in iso4217.Currency if currency.exponent is not None}
MAX_MINOR_UNITS = max(MINOR_UNITS.values())


# How a decimal is written on the wire, the one form the API document gives ("1234.50"):
# no exponent, sign, blanks, underscores or bare point, which Decimal() would also read.
DECIMAL_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL_TEXT = re.compile(DECIMAL_TEXT)


class Amount(fields.Decimal):
    """An exact decimal, written as a string on the wire ("1234.50"): finite, not -0,
    smaller than MAX_AMOUNT, with at most ``places`` decimals, at least 0 unless a
    validator says otherwise. Money's default ``places`` is the most any currency has;
    where the currency is known, ``money_problem`` checks that currency's own."""

    default_error_messages = {
        "text": "Not a decimal written as text, like \"1234.50\".",
        "negative_zero": "Must not be negative zero.",
        "too_large": f"Must be smaller than {MAX_AMOUNT:,.0f}.",
        "places": "At most {places} decimals.",
    }

    def __init__(self, *, places: int = MAX_MINOR_UNITS, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=0))
        super().__init__(as_string=True, allow_nan=False, **kwargs)
        self.max_places = places  # not fields.Decimal's own ``places``, which rounds to them

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if not isinstance(value, Decimal) and not (isinstance(value, str) and _DECIMAL_TEXT.match(value)):
            raise self.make_error("text")
        number = super()._deserialize(value, attr, data, **kwargs)
        if number.is_zero() and number.is_signed():
            raise self.make_error("negative_zero")
        if abs(number) >= MAX_AMOUNT:
            raise self.make_error("too_large")
        exponent = number.as_tuple().exponent
        if -exponent > self.max_places:
            raise self.make_error("places", places=self.max_places)
        return number.quantize(Decimal(1)) if exponent > 0 else number  # 1E+3 is 1000


def money_problem(amount: Decimal | None, currency: str | None) -> str | None:
    """Why ``amount`` is no amount of ``currency`` (more decimals than its minor unit),
    or None. For the place that knows an amount's currency (a payment: its invoice's)."""
    if amount is None or currency not in MINOR_UNITS:
        return None
    places = MINOR_UNITS[currency]
    if -amount.as_tuple().exponent > places:
        return f"At most {places} decimals in {currency}." if places else f"No decimals in {currency}."
    return None


def iso_4217(code: str) -> None:
    if code not in MINOR_UNITS:
        raise ValidationError("Not an ISO 4217 currency code.")


def Currency(**kwargs) -> fields.String:
    """A currency's ISO 4217 code ("EUR"); the pattern is what the API document shows."""
    return fields.String(validate=[validate.Regexp(r"^[A-Z]{3}$", error="Not an ISO 4217 currency code."),
                                   iso_4217], **kwargs)


class Boolean(fields.Boolean):
    """true or false, as JSON has them (fields.Boolean also takes 1, 0, "yes", "off", ...)."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Integer(fields.Integer):
    """A JSON integer: JSON Schema's, so 3.0 is 3 too (strict=True refuses it); not a
    string, a boolean or 3.5 (which fields.Integer without strict would cut to 3).
    Within 32 bits, as our integer columns are (the API document says so)."""

    MIN, MAX = INT_MIN, INT_MAX

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        number = super()._deserialize(value, attr, data, **kwargs)
        if not self.MIN <= number <= self.MAX:  # 1e300 is an integer too, and no column's
            raise ValidationError(f"Must be between {self.MIN} and {self.MAX}.")
        return number


class Position(Integer):
    """A position of the events log (crmkit.eventlog): a stream offset, which grows past
    32 bits in a long-lived installation; kept in BigInteger columns."""

    MIN, MAX = 0, 2**63 - 1


# Net days a customer has to pay an invoice (DOMAIN.md); the default when none is agreed.
PAYMENT_TERMS_DAYS = (15, 30, 45, 60)
DEFAULT_PAYMENT_TERMS_DAYS = 30


def PaymentTerms(**kwargs) -> fields.Integer:
    return Integer(validate=validate.OneOf(
        PAYMENT_TERMS_DAYS, error="Payment terms are net 15, 30, 45 or 60 days."), **kwargs)


class Address(Schema):
    """A postal address as sales documents carry it (quotes, orders, invoices)."""

    street = fields.String(allow_none=True, validate=validate.Length(max=200))
    postal_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    region = fields.String(allow_none=True, validate=validate.Length(max=100))
    country = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 alpha-2."))


class RecordSchema(Schema):
    id = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)
    owner_id = fields.String(allow_none=True)


class CommaSeparated(fields.Field):
    """A query parameter holding several values: ``status=new,contacted``."""

    def __init__(self, inner: fields.Field, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return [self.inner.deserialize(part.strip()) for part in value.split(",") if part.strip()]

    default_error_messages = {"invalid": "Expected values separated by commas."}


# The days the system works with. No record of ours is older than 1900, and a year's
# margin before the calendar ends (9999-12-31) leaves room for the arithmetic done
# with a day given (the day after a period, ageing buckets before it, a time zone's
# offset), which would otherwise overflow into a 500.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
_OUTSIDE_THE_CALENDAR = f"Must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."


def within_the_calendar(value: date | datetime) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(_OUTSIDE_THE_CALENDAR)


def Day(**kwargs) -> fields.Date:
    """A date given to the system ("2026-03-31"), between FIRST_DAY and LAST_DAY."""
    return fields.Date(validate=within_the_calendar, **kwargs)


def Timestamp(**kwargs) -> fields.DateTime:
    """A date and time given to the system, its day (as written, before its offset)
    between FIRST_DAY and LAST_DAY."""
    return fields.DateTime(validate=within_the_calendar, **kwargs)


# The longest period a report gives month by month (and the funnel), in calendar months.
MAX_PERIOD_MONTHS = 36


class Period(Schema):
    """A range of days, both ends included: ``from`` and ``to``."""

    date_from = Day(data_key="from", required=True, metadata={"description": "The first day."})
    date_to = Day(data_key="to", required=True, metadata={"description": "The last day: not before from."})

    @validates_schema
    def _a_range(self, data, **_kwargs):
        if data["date_from"] > data["date_to"]:
            raise ValidationError("Must not be before from.", "to")


class CappedPeriod(Period):
    """A Period that touches at most MAX_PERIOD_MONTHS calendar months."""

    @validates_schema
    def _not_too_long(self, data, **_kwargs):
        start, end = data["date_from"], data["date_to"]
        if (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_PERIOD_MONTHS:
            raise ValidationError(f"At most {MAX_PERIOD_MONTHS} months from from.", "to")


class RecordListQuery(ListQuery):
    """A list of records that a subscriber can resync from: what changed since a time,
    oldest change first with ``sort=updated_at`` (crmkit.listing.paginate)."""

    updated_since = Timestamp(metadata={
        "description": "Only records created or changed at or after this time (inclusive)."})


class HistoryQuery(ListQuery):
    """A page of a record's history (crmkit.history)."""

    sort = fields.String(load_default="-at", validate=validate.OneOf(
        ("-at", "at"), error="Sort by -at (newest first) or at (oldest first)."))


class ChangeCauseOut(Schema):
    """What made a change: a request (the RPC, e.g. leads.update_lead), an event a
    service acted on (its type, e.g. crm.quote.accepted.v1), or a timer."""

    kind = fields.String(required=True, validate=validate.OneOf(("request", "event", "timer")))
    name = fields.String(required=True)
    # The request ("api:<correlation id>") or the event (its id) that caused it.
    id = fields.String(required=True, allow_none=True)


class RecordChangeOut(Schema):
    """One version of a record: who made it, when, why, and each field before and after."""

    version = fields.Integer(required=True)
    action = fields.String(required=True, validate=validate.OneOf(("created", "updated", "deleted")))
    actor = fields.String(required=True, allow_none=True)
    at = fields.DateTime(required=True)
    correlation_id = fields.String(required=True, allow_none=True)
    cause = fields.Nested(ChangeCauseOut, required=True, allow_none=True)
    changes = fields.Dict(required=True, keys=fields.String(), values=fields.Dict(
        keys=fields.String(validate=validate.OneOf(("before", "after"))), values=fields.Raw(allow_none=True)),
        metadata={"description": "{field: {before, after}}; decimals, dates and times as exact text"})
