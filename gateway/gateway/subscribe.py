"""``crm.events.v1.Events/Subscribe`` (proto/crm/events/v1/events.proto): the events log
(``crmkit.eventlog``) as a gRPC server stream, on the API's tokens and roles.

- Who: the roles of ``operations.EVENT_READERS`` (admin, integration); the token is
  checked again every ``RECHECK_SECONDS``, so a revoked or expired one (the revocation
  broadcast empties the token cache at once) ends its streams UNAUTHENTICATED within
  about a second. Opening a stream spends one request of the token's rate limit; the
  events it then carries do not.
- What: ``visible`` is the one rule: an event reaches a stream only when the caller's
  role may read the record it is about through the API (``get_<kind>``, else
  ``list_<kinds>``; a kind the API does not serve: admins only). Everything else is
  skipped, and its position still passes in the heartbeats.
- A subscription: a request naming one made with delivery ``stream`` reads with its
  types and record filters from where it stands, and tells the subscriptions service
  how far it got about once a second (``_Progress``; services/subscriptions/README.md).
- Threads: grpcio's server runs each stream on a thread of its pool for the stream's
  whole life, and that pool also serves every unary call. So the pool is
  ``CRM_GRPC_THREADS`` + ``CRM_GRPC_MAX_STREAMS`` threads and at most
  ``CRM_GRPC_MAX_STREAMS`` streams run at once in a process (one more is refused
  RESOURCE_EXHAUSTED): the unary calls keep their ``CRM_GRPC_THREADS`` (but for the
  second at most that an ended stream's thread takes to notice, its place being free at
  once).
- Ends: on ``stop`` (SIGTERM) every stream ends UNAVAILABLE within a second, telling
  the client the position to resume after; a client that goes away frees its place at
  once and its thread within a second.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import UTC, datetime

import grpc
from google.protobuf import timestamp_pb2

from crmkit import eventlog
from crmkit.context import CallContext
from crmkit.envelope import Envelope
from crmkit.rpc_client import RemoteError, ServiceUnavailable

from . import errors
from .auth import ADMIN, Principal
from .core import Gateway
from .errors import ApiError
from .operations import BY_NAME, EVENT_READERS
from .pb import events_pb2

log = logging.getLogger(__name__)

SERVICE = events_pb2.DESCRIPTOR.services_by_name["Events"].full_name
DEFAULT_HEARTBEAT_SECONDS = 10
MAX_HEARTBEAT_SECONDS = 300
DEFAULT_MAX_STREAMS = 8
# How often a stream checks that it should go on: its token, the process stopping, the client there.
RECHECK_SECONDS = 1.0


def readers_of(kind: str) -> frozenset[str]:
    """The roles that may read records of ``kind`` through the API."""
    op = BY_NAME.get(f"get_{kind}") or BY_NAME.get(f"list_{kind}s")
    return op.roles if op else frozenset({ADMIN})


def visible(role: str, envelope: Envelope) -> bool:
    """May a stream of a caller of ``role`` carry this event? The record's kind is the
    first word of the event's name (``quote.accepted`` -> quote)."""
    return role in EVENT_READERS and role in readers_of(envelope.name.split(".")[0])


