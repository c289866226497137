"""GET /reports/funnel counts each step from its own service, on a system of its own
so that every count is known."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flow import LINES, Api, a_lead, convert_lead, run_flow


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack.base_url)


def test_the_funnel_counts_every_step_and_the_conversions_between(api):
    run_flow(api)                                                      # a lead all the way to paid
    qualified = api.post("/leads", a_lead(), expect=201)
    api.post(f"/leads/{qualified['id']}/qualify")                      # qualified, never converted
    api.post("/leads", a_lead(), expect=201)                           # only a lead
    api.post("/opportunities", {"name": "Walk-in"}, expect=201)        # an opportunity without a lead
    other = api.eventually(f"/opportunities/{convert_lead(api)['converted_opportunity_id']}")
    quote = api.post("/quotes", {"opportunity_id": other["id"], "lines": LINES}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    revision = api.patch(f"/quotes/{quote['id']}", {"terms": "a second look"}, expect=201)
    api.post(f"/quotes/{revision['id']}/send")                         # sent twice, one opportunity

    today = datetime.now(UTC).date().isoformat()
    funnel = api.get(f"/reports/funnel?from={today}&to={today}")
    assert {s["step"]: s["count"] for s in funnel["steps"]} == {
        "leads": 4, "qualified": 3, "opportunities": 3, "quotes_sent": 2, "won": 1, "invoiced": 1, "paid": 1}
    assert [s["conversion_from_previous"] for s in funnel["steps"]] == [
        None, "0.7500", "1.0000", "0.6667", "0.5000", "1.0000", "1.0000"]
    assert funnel["conversion_overall"] == "0.2500"
    assert (funnel["from"], funnel["to"]) == (today, today)


def test_a_range_before_anything_happened_counts_nothing(api):
    funnel = api.get("/reports/funnel?from=2020-01-01&to=2020-12-31")
    assert [s["count"] for s in funnel["steps"]] == [0] * 7
    assert {s["conversion_from_previous"] for s in funnel["steps"]} == {None}
    assert funnel["conversion_overall"] is None


def test_a_bad_range_names_its_fields(api):
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    error = api.get(f"/reports/funnel?from={tomorrow}&to=2020-01-01", expect=422)["error"]
    assert set(error["details"]) == {"to"}
    assert set(api.get("/reports/funnel?from=yesterday", expect=422)["error"]["details"]) == {"from", "to"}
