"""The gateway as its users meet it: tokens and their limits, one error shape, the
deal's story in one call, and every answer of a whole flow as the OpenAPI document
describes it."""
from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import jsonschema_rs
import pytest
import requests

from flow import LINES, Api, a_lead, convert_lead, quote_and_accept, run_flow

OPENAPI = json.loads((Path(__file__).parents[1] / "gateway" / "gateway" / "openapi.json").read_text())


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack.base_url)


def test_no_token_a_malformed_one_or_an_unknown_one_is_a_401_in_the_error_shape(stack):
    for headers in ({"Authorization": ""}, {"Authorization": "Basic Zm9vOmJhcg=="},
                    bearer("crm_" + "x" * 43)):
        resp = requests.get(f"{stack.base_url}/leads", headers=headers, timeout=10)
        assert resp.status_code == 401, resp.text
        assert resp.json()["error"]["code"] == "unauthenticated"
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(f"http://127.0.0.1:{stack.port}/health", headers={"Authorization": ""}).ok


def test_an_admin_makes_lists_and_revokes_tokens_through_the_api(stack):
    made = requests.post(f"{stack.base_url}/tokens", json={
        "name": "warehouse sync", "role": "integration", "user_id": "sys-warehouse"}, timeout=10)
    assert made.status_code == 201, made.text
    secret, token_id = made.json()["token"], made.json()["id"]
    assert made.headers["Location"].endswith(f"/tokens/{token_id}")
    assert requests.get(f"{stack.base_url}/leads", headers=bearer(secret), timeout=10).status_code == 200
    listed = requests.get(f"{stack.base_url}/tokens", timeout=10).json()["items"]
    mine = next(t for t in listed if t["id"] == token_id)
    assert "token" not in mine and "token_hash" not in mine and mine["role"] == "integration"
    # An integration reads but does not write, nor make tokens.
    denied = requests.post(f"{stack.base_url}/leads", json=a_lead(), headers=bearer(secret), timeout=10)
    assert denied.status_code == 403 and denied.json()["error"]["details"]["operation"] == "create_lead"
    assert requests.post(f"{stack.base_url}/tokens", json={"name": "x", "role": "admin", "user_id": "x"},
                         headers=bearer(secret), timeout=10).status_code == 403
    assert requests.delete(f"{stack.base_url}/tokens/{token_id}", timeout=10).json()["revoked_at"]
    assert requests.get(f"{stack.base_url}/leads", headers=bearer(secret), timeout=10).status_code == 401
    assert requests.delete(f"{stack.base_url}/tokens/{uuid.uuid4()}", timeout=10).status_code == 404


def test_the_same_idempotency_key_makes_one_token_and_shows_its_secret_once(stack):
    body = {"name": "nightly export", "role": "integration", "user_id": "sys-export"}
    key = {"Idempotency-Key": f"token-{uuid.uuid4()}"}
    first = requests.post(f"{stack.base_url}/tokens", json=body, headers=key, timeout=10)
    again = requests.post(f"{stack.base_url}/tokens", json=body, headers=key, timeout=10)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"] and again.headers["Location"] == first.headers["Location"]
    # The secret is stored only as its hash: the replay cannot show it again.
    assert first.json()["token"].startswith("crm_") and again.json()["token"] is None
    assert {k: v for k, v in again.json().items() if k != "token"} == {
        k: v for k, v in first.json().items() if k != "token"}
    listed = requests.get(f"{stack.base_url}/tokens", timeout=10).json()["items"]
    assert [t["id"] for t in listed if t["name"] == "nightly export"] == [first.json()["id"]]
    other = requests.post(f"{stack.base_url}/tokens", json={**body, "role": "manager"}, headers=key, timeout=10)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_token_is_made_with_valid_fields_only(stack):
    resp = requests.post(f"{stack.base_url}/tokens", json={"role": "sales_rep", "user_id": "u1", "name": "",
                                                            "rate_limit_per_minute": 0}, timeout=10)
    assert resp.status_code == 422
    assert set(resp.json()["error"]["details"]) == {"name", "rate_limit_per_minute", "team"}
    past = requests.post(f"{stack.base_url}/tokens", json={"role": "integration", "user_id": "u1", "name": "old",
                                                            "expires_at": "2020-01-01T00:00:00Z"}, timeout=10)
    assert past.status_code == 422 and set(past.json()["error"]["details"]) == {"expires_at"}
    soon = requests.post(f"{stack.base_url}/tokens", json={"role": "integration", "user_id": "u1", "name": "new",
                                                            "expires_at": "2099-01-01T00:00:00+01:00"}, timeout=10)
    assert soon.status_code == 201 and soon.json()["expires_at"].startswith("2098-12-31T23:00:00")


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(stack):
    secret = requests.post(f"{stack.base_url}/tokens", json={
        "name": "slow", "role": "manager", "user_id": "m-slow", "rate_limit_per_minute": 3}, timeout=10).json()["token"]
    answers = [requests.get(f"{stack.base_url}/pipelines", headers=bearer(secret), timeout=10) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].headers["Retry-After"] == "20"
    assert answers[-1].json()["error"]["code"] == "rate_limited"


