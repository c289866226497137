"""nameko entrypoints that finish the unit of work before they answer.

``rpc``: like nameko's, but the transaction commits before the reply is sent, so a
caller never hears "done" for work that did not commit.

``event_handler``: consumes CRM events from the ``crm.events`` exchange. Each handler
has its own durable queue. Before the handler runs, the event id is recorded in the
service's inbox in the handler's own transaction, so a redelivered event is skipped.
When the handler fails, the message is republished (with confirms) to a retry queue
that hands it back after a delay, and after the last retry to the handler's
dead-letter queue; only then is the original acked. Nothing is acked and lost.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import traceback
from datetime import UTC, datetime

import eventlet.semaphore
from kombu import Connection, Producer
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer
from nameko.rpc import Rpc
from nameko.timer import Timer

from . import broker, idempotency
from .context import CallContext, bind, unbind
from .envelope import Envelope
from .errors import EXPECTED_ERRORS
from .settings import Settings
from .unit_of_work import Database

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-crm-attempt"


def _complete_work(container, worker_ctx, result, exc_info):
    for dependency in container.dependencies:
        complete = getattr(dependency, "complete_work", None)
        if complete is not None:
            result, exc_info = complete(worker_ctx, result, exc_info)
    return result, exc_info


# Tests only: "after_commit:<method>" makes the service SIGKILL itself once that RPC has
# committed and before it answers, the moment a redelivery would do the work twice.
FAULT_ENV = "CRM_SERVICE_FAULT"


class TransactionalRpc(Rpc):
    def __init__(self, expected_exceptions=EXPECTED_ERRORS, **kwargs):
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = _complete_work(self.container, worker_ctx, result, exc_info)
        if os.environ.get(FAULT_ENV) == f"after_commit:{self.method_name}" and exc_info is None:
            log.warning("fault injection: %s kills itself after the commit of %s", self.container.service_name,
                        self.method_name)
            os.kill(os.getpid(), signal.SIGKILL)
        return super().handle_result(message, worker_ctx, result, exc_info)


def rpc(fn):
    """Decorate a service method as an RPC that commits before it answers and, when the
    call carries an idempotency key, runs once per key (crmkit.idempotency)."""
    @functools.wraps(fn)
    def once(self, *args, **kwargs):
        name = database_attribute(type(self), required=False)
        if name is None:
            return fn(self, *args, **kwargs)
        return idempotency.run_once(getattr(self, name), f"{type(self).name}.{fn.__name__}", args, kwargs,
                                    lambda: fn(self, *args, **kwargs))

    return TransactionalRpc.decorator(once)


class EventHandler(Consumer):
    def __init__(self, *event_names: str, **kwargs):
        if not event_names:
            raise ValueError("an event handler needs at least one event type")
        self.event_types = tuple(event_names)
        super().__init__(queue=None, **kwargs)

    def setup(self):
        service = self.container.service_name
        self.settings = Settings.for_service(service)
        self.queue = broker.handler_queue(service, self.method_name, self.event_types)
        self.consumer_name = f"{service}.{self.method_name}"
        with Connection(self.settings.amqp_uri) as conn:
            broker.declare_handler_topology(
                conn.default_channel, service, self.method_name, self.event_types,
                self.settings.event_retry_delays)
        self._producer_conn = Connection(self.settings.amqp_uri, transport_options={"confirm_publish": True})
        # One AMQP channel must not be written by two greenthreads at once.
        self._publish_lock = eventlet.semaphore.Semaphore()
        super().setup()

    def stop(self):
        super().stop()
        self._producer_conn.release()

    def handle_message(self, body, message):
        try:
            envelope = Envelope.from_dict(body if isinstance(body, dict) else {})
        except (ValueError, TypeError) as exc:
            # Retrying cannot fix a message that is not an event: park it for a person.
            self._dead_letter(message, f"{type(exc).__name__}: {exc}")
            self.queue_consumer.ack_message(message)
            return
        # The events the handler emits carry the trace of the event it handles on.
        context = CallContext(
            correlation_id=envelope.correlationid, actor=envelope.actor, causation_id=envelope.id,
            traceparent=envelope.traceparent,
        ).as_context_data()
        try:
            self.container.spawn_worker(
                self, (envelope,), {}, context_data=context,
                handle_result=functools.partial(self.handle_result, message),
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        result, exc_info = _complete_work(self.container, worker_ctx, result, exc_info)
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return result, exc_info
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        try:
            self._retry_or_dead_letter(message, error)
        except Exception:
            # The broker would not take the retry: give the message back instead.
            log.exception("could not park failed event %s; requeueing it", message.properties.get("message_id"))
            self.queue_consumer.requeue_message(message)
        else:
            self.queue_consumer.ack_message(message)
        return result, exc_info

    def _retry_or_dead_letter(self, message, error: str) -> None:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0))
        delays = self.settings.event_retry_delays
        if attempt < len(delays):
            target = broker.retry_queue_name(self.queue.name, delays[attempt])
            log.warning("event %s failed in %s (attempt %d), retrying in %ss: %s",
                        message.properties.get("message_id"), self.consumer_name, attempt + 1,
                        delays[attempt], error)
            self._republish(message, target, {ATTEMPT_HEADER: attempt + 1})
        else:
            self._dead_letter(message, error, attempt)

    def _dead_letter(self, message, error: str, attempt: int = 0) -> None:
        log.error("event %s moved to the dead-letter queue of %s: %s",
                  message.properties.get("message_id"), self.consumer_name, error)
        self._republish(message, broker.dead_letter_queue_name(self.queue.name), {
            ATTEMPT_HEADER: attempt,
            "x-crm-error": error[:2000],
            "x-crm-failed-at": datetime.now(UTC).isoformat(),
            "x-crm-queue": self.queue.name,
        })

    def _republish(self, message, queue_name: str, headers: dict) -> None:
        with self._publish_lock:
            self._publish(message, queue_name, headers)

    def _publish(self, message, queue_name: str, headers: dict) -> None:
        producer = Producer(self._producer_conn.default_channel)
        producer.publish(
            message.body, exchange=broker.DEFAULT_EXCHANGE, routing_key=queue_name,
            content_type=message.content_type, content_encoding=message.content_encoding,
            delivery_mode=2, message_id=message.properties.get("message_id"),
            headers={**(message.headers or {}), **headers},
            retry=True, retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
        )


def event_handler(*event_types: str, **kwargs):
    """Decorate a service method ``(self, event: Envelope)`` as a CRM event handler.

    The service must declare one ``crmkit.unit_of_work.Database`` dependency: the
    handler's inbox record is written through it, in the handler's transaction.
    """
    def decorate(fn):
        @functools.wraps(fn)
        def with_inbox(self, event: Envelope):
            unit = getattr(self, database_attribute(type(self)))
            if not unit.first_delivery(f"{type(self).name}.{fn.__name__}", event.id):
                log.info("skipping %s %s: already handled", event.type, event.id)
                return None
            return fn(self, event)

        return EventHandler.decorator(*event_types, **kwargs)(with_inbox)

    return decorate


@functools.cache
def database_attribute(service_cls, required: bool = True) -> str | None:
    names = [name for cls in service_cls.__mro__ for name, value in vars(cls).items() if isinstance(value, Database)]
    if len(names) != 1:
        if not names and not required:
            return None
        raise TypeError(f"{service_cls.__name__} must declare exactly one Database dependency")
    return names[0]


class Call(DependencyProvider):
    """Injects the worker's CallContext and binds it for logging while the worker runs."""

    def __init__(self):
        self._tokens: dict = {}

    def get_dependency(self, worker_ctx):
        return CallContext.from_context_data(worker_ctx.context_data)

    def worker_setup(self, worker_ctx):
        self._tokens[worker_ctx] = bind(CallContext.from_context_data(worker_ctx.context_data))

    def worker_teardown(self, worker_ctx):
        token = self._tokens.pop(worker_ctx, None)
        if token is not None:
            with contextlib.suppress(ValueError):  # teardown ran in another context: nothing to reset
                unbind(token)


class Every(Timer):
    """nameko's timer with its interval read when the service is set up, not when its
    module is imported: ``@every(interval=lambda: seconds("DEALS_EXPIRE_EVERY_SECONDS", 60))`` (by
    name: nameko takes a lone callable for the method it decorates).
    A bad setting stops the service at its start, naming the variable; importing the
    service (the docs' generators, the tests) reads no setting."""

    def __init__(self, interval, eager=False, **kwargs):
        self.read_interval = interval
        super().__init__(interval=None, eager=eager, **kwargs)

    def setup(self):
        self.interval = self.read_interval()
        super().setup()


every = Every.decorator
