"""Who changed what: every change of every record (a ``crmkit.records.Record``) is kept
as a ``record_changes`` row, written by the unit of work's session in the transaction of
the change. No command can forget it, and a change rolled back leaves none.

One row per version of a record (a flush that writes it): its action (created, updated,
deleted), who (the call's actor: for an event handler, the actor of the event), when
(the business clock), the correlation id, what caused it (the RPC, the event a handler
acted on, or the timer; with the causing request's or event's id) and the changes,
``{field: {"before": value, "after": value}}``: every column that changed, and the parts a
record owns (its lines, stages, tags: relationships that cascade delete-orphan) as whole
lists. Creation lists the initial values that are not null (before: null), deletion the
last ones (after: null). Values are JSON as stored: decimals, dates and times as exact
text. An event about a record carries the same diff as its ``changed``: each field's
value before (``previous_values``).

Left out: the id, the version and the timestamps (the row has them), and a column marked
``info={"history": False}`` (keys derived for matching; a secret, should one ever exist).

``read`` answers a record's history a page at a time, newest first unless asked otherwise.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import PASSIVE_NO_INITIALIZE

from .context import CallContext
from .db import utcnow
from .errors import NotFound, ValidationFailed
from .exact_json import json_safe
from .listing import make_cursor, read_cursor
from .platform_tables import record_changes
from .records import Record
from .schemas import HistoryQuery, RecordChangeOut, load

if TYPE_CHECKING:
    from .unit_of_work import UnitOfWork

# In the row itself, or changed by every write: no news.
NOT_RECORDED = frozenset({"id", "version", "created_at", "updated_at"})
NEWEST_FIRST = "-at"
# session.info key: per record, the values before of what changed since its last event.
_UNREPORTED = "crm_history_unreported"

change_out = RecordChangeOut()


@dataclass(frozen=True)
class Cause:
    """What made a unit of work: a ``request`` (an RPC: ``leads.update_lead``), an
    ``event`` a handler acted on (its type: ``crm.quote.accepted.v1``), or a ``timer``
    (``deals.expire_quotes``)."""

    kind: str
    name: str


def record_type(model: type) -> str:
    """``CreditNote`` -> ``credit_note``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def watch(session: Session, call: CallContext, cause: Cause | None) -> None:
    """Keep the history of every record ``session`` writes, in the same transaction."""
    event.listen(session, "after_flush", functools.partial(_record_flushed, call=call, cause=cause))


def _record_flushed(session: Session, _flush_context, *, call: CallContext, cause: Cause | None) -> None:
    # After the flush the versions are the new ones, and (until the flush ends) the
    # attributes still hold their history: what each was before and is now.
    at = utcnow()
    rows = []
    for action, records in (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted)):
        for record in records:
            if not isinstance(record, Record):
                continue
            changes = diff(record, action)
            if changes:
                _remember(session, record, changes)
                rows.append({
                    "record_type": record_type(type(record)), "record_id": record.id,
                    "version": record.version, "action": action, "actor": call.actor, "at": at,
                    "correlation_id": call.correlation_id, "cause_kind": cause.kind if cause else None,
                    "cause": cause.name if cause else None, "causation_id": call.causation_id,
                    "changes": json.dumps(changes, sort_keys=True),
                })
    if rows:
        session.connection().execute(insert(record_changes), rows)


def _remember(session: Session, record: Record, changes: dict) -> None:
    key = (record_type(type(record)), record.id)
    kept = session.info.setdefault(_UNREPORTED, {})
    entry = kept.get(key)
    if entry is None or entry["reported"]:
        entry = kept[key] = {"before": {}, "reported": False}
    for name, change in changes.items():
        entry["before"].setdefault(name, change["before"])  # the first before: the value the last event showed


def previous_values(session: Session, record: Record) -> dict:
    """``{field: value before}`` of what changed in ``record`` since its last event, for
    the event now reporting it (``changed``). Events emitted one after the other about
    the same write (opportunity.stage_changed, then opportunity.won) report the same."""
    entry = session.info.get(_UNREPORTED, {}).get((record_type(type(record)), record.id))
    if entry is None:
        return {}
    entry["reported"] = True
    return dict(entry["before"])


