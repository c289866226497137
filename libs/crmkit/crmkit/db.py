"""Database engines and column types that behave the same on PostgreSQL and SQLite."""
from __future__ import annotations

import decimal
import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import MetaData, Numeric, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import DateTime, TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url_or_engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else str(url_or_engine)
    return str(url).startswith("sqlite")


def make_engine(url: str, pool_size: int = 5) -> Engine:
    if is_sqlite(url):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    from pathlib import Path

    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see "begin").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Take the write lock up front: a deferred transaction that reads and then
        # writes fails with SQLITE_BUSY when another process (the relay) wrote meanwhile.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class ExactDecimal(TypeDecorator):
    """Money and quantities: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a
    float), so a value comes back exactly as it went in."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = decimal.Decimal(value)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else decimal.Decimal(value)


class UtcDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC on the way in and out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The business clock: what "now" and "today" mean to every rule (due dates,
    expiry, number series per year). Real time, unless CRM_CLOCK_FILE is set."""
    return datetime.now(UTC) + _clock_offset()


# Tests move the clock of running processes without restarting them: with
# CRM_CLOCK_FILE set, the file holds an offset in seconds (a float) that is added to
# the real time. The file is re-read only when it changes (one stat per call);
# crmkit.testing.Clock replaces it atomically, so a new inode marks every change.
_clock_file = os.environ.get("CRM_CLOCK_FILE")
_clock_cache: tuple[tuple, timedelta] = ((), timedelta(0))


def _clock_offset() -> timedelta:
    global _clock_cache
    if not _clock_file:
        return timedelta(0)
    try:
        stat = os.stat(_clock_file)
    except FileNotFoundError:
        return timedelta(0)
    changed = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if changed != _clock_cache[0]:
        with open(_clock_file) as f:
            text = f.read().strip()
        _clock_cache = (changed, timedelta(seconds=float(text or 0)))
    return _clock_cache[1]
