"""The API over gRPC, one rpc per operation of ``operations.OPERATIONS`` (the services
``crm.leads.v1.Leads``, ``crm.deals.v1.Deals``, ``crm.billing.v1.Billing`` and
``crm.gateway.v1.Gateway`` of ``proto/``), the events stream ``crm.events.v1.Events``
(``gateway.subscribe``), plus the standard health and reflection services.
``crm-gateway`` serves it beside REST, in the same process and over the same
``core.Gateway`` (one token cache, one rate limiter for both).

Plain threads: grpcio's core hangs under eventlet (STACK-NOTES), so nothing here runs
nameko; the services are called with ``crmkit.rpc_client``.
Each rpc is a thin translation of its request and metadata into a ``core.Call`` and of
the ``Result`` or ``ApiError`` back, exactly as ``app`` does for HTTP:

    metadata in       authorization ("Bearer <token>"), x-correlation-id, traceparent (W3C;
                      else one is started), idempotency-key (writes), if-match (where the rpc takes it),
                      prefer (wait=N: gateway.arrivals)
    trailing out      x-correlation-id, etag, location, preference-applied, retry-after (429)
    errors            see STATUS_CODES; grpc-status-details-bin carries a google.rpc.Status
                      whose one detail is a google.protobuf.Struct {"code", "message",
                      "details"}: the REST error body, every bad field named

Settings (read by ``gateway.server``): CRM_GRPC_HOST (127.0.0.1), CRM_GRPC_PORT (50051),
CRM_GRPC_THREADS (16: the unary calls'), CRM_GRPC_MAX_STREAMS (8: Subscribe streams at
once, each on a thread of its own on top of those).
"""
from __future__ import annotations

import base64
import json
import logging
import re
import sys
import time
import uuid
from concurrent import futures
from typing import Any, NamedTuple
from urllib.parse import unquote

import grpc
from google.protobuf import any_pb2, message_factory, struct_pb2
from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor
from google.protobuf.message import DecodeError, Message
from google.rpc import status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from crmkit import context
from crmkit.context import CallContext

from . import errors, protojson, subscribe
from .arrivals import wait_seconds
from .core import Call, Gateway, Result
from .errors import ApiError
from .operations import OPERATIONS, Operation
from .pb import billing_pb2, deals_pb2, gateway_pb2, leads_pb2, subscriptions_pb2
from .subscribe import EventStreams

log = logging.getLogger(__name__)
access_log = logging.getLogger("gateway.grpc.access")

MODULES = {"leads": leads_pb2, "deals": deals_pb2, "billing": billing_pb2, "subscriptions": subscriptions_pb2,
           "gateway": gateway_pb2}
STOP_GRACE_SECONDS = 10.0
MAX_CONNECTION_AGE_MS = 5 * 60 * 1000
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_IF_MATCH = re.compile(r'^(?:W/)?"?(\d{1,10})"?$')
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_REQUEST_ONLY = {"body", "update_mask"}

# HTTP status of an ApiError -> gRPC status code; the error's code refines a 409.
STATUS_CODES = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ABORTED,
    412: grpc.StatusCode.FAILED_PRECONDITION,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    503: grpc.StatusCode.UNAVAILABLE,
}
# A 409 is three things: the record's state does not allow it (retrying will not help
# until the state changes), a duplicate, or a conflict (a concurrent write won, or the
# stored data refuses it: read again and retry, gRPC's ABORTED).
ERROR_CODES = {
    "invalid_transition": grpc.StatusCode.FAILED_PRECONDITION,
    "duplicate": grpc.StatusCode.ALREADY_EXISTS,
    "conflict": grpc.StatusCode.ABORTED,
    "stale_version": grpc.StatusCode.FAILED_PRECONDITION,
}


def grpc_code(error: ApiError) -> grpc.StatusCode:
    return ERROR_CODES.get(error.code) or STATUS_CODES.get(error.status) or (
        grpc.StatusCode.INVALID_ARGUMENT if 400 <= error.status < 500 else grpc.StatusCode.INTERNAL)


