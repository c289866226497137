"""End to end: every process a real subprocess, driven only over HTTP."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from conftest import SERVICES, make_stack
from crmkit.testing import RabbitVhost
from events import query
from flow import LINES, Api, a_lead, convert_lead, run_flow


def test_lead_to_paid_invoice_on_postgresql(stack):
    api = Api(stack.base_url)
    records = run_flow(api)

    lead = api.get(f"/leads/{records['lead']['id']}")
    assert lead["status"] == "converted" and lead["converted_at"]
    organization = api.get(f"/organizations/{lead['converted_organization_id']}")
    assert organization["name"] == records["lead"]["company"]
    contact = api.get(f"/contacts/{lead['converted_contact_id']}")
    assert (contact["last_name"], contact["organization_id"]) == ("Lovelace", organization["id"])

    opportunity = api.get(f"/opportunities/{lead['converted_opportunity_id']}")
    # The lead's budget until the quote is accepted, then what the customer accepted.
    assert [(h["to_stage"], h["amount"]) for h in opportunity["history"]] == [
        ("qualification", "12000.00"), ("closed_won", "10359.62")]
    assert opportunity["stage"] == "closed_won" and opportunity["amount"] == "10359.62"

    quote = api.get(f"/quotes/{records['quote']['id']}")
    assert quote["status"] == "accepted" and quote["number"].startswith("Q-")
    # By hand: 2 x 4999.99 = 9999.98 at 19% -> 1900.00; 0.333 x 1200 = 399.60 less 10%
    # = 359.64 at 7% -> 25.1748 -> 25.17. Net 10359.62, tax 1925.17, total 12284.79.
    assert (quote["net_total"], quote["tax_total"], quote["grand_total"]) == ("10359.62", "1925.17", "12284.79")

    order = api.get(f"/orders/{quote['order_id']}")
    assert order["status"] == "confirmed" and order["number"].startswith("SO-")
    assert order["quote_id"] == quote["id"] and order["grand_total"] == quote["grand_total"]
    assert [l["net"] for l in order["lines"]] == [l["net"] for l in quote["lines"]]

    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    assert invoice["status"] == "paid" and Decimal(invoice["balance_due"]) == 0
    assert invoice["number"].startswith("INV-") and len(invoice["number"]) == len("INV-2026-00001")
    assert invoice["grand_total"] == quote["grand_total"]
    assert [p["amount"] for p in invoice["payments"]] == ["12284.79"]


def test_lead_to_paid_invoice_on_sqlite_by_default(tmp_path):
    """No database URLs: each service keeps its own SQLite file under CRM_DATA_DIR."""
    with RabbitVhost() as vhost:
        _run_on_sqlite(tmp_path, vhost)


def _run_on_sqlite(tmp_path, vhost):
    stack = make_stack(tmp_path, vhost, {})
    stack.setup(SERVICES)
    stack.start_all()
    try:
        stack.wait_ready(SERVICES)
        records = run_flow(Api(stack.base_url))
        assert records["invoice"]["status"] == "paid"
        files = sorted(p.name for p in (tmp_path / "data").glob("*.db"))
        assert files == ["billing.db", "deals.db", "gateway.db", "leads.db", "subscriptions.db"]
    finally:
        stack.stop_all()


def test_illegal_transitions_are_409_naming_the_current_state(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", a_lead(), expect=201)
    refused = api.post(f"/leads/{lead['id']}/convert", {}, expect=409)["error"]
    assert refused["code"] == "invalid_transition"
    assert refused["details"]["current_state"] == "new"
    assert "new" in refused["message"]

    converted = convert_lead(api)
    opportunity = api.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": [
        {"description": "x", "quantity": "1", "unit_price": "10"}]}, expect=201)
    refused = api.post(f"/quotes/{quote['id']}/accept", expect=409)["error"]
    assert refused["details"]["current_state"] == "draft"


def test_bad_input_is_422_naming_every_bad_field(stack):
    api = Api(stack.base_url)
    error = api.post("/leads", {"email": "not-an-email", "budget_amount": "12,5", "source": "tv",
                                "surprise": 1}, expect=422)["error"]
    assert error["code"] == "validation_failed"
    assert set(error["details"]) == {"last_name", "email", "budget_amount", "source", "surprise"}

    error = api.post("/quotes", {"opportunity_id": "x", "lines": [{"quantity": "abc", "unit_price": "-1"}]},
                     expect=422)["error"]
    assert set(error["details"]["lines"]["0"]) == {"description", "quantity", "unit_price"}


def test_unknown_records_are_404_and_bad_json_is_400(stack):
    api = Api(stack.base_url)
    assert api.get("/leads/01a20391-82fb-7d0c-b10f-d6d8ebeb0d0c", expect=404)["error"]["code"] == "not_found"
    assert api.get("/invoices/not-a-uuid", expect=404)["error"]["code"] == "not_found"
    resp = api.http.post(stack.base_url + "/leads", data="{", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "bad_request"


def test_a_payment_larger_than_the_balance_is_refused_and_a_reference_counts_once(stack):
    api = Api(stack.base_url)
    converted = convert_lead(api)
    opportunity = api.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "currency": "EUR", "lines": [
        {"description": "x", "quantity": "1", "unit_price": "100.00"}]}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    accepted = api.post(f"/quotes/{quote['id']}/accept")
    order = api.eventually(f"/orders/{accepted['order_id']}")
    invoice_id = order["invoice_ids"][0]

    too_much = api.post(f"/invoices/{invoice_id}/payments", {"amount": "100.01", "reference": "A"}, expect=422)
    assert "amount" in too_much["error"]["details"]
    first = api.post(f"/invoices/{invoice_id}/payments", {"amount": "40.00", "reference": "A"}, expect=201)
    again = api.post(f"/invoices/{invoice_id}/payments", {"amount": "40.00", "reference": "A"}, expect=201)
    assert first["balance_due"] == again["balance_due"] == "60.00"
    assert first["status"] == "partially_paid" and len(again["payments"]) == 1
    paid = api.post(f"/invoices/{invoice_id}/payments", {"amount": "60.00", "reference": "B"}, expect=201)
    assert paid["status"] == "paid"
    refused = api.post(f"/invoices/{invoice_id}/payments", {"amount": "1.00", "reference": "C"}, expect=409)
    assert refused["error"]["details"]["current_state"] == "paid"


@pytest.mark.parametrize("header", ["trace-42", None])
def test_the_correlation_id_follows_the_action_into_every_service_log(stack, header):
    api = Api(stack.base_url)
    headers = {"X-Correlation-Id": header} if header else {}
    resp = api.http.post(stack.base_url + "/leads", json=a_lead(), headers=headers)
    correlation_id = resp.headers["X-Correlation-Id"]
    if header:
        assert correlation_id == header
    lead_id = resp.json()["id"]
    api.http.post(f"{stack.base_url}/leads/{lead_id}/qualify", headers=headers)
    converted = api.http.post(f"{stack.base_url}/leads/{lead_id}/convert", json={},
                              headers={"X-Correlation-Id": correlation_id}).json()
    api.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
    # deals logs the opportunity it made from lead.converted under the caller's id.
    assert any(correlation_id in line and "opportunity" in line for line in stack.logs("deals").splitlines())


def test_two_conversions_of_one_lead_at_the_same_moment_exactly_one_succeeds(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", a_lead(), expect=201)
    api.post(f"/leads/{lead['id']}/qualify")
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: api.http.post(f"{stack.base_url}/leads/{lead['id']}/convert", json={}),
                                range(2)))
    assert sorted(r.status_code for r in answers) == [200, 409]
    winner = next(r.json() for r in answers if r.status_code == 200)
    assert api.get(f"/leads/{lead['id']}")["converted_opportunity_id"] == winner["converted_opportunity_id"]


def test_two_accepts_of_one_quote_at_the_same_moment_make_one_order(stack):
    api = Api(stack.base_url)
    converted = convert_lead(api)
    opportunity = api.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": [
        {"description": "x", "quantity": "1", "unit_price": "10"}]}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: api.http.post(f"{stack.base_url}/quotes/{quote['id']}/accept"), range(2)))
    assert sorted(r.status_code for r in answers) == [200, 409]
    order_id = next(r.json()["order_id"] for r in answers if r.status_code == 200)
    assert api.get(f"/quotes/{quote['id']}")["order_id"] == order_id
    assert api.eventually(f"/orders/{order_id}")["quote_id"] == quote["id"]


def test_a_write_retried_with_its_idempotency_key_is_done_once(stack, databases):
    api = Api(stack.base_url)
    body, key = a_lead(), {"Idempotency-Key": f"create-{uuid.uuid4()}"}
    first = requests.post(f"{stack.base_url}/leads", json=body, headers=key)
    again = requests.post(f"{stack.base_url}/leads", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201) and first.json() == again.json()
    assert query(databases.url("leads"), "SELECT count(*) FROM leads WHERE email = :e", e=body["email"])[0][0] == 1
    other = requests.post(f"{stack.base_url}/leads", json=a_lead(), headers=key)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    bad = requests.post(f"{stack.base_url}/leads", json=a_lead(), headers={"Idempotency-Key": "no spaces"})
    assert bad.status_code == 400

    # Five at the same moment with one key: one lead; every answer is it, or a 409 to retry.
    body, key = a_lead(), {"Idempotency-Key": f"race-{uuid.uuid4()}"}
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda _: requests.post(f"{stack.base_url}/leads", json=body, headers=key),
                                  range(5)))
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1 and {r.status_code for r in responses} <= {201, 409}
    assert query(databases.url("leads"), "SELECT count(*) FROM leads WHERE email = :e", e=body["email"])[0][0] == 1
    retried = requests.post(f"{stack.base_url}/leads", json=body, headers=key)
    assert retried.status_code == 201 and retried.json()["id"] in created

    # A command, too: a retried accept answers as the first one did.
    lead = convert_lead(api)
    opportunity = api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": LINES}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    key = {"Idempotency-Key": f"accept-{uuid.uuid4()}"}
    accepted = api.post(f"/quotes/{quote['id']}/accept", headers=key)
    assert api.post(f"/quotes/{quote['id']}/accept", headers=key) == accepted
