"""Reading the events log: every published event, kept by the broker for the retention
(``CRM_EVENTS_RETENTION``, 7 days), each at a position that only grows.

The log is a RabbitMQ stream (``crmkit.broker.EVENTS_LOG``) read over AMQP 0.9.1::

    from crmkit import eventlog

    for event in eventlog.read(amqp_uri, after=last_position, types=["quote.*"], follow=True):
        handle(event.envelope)
        last_position = event.position      # remember it; resume with after=last_position

Where to start — at most one of these; none is the oldest event kept:

- ``after=P``: the events after position P, the way to resume: no gap, no repeat;
- ``from_position=P``: position P itself and the events after it;
- ``from_time=T``: the events whose own ``time`` is T or later. The broker attaches
  at a chunk written at about T (second precision, chunk granularity: a chunk holds
  whatever arrived together; measured under a burst: the start of T's second, 1,595
  events early), so the reader starts ``TIME_MARGIN`` earlier and skips the events
  older than T. An event is written to the log after its time, so none
  from T on is missed; positions then follow the log's order, which is each service's
  commit order but not a global clock order;
- ``only_new=True``: only events published from now on.

Positions are the stream's offsets: they only grow, but not every number is an event
(the broker keeps some of its own records in the log). A position older than the
retention is gone; reading from it starts at the oldest event kept.

``types`` are patterns in the routing-key syntax, matched against an event's name
(``quote.created``) and its full type (``crm.quote.created.v1``): ``*`` is one word,
``#`` any number of words, so ``quote.*`` is every quote event and ``#`` everything.

Without ``follow`` a read ends when the log has been quiet for ``idle`` seconds (it
has caught up); with it, a read goes on until the caller stops iterating. A lost broker
connection is taken again, resuming after the last position read.
``EventLogReader.poll`` gives the same as batches with a timeout, for a caller that
must do something else while the log is quiet (heartbeats).
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from kombu import Connection, Consumer, Queue

from .broker import EVENTS_LOG
from .envelope import Envelope

log = logging.getLogger("crmkit.eventlog")

# How much earlier than a requested time the reader attaches: chunks are stamped when
# written, to the second, and clocks of two hosts differ a little.
TIME_MARGIN = timedelta(seconds=60)
PREFETCH = 500  # unacknowledged messages in flight: a stream needs a bound (basic.qos)
# Messages acknowledged together (one ack frame for all up to the last, ``multiple``):
# at the end of each poll, or when this many wait, so the broker's credit never runs out.
ACK_EVERY = PREFETCH // 2
RECONNECT_SECONDS = 1.0


@dataclass(frozen=True)
class LoggedEvent:
    position: int
    envelope: Envelope


def type_matcher(patterns: Iterable[str]):
    """A predicate on an envelope: does its name or type match one of the patterns?
    None when there are no patterns (everything matches)."""
    parsed = [_pattern_words(p) for p in patterns]
    if not parsed:
        return None
    return lambda e: any(_topic_match(words, e.name.split(".")) or _topic_match(words, e.type.split("."))
                         for words in parsed)


# Where an event's record says its amount: opportunities and payments, then quotes,
# orders, invoices and credit notes, then leads.
AMOUNT_FIELDS = ("amount", "grand_total", "budget_amount")


def record_matches(envelope: Envelope, *, team: str | None = None, organization_id: str | None = None,
                   min_amount: Decimal | str | None = None) -> bool:
    """A subscription's record filters, read from the event's ``data.record`` (an event
    whose record lacks the field does not match a filter that is set): the webhooks'
    dispatcher and the gateway's stream of a subscription apply the same."""
    record = envelope.data.get("record") if isinstance(envelope.data, dict) else None
    record = record if isinstance(record, dict) else {}
    if team is not None and record.get("team") != team:
        return False
    if organization_id is not None and record.get("organization_id") != organization_id:
        return False
    if min_amount is not None:
        amount = next((record[name] for name in AMOUNT_FIELDS if record.get(name) is not None), None)
        try:
            return amount is not None and Decimal(str(amount)) >= Decimal(str(min_amount))
        except InvalidOperation:
            return False
    return True


def _pattern_words(pattern: str) -> list[str]:
    words = pattern.strip().split(".")
    if any(not word for word in words):
        raise ValueError(f"not an event type pattern: {pattern!r} (words with a dot between; * or # for any)")
    return words


def _topic_match(pattern: list[str], words: list[str]) -> bool:
    """The broker's topic rule: ``*`` is exactly one word, ``#`` zero or more."""
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_topic_match(rest, words[i:]) for i in range(len(words) + 1))
    return bool(words) and head in ("*", words[0]) and _topic_match(rest, words[1:])


def _stream_offset(after, from_position, from_time, only_new):
    given = [v for v in (after, from_position, from_time) if v is not None] + ([True] if only_new else [])
    if len(given) > 1:
        raise ValueError("give at most one of after, from_position, from_time, only_new")
    if after is not None:
        return _position(after, "after") + 1
    if from_position is not None:
        return _position(from_position, "from_position")
    if from_time is not None:
        if from_time.tzinfo is None:
            raise ValueError("from_time must carry its time zone")
        return from_time - TIME_MARGIN
    return "next" if only_new else "first"