class _Status(NamedTuple):  # a grpc.Status: what context.abort_with_status sends
    code: grpc.StatusCode
    details: str
    trailing_metadata: tuple


def error_status(error: ApiError, correlation_id: str) -> _Status:
    code = grpc_code(error)
    body = struct_pb2.Struct()
    # Through JSON: details hold only JSON values, and a tuple or a Decimal must not fail here.
    body.update(json.loads(json.dumps(error.body()["error"], default=str)))
    detail = any_pb2.Any()
    detail.Pack(body)
    rich = status_pb2.Status(code=code.value[0], message=error.message, details=[detail])
    trailing = [("grpc-status-details-bin", rich.SerializeToString()), ("x-correlation-id", correlation_id)]
    if error.retry_after is not None:
        trailing.append(("retry-after", str(error.retry_after)))
    return _Status(code, error.message, tuple(trailing))


# One rpc
class Undecodable(NamedTuple):
    """A request's bytes that protobuf could not parse, and why."""

    reason: str


class Rpc:
    """The handler of one operation: request and metadata in, answer or status out."""

    def __init__(self, gateway: Gateway, op: Operation, method: MethodDescriptor):
        self.gateway, self.op, self.method = gateway, op, method
        self.request_class = message_factory.GetMessageClass(method.input_type)
        self.response_class = message_factory.GetMessageClass(method.output_type)
        fields = method.input_type.fields
        self.query_fields = [f for f in fields if f.name not in _REQUEST_ONLY and f.name not in op.path_params]

    def handler(self) -> grpc.RpcMethodHandler:
        return grpc.unary_unary_rpc_method_handler(self, request_deserializer=self.parse,
                                                   response_serializer=self.response_class.SerializeToString)

    def parse(self, data: bytes) -> Message | Undecodable:
        """The request, or why the bytes are no such message (a string that is not UTF-8,
        nesting beyond protobuf's limit): grpcio answers INTERNAL to a deserializer that
        fails (or returns None), and that is the caller's mistake, INVALID_ARGUMENT."""
        try:
            return self.request_class.FromString(data)
        except DecodeError as exc:
            return Undecodable(str(exc))

    def __call__(self, request: Message, ctx: grpc.ServicerContext) -> Message:
        metadata = _metadata(ctx)
        supplied = metadata.get("x-correlation-id", "")
        correlation_id = supplied if _CORRELATION_ID.match(supplied) else str(uuid.uuid4())
        traceparent = context.traceparent_or_new(metadata.get("traceparent"))
        token = context.bind(CallContext(correlation_id=correlation_id, traceparent=traceparent))
        started, outcome, token_id = time.perf_counter(), grpc.StatusCode.OK, "-"
        try:
            call = self.call(request, metadata, correlation_id, ctx.peer())
            call.traceparent = traceparent
            token_id = call.principal.token_id
            return self.response(self.gateway.execute(call), ctx, correlation_id)
        except ApiError as exc:
            outcome = grpc_code(exc)
            ctx.abort_with_status(error_status(exc, correlation_id))
        except Exception:
            log.exception("unexpected error in %s", self.op.grpc_name)
            outcome = grpc.StatusCode.INTERNAL
            ctx.abort_with_status(error_status(ApiError(500, "internal_error", errors.INTERNAL_MESSAGE),
                                               correlation_id))
        finally:
            access_log.info("%s %s %.1fms token=%s", self.op.grpc_name, outcome.name,
                            (time.perf_counter() - started) * 1000, token_id)
            context.unbind(token)

    # In
    def call(self, request: Message, metadata: dict[str, str], correlation_id: str, peer: str = "") -> Call:
        op = self.op
        principal = self.gateway.authenticate(metadata.get("authorization"), peer_address(peer))
        if isinstance(request, Undecodable):
            raise ApiError(400, "bad_request", f"The request is no {self.request_class.DESCRIPTOR.full_name}: "
                                               f"{request.reason}.")
        call = Call(operation=op, principal=principal, correlation_id=correlation_id,
                    params=self.params(request), query=self.query(request))
        if op.writes:
            call.idempotency_key = _idempotency_key(metadata)
            if op.body:
                call.body = self.body(request)
        if op.if_match:
            call.expected_version = _if_match(metadata)
        if self.gateway.arrivals is not None:
            call.wait_seconds = wait_seconds(metadata.get("prefer"), self.gateway.arrivals.max_wait_seconds)
        return call

    def params(self, request: Message) -> dict[str, str]:
        params = {name: getattr(request, name) for name in self.op.path_params}
        missing = {name: ["Missing data for required field."] for name, value in params.items() if not value}
        if missing:
            raise errors.invalid(missing)
        return params

    def query(self, request: Message) -> dict[str, str]:
        """As a query string gives them: every value a string."""
        keys = protojson.json_keys(request.DESCRIPTOR)
        return {keys[f.name]: _query_value(f, getattr(request, f.name)) for f in self.query_fields
                if request.HasField(f.name)}

    def body(self, request: Message) -> dict:
        body = protojson.to_json(request.body) if request.HasField("body") else {}
        if "update_mask" not in request.DESCRIPTOR.fields_by_name or not request.HasField("update_mask"):
            return body
        # The mask names what to write: a field named but unset becomes null (clears it).
        fields = request.body.DESCRIPTOR.fields
        by_key = {protojson.json_key(request.body.DESCRIPTOR, f.name): f for f in fields}
        by_key.update({f.name: f for f in fields})
        written, bad = {}, {}
        for path in request.update_mask.paths:
            field = by_key.get(path)
            if field is None:
                bad[path] = ["Not a field of the body (update_mask names top-level fields only)."]
                continue
            key = protojson.json_key(request.body.DESCRIPTOR, field.name)
            written[key] = body.get(key, [] if field.is_repeated else None)
        if bad:
            raise errors.invalid({"update_mask": bad})
        return written

    # Out
    def response(self, result: Result, ctx: grpc.ServicerContext, correlation_id: str) -> Message:
        trailing = [("x-correlation-id", correlation_id)]
        if result.etag:
            trailing.append(("etag", result.etag))
        if result.location:
            trailing.append(("location", result.location))
        if result.preference_applied:
            trailing.append(("preference-applied", result.preference_applied))
        ctx.set_trailing_metadata(tuple(trailing))
        if self.op.shape == "pdf":
            return self.response_class(content=base64.b64decode(result.data["content"]),
                                       filename=result.data["filename"])
        if self.response_class.DESCRIPTOR.full_name == "google.protobuf.Empty":
            return self.response_class()
        return protojson.to_message(result.data, self.response_class())


