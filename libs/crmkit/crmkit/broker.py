"""Names and declarations of the broker topology every process agrees on."""
from __future__ import annotations

import json
import logging
import sys

import kombu.serialization
from amqp.exceptions import NotFound
from kombu import Connection, Exchange, Queue, binding
from kombu.utils.url import maybe_sanitize_url

from .envelope import CONTENT_TYPE
from .settings import EventLogSettings

log = logging.getLogger("crmkit.broker")

# One topic exchange for every domain event; the routing key is the event type
# (``crm.lead.converted.v1``), so a subscriber binds ``crm.lead.#`` or ``crm.#``.
EVENTS_EXCHANGE = Exchange("crm.events", type="topic", durable=True)

# The events log: a RabbitMQ stream bound to every routing key of the events exchange,
# so every published event is kept there, with a position, for the retention
# (``crmkit.eventlog`` reads it). Being always bound, it also makes the relay's
# ``mandatory`` publish mean something: an event returned unroutable means this
# binding is gone.
EVENTS_LOG = "crm.events.log"


def events_log_queue(settings: EventLogSettings) -> Queue:
    return Queue(
        EVENTS_LOG, exchange=EVENTS_EXCHANGE, routing_key="#", durable=True,
        queue_arguments={
            "x-queue-type": "stream",
            "x-max-age": settings.retention,
            "x-max-length-bytes": settings.max_bytes,
            "x-stream-max-segment-size-bytes": settings.segment_bytes,
        },
    )


def declare_events_log(connection, settings: EventLogSettings) -> None:
    """Make sure the events log exists and is bound. Idempotent.

    A new log is created with the settings' retention. An existing one is only bound
    again: declaring it with other arguments than it was made with would fail
    (PRECONDITION_FAILED) and take setup and every relay down with it, so a changed
    retention reaches an existing log through a policy instead (the README says how)."""
    exists = queue_exists(connection, EVENTS_LOG)
    channel = connection.channel()
    try:
        bound = events_log_queue(settings)(channel)
        if exists:
            bound.exchange.declare()
            bound.queue_bind()
        else:
            bound.declare()
            log.info("created the events log %s (max-age %s, max-length-bytes %d)",
                     EVENTS_LOG, settings.retention, settings.max_bytes)
    finally:
        channel.close()


def queue_exists(connection, name: str) -> bool:
    channel = connection.channel()
    try:
        channel.queue_declare(name, passive=True)
    except NotFound:  # the broker closed that channel with its 404
        return False
    channel.close()
    return True


# Retries wait in per-delay queues whose messages dead-letter back to the handler's
# queue through the default exchange when their time is up.
DEFAULT_EXCHANGE = ""

kombu.serialization.register(
    "cloudevents", encoder=json.dumps, decoder=json.loads,
    content_type=CONTENT_TYPE, content_encoding="utf-8",
)


RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)


def rpc_queue(service: str) -> Queue:
    """nameko's own RPC queue for a service, declared exactly as nameko 2 declares it."""
    return Queue(f"rpc-{service}", exchange=RPC_EXCHANGE, routing_key=f"{service}.*", durable=True)


def handler_queue_name(service: str, method: str) -> str:
    return f"crm.{service}.{method}"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dead"


def retry_queue_name(queue: str, delay_seconds: float) -> str:
    return f"{queue}.retry.{int(delay_seconds * 1000)}ms"


def handler_queue(service: str, method: str, event_types: tuple[str, ...]) -> Queue:
    return Queue(
        handler_queue_name(service, method),
        bindings=[binding(EVENTS_EXCHANGE, routing_key=t) for t in event_types],
        durable=True,
    )


def retry_queue(queue: str, delay_seconds: float) -> Queue:
    return Queue(
        retry_queue_name(queue, delay_seconds), durable=True,
        queue_arguments={
            "x-message-ttl": int(delay_seconds * 1000),
            "x-dead-letter-exchange": DEFAULT_EXCHANGE,
            "x-dead-letter-routing-key": queue,
        },
    )


def dead_letter_queue(queue: str) -> Queue:
    return Queue(dead_letter_queue_name(queue), durable=True)


def declare_handler_topology(channel, service: str, method: str, event_types: tuple[str, ...],
                             retry_delays: tuple[float, ...]) -> Queue:
    """Declare a handler's queue with its bindings, its retry queues and its dead-letter
    queue. Idempotent; run before any event is published so nothing is unroutable."""
    EVENTS_EXCHANGE(channel).declare()
    queue = handler_queue(service, method, event_types)
    queue(channel).declare()
    for delay in retry_delays:
        retry_queue(queue.name, delay)(channel).declare()
    dead_letter_queue(queue.name)(channel).declare()
    return queue


def require_broker(amqp_uri: str) -> None:
    """Exit with one clear line when RabbitMQ cannot be reached."""
    try:
        with Connection(amqp_uri, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        sys.stderr.write(
            f"Cannot reach RabbitMQ at {maybe_sanitize_url(amqp_uri)} ({exc}). "
            "Start one (`rabbitmq-server -detached`, or `docker compose up rabbitmq`) "
            "or point AMQP_URI at yours.\n")
        sys.exit(2)
