"""Make the API's documents from ``operations.OPERATIONS`` and the marshmallow schemas:
``openapi.json`` (OpenAPI 3.1) and ``ROLES.md``; ``python -m gateway.apigen`` writes
them, ``--check`` fails when the committed ones are stale (tests run it).

This reads the services' schemas, so it runs where the services are installed (a
developer's environment, CI); the gateway itself only serves the committed files and
does not depend on the services' packages.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from . import schemas as gateway_schemas
from .auth import ROLES
from .operations import OPERATIONS, OWN_NEW, OWN_PARENT, OWN_RECORD, TEAM_LIST, TEAM_RECORD, Operation

HERE = Path(__file__).parent
OPENAPI = HERE / "openapi.json"
ROLES_DOC = HERE.parent / "ROLES.md"
VERSION = "1.0.0"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
SERVICE_MODULES = {"leads": ("leads.schemas", "leads.scoring"), "deals": ("deals.schemas", "deals.reports"),
                   "billing": ("billing.schemas", "billing.reports")}
ERRORS = {
    400: "The request is malformed (bad JSON, If-Match or Idempotency-Key).",
    401: "No API token, or an unknown or revoked one.",
    403: "The token's role may not do this, or not to this record.",
    404: "No such record.",
    409: "The record's state does not allow it (details.current_state), a duplicate, or a concurrent write won.",
    412: "If-Match names a version that is no longer the current one.",
    413: "The body is too large.",
    422: "Invalid fields, each named in details; or an Idempotency-Key reused for another request.",
    429: "The token's rate limit is reached, or too many failed authentications came from the client's "
         "address; Retry-After says when to come back.",
    503: "A service did not answer in time; retry later.",
}


def _decimal_as_string(self, field, ret) -> dict:
    """Amounts travel as strings ("1234.50") so that no client rounds them through a float."""
    if isinstance(field, fields.Decimal) and field.as_string:
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            ret.pop(key, None)
        return {"type": ["string", "null"] if field.allow_none else "string", "format": "decimal",
                "pattern": DECIMAL_PATTERN}
    return {}


def _comma_separated(self, field, ret) -> dict:
    from crmkit.schemas import CommaSeparated

    if isinstance(field, CommaSeparated):
        inner = self.field2property(field.inner)
        values = inner.get("enum")
        description = "One or more values separated by commas" + (f": {', '.join(values)}." if values else ".")
        return {"type": "string", "description": description}
    return {}


def _story_schema(find) -> type[Schema]:
    class IncompletePart(Schema):
        part = fields.String(required=True)
        reason = fields.String(required=True)

    class StoryOut(Schema):
        opportunity = fields.Nested(find("deals", "OpportunityOut"), required=True)
        lead = fields.Nested(find("leads", "LeadOut"), required=True, allow_none=True)
        organization = fields.Nested(find("leads", "OrganizationOut"), required=True, allow_none=True)
        contact = fields.Nested(find("leads", "ContactOut"), required=True, allow_none=True)
        stage_history = fields.List(fields.Nested(find("deals", "StageChangeOut")), required=True)
        quotes = fields.List(fields.Nested(find("deals", "QuoteOut")), required=True)
        orders = fields.List(fields.Nested(find("billing", "OrderOut")), required=True)
        invoices = fields.List(fields.Nested(find("billing", "InvoiceOut")), required=True)
        payments = fields.List(fields.Nested(find("billing", "PaymentOut")), required=True)
        incomplete = fields.List(fields.Nested(IncompletePart), required=True, metadata={
            "description": "Parts left empty because their service did not answer."})

    return StoryOut


class Schemas:
    """Finds a schema class by name: the gateway's own for its own operations, else the
    service's."""

    def __init__(self):
        self.modules = {area: [importlib.import_module(m) for m in names]
                        for area, names in SERVICE_MODULES.items()}
        self.story = _story_schema(self.find)

    def find(self, area: str, name: str) -> type[Schema]:
        if name == "StoryOut":
            return self.story
        for module in self.modules.get(area, []):
            if isinstance(getattr(module, name, None), type):
                return getattr(module, name)
        raise LookupError(f"no schema {name} for {area}")

    def for_op(self, op: Operation, name: str) -> type[Schema]:
        if (op.handler or op.area == "gateway") and hasattr(gateway_schemas, name):
            return getattr(gateway_schemas, name)
        return self.find(op.area, name)


