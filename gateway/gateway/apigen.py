"""Make the API's documents from ``operations.OPERATIONS`` and the marshmallow schemas:
``openapi.json`` (OpenAPI 3.1) and ``ROLES.md``; ``python -m gateway.apigen`` writes
them, ``--check`` fails when the committed ones are stale (tests run it).

This reads the services' schemas, so it runs where the services are installed (a
developer's environment, CI); the gateway itself only serves the committed files and
does not depend on the services' packages.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from crmkit.schemas import (
    DECIMAL_TEXT,
    INT_MAX,
    INT_MIN,
    MAX_AMOUNT,
    MAX_PERIOD_MONTHS,
    MINOR_UNITS,
    Amount,
    CappedPeriod,
    CommaSeparated,
    Integer,
    iso_4217,
    within_the_calendar,
)

from . import schemas as gateway_schemas
from .auth import ROLES
from .core import RECORDS, STORY_PARTS
from .operations import OPERATIONS, OWN_NEW, OWN_PARENT, OWN_RECORD, OWN_TEAM, TEAM_LIST, TEAM_RECORD, Operation

HERE = Path(__file__).parent
OPENAPI = HERE / "openapi.json"
ROLES_DOC = HERE.parent / "ROLES.md"
VERSION = "1.0.0"
DECIMAL_PATTERN = DECIMAL_TEXT
# The years of crmkit.schemas.FIRST_DAY to LAST_DAY (1900 to 9998), which begin every
# day and time the system takes.
CALENDAR_PATTERN = r"^(?:19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"
# crmkit.schemas.load refuses the NUL character in any text: no database stores it.
TEXT_PATTERN = "^[^\u0000]*$"
SERVICE_MODULES = {"leads": ("leads.schemas", "leads.scoring"), "deals": ("deals.schemas", "deals.reports"),
                   "billing": ("billing.schemas", "billing.reports"), "subscriptions": ("subscriptions.schemas",)}
ERRORS = {
    400: "The request is malformed (bad JSON, If-Match or Idempotency-Key).",
    401: "No API token, or an unknown or revoked one.",
    403: "The token's role may not do this, or not to this record.",
    404: "No such record: the path's, or one the request names by id.",
    409: "The record's state does not allow it (details.current_state), a duplicate, or a concurrent write won.",
    412: "If-Match names a version that is no longer the current one.",
    413: "The body is too large.",
    422: "Invalid fields, each named in details; or an Idempotency-Key reused for another request.",
    429: "The token's rate limit is reached, or too many failed authentications came from the client's "
         "address; Retry-After says when to come back.",
    503: "A service did not answer in time; retry later.",
}


# How a marshmallow field becomes JSON Schema: decimal_as_string, integer_bounds and
# schema_name are this document's and the event schemas' (gateway.eventdocs) alike.
def decimal_as_string(self, field, ret) -> dict:
    """Amounts travel as strings ("1234.50") so that no client rounds them through a float;
    JSON Schema compares no strings as numbers, so an Amount's range and decimals are its
    pattern (and said in words)."""
    if isinstance(field, fields.Decimal) and field.as_string:
        bounds = {key: ret.pop(key) for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
                  if key in ret}
        decimal = {"type": ["string", "null"] if field.allow_none else "string", "format": "decimal",
                   "pattern": _amount_pattern(field) if isinstance(field, Amount) else DECIMAL_PATTERN}
        words = [f"{RANGE_WORDS[key]} {value}" for key, value in bounds.items()]
        if isinstance(field, Amount):
            words.append(f"at most {field.max_places} decimals")
        if words:
            text = " and ".join(words)
            decimal["description"] = text[0].upper() + text[1:] + "."
        return decimal
    return {}


def _amount_pattern(field: Amount) -> str:
    """What crmkit.schemas.Amount takes, exactly: its text (DECIMAL_TEXT), at most its
    places, smaller than MAX_AMOUNT, not -0, within its Range, which must be 0 or a power
    of ten at either end (any other would make a pattern no one can read)."""
    places = field.max_places
    low = high = None
    low_inclusive = high_inclusive = True
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            low, high = validator.min, validator.max
            low_inclusive, high_inclusive = validator.min_inclusive, validator.max_inclusive
    fraction = rf"(?:\.[0-9]{{1,{places}}})?" if places else ""

    def digits(bound) -> int:
        exponent = len(str(int(bound))) - 1
        if bound is not None and bound != 10 ** exponent:
            raise ValueError(f"{field.name}: no pattern for a bound of {bound}")
        return exponent

    def below(exponent: int, inclusive: bool, zero: bool) -> str:
        """0 (if zero) up to 10**exponent (if inclusive) or below it."""
        if zero:
            numbers = [rf"0*[0-9]{{1,{max(exponent, 1)}}}{fraction}"]
        else:  # a digit that is not 0, before the point or after it
            numbers = [rf"0*[1-9][0-9]{{0,{exponent - 1}}}{fraction}"] if exponent else []
            numbers += [rf"0+\.0{{{i}}}[1-9][0-9]{{0,{places - 1 - i}}}" for i in range(places)]
        if inclusive:
            numbers.append(rf"0*1{'0' * exponent}" + (rf"(?:\.0{{1,{places}}})?" if places else ""))
        return "|".join(numbers)

    top = digits(MAX_AMOUNT)
    up = (digits(high), high_inclusive) if high is not None else (top, False)
    if low is not None and low >= 0:
        if low != 0:
            raise ValueError(f"{field.name}: no pattern for a lower bound of {low}")
        return rf"^(?:{below(*up, zero=low_inclusive)})$"
    down = (digits(-low), low_inclusive) if low is not None else (top, False)
    return rf"^(?:{below(*up, zero=True)}|-(?:{below(*down, zero=False)}))$"


def _currency_codes(self, field, ret) -> dict:
    """crmkit.schemas.Currency: the ISO 4217 codes it takes, each one."""
    if iso_4217 in getattr(field, "validators", ()):
        ret.pop("pattern", None)
        return {"enum": sorted(MINOR_UNITS) + ([None] if field.allow_none else [])}
    return {}


def _raw_not_null(self, field, ret) -> dict:
    """fields.Raw takes any JSON value but null, unless it allows none; a scoring
    condition's (leads.scoring._a_value) one of text, a number or a boolean, which
    crmkit.schemas.load stores as it stores any field."""
    if type(field) is fields.Raw and any(getattr(v, "__name__", "") == "_a_value" for v in field.validators):
        return {"anyOf": [{"type": "string", "pattern": TEXT_PATTERN}, {"type": "boolean"},
                          {"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX},
                          {"type": "number", "not": {"type": "integer"}}]}
    if type(field) is fields.Raw and not field.allow_none:
        return {"not": {"type": "null"}}
    return {}


def _days_in_the_calendar(self, field, ret) -> dict:
    """crmkit.schemas.Day and Timestamp: 1900 to 9998."""
    if within_the_calendar in getattr(field, "validators", ()):
        return {"pattern": CALENDAR_PATTERN}
    return {}


RANGE_WORDS = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
               "exclusiveMaximum": "less than"}


def _comma_separated(self, field, ret) -> dict:
    """``status=new,contacted``: with the values' pattern when they are a list (blanks
    around a value and empty items are ignored, as CommaSeparated ignores them)."""
    if isinstance(field, CommaSeparated):
        inner = self.field2property(field.inner)
        values = inner.get("enum")
        description = "One or more values separated by commas" + (f": {', '.join(values)}." if values else ".")
        comma_list = {"type": "string", "description": description}
        if values:
            one = "(?:" + "|".join(values) + ")"
            comma_list["pattern"] = rf"^\s*(?:{one}\s*)?(?:,\s*(?:{one}\s*)?)*$"
        return comma_list
    return {}


def _text_without_nul(self, field, ret) -> dict:
    text = ret.get("type") in ("string", ["string", "null"])
    if text and not {"format", "pattern", "enum"} & set(ret):
        return {"pattern": TEXT_PATTERN}
    return {}


def integer_bounds(self, field, ret) -> dict:
    """Our integer columns are 32-bit, and crmkit.schemas.load refuses what does not fit;
    a position of the events log (crmkit.schemas.Position) is 64-bit."""
    if isinstance(field, fields.Integer):
        low, high = (field.MIN, field.MAX) if isinstance(field, Integer) else (INT_MIN, INT_MAX)
        return {key: value for key, value in (("minimum", low), ("maximum", high)) if key not in ret}
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
        withheld = fields.List(fields.String(validate=validate.OneOf(STORY_PARTS)), required=True, metadata={
            "description": "Parts left empty because the caller may not read them one by one (ROLES.md): "
                           "a billing clerk gets no lead, a sales rep no lead of another team."})

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
    named: dict[str, type[Schema]] = {}

    def name_of(schema) -> str:
        name = schema_name(schema)
        named[name] = schema if isinstance(schema, type) else type(schema)
        return name

    plugin = MarshmallowPlugin(schema_name_resolver=name_of)
    spec = APISpec(title="CRM API", version=VERSION, openapi_version="3.1.0", plugins=[plugin], info={
        "description": "The sales CRM's one API: leads to cash. Send `Authorization: Bearer <token>`; "
                       "see ROLES.md for what each role may call.",
    }, servers=[{"url": "/api/v1"}])
    plugin.converter.add_attribute_function(decimal_as_string)
    plugin.converter.add_attribute_function(_currency_codes)
    plugin.converter.add_attribute_function(_days_in_the_calendar)
    plugin.converter.add_attribute_function(_raw_not_null)
    plugin.converter.add_attribute_function(_comma_separated)
    plugin.converter.add_attribute_function(_text_without_nul)
    plugin.converter.add_attribute_function(integer_bounds)
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
    _say_the_period_caps(document, found)
    _say_the_rules_across_fields(document, named)
    return document


def _say_the_rules_across_fields(document: dict, named: dict[str, type[Schema]]) -> None:
    """A rule a schema's validator makes across its fields, where JSON Schema can state
    it: the schema's ``JSON_SCHEMA`` (``if``/``then``, ``oneOf``, ...), beside it."""
    components = document["components"]["schemas"]
    for name, cls in named.items():
        if name in components and getattr(cls, "JSON_SCHEMA", None):
            components[name].update(cls.JSON_SCHEMA)


