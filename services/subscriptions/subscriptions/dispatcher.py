"""``crm-dispatcher``: delivers the events log to the subscriptions' webhooks and to
the queue subscriptions' queues (queues.py: one attempt is a confirmed publish instead
of a POST; everything else below holds for both).

Each active subscription is held by one dispatcher at a time, by a lease on its cursor
row (``lease_owner``, ``lease_until``: taken with one conditional UPDATE, which works
alike on PostgreSQL and SQLite), so any number of dispatchers can run and none sends
what another sends. A dispatcher reads the log from the subscription's position
(crmkit.eventlog) and delivers in position order, one event at a time: an event that
fails is retried (CRM_WEBHOOKS_RETRY_SCHEDULE, with jitter; the attempt count is kept in
the cursor, so a restart goes on with the schedule) and blocks the events after it until
it is delivered or dead-lettered. The position is written only after the receiver's 2xx
(or the dead letter), in the same transaction as the delivery log; the 2xx of several
events are written together (every FLUSH_EVENTS or FLUSH_SECONDS, whichever first, and
before any failure, sleep or stop), so a dispatcher killed mid-delivery loses nothing:
its successor sends those not yet written again (at least once; the receiver dedupes by
webhook-id, the event's id).
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import socket
import threading
import time
import uuid
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import urllib3
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from crmkit import eventlog, logs, outbox
from crmkit.db import make_engine, utcnow
from crmkit.envelope import CONTENT_TYPE, Envelope, schema_url
from crmkit.settings import Settings

from . import events, queues, subscriptions, targets
from .models import ACTIVE, DISABLED, QUEUE, WEBHOOK, Cursor, DeadLetter, Delivery, LogHead, Secret, Subscription
from .settings import QueueSettings, WebhookSettings
from .subscriptions import visible_to

log = logging.getLogger("subscriptions.dispatcher")

JITTER = 0.2
MAX_ANSWER_BYTES = 64 * 1024  # what is read of a receiver's answer (kept in the log: its start)
POLL_SECONDS = 1.0
# Delivered events written in one transaction: at most this many, at most this old. A
# crash re-sends at most those; the subscription (a pause, a change, its secrets) is read
# again at the same rhythm.
FLUSH_EVENTS = 100
FLUSH_SECONDS = 0.1


def now() -> datetime:
    """Leases run on the real clock (the business clock may be moved by tests)."""
    return datetime.now(UTC)


def matches(subscription: Subscription, envelope: Envelope) -> bool:
    """Does this event go to this subscription: its types, its owner's reach, its filters?"""
    matcher = eventlog.type_matcher(subscription.types)
    if matcher is not None and not matcher(envelope):
        return False
    if not visible_to(subscription.owner_role, envelope.to_dict()):
        return False
    return eventlog.record_matches(envelope, team=subscription.team, organization_id=subscription.organization_id,
                                   min_amount=subscription.min_amount)


def signature(secrets: list[str], event_id: str, at: datetime, body: str) -> str:
    """The webhook-signature header: one ``v1,<base64>`` per live secret, spaces between."""
    return " ".join(Webhook(secret).sign(event_id, at, body) for secret in secrets)


class Stopped(Exception):
    """This dispatcher may not go on with the subscription: its lease is gone, or the
    subscription was paused, deleted or replayed meanwhile, or the process stops."""