def _position(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a position (a whole number >= 0), got {value!r}")
    return value


class EventLogReader:
    """One consumer on the events log, from where it was told to start. A lost broker
    connection is taken again by ``poll``, resuming after the last position read."""

    def __init__(self, amqp_uri: str, *, after: int | None = None, from_position: int | None = None,
                 from_time: datetime | None = None, only_new: bool = False, types: Iterable[str] = ()):
        self._amqp_uri = amqp_uri
        self._offset = _stream_offset(after, from_position, from_time, only_new)
        # The broker may start a little before the point asked for (chunk granularity):
        # what lies before it is skipped here, so nothing is seen twice.
        self._first = self._offset if isinstance(self._offset, int) else 0
        self._from_time = from_time
        self._matches = type_matcher(types)
        self._pending: list[LoggedEvent] = []
        self.position: int | None = None  # the last position read (matched or not)
        self.last_message_at = time.monotonic()
        self._unacked = None  # the last message received and not yet acknowledged
        self._unacked_count = 0
        self._conn = None
        self._connect()  # a log that is not there, or no broker, fails here and now

    def _connect(self) -> None:
        conn = Connection(self._amqp_uri, heartbeat=30)
        try:
            conn.ensure_connection(max_retries=1)
            channel = conn.channel()
            channel.basic_qos(0, PREFETCH, False)
            queue = Queue(EVENTS_LOG, no_declare=True, consumer_arguments={"x-stream-offset": self._offset})
            Consumer(channel, queues=[queue], callbacks=[self._on_message], on_decode_error=self._on_undecodable,
                     no_ack=False, accept=["cloudevents", "json"]).consume()
        except BaseException:
            conn.release()
            raise
        self._conn = conn

    def _on_message(self, body, message) -> None:
        self._received(message)
        self.last_message_at = time.monotonic()
        position = message.headers["x-stream-offset"]
        if position < self._first:
            return
        self.position = position
        # Taken again after a lost connection, the consumer resumes right after it.
        self._offset = self._first = position + 1
        try:
            envelope = Envelope.from_dict(body if isinstance(body, dict) else json.loads(body))
            too_early = self._from_time is not None and _time_of(envelope) < self._from_time
        except (ValueError, TypeError) as exc:
            log.warning("position %d of the events log is not an event envelope (%s); skipped", position, exc)
            return
        if too_early:
            return
        if self._matches is None or self._matches(envelope):
            self._pending.append(LoggedEvent(position, envelope))

    def _received(self, message) -> None:
        """On a stream an ack is credit for more, not a deletion: one ack frame per
        message would be a socket write each; they are acknowledged together."""
        self._unacked = message
        self._unacked_count += 1
        if self._unacked_count >= ACK_EVERY:
            self._ack()

    def _ack(self) -> None:
        if self._unacked is not None:
            self._unacked.ack(multiple=True)
            self._unacked, self._unacked_count = None, 0

    def _on_undecodable(self, message, exc) -> None:
        self._received(message)
        log.warning("a message of the events log is not JSON (%s: %s); skipped", message.content_type, exc)

    def poll(self, timeout: float) -> list[LoggedEvent]:
        """The events read within ``timeout`` seconds: as soon as one has come, it and
        those that came with it (what the connection has received already, up to
        PREFETCH messages), without waiting for more; an empty list when the log stayed
        quiet or the broker could not be reached."""
        deadline = time.monotonic() + timeout
        while not self._pending:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if self._conn is None:
                self._reconnect(left)
                continue
            self._drain(min(left, 1.0))
        # One message per poll would hand a backlog over an event at a time, and the
        # caller's work per batch (database reads and writes) would be paid per event.
        for _ in range(PREFETCH):
            if not self._pending or self._conn is None or not self._drain(0):
                break
        if self._conn is not None:
            try:
                self._ack()
            except (*self._conn.connection_errors, *self._conn.channel_errors) as exc:
                self._lost(exc)
        events, self._pending = self._pending, []
        return events

    def _drain(self, timeout: float) -> bool:
        """Read one message within ``timeout`` (0: only one already received); False
        when none came or the connection was lost (taken again by the next poll)."""
        try:
            try:
                self._conn.drain_events(timeout=timeout)
                read = True
            except TimeoutError:
                read = False
            self._conn.heartbeat_check()
            return read
        except (*self._conn.connection_errors, *self._conn.channel_errors) as exc:
            self._lost(exc)
            return False

    def _lost(self, exc: Exception) -> None:
        log.warning("lost the events log (%s: %s); reading on after position %s",
                    type(exc).__name__, exc, self.position)
        self._drop()

    def _reconnect(self, left: float) -> None:
        try:
            self._connect()
        except Exception as exc:
            log.warning("cannot read the events log (%s: %s); trying again", type(exc).__name__, exc)
            time.sleep(min(left, RECONNECT_SECONDS))

    def _drop(self) -> None:
        with suppress(Exception):  # it is broken already
            self._conn.release()
        self._conn = None
        self._unacked, self._unacked_count = None, 0  # a new consumer starts with fresh credit

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def close(self) -> None:
        if self._conn is not None:
            self._drop()

    def __enter__(self) -> EventLogReader:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _time_of(envelope: Envelope) -> datetime:
    at = datetime.fromisoformat(envelope.time)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def read(amqp_uri: str, *, after: int | None = None, from_position: int | None = None,
         from_time: datetime | None = None, only_new: bool = False, types: Iterable[str] = (),
         follow: bool = False, idle: float = 1.0) -> Iterator[LoggedEvent]:
    """The events of the log in position order, from the start given (module doc)."""
    with EventLogReader(amqp_uri, after=after, from_position=from_position, from_time=from_time,
                        only_new=only_new, types=types) as reader:
        while True:
            batch = reader.poll(idle)
            yield from batch
            # Caught up: connected, and nothing at all arrived for idle seconds (not merely
            # nothing that matched: a read skipping other types is still busy).
            if (not follow and not batch and reader.connected
                    and time.monotonic() - reader.last_message_at >= idle):
                return