def diff(record: Record, action: str) -> dict:
    """``{field: {"before", "after"}}`` of what this flush does to ``record``."""
    state = inspect(record)
    changes = {}
    for attribute in state.mapper.column_attrs:
        if attribute.key in NOT_RECORDED or attribute.columns[0].info.get("history") is False:
            continue
        before, after = _before_and_after(state, attribute.key, action)
        before, after = json_safe(before), json_safe(after)
        if before != after:
            changes[attribute.key] = {"before": before, "after": after}
    for relationship in _owned_parts(state.mapper):
        before = None if action == "created" else _parts(relationship, state, committed=True)
        after = None if action == "deleted" else _parts(relationship, state, committed=False)
        if before != after and (before or after):
            changes[relationship.info.get("history", relationship.key)] = {"before": before, "after": after}
    return changes


def _before_and_after(state, key: str, action: str) -> tuple:
    if action == "created":
        return None, state.dict.get(key)  # defaults are filled in by the flush
    if action == "deleted":
        return _committed(state, key), None
    return _committed(state, key), state.dict.get(key)


def _history(state, key: str):
    """``state.attrs[key].history`` without building ``state.attrs`` (a new mapping of
    every attribute at each use) for one attribute: the same call underneath."""
    return state.get_history(key, PASSIVE_NO_INITIALIZE)


def _committed(state, key: str):
    """The attribute's value before this flush."""
    history = _history(state, key)
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return None  # it had none: only an added value


def _owned_parts(mapper) -> list:
    """Relationships to rows that are part of the record (lines, stages, tags), not
    records of their own (an order's invoices) nor histories (stage changes)."""
    return [rel for rel in mapper.relationships
            if rel.cascade.delete_orphan and rel.uselist and not issubclass(rel.mapper.class_, Record)]


def _parts(relationship, state, committed: bool) -> list:
    history = _history(state, relationship.key)
    if committed:
        parts = list(history.unchanged) + list(history.deleted)
    else:
        parts = list(state.dict.get(relationship.key) or [])
    # The part's own columns; its surrogate id and the key to its record say nothing.
    keys = [attribute.key for attribute in relationship.mapper.column_attrs
            if attribute.key != "id" and not set(attribute.columns) & set(relationship.remote_side)]

    def value(part, key):
        return _committed(inspect(part), key) if committed else getattr(part, key)

    rows = [{key: json_safe(value(part, key)) for key in keys} for part in parts]
    if relationship.order_by:
        order = [column.key for column in relationship.order_by]
        rows.sort(key=lambda row: [row[key] for key in order])
    else:
        rows.sort(key=lambda row: json.dumps(row, sort_keys=True))
    return [row[keys[0]] for row in rows] if len(keys) == 1 else rows


def read(unit: UnitOfWork, model: type, record_id: str, query: dict) -> dict:
    """The history of one record, a page at a time: ``sort`` ``-at`` (newest first, the
    default) or ``at`` (oldest first). A record that never existed is NotFound; one
    deleted answers its history, which ends with its deletion."""
    params = load(HistoryQuery(), query)
    table = record_changes
    kept = select(table).where(table.c.record_type == record_type(model), table.c.record_id == str(record_id))
    try:
        unit.get(model, record_id)
    except NotFound:
        # A record deleted (a discarded draft) still has its history; one that never was has none.
        if unit.session.execute(kept.limit(1)).first() is None:
            raise
    stmt = kept
    newest_first = params["sort"] == NEWEST_FIRST
    if params["cursor"]:
        last_id, _ = read_cursor(params["cursor"], params["sort"])
        if not isinstance(last_id, int) or isinstance(last_id, bool):
            raise ValidationFailed({"cursor": ["Not a cursor this API gave out."]})
        stmt = stmt.where(table.c.id < last_id if newest_first else table.c.id > last_id)
    stmt = stmt.order_by(table.c.id.desc() if newest_first else table.c.id.asc()).limit(params["limit"] + 1)
    rows = unit.session.execute(stmt).all()
    more = len(rows) > params["limit"]
    rows = rows[:params["limit"]]
    items = [change_out.dump({
        "version": row.version, "action": row.action, "actor": row.actor, "at": row.at,
        "correlation_id": row.correlation_id, "changes": json.loads(row.changes),
        "cause": {"kind": row.cause_kind, "name": row.cause, "id": row.causation_id} if row.cause_kind else None,
    }) for row in rows]
    next_cursor = make_cursor(params["sort"], rows[-1].id, str(rows[-1].id)) if more else None
    return {"items": items, "next_cursor": next_cursor}