def _say_the_period_caps(document: dict, found: Schemas) -> None:
    """A CappedPeriod's cap is a rule across two parameters, which JSON Schema cannot
    state: it is said on ``to``."""
    for op in OPERATIONS:
        if op.query and issubclass(found.for_op(op, op.query), CappedPeriod):
            parameters = document["paths"][op.path][op.method.lower()]["parameters"]
            to = next(parameter for parameter in parameters if parameter["name"] == "to")
            to["description"] = (f"The last day: not before from, and at most {MAX_PERIOD_MONTHS} calendar months "
                                 f"from it (from's month and to's month both count).")


def schema_name(schema) -> str:
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
    if op.waits_for or op.reads_one:
        awaited = "the record this write makes in another service" if op.waits_for else "the record"
        operation["parameters"].append({
            "in": "header", "name": "Prefer", "required": False, "schema": {"type": "string"},
            "description": f"wait=N (RFC 7240, e.g. wait=10): wait up to N seconds (at most "
                           f"CRM_GATEWAY_MAX_WAIT_SECONDS) for {awaited} to be there, learnt from the events "
                           f"log; Preference-Applied says it waited and it is there."})
    if op.body:
        body = found.for_op(op, op.body)
        if op.method == "PATCH":
            body = body(partial=True)
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    elif op.name == "import_leads":
        operation["requestBody"] = {"required": True, "content": {
            "text/csv": {"schema": {"type": "string", "minLength": 1}},  # an empty file has no header row
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "minLength": 1, "contentMediaType": "text/csv"}}, "required": ["file"]}}}}
    operation["responses"][str(op.status)] = _success(op, found)
    if op.name == "update_quote":  # core: a sent quote is never changed, its change is its next revision
        revision = _success(dataclasses.replace(op, status=201), found)
        revision["description"] = "A sent quote's change: its next revision (Location)."
        operation["responses"]["201"] = revision
    for status in _error_statuses(op, found):
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
    if op.waits_for or op.reads_one:
        headers["Preference-Applied"] = {"description": "wait=N: the Prefer wait was honoured and the record waited "
                                                        "for is there.", "schema": {"type": "string"}}
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


