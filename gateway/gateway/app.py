"""REST under /api/v1: one route per operation of ``operations.OPERATIONS``, each a thin
translation of HTTP into a ``core.Call`` and of its ``Result`` back into HTTP."""
from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import Flask, Response, g, jsonify, request, stream_with_context
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import BaseConverter

from crmkit import context
from crmkit.context import CallContext
from crmkit.schemas import MAX_DEPTH, too_deep

from . import csv_import, errors, eventtypes
from .arrivals import wait_seconds
from .core import API, Call, Gateway, Result
from .errors import ApiError
from .operations import OPERATIONS, Operation

log = logging.getLogger(__name__)
access_log = logging.getLogger("gateway.access")

MAX_BODY_BYTES = 1024 * 1024
MAX_IMPORT_BYTES = 512 * 1024 * 1024
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_ETAG = re.compile(r'^(?:W/)?"(\d{1,10})"$')
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
OPENAPI = Path(__file__).with_name("openapi.json")
DOCS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>CRM API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5.17.14/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5.17.14/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#ui"});</script>
</body></html>"""


def create_app(gateway: Gateway) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    openapi = OPENAPI.read_bytes()
    asyncapi = eventtypes.ASYNCAPI.read_bytes()

    @app.before_request
    def _bind_context():
        supplied = request.headers.get("X-Correlation-Id", "")
        g.correlation_id = supplied if _CORRELATION_ID.match(supplied) else str(uuid.uuid4())
        g.traceparent = context.traceparent_or_new(request.headers.get("traceparent"))
        g.context_token = context.bind(CallContext(correlation_id=g.correlation_id, traceparent=g.traceparent))
        g.started = time.perf_counter()

    @app.after_request
    def _add_context_headers(resp):
        resp.headers["X-Correlation-Id"] = g.correlation_id
        resp.headers["traceparent"] = g.traceparent  # the trace the request's events carry on
        # Which token: who did what, without the secret (its id is in GET /tokens).
        access_log.info("%s %s %d %.1fms token=%s", request.method, request.path, resp.status_code,
                        (time.perf_counter() - g.started) * 1000, g.get("token_id", "-"))
        return resp

    @app.teardown_request
    def _unbind_context(_exc):
        token = g.pop("context_token", None)
        if token is not None:
            context.unbind(token)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        resp = jsonify(exc.body())
        resp.status_code = exc.status
        if exc.retry_after is not None:
            resp.headers["Retry-After"] = str(exc.retry_after)
        if exc.status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 400: "bad_request"}.get(
            exc.code, "http_error")
        message = exc.description or exc.name
        if exc.code == 413:
            message = f"The body is larger than {request.max_content_length or MAX_BODY_BYTES} bytes."
        resp = _api_error(ApiError(exc.code, code, message))
        if isinstance(exc, MethodNotAllowed):  # RFC 9110: a 405 names what the path does take
            resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return _api_error(ApiError(500, "internal_error", errors.INTERNAL_MESSAGE))

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

    @app.get(f"{API}/openapi.json")
    def openapi_document():
        return Response(openapi, mimetype="application/json")

    @app.get(f"{API}/asyncapi.json")
    def asyncapi_document():
        return Response(asyncapi, mimetype="application/json")

    @app.get(f"{API}/event-types/<type_>/schema")
    def event_schema(type_: str):
        """Public like the API's documents: a validator fetches an event's dataschema without a token."""
        document = eventtypes.schema(type_)
        if document is None:
            raise ApiError(404, "not_found", f"No event type {type_}; GET {API}/event-types lists them.")
        return Response(document, mimetype="application/schema+json")

    @app.get("/api/docs")
    def docs():
        return Response(DOCS_PAGE, mimetype="text/html")

    app.url_map.converters["segment"] = _Segment
    paths = {op.path for op in OPERATIONS}
    for op in OPERATIONS:
        view = _VIEWS.get(op.name, _view)
        app.add_url_rule(f"{API}{_flask_path(op.path, paths)}", op.name, _bind(view, gateway, op),
                         methods=[op.method])
    return app


class _Segment(BaseConverter):
    """A path parameter that is none of the fixed segments beside it: ``/leads/import``
    is a path of its own, not the lead "import" (else its OPTIONS and 405 would name the
    lead's GET and PATCH, and a PATCH there would look for that lead)."""

    def __init__(self, url_map, *fixed: str):
        super().__init__(url_map)
        if fixed:
            self.regex = rf"(?!(?:{'|'.join(map(re.escape, fixed))})\Z)[^/]+"


def _flask_path(path: str, paths: set[str]) -> str:
    """``/leads/{lead_id}`` as a Flask rule whose parameter excludes the fixed segments
    other paths have there (``/leads/import``, ``/leads/export``)."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if match := re.fullmatch(r"{(\w+)}", part):
            beside = [other.split("/") for other in paths]
            fixed = sorted({other[i] for other in beside
                            if len(other) > i and other[:i] == parts[:i] and not other[i].startswith("{")})
            arguments = f"({', '.join(map(repr, fixed))})" if fixed else ""
            parts[i] = f"<segment{arguments}:{match.group(1)}>"
    return "/".join(parts)


def _bind(view, gateway: Gateway, op: Operation):
    def route(**params):
        call = _call(gateway, op, params)
        return view(gateway, call)
    return route


def _call(gateway: Gateway, op: Operation, params: dict) -> Call:
    # remote_addr is the peer, or what a configured trusted proxy says (server.py, waitress).
    principal = gateway.authenticate(request.headers.get("Authorization"), request.remote_addr or "")
    g.token_id = principal.token_id
    unknown = set(request.args) if op.query is None else set()
    if unknown:  # as an unknown field of a body is: named, not ignored
        raise errors.invalid({name: ["Unknown parameter."] for name in sorted(unknown)})
    call = Call(operation=op, principal=principal, correlation_id=g.correlation_id, traceparent=g.traceparent,
                params=params, query=request.args.to_dict())
    if op.writes:
        call.idempotency_key = _idempotency_key()
        if op.body:
            call.body = _body()
    if op.if_match:
        call.expected_version = _if_match()
    if gateway.arrivals is not None:
        call.wait_seconds = wait_seconds(request.headers.get("Prefer"), gateway.arrivals.max_wait_seconds)
    return call


def _view(gateway: Gateway, call: Call):
    result = gateway.execute(call)
    return _json(result)


def _json(result: Result):
    resp = jsonify(result.data)
    resp.status_code = result.status
    if result.etag:
        resp.headers["ETag"] = result.etag
    if result.location:
        resp.headers["Location"] = result.location
    if result.preference_applied:
        resp.headers["Preference-Applied"] = result.preference_applied
    return resp


def _quote_pdf(gateway: Gateway, call: Call):
    document = gateway.execute(call).data
    return Response(base64.b64decode(document["content"]), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{document["filename"]}"'})


def _import_leads(gateway: Gateway, call: Call):
    """Stream a CSV (the body as text/csv, or a multipart field "file") to the leads
    service a chunk of rows at a time; answer with one report of the whole file."""
    gateway.authorize(call)
    request.max_content_length = MAX_IMPORT_BYTES
    stream = request.stream
    if request.mimetype == "multipart/form-data":
        # A file part (with a filename) or a plain field: both are the part named "file".
        upload = request.files.get("file")
        if upload is not None:
            stream = upload.stream
        elif "file" in request.form:
            stream = io.BytesIO(request.form["file"].encode("utf-8"))
        else:
            raise errors.invalid({"file": ["Send the CSV as the multipart field 'file'."]})
    policy = call.query.get("duplicates", "skip")  # the service names a bad one
    with _seekable(stream) as file:
        return jsonify(csv_import.run(file, lambda header, rows, first: gateway.rpc(
            call, "leads", "import_leads", header=header, rows=rows, first_row=first, policy=policy)))


def _seekable(stream: BinaryIO) -> contextlib.AbstractContextManager[BinaryIO]:
    """The upload as a file the import can read twice, on disk past a MiB: a multipart
    file is one already; a request body is copied."""
    if stream.seekable():
        return contextlib.nullcontext(stream)
    copy = tempfile.SpooledTemporaryFile(max_size=MAX_BODY_BYTES)
    shutil.copyfileobj(stream, copy)
    copy.seek(0)
    return copy


def _export_leads(gateway: Gateway, call: Call):
    gateway.authorize(call)
    query = dict(call.query)
    first = gateway.rpc(call, "leads", "export_leads_page", query=query)  # errors answer before streaming
    pages = csv_import.pages(first, lambda cursor: gateway.rpc(call, "leads", "export_leads_page",
                                                                query={**query, "cursor": cursor}))
    return Response(stream_with_context(csv_import.write(pages)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="leads.csv"'})


_VIEWS = {"quote_pdf": _quote_pdf, "import_leads": _import_leads, "export_leads": _export_leads}


def _idempotency_key() -> str | None:
    supplied = request.headers.get("Idempotency-Key")
    if supplied is not None and not _IDEMPOTENCY_KEY.match(supplied):
        raise ApiError(400, "bad_request", "Idempotency-Key takes 1 to 200 visible ASCII characters.")
    return supplied


def _body() -> dict:
    if not request.content_length:
        return {}
    try:
        data = json.loads(request.get_data())
    except ValueError:
        raise ApiError(400, "bad_request", "The body is not valid JSON.") from None
    except RecursionError:
        raise _too_deep() from None
    # Checked before anything encodes it again (the RPC to the service would fail so).
    if too_deep(data):
        raise _too_deep()
    if not isinstance(data, dict):
        raise errors.invalid({"_schema": ["Expected a JSON object."]})
    return data


def _too_deep() -> ApiError:
    return ApiError(400, "bad_request", f"The body nests deeper than {MAX_DEPTH} levels.", {"max_depth": MAX_DEPTH})


def _if_match() -> int | None:
    """The version the caller read (If-Match: "3"), which a write must still find."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = _ETAG.match(header.strip())
    if match is None:
        raise ApiError(400, "bad_request", 'If-Match takes one ETag this API gave out, like "3".')
    return int(match.group(1))
