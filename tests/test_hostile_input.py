"""Hostile input, over every operation that takes it: a clear 4xx naming the field,
never a 5xx, and nothing written.

The cases are made from the served OpenAPI document and the operation table, not from
a hand list, so an operation or a field added later is covered too:

- every text field of a body (nested objects and lists included) gets a lone surrogate
  and a NUL character; every text query parameter a NUL;
- every body gets JSON nested far too deep;
- every date or date-time query parameter gets the calendar's first and last day;
- every decimal of a body (amounts, prices, quantities, percentages) gets 30 decimals,
  1E+30, -0, NaN and Infinity; every currency (body or query) ZZZ.

Each REST case must be a 422 whose details name the field (a 400 naming the nesting),
and nothing may be written (no event, no stored answer, no token). A representative part (the
first case of each kind per operation) goes over gRPC too, where the answer must be
INVALID_ARGUMENT naming the field, never INTERNAL.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import grpc
import pytest
import requests
from google.protobuf import json_format, struct_pb2
from google.rpc import status_pb2
from sqlalchemy import create_engine, text

from conftest import SERVICES
from flow import Api, run_flow
from gateway import grpc_server, protojson
from gateway.operations import OPERATIONS
from gateway.pb import leads_pb2

SURROGATE, NUL = "x\ud800", "x\x00y"
FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"
EDGE_DATES = {"date": (FIRST_DAY, LAST_DAY),
              "date-time": (f"{FIRST_DAY}T00:00:00+14:00", f"{LAST_DAY}T23:59:59-14:00")}
BAD_DECIMALS = ("0.000000000000000000000000000001", "1E+30", "-0", "NaN", "Infinity")
DEEP = 1000
# CSV in, not JSON (its own tests, tests/test_import_export.py).
NOT_JSON = {"import_leads"}


@dataclass
class Case:
    """One hostile request: where it goes, what it sends, which field it must name."""

    kind: str  # text | deep | date | decimal | currency
    body: dict | None = None
    query: dict = field(default_factory=dict)
    names: tuple = ()  # the path in details that must be named
    raw: bytes | None = None  # a body sent as these bytes, not as JSON


# The document, walked
class Document:
    def __init__(self, served: dict):
        self.doc = served

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        for option in schema.get("anyOf", ()):  # {"anyOf": [X, {"type": "null"}]}
            if option.get("type") != "null":
                return self.resolve(option)
        return schema

    def leaves(self, schema: dict, path: tuple = (), depth: int = 0):
        """(path, schema) of every scalar under ``schema``; a list's is its first item."""
        schema = self.resolve(schema)
        kinds = _types(schema)
        if "object" in kinds and "properties" in schema and depth < 5:
            for name, inner in schema["properties"].items():
                if not inner.get("readOnly"):
                    yield from self.leaves(inner, (*path, name), depth + 1)
        elif "array" in kinds and "items" in schema and depth < 5:
            yield from self.leaves(schema["items"], (*path, 0), depth + 1)
        elif path:
            yield path, schema

    def operation(self, op) -> dict:
        return self.doc["paths"][op.path][op.method.lower()]

    def body_schema(self, op) -> dict | None:
        body = self.operation(op).get("requestBody")
        return body["content"]["application/json"]["schema"] if body else None

    def query_parameters(self, op) -> list[dict]:
        return [p for p in self.operation(op).get("parameters", []) if p["in"] == "query"]


def _types(schema: dict) -> set:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def _is_text(schema: dict) -> bool:
    return "string" in _types(schema) and "format" not in schema


def _is_currency(name: str, schema: dict) -> bool:
    return "string" in _types(schema) and (name == "currency" or name.endswith("_currency"))


def _nested(path: tuple, value) -> dict:
    """{"lines": [{"description": value}]} for the path ("lines", 0, "description")."""
    for key in reversed(path):
        value = [value] if isinstance(key, int) else {key: value}
    return value


def cases(document: Document, op) -> list[Case]:
    made: list[Case] = []
    schema = document.body_schema(op)
    if schema is not None:
        for path, leaf in document.leaves(schema):
            name = path[-1] if isinstance(path[-1], str) else path[-2]
            if _is_currency(name, leaf):
                made.append(Case("currency", _nested(path, "ZZZ"), names=path))
            elif _is_text(leaf):
                made += [Case("text", _nested(path, bad), names=path) for bad in (SURROGATE, NUL)]
            elif leaf.get("format") == "decimal":
                made += [Case("decimal", _nested(path, bad), names=path) for bad in BAD_DECIMALS]
        deep = "[" * DEEP + "]" * DEEP
        made.append(Case("deep", raw=f'{{"nested": {deep}}}'.encode()))
    parameters = document.query_parameters(op)
    dated = [p for p in parameters if p["schema"].get("format") in EDGE_DATES]
    required = {p["name"]: p for p in dated if p.get("required")}
    for parameter in parameters:
        name, schema = parameter["name"], document.resolve(parameter["schema"])
        if name in op.path_params:  # the path's value wins
            continue
        if parameter in dated:
            for edge in EDGE_DATES[schema["format"]]:
                # A period needs both ends: the other one on the same day.
                others = {other: edge for other in required if other != name}
                made.append(Case("date", query={**others, name: edge}, names=(name,)))
        elif _is_currency(name, schema):
            made.append(Case("currency", query={name: "ZZZ"}, names=(name,)))
        elif _is_text(schema) and name not in ("sort",):
            made.append(Case("text", query={name: NUL}, names=(name,)))
    return made


