"""The unit of work: one SQLAlchemy session per nameko worker, committed when the
worker's method succeeds and rolled back when it fails, with the worker's events
written to the outbox in the same transaction.

nameko sends an RPC reply (or acks an event) *before* it calls a dependency's
``worker_result``, so committing there would report success for work that may still
fail to commit, and ack events whose effects are not yet durable. crmkit's own
entrypoints (``crmkit.entrypoints``) therefore call ``complete_work`` first; the
``worker_result`` hook only completes work for other entrypoints (timers).

Every record the session writes gets its history (``crmkit.history``) in the same
transaction, naming the unit's cause: the RPC, the event or the timer.
"""
from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field

import eventlet.semaphore
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import history, outbox
from .catalogue import Catalogue
from .context import CallContext
from .db import is_sqlite, make_engine, utcnow
from .dialect import insert_ignoring_duplicates
from .envelope import Envelope, schema_url
from .errors import Conflict, NotFound
from .exact_json import json_safe
from .ids import parse_id
from .platform_tables import inbox
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class UnitOfWork:
    engine: object
    source: str                     # the service's name
    call: CallContext
    sqlite_lock: eventlet.semaphore.Semaphore | None
    waker: outbox.Waker | None
    catalogue: Catalogue            # the only event types this unit may emit
    cause: history.Cause | None = None
    # From the service's settings when not given: every event's source and the API
    # under which its dataschema is served.
    event_source: str | None = None
    api_url: str | None = None
    _session: Session | None = None
    _events: list[Envelope] = field(default_factory=list)
    _holding_lock: bool = False
    finished: bool = False

    def __post_init__(self):
        if self.event_source is None or self.api_url is None:
            settings = Settings.for_service(self.source)
            self.event_source = self.event_source or settings.event_source
            self.api_url = self.api_url or settings.api_url

    @property
    def session(self) -> Session:
        if self._session is None:
            if self.sqlite_lock is not None:
                # SQLite blocks the whole eventlet hub while it waits for a lock, so
                # workers of one process take turns here instead (see STACK-NOTES).
                self.sqlite_lock.acquire()
                self._holding_lock = True
            self._session = Session(self.engine, expire_on_commit=False, autoflush=True)
            history.watch(self._session, self.call, self.cause)
        return self._session

    def emit(self, name: str, subject: str, data: dict) -> Envelope:
        """Record an event of a type the service's catalogue declares; it is written to
        the outbox (and numbered in its subject's sequence) when this unit commits."""
        declared = self.catalogue[name]
        envelope = Envelope.new(
            source=self.event_source, type=declared.type, subject=str(subject), data=json_safe(data),
            dataschema=schema_url(self.api_url, declared.type), correlationid=self.call.correlation_id,
            causationid=self.call.causation_id, actor=self.call.actor, traceparent=self.call.traceparent,
        )
        self._events.append(envelope)
        return envelope

    def get(self, model, record_id: str):
        """The record with this id, or NotFound naming what was asked for."""
        key = parse_id(record_id)
        record = self.session.get(model, key) if key else None
        if record is None:
            raise NotFound(record_kind(model), str(record_id))
        return record

    def add(self, record, out, event: str) -> dict:
        """Insert a new record and emit ``event`` with it (dumped by the schema ``out``)."""
        self.session.add(record)
        return self.changed(record, out, event)

    def changed(self, record, out, event: str, **context) -> dict:
        """Write what was done to ``record`` (its version goes up) and emit ``event``
        about it by the catalogue's convention: the whole record (dumped by the schema
        ``out``) as it now is; when the type reports a change, what changed since the
        record's last event (each field's previous value, from its history); and
        ``context``, the named parts the type declares besides. Returns the record."""
        self.session.flush()
        return self.report(record, out, event, **context)

    def report(self, record, out, event: str, **context) -> dict:
        """Emit ``event`` about ``record`` as ``changed`` does, without a flush of its own:
        for records an earlier flush wrote (many new records written in one flush, then
        reported one by one, as an import does). Returns the record (dumped by ``out``)."""
        result = out.dump(record)
        data = {"record": result}
        previous = history.previous_values(self.session, record)
        if self.catalogue[event].changes:
            data["changed"] = {key: value for key, value in previous.items() if key in result}
        self.emit(event, record.id, {**data, **context})
        return result

    def update(self, record, changes: dict, out, event: str, check=None, apply=None) -> dict:
        """Set the given fields on ``record``; when anything really changed, bump its
        version and emit ``event`` about it (``changed``: the record dumped by the
        marshmallow schema ``out``, and each changed field's previous value).
        ``apply(record)`` makes changes that are more than setting a field (it is
        compared like the rest); ``check(record)`` may refuse the result."""
        before = out.dump(record)
        for name, value in changes.items():
            setattr(record, name, value)
        if apply is not None:
            apply(record)
        if check is not None:
            check(record)
        after = out.dump(record)
        # What apply did has no names in ``changes``: then every field is compared.
        candidates = [name for name in after if name not in ("version", "updated_at")] if apply else changes
        if not any(before.get(name) != after.get(name) for name in candidates):
            return before
        record.updated_at = utcnow()  # the row changes even when only related rows did: a new version
        return self.changed(record, out, event)

    def first_delivery(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` handled ``event_id``; False when it already had."""
        return insert_ignoring_duplicates(
            self.session, inbox, {"consumer": consumer, "event_id": event_id, "received_at": utcnow()}
        )

    def commit(self) -> None:
        if self._session is None and not self._events:
            return
        session = self.session
        if self._events:
            outbox.append(session, self._events)
        session.commit()
        if self._events and self.waker is not None:
            self.waker.wake()
        self._events = []

    def rollback(self) -> None:
        self._events = []
        if self._session is not None:
            self._session.rollback()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._holding_lock:
            self._holding_lock = False
            self.sqlite_lock.release()


def record_kind(model) -> str:
    """The kind of record a model holds, as errors name it: CreditNote -> "credit_note"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def _is_unique_violation(error: BaseException) -> bool:
    if not isinstance(error, IntegrityError):
        return False
    code = getattr(error.orig, "pgcode", None)  # psycopg2
    return code == "23505" or (code is None and "UNIQUE constraint failed" in str(error.orig))


def _lost_update_as_conflict(exc_info):
    """A version check that failed (at a flush in the method or at commit) means another
    writer got there first, and so does a unique constraint that refused a row a
    concurrent request inserted first (the checks before it saw neither): the caller
    gets a Conflict to retry, not an internal error."""
    if exc_info is None:
        return exc_info
    if isinstance(exc_info[1], StaleDataError):
        conflict = Conflict("The record was changed by someone else meanwhile; read it again and retry.")
    elif _is_unique_violation(exc_info[1]):
        conflict = Conflict("A concurrent request made the same record first; read it again and retry.")
    else:
        return exc_info
    conflict.__cause__ = exc_info[1]
    return (Conflict, conflict, exc_info[2])


def cause_of(worker_ctx) -> history.Cause:
    """What a worker does its work for: an event (crmkit's handlers get its envelope),
    an RPC, or else a timer."""
    event = worker_ctx.args[0] if worker_ctx.args else None
    if isinstance(event, Envelope):
        return history.Cause("event", event.type)
    kind = "request" if isinstance(worker_ctx.entrypoint, Rpc) else "timer"
    return history.Cause(kind, f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}")


class Database(DependencyProvider):
    """Gives each worker a UnitOfWork over the service's database, emitting the event
    types of ``catalogue`` (the service's ``events.CATALOGUE``) and no others."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def setup(self):
        self.settings = Settings.for_service(self.container.service_name)
        self.engine = make_engine(self.settings.database_url, self.settings.db_pool_size)
        sqlite = is_sqlite(self.engine)
        self.sqlite_lock = eventlet.semaphore.Semaphore(1) if sqlite else None
        self.waker = outbox.Waker(self.settings.database_url) if sqlite else None
        self.units: dict = {}

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        unit = UnitOfWork(
            engine=self.engine, source=self.container.service_name,
            call=CallContext.from_context_data(worker_ctx.context_data),
            sqlite_lock=self.sqlite_lock, waker=self.waker, catalogue=self.catalogue, cause=cause_of(worker_ctx),
            event_source=self.settings.event_source, api_url=self.settings.api_url,
        )
        self.units[worker_ctx] = unit
        return unit

    def complete_work(self, worker_ctx, result, exc_info):
        """Commit or roll back; a failed commit becomes the worker's error."""
        unit = self.units.get(worker_ctx)
        if unit is None or unit.finished:
            return result, exc_info
        unit.finished = True
        try:
            if exc_info is None:
                unit.commit()
            else:
                unit.rollback()
        except Exception:
            log.exception("commit failed")
            unit.rollback()
            result, exc_info = None, sys.exc_info()
        finally:
            unit.close()
        return result, _lost_update_as_conflict(exc_info)

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        self.complete_work(worker_ctx, result, exc_info)

    def worker_teardown(self, worker_ctx):
        unit = self.units.pop(worker_ctx, None)
        if unit is not None:
            unit.rollback()
            unit.close()

