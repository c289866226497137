"""The leads service through the gateway: what a sales team does with a lead."""
from __future__ import annotations

from flow import LEAD, Api, convert_lead


def test_a_lead_keeps_every_field_and_its_tags(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", {**LEAD, "website": "https://engines.example", "industry": "Machinery",
                               "employees": 120, "annual_revenue": "2500000.00", "annual_revenue_currency": "GBP",
                               "country": "GB", "address": {"street": "12 St James's Sq", "city": "London"},
                               "tags": ["VIP", " fintech", "vip"], "campaign": "autumn-2026", "team": "emea",
                               "authority": True, "need": "Faster difference tables"}, expect=201)
    again = api.get(f"/leads/{lead['id']}")
    assert again == lead
    assert lead["tags"] == ["fintech", "vip"] and lead["annual_revenue"] == "2500000.00"
    assert lead["address"] == {"street": "12 St James's Sq", "city": "London"}


def test_an_update_changes_only_what_it_names_and_bumps_the_version(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", LEAD, expect=201)
    updated = api.http.patch(f"{stack.base_url}/leads/{lead['id']}", json={"title": "Countess", "tags": ["poet"]})
    assert updated.status_code == 200, updated.text
    changed = updated.json()
    assert (changed["title"], changed["tags"], changed["email"]) == ("Countess", ["poet"], LEAD["email"])
    assert changed["version"] == lead["version"] + 1 and updated.headers["ETag"] == f'"{changed["version"]}"'

    tags_only = api.http.patch(f"{stack.base_url}/leads/{lead['id']}", json={"tags": ["poet", "mathematician"]})
    assert tags_only.json()["version"] == changed["version"] + 1

    bad = api.http.patch(f"{stack.base_url}/leads/{lead['id']}",
                         json={"status": "converted", "employees": -1, "budget_currency": None})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["details"]) == {"status", "employees"}
    orphan = api.http.patch(f"{stack.base_url}/leads/{lead['id']}", json={"budget_currency": None})
    assert orphan.status_code == 422 and "budget_currency" in orphan.json()["error"]["details"]


def test_disqualify_needs_a_reason_and_recycle_starts_over(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", LEAD, expect=201)
    api.post(f"/leads/{lead['id']}/contact")
    missing = api.post(f"/leads/{lead['id']}/disqualify", {}, expect=422)["error"]
    assert "reason" in missing["details"]
    out = api.post(f"/leads/{lead['id']}/disqualify", {"reason": "no budget this year"})
    assert (out["status"], out["disqualify_reason"]) == ("disqualified", "no budget this year")
    refused = api.post(f"/leads/{lead['id']}/qualify", expect=409)["error"]
    assert refused["details"]["current_state"] == "disqualified"
    back = api.post(f"/leads/{lead['id']}/recycle")
    assert (back["status"], back["disqualify_reason"]) == ("new", None)


def test_a_converted_lead_is_read_only(stack):
    api = Api(stack.base_url)
    lead = convert_lead(api)
    refused = api.http.patch(f"{stack.base_url}/leads/{lead['id']}", json={"title": "x"})
    assert refused.status_code == 409 and refused.json()["error"]["details"]["current_state"] == "converted"
    assert api.post(f"/leads/{lead['id']}/disqualify", {"reason": "x"}, expect=409)