def named(details, path: tuple) -> bool:
    """Whether the error details name the field at ``path`` (list positions as keys)."""
    for key in path:
        if not isinstance(details, dict):
            return False
        details = details.get(str(key), details.get(key))
        if details is None:
            return False
    return bool(details)


# The system under test
@pytest.fixture(scope="module")
def api(stack):
    return Api(stack.base_url)


@pytest.fixture(scope="module")
def document(stack) -> Document:
    return Document(requests.get(f"{stack.base_url}/openapi.json", timeout=10).json())


@pytest.fixture(scope="module")
def records(api) -> dict[str, str]:
    """A record for every path parameter: the whole flow's, and the rest."""
    flow = run_flow(api)
    invoice = flow["invoice"]
    product = api.post("/products", {"sku": "HOSTILE-1", "name": "Probe", "unit_price": "10", "currency": "EUR"},
                       expect=201)
    contact = api.post("/contacts", {"last_name": "Probe"}, expect=201)
    pipeline = api.get("/pipelines")["items"][0]
    rule = api.post("/assignment-rules", {"position": 0, "name": "probe", "team": "hostile"}, expect=201)
    credit = api.post(f"/invoices/{invoice['id']}/credit-notes", {"reason": "probe"}, expect=201)
    # A public address by its literal (nothing to resolve), for a type no event has: never delivered.
    subscription = api.post("/subscriptions", {"name": "probe", "types": ["probe.never"],
                                               "url": "https://8.8.8.8/hook"}, expect=201)
    return {
        "lead_id": flow["lead"]["id"], "organization_id": flow["opportunity"]["organization_id"],
        "contact_id": contact["id"], "opportunity_id": flow["opportunity"]["id"], "pipeline_id": pipeline["id"],
        "product_id": product["id"], "quote_id": flow["quote"]["id"], "order_id": flow["order"]["id"],
        "invoice_id": invoice["id"], "credit_note_id": credit["id"], "team": "hostile",
        "rule_id": rule["id"],
        "token_id": "00000000-0000-0000-0000-000000000000",
        "subscription_id": subscription["id"], "dead_letter_id": "00000000-0000-0000-0000-000000000000",
    }


@pytest.fixture(scope="module")
def writes(api, databases):
    """What counts every write: each service writes its answer to an idempotency key and
    its events (the outbox) in the write's own transaction, and the gateway writes only
    tokens. Read straight from the databases, so that a case costs no extra round trips."""
    engines = [create_engine(databases.url(service)) for service in SERVICES]

    def count() -> tuple:
        counted = []
        for engine in engines:
            with engine.connect() as connection:
                counted.append(connection.execute(text(
                    "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM idempotency_keys)")).one())
        return (*counted, len(api.get("/tokens")["items"]))

    yield count
    for engine in engines:
        engine.dispose()


def rest(stack, op, records: dict, case: Case) -> requests.Response:
    path = op.path.format(**records)
    kwargs: dict = {"params": case.query, "timeout": 30}
    if case.raw is not None:
        kwargs.update(data=case.raw, headers={"Content-Type": "application/json"})
    elif case.body is not None:
        # As JSON text that escapes the lone surrogate ("\ud800"), the way a client sends it.
        kwargs.update(data=json.dumps(case.body).encode(), headers={"Content-Type": "application/json"})
    return requests.request(op.method, f"{stack.base_url}{path}", **kwargs)


def rest_problem(resp: requests.Response, case: Case) -> str | None:
    """Why the answer is not the clear refusal the case wants, or None."""
    if resp.status_code >= 500 or resp.status_code < 400:
        return f"{resp.status_code} {resp.text[:300]}"
    error = resp.json()["error"]
    if case.kind == "deep":
        return None if resp.status_code in (400, 422) and "deep" in error["message"] else resp.text[:300]
    if resp.status_code != 422 or not named(error["details"], case.names):
        return f"{resp.status_code} does not name {case.names}: {resp.text[:300]}"
    return None


SERVED = [op for op in OPERATIONS if op.name not in NOT_JSON]