def peer_address(peer: str) -> str:
    """The client's address in a gRPC peer: "ipv4:10.0.0.7:5123", "ipv6:[::1]:5123"
    (percent-encoded by some grpcio versions); anything else as it is."""
    kind, _, rest = unquote(peer or "").partition(":")
    if kind == "ipv4":
        return rest.rpartition(":")[0]
    if kind == "ipv6":
        return rest.rpartition(":")[0].strip("[]")
    return peer


def _metadata(ctx: grpc.ServicerContext) -> dict[str, str]:
    return {key.lower(): value for key, value in (ctx.invocation_metadata() or ()) if isinstance(value, str)}


def _idempotency_key(metadata: dict[str, str]) -> str | None:
    supplied = metadata.get("idempotency-key")
    if supplied is not None and not _IDEMPOTENCY_KEY.match(supplied):
        raise ApiError(400, "bad_request", "idempotency-key takes 1 to 200 visible ASCII characters.")
    return supplied


def _if_match(metadata: dict[str, str]) -> int | None:
    """The version the caller read: the etag as given ("3"), or the bare number."""
    supplied = metadata.get("if-match")
    if supplied is None:
        return None
    match = _IF_MATCH.match(supplied.strip())
    if match is None:
        raise ApiError(400, "bad_request", 'if-match takes one etag this API gave out, like "3".')
    return int(match.group(1))


