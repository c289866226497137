"""An RPC client for processes that do not run nameko (the gateway, tools, benchmarks).

It speaks nameko's RPC protocol with plain kombu and threads: requests go to the
``nameko-rpc`` exchange with routing key ``service.method``; replies come back to one
exclusive queue per client, matched by correlation id. It is safe to share between
threads: publishing is serialised on one connection, and one thread consumes replies.
The call context (correlation id, actor) travels in ``nameko.*`` headers, which
nameko exposes to the service as ``worker_ctx.context_data``.
"""
from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from kombu import Connection, Consumer, Producer, Queue
from kombu.exceptions import OperationalError

from .broker import RPC_EXCHANGE
from .context import CallContext

log = logging.getLogger(__name__)

class RemoteError(Exception):
    """A service answered with an error: ``exc_type`` names it, ``args`` carry it."""

    def __init__(self, exc_type: str, exc_path: str, message: str, args: list):
        super().__init__(message)
        self.exc_type = exc_type
        self.exc_path = exc_path
        self.message = message
        self.remote_args = args


class ServiceUnavailable(Exception):
    """No answer in time: the service is down, overloaded, or the broker is away."""


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float = 10.0, name: str = "client"):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.reply_queue_name = f"rpc.reply-{name}-{uuid.uuid4().hex}"
        self._pending: dict[str, Future] = {}
        self._pending_lock = threading.Lock()
        self._publish_lock = threading.Lock()
        self._publish_conn = Connection(amqp_uri, heartbeat=0)
        self._producer: Producer | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._consume_replies, name="rpc-replies", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ServiceUnavailable(f"cannot consume RPC replies from {self.amqp_uri}")

    def call(self, service: str, method: str, context: CallContext | None = None,
             timeout: float | None = None, **kwargs):
        correlation_id = uuid.uuid4().hex
        future: Future = Future()
        with self._pending_lock:
            self._pending[correlation_id] = future
        headers = {f"nameko.{k}": v for k, v in (context or CallContext()).as_context_data().items()}
        try:
            with self._publish_lock:
                if self._producer is None:
                    self._producer = Producer(self._publish_conn.default_channel)
                self._producer.publish(
                    {"args": [], "kwargs": kwargs}, exchange=RPC_EXCHANGE, routing_key=f"{service}.{method}",
                    reply_to=self.reply_queue_name, correlation_id=correlation_id, headers=headers,
                    serializer="json", delivery_mode=1,  # a request need not outlive a broker restart
                    retry=True, retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.5},
                )
            body = future.result(timeout or self.timeout)
        except FutureTimeout:
            raise ServiceUnavailable(f"{service}.{method} did not answer within {timeout or self.timeout}s") from None
        except (OSError, ConnectionError, OperationalError) as exc:  # kombu's, once its retries ran out
            self._producer = None
            raise ServiceUnavailable(f"cannot send to {service}.{method}: {exc}") from exc
        finally:
            with self._pending_lock:
                self._pending.pop(correlation_id, None)
        error = body.get("error")
        if error:
            raise RemoteError(error.get("exc_type", ""), error.get("exc_path", ""),
                              error.get("value", ""), error.get("exc_args") or [])
        return body.get("result")

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._publish_conn.release()

    def _on_reply(self, body, message) -> None:
        message.ack()
        correlation_id = message.properties.get("correlation_id")
        with self._pending_lock:
            future = self._pending.get(correlation_id)
        if future is not None and not future.done():
            future.set_result(body)

    def _consume_replies(self) -> None:
        queue = Queue(self.reply_queue_name, exchange=RPC_EXCHANGE, routing_key=self.reply_queue_name,
                      auto_delete=True, durable=False, queue_arguments={"x-expires": 300_000})
        while not self._stopping.is_set():
            try:
                with Connection(self.amqp_uri, heartbeat=30) as conn:
                    with Consumer(conn, queues=[queue], callbacks=[self._on_reply], accept=["json"]):
                        self._ready.set()
                        while not self._stopping.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                conn.heartbeat_check()
            except Exception as exc:
                if self._stopping.is_set():
                    break
                log.warning("RPC reply consumer lost the broker (%s); reconnecting", exc)
                self._stopping.wait(1.0)
