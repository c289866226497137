"""The outbox relay: publishes a service's committed events in commit order, with
publisher confirms, and marks them published.

A batch (``CRM_RELAY_BATCH_SIZE`` rows, 200) is published at once on one channel and
its confirms are then read as the broker sends them (``Confirms``: RabbitMQ acks many
at a time), not one round trip per event; the order is the channel's, which is the
rows'. Only the confirmed rows before the first one the broker refused or returned are
marked published: a refused or returned event and everything after it are published
again (at least once, consumers dedupe by id; the log may hold such a repeat).

Each event is published ``mandatory``: the events log (``crmkit.broker.EVENTS_LOG``)
is bound to every routing key, so an event the broker returns unroutable means the
topology is broken. The relay then marks only the events confirmed before it, logs an
error naming the event, and starts over after a back-off: it declares the log and its
binding again on every connection, and the event waits in the outbox until it is taken.

It is its own process (``crm-relay <service>``). A crash between publish and mark
republishes the same event ids on restart, which consumers skip through their inbox;
a broker outage just leaves the rows in the table until it is back. One relay per
database publishes at a time (an advisory lock on PostgreSQL, a file lock on SQLite),
so replicas can stand by without reordering anything.
"""
from __future__ import annotations

import fcntl
import logging
import os
import select
import signal
import socket
import time
from contextlib import contextmanager, suppress
from datetime import timedelta

from kombu import Connection, Producer
from sqlalchemy import text
from sqlalchemy.orm import Session

from . import idempotency, outbox
from .broker import EVENTS_EXCHANGE, EVENTS_LOG, declare_events_log
from .db import is_sqlite, make_engine, utcnow
from .envelope import CONTENT_TYPE
from .settings import Settings

log = logging.getLogger("crmkit.relay")

RELAY_LOCK_KEY = 0x0C12_0E1A
RETENTION = timedelta(days=7)
PURGE_EVERY_SECONDS = 3600
NO_ROUTE = 312  # AMQP reply code of a mandatory message that no queue took
# Chaos hook for the crash tests: the relay SIGKILLs itself at this point, once.
FAULT_ENV = "CRM_RELAY_FAULT"


class EventUnroutable(RuntimeError):
    """The broker returned an event that no queue took: the events log is not bound."""


class Unconfirmed(RuntimeError):
    """The broker refused (nack) an event, or did not confirm it in time."""


CONFIRM_TIMEOUT_SECONDS = 30.0


class Confirms:
    """The publisher confirms of one channel: the delivery tag of each publish (1, 2, ...
    from confirm.select on), the broker's acks and nacks (each maybe for every tag up to
    it), and the message ids of the events it returned as unroutable."""

    def __init__(self, channel):
        channel.confirm_select()
        self.connection = channel.connection
        self.next_tag = 1
        self.unsettled: set[int] = set()
        self.nacked: set[int] = set()
        self.returned: set[str] = set()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)

    def sent(self) -> int:
        """The tag of the publish just made."""
        tag, self.next_tag = self.next_tag, self.next_tag + 1
        self.unsettled.add(tag)
        return tag

    def _settle(self, tag: int, multiple: bool) -> set[int]:
        settled = {t for t in self.unsettled if t <= tag} if multiple else {tag} & self.unsettled
        self.unsettled -= settled
        return settled

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self.nacked |= self._settle(tag, multiple)

    def _on_return(self, exc, _exchange, _routing_key, message) -> None:
        if getattr(exc, "reply_code", None) == NO_ROUTE:
            self.returned.add(message.properties.get("message_id"))

    def wait(self, timeout: float) -> None:
        """Read the broker's frames until every publish so far is settled."""
        deadline = time.monotonic() + timeout
        while self.unsettled:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unconfirmed(f"{len(self.unsettled)} events not confirmed within {timeout:.0f} s")
            with suppress(TimeoutError):
                self.connection.drain_events(timeout=min(left, 1.0))


