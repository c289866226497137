"""Scoring: an explainable 0-100 score from rules that are data, recomputed on every change."""
from __future__ import annotations

from datetime import date, timedelta

from events import wait_for
from flow import Api, a_lead


def _adds_up(lead: dict) -> None:
    assert sum(f["points"] for f in lead["score_factors"]) == lead["score"]
    assert 0 <= lead["score"] <= 100


def test_a_score_explains_itself_and_follows_every_change(stack):
    api = Api(stack.base_url)
    bare = api.post("/leads", {"last_name": "Nobody"}, expect=201)
    assert (bare["score"], bare["rating"], bare["score_factors"]) == (0, "cold", [])

    soon = (date.today() + timedelta(days=30)).isoformat()
    lead = api.post("/leads", a_lead(source="referral", title="CTO", employees=800, authority=True,
                                     need="Tables without errors", timeline=soon), expect=201)
    _adds_up(lead)
    factors = {f["factor"] for f in lead["score_factors"]}
    assert {"source: referral or partner", "valid email", "budget known", "decision maker",
            "buys within 90 days", "company of 500+ people"} <= factors
    assert lead["rating"] in ("warm", "hot")

    qualified = api.post(f"/leads/{lead['id']}/qualify")
    _adds_up(qualified)
    assert qualified["score"] == min(100, lead["score"] + 15)
    updated = api.http.patch(f"{stack.base_url}/leads/{lead['id']}", json={"authority": False}).json()
    _adds_up(updated)
    assert "decision maker" not in {f["factor"] for f in updated["score_factors"]}


def test_a_score_is_kept_within_bounds_and_still_adds_up(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", a_lead(), expect=201)
    disqualified = api.post(f"/leads/{lead['id']}/disqualify", {"reason": "gone"})
    assert disqualified["score"] == max(0, lead["score"] - 50)
    _adds_up(disqualified)


def test_new_rules_rescore_existing_leads_and_lists_filter_by_score(stack):
    api = Api(stack.base_url)
    team = f"scored-{stack.port}"
    leads = [api.post("/leads", a_lead(team=team, industry=industry), expect=201)
             for industry in ("Machinery", "Machinery", "Textiles")]
    bad = api.http.put(f"{stack.base_url}/scoring-model", json={"hot_from": 10, "warm_from": 50, "rules": [
        {"factor": "x", "points": 500, "when": {"field": "nope", "equals": 1, "present": True}}]})
    assert bad.status_code == 422
    details = bad.json()["error"]["details"]
    assert "warm_from" in details and set(details["rules"]["0"]) >= {"points", "when"}

    model = api.http.put(f"{stack.base_url}/scoring-model", json={"hot_from": 60, "warm_from": 30, "rules": [
        {"factor": "machinery", "points": 70, "when": {"field": "industry", "equals": "Machinery"}},
        {"factor": "any industry", "points": 10, "when": {"field": "industry", "present": True}},
    ]}).json()
    assert model["version"] >= 1 and api.get("/scoring-model") == model

    def rescored():
        return all(api.get(f"/leads/{lead['id']}")["score"] in (80, 10) for lead in leads)

    wait_for(rescored, timeout=30, what="the timer rescoring the existing leads")
    hot = api.get(f"/leads?team={team}&rating=hot&sort=-score")["items"]
    assert [lead["id"] for lead in hot] == sorted((leads[0]["id"], leads[1]["id"]), reverse=True)
    assert [lead["score"] for lead in api.get(f"/leads?team={team}&score_max=50")["items"]] == [10]
    assert all(_adds_up(api.get(f"/leads/{lead['id']}")) is None for lead in leads)
