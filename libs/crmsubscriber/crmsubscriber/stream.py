"""Consume the CRM's events from the gateway's gRPC stream (``crm.events.v1.Events``),
for as long as the subscriber runs: from the position it remembers, reconnecting with
back-off, each event handed over once.

    from crmsubscriber import State, StreamSubscriber

    def handle(event: dict) -> None:       # the CloudEvent, as a dict
        print(event["type"], event["subject"])

    StreamSubscriber("crm.example.com:50051", token, State("erp.sqlite"), types=["invoice.*"]).run(handle)

- Where it starts: after the position ``state`` remembers; the first time, at ``start``
  (a datetime; None: from now).
- Once: an event whose id ``state`` has seen is skipped; an event is remembered (its id
  and position, in one transaction) only after ``handle`` returned, so one that
  ``handle`` was handling when the process died comes again.
- Alive: a stream silent for 3 heartbeats is taken for dead and opened again.
- Gone: UNAVAILABLE, RESOURCE_EXHAUSTED, a dead stream: reconnect after 0.5 s, doubling to
  30 s, with jitter, back to 0.5 s once a message arrives. UNAUTHENTICATED,
  PERMISSION_DENIED, INVALID_ARGUMENT: retrying cannot help, so ``run`` raises.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime

import grpc
from google.protobuf import timestamp_pb2

from .pb import events_pb2, events_pb2_grpc
from .state import State

log = logging.getLogger("crmsubscriber")

FATAL = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT}
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
SILENT_HEARTBEATS = 3  # this many heartbeats missed: the stream is dead


class StreamSubscriber:
    def __init__(self, target: str, token: str, state: State, *, types: Iterable[str] = (),
                 start: datetime | None = None, heartbeat_seconds: int = 10,
                 credentials: grpc.ChannelCredentials | None = None):
        self.target, self.token, self.state = target, token, state
        self.types, self.start, self.heartbeat_seconds = list(types), start, heartbeat_seconds
        self.credentials = credentials  # None: plaintext (a gateway behind TLS termination, or local)
        self._stopping = threading.Event()
        self._call = None

    def stop(self) -> None:
        """``run`` returns (from another thread, or a signal handler)."""
        self._stopping.set()
        call = self._call
        if call is not None:
            call.cancel()

    def run(self, handle: Callable[[dict], None]) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        while not self._stopping.is_set():
            try:
                for _ in self._messages(handle):
                    backoff = FIRST_BACKOFF_SECONDS
            except grpc.RpcError as exc:
                if self._stopping.is_set():
                    return
                if exc.code() in FATAL:
                    raise
                log.warning("the stream ended (%s: %s); reconnecting in %.1fs", exc.code().name, exc.details(),
                            backoff)
            self._stopping.wait(backoff * random.uniform(0.5, 1.0))
            backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)

    def request(self) -> events_pb2.SubscribeRequest:
        """Where this connection starts: after the remembered position, else at ``start``."""
        request = events_pb2.SubscribeRequest(types=self.types, heartbeat_seconds=self.heartbeat_seconds)
        position = self.state.position()
        if position is not None:
            request.after_position = position
        elif self.start is not None:
            stamp = timestamp_pb2.Timestamp()
            stamp.FromDatetime(self.start)
            request.from_time.CopyFrom(stamp)
        return request

    def _messages(self, handle: Callable[[dict], None]):
        """Each message of one connection, handled; yields after each one."""
        if self.credentials is None:
            channel = grpc.insecure_channel(self.target)
        else:
            channel = grpc.secure_channel(self.target, self.credentials)
        with channel:
            stub = events_pb2_grpc.EventsStub(channel)
            self._call = call = stub.Subscribe(self.request(), metadata=[("authorization", f"Bearer {self.token}")])
            heard = [time.monotonic()]
            watchdog = threading.Thread(target=self._watch, args=(call, heard), daemon=True)
            watchdog.start()
            try:
                for message in call:
                    heard[0] = time.monotonic()
                    if message.HasField("event"):
                        self._deliver(message.event, handle)
                    elif message.heartbeat.HasField("position"):
                        self.state.advance(message.heartbeat.position)
                    yield
            finally:
                self._call = None
                call.cancel()

    def _deliver(self, logged: events_pb2.LoggedEvent, handle: Callable[[dict], None]) -> None:
        event = json.loads(logged.cloudevent)
        if self.state.seen(event["id"]):
            self.state.advance(logged.position)
            return
        handle(event)
        self.state.done(event["id"], logged.position)

    def _watch(self, call, heard: list[float]) -> None:
        """Cancel a stream that stopped talking: no event and no heartbeat for a while
        (a network that drops packets without closing anything)."""
        silence = SILENT_HEARTBEATS * self.heartbeat_seconds
        while call.is_active():
            if time.monotonic() - heard[0] > silence:
                log.warning("no heartbeat for %ss: the stream is taken for dead", silence)
                call.cancel()
                return
            time.sleep(min(1.0, silence / 3))
