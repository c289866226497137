"""GET /reports/funnel puts every service's steps together, on a system of its own and a
business clock the test moves, so that every count is known.

Three business days at noon: the day before the range, the range (one day), the day after.
The cohort (the default view) is the leads created in the range and what became of them,
whenever; the activity view counts what reached each step within the range.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from conftest import SERVICES, make_stack
from crmkit.testing import Clock
from flow import LINES, Api, a_lead, quote_and_accept

STEPS = ["leads", "qualified", "opportunities", "quotes_sent", "won", "invoiced", "paid"]


@pytest.fixture(scope="module")
def system(tmp_path_factory, vhost, databases):
    tmp = tmp_path_factory.mktemp("funnel")
    clock = Clock(tmp / "clock")
    stack = make_stack(tmp, vhost, {s: databases.url(s) for s in SERVICES})
    stack.env["CRM_CLOCK_FILE"] = str(clock.path)
    stack.setup(SERVICES)
    stack.start_all()
    try:
        stack.wait_ready(SERVICES)
        yield clock, Api(stack.base_url)
    finally:
        stack.stop_all()


@pytest.fixture(scope="module")
def the_range(system) -> str:
    """Makes the records of every test below; returns the range's day (YYYY-MM-DD)."""
    clock, api = system
    before = datetime.combine(datetime.now(UTC).date() - timedelta(days=3), time(12), UTC)
    clock.set_offset((before - datetime.now(UTC)).total_seconds())

    # The day before: a lead created and qualified (it converts within the range: not in its cohort).
    early = qualified_lead(api, source="web")

    clock.advance(days=1)  # the range
    sell(api, converted(api, early))
    sell(api, converted(api, qualified_lead(api, source="referral")))  # all the way to paid, in the range
    late = qualified_lead(api, source="referral")                     # converts after the range
    api.post("/leads", a_lead(source="event"), expect=201)           # only a lead
    sell(api, api.post("/opportunities", {"name": "Walk-in"}, expect=201)["id"])  # no lead at all

    clock.advance(days=1)  # the day after
    quote = api.post("/quotes", {"opportunity_id": converted(api, late), "lines": LINES}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    return (before + timedelta(days=1)).date().isoformat()


def qualified_lead(api: Api, source: str) -> dict:
    lead = api.post("/leads", a_lead(source=source), expect=201)
    return api.post(f"/leads/{lead['id']}/qualify")


def converted(api: Api, lead: dict) -> str:
    """The lead converted; the id of its opportunity, once deals has made it."""
    opportunity_id = api.post(f"/leads/{lead['id']}/convert", {})["converted_opportunity_id"]
    return api.eventually(f"/opportunities/{opportunity_id}")["id"]


def sell(api: Api, opportunity_id: str) -> None:
    """A quote sent and accepted, its order's invoice paid."""
    order = api.eventually(f"/orders/{quote_and_accept(api, opportunity_id)['order_id']}")
    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    api.post(f"/invoices/{invoice['id']}/payments",
             {"amount": invoice["balance_due"], "reference": f"BANK-{invoice['number']}"}, expect=201)


def counts(steps: list[dict]) -> list[int]:
    assert [s["step"] for s in steps] == STEPS
    return [s["count"] for s in steps]


def rates(steps: list[dict]) -> list[str | None]:
    return [s["conversion_from_previous"] for s in steps]


def test_the_cohort_is_what_became_of_the_leads_created_in_the_range(system, the_range):
    _clock, api = system
    funnel = api.get(f"/reports/funnel?from={the_range}&to={the_range}")
    assert (funnel["from"], funnel["to"], funnel["view"], funnel["group_by"]) == (
        the_range, the_range, "cohort", "none")
    # Three leads; two qualified and converted (one the day after); one paid. The lead of
    # the day before, converted and paid within the range, and the walk-in are not in it.
    assert counts(funnel["steps"]) == [3, 2, 2, 2, 1, 1, 1]
    assert rates(funnel["steps"]) == [None, "0.6667", "1.0000", "1.0000", "0.5000", "1.0000", "1.0000"]
    assert funnel["conversion_overall"] == "0.3333"
    assert funnel["by_source"] is None
    assert funnel["unattributed"] == {"opportunities": 0, "orders": 0}


def test_the_activity_view_counts_what_reached_each_step_within_the_range(system, the_range):
    _clock, api = system
    funnel = api.get(f"/reports/funnel?from={the_range}&to={the_range}&view=activity")
    # Opportunities: the day before's lead, the range's own, and the walk-in; more than were qualified.
    assert counts(funnel["steps"]) == [3, 2, 3, 3, 3, 3, 3]
    assert rates(funnel["steps"]) == [None, "0.6667", "1.5000", "1.0000", "1.0000", "1.0000", "1.0000"]
    assert (funnel["view"], funnel["unattributed"]) == ("activity", None)


def test_by_source_in_the_cohort(system, the_range):
    _clock, api = system
    funnel = api.get(f"/reports/funnel?from={the_range}&to={the_range}&group_by=source")
    assert counts(funnel["steps"]) == [3, 2, 2, 2, 1, 1, 1]
    rows = {row["source"]: row for row in funnel["by_source"]}
    assert [row["source"] for row in funnel["by_source"]] == ["event", "referral"]
    assert counts(rows["event"]["steps"]) == [1, 0, 0, 0, 0, 0, 0]
    assert counts(rows["referral"]["steps"]) == [2, 2, 2, 2, 1, 1, 1]
    assert rows["referral"]["conversion_overall"] == "0.5000"
    for row in funnel["by_source"]:
        assert all(rate is None or rate <= "1.0000" for rate in rates(row["steps"]))


def test_by_source_in_the_activity_view(system, the_range):
    _clock, api = system
    funnel = api.get(f"/reports/funnel?from={the_range}&to={the_range}&view=activity&group_by=source")
    assert [row["source"] for row in funnel["by_source"]] == ["event", "referral", "web", None]
    rows = {row["source"]: counts(row["steps"]) for row in funnel["by_source"]}
    assert rows == {"event": [1, 0, 0, 0, 0, 0, 0], "referral": [2, 2, 1, 1, 1, 1, 1],
                    "web": [0, 0, 1, 1, 1, 1, 1], None: [0, 0, 1, 1, 1, 1, 1]}  # None: the walk-in


def test_the_day_after_has_no_cohort_and_the_day_before_one_lead(system, the_range):
    _clock, api = system
    day_after = (date.fromisoformat(the_range) + timedelta(days=1)).isoformat()
    assert counts(api.get(f"/reports/funnel?from={day_after}&to={day_after}")["steps"]) == [0] * 7
    day_before = (date.fromisoformat(the_range) - timedelta(days=1)).isoformat()
    assert counts(api.get(f"/reports/funnel?from={day_before}&to={day_before}")["steps"]) == [1, 1, 1, 1, 1, 1, 1]


def test_a_range_before_anything_happened_counts_nothing(system):
    _clock, api = system
    for view in ("cohort", "activity"):
        funnel = api.get(f"/reports/funnel?from=2020-01-01&to=2020-12-31&view={view}")
        assert counts(funnel["steps"]) == [0] * 7
        assert {s["conversion_from_previous"] for s in funnel["steps"]} == {None}
        assert funnel["conversion_overall"] is None


def test_a_bad_query_names_its_fields(system):
    _clock, api = system
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    error = api.get(f"/reports/funnel?from={tomorrow}&to=2020-01-01", expect=422)["error"]
    assert set(error["details"]) == {"to"}
    assert set(api.get("/reports/funnel?from=yesterday", expect=422)["error"]["details"]) == {"from", "to"}
    error = api.get("/reports/funnel?from=2026-01-01&to=2026-01-31&view=funnel&group_by=owner", expect=422)["error"]
    assert set(error["details"]) == {"view", "group_by"}