def test_every_hostile_input_is_a_4xx_naming_the_field_and_writes_nothing(stack, document, records, writes):
    made, problems = 0, []
    for op in SERVED:
        op_cases = cases(document, op)
        if not op_cases:
            continue
        before = writes() if op.writes else None
        for case in op_cases:
            made += 1
            problem = rest_problem(rest(stack, op, records, case), case)
            if problem:
                problems.append(f"{op.method} {op.path} {case.kind} {case.body or case.query}: {problem}")
        if before is not None and (after := writes()) != before:
            problems.append(f"{op.method} {op.path}: hostile input wrote (outbox, keys per service; tokens) "
                            f"{before} -> {after}")
    assert not problems, f"{len(problems)} of {made} cases:\n" + "\n".join(problems)
    assert made > 500  # the document was walked, not skipped


# gRPC: the same cases, the first of each kind per operation
def grpc_error(exc: grpc.RpcError) -> dict:
    status = status_pb2.Status.FromString(dict(exc.trailing_metadata())["grpc-status-details-bin"])
    body = struct_pb2.Struct()
    assert status.details[0].Unpack(body)
    return json_format.MessageToDict(body)


def grpc_request(op, records: dict, case: Case):
    """The case as the rpc's request message; None where proto cannot carry it (a lone
    surrogate is no protobuf string, a value of another type)."""
    rpc = grpc_server.Rpc(None, op, _method(op))
    data = {**{name: records[name] for name in op.path_params}, **case.query}
    if case.body is not None:
        data["body"] = case.body
    try:
        return protojson.to_message(data, rpc.request_class())
    except (json_format.ParseError, ValueError, TypeError):
        return None


def _method(op):
    module = grpc_server.MODULES[op.area]
    return module.DESCRIPTOR.services_by_name[op.area.capitalize()].methods_by_name[op.grpc_name]


def test_a_representative_part_is_invalid_argument_over_grpc_never_internal(stack, document, records):
    channel = grpc.insecure_channel(f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}")
    auth = [("authorization", f"Bearer {stack.token('admin', 'hostile-grpc')}")]
    served = {op.name for op in grpc_server.served_operations()}
    made, problems = 0, []
    for op in SERVED:
        if op.name not in served:
            continue
        method = _method(op)
        call = channel.unary_unary(f"/{method.containing_service.full_name}/{method.name}",
                                   request_serializer=lambda message: message.SerializeToString(),
                                   response_deserializer=lambda data: data)
        first_of_kind: dict = defaultdict(list)
        for case in cases(document, op):
            if case.kind != "deep" and case.body is not None or case.query:
                first_of_kind[case.kind].append(case)
        for kind, kind_cases in first_of_kind.items():
            request = next(((c, r) for c in kind_cases if (r := grpc_request(op, records, c)) is not None), None)
            if request is None:
                continue
            case, message = request
            made += 1
            try:
                call(message, metadata=auth, timeout=30)
                problems.append(f"{op.grpc_name} {kind} {case.names}: accepted")
            except grpc.RpcError as exc:
                details = grpc_error(exc).get("details", {})
                if exc.code() != grpc.StatusCode.INVALID_ARGUMENT or not named(details, case.names):
                    problems.append(f"{op.grpc_name} {kind} {case.names}: {exc.code().name} {exc.details()} {details}")
    channel.close()
    assert not problems, f"{len(problems)} of {made} cases:\n" + "\n".join(problems)
    assert made > 60


def test_bytes_that_are_no_request_are_invalid_argument_over_grpc(stack):
    """A string that is not UTF-8 (a lone surrogate as CESU-8 bytes) and nesting past
    protobuf's limit: grpcio itself would answer INTERNAL."""
    lead = _bytes(leads_pb2.CreateLeadRequest, ("body", "last_name"), b"x\xed\xa0\x80")
    value = b""
    for _ in range(200):  # a Value holding a list holding a Value ...
        value = _field(6, _field(1, value))  # Value.list_value, ListValue.values
    model = _bytes(leads_pb2.SetScoringModelRequest, ("body", "rules", "when", "equals"), value)
    channel = grpc.insecure_channel(f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}")
    auth = [("authorization", f"Bearer {stack.token('admin', 'hostile-grpc')}")]
    for method, payload in (("CreateLead", lead), ("SetScoringModel", model)):
        call = channel.unary_unary(f"/crm.leads.v1.Leads/{method}")
        with pytest.raises(grpc.RpcError) as refused:
            call(payload, metadata=auth, timeout=30)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
    channel.close()