def _error_statuses(op: Operation, found: Schemas) -> list[int]:
    statuses = {401, 403, 422, 429}  # 422: an unknown query parameter too
    if op.service:
        statuses.add(503)
    if op.path_params or _names_a_record(op, found):
        statuses.add(404)
    if op.writes:
        statuses |= {400, 409, 413, 422}
    if op.if_match:
        statuses.add(412)
    return sorted(statuses)


# The kinds of record the API has, as its paths name their ids (lead_id, pipeline_id, ...).
RECORD_KINDS = {param.removesuffix("_id") for op in OPERATIONS for param in op.path_params if param.endswith("_id")}


def _names_a_record(op: Operation, found: Schemas) -> bool:
    """Whether the request names a record by id that is read to answer it, and so may
    be missing: a field of the body (a quote's opportunity, an opportunity's pipeline), or
    a filter of a list the gateway narrows for a sales rep by a record whose owner and
    team it reads (core.RECORDS: the opportunity of GET /quotes?opportunity_id=)."""
    body = _input_names(found.for_op(op, op.body)) if op.body else []
    query = _input_names(found.for_op(op, op.query)) if op.query and op.scope == TEAM_LIST else []
    read = op.query and any(field.metadata.get("names_a_record")  # a report's pipeline
                            for field in found.for_op(op, op.query)._declared_fields.values())
    return (any(_record_of(name) in RECORD_KINDS for name in body) or any(_record_of(name) in RECORDS for name in query)
            or bool(read))