class Worker(threading.Thread):
    """Delivers one subscription while this dispatcher holds its lease."""

    def __init__(self, dispatcher: Dispatcher, subscription_id: str):
        super().__init__(name=f"deliver-{subscription_id}", daemon=True)
        self.d = dispatcher
        self.id = subscription_id
        self.generation: int | None = None
        self.lease_until = now()
        self.pools = targets.Pools()  # keep-alive: one connection to the endpoint, not one per event
        self.publisher: queues.Publisher | None = None  # a queue subscription's, opened at its first event
        # Delivered (2xx) but not yet written: their delivery rows and the position after
        # them. Written by this thread or, when they wait FLUSH_SECONDS, by the flusher.
        self.pending: list[Delivery] = []
        self.pending_position: int | None = None
        self.pending_since = 0.0
        self.pending_lock = threading.Lock()  # held only to read or change the pending list
        self.write_lock = threading.Lock()  # one flush at a time, so positions are written in order
        self.lost = False  # a flush found the lease gone: nothing more is written
        self.letters_due = 0.0  # when to look for dead letters to redeliver next (monotonic)
        self.done = threading.Event()
        self.batch_done = threading.Event()  # the worker finished a batch: the flusher writes it now
        # Read from the cursor: the event a dispatcher before this one was retrying, its
        # attempts so far and when the last one failed.
        self.retry: tuple[int, int, datetime | None] | None = None

    # The lease and the controls
    def renew(self) -> None:
        """Hold the lease for another lease period, or stop: it was taken, or the
        subscription is no longer active, or was replayed (new generation)."""
        until = now() + timedelta(seconds=self.d.settings.lease_seconds)
        with Session(self.d.engine) as session, session.begin():
            done = session.execute(update(Cursor).where(
                Cursor.subscription_id == self.id, Cursor.lease_owner == self.d.name,
                Cursor.generation == self.generation).values(lease_until=until)).rowcount
            status = session.scalar(select(Subscription.status).where(Subscription.id == self.id))
        if not done or status != ACTIVE or self.d.stopping.is_set():
            raise Stopped()
        self.lease_until = until

    def ensure_lease(self) -> None:
        """Before a POST: the lease outlasts the longest POST by a margin (settings
        keep the time-out under half the lease), so no other dispatcher can take it
        while this one still sends; and a flush that found the lease gone (or the
        subscription replayed) stops the worker before it sends more."""
        if self.lost:
            raise Stopped()
        if self.lease_until - now() < timedelta(seconds=self.d.settings.lease_seconds * 2 / 3):
            self.renew()

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.d.stopping.wait(min(left, self.d.settings.lease_seconds / 3)):
                raise Stopped()
            self.renew()

    def run(self) -> None:
        flusher = threading.Thread(target=self.flush_aging, name=f"flush-{self.id}", daemon=True)
        flusher.start()
        try:
            self.deliver_all()
            self.flush()
        except Stopped:
            with suppress(Stopped):
                self.flush()  # what was delivered is written, if the lease still allows
        except Exception:
            log.exception("delivering subscription %s failed; another pass will take it again", self.id)
        finally:
            self.done.set()
            self.batch_done.set()
            flusher.join()
            self.pools.close()
            if self.publisher is not None:
                self.publisher.close()
            self.d.release(self)

    def flush_aging(self) -> None:
        """Write what a finished batch left, and what waited FLUSH_SECONDS, while the
        worker goes on (its next POST may take long)."""
        while not self.done.is_set():
            batch_done = self.batch_done.wait(FLUSH_SECONDS / 2)
            self.batch_done.clear()
            with self.pending_lock:
                due = self.pending_position is not None and (
                    batch_done or time.monotonic() - self.pending_since >= FLUSH_SECONDS)
            if due:
                try:
                    self.flush()
                except Stopped:
                    pass  # self.lost is set: the worker stops at its next step
                except Exception:
                    log.exception("writing the deliveries of subscription %s failed; trying again", self.id)

    def deliver_all(self) -> None:
        with Session(self.d.engine) as session:
            cursor = session.get(Cursor, self.id)
            if cursor is None:
                raise Stopped()
            self.generation, position, start_time = cursor.generation, cursor.position, cursor.start_time
            if cursor.retry_position is not None:
                self.retry = (cursor.retry_position, cursor.retry_attempts, cursor.last_error_at)
        self.renew()
        if position is not None:
            start = {"after": position}
        else:
            start = {"from_time": start_time} if start_time else {}
        with eventlog.EventLogReader(self.d.amqp_uri, **start) as reader:
            self.read(reader)

    def read(self, reader: eventlog.EventLogReader) -> None:
        """Deliver what the reader gives until this worker must stop (a replay stops it
        too: the next pass takes the subscription again, from its new cursor). What was
        delivered is written after each batch by the flusher, while this thread reads
        and sends on (while the log is quiet each event is a batch of its own), and
        every FLUSH_EVENTS by this thread."""
        while True:
            if time.monotonic() >= self.letters_due:
                self.redeliver_dead_letters()
                self.letters_due = time.monotonic() + POLL_SECONDS
            batch = reader.poll(POLL_SECONDS)
            if reader.position is not None:
                self.d.saw(reader.position)
            subscription, secrets = self.current()
            since_read = 0
            for event in batch:
                if since_read >= FLUSH_EVENTS:
                    subscription, secrets = self.current()
                    since_read = 0
                since_read += 1
                if matches(subscription, event.envelope):
                    self.deliver(subscription, secrets, event)
                else:
                    self.done_with(event.position)  # an event that does not match is done with too
            self.batch_done.set()
            self.ensure_lease()  # a replay is noticed here at the latest (or by the flusher's write)

    def current(self) -> tuple[Subscription, list[str]]:
        """The subscription and its live secrets as they now are, read at each reader
        batch and every FLUSH_EVENTS events: a pause, a change, its disabling or a
        rotated secret holds from then on. One statement: while the log is quiet each
        event is a batch of its own, and this read stands between it and its POST."""
        with Session(self.d.engine) as session:
            rows = session.execute(
                select(Subscription, Secret.secret, Secret.expires_at)
                .outerjoin(Secret, Secret.subscription_id == Subscription.id)
                .where(Subscription.id == self.id).order_by(Secret.created_at.desc())).all()
        if not rows or rows[0][0].status != ACTIVE:
            raise Stopped()
        return rows[0][0], _live(rows)

    def subscription(self) -> Subscription:
        return self.current()[0]

    def secrets(self) -> list[str]:
        return self.current()[1]

    # One event
    def deliver(self, subscription: Subscription, secrets: list[str], event: eventlog.LoggedEvent) -> None:
        """Deliver ``event`` or dead-letter it; Stopped leaves the position where it was."""
        schedule = self.d.settings.retry_schedule
        attempt = 0
        if self.retry is not None and self.retry[0] == event.position:
            # A dispatcher before this one was retrying it: go on with the schedule.
            attempt, last_failed_at = self.retry[1], self.retry[2]
            if attempt <= len(schedule):
                waited = (utcnow() - last_failed_at).total_seconds() if last_failed_at else 0
                self.sleep(max(0.0, schedule[attempt - 1] * (1 + random.uniform(0, JITTER)) - waited))
        self.retry = None
        while True:
            attempt += 1
            self.ensure_lease()
            ok, status, error, latency_ms = self.send(subscription, secrets, event.envelope)
            row = Delivery(subscription_id=self.id, event_id=event.envelope.id, event_type=event.envelope.type,
                           subject=event.envelope.subject, position=event.position, attempt=attempt,
                           status="delivered" if ok else "failed", http_status=status, latency_ms=latency_ms,
                           error=error, at=utcnow())
            if ok:
                self.done_with(event.position, delivered=row)
                return
            self.flush()  # the deliveries before it are written before its failure is
            gave_up = attempt > len(schedule)
            self.failed(row, event, gave_up)
            if gave_up:
                return
            self.sleep(schedule[attempt - 1] * (1 + random.uniform(0, JITTER)))

    def send(self, subscription: Subscription, secrets: list[str], envelope: Envelope
             ) -> tuple[bool, int | None, str | None, int]:
        """One attempt: a webhook's POST or a queue's confirmed publish."""
        if subscription.delivery == QUEUE:
            if self.publisher is None:
                self.publisher = queues.Publisher(self.d.broker, self.id)
            started = time.monotonic()
            ok, error = self.publisher.send(envelope)
            return ok, None, error, _ms_since(started)
        return self.post(subscription.url, secrets, envelope)

    def post(self, url: str, secrets: list[str], envelope: Envelope) -> tuple[bool, int | None, str | None, int]:
        body = envelope.to_json()
        at = now()
        headers = {"Content-Type": CONTENT_TYPE, "webhook-id": envelope.id,
                   "webhook-timestamp": str(int(at.timestamp())),
                   "webhook-signature": signature(secrets, envelope.id, at, body),
                   "User-Agent": "crm-dispatcher"}
        started = time.monotonic()
        try:
            address = targets.address(url, self.d.settings.allow_private_targets)
            status = self._send(url, address, body, headers)
        except targets.TargetRefused as exc:
            return False, None, f"refused: {exc}", 0
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return False, None, f"{type(exc).__name__}: {exc}"[:1000], _ms_since(started)
        latency = _ms_since(started)
        if 200 <= status < 300:
            return True, status, None, latency
        if 300 <= status < 400:
            return False, status, "a redirect; webhooks do not follow redirects", latency
        return False, status, f"answered {status}", latency

    def _send(self, url: str, address: str, body: str, headers: dict) -> int:
        """POST to the checked ``address`` within the time-out, the whole exchange (a
        receiver that trickles its answer is cut off too), without following a redirect."""
        timeout = self.d.settings.timeout_seconds
        deadline = time.monotonic() + timeout
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        answer = self.pools.pool(url, address).urlopen(
            "POST", target, body=body.encode(), headers={**headers, "Host": targets.host_header(url)},
            timeout=urllib3.Timeout(connect=timeout, read=timeout), redirect=False, retries=False,
            preload_content=False)
        read_all = False
        try:
            read = 0
            for chunk in answer.stream(4096):
                read += len(chunk)
                if read >= MAX_ANSWER_BYTES:
                    break
                if time.monotonic() > deadline:
                    raise urllib3.exceptions.TimeoutError(f"the answer took longer than {timeout} s")
            else:
                read_all = True
            return answer.status
        finally:
            if not read_all:
                answer.close()  # the rest of the answer is not read: that connection is not kept
            answer.release_conn()

    # What is written
    def done_with(self, position: int, delivered: Delivery | None = None) -> None:
        """Done with everything up to ``position``: kept to be written with the next
        flush, which comes after FLUSH_EVENTS deliveries at the latest."""
        with self.pending_lock:
            if self.pending_position is None:
                self.pending_since = time.monotonic()
            self.pending_position = position
            if delivered is not None:
                self.pending.append(delivered)
            full = len(self.pending) >= FLUSH_EVENTS
        if full:
            self.flush()

    def flush(self) -> None:
        """Write the deliveries and the position kept so far, in one transaction, only
        while this worker still holds the lease under its generation (else Stopped, and
        nothing is written, now or later). The worker goes on delivering meanwhile:
        what it adds is written by the next flush."""
        with self.write_lock:
            with self.pending_lock:
                if self.lost:
                    raise Stopped()
                if self.pending_position is None:
                    return
                rows, position = list(self.pending), self.pending_position
            values = {"position": position, "start_time": None}
            if rows:
                values.update(delivered=Cursor.delivered + len(rows), last_delivered_at=rows[-1].at,
                              failing_since=None, retry_position=None, retry_attempts=0)
            with Session(self.d.engine) as session, session.begin():
                done = session.execute(update(Cursor).where(
                    Cursor.subscription_id == self.id, Cursor.lease_owner == self.d.name,
                    Cursor.generation == self.generation).values(**values)).rowcount
                if not done:
                    session.rollback()
                    self.lost = True
                    raise Stopped()
                session.add_all(rows)
            with self.pending_lock:
                del self.pending[:len(rows)]
                if self.pending_position == position:
                    self.pending_position = None
                else:  # done with more since: written by the next flush, aged from now
                    self.pending_since = time.monotonic()

    def failed(self, row: Delivery, event: eventlog.LoggedEvent, dead: bool) -> None:
        """A failed attempt: logged and counted, and the attempt count kept in the cursor
        (a restarted dispatcher goes on with the schedule); ``dead``, the event goes to the
        dead letters and the position moves past it. An endpoint with no 2xx for the
        disable period disables its subscription (and that is published)."""
        with Session(self.d.engine) as session, session.begin():
            cursor = session.get(Cursor, self.id, with_for_update=True)
            if cursor is None or cursor.lease_owner != self.d.name or cursor.generation != self.generation:
                raise Stopped()
            session.add(row)
            cursor.failed += 1
            cursor.last_error, cursor.last_error_at = row.error, row.at or utcnow()
            cursor.failing_since = cursor.failing_since or utcnow()
            cursor.retry_position, cursor.retry_attempts = (None, 0) if dead else (event.position, row.attempt)
            if dead:
                session.add(DeadLetter(subscription_id=self.id, position=event.position, event_id=event.envelope.id,
                                       event_type=event.envelope.type, subject=event.envelope.subject,
                                       envelope=event.envelope.to_dict(), attempts=row.attempt,
                                       last_error=row.error))
                cursor.dead_lettered += 1
                # In the dead letter's transaction: a crash right after cannot dead-letter it twice.
                cursor.position, cursor.start_time = event.position, None
            failing_for = (utcnow() - cursor.failing_since).total_seconds()
            if failing_for >= self.d.settings.disable_after_seconds:
                self.disable(session, f"No 2xx for {int(failing_for)} s; last: {row.error}")
        if dead:
            log.warning("subscription %s: event %s dead-lettered after %d attempts (%s)", self.id,
                        event.envelope.id, row.attempt, row.error)

    def disable(self, session: Session, reason: str) -> None:
        subscription = session.get(Subscription, self.id)
        before = {"status": subscription.status, "disabled_reason": subscription.disabled_reason}
        subscription.status, subscription.disabled_reason = DISABLED, reason
        session.flush()
        declared = events.CATALOGUE["subscription.disabled"]
        record = subscriptions.record(session, subscription)
        outbox.append(session, [Envelope.new(
            source=self.d.service_settings.event_source, type=declared.type, subject=subscription.id,
            data={"record": record, "changed": before},
            dataschema=schema_url(self.d.service_settings.api_url, declared.type), actor="dispatcher")])
        log.warning("subscription %s disabled: %s", self.id, reason)

    def redeliver_dead_letters(self) -> None:
        """Dead letters someone asked to send again: one attempt each, out of order (they
        were given up on); one that fails again stays dead, with its new error."""
        with Session(self.d.engine) as session:
            letters = list(session.scalars(select(DeadLetter).where(
                DeadLetter.subscription_id == self.id, DeadLetter.status == "redelivering")))
        if not letters:
            return
        subscription = self.subscription()
        for letter in letters:
            self.ensure_lease()
            envelope = Envelope.from_dict(letter.envelope)
            ok, status, error, latency_ms = self.send(subscription, self.secrets(), envelope)
            with Session(self.d.engine) as session, session.begin():
                row = session.get(DeadLetter, letter.id)
                row.attempts += 1
                row.status, row.last_error = ("redelivered", None) if ok else ("dead", error)
                row.redelivered_at = utcnow() if ok else None
                session.add(Delivery(subscription_id=self.id, event_id=envelope.id, event_type=envelope.type,
                                     subject=envelope.subject, position=letter.position, attempt=row.attempts,
                                     status="delivered" if ok else "failed", http_status=status,
                                     latency_ms=latency_ms, error=error))
                counter = Cursor.delivered if ok else Cursor.failed
                session.execute(update(Cursor).where(Cursor.subscription_id == self.id)
                                .values({counter: counter + 1}))


