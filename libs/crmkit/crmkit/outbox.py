"""The transactional outbox: events are rows written in the same transaction as the
change they report; the relay (``crmkit.relay``) publishes them afterwards.

Commit order is id order: on PostgreSQL a writer takes a transaction-level advisory
lock just before it inserts its outbox rows, so ids are handed out in the order the
transactions commit; on SQLite every write transaction is serialised anyway. The relay
can therefore publish by id and never overtakes a transaction still in flight.

The same lock makes each event's ``sequence``: per subject (the record's id) a counter
in ``event_sequences``, advanced under the lock in the transaction of the outbox rows.
So it is gap-free (a rolled-back transaction takes its numbers back with it), strictly
increasing in commit order, and two events of one write get two numbers. Writers of one
record serialise on its version anyway; the lock adds no wait they do not already have,
and since it is taken before any counter row, two transactions cannot deadlock on them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import tempfile

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .db import utcnow
from .envelope import Envelope, sequence_text
from .platform_tables import event_sequences, outbox

NOTIFY_CHANNEL = "crm_outbox"
# Any constant works; it only has to be the same for every writer of one database.
OUTBOX_LOCK_KEY = 0x0C12_0B0C


def append(session: Session, events: list[Envelope]) -> list[Envelope]:
    """Write ``events`` to the outbox, each numbered in its subject's sequence; returns
    them as written."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_LOCK_KEY})
    events = _numbered(session, events)
    now = utcnow()
    session.execute(insert(outbox), [
        {"event_id": e.id, "type": e.type, "subject": e.subject, "body": e.to_json(), "created_at": now}
        for e in events
    ])
    if postgres:
        # Delivered to the relay's LISTEN when, and only if, this transaction commits.
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    return events


# Subjects whose counters one statement advances (two parameters each; SQLite takes 32,766).
SEQUENCES_PER_STATEMENT = 1000


def _numbered(session: Session, events: list[Envelope]) -> list[Envelope]:
    """The events with their sequences: per subject the next numbers, in emit order.
    Every subject's counter is advanced by one statement (per thousand subjects), not
    one per subject: an import reports hundreds of new records in one transaction."""
    counts: dict[str, int] = {}
    for event in events:
        counts[event.subject] = counts.get(event.subject, 0) + 1
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    subjects = list(counts)
    next_number = {}
    for start in range(0, len(subjects), SEQUENCES_PER_STATEMENT):
        advance = module.insert(event_sequences).values(
            [{"subject": subject, "last_sequence": counts[subject]}
             for subject in subjects[start:start + SEQUENCES_PER_STATEMENT]])
        advance = advance.on_conflict_do_update(
            index_elements=[event_sequences.c.subject],
            set_={"last_sequence": event_sequences.c.last_sequence + advance.excluded.last_sequence},
        ).returning(event_sequences.c.subject, event_sequences.c.last_sequence)
        for subject, last in session.execute(advance):
            next_number[subject] = last - counts[subject] + 1
    numbered = []
    for event in events:
        numbered.append(dataclasses.replace(event, sequence=sequence_text(next_number[event.subject])))
        next_number[event.subject] += 1
    return numbered


def pending(session: Session, limit: int) -> list:
    return session.execute(
        select(outbox.c.id, outbox.c.type, outbox.c.event_id, outbox.c.body)
        .where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(limit)
    ).all()


def mark_published(session: Session, ids: list[int]) -> None:
    session.execute(update(outbox).where(outbox.c.id.in_(ids)).values(published_at=utcnow()))


def unpublished_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))).scalar_one()


def purge_published(session: Session, older_than) -> int:
    return session.execute(
        outbox.delete().where(outbox.c.published_at.is_not(None), outbox.c.published_at < older_than)
    ).rowcount


def wake_socket_path(database_url: str) -> str:
    """Where a SQLite service tells its relay that it committed events.

    PostgreSQL has LISTEN/NOTIFY; for SQLite the service sends a datagram to a Unix
    socket named after the database, which only its relay listens on.
    """
    digest = hashlib.sha1(database_url.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"crm-relay-{digest}.sock")


class Waker:
    """Sends the relay a wake-up after a commit. Losing one costs a slow poll, no event."""

    def __init__(self, database_url: str):
        self.path = wake_socket_path(database_url)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setblocking(False)

    def wake(self) -> None:
        try:
            self.sock.sendto(b"1", self.path)
        except OSError:
            pass  # no relay listening, or its buffer is full: it will poll
