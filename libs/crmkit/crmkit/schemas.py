"""marshmallow pieces every boundary uses, and the one way to load input."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .errors import ValidationFailed

# Our integer columns are 32-bit; a larger number would fail in the database, not here.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def load(schema: Schema, data) -> dict:
    """Validate input; a failure names every bad field (ValidationFailed -> HTTP 422)."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["Expected a JSON object."]})
    unstorable = _unstorable(data)
    try:
        loaded = schema.load(data)
    except ValidationError as err:
        raise ValidationFailed({**err.messages, **unstorable}) from None
    if unstorable:
        raise ValidationFailed(unstorable)
    return loaded


def _unstorable(value) -> dict:
    """Values no field type forbids but no database takes: a NUL character in text
    (PostgreSQL refuses it), an integer beyond 32 bits. Named like marshmallow names
    errors: {field: [message]}, nested for objects and lists."""
    problems: dict = {}
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, str) and "\x00" in item:
            problems[key] = ["Must not contain the NUL character."]
        elif isinstance(item, int) and not isinstance(item, bool) and not INT_MIN <= item <= INT_MAX:
            problems[key] = [f"Must be between {INT_MIN} and {INT_MAX}."]
        elif isinstance(item, dict | list) and (inner := _unstorable(item)):
            problems[key] = inner
    return problems


def Amount(**kwargs) -> fields.Decimal:
    """An exact decimal amount, written as a string on the wire ("1234.50")."""
    kwargs.setdefault("validate", validate.Range(min=0))
    return fields.Decimal(as_string=True, allow_nan=False, **kwargs)


def Currency(**kwargs) -> fields.String:
    return fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="Not an ISO 4217 currency code."), **kwargs)


# Net days a customer has to pay an invoice (DOMAIN.md); the default when none is agreed.
PAYMENT_TERMS_DAYS = (15, 30, 45, 60)
DEFAULT_PAYMENT_TERMS_DAYS = 30


def PaymentTerms(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.OneOf(
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


# The longest period a report gives month by month (and the funnel), in calendar months.
MAX_PERIOD_MONTHS = 36


class Period(Schema):
    """A range of days, both ends included: ``from`` and ``to``."""

    date_from = fields.Date(data_key="from", required=True, metadata={"description": "The first day."})
    date_to = fields.Date(data_key="to", required=True, metadata={"description": "The last day: not before from."})

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