def _query_value(field: FieldDescriptor, value: Any) -> str:
    if field.type == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    return str(value)


# The server
def service_name(area: str) -> str:
    return MODULES[area].DESCRIPTOR.services_by_name[area.capitalize()].full_name


def served_operations() -> list[Operation]:
    """Every operation with an rpc: all but CSV import and export (REST only)."""
    return [op for op in OPERATIONS
            if op.grpc_name in MODULES[op.area].DESCRIPTOR.services_by_name[op.area.capitalize()].methods_by_name]


def method_handlers(gateway: Gateway) -> dict[str, dict[str, grpc.RpcMethodHandler]]:
    """service full name -> {method name: handler}, for every served operation."""
    unserved = {op.name for op in OPERATIONS} - {op.name for op in served_operations()}
    if unserved - {"import_leads", "export_leads"}:
        log.warning("operations without an rpc (stale gateway/pb? run `python -m gateway.protogen`): %s",
                    ", ".join(sorted(unserved)))
    handlers: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for op in served_operations():
        service = MODULES[op.area].DESCRIPTOR.services_by_name[op.area.capitalize()]
        handlers.setdefault(service.full_name, {})[op.grpc_name] = Rpc(
            gateway, op, service.methods_by_name[op.grpc_name]).handler()
    for area, module in MODULES.items():
        service = module.DESCRIPTOR.services_by_name[area.capitalize()]
        missing = set(service.methods_by_name) - set(handlers.get(service.full_name, {}))
        if missing:
            raise RuntimeError(f"{service.full_name} has rpcs no operation serves: {sorted(missing)}; "
                               "run `python -m gateway.protogen`")
    return handlers


def make_server(gateway: Gateway, address: str, threads: int, streams: EventStreams
                ) -> tuple[grpc.Server, health.HealthServicer, int]:
    """A server with every API service, the events stream, health and reflection, bound
    (not started). Each stream holds a thread for its life: the pool has one per stream
    that may run beside the ``threads`` of the unary calls, which no stream can starve."""
    workers = threads + streams.max_streams
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
                         options=[
                             # One process per port: SO_REUSEPORT would let a stale one take half the calls.
                             ("grpc.so_reuseport", 0),
                             # Clients keep one connection, so a replica added later would get none of
                             # them: make every client reconnect now and then (calls in flight finish).
                             ("grpc.max_connection_age_ms", MAX_CONNECTION_AGE_MS),
                             ("grpc.max_connection_age_grace_ms", int(STOP_GRACE_SECONDS * 1000)),
                         ])
    handlers = method_handlers(gateway)
    handlers[subscribe.SERVICE] = {"Subscribe": streams.handler()}
    for name, methods in handlers.items():
        server.add_registered_method_handlers(name, methods)
    checker = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)
    for name in ("", *handlers):
        checker.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection((*handlers, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    try:
        port = server.add_insecure_port(address)
    except RuntimeError as exc:
        raise OSError(f"cannot listen on {address}: {exc}") from None
    if not port:
        raise OSError(f"cannot listen on {address}")
    return server, checker, port


def refuse_eventlet() -> None:
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None and eventlet.patcher.is_monkey_patched("socket"):
        sys.exit("the gRPC server must not run under eventlet's monkey-patching (grpcio hangs); see STACK-NOTES.md")


def stop(server: grpc.Server, checker: health.HealthServicer, streams: EventStreams) -> None:
    """Health says NOT_SERVING first, so a balancer stops sending; the streams end (they
    would not in any grace: a client resumes them elsewhere); then calls in flight get
    STOP_GRACE_SECONDS to finish."""
    checker.enter_graceful_shutdown()
    streams.stop()
    server.stop(STOP_GRACE_SECONDS).wait()