def test_a_body_over_the_limit_is_a_413_in_the_error_shape(stack):
    resp = requests.post(f"{stack.base_url}/leads", data=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                         headers={"Content-Type": "application/json"}, timeout=30)
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "body_too_large"


def test_the_story_of_a_paid_deal_has_every_part(api):
    flow = run_flow(api)
    story = api.get(f"/opportunities/{flow['opportunity']['id']}/story")
    assert story["opportunity"]["stage"] == "closed_won"
    assert story["lead"]["id"] == flow["lead"]["id"]
    assert story["organization"]["id"] == story["opportunity"]["organization_id"] is not None
    assert story["contact"]["id"] == story["opportunity"]["contact_id"] is not None
    assert [h["to_stage"] for h in story["stage_history"]][-1] == "closed_won"
    assert [q["id"] for q in story["quotes"]] == [flow["quote"]["id"]]
    assert [o["id"] for o in story["orders"]] == [flow["order"]["id"]]
    assert [i["id"] for i in story["invoices"]] == [flow["invoice"]["id"]]
    assert [p["amount"] for p in story["payments"]] == [flow["invoice"]["grand_total"]]
    assert story["incomplete"] == []
    # the story reads invoices by opportunity, through their orders
    assert [i["id"] for i in api.get(f"/invoices?opportunity_id={flow['opportunity']['id']}")["items"]] == [
        flow["invoice"]["id"]]
    assert api.get(f"/invoices?opportunity_id={uuid.uuid4()}")["items"] == []
    assert api.get(f"/opportunities/{uuid.uuid4()}/story", expect=404)["error"]["code"] == "not_found"


