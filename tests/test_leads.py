"""The leads service through the gateway: what a sales team does with a lead."""
from __future__ import annotations

from urllib.parse import quote

from flow import Api, a_lead, convert_lead


def test_a_lead_keeps_every_field_and_its_tags(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", a_lead(website="https://engines.example", industry="Machinery", employees=120,
                                     annual_revenue="2500000.00", annual_revenue_currency="GBP", country="GB",
                                     address={"street": "12 St James's Sq", "city": "London"},
                                     tags=["VIP", " fintech", "vip"], campaign="autumn-2026", team="emea",
                                     authority=True, need="Faster difference tables"), expect=201)
    again = api.get(f"/leads/{lead['id']}")
    assert again == lead
    assert lead["tags"] == ["fintech", "vip"] and lead["annual_revenue"] == "2500000.00"
    assert lead["address"] == {"street": "12 St James's Sq", "city": "London"}


def test_an_update_changes_only_what_it_names_and_bumps_the_version(stack):
    api = Api(stack.base_url)
    lead = api.post("/leads", a_lead(), expect=201)
    email = lead["email"]
    updated = api.http.patch(f"{stack.base_url}/leads/{lead['id']}", json={"title": "Countess", "tags": ["poet"]})
    assert updated.status_code == 200, updated.text
    changed = updated.json()
    assert (changed["title"], changed["tags"], changed["email"]) == ("Countess", ["poet"], email)
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
    lead = api.post("/leads", a_lead(), expect=201)
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


def test_lists_filter_sort_and_page_without_repeating_or_skipping(stack):
    api = Api(stack.base_url)
    team = f"team-{stack.port}-{id(api)}"
    made = [api.post("/leads", a_lead(last_name=f"Babbage{i:02d}", team=team, tags=["list-test"],
                                      source="web" if i % 2 else "event", email=f"c{i}-{team}@example.com"),
                     expect=201)
            for i in range(11)]
    api.post(f"/leads/{made[0]['id']}/contact")

    seen, cursor = [], None
    while True:
        page = api.get(f"/leads?team={team}&limit=4&sort=last_name" + (f"&cursor={cursor}" if cursor else ""))
        seen += [lead["last_name"] for lead in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"Babbage{i:02d}" for i in range(11)]

    newest_first = api.get(f"/leads?team={team}&sort=-created_at&limit=3")["items"]
    assert [lead["id"] for lead in newest_first] == [lead["id"] for lead in reversed(made)][:3]
    web = api.get(f"/leads?team={team}&source=web&limit=50")["items"]
    assert len(web) == 5 and {lead["source"] for lead in web} == {"web"}
    contacted = api.get(f"/leads?team={team}&status=contacted,qualified")["items"]
    assert [lead["id"] for lead in contacted] == [made[0]["id"]]
    assert len(api.get(f"/leads?team={team}&tag=LIST-TEST&q=babbage0")["items"]) == 10
    assert api.get(f"/leads?team={team}&q=c10-{team}@example")["items"][0]["last_name"] == "Babbage10"
    assert api.get(f"/leads?team={team}&q=100%25")["items"] == []  # % is text, not a wildcard
    later = made[5]["created_at"]
    assert len(api.get(f"/leads?team={team}&created_from={quote(later)}")["items"]) == 6


def test_a_bad_list_query_names_every_bad_parameter(stack):
    api = Api(stack.base_url)
    error = api.get("/leads?status=open&limit=1000&sort=email&created_from=yesterday", expect=422)["error"]
    assert set(error["details"]) == {"status", "limit", "sort", "created_from"}
    error = api.get("/leads?sort=email", expect=422)["error"]
    assert "sort" in error["details"]
    error = api.get("/leads?cursor=not-a-cursor", expect=422)["error"]
    assert "cursor" in error["details"]
    first = api.get("/leads?limit=1&sort=last_name")["next_cursor"]
    error = api.get(f"/leads?limit=1&sort=-created_at&cursor={first}", expect=422)["error"]
    assert "belongs to sort" in error["details"]["cursor"][0]


def test_names_as_long_as_allowed_are_taken_and_still_compared(stack):
    """Duplicate keys grow past the names they come from (a first and a last name of 100
    each, a ligature that spells three letters): a long name is a lead, not a 500."""
    api = Api(stack.base_url)
    long_person = a_lead(first_name="F" * 100, last_name="L" * 100)
    lead = api.post("/leads", long_person, expect=201)
    twin = api.post("/leads", {**long_person, "email": None}, expect=409)["error"]["details"]
    assert twin["duplicates"][0]["id"] == lead["id"]
    ligatures = api.post("/leads", a_lead(company="\ufb03" * 200), expect=201)
    api.post(f"/leads/{ligatures['id']}/qualify")
    converted = api.post(f"/leads/{ligatures['id']}/convert", {})
    assert api.get(f"/organizations/{converted['converted_organization_id']}")["name"] == "\ufb03" * 200
    contact = api.post("/contacts", {"first_name": "\ufb03" * 100, "last_name": "\ufb03" * 100}, expect=201)
    assert contact["last_name"] == "\ufb03" * 100