def _input_names(schema: type[Schema]) -> list[str]:
    return [field.data_key or name for name, field in schema._declared_fields.items() if not field.dump_only]


def _record_of(name: str) -> str | None:
    return name.removesuffix("_id") if name.endswith("_id") else None


def _roles_sentence(op: Operation) -> str:
    allowed = [role for role in ROLES if role in op.roles]
    text = "Roles: " + ", ".join(allowed) + "."
    note = SCOPE_NOTES.get(op.scope)
    if note and "sales_rep" in allowed:
        text += f" A sales_rep {note}."
    return text


SCOPE_NOTES = {
    OWN_RECORD: "only on records it owns",
    TEAM_RECORD: "only for records it sees (ROLES.md: its own, its team's leads and opportunities, and what "
                 "belongs to an opportunity it sees)",
    TEAM_LIST: "sees its team's records (quotes, orders, invoices and credit notes: its own, or those of one "
               "opportunity or invoice it sees, named by the filter)",
    OWN_NEW: "creates records it owns (owner_id is its user)",
    OWN_PARENT: "only for opportunities it owns",
    OWN_TEAM: "only for its own team",
}


def build_roles_doc() -> str:
    lines = [
        "# Who may call what",
        "",
        "Made from `gateway/gateway/operations.py` by `python -m gateway.apigen`; `tests/test_roles.py` calls",
        "every operation with a token of every role and checks the answer against this table.",
        "",
        "`yes` allowed; `own` a sales rep only on records it owns; `team` only on records it sees (below);",
        "`-` refused with 403.",
        "",
        *SEES_NOTES,
        "",
        "| operation | route | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for op in OPERATIONS:
        cells = [_cell(op, role) for role in ROLES]
        lines.append(f"| {op.name} | `{op.method} {op.path}` | " + " | ".join(cells) + " |")
    return "\n".join(lines + LIMITS_NOTES) + "\n"


# The one rule of what a sales rep sees (core.Gateway._sees), applied alike to single
# reads, lists, reports, the story and the answers that name other records.
SEES_NOTES = [
    "## What a sales rep sees",
    "",
    "Every other role reads every record its row allows. A sales rep (whose token names its user and team):",
    "",
    "- **reads** what it owns, its team's leads and opportunities, and everything that belongs to an",
    "  opportunity it reads: its quotes, its orders, their invoices, their payments and credit notes;",
    "  organizations, contacts, pipelines and products are everyone's. A single read of anything else is 403.",
    "- **lists** its team's leads and opportunities; of quotes, orders, invoices and credit notes its own, or",
    "  all of one opportunity it reads (`opportunity_id=`; credit notes: `invoice_id=`).",
    "- **reports** (pipeline, forecast, win rate) count its team's opportunities; the funnel and the billing",
    "  reports, which count everyone's, are not a rep's.",
    "- **the story** of an opportunity it reads holds only what it could read one by one; a part it may",
    "  not read (a lead of another team) is empty and named in `withheld`. A billing clerk's story withholds",
    "  the lead alike.",
    "- **changes** only records it owns, and every record a command changes: a merge needs both leads its own.",
    "  It keeps them its own and in its team: `owner_id` and `team` are a manager's to change (assign).",
    "- **duplicates**: a 409 `duplicate` names only the matches it may read; the rest are counted in",
    "  `details.withheld`, so it learns that a duplicate exists and nothing more.",
    "- **subscriptions** are not a rep's. One keeps the role that made it and delivers only the events that",
    "  role reads (`subscriptions.visible_to`: admin and integration read all; any other role, nothing yet).",
    "",
]


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
    if role == "sales_rep" and op.scope in (TEAM_RECORD, TEAM_LIST, OWN_TEAM):
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
