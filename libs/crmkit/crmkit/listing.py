"""Lists the same way on every resource: filters, one sort key, keyset pagination.

A page is ordered by the sort column and then the id (ids are unique, so the order is
total); the cursor carries the last row's sort value and id, and the next page starts
strictly after them. Unlike OFFSET, a page costs the same at row 10 and row 1,000,000
(given an index on the sort column and id), and rows added meanwhile neither repeat nor
vanish. Cursors are opaque to clients; a cursor made for another sort is refused.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session

from .errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def Sort(*names: str, default: str = "-created_at") -> fields.String:
    """A list's sort key: one of ``names`` (non-null columns of the listed model), or
    one with ``-`` before it to descend. Its validator's values are what the API's
    document lists."""
    keys = [key for name in names for key in (name, f"-{name}")]
    return fields.String(load_default=default, validate=validate.OneOf(
        keys, error=f"Sort by one of {', '.join(sorted(names))} (prefix - to descend)."))


class ListQuery(Schema):
    """The paging part of every list's query; a resource adds its filters (and the
    sort keys it has besides created_at)."""

    sort = Sort("created_at")
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None)


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def _encode(value):
    if isinstance(value, datetime):
        return {"t": "datetime", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"t": "decimal", "v": str(value)}
    return {"t": "plain", "v": value}


def _decode(value: dict):
    kind, raw = value["t"], value["v"]
    if kind == "datetime":
        return datetime.fromisoformat(raw)
    if kind == "decimal":
        return Decimal(raw)
    return raw


def make_cursor(sort: str, value, record_id: str) -> str:
    raw = json.dumps({"s": sort, "v": _encode(value), "id": record_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_cursor(cursor: str, sort: str) -> tuple:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        given_for, values, last_id = raw["s"], _decode(raw["v"]), str(raw["id"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValidationFailed({"cursor": ["Not a cursor this API gave out."]}) from None
    # Outside the try: ValidationFailed is a ValueError, and this message says more.
    if given_for != sort:
        raise ValidationFailed({"cursor": [f"This cursor belongs to sort {given_for!r}, not {sort!r}."]})
    return values, last_id


LIKE_ESCAPE = "\\"


def as_utc(moment: datetime) -> datetime:
    """A filter's time without a zone means UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def contains(column, text: str):
    """``column`` contains ``text`` (case-insensitive), whose % and _ mean themselves."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape=LIKE_ESCAPE)


def paginate(session: Session, stmt: Select, *, model, params: dict) -> Page:
    """Run ``stmt`` (a select of ``model`` with its filters) one page at a time, by the
    loaded ``ListQuery``: its ``sort`` (a column of ``model``, a leading ``-`` for
    descending), ``limit`` and ``cursor``; and a ``RecordListQuery``'s ``updated_since``
    (inclusive: a subscriber resyncing from the last change it saw sees that one again).
    """
    sort, limit, cursor = params["sort"], params["limit"], params["cursor"]
    if params.get("updated_since"):
        stmt = stmt.where(model.updated_at >= as_utc(params["updated_since"]))
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    column, id_column = getattr(model, name), model.id
    if cursor:
        value, last_id = read_cursor(cursor, sort)
        # A row comparison, not "a < v OR (a = v AND id < i)": the database can then start
        # the index scan at the cursor instead of filtering every row before it.
        position, cursor_position = tuple_(column, id_column), tuple_(value, last_id)
        stmt = stmt.where(position < cursor_position if descending else position > cursor_position)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = make_cursor(sort, getattr(rows[-1], name), rows[-1].id) if more else None
    return Page(rows, next_cursor)