def build_openapi() -> dict:
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: _schema_name(schema))
    spec = APISpec(title="CRM API", version=VERSION, openapi_version="3.1.0", plugins=[plugin], info={
        "description": "The sales CRM's one API: leads to cash. Send `Authorization: Bearer <token>`; "
                       "see ROLES.md for what each role may call.",
    }, servers=[{"url": "/api/v1"}])
    plugin.converter.add_attribute_function(_decimal_as_string)
    plugin.converter.add_attribute_function(_comma_separated)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=gateway_schemas.ErrorOut)
    for status, description in ERRORS.items():
        spec.components.response(str(status), {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            **({"headers": {"Retry-After": {"schema": {"type": "integer"}}}} if status == 429 else {})})
    found = Schemas()
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, found)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    module = cls.__module__.split(".")[0]
    if cls.__module__ == "leads.scoring":
        name = "Scoring" + name
    # Two schemas of one name (an Address in leads and in crmkit): the service's gets its prefix.
    if name in ("Address",) and module != "crmkit":
        name = module.capitalize() + name
    if getattr(schema, "partial", False):
        name += "Patch"
    return name


def _operation(op: Operation, found: Schemas) -> dict:
    operation: dict = {"operationId": op.name, "tags": [op.area], "summary": op.summary,
                       "description": _roles_sentence(op), "parameters": [], "responses": {}}
    for param in op.path_params:
        operation["parameters"].append({"in": "path", "name": param, "required": True, "schema": {"type": "string"}})
    if op.query:
        operation["parameters"].append({"in": "query", "schema": found.for_op(op, op.query)})
    if op.writes:
        operation["parameters"].append({"in": "header", "name": "Idempotency-Key", "required": False,
                                        "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"}})
    if op.if_match:
        operation["parameters"].append({"in": "header", "name": "If-Match", "required": False,
                                        "schema": {"type": "string", "pattern": '^(W/)?"[0-9]{1,10}"$'}})
    if op.body:
        body = found.for_op(op, op.body)
        if op.method == "PATCH":
            body = body(partial=True)
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    elif op.name == "import_leads":
        operation["requestBody"] = {"required": True, "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "contentMediaType": "text/csv"}}, "required": ["file"]}}}}
    operation["responses"][str(op.status)] = _success(op, found)
    for status in _error_statuses(op):
        operation["responses"][str(status)] = {"$ref": f"#/components/responses/{status}"}
    return operation


def _success(op: Operation, found: Schemas) -> dict:
    if op.shape == "pdf":
        return {"description": "The PDF.", "content": {"application/pdf": {
            "schema": {"type": "string", "contentMediaType": "application/pdf"}}}}
    if op.shape == "csv":
        return {"description": "CSV, streamed.", "content": {"text/csv": {"schema": {"type": "string"}}}}
    out = found.for_op(op, op.out)
    if op.shape in ("page", "list"):
        cursor = ({"type": ["string", "null"], "description": "Pass as cursor for the next page."}
                  if op.shape == "page" else {"type": "null", "description": "A short list: always one page."})
        schema = {"type": "object", "required": ["items", "next_cursor"], "properties": {
            "items": {"type": "array", "items": out}, "next_cursor": cursor}}
    else:
        schema = out
    response = {"description": op.summary, "content": {"application/json": {"schema": schema}}}
    headers = {}
    if op.shape == "one" and op.out and "version" in out._declared_fields:
        headers["ETag"] = {"description": "The record's version, for If-Match.", "schema": {"type": "string"}}
    if op.status == 201:
        headers["Location"] = {"description": "The new record's address.", "schema": {"type": "string"}}
    if headers:
        response["headers"] = headers
    if op.status == 201 and (links := _links(op)):
        response["links"] = links
    return response


def _links(created: Operation) -> dict:
    """What a client (or a fuzzer) can do next with the record it made: every operation
    on ``<the collection>/{id}``, with the id from the answer."""
    base = created.collection
    links = {}
    for op in OPERATIONS:
        params = op.path_params
        if op.path.startswith(base + "/{") and len(params) == 1 + base.count("{"):
            links[op.name] = {"operationId": op.name, "parameters": {params[-1]: "$response.body#/id"}}
    return links


def _error_statuses(op: Operation) -> list[int]:
    statuses = {401, 403, 422, 429}  # 422: an unknown query parameter too
    if op.service:
        statuses.add(503)
    if op.path_params or op.scope in (OWN_PARENT,):
        statuses.add(404)
    if op.writes:
        statuses |= {400, 409, 413, 422}
    if op.if_match:
        statuses.add(412)
    return sorted(statuses)


def _roles_sentence(op: Operation) -> str:
    allowed = [role for role in ROLES if role in op.roles]
    text = "Roles: " + ", ".join(allowed) + "."
    note = SCOPE_NOTES.get(op.scope)
    if note and "sales_rep" in allowed:
        text += f" A sales_rep {note}."
    return text


SCOPE_NOTES = {
    OWN_RECORD: "only on records it owns",
    TEAM_RECORD: "only for records of its team or its own",
    TEAM_LIST: "sees its team's records (quotes: its own, or of a team opportunity)",
    OWN_NEW: "creates records it owns (owner_id is its user)",
    OWN_PARENT: "only for opportunities it owns",
}


def build_roles_doc() -> str:
    lines = [
        "# Who may call what",
        "",
        "Made from `gateway/gateway/operations.py` by `python -m gateway.apigen`; `tests/test_roles.py` calls",
        "every operation with a token of every role and checks the answer against this table.",
        "",
        "`yes` allowed; `own` a sales rep only on records it owns; `team` only on its team's records",
        "(or its own); `-` refused with 403.",
        "",
        "| operation | route | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for op in OPERATIONS:
        cells = [_cell(op, role) for role in ROLES]
        lines.append(f"| {op.name} | `{op.method} {op.path}` | " + " | ".join(cells) + " |")
    return "\n".join(lines + LIMITS_NOTES) + "\n"


LIMITS_NOTES = [
    "",
    "## Limits, with N gateway replicas",
    "",
    "A token spends at most its `rate_limit_per_minute` (or `CRM_GATEWAY_RATE_LIMIT_PER_MINUTE`) requests a",
    "minute **per replica**: one replica serves REST and gRPC from one process, and both spend the same",
    "bucket; N replicas admit up to N times the limit when a client's requests spread over all of them (a",
    "client on one kept-alive connection or gRPC channel stays on one replica and gets 1x). Failed",
    "authentication is limited per client address and replica alike (`CRM_GATEWAY_FAILED_AUTH_PER_MINUTE`).",
    "",
    "A revoked token is refused by every replica within a second: the revocation is announced on the broker",
    "and each replica drops the token from its cache; a replica that lost the broker trusts what it read",
    "about a token for 1 s only.",
]


def _cell(op: Operation, role: str) -> str:
    if role not in op.roles:
        return "-"
    if role == "sales_rep" and op.scope in (OWN_RECORD, OWN_PARENT, OWN_NEW):
        return "own"
    if role == "sales_rep" and op.scope in (TEAM_RECORD, TEAM_LIST):
        return "team"
    return "yes"


def render() -> dict[Path, str]:
    return {OPENAPI: json.dumps(build_openapi(), indent=1, sort_keys=True) + "\n", ROLES_DOC: build_roles_doc()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.apigen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a committed document is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in render().items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        sys.exit("stale, run `python -m gateway.apigen`: " + ", ".join(stale))


if __name__ == "__main__":
    main()
