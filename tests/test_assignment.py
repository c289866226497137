"""Assignment rules as data: who gets a new lead, fairly, and the record of every change of hands."""
from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from events import query
from flow import Api, a_lead


def _team(api: Api, members: list[str]) -> str:
    team = f"team-{uuid.uuid4().hex[:8]}"
    assert api.http.put(f"{api.base_url}/teams/{team}/members", json={"members": members}).status_code == 200
    return team


def _rule(api: Api, **fields) -> dict:
    return api.post("/assignment-rules", {"name": f"rule-{uuid.uuid4().hex[:6]}", **fields}, expect=201)


def test_round_robin_is_fair_over_a_thousand_leads_and_seven_members(stack, databases):
    api = Api(stack.base_url)
    members = [f"rep-{i}" for i in range(7)]
    country = "IS"  # this test's leads alone come from Iceland
    team = _team(api, members)
    _rule(api, position=10, match_country=country, team=team, strategy="round_robin")

    def create(_):
        return Api(stack.base_url).post("/leads", a_lead(country=country, phone=None), expect=201)

    with ThreadPoolExecutor(8) as pool:
        leads = list(pool.map(create, range(1000)))
    per_member = Counter(lead["owner_id"] for lead in leads)
    assert set(per_member) == set(members)
    assert max(per_member.values()) - min(per_member.values()) <= 1, per_member
    assert {lead["team"] for lead in leads} == {team}
    recorded = query(databases.url("leads"), "SELECT count(*) FROM lead_assignments WHERE team = :t", t=team)
    assert recorded[0][0] == 1000


def test_the_first_matching_active_rule_wins_and_empty_conditions_match_anything(stack):
    api = Api(stack.base_url)
    web_team, partner_team, idle_team = _team(api, ["web-rep"]), _team(api, ["partner-rep"]), _team(api, [])
    tag = uuid.uuid4().hex[:6]
    partner_rule = _rule(api, position=1, match_source="partner", match_team=f"inbound-{tag}", team=partner_team)
    _rule(api, position=2, match_team=f"inbound-{tag}", team=idle_team)  # nobody in it: skipped
    off = _rule(api, position=3, match_team=f"inbound-{tag}", team=partner_team, active=False)
    _rule(api, position=4, match_team=f"inbound-{tag}", team=web_team)

    partner = api.post("/leads", a_lead(source="partner", team=f"inbound-{tag}"), expect=201)
    web = api.post("/leads", a_lead(source="web", team=f"inbound-{tag}"), expect=201)
    mine = api.post("/leads", a_lead(source="partner", team=f"inbound-{tag}", owner_id="me"), expect=201)
    nobody = api.post("/leads", a_lead(source="web", team=f"elsewhere-{tag}"), expect=201)
    assert (partner["owner_id"], partner["team"]) == ("partner-rep", partner_team)
    assert (web["owner_id"], web["team"]) == ("web-rep", web_team)
    assert mine["owner_id"] == "me"  # an owner given is kept
    assert nobody["owner_id"] == "tests"  # no rule: the creator (the token's user) keeps it
    assert api.get(f"/leads/{nobody['id']}/assignments")["items"] == []
    history = api.get(f"/leads/{partner['id']}/assignments")["items"]
    assert [(h["from_owner"], h["to_owner"], h["reason"]) for h in history] == [
        (None, "partner-rep", f"rule {partner_rule['name']}")]

    api.http.patch(f"{stack.base_url}/assignment-rules/{off['id']}", json={"active": True, "position": 0})
    assert api.post("/leads", a_lead(source="web", team=f"inbound-{tag}"), expect=201)["team"] == partner_team


def test_fewest_open_gives_the_lead_to_the_least_loaded_member(stack):
    api = Api(stack.base_url)
    tag = uuid.uuid4().hex[:6]
    team = _team(api, [f"busy-{tag}", f"free-{tag}"])
    for _ in range(2):
        api.post("/leads", a_lead(owner_id=f"busy-{tag}"), expect=201)
    _rule(api, position=0, match_team=f"least-{tag}", team=team, strategy="fewest_open")
    owners = [api.post("/leads", a_lead(team=f"least-{tag}"), expect=201)["owner_id"] for _ in range(4)]
    assert owners == [f"free-{tag}", f"free-{tag}", f"busy-{tag}", f"free-{tag}"]


def test_a_reassignment_by_hand_is_recorded_and_published(stack, databases):
    api = Api(stack.base_url)
    team = _team(api, ["ann", "bob"])
    lead = api.post("/leads", a_lead(owner_id="ann", team=team), expect=201)
    refused = api.post(f"/leads/{lead['id']}/assign", {"owner_id": "zed"}, expect=422)["error"]
    assert "owner_id" in refused["details"]
    moved = api.post(f"/leads/{lead['id']}/assign", {"owner_id": "bob", "reason": "ann is on leave"})
    assert moved["owner_id"] == "bob" and moved["version"] == lead["version"] + 1
    history = api.get(f"/leads/{lead['id']}/assignments")["items"]
    assert [(h["from_owner"], h["to_owner"], h["reason"]) for h in history] == [("ann", "bob", "ann is on leave")]
    events = query(databases.url("leads"), "SELECT count(*) FROM outbox WHERE type = 'crm.lead.assigned.v1' "
                   "AND subject = :s", s=lead["id"])
    assert events[0][0] == 1
