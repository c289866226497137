"""What a subscriber remembers between runs, in one SQLite file: the position to resume
after, and the ids of the events it handled lately (to drop a repeat).

Both change in one transaction (``done``): a subscriber that dies after handling an
event but before remembering it gets that event again on its next run (at-least-once),
and the id recorded with the position drops it if the event came twice in one run or by
two routes (a webhook redelivered, a queue and the stream).

The ids are bounded: the oldest beyond ``max_ids`` are forgotten. A repeat comes soon
after the original (a redelivery, a resumed stream), so a window of the last 100,000
ids catches it without the file growing for ever.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

DEFAULT_MAX_IDS = 100_000


class State:
    def __init__(self, path: str | Path, max_ids: int = DEFAULT_MAX_IDS):
        self.max_ids = max_ids
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS position (one INTEGER PRIMARY KEY CHECK (one = 1), "
                         "position INTEGER NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS seen (n INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "event_id TEXT NOT NULL UNIQUE)")
        self._lock = threading.Lock()

    def position(self) -> int | None:
        """The position to resume after; None before the first event."""
        row = self._db.execute("SELECT position FROM position").fetchone()
        return row[0] if row else None

    def seen(self, event_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM seen WHERE event_id = ?", (event_id,)).fetchone() is not None

    def done(self, event_id: str, position: int | None = None) -> None:
        """The event is handled: remember its id, and its position if it has one (a
        webhook or a queue message has none)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT OR IGNORE INTO seen (event_id) VALUES (?)", (event_id,))
                if position is not None:
                    self._set_position(position)
                self._db.execute("DELETE FROM seen WHERE n <= (SELECT MAX(n) FROM seen) - ?", (self.max_ids,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def advance(self, position: int) -> None:
        """The stream has read up to here with nothing for us (a heartbeat, a repeat)."""
        with self._lock:
            self._set_position(position)

    def _set_position(self, position: int) -> None:
        # Never backwards: a heartbeat of an older stream must not make us read again.
        self._db.execute("INSERT INTO position (one, position) VALUES (1, ?) ON CONFLICT (one) DO UPDATE "
                         "SET position = MAX(position, excluded.position)", (position,))

    def close(self) -> None:
        self._db.close()
