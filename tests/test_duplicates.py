"""Duplicate detection among leads and contacts, each rule, and merging two leads."""
from __future__ import annotations

import uuid

import pytest

from flow import Api


def _token() -> str:
    return uuid.uuid4().hex[:10]


def _lead(api: Api, expect: int = 201, **fields) -> dict:
    return api.post("/leads", {"last_name": "Lovelace", **fields}, expect=expect)


def _refusal(answer: dict) -> list[tuple[str, str, list[str]]]:
    assert answer["error"]["code"] == "duplicate", answer
    return [(m["type"], m["id"], m["matched_on"]) for m in answer["error"]["details"]["duplicates"]]


def test_the_same_email_in_any_case_is_a_duplicate_but_plus_addressing_is_another_inbox(stack):
    api, t = Api(stack.base_url), _token()
    first = _lead(api, email=f"ada.{t}@example.com")
    refused = _lead(api, expect=409, email=f"ADA.{t}@Example.COM")
    assert _refusal(refused) == [("lead", first["id"], ["email"])]
    _lead(api, email=f"ada.{t}+crm@example.com")


@pytest.mark.parametrize(("stored", "country", "typed"), [
    ("+44 20 7123 {n}", "GB", "020 7123 {n}"),
    ("(555) 010-{n}", "US", "+1 555 010 {n}"),
    ("030 1234{n}", "DE", "+49 (0)30 1234{n}"),
])
def test_the_same_phone_in_any_format_is_a_duplicate(stack, stored, country, typed):
    api = Api(stack.base_url)
    n = f"{uuid.uuid4().int % 10000:04d}"
    first = _lead(api, phone=stored.format(n=n), country=country)
    refused = _lead(api, expect=409, phone=typed.format(n=n), country=country)
    assert ("lead", first["id"], ["phone"]) in _refusal(refused)


def test_the_same_company_and_person_is_a_duplicate_another_person_is_not(stack):
    api, t = Api(stack.base_url), _token()
    first = _lead(api, first_name="Ada", company=f"Engines {t} Ltd.")
    refused = _lead(api, expect=409, first_name="ada", last_name="LOVELACE", company=f"engines {t}, LIMITED")
    assert _refusal(refused) == [("lead", first["id"], ["company_and_name"])]
    _lead(api, first_name="Charles", last_name="Babbage", company=f"Engines {t} Ltd.")


def test_leads_are_matched_against_contacts_too(stack):
    api, t = Api(stack.base_url), _token()
    org = api.post("/organizations", {"name": f"Royal Society {t}"}, expect=201)
    contact = api.post("/contacts", {"first_name": "Mary", "last_name": "Somerville", "organization_id": org["id"],
                                     "email": f"mary.{t}@example.org"}, expect=201)
    by_email = _lead(api, expect=409, last_name="S", email=f"MARY.{t}@example.org")
    assert _refusal(by_email) == [("contact", contact["id"], ["email"])]
    by_company = _lead(api, expect=409, first_name="Mary", last_name="Somerville", company=f"Royal Society {t}")
    assert _refusal(by_company) == [("contact", contact["id"], ["company_and_name"])]
    twin = api.post("/contacts", {"last_name": "Q", "email": f"mary.{t}@example.org"}, expect=409)
    assert _refusal(twin) == [("contact", contact["id"], ["email"])]


def test_allow_duplicate_keeps_it_and_an_update_is_checked_too(stack):
    api, t = Api(stack.base_url), _token()
    first = _lead(api, email=f"grace.{t}@example.com")
    kept = _lead(api, email=f"grace.{t}@example.com", allow_duplicate=True)
    assert "allow_duplicate" not in kept
    other = _lead(api, email=f"hopper.{t}@example.com")
    moved = api.http.patch(f"{stack.base_url}/leads/{other['id']}", json={"email": f"Grace.{t}@example.com"})
    assert moved.status_code == 409
    assert {m["id"] for m in moved.json()["error"]["details"]["duplicates"]} == {first["id"], kept["id"]}
    assert api.get(f"/leads/{other['id']}")["email"] == f"hopper.{t}@example.com"  # nothing half written
    forced = api.http.patch(f"{stack.base_url}/leads/{other['id']}",
                            json={"email": f"Grace.{t}@example.com", "allow_duplicate": True})
    assert forced.status_code == 200
    unrelated = api.http.patch(f"{stack.base_url}/leads/{first['id']}", json={"title": "Rear Admiral"})
    assert unrelated.status_code == 200  # its own twins do not block a change of something else


def test_merging_keeps_the_union_and_retires_the_other(stack):
    api, t = Api(stack.base_url), _token()
    survivor = _lead(api, first_name="Ada", email=f"ada.{t}@example.com", tags=["poetry"])
    other = _lead(api, allow_duplicate=True, first_name="Augusta", email=f"ada.{t}@example.com",
                  phone="+44 20 7946 0000", title="Countess", budget_amount="500.00", budget_currency="GBP",
                  tags=["maths"])
    merged = api.post(f"/leads/{survivor['id']}/merge", {"other_id": other["id"]})
    assert merged["first_name"] == "Ada"  # its own values first
    assert (merged["phone"], merged["title"], merged["budget_amount"], merged["budget_currency"]) == (
        "+44 20 7946 0000", "Countess", "500.00", "GBP")
    assert merged["tags"] == ["maths", "poetry"] and merged["version"] == survivor["version"] + 1
    retired = api.get(f"/leads/{other['id']}")
    assert (retired["status"], retired["merged_into_id"]) == ("merged", survivor["id"])
    refused = api.http.patch(f"{stack.base_url}/leads/{other['id']}", json={"title": "x"})
    assert refused.status_code == 409 and refused.json()["error"]["details"]["current_state"] == "merged"
    again = api.post(f"/leads/{survivor['id']}/merge", {"other_id": other["id"]}, expect=409)
    assert again["error"]["details"]["current_state"] == "merged"
    assert api.post(f"/leads/{survivor['id']}/merge", {"other_id": survivor["id"]}, expect=422)
    # a merged lead is no longer anybody's twin
    phone_twin = _lead(api, phone="+44 20 7946 0000", expect=409)
    assert [m["id"] for m in phone_twin["error"]["details"]["duplicates"]] == [survivor["id"]]
