"""Who changed what (issue 11 item 19): every record's changes, with their actor, time,
cause and each field before and after, read with GET /<records>/{id}/history; on the
whole system, over REST and gRPC."""
from __future__ import annotations

import uuid

import grpc
import pytest
import requests
from google.protobuf import json_format

from events import outbox_events, query, wait_for
from flow import Api, a_lead, convert_lead, quote_and_accept
from gateway.pb import leads_pb2, leads_pb2_grpc

REP, MANAGER = ("rep-7", "emea"), "manager-3"


@pytest.fixture(scope="module")
def api(stack) -> Api:
    return Api(stack.base_url)


@pytest.fixture(scope="module")
def tokens(stack) -> dict[str, str]:
    return {"rep": stack.token("sales_rep", REP[0], REP[1]), "manager": stack.token("manager", MANAGER),
            "other_rep": stack.token("sales_rep", "rep-8", "apac")}


def as_(token: str, correlation_id: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    if correlation_id:
        headers["X-Correlation-Id"] = correlation_id
    return headers


def history(api: Api, path: str, **params) -> dict:
    resp = api.http.get(f"{api.base_url}{path}/history", params=params, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_a_lead_created_patched_and_qualified_by_three_tokens_has_three_entries(stack, api, tokens):
    lead = api.post("/leads", a_lead(owner_id=REP[0], team=REP[1], budget_amount="12000.00"), expect=201)
    patched = api.patch(f"/leads/{lead['id']}", {"budget_amount": "15000.50", "timeline": "2027-06-30",
                                                 "tags": ["vip"]},
                        headers=as_(tokens["rep"], "patch-by-rep-7"))
    qualified = api.post(f"/leads/{lead['id']}/qualify", headers=as_(tokens["manager"]))

    newest_first = history(api, f"/leads/{lead['id']}")
    created, updated, qualifying = reversed(newest_first["items"])
    assert newest_first["next_cursor"] is None
    assert [e["version"] for e in (created, updated, qualifying)] == [1, patched["version"], qualified["version"]]
    assert [e["action"] for e in (created, updated, qualifying)] == ["created", "updated", "updated"]
    assert [e["actor"] for e in (created, updated, qualifying)] == ["tests", REP[0], MANAGER]

    # Creation lists the initial values; decimals and dates stay exact text.
    assert created["changes"]["budget_amount"] == {"before": None, "after": "12000.00"}
    assert created["changes"]["status"] == {"before": None, "after": "new"}
    assert created["changes"]["owner_id"] == {"before": None, "after": REP[0]}
    assert "email_key" not in created["changes"]  # derived for matching, not recorded
    assert created["cause"]["kind"] == "request" and created["cause"]["name"] == "leads.create_lead"

    assert updated["changes"]["budget_amount"] == {"before": "12000.00", "after": "15000.50"}
    assert updated["changes"]["timeline"] == {"before": "2027-03-31", "after": "2027-06-30"}
    assert updated["changes"]["tags"] == {"before": [], "after": ["vip"]}
    assert updated["cause"] == {"kind": "request", "name": "leads.update_lead", "id": "api:patch-by-rep-7"}
    assert updated["correlation_id"] == "patch-by-rep-7"

    assert qualifying["changes"]["status"] == {"before": "new", "after": "qualified"}
    assert qualifying["changes"]["qualified_at"]["before"] is None
    assert qualifying["changes"]["score"]["after"] == qualified["score"]  # what the scoring hook did too
    assert qualifying["cause"]["name"] == "leads.qualify_lead"
    assert created["at"] <= updated["at"] <= qualifying["at"]

    # Oldest first, a page at a time.
    first = history(api, f"/leads/{lead['id']}", sort="at", limit=2)
    rest = history(api, f"/leads/{lead['id']}", sort="at", limit=2, cursor=first["next_cursor"])
    assert [e["version"] for e in first["items"] + rest["items"]] == [1, patched["version"], qualified["version"]]
    assert rest["next_cursor"] is None

    # gRPC answers the same entries.
    channel = grpc.insecure_channel(f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}")
    page = leads_pb2_grpc.LeadsStub(channel).LeadHistory(
        leads_pb2.LeadHistoryRequest(lead_id=lead["id"], sort="at"),
        metadata=[("authorization", f"Bearer {tokens['manager']}")], timeout=30)
    entries = json_format.MessageToDict(page, preserving_proto_field_name=True)["items"]
    assert [e["actor"] for e in entries] == ["tests", REP[0], MANAGER]
    assert entries[1]["changes"]["budget_amount"] == {"before": "12000.00", "after": "15000.50"}
    channel.close()


def test_who_may_read_a_record_may_read_its_history_and_no_one_else(api, tokens):
    lead = api.post("/leads", a_lead(owner_id=REP[0], team=REP[1]), expect=201)
    mine = api.http.get(f"{api.base_url}/leads/{lead['id']}/history", headers=as_(tokens["rep"]), timeout=30)
    theirs = api.http.get(f"{api.base_url}/leads/{lead['id']}/history", headers=as_(tokens["other_rep"]),
                          timeout=30)
    assert mine.status_code == 200 and theirs.status_code == 403, (mine.text, theirs.text)
    # An order's history answers a sales rep as GET /orders/{id} does: a missing one is a 404.
    missing = uuid.uuid4()
    for path in (f"/orders/{missing}", f"/orders/{missing}/history"):
        assert api.http.get(f"{api.base_url}{path}", headers=as_(tokens["rep"]), timeout=30).status_code == 404


@pytest.mark.parametrize("records", ["leads", "organizations", "contacts", "pipelines", "opportunities",
                                     "products", "quotes", "orders", "invoices", "credit-notes"])
def test_the_history_of_a_record_that_does_not_exist_is_a_404(api, records):
    missing = str(uuid.uuid4())
    resp = api.http.get(f"{api.base_url}/{records}/{missing}/history", timeout=30)
    assert resp.status_code == 404, resp.text
    assert resp.json()["error"]["details"]["id"] == missing, resp.text


def test_a_bad_history_query_is_a_422_naming_the_field(api):
    lead = api.post("/leads", a_lead(), expect=201)
    for params, field in [({"sort": "version"}, "sort"), ({"limit": "0"}, "limit"), ({"cursor": "x"}, "cursor")]:
        resp = api.http.get(f"{api.base_url}/leads/{lead['id']}/history", params=params, timeout=30)
        assert resp.status_code == 422, resp.text
        assert field in resp.json()["error"]["details"], resp.text


def test_changes_made_by_an_event_handler_name_the_event(stack, databases, api, tokens):
    lead = convert_lead(api, a_lead(owner_id=REP[0], team=REP[1]))
    opportunity = api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")
    [made] = history(api, f"/opportunities/{opportunity['id']}")["items"]
    converted = outbox_events(databases.url("leads"), "crm.lead.converted.v1", lead["id"])[0]
    assert made["action"] == "created"
    assert made["cause"] == {"kind": "event", "name": "crm.lead.converted.v1", "id": converted["id"]}
    assert made["actor"] == "tests"  # the actor of the event: who converted the lead

    accepted = quote_and_accept(api, opportunity["id"])
    order = api.eventually(f"/orders/{accepted['order_id']}")
    event = outbox_events(databases.url("deals"), "crm.quote.accepted.v1", accepted["id"])[0]
    [order_made] = history(api, f"/orders/{order['id']}")["items"]
    assert order_made["cause"] == {"kind": "event", "name": "crm.quote.accepted.v1", "id": event["id"]}
    assert order_made["changes"]["quote_id"] == {"before": None, "after": accepted["id"]}
    assert order_made["changes"]["lines"]["after"][0]["unit_price"] == "4999.99"
    invoice_entries = history(api, f"/invoices/{order['invoice_ids'][0]}", sort="at")["items"]
    assert {e["cause"]["name"] for e in invoice_entries} == {"crm.quote.accepted.v1"}

    # The opportunity won by the acceptance: a request of deals, by who accepted.
    won = history(api, f"/opportunities/{opportunity['id']}")["items"][0]
    assert won["changes"]["stage"]["after"] == "closed_won" and won["cause"]["name"] == "deals.accept_quote"


def test_a_change_rolled_back_writes_no_history(databases, api):
    lead = api.post("/leads", a_lead(), expect=201)
    api.post(f"/leads/{lead['id']}/qualify")

    def changes() -> int:
        return query(databases.url("leads"), "SELECT count(*) AS n FROM record_changes")[0].n

    before = changes()
    # The organization is written (and flushed, with its history) before the contact to
    # link is found missing: the conversion is refused and rolled back as a whole.
    resp = requests.post(f"{api.base_url}/leads/{lead['id']}/convert", timeout=30,
                         json={"contact": {"mode": "link", "id": str(uuid.uuid4())}})
    assert resp.status_code == 404, resp.text
    assert changes() == before
    assert len(history(api, f"/leads/{lead['id']}")["items"]) == 2


def test_a_change_made_by_a_timer_names_the_timer_and_no_actor(api):
    lead = api.post("/leads", a_lead(industry="Machinery"), expect=201)
    model = api.get("/scoring-model")
    rule = {"factor": "machinery", "points": 40, "when": {"field": "industry", "equals": "Machinery"}}
    resp = api.http.put(f"{api.base_url}/scoring-model", timeout=30, json={
        "hot_from": model["hot_from"], "warm_from": model["warm_from"], "rules": [*model["rules"], rule]})
    assert resp.status_code == 200, resp.text

    # The leads scored by the older model are rescored by the service's timer.
    rescored = wait_for(lambda: next((e for e in history(api, f"/leads/{lead['id']}")["items"]
                                      if e["cause"]["kind"] == "timer"), None), what="the rescore")
    assert rescored["cause"] == {"kind": "timer", "name": "leads.rescore_stale_leads", "id": None}
    assert rescored["actor"] is None
    assert rescored["changes"]["score"] == {"before": lead["score"], "after": lead["score"] + 40}
