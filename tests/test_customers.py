"""Organizations and contacts through the gateway."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from crmkit.ids import new_id
from events import outbox_events, publish, query, wait_for
from flow import Api, a_lead, convert_lead


def _organization(api: Api, name: str, **extra) -> dict:
    return api.post("/organizations", {"name": name, **extra}, expect=201)


def test_an_organization_is_created_updated_searched_and_archived(stack):
    api = Api(stack.base_url)
    unique = f"Difference Engines {stack.port}"
    org = _organization(api, unique, domain="https://www.Difference-Engines.example/about", country="GB",
                        vat_id="GB123456789", billing_address={"street": "1 Strand", "city": "London"})
    assert org["domain"] == "difference-engines.example"
    assert api.get(f"/organizations/{org['id']}") == org

    changed = api.http.patch(f"{stack.base_url}/organizations/{org['id']}", json={"employees": 40})
    assert changed.status_code == 200 and changed.json()["version"] == org["version"] + 1

    by_domain = api.get("/organizations?domain=WWW.difference-engines.example")["items"]
    assert [o["id"] for o in by_domain] == [org["id"]]
    by_name = api.get(f"/organizations?q={unique.lower()}")["items"]
    assert [o["id"] for o in by_name] == [org["id"]]

    archived = api.post(f"/organizations/{org['id']}/archive")
    assert archived["archived_at"]
    assert api.get(f"/organizations?q={unique}")["items"] == []
    assert [o["id"] for o in api.get(f"/organizations?q={unique}&archived=true")["items"]] == [org["id"]]
    refused = api.http.patch(f"{stack.base_url}/organizations/{org['id']}", json={"employees": 41})
    assert refused.status_code == 409 and refused.json()["error"]["details"]["current_state"] == "archived"


def test_contacts_belong_to_an_organization_that_exists(stack):
    api = Api(stack.base_url)
    org = _organization(api, f"Jacquard Looms {stack.port}")
    nowhere = "01a2038f-720c-7c69-a4b8-d6cdd0e6ccb9"
    # The body names a record that is not there: 404, as the path's would be.
    missing = api.post("/contacts", {"last_name": "Jacquard", "organization_id": nowhere}, expect=404)["error"]
    assert missing["details"] == {"entity": "organization", "id": nowhere}
    bad = api.post("/contacts", {"email": "nope"}, expect=422)["error"]
    assert set(bad["details"]) == {"last_name", "email"}

    contact = api.post("/contacts", {"first_name": "Joseph", "last_name": "Jacquard", "organization_id": org["id"],
                                     "email": "Joseph@Looms.example", "decision_maker": True}, expect=201)
    listed = api.get(f"/organizations/{org['id']}/contacts")["items"]
    assert [c["id"] for c in listed] == [contact["id"]]
    assert [c["id"] for c in api.get("/contacts?email=joseph@looms.example")["items"]] == [contact["id"]]
    assert [c["id"] for c in api.get("/contacts?q=jacq&organization_id=" + org["id"])["items"]] == [contact["id"]]
    api.post(f"/contacts/{contact['id']}/archive")
    assert api.get(f"/organizations/{org['id']}/contacts")["items"] == []


def test_conversion_can_link_an_existing_organization_and_contact(stack):
    api = Api(stack.base_url)
    org = _organization(api, f"Analytical Society {stack.port}")
    contact = api.post("/contacts", {"last_name": "Herschel", "organization_id": org["id"]}, expect=201)
    lead = api.post("/leads", a_lead(), expect=201)
    api.post(f"/leads/{lead['id']}/qualify")
    converted = api.post(f"/leads/{lead['id']}/convert", {"organization": {"mode": "link", "id": org["id"]},
                                                          "contact": {"mode": "link", "id": contact["id"]}})
    assert (converted["converted_organization_id"], converted["converted_contact_id"]) == (org["id"], contact["id"])
    opportunity = api.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
    assert (opportunity["organization_name"], opportunity["contact_name"]) == (org["name"], "Herschel")
    leads_of_org = api.get(f"/organizations/{org['id']}/leads")["items"]
    assert [lead["id"] for lead in leads_of_org] == [converted["id"]]


def test_conversion_variants_private_customer_and_no_opportunity(stack):
    api = Api(stack.base_url)
    private = convert_lead(api, a_lead(company=None))  # no company: a private customer
    assert private["converted_organization_id"] is None and private["converted_contact_id"]
    lead = api.post("/leads", a_lead(), expect=201)
    api.post(f"/leads/{lead['id']}/qualify")
    none = api.post(f"/leads/{lead['id']}/convert", {"opportunity": {"mode": "none"}, "organization": {"mode": "none"}})
    assert none["converted_opportunity_id"] is None and none["converted_organization_id"] is None
    unready = api.post("/leads", a_lead(budget_amount=None, budget_currency=None), expect=201)
    api.post(f"/leads/{unready['id']}/qualify")
    refused = api.post(f"/leads/{unready['id']}/convert", {}, expect=422)["error"]
    assert "budget_amount" in refused["details"]
    overridden = api.post(f"/leads/{unready['id']}/convert", {"override_qualification": True})
    assert overridden["status"] == "converted"


def test_an_opportunity_deals_cannot_make_comes_back_to_the_lead(stack):
    api = Api(stack.base_url)
    made = convert_lead(api)
    assert made["opportunity_status"] == "pending"
    api.eventually(f"/opportunities/{made['converted_opportunity_id']}")
    wait_for(lambda: api.get(f"/leads/{made['id']}")["opportunity_status"] == "created", what="the news on the lead")

    lead = api.post("/leads", a_lead(), expect=201)
    api.post(f"/leads/{lead['id']}/qualify")
    refused = api.post(f"/leads/{lead['id']}/convert", {"opportunity": {"stage": "closed_won"}})
    assert refused["status"] == "converted" and refused["opportunity_status"] == "pending"
    wait_for(lambda: api.get(f"/leads/{lead['id']}")["opportunity_status"] == "failed", what="the refusal")
    assert "stage" in api.get(f"/leads/{lead['id']}")["opportunity_failure"]
    api.get(f"/opportunities/{refused['converted_opportunity_id']}", expect=404)



def _refused_conversion(api: Api, lead: dict, opportunity: dict) -> dict:
    made = api.post("/leads", lead, expect=201)
    api.post(f"/leads/{made['id']}/qualify")
    converted = api.post(f"/leads/{made['id']}/convert", {"opportunity": opportunity})
    wait_for(lambda: api.get(f"/leads/{made['id']}")["opportunity_status"] == "failed", what="the refusal")
    return api.get(f"/leads/{made['id']}") | {"first_answer": converted}


def test_a_refused_opportunity_is_corrected_and_asked_for_again_from_the_lead(stack, databases):
    """The conversion is one saga: deals' refusal is on the lead, and converting again
    with corrected details asks deals for the same opportunity, once, with the
    organization and contact the conversion made."""
    api = Api(stack.base_url)
    lead = _refused_conversion(api, a_lead(), {"stage": "no-such-stage"})
    assert "stage" in lead["opportunity_failure"]
    opportunity_id = lead["converted_opportunity_id"]
    assert opportunity_id == lead["first_answer"]["converted_opportunity_id"]
    api.get(f"/opportunities/{opportunity_id}", expect=404)

    only_the_opportunity = api.post(f"/leads/{lead['id']}/convert", {"organization": {"mode": "none"}}, expect=422)
    assert only_the_opportunity["error"]["details"]["organization"]
    retried = api.post(f"/leads/{lead['id']}/convert", {"opportunity": {"stage": "proposal"}})
    assert (retried["status"], retried["opportunity_status"], retried["opportunity_failure"]) == (
        "converted", "pending", None)
    assert retried["converted_opportunity_id"] == opportunity_id
    assert api.post(f"/leads/{lead['id']}/convert", {}, expect=409)["error"]["code"] == "invalid_transition"
    opportunity = api.eventually(f"/opportunities/{opportunity_id}")
    assert (opportunity["stage"], opportunity["lead_id"]) == ("proposal", lead["id"])
    assert (opportunity["organization_id"], opportunity["contact_id"]) == (
        lead["converted_organization_id"], lead["converted_contact_id"])
    wait_for(lambda: api.get(f"/leads/{lead['id']}")["opportunity_status"] == "created", what="the news")
    assert [o["id"] for o in api.get(f"/opportunities?lead_id={lead['id']}")["items"]] == [opportunity_id]

    # Both requests again, as new events (a replay from the dead-letter queue, a relay
    # that published twice): deals has the opportunity, so neither is refused or made.
    attempts = [*outbox_events(databases.url("leads"), "crm.lead.converted.v1", lead["id"]),
                *outbox_events(databases.url("leads"), "crm.lead.conversion_retried.v1", lead["id"])]
    assert len(attempts) == 2
    replayed = [new_id() for _ in attempts]
    for attempt, event_id in zip(attempts, replayed, strict=True):
        publish(stack.env["AMQP_URI"], {**attempt, "id": event_id})
    wait_for(lambda: query(databases.url("deals"), "SELECT count(*) FROM inbox WHERE event_id IN (:a, :b)",
                           a=replayed[0], b=replayed[1])[0][0] == 2, what="deals handling both")
    assert len(outbox_events(databases.url("deals"), "crm.opportunity.creation_failed.v1", opportunity_id)) == 1
    assert api.get(f"/leads/{lead['id']}")["opportunity_status"] == "created"
    assert len(api.get(f"/opportunities?lead_id={lead['id']}")["items"]) == 1



def test_what_leads_can_tell_of_the_opportunity_is_refused_at_once(stack):
    """A private customer's opportunity is named after the person: a first and a last
    name of 100 characters make 201, more than a name takes; the conversion says so
    (and commits nothing) rather than leaving deals to refuse it later."""
    api = Api(stack.base_url)
    lead = api.post("/leads", a_lead(company=None, first_name="F" * 100, last_name="L" * 100), expect=201)
    api.post(f"/leads/{lead['id']}/qualify")
    refused = api.post(f"/leads/{lead['id']}/convert", {}, expect=422)["error"]["details"]
    assert refused["opportunity"]["name"]
    assert api.get(f"/leads/{lead['id']}")["status"] == "qualified"
    named = api.post(f"/leads/{lead['id']}/convert", {"opportunity": {"name": "Private deal"}})
    opportunity = api.eventually(f"/opportunities/{named['converted_opportunity_id']}")
    assert opportunity["name"] == "Private deal"
    assert opportunity["contact_name"] == ("F" * 100 + " " + "L" * 100)[:200]  # deals' copy of it, cut

def test_a_refused_opportunity_can_be_given_up_and_concurrent_retries_make_one(stack):
    api = Api(stack.base_url)
    given_up = _refused_conversion(api, a_lead(), {"stage": "closed_lost"})
    finished = api.post(f"/leads/{given_up['id']}/convert", {"opportunity": {"mode": "none"}})
    assert (finished["opportunity_status"], finished["converted_opportunity_id"]) == (None, None)
    assert finished["converted_contact_id"] == given_up["converted_contact_id"]

    lead = _refused_conversion(api, a_lead(), {"stage": "closed_won"})
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: api.http.post(
            f"{stack.base_url}/leads/{lead['id']}/convert", json={"opportunity": {"name": "Corrected"}}), range(4)))
    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409], [a.text for a in answers]
    opportunity = api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")
    assert opportunity["name"] == "Corrected"
    wait_for(lambda: api.get(f"/leads/{lead['id']}")["opportunity_status"] == "created", what="the news")
    assert len(api.get(f"/opportunities?lead_id={lead['id']}")["items"]) == 1


def test_every_address_has_a_country_and_a_quote_takes_the_addresses_own(stack, databases):
    api = Api(stack.base_url)
    address = {"street": "1 Rue de Rivoli", "postal_code": "75001", "city": "Paris", "country": "FR"}
    org = _organization(api, f"Addresses {stack.port} {id(api)}", country="DE", billing_address=address,
                        shipping_address={"street": "Unter den Linden 1", "city": "Berlin"})
    assert org["billing_address"]["country"] == "FR"
    lead = api.post("/leads", a_lead(address=address), expect=201)
    assert lead["address"] == address
    bad = api.post("/leads", a_lead(address={**address, "country": "France"}), expect=422)["error"]["details"]
    assert bad["address"]["country"]
    wait_for(lambda: query(databases.url("deals"), "SELECT 1 FROM known_organizations WHERE id = :i", i=org["id"]),
             what="deals' copy of the organization")
    deal = api.post("/opportunities", {"name": "Addressed", "organization_id": org["id"]}, expect=201)
    quote = api.post("/quotes", {"opportunity_id": deal["id"], "lines": [
        {"description": "x", "quantity": "1", "unit_price": "1"}]}, expect=201)
    assert quote["billing_address"]["country"] == "FR" and quote["shipping_address"]["country"] == "DE"

def test_customer_lists_filter_by_owner_country_and_creation_time(stack):
    api = Api(stack.base_url)
    owner = f"owner-{stack.port}-{id(api)}"
    first = _organization(api, "Filter A", owner_id=owner, country="FR")
    second = _organization(api, "Filter B", owner_id=owner, country="IT")
    mine = api.get(f"/organizations?owner_id={owner}&sort=name")["items"]
    assert [o["id"] for o in mine] == [first["id"], second["id"]]
    assert [o["id"] for o in api.get(f"/organizations?owner_id={owner}&country=IT")["items"]] == [second["id"]]
    since = quote(second["created_at"])
    assert [o["id"] for o in api.get(f"/organizations?owner_id={owner}&created_from={since}")["items"]] == [
        second["id"]]
    contact = api.post("/contacts", {"last_name": "Filtered", "owner_id": owner}, expect=201)
    assert [c["id"] for c in api.get(f"/contacts?owner_id={owner}")["items"]] == [contact["id"]]
    assert api.get("/organizations?country=france", expect=422)["error"]["details"]["country"]