def _bytes(message_class, path: tuple, payload: bytes) -> bytes:
    """A serialized message of ``message_class`` whose field at ``path`` (length-delimited
    fields all the way) holds ``payload``, by the generated descriptors' numbers."""
    numbers, descriptor = [], message_class.DESCRIPTOR
    for name in path:
        descriptor_field = descriptor.fields_by_name[name]
        numbers.append(descriptor_field.number)
        descriptor = descriptor_field.message_type
    for number in reversed(numbers):
        payload = _field(number, payload)
    return payload


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        out.append(value & 0x7F | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


# The calls of issue 11 item 7, exactly as reported
REPORTED = [
    "/reports/funnel?from=9999-12-01&to=9999-12-31",
    "/reports/forecast?from=9999-12-01&to=9999-12-31",
    "/reports/win-rate?from=9999-12-01&to=9999-12-31",
    "/reports/dso?from=0001-01-01&to=0001-01-31",
    "/reports/receivables?as_of=0001-01-01",
    "/leads?created_from=0001-01-01T00:00:00%2B14:00",
]


@pytest.mark.parametrize("path", REPORTED)
def test_the_reported_calendar_edges_are_a_422_naming_the_field(stack, path):
    resp = requests.get(f"{stack.base_url}{path}", timeout=30)
    assert resp.status_code == 422, resp.text
    asked = {pair.split("=")[0] for pair in path.split("?")[1].split("&")}
    assert set(resp.json()["error"]["details"]) & asked, resp.text


def test_the_reported_nesting_is_a_400_naming_it(stack):
    for depth in (990, 100_000):
        resp = requests.post(f"{stack.base_url}/leads", data="[" * depth + "]" * depth,
                             headers={"Content-Type": "application/json"}, timeout=30)
        assert resp.status_code == 400, resp.text
        assert "deeper than" in resp.json()["error"]["message"]



# Issue 11 items 9, 11, 12: amounts finer than their currency, quotes below zero, blanks
def test_a_payment_finer_than_the_invoice_currency_is_refused_and_changes_nothing(api):
    opportunity = api.post("/opportunities", {"name": "Precision"}, expect=201)
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "currency": "EUR",
                                 "lines": [{"description": "Thing", "quantity": "1", "unit_price": "0.44"}]},
                     expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    accepted = api.post(f"/quotes/{quote['id']}/accept")
    order = api.eventually(f"/orders/{accepted['order_id']}")
    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    assert (invoice["currency"], invoice["balance_due"]) == ("EUR", "0.44")
    for amount in ("0.000000000000000000000000000001", "0.001"):
        resp = requests.post(f"{api.base_url}/invoices/{invoice['id']}/payments",
                             json={"amount": amount, "reference": f"FINE-{amount}"}, timeout=30)
        assert resp.status_code == 422 and list(resp.json()["error"]["details"]) == ["amount"], resp.text
    assert api.get(f"/invoices/{invoice['id']}") == invoice
    budget = requests.post(f"{api.base_url}/leads", json={"last_name": "Yen", "budget_amount": "10.5",
                                                          "budget_currency": "JPY"}, timeout=30)
    assert budget.status_code == 422 and budget.json()["error"]["details"] == {
        "budget_amount": ["No decimals in JPY."]}, budget.text


def test_a_quote_whose_total_is_negative_is_refused_at_the_quote(api):
    opportunity = api.post("/opportunities", {"name": "Returns only"}, expect=201)
    returns = [{"description": "Returned", "quantity": "-2", "unit_price": "500", "tax_rate": "19"}]
    before = api.get(f"/quotes?opportunity_id={opportunity['id']}")["items"]
    resp = requests.post(f"{api.base_url}/quotes", json={"opportunity_id": opportunity["id"], "lines": returns},
                         timeout=30)
    assert resp.status_code == 422 and list(resp.json()["error"]["details"]) == ["lines"], resp.text
    assert "-1190.00" in resp.json()["error"]["details"]["lines"][0]
    assert api.get(f"/quotes?opportunity_id={opportunity['id']}")["items"] == before == []
    # A draft changed to below zero, and a return inside a positive quote, which is fine.
    draft = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": [
        {"description": "Sold", "quantity": "3", "unit_price": "500"}, *returns]}, expect=201)
    assert draft["net_total"] == "500.00"
    changed = requests.patch(f"{api.base_url}/quotes/{draft['id']}", json={"lines": returns}, timeout=30)
    assert changed.status_code == 422 and list(changed.json()["error"]["details"]) == ["lines"], changed.text
    assert api.get(f"/quotes/{draft['id']}") == draft


def test_blanks_around_an_email_are_dropped_as_documented(api):
    lead = api.post("/leads", {"last_name": "Blank", "email": "  blank@example.com \t"}, expect=201)
    assert lead["email"] == "blank@example.com"
    changed = api.patch(f"/leads/{lead['id']}", {"email": " other@example.com "})
    assert changed["email"] == "other@example.com"
    contact = api.post("/contacts", {"last_name": "Blank", "email": " c.blank@example.com ",
                                     "allow_duplicate": True}, expect=201)
    assert contact["email"] == "c.blank@example.com"
