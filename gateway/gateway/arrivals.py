"""``Prefer: wait=N`` (RFC 7240): a client may ask the gateway to wait up to N seconds
for a record another service makes from an event (a converted lead's opportunity, an
accepted quote's order) instead of polling for it.

The gateway learns that a record has come from the events log itself: one reader per
gateway process follows the log's new events (``crmkit.eventlog``, as the log's reader)
and wakes whoever waits for the event's ``subject``, the record's id. The service's
commit comes before its event (the outbox), so once the event is read the record can be
read too. A waiter registers *before* it first looks for the record, so an event that
comes between the look and the wait still wakes it; and it looks once more when the
wait ends, whatever woke it, so a log that could not be followed only costs the wait,
never a wrong answer.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from crmkit import eventlog

log = logging.getLogger("gateway.arrivals")

DEFAULT_MAX_WAIT_SECONDS = 30
DEFAULT_MAX_WAITING = 8  # half the default CRM_GATEWAY_THREADS
# wait=N among the preferences of a Prefer header (RFC 7240: comma-separated, maybe quoted).
_WAIT = re.compile(r'(?:^|[,;])\s*wait\s*=\s*"?([0-9]{1,6})"?\s*(?=$|[,;])', re.IGNORECASE)
FOLLOW_START_SECONDS = 2.0  # how long a first waiter lets the reader attach to the log
RETRY_SECONDS = 5.0


def wait_seconds(prefer: str | None, most: float) -> float | None:
    """The wait a Prefer header asks for, at most ``most``; None when it asks none (an
    unknown or malformed preference is ignored, as RFC 7240 says)."""
    if not prefer:
        return None
    match = _WAIT.search(prefer)
    if match is None or int(match.group(1)) == 0:
        return None
    return min(float(match.group(1)), most)


class Arrivals:
    def __init__(self, amqp_uri: str, max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS,
                 max_waiting: int = DEFAULT_MAX_WAITING):
        self.amqp_uri = amqp_uri
        self.max_wait_seconds = max_wait_seconds
        # A waiting request holds one of the server's threads: past this many at once a
        # Prefer: wait is not honoured (answered at once, as without it), so that waits for
        # records that never come cannot take every thread from the other requests.
        self._places = threading.BoundedSemaphore(max_waiting)
        self._lock = threading.Lock()
        self._waiting: dict[str, list[threading.Event]] = defaultdict(list)
        self._following = threading.Event()  # the reader is attached: what comes now is seen
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def place(self) -> Iterator[bool]:
        """Whether this request may wait now (False: too many wait already)."""
        taken = self._places.acquire(blocking=False)
        try:
            yield taken
        finally:
            if taken:
                self._places.release()

    @contextmanager
    def watch(self, subject: str) -> Iterator[threading.Event]:
        """An Event set when an event about ``subject`` is read from the log. Started on
        the first watch: a gateway whose clients never wait reads nothing."""
        self._start()
        arrived = threading.Event()
        with self._lock:
            self._waiting[subject].append(arrived)
        self._following.wait(FOLLOW_START_SECONDS)
        try:
            yield arrived
        finally:
            with self._lock:
                waiters = self._waiting.get(subject, [])
                if arrived in waiters:
                    waiters.remove(arrived)
                if not waiters:
                    self._waiting.pop(subject, None)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._follow, name="arrivals", daemon=True)
                self._thread.start()

    def _follow(self) -> None:
        while not self._stopping.is_set():
            try:
                with eventlog.EventLogReader(self.amqp_uri, only_new=True) as reader:
                    self._following.set()
                    while not self._stopping.is_set():
                        for logged in reader.poll(1.0):
                            self._arrived(logged.envelope.subject)
            except Exception as exc:  # noqa: BLE001 - the waits fall back to their time-out
                log.warning("cannot follow the events log for Prefer: wait (%s: %s); trying again in %.0f s",
                            type(exc).__name__, exc, RETRY_SECONDS)
            self._following.clear()
            self._stopping.wait(RETRY_SECONDS)

    def _arrived(self, subject: str | None) -> None:
        if subject is None:
            return
        with self._lock:
            waiters = list(self._waiting.get(subject, ()))
        for arrived in waiters:
            arrived.set()
