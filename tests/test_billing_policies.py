"""Billing with the other settings, on a business clock the tests move: invoices made
on fulfilment and left as drafts to issue by hand, many issued at once, overdue and
dunning by the timer, and the number series starting again with a new year."""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from conftest import SERVICES, make_stack
from crmkit.testing import Clock, PostgresDatabases, RabbitVhost
from events import outbox_events, wait_for
from flow import LINES, Api


@pytest.fixture(scope="module")
def billing(tmp_path_factory, vhost, databases):
    tmp = tmp_path_factory.mktemp("billing")
    clock = Clock(tmp / "clock")
    stack = make_stack(tmp, vhost, {s: databases.url(s) for s in SERVICES})
    stack.env.update({
        "CRM_CLOCK_FILE": str(clock.path), "BILLING_INVOICING_POLICY": "on_fulfilment",
        "BILLING_ISSUE_AUTOMATICALLY": "false", "BILLING_OVERDUE_EVERY_SECONDS": "0.3",
        "BILLING_DUNNING_DAYS": "1,15,30",
    })
    stack.setup(SERVICES)
    stack.start_all()
    try:
        stack.wait_ready(SERVICES)
        yield stack, clock, Api(stack.base_url)
    finally:
        stack.stop_all()


def business_today(clock: Clock) -> date:
    return (datetime.now(UTC) + timedelta(seconds=clock.offset)).date()


def fulfilled_order(api: Api) -> dict:
    order = api.eventually(f"/orders/{accepted_order_id(api)}")
    assert order["invoice_ids"] == []  # on_fulfilment: nothing to invoice yet
    return api.post(f"/orders/{order['id']}/fulfil")


def test_on_fulfilment_the_order_gets_a_draft_to_check_and_issue(billing):
    stack, _clock, api = billing
    order = fulfilled_order(api)
    draft = api.get(f"/invoices/{order['invoice_ids'][0]}")
    assert (draft["status"], draft["number"], draft["issue_date"], draft["due_date"]) == ("draft", None, None, None)
    assert draft["grand_total"] == order["grand_total"]
    changed = api.patch(f"/invoices/{draft['id']}", {"payment_terms_days": 15},
                        headers={"If-Match": f'"{draft["version"]}"'})
    assert changed["payment_terms_days"] == 15
    bad = requests.patch(f"{stack.base_url}/invoices/{draft['id']}", json={"payment_terms_days": 20})
    assert bad.status_code == 422
    issued = api.post(f"/invoices/{draft['id']}/issue")
    assert issued["status"] == "issued" and issued["number"].startswith("INV-")
    assert date.fromisoformat(issued["due_date"]) - date.fromisoformat(issued["issue_date"]) == timedelta(days=15)
    twice = requests.post(f"{stack.base_url}/invoices/{draft['id']}/issue")
    assert twice.status_code == 409 and twice.json()["error"]["details"]["current_state"] == "issued"


def test_an_order_not_yet_fulfilled_has_nothing_to_invoice_and_cancels(billing):
    _stack, _clock, api = billing
    order = api.eventually(f"/orders/{accepted_order_id(api)}")
    cancelled = api.post(f"/orders/{order['id']}/cancel", {"reason": "Customer withdrew"})
    assert (cancelled["status"], cancelled["invoice_ids"]) == ("cancelled", [])


def accepted_order_id(api: Api) -> str:
    opportunity = api.post("/opportunities", {"name": f"Deal {uuid.uuid4().hex[:8]}"}, expect=201)
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": LINES}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    return api.post(f"/quotes/{quote['id']}/accept")["order_id"]


def test_50_invoices_issued_at_once_get_50_consecutive_numbers(billing):
    stack, _clock, api = billing
    drafts = [api.get(f"/invoices/{fulfilled_order(api)['invoice_ids'][0]}") for _ in range(50)]

    def issue(draft: dict) -> requests.Response:
        return requests.post(f"{stack.base_url}/invoices/{draft['id']}/issue")

    with ThreadPoolExecutor(25) as pool:
        responses = list(pool.map(issue, drafts))
    assert [r.status_code for r in responses] == [200] * 50, [r.text for r in responses if r.status_code != 200]
    numbers = sorted(int(r.json()["number"].rsplit("-", 1)[1]) for r in responses)
    assert numbers == list(range(numbers[0], numbers[0] + 50))


def test_overdue_and_each_dunning_level_once_by_the_timer(billing, databases):
    _stack, clock, api = billing
    order = fulfilled_order(api)
    draft_id = order["invoice_ids"][0]
    api.patch(f"/invoices/{draft_id}", {"payment_terms_days": 15})
    invoice = api.post(f"/invoices/{draft_id}/issue")

    def status_and_level() -> tuple:
        now = api.get(f"/invoices/{invoice['id']}")
        return now["status"], now["dunning_level"]

    clock.advance(days=15, seconds=60)  # the due date itself: not overdue yet
    time.sleep(1)  # a few timer passes
    assert status_and_level() == ("issued", 0)
    clock.advance(days=1)
    wait_for(lambda: status_and_level() == ("overdue", 1), what="overdue, level 1")
    api.post(f"/invoices/{invoice['id']}/payments", {"amount": "100.00", "reference": "PART"}, expect=201)
    assert status_and_level() == ("overdue", 1)  # a partial payment does not end it
    clock.advance(days=14)
    wait_for(lambda: status_and_level() == ("overdue", 2), what="level 2 at 15 days")
    clock.advance(days=15)
    wait_for(lambda: status_and_level() == ("overdue", 3), what="level 3 at 30 days")
    clock.advance(days=10)
    events = outbox_events(databases.url("billing"), "crm.invoice.overdue.v1", invoice["id"])
    assert [(e["data"]["dunning_level"], e["data"]["days_overdue"]) for e in events] == [(1, 1), (2, 15), (3, 30)]
    paid = api.post(f"/invoices/{invoice['id']}/payments",
                    {"amount": api.get(f"/invoices/{invoice['id']}")["balance_due"], "reference": "REST"}, expect=201)
    assert paid["status"] == "paid"


def test_the_number_series_start_again_in_a_new_year(billing):
    _stack, clock, api = billing
    today = business_today(clock)
    new_year = datetime(today.year + 1, 1, 1, 12, tzinfo=UTC)
    clock.advance(seconds=(new_year - datetime.now(UTC)).total_seconds() - clock.offset)
    assert business_today(clock) == new_year.date()
    order = fulfilled_order(api)
    assert order["number"] == f"SO-{new_year.year}-0001"
    invoice = api.post(f"/invoices/{order['invoice_ids'][0]}/issue")
    assert invoice["number"] == f"INV-{new_year.year}-00001"
    note = api.post(f"/invoices/{invoice['id']}/credit-notes", {"reason": "test"}, expect=201)
    assert note["number"] == f"CN-{new_year.year}-0001"


@pytest.fixture(scope="module")
def manual_issue(tmp_path_factory):
    """Invoiced on confirmation, but left as drafts for someone to check and issue. A
    broker vhost and databases of its own: the module's other stack still runs."""
    tmp = tmp_path_factory.mktemp("manual")
    with RabbitVhost() as vhost, PostgresDatabases(SERVICES) as databases:
        stack = make_stack(tmp, vhost, {s: databases.url(s) for s in SERVICES})
        stack.env.update({"BILLING_ISSUE_AUTOMATICALLY": "false"})
        stack.setup(SERVICES)
        stack.start_all()
        try:
            stack.wait_ready(SERVICES)
            yield stack, databases, Api(stack.base_url)
        finally:
            stack.stop_all()


def test_a_cancelled_order_takes_its_draft_invoice_with_it(manual_issue):
    _stack, databases, api = manual_issue
    order = api.eventually(f"/orders/{accepted_order_id(api)}")
    draft = api.get(f"/invoices/{order['invoice_ids'][0]}")
    assert (draft["status"], draft["number"]) == ("draft", None)
    cancelled = api.post(f"/orders/{order['id']}/cancel", {"reason": "Wrong customer"})
    assert (cancelled["status"], cancelled["invoice_ids"]) == ("cancelled", [])
    api.get(f"/invoices/{draft['id']}", expect=404)
    assert len(outbox_events(databases.url("billing"), "crm.invoice.discarded.v1", draft["id"])) == 1