class Relay:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_engine(settings.database_url, pool_size=2)
        self.sqlite = is_sqlite(self.engine)
        self._stop_r, self._stop_w = os.pipe()
        self.stopping = False
        self.fault = os.environ.get(FAULT_ENV, "")
        self._last_purge = 0.0

    def stop(self, *_args) -> None:
        self.stopping = True
        os.write(self._stop_w, b"x")

    def run(self) -> None:
        """Publish until stopped. Whatever fails — the broker, the database, the leader
        lock — everything is let go and taken again: the rows wait in the table."""
        backoff = 0.5
        while not self.stopping:
            try:
                with self._leadership() as still_leader:
                    if self.stopping:
                        return
                    with self._wakeups() as wake_fd, self._broker() as (conn, producer):
                        log.info("relay for %s is publishing", self.settings.service)
                        backoff = 0.5
                        self._publish_until_stopped(conn, producer, wake_fd, still_leader)
            except Exception as exc:
                if self.stopping:
                    break
                log.warning("relay cannot publish (%s: %s); retrying in %.1fs", type(exc).__name__, exc, backoff)
                self._wait(None, backoff)
                backoff = min(backoff * 2, 10.0)

    def _publish_until_stopped(self, conn, producer: Producer, wake_fd, still_leader) -> None:
        while not self.stopping:
            sent = self.publish_batch(producer)
            if time.monotonic() - self._last_purge > PURGE_EVERY_SECONDS:
                self._purge()
                self._last_purge = time.monotonic()
            if sent < self.settings.relay_batch_size:
                if not self._wait(wake_fd, self.settings.relay_poll_seconds):
                    still_leader()  # idle: make sure the lock's connection is still there
                self._keep_alive(conn)

    @staticmethod
    def _keep_alive(conn) -> None:
        """Read what the broker sent (its heartbeats) and send ours: an idle relay reads
        nothing otherwise, and the client would drop the connection as dead. Only what
        has arrived already (timeout 0): a wait here would hold back the next event."""
        with suppress(TimeoutError):
            conn.drain_events(timeout=0)
        conn.heartbeat_check()

    @contextmanager
    def _broker(self):
        # The relay's own login: the one that may publish to the events exchange.
        with Connection(self.settings.relay_amqp_uri, heartbeat=30) as conn:
            conn.ensure_connection(max_retries=1)
            channel = conn.channel()
            EVENTS_EXCHANGE(channel).declare()
            declare_events_log(conn, self.settings.event_log)
            self.confirms = Confirms(channel)
            yield conn, Producer(channel, exchange=EVENTS_EXCHANGE)

    def publish_batch(self, producer: Producer) -> int:
        with Session(self.engine) as session:
            rows = outbox.pending(session, self.settings.relay_batch_size)
        if not rows:
            return 0
        self._inject_fault("before_publish")
        tags = []
        for row in rows:
            producer.publish(
                row.body, routing_key=row.type, content_type=CONTENT_TYPE, content_encoding="utf-8",
                delivery_mode=2, message_id=row.event_id, mandatory=True, retry=False,
            )
            tags.append(self.confirms.sent())
        try:
            self.confirms.wait(CONFIRM_TIMEOUT_SECONDS)
        finally:
            # The rows confirmed in order, up to the first refused, returned or unsettled one.
            confirmed = []
            for row, tag in zip(rows, tags, strict=True):
                if tag in self.confirms.unsettled or tag in self.confirms.nacked or \
                        row.event_id in self.confirms.returned:
                    break
                confirmed.append(row.id)
            if confirmed:
                self._inject_fault("after_publish")
                with Session(self.engine) as session, session.begin():
                    outbox.mark_published(session, confirmed)
        if len(confirmed) < len(rows):
            row = rows[len(confirmed)]
            if row.event_id in self.confirms.returned:
                log.error("the broker returned event %s (%s) unroutable: the events log %s is not bound to %s; "
                          "it stays in the outbox until the log is bound again", row.event_id, row.type,
                          EVENTS_LOG, EVENTS_EXCHANGE.name)
                raise EventUnroutable(f"event {row.event_id} returned unroutable")
            raise Unconfirmed(f"the broker refused event {row.event_id} ({row.type}); it is published again")
        log.debug("published %d events", len(rows))
        return len(rows)

    def _inject_fault(self, point: str) -> None:
        if self.fault == point:
            log.warning("fault injection: relay kills itself %s", point.replace("_", " "))
            os.kill(os.getpid(), signal.SIGKILL)

    def _purge(self) -> None:
        """The database's housekeeping, done by its one leading relay: published events
        and stored idempotent answers past their retention."""
        with Session(self.engine) as session, session.begin():
            purged = outbox.purge_published(session, utcnow() - RETENTION)
            answers = idempotency.purge(session, utcnow() - idempotency.RETENTION)
        if purged or answers:
            log.info("purged %d published outbox rows and %d idempotent answers", purged, answers)

    def _wait(self, wake_fd, timeout: float) -> bool:
        """Sleep until woken, stopped or timed out; True when something woke it."""
        fds = [self._stop_r] + ([wake_fd] if wake_fd is not None else [])
        ready, _, _ = select.select(fds, [], [], timeout)
        if wake_fd is not None and wake_fd in ready:
            self._drain_wakeups(wake_fd)
        return bool(ready)

    def _drain_wakeups(self, wake_fd) -> None:
        if self.sqlite:
            with suppress(BlockingIOError):  # emptied: many commits, one wake-up
                while self._wake_socket.recv(64):
                    continue
        else:
            self._listen_conn.poll()
            self._listen_conn.notifies.clear()

    @contextmanager
    def _wakeups(self):
        if self.sqlite:
            path = outbox.wake_socket_path(self.settings.database_url)
            if os.path.exists(path):
                os.unlink(path)
            self._wake_socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._wake_socket.bind(path)
            self._wake_socket.setblocking(False)
            try:
                yield self._wake_socket.fileno()
            finally:
                self._wake_socket.close()
                if os.path.exists(path):
                    os.unlink(path)
        else:
            raw = self.engine.raw_connection()
            try:
                self._listen_conn = raw.driver_connection
                self._listen_conn.autocommit = True
                with self._listen_conn.cursor() as cursor:
                    cursor.execute(f"LISTEN {outbox.NOTIFY_CHANNEL}")
                yield self._listen_conn.fileno()
            finally:
                raw.invalidate()  # LISTEN and autocommit are not for the pool's next user

    @contextmanager
    def _leadership(self):
        """Hold the one-relay-per-database lock while publishing; yields a check that
        raises when the lock may have been lost."""
        if self.sqlite:
            path = self.settings.database_url.split("///", 1)[-1] + ".relay.lock"
            with open(path, "w") as handle:
                while not self.stopping:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        log.info("another relay publishes for this database; standing by")
                        self._wait(None, 2.0)
                yield lambda: None  # a file lock lives as long as this process
            return
        with self.engine.connect() as conn:
            while not self.stopping:
                acquired = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": RELAY_LOCK_KEY}).scalar()
                conn.commit()
                if acquired:
                    break
                log.info("another relay publishes for this database; standing by")
                self._wait(None, 2.0)

            def still_leader() -> None:
                # A session lock dies with its connection; if this fails, start over.
                conn.execute(text("SELECT 1"))
                conn.commit()

            try:
                yield still_leader
            finally:
                with suppress(Exception):  # a dead connection has released the lock already
                    conn.execute(text("SELECT pg_advisory_unlock_all()"))
                    conn.commit()

def run(service: str) -> None:
    relay = Relay(Settings.for_service(service))
    signal.signal(signal.SIGTERM, relay.stop)
    signal.signal(signal.SIGINT, relay.stop)
    relay.run()
    log.info("relay for %s stopped", service)