def _response_schema(method: str, template: str, status: int) -> jsonschema_rs.Validator:
    escaped = quote(template.replace("~", "~0").replace("/", "~1"), safe="~")  # a URI fragment: { } encoded
    pointer = "/".join(["#/paths", escaped, method.lower(), "responses", str(status)])
    response = OPENAPI["paths"][template][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        pointer = response["$ref"]
    return jsonschema_rs.validator_for({**OPENAPI, "$ref": pointer + "/content/application~1json/schema"})


def _template(path: str) -> str:
    """The OpenAPI path that a concrete path matches, literal segments before parameters."""
    parts = path.strip("/").split("/")
    matches = []
    for template in OPENAPI["paths"]:
        pattern = template.strip("/").split("/")
        if len(pattern) == len(parts) and all(p == q or p.startswith("{") for p, q in zip(pattern, parts, strict=True)):
            matches.append((sum(p == q for p, q in zip(pattern, parts, strict=True)), template))
    return max(matches)[1]


class SpecCheckingApi(Api):
    """Every JSON answer this client gets is checked against the served OpenAPI document."""

    checked: list[str]

    def _send(self, method, path, **kwargs):
        resp = super()._send(method, path, **kwargs)
        if resp.headers.get("Content-Type", "").startswith("application/json"):
            template = _template(path.split("?")[0])
            errors = list(_response_schema(method, template, resp.status_code).iter_errors(resp.json()))
            assert not errors, f"{method} {path} {resp.status_code}: {[str(e) for e in errors][:3]}"
            self.checked.append(f"{method} {template} {resp.status_code}")
        return resp


def test_the_served_document_is_the_committed_one(stack):
    assert requests.get(f"{stack.base_url}/openapi.json", timeout=10).json() == OPENAPI
    docs = requests.get(f"http://127.0.0.1:{stack.port}/api/docs", timeout=10)
    assert docs.ok and "openapi.json" in docs.text


def test_every_answer_of_a_whole_flow_matches_the_openapi_document(stack):
    api = SpecCheckingApi(stack.base_url)
    api.checked = []
    flow = run_flow(api)
    opportunity_id = flow["opportunity"]["id"]
    period = "from=2026-01-01&to=2027-12-31"
    for path in ("/leads?limit=2", "/organizations", "/contacts", "/pipelines", "/opportunities?status=won",
                 "/products", "/quotes", "/orders", "/invoices", "/credit-notes", "/assignment-rules",
                 "/scoring-model", f"/opportunities/{opportunity_id}/story", "/reports/pipeline",
                 f"/reports/forecast?{period}", f"/reports/win-rate?{period}", "/reports/receivables",
                 f"/reports/dso?{period}", f"/reports/billed-collected?{period}", f"/reports/funnel?{period}",
                 f"/invoices/{flow['invoice']['id']}/payments", "/tokens",
                 f"/leads/{flow['lead']['id']}/assignments", "/teams/nobody"):
        api.get(path)
    api.get(f"/leads/{uuid.uuid4()}", expect=404)
    api.post("/leads", {"last_name": ""}, expect=422)
    api.post(f"/quotes/{flow['quote']['id']}/accept", expect=409)
    assert len(api.checked) > 30


def test_an_unknown_query_parameter_is_named_not_ignored(api):
    assert api.get("/pipelines?limit=5", expect=422)["error"]["details"] == {"limit": ["Unknown parameter."]}
    assert set(api.get("/leads?colour=red", expect=422)["error"]["details"]) == {"colour"}


def test_a_payment_answers_its_invoice_and_a_credit_note_its_own_address(stack, api):
    flow = run_flow(api)  # paid in full
    invoice = flow["invoice"]
    note = requests.post(f"{stack.base_url}/invoices/{invoice['id']}/credit-notes", json={"reason": "returned"},
                         timeout=30)
    assert note.status_code == 201, note.text
    assert note.headers["Location"] == f"/api/v1/credit-notes/{note.json()['id']}"
    lead = convert_lead(api)
    quote = quote_and_accept(api, api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")["id"])
    order = api.eventually(f"/orders/{quote['order_id']}")
    unpaid = api.get(f"/invoices/{order['invoice_ids'][0]}")
    part = requests.post(f"{stack.base_url}/invoices/{unpaid['id']}/payments",
                         json={"amount": "1.00", "reference": f"PART-{unpaid['number']}"}, timeout=30)
    assert part.status_code == 201 and part.headers["Location"] == f"/api/v1/invoices/{unpaid['id']}"


def _methods_of(template: str) -> set[str]:
    """What a path really answers: its documented methods, HEAD with a GET (the server
    answers it as the GET without a body) and OPTIONS."""
    methods = {method.upper() for method in OPENAPI["paths"][template]}
    return methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())


def test_options_and_a_405_name_exactly_the_methods_of_the_path(stack):
    for template in OPENAPI["paths"]:
        path = re.sub(r"{\w+}", lambda param: str(uuid.uuid4()), template)
        expected = _methods_of(template)
        options = requests.options(f"{stack.base_url}{path}", timeout=10)
        assert options.status_code == 200, (template, options.text)
        assert set(options.headers["Allow"].split(", ")) == expected, (template, options.headers["Allow"])
        unsupported = next(m for m in ("PUT", "DELETE", "PATCH", "POST", "TRACE") if m not in expected)
        refused = requests.request(unsupported, f"{stack.base_url}{path}", timeout=10)
        assert refused.status_code == 405, (unsupported, template, refused.text)
        assert refused.json()["error"]["code"] == "method_not_allowed"
        assert set(refused.headers.get("Allow", "").split(", ")) == expected, (unsupported, template)
    # the fixed segment beside a parameter is its own path, not a record called "import"
    assert requests.patch(f"{stack.base_url}/leads/import", json={}, timeout=10).status_code == 405
    assert requests.get(f"{stack.base_url}/leads/import", timeout=10).headers["Allow"] == "OPTIONS, POST"


def test_every_documented_sort_key_is_taken_and_a_missing_record_named_by_id_is_a_documented_404(stack):
    api = SpecCheckingApi(stack.base_url)
    api.checked = []
    organization = api.post("/organizations", {"name": f"Sorted {uuid.uuid4().hex[:8]}"}, expect=201)
    lists = {template: operation["get"] for template, operation in OPENAPI["paths"].items()
             if "application/json" in operation.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
             and any(p["name"] == "sort" for p in operation["get"]["parameters"])}
    assert len(lists) > 10
    for template, operation in lists.items():
        path = template.replace('{organization_id}', organization['id'])
        if "{" in path:  # a record's history: tests/test_history.py
            continue
        sort = next(p for p in operation["parameters"] if p["name"] == "sort")["schema"]
        for key in sort["enum"]:
            api.get(f"{path}?sort={key}&limit=2")
    missing = str(uuid.uuid4())
    api.post("/opportunities", {"name": "Nowhere", "pipeline_id": missing}, expect=404)
    api.post("/quotes", {"opportunity_id": missing, "lines": LINES}, expect=404)
    rep = SpecCheckingApi(stack.base_url)
    rep.checked = []
    rep.http.headers["Authorization"] = f"Bearer {stack.token('sales_rep', 'rep-sorts', team='north')}"
    rep.get(f"/quotes?opportunity_id={missing}", expect=404)
    assert len(api.checked) > 40 and rep.checked == ["GET /quotes 404"]


def test_every_record_list_answers_what_changed_since_a_time_oldest_change_first(api):
    """A subscriber that lost its place resyncs from the API: updated_since (inclusive)
    with sort=updated_at, page by page."""
    since = api.get("/leads?sort=-updated_at&limit=1")["items"]
    started = since[0]["updated_at"] if since else "2000-01-01T00:00:00Z"
    lead = convert_lead(api)
    accepted = quote_and_accept(api, api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")["id"])
    order = api.eventually(f"/orders/{accepted['order_id']}")
    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    made = {
        "/leads": lead["id"], "/organizations": lead["converted_organization_id"],
        "/contacts": lead["converted_contact_id"], "/opportunities": lead["converted_opportunity_id"],
        "/quotes": accepted["id"], "/orders": order["id"], "/invoices": invoice["id"],
        "/credit-notes": api.post(f"/invoices/{invoice['id']}/credit-notes", {"reason": "Resync"}, expect=201)["id"],
        "/products": api.post("/products", {"sku": f"RS-{uuid.uuid4().hex[:8]}", "name": "Resync",
                                            "unit_price": "1", "currency": "EUR"}, expect=201)["id"],
    }
    for path, record_id in made.items():
        seen, cursor, times = [], None, []
        while True:
            page = api.get(f"{path}?updated_since={quote(started)}&sort=updated_at&limit=3"
                           + (f"&cursor={cursor}" if cursor else ""))
            seen += [item["id"] for item in page["items"]]
            times += [item["updated_at"] for item in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert record_id in seen, path
        assert times == sorted(times) and min(times) >= started, path
        record = api.get(f"{path}/{record_id}")
        exactly = api.get(f"{path}?updated_since={quote(record['updated_at'])}&sort=updated_at&limit=100")["items"]
        assert record_id in [item["id"] for item in exactly], f"{path}: updated_since is inclusive"
        assert api.get(f"{path}?updated_since=9000-01-01T00:00:00Z")["items"] == [], path
    refused = api.http.get(f"{api.base_url}/leads?updated_since=yesterday", timeout=10)
    assert refused.status_code == 422 and "updated_since" in refused.json()["error"]["details"], refused.text


def test_prefer_wait_holds_a_write_or_a_read_until_the_record_another_service_makes_is_there(api):
    """RFC 7240's wait, answered from the events log: no polling by the client."""
    lead = api.post("/leads", a_lead(), expect=201)
    api.post(f"/leads/{lead['id']}/qualify")
    waited = api._send("POST", f"/leads/{lead['id']}/convert", json={}, headers={"Prefer": "wait=10"})
    assert waited.status_code == 200 and waited.headers["Preference-Applied"] == "wait=10"
    opportunity = api.get(f"/opportunities/{waited.json()['converted_opportunity_id']}")  # there already
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": LINES}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    accepted = api._send("POST", f"/quotes/{quote['id']}/accept", headers={"Prefer": "wait=10"})
    assert accepted.status_code == 200 and accepted.headers["Preference-Applied"] == "wait=10"
    assert api.get(f"/orders/{accepted.json()['order_id']}")["quote_id"] == quote["id"]

    # A read waits too: the opportunity of a lead converted without waiting, read at once.
    converted = convert_lead(api)
    started = time.monotonic()
    read = api._send("GET", f"/opportunities/{converted['converted_opportunity_id']}", headers={"Prefer": "wait=10"})
    assert read.status_code == 200 and read.json()["lead_id"] == converted["id"]
    assert time.monotonic() - started < 5  # woken by the opportunity's event, not by the end of the wait
    order_id = accepted.json()["order_id"]

    # Nothing comes: the wait runs out and the answer is what it would have been; a wait
    # the gateway does not understand is ignored.
    started = time.monotonic()
    missing = api._send("GET", f"/orders/{uuid.uuid4()}", headers={"Prefer": "wait=1"})
    assert missing.status_code == 404 and time.monotonic() - started >= 1
    assert "Preference-Applied" not in missing.headers
    assert api._send("GET", f"/orders/{order_id}", headers={"Prefer": "wait=soon"}).status_code == 200