class EventStreams:
    """The Subscribe rpc of one gateway process."""

    def __init__(self, gateway: Gateway, amqp_uri: str, max_streams: int = DEFAULT_MAX_STREAMS):
        self.gateway = gateway
        self.amqp_uri = amqp_uri
        self.max_streams = max_streams
        self._slots = threading.BoundedSemaphore(max_streams)
        self._stopping = threading.Event()

    def handler(self) -> grpc.RpcMethodHandler:
        return grpc.unary_stream_rpc_method_handler(
            self.subscribe, request_deserializer=events_pb2.SubscribeRequest.FromString,
            response_serializer=events_pb2.SubscribeResponse.SerializeToString)

    def stop(self) -> None:
        """Every stream ends (UNAVAILABLE, with the position to resume after) within RECHECK_SECONDS."""
        self._stopping.set()

    def subscribe(self, request: events_pb2.SubscribeRequest, ctx: grpc.ServicerContext):
        from .grpc_server import _CORRELATION_ID, error_status, peer_address  # it imports this module

        metadata = {k.lower(): v for k, v in (ctx.invocation_metadata() or ()) if isinstance(v, str)}
        supplied = metadata.get("x-correlation-id", "")
        correlation_id = supplied if _CORRELATION_ID.match(supplied) else str(uuid.uuid4())
        try:
            principal = self.gateway.authenticate(metadata.get("authorization"), peer_address(ctx.peer()))
            if principal.role not in EVENT_READERS:
                raise ApiError(403, "forbidden", f"The role {principal.role} may not subscribe to events.",
                               {"role": principal.role, "operation": "subscribe"})
            heartbeat_seconds = _heartbeat_seconds(request)
            _check_types(request)
            subscription = self._open(request, principal, correlation_id) if request.subscription_id else None
            start = _start(request, subscription)
            if self._stopping.is_set():
                raise ApiError(503, "service_unavailable", "The gateway is stopping; subscribe again.")
            if not self._slots.acquire(blocking=False):
                raise ApiError(429, "too_many_streams", f"This gateway serves its most streams "
                                                        f"({self.max_streams}) already; retry later.",
                               {"max_streams": self.max_streams}, retry_after=5)
        except ApiError as exc:
            ctx.abort_with_status(error_status(exc, correlation_id))
        # The place is free again as soon as the call ends (the client gone, a status sent),
        # not when its thread next looks (within RECHECK_SECONDS).
        release = _once(self._slots.release)
        ctx.add_callback(release)
        secret = metadata["authorization"].strip().partition(" ")[2].strip()
        try:
            yield from self._stream(request, ctx, principal, secret, start, heartbeat_seconds, correlation_id,
                                    subscription)
        finally:
            release()

    def _open(self, request, principal: Principal, correlation_id: str) -> dict:
        """The stream subscription the request names: its record, where it stands and its
        replay generation (subscriptions.open_stream refuses any other)."""
        if request.types:
            raise errors.invalid({"types": ["A subscription's types are its own: give none with subscription_id."]})
        return self.call_subscriptions(principal, correlation_id, "open_stream",
                                       subscription_id=request.subscription_id)

    def call_subscriptions(self, principal: Principal, correlation_id: str, method: str, **kwargs):
        """An RPC of the subscriptions service for a stream, in the caller's name."""
        context = CallContext(correlation_id=correlation_id, actor=principal.user_id,
                              causation_id=f"api:{correlation_id}")
        try:
            return self.gateway.client.call("subscriptions", method, context, **kwargs)
        except RemoteError as exc:
            raise errors.from_remote(exc) from None
        except ServiceUnavailable:
            raise ApiError(503, "service_unavailable", "The subscriptions service is not answering; retry later.",
                           {"service": "subscriptions"}) from None

    def _stream(self, request, ctx, principal: Principal, secret: str, start: dict, heartbeat_seconds: int,
                correlation_id: str, subscription: dict | None):
        from .grpc_server import error_status

        types = subscription["subscription"]["types"] if subscription else list(request.types)
        progress = _Progress(self, subscription, correlation_id, principal) if subscription else None
        try:
            reader = eventlog.EventLogReader(self.amqp_uri, types=types, **start)
        except Exception as exc:
            log.warning("cannot read the events log (%s: %s)", type(exc).__name__, exc)
            ctx.abort_with_status(error_status(ApiError(503, "service_unavailable",
                                                        "The events log is not reachable; retry later."),
                                               correlation_id))
        # What a client may resume after: the last position read, or the one it asked after.
        resume_after = start.get("after")
        if start.get("from_position"):
            resume_after = start["from_position"] - 1
        log.info("stream opened: token=%s role=%s types=%s start=%s", principal.token_id, principal.role,
                 list(request.types) or ["#"], start)
        with reader:
            last_sent = time.monotonic()
            while True:
                for logged in reader.poll(RECHECK_SECONDS):
                    if visible(principal.role, logged.envelope) and (progress is None or progress.wants(logged)):
                        yield events_pb2.SubscribeResponse(event=events_pb2.LoggedEvent(
                            position=logged.position, cloudevent=logged.envelope.to_json()))
                        last_sent = time.monotonic()
                        if progress:
                            progress.sent += 1
                if reader.position is not None:
                    resume_after = reader.position
                if not ctx.is_active():
                    if progress:
                        progress.tell(resume_after, quietly=True)
                    return  # the client went away
                problem = self._why_end(secret) or (progress.tell(resume_after) if progress else None)
                if problem:
                    problem.details["resume_after_position"] = resume_after
                    ctx.abort_with_status(error_status(problem, correlation_id))
                if time.monotonic() - last_sent >= heartbeat_seconds:
                    heartbeat = events_pb2.Heartbeat(time=_now())
                    if resume_after is not None:
                        heartbeat.position = resume_after
                    yield events_pb2.SubscribeResponse(heartbeat=heartbeat)
                    last_sent = time.monotonic()

    def _why_end(self, secret: str) -> ApiError | None:
        """Why a stream must end now (None: it goes on). The token is read from the
        cache, which a revocation anywhere empties of it: a look-up per CACHE_SECONDS."""
        if self._stopping.is_set():
            return ApiError(503, "service_unavailable", "The gateway is stopping; resume after the last position.")
        try:
            if self.gateway.tokens.authenticate(secret) is None:
                return ApiError(401, "unauthenticated", "The API token is unknown or revoked.")
        except Exception:
            log.exception("cannot check a streaming token; ending the stream")
            return ApiError(503, "service_unavailable", "Tokens cannot be checked just now; retry later.")
        return None


