"""Consume the CRM's events from a durable queue of the subscriber's own on the broker,
bound to the ``crm.events`` exchange by type patterns.

    from crmsubscriber import QueueSubscriber, State

    subscriber = QueueSubscriber("amqp://erp:secret@broker:5672/crm", "erp.invoices", State("erp.sqlite"))
    subscriber.run(handle)

The queue is made for the subscriber (a subscription of the CRM, or an operator, or
``declare_queue`` with rights to do so), bounded in length and age so that a subscriber
that stops reading can never fill the broker's disk. An event is acknowledged after
``handle`` returned and its id remembered, so one being handled when the process died is
delivered again and one delivered twice is handled once. A queue has no position: the
order is the broker's, per record the order its service committed.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable

import kombu.serialization
from kombu import Connection, Consumer, Exchange, Queue

from .state import State

log = logging.getLogger("crmsubscriber")

EVENTS_EXCHANGE = Exchange("crm.events", type="topic", durable=True, no_declare=True)
RECONNECT_SECONDS = 2.0
# The events are structured-mode CloudEvents: JSON under their own content type.
kombu.serialization.register("cloudevents", encoder=json.dumps, decoder=json.loads,
                             content_type="application/cloudevents+json", content_encoding="utf-8")
DEFAULT_MAX_LENGTH = 1_000_000
DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000


def declare_queue(amqp_uri: str, name: str, patterns: Iterable[str], *, max_length: int = DEFAULT_MAX_LENGTH,
                  max_age_ms: int = DEFAULT_MAX_AGE_MS) -> None:
    """A durable queue bound to crm.events by ``patterns`` (``invoice.*`` is
    ``crm.invoice.*.v*``: the routing key is the full type), bounded: beyond ``max_length``
    messages the oldest go, and none is kept longer than ``max_age_ms``."""
    queue = Queue(name, durable=True, queue_arguments={
        "x-queue-type": "quorum", "x-max-length": max_length, "x-overflow": "drop-head", "x-message-ttl": max_age_ms})
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        queue(channel).declare()
        for pattern in patterns:
            channel.queue_bind(name, EVENTS_EXCHANGE.name, routing_key=routing_key(pattern))


def routing_key(pattern: str) -> str:
    """An event name pattern as a binding of the routing keys ``crm.<name>.v<N>``."""
    return f"crm.{pattern}.*" if pattern != "#" else "#"


class QueueSubscriber:
    def __init__(self, amqp_uri: str, queue: str, state: State, prefetch: int = 50, password: str | None = None):
        """``password``: when ``amqp_uri`` has none in it (a queue subscription's
        ``queue.amqp_uri`` has its user only; the password is its ``secret``)."""
        self.amqp_uri, self.queue, self.state, self.prefetch = amqp_uri, queue, state, prefetch
        self.password = password
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self, handle: Callable[[dict], None]) -> None:
        while not self._stopping.is_set():
            try:
                with Connection(self.amqp_uri, heartbeat=20, connect_timeout=5, password=self.password) as conn:
                    channel = conn.channel()
                    channel.basic_qos(0, self.prefetch, False)
                    queue = Queue(self.queue, no_declare=True)
                    callback = lambda body, message: self._on_message(body, message, handle)  # noqa: E731
                    with Consumer(channel, queues=[queue], callbacks=[callback], accept=["cloudevents", "json"]):
                        while not self._stopping.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                conn.heartbeat_check()
            except Exception as exc:
                if self._stopping.is_set():
                    return
                log.warning("lost the queue %s (%s: %s); reconnecting", self.queue, type(exc).__name__, exc)
                self._stopping.wait(RECONNECT_SECONDS)

    def _on_message(self, body, message, handle: Callable[[dict], None]) -> None:
        event = body if isinstance(body, dict) else json.loads(body)
        if not self.state.seen(event["id"]):
            handle(event)
            self.state.done(event["id"])
        message.ack()
