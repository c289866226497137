"""Tables every service database has besides its own: the outbox and its events' sequences, the inbox, the
number series, the answers to idempotent requests and the history of every record. crmkit's code uses the tables
defined here; a service copies them into its own metadata with ``install(metadata)``
so that its migrations create them."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, PrimaryKeyConstraint, String, Table, Text

from .db import UtcDateTime, new_metadata

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_SERIAL = BigInteger().with_variant(Integer, "sqlite")

metadata = new_metadata()

outbox = Table(
    "outbox", metadata,
    # Assigned under the outbox lock just before commit, so id order is commit order.
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
)
Index(
    "ix_outbox_unpublished", outbox.c.id,
    postgresql_where=outbox.c.published_at.is_(None),
    sqlite_where=outbox.c.published_at.is_(None),
)

# The last ``sequence`` given to an event of each subject (crmkit.outbox.append): a row
# per record that ever had an event, advanced in the transaction of the outbox rows.
event_sequences = Table(
    "event_sequences", metadata,
    Column("subject", String(200), primary_key=True),
    Column("last_sequence", BigInteger, nullable=False),
)

inbox = Table(
    "inbox", metadata,
    Column("consumer", String(200), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
)

number_series = Table(
    "number_series", metadata,
    Column("series", String(40), nullable=False),
    Column("period", Integer, nullable=False),
    Column("last_number", Integer, nullable=False),
    PrimaryKeyConstraint("series", "period", name="pk_number_series"),
)


# The first answer to a write made with an idempotency key (crmkit.idempotency),
# committed with the write itself.
idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("key", String(300), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)


# Who changed what (crmkit.history): one row per version of a record, written in the
# transaction of the change, kept as long as the record.
record_changes = Table(
    "record_changes", metadata,
    # Per record, id order is the order of its versions: writers of one record take turns.
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("record_type", String(40), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(10), nullable=False),
    Column("actor", String(64), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("correlation_id", String(200), nullable=True),
    Column("cause_kind", String(10), nullable=True),
    Column("cause", String(200), nullable=True),
    Column("causation_id", String(200), nullable=True),
    # {field: {"before": value, "after": value}} as JSON text; decimals and dates as exact text.
    Column("changes", Text, nullable=False),
)
Index("ix_record_changes_record", record_changes.c.record_type, record_changes.c.record_id, record_changes.c.id)


def install(target: MetaData) -> None:
    for table in (outbox, event_sequences, inbox, number_series, idempotency_keys, record_changes):
        table.to_metadata(target)