def _live(rows) -> list[str]:
    """The secrets that still sign, newest first, of (subscription, secret, expires_at)
    rows (a subscription without secrets has one row, its secret None)."""
    at = utcnow()
    return [secret for _, secret, expires_at in rows
            if secret is not None and (expires_at is None or expires_at > at)]


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class Dispatcher:
    def __init__(self, service_settings: Settings, settings: WebhookSettings, name: str,
                 queue_settings: QueueSettings | None = None):
        self.service_settings = service_settings
        self.settings = settings
        # Every reader of the log logs in as the events log's reader (crmkit.broker_users).
        self.amqp_uri = service_settings.events_log_amqp_uri
        # Queue subscriptions are fed with the services' login, which may write to any
        # exchange but the events exchange (crmkit.broker_users).
        self.broker = queues.Broker(service_settings.amqp_uri, queue_settings or QueueSettings.from_env())
        self.engine = make_engine(service_settings.database_url, pool_size=20)
        self.name = name
        self.stopping = threading.Event()
        self.workers: dict[str, Worker] = {}
        self.lock = threading.Lock()
        self.head: int | None = None

    def run(self) -> None:
        threading.Thread(target=self.track_head, name="log-head", daemon=True).start()
        log.info("dispatcher %s is running", self.name)
        while not self.stopping.is_set():
            try:
                self.take_subscriptions()
                self.write_head()
            except Exception:
                log.exception("a pass over the subscriptions failed; trying again")
            self.stopping.wait(self.settings.scan_seconds)
        for worker in list(self.workers.values()):
            worker.join(timeout=self.settings.timeout_seconds + 5)
        log.info("dispatcher %s stopped", self.name)

    def take_subscriptions(self) -> None:
        """Lease every active webhook and queue subscription no live dispatcher holds
        (new, freed, or one whose dispatcher died: its lease ran out). A stream
        subscription is read by its subscriber through the gateway, not sent from here."""
        with Session(self.engine) as session:
            ids = list(session.scalars(select(Subscription.id).where(
                Subscription.status == ACTIVE, Subscription.delivery.in_((WEBHOOK, QUEUE)))))
        for subscription_id in ids:
            if subscription_id in self.workers:
                continue
            at = now()
            with Session(self.engine) as session, session.begin():
                taken = session.execute(update(Cursor).where(
                    Cursor.subscription_id == subscription_id,
                    (Cursor.lease_owner.is_(None)) | (Cursor.lease_owner == self.name) | (Cursor.lease_until < at),
                ).values(lease_owner=self.name,
                         lease_until=at + timedelta(seconds=self.settings.lease_seconds))).rowcount
            if taken:
                worker = Worker(self, subscription_id)
                with self.lock:
                    self.workers[subscription_id] = worker
                worker.start()

    def release(self, worker: Worker) -> None:
        with self.lock:
            self.workers.pop(worker.id, None)
        try:
            with Session(self.engine) as session, session.begin():
                session.execute(update(Cursor).where(Cursor.subscription_id == worker.id,
                                                     Cursor.lease_owner == self.name)
                                .values(lease_owner=None, lease_until=None))
        except Exception:
            log.exception("could not free subscription %s; its lease runs out instead", worker.id)

    # How far the log goes: each subscription's lag is measured against it
    def saw(self, position: int) -> None:
        with self.lock:
            self.head = position if self.head is None else max(self.head, position)

    def track_head(self) -> None:
        while not self.stopping.is_set():
            try:
                with eventlog.EventLogReader(self.amqp_uri, only_new=True) as reader:
                    while not self.stopping.is_set():
                        for event in reader.poll(POLL_SECONDS):
                            self.saw(event.position)
            except Exception as exc:
                log.warning("cannot follow the events log's end (%s); trying again", exc)
                self.stopping.wait(5)

    def write_head(self) -> None:
        with self.lock:
            head = self.head
        if head is None:
            return
        with Session(self.engine) as session, session.begin():
            row = session.get(LogHead, 1)
            if row is None:
                session.add(LogHead(id=1, position=head, seen_at=utcnow()))
            elif head > row.position:
                row.position, row.seen_at = head, utcnow()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crm-dispatcher", description="Deliver the events log to the webhooks.")
    parser.parse_args(argv)
    from crmkit.broker import require_broker

    service_settings = Settings.for_service("subscriptions")
    logs.configure("dispatcher", service_settings.log_format, service_settings.log_level)
    require_broker(service_settings.amqp_uri)
    name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    dispatcher = Dispatcher(service_settings, WebhookSettings.from_env(), name)

    def stop(_signum, _frame):
        dispatcher.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    dispatcher.run()


if __name__ == "__main__":
    main()