class _Progress:
    """How far the stream of a stream subscription got, written down about once a
    second (subscriptions.stream_progress): its position (the last one read, skipped
    events included), the count delivered, and whether it may go on."""

    def __init__(self, streams: EventStreams, opened: dict, correlation_id: str, principal: Principal):
        record = opened["subscription"]
        self.streams, self.id, self.generation = streams, record["id"], opened["generation"]
        self.holder = opened["holder"]
        self.filters = {name: record.get(name) for name in ("team", "organization_id", "min_amount")}
        self.principal, self.correlation_id = principal, correlation_id
        self.sent, self.told_at = 0, 0.0

    def wants(self, logged: eventlog.LoggedEvent) -> bool:
        return eventlog.record_matches(logged.envelope, **self.filters)

    def tell(self, position: int | None, quietly: bool = False) -> ApiError | None:
        """Write down how far it got; an ApiError when the stream must end. Called once
        per pass of the stream (about a second), also when nothing moved: a pause, a
        replay or a delete ends the stream within about a second; not more often than
        RECHECK_SECONDS while events pour in (one RPC per second, not per batch)."""
        if not quietly and time.monotonic() - self.told_at < RECHECK_SECONDS:
            return None
        self.told_at = time.monotonic()
        try:
            answer = self.streams.call_subscriptions(
                self.principal, self.correlation_id, "stream_progress", subscription_id=self.id,
                generation=self.generation, position=position, delivered=self.sent, holder=self.holder)
        except ApiError as exc:
            if quietly:
                return None
            return exc
        self.sent = 0
        if answer["go_on"]:
            return None
        why = answer["why"]
        if why == "deleted":
            return ApiError(404, "not_found", f"Subscription {self.id} was deleted.")
        if why == "replayed":
            return ApiError(409, "conflict", f"Subscription {self.id} was replayed: open its stream again.")
        if why == "taken":
            return ApiError(409, "conflict", f"Another stream opened subscription {self.id}: one stream reads a "
                                             "subscription at a time, the newest.")
        return ApiError(409, "invalid_transition", f"Subscription {self.id} is {why}; resume it to read it.",
                        {"entity": "subscription", "current_state": why, "command": "stream"})


def _once(action):
    lock, done = threading.Lock(), []

    def once() -> None:
        with lock:
            if not done:
                done.append(True)
                action()
    return once


def _check_types(request: events_pb2.SubscribeRequest) -> None:
    try:
        eventlog.type_matcher(request.types)
    except ValueError as exc:
        raise errors.invalid({"types": [str(exc)]}) from None


def _start(request: events_pb2.SubscribeRequest, subscription: dict | None = None) -> dict:
    """``eventlog.EventLogReader``'s keyword for where the request starts (none given:
    where the subscription it names stands, else from now)."""
    which = request.WhichOneof("start")
    if which is None and subscription is not None:
        start = subscription["start"]
        return {"from_time": datetime.fromisoformat(start["from_time"])} if "from_time" in start else start
    if which is None:
        return {"only_new": True}
    if which == "after_position":
        return {"after": request.after_position}
    if which == "from_position":
        return {"from_position": request.from_position}
    return {"from_time": request.from_time.ToDatetime(tzinfo=UTC)}


def _heartbeat_seconds(request: events_pb2.SubscribeRequest) -> int:
    if not request.HasField("heartbeat_seconds"):
        return DEFAULT_HEARTBEAT_SECONDS
    if not 1 <= request.heartbeat_seconds <= MAX_HEARTBEAT_SECONDS:
        raise errors.invalid({"heartbeat_seconds": [f"Must be between 1 and {MAX_HEARTBEAT_SECONDS}."]})
    return request.heartbeat_seconds


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp
