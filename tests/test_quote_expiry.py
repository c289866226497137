"""Sent quotes past their validity expire by the deals service's timer, with an event.
The system runs on a business clock the test moves (crmkit.testing.Clock)."""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import requests

from conftest import SERVICES, make_stack
from crmkit.testing import Clock
from events import outbox_events, wait_for
from flow import LINES, Api


@pytest.fixture(scope="module")
def clocked(tmp_path_factory, vhost, databases):
    tmp = tmp_path_factory.mktemp("clocked")
    clock = Clock(tmp / "clock")
    stack = make_stack(tmp, vhost, {s: databases.url(s) for s in SERVICES})
    stack.env.update({"CRM_CLOCK_FILE": str(clock.path), "DEALS_EXPIRE_EVERY_SECONDS": "0.3"})
    stack.setup(SERVICES)
    stack.start_all()
    try:
        stack.wait_ready(SERVICES)
        yield stack, clock
    finally:
        stack.stop_all()


def test_the_timer_expires_sent_quotes_past_their_last_valid_day_and_publishes_it(clocked, databases):
    stack, clock = clocked
    api = Api(stack.base_url)
    deal = api.post("/opportunities", {"name": "Expiring deal"}, expect=201)

    def sent(valid_days: int | None = None) -> dict:
        quote = api.post("/quotes", {"opportunity_id": deal["id"], "lines": LINES}, expect=201)
        body = {"valid_until": (date.today() + timedelta(days=valid_days)).isoformat()} if valid_days else {}
        return api.post(f"/quotes/{quote['id']}/send", body)

    default, short = sent(), sent(valid_days=5)
    draft = api.post("/quotes", {"opportunity_id": deal["id"], "lines": LINES}, expect=201)

    clock.advance(days=5)  # the last valid day of the short one: still valid
    clock.advance(seconds=1)
    time.sleep(1)  # a few timer passes
    assert api.get(f"/quotes/{short['id']}")["status"] == "sent"
    clock.advance(days=1)
    wait_for(lambda: api.get(f"/quotes/{short['id']}")["status"] == "expired", what="the short quote expiring")
    assert api.get(f"/quotes/{default['id']}")["status"] == "sent"

    clock.advance(days=25)  # 31 days after sending: past the default 30
    wait_for(lambda: api.get(f"/quotes/{default['id']}")["status"] == "expired", what="the default quote expiring")
    expired = api.get(f"/quotes/{default['id']}")
    assert expired["expired_at"] and api.get(f"/quotes/{draft['id']}")["status"] == "draft"

    events = outbox_events(databases.url("deals"), "crm.quote.expired.v1", default["id"])
    assert len(events) == 1 and events[0]["data"]["record"]["status"] == "expired"
    assert events[0]["data"]["changed"]["status"] == "sent"
    refused = requests.post(f"{stack.base_url}/quotes/{default['id']}/accept")
    assert refused.status_code == 409 and refused.json()["error"]["details"]["current_state"] == "expired"
