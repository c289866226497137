"""The deals service through the API: pipelines as data, opportunities and their stage
history, the price book, quotes with revisions, acceptance and the PDF document."""
from __future__ import annotations

import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal as D

import pypdf
import requests

from crmkit.ids import new_id
from events import outbox_events, publish, query, wait_for
from flow import LINES, Api, a_lead, convert_lead


def an_opportunity(api: Api, **fields) -> dict:
    return api.post("/opportunities", {"name": f"Deal {uuid.uuid4().hex[:8]}", "amount": "10000.00",
                                       "currency": "EUR", **fields}, expect=201)


def a_product(api: Api, **fields) -> dict:
    return api.post("/products", {"sku": f"SKU-{uuid.uuid4().hex[:10]}", "name": "Analytical engine",
                                  "unit_price": "1999.99", "currency": "EUR", "tax_rate": "19", **fields}, expect=201)


def sent_quote(api: Api, opportunity_id: str, lines=LINES, **fields) -> dict:
    quote = api.post("/quotes", {"opportunity_id": opportunity_id, "lines": lines, **fields}, expect=201)
    return api.post(f"/quotes/{quote['id']}/send")


def error_of(resp: requests.Response) -> dict:
    return resp.json()["error"]


# Pipelines
def test_the_default_pipeline_is_data_and_new_pipelines_end_in_won_and_lost(stack):
    api = Api(stack.base_url)
    default = next(p for p in api.get("/pipelines")["items"] if p["is_default"])
    assert [(s["name"], s["probability"]) for s in default["stages"]] == [
        ("qualification", "10"), ("needs_analysis", "20"), ("proposal", "50"), ("negotiation", "75"),
        ("closed_won", "100"), ("closed_lost", "0")]

    name = f"Renewals {uuid.uuid4().hex[:6]}"
    renewals = api.post("/pipelines", {"name": name, "stages": [
        {"name": "due", "probability": "60"}, {"name": "committed", "probability": "90",
                                                 "forecast_category": "commit"}]}, expect=201)
    assert [s["name"] for s in renewals["stages"]] == ["due", "committed", "closed_won", "closed_lost"]
    deal = an_opportunity(api, pipeline_id=renewals["id"])
    assert (deal["stage"], deal["probability"], deal["forecast_category"]) == ("due", "60", "pipeline")
    deal = api.post(f"/opportunities/{deal['id']}/move", {"stage": "committed"})
    assert (deal["probability"], deal["forecast_category"]) == ("90", "commit")

    # A stage deals are in cannot go; repricing keeps the deals' own probability.
    resp = requests.patch(f"{stack.base_url}/pipelines/{renewals['id']}", json={"stages": [
        {"name": "due", "probability": "65"}]})
    assert resp.status_code == 409 and error_of(resp)["details"]["stages_in_use"] == ["committed"]
    changed = api.patch(f"/pipelines/{renewals['id']}", {"stages": [
        {"name": "due", "probability": "65"}, {"name": "committed", "probability": "95"}]})
    assert changed["version"] == renewals["version"] + 1 and changed["stages"][1]["probability"] == "95"
    assert api.get(f"/opportunities/{deal['id']}")["probability"] == "90"

    bad = requests.post(f"{stack.base_url}/pipelines", json={"name": name, "stages": [
        {"name": "due", "probability": "101"}, {"name": "closed_won", "probability": "5"}, {"name": "Due!"}]})
    assert bad.status_code == 422
    assert set(error_of(bad)["details"]["stages"]) == {"0", "2"}  # 101%, and a bad name without probability
    taken = requests.post(f"{stack.base_url}/pipelines", json={"name": name, "stages": [
        {"name": "due", "probability": "10"}]})
    assert taken.status_code == 409
    listed_twice = requests.post(f"{stack.base_url}/pipelines", json={"name": name + "x", "stages": [
        {"name": "due", "probability": "10"}, {"name": "closed_lost", "probability": "0"}]})
    assert listed_twice.status_code == 422 and "name" in error_of(listed_twice)["details"]["stages"]["1"]


# Opportunities
def test_stage_moves_keep_history_with_the_amount_and_probability_of_the_moment(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api, team="emea", expected_close_date="2027-03-31", next_step="demo")
    assert (deal["stage"], deal["probability"], deal["forecast_category"], deal["owner_id"]) == (
        "qualification", "10", "pipeline", "tests")
    api.patch(f"/opportunities/{deal['id']}", {"amount": "12500.00"})
    moved = api.post(f"/opportunities/{deal['id']}/move", {"stage": "proposal"})
    assert moved["probability"] == "50"
    moved = api.post(f"/opportunities/{deal['id']}/move", {"stage": "negotiation", "probability": "80",
                                                           "forecast_category": "commit"})
    assert (moved["probability"], moved["forecast_category"]) == ("80", "commit")
    history = [(h["from_stage"], h["to_stage"], h["amount"], h["probability"], h["actor"]) for h in moved["history"]]
    assert history == [
        (None, "qualification", "10000.00", "10", "tests"),
        ("qualification", "proposal", "12500.00", "50", "tests"),
        ("proposal", "negotiation", "12500.00", "80", "tests"),
    ]
    assert all(h["at"] for h in moved["history"])

    unknown = requests.post(f"{stack.base_url}/opportunities/{deal['id']}/move", json={"stage": "closing"})
    assert unknown.status_code == 422 and "stage" in error_of(unknown)["details"]
    no_reason = requests.post(f"{stack.base_url}/opportunities/{deal['id']}/move", json={"stage": "closed_lost"})
    assert no_reason.status_code == 422 and "lost_reason" in error_of(no_reason)["details"]


def test_lost_needs_a_reason_is_terminal_and_a_reopen_returns_to_the_stage_it_left(stack, databases):
    api = Api(stack.base_url)
    deal = an_opportunity(api)
    api.post(f"/opportunities/{deal['id']}/move", {"stage": "proposal"})
    missing = requests.post(f"{stack.base_url}/opportunities/{deal['id']}/lose", json={})
    assert missing.status_code == 422 and "lost_reason" in error_of(missing)["details"]
    lost = api.post(f"/opportunities/{deal['id']}/lose", {"lost_reason": "price", "closing_note": "Too dear."})
    assert (lost["stage"], lost["probability"], lost["forecast_category"]) == ("closed_lost", "0", "omitted")
    assert lost["closed_at"] and lost["lost_reason"] == "price" and lost["closing_note"] == "Too dear."

    for command, body in (("move", {"stage": "proposal"}), ("win", {}), ("lose", {"lost_reason": "x"})):
        resp = requests.post(f"{stack.base_url}/opportunities/{deal['id']}/{command}", json=body)
        assert resp.status_code == 409 and error_of(resp)["details"]["current_state"] == "closed_lost"
        assert error_of(resp)["message"] == "Cannot move an opportunity that is closed_lost."
    closed_edit = requests.patch(f"{stack.base_url}/opportunities/{deal['id']}", json={"next_step": "call"})
    assert closed_edit.status_code == 409

    reopened = api.post(f"/opportunities/{deal['id']}/reopen")
    assert (reopened["stage"], reopened["probability"], reopened["closed_at"], reopened["lost_reason"]) == (
        "proposal", "50", None, None)
    again = requests.post(f"{stack.base_url}/opportunities/{deal['id']}/reopen", json={})
    assert again.status_code == 409 and error_of(again)["details"]["current_state"] == "proposal"
    won = api.post(f"/opportunities/{deal['id']}/win", {"closing_note": "Signed on paper."})
    assert (won["stage"], won["probability"], won["forecast_category"]) == ("closed_won", "100", "closed")

    events = [e["type"] for e in query_events(databases, deal["id"])]
    assert events == ["crm.opportunity.created.v1", "crm.opportunity.stage_changed.v1",
                      "crm.opportunity.stage_changed.v1", "crm.opportunity.lost.v1",
                      "crm.opportunity.stage_changed.v1", "crm.opportunity.reopened.v1",
                      "crm.opportunity.stage_changed.v1", "crm.opportunity.won.v1"]



def test_the_history_keeps_why_a_deal_was_lost_after_it_is_reopened(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api)
    api.post(f"/opportunities/{deal['id']}/move", {"stage": "proposal"})
    api.post(f"/opportunities/{deal['id']}/lose", {"lost_reason": "price", "closing_note": "Too dear."})
    reopened = api.post(f"/opportunities/{deal['id']}/reopen", {"note": "They found more budget."})
    assert reopened["lost_reason"] is None  # the deal is open; its history remembers
    misplaced = api.post(f"/opportunities/{deal['id']}/move", {"stage": "negotiation", "lost_reason": "x"}, expect=422)
    assert misplaced["error"]["details"]["lost_reason"]
    api.post(f"/opportunities/{deal['id']}/lose", {"lost_reason": "timing"})
    history = [(h["from_stage"], h["to_stage"], h["lost_reason"], h["note"])
               for h in api.get(f"/opportunities/{deal['id']}")["history"]]
    assert history[1:] == [
        (history[1][0], "proposal", None, None),
        ("proposal", "closed_lost", "price", "Too dear."),
        ("closed_lost", "proposal", None, "They found more budget."),
        ("proposal", "closed_lost", "timing", None),
    ]


def _known_to_deals(databases, table: str, record_id: str) -> None:
    wait_for(lambda: query(databases.url("deals"), f"SELECT 1 FROM {table} WHERE id = :i", i=record_id),
             what=f"deals' copy of {record_id}")


def test_an_opportunity_made_directly_carries_its_customers_names(stack, databases):
    api = Api(stack.base_url)
    organization = api.post("/organizations", {"name": f"Direct {uuid.uuid4().hex[:8]}"}, expect=201)
    other = api.post("/organizations", {"name": f"Other {uuid.uuid4().hex[:8]}"}, expect=201)
    contact = api.post("/contacts", {"first_name": "Mary", "last_name": "Somerville",
                                     "organization_id": organization["id"]}, expect=201)
    for table, record in (("known_organizations", organization), ("known_organizations", other),
                          ("known_contacts", contact)):
        _known_to_deals(databases, table, record["id"])
    deal = an_opportunity(api, organization_id=organization["id"], contact_id=contact["id"])
    assert (deal["organization_name"], deal["contact_name"]) == (organization["name"], "Mary Somerville")
    moved = api.patch(f"/opportunities/{deal['id']}", {"organization_id": other["id"]})
    assert moved["organization_name"] == other["name"]

def query_events(databases, subject: str) -> list[dict]:
    rows = query(databases.url("deals"), "SELECT type FROM outbox WHERE subject = :s ORDER BY id", s=subject)
    return [{"type": row.type} for row in rows]


def test_a_stale_write_is_refused_by_version_never_lost(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api)
    etag = f'"{deal["version"]}"'
    updated = api.patch(f"/opportunities/{deal['id']}", {"next_step": "send the proposal"}, headers={"If-Match": etag})
    stale = requests.patch(f"{stack.base_url}/opportunities/{deal['id']}", json={"next_step": "call back"},
                           headers={"If-Match": etag})
    assert stale.status_code == 412 and error_of(stale)["details"]["current_version"] == updated["version"]
    assert api.get(f"/opportunities/{deal['id']}")["next_step"] == "send the proposal"
    bad = requests.patch(f"{stack.base_url}/opportunities/{deal['id']}", json={}, headers={"If-Match": "abc"})
    assert bad.status_code == 400

    # Ten writers who all read the same version: exactly one of them gets through.
    etag = f'"{updated["version"]}"'

    def write(n: int) -> int:
        return requests.patch(f"{stack.base_url}/opportunities/{deal['id']}", json={"next_step": f"step {n}"},
                              headers={"If-Match": etag}).status_code

    with ThreadPoolExecutor(10) as pool:
        statuses = sorted(pool.map(write, range(10)))
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    final = api.get(f"/opportunities/{deal['id']}")
    assert final["version"] == updated["version"] + 1


def test_bad_opportunity_input_names_every_field(stack):
    resp = requests.post(f"{stack.base_url}/opportunities", json={
        "amount": "-5", "currency": "euro", "expected_close_date": "someday", "probability": "120",
        "forecast_category": "closed"})
    assert resp.status_code == 422
    assert set(error_of(resp)["details"]) == {
        "name", "amount", "currency", "expected_close_date", "probability", "forecast_category"}
    no_currency = requests.post(f"{stack.base_url}/opportunities", json={"name": "x", "amount": "5"})
    assert no_currency.status_code == 422 and "currency" in error_of(no_currency)["details"]


def test_lists_filter_and_page_opportunities(stack):
    api = Api(stack.base_url)
    team = f"team-{uuid.uuid4().hex[:6]}"
    made = [an_opportunity(api, team=team) for _ in range(5)]
    api.post(f"/opportunities/{made[0]['id']}/lose", {"lost_reason": "timing"})
    first = api.get(f"/opportunities?team={team}&status=open&limit=3")
    second = api.get(f"/opportunities?team={team}&status=open&limit=3&cursor={first['next_cursor']}")
    assert second["next_cursor"] is None
    ids = [o["id"] for o in first["items"] + second["items"]]
    assert sorted(ids) == sorted(o["id"] for o in made[1:])
    assert [o["id"] for o in api.get(f"/opportunities?team={team}&status=lost")["items"]] == [made[0]["id"]]


def test_an_opportunity_from_a_duplicated_lead_converted_is_made_once(stack, databases):
    api = Api(stack.base_url)
    lead = convert_lead(api, a_lead(owner_id="grace", team="emea-north"))
    opportunity = api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")
    assert (opportunity["owner_id"], opportunity["team"], opportunity["lead_id"]) == ("grace", "emea-north", lead["id"])
    converted = [e for e in outbox_events(databases.url("leads"), "crm.lead.converted.v1", lead["id"])]
    assert len(converted) == 1
    publish(stack.env["AMQP_URI"], converted[0])  # the same event again
    publish(stack.env["AMQP_URI"], {**converted[0], "id": new_id()})  # and as a new event
    wait_for(lambda: query(databases.url("deals"), "SELECT count(*) FROM inbox WHERE event_id = :i",
                           i=converted[0]["id"])[0][0] == 1)
    wait_for(lambda: stack.logs("deals").count("already handled") >= 1, what="deals skipping the redelivery")
    rows = query(databases.url("deals"), "SELECT count(*) FROM opportunities WHERE lead_id = :l", l=lead["id"])
    assert rows[0][0] == 1
    assert len(outbox_events(databases.url("deals"), "crm.opportunity.created.v1", opportunity["id"])) == 1
    assert api.get(f"/opportunities/{opportunity['id']}")["version"] == opportunity["version"]


# The price book
def test_products_have_a_unique_sku_and_price_quote_lines(stack):
    api = Api(stack.base_url)
    engine = a_product(api)
    taken = requests.post(f"{stack.base_url}/products", json={
        "sku": engine["sku"], "name": "Other", "unit_price": "1", "currency": "EUR"})
    assert taken.status_code == 409
    bad = requests.post(f"{stack.base_url}/products", json={"sku": "a b", "unit_price": "-1", "currency": "EU",
                                                             "tax_rate": "101"})
    assert bad.status_code == 422
    assert set(error_of(bad)["details"]) == {"sku", "name", "unit_price", "currency", "tax_rate"}

    deal = an_opportunity(api)
    quote = api.post("/quotes", {"opportunity_id": deal["id"], "lines": [
        {"sku": engine["sku"], "quantity": "2"},
        {"product_id": engine["id"], "quantity": "1", "unit_price": "1500.00", "discount_percent": "10"},
        {"description": "Installation", "quantity": "1", "unit_price": "250.00", "tax_rate": "19"},
    ]}, expect=201)
    first, second, free = quote["lines"]
    assert (first["description"], first["unit_price"], first["tax_rate"], first["net"]) == (
        "Analytical engine", "1999.99", "19", "3999.98")
    assert (second["sku"], second["unit_price"], second["net"]) == (engine["sku"], "1500.00", "1350.00")
    assert free["product_id"] is None
    assert quote["net_total"] == "5599.98" and quote["tax_total"] == "1064.00"  # 5599.98 x 19% = 1063.9962

    draft = api.post("/quotes", {"opportunity_id": deal["id"], "lines": [{"sku": engine["sku"], "quantity": "1"}]},
                     expect=201)
    other_currency = requests.patch(f"{stack.base_url}/quotes/{draft['id']}", json={"currency": "USD"})
    assert other_currency.status_code == 422
    assert "USD" in error_of(other_currency)["details"]["lines"]["0"]["product"][0]
    api.patch(f"/products/{engine['id']}", {"active": False})
    assert engine["id"] not in [p["id"] for p in api.get("/products?active=true&limit=200")["items"]]
    refused = requests.post(f"{stack.base_url}/quotes", json={"opportunity_id": deal["id"], "lines": [
        {"sku": engine["sku"], "quantity": "1"}, {"sku": "NO-SUCH-SKU", "quantity": "1"},
        {"product_id": a_product(api, currency="USD")["id"], "quantity": "1"}]})
    assert refused.status_code == 422
    problems = error_of(refused)["details"]["lines"]
    assert {index: set(fields) for index, fields in problems.items()} == {
        "0": {"product"}, "1": {"product"}, "2": {"product"}}
    assert "no longer sold" in problems["0"]["product"][0] and "USD" in problems["2"]["product"][0]
    incomplete = requests.post(f"{stack.base_url}/quotes", json={"opportunity_id": deal["id"], "lines": [
        {"quantity": "1"}]})
    assert set(error_of(incomplete)["details"]["lines"]["0"]) == {"description", "unit_price"}


# Quotes
def test_quote_numbers_have_no_gap_and_no_duplicate_under_20_concurrent_creations(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api)

    def create(_n: int) -> requests.Response:
        return requests.post(f"{stack.base_url}/quotes", json={"opportunity_id": deal["id"], "lines": LINES})

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(create, range(20)))
    assert [r.status_code for r in responses] == [201] * 20
    numbers = sorted(int(r.json()["number"].rsplit("-", 1)[1]) for r in responses)
    assert numbers == list(range(numbers[0], numbers[0] + 20))
    year = date.today().year
    assert all(r.json()["number"].startswith(f"Q-{year}-") for r in responses)


def test_a_change_to_a_sent_quote_makes_a_revision_and_supersedes_it(stack, databases):
    api = Api(stack.base_url)
    deal = an_opportunity(api)
    draft = api.post("/quotes", {"opportunity_id": deal["id"], "lines": LINES}, expect=201)
    edited = api.patch(f"/quotes/{draft['id']}", {"document_discount_percent": "5"})
    assert (edited["id"], edited["number"], edited["version"]) == (draft["id"], draft["number"], draft["version"] + 1)
    assert D(edited["net_total"]) < D(draft["net_total"])

    sent = api.post(f"/quotes/{draft['id']}/send")
    resp = requests.patch(f"{stack.base_url}/quotes/{sent['id']}", json={"lines": LINES[:1], "terms": "Net 30"})
    assert resp.status_code == 201, resp.text
    r2 = resp.json()
    assert (r2["number"], r2["revision"], r2["status"], r2["revises_id"]) == (
        f"{sent['number']}-R2", 2, "draft", sent["id"])
    assert len(r2["lines"]) == 1 and r2["terms"] == "Net 30" and r2["document_discount_percent"] == "5"
    old = api.get(f"/quotes/{sent['id']}")
    assert (old["status"], old["superseded_by_id"]) == ("superseded", r2["id"])
    refused = requests.post(f"{stack.base_url}/quotes/{sent['id']}/accept")
    assert refused.status_code == 409 and error_of(refused)["details"]["current_state"] == "superseded"
    again = requests.patch(f"{stack.base_url}/quotes/{sent['id']}", json={"terms": "x"})
    assert again.status_code == 409

    api.post(f"/quotes/{r2['id']}/send")
    r3 = api.patch(f"/quotes/{r2['id']}", {"terms": "Net 15"}, expect=201)
    assert r3["number"] == f"{sent['number']}-R3"
    api.post(f"/quotes/{r3['id']}/send")
    accepted = api.post(f"/quotes/{r3['id']}/accept")
    assert accepted["status"] == "accepted"
    won = api.get(f"/opportunities/{deal['id']}")
    assert (won["stage"], won["amount"]) == ("closed_won", accepted["net_total"])
    assert len(outbox_events(databases.url("deals"), "crm.quote.revised.v1", r2["id"])) == 1
    listed = api.get(f"/quotes?opportunity_id={deal['id']}&sort=number")["items"]
    assert [q["status"] for q in listed] == ["superseded", "superseded", "accepted"]


def test_two_quotes_of_one_opportunity_accepted_at_once_one_wins(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api)
    quotes = [sent_quote(api, deal["id"]) for _ in range(2)]

    def accept(quote: dict) -> requests.Response:
        return requests.post(f"{stack.base_url}/quotes/{quote['id']}/accept")

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(accept, quotes))
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    statuses = sorted(api.get(f"/quotes/{q['id']}")["status"] for q in quotes)
    assert statuses == ["accepted", "sent"]
    loser = next(q for q, r in zip(quotes, responses, strict=True) if r.status_code == 409)
    again = requests.post(f"{stack.base_url}/quotes/{loser['id']}/accept")
    assert again.status_code == 409  # the deal is won now
    reopen = requests.post(f"{stack.base_url}/opportunities/{deal['id']}/reopen", json={})
    assert reopen.status_code == 409 and "accepted_quote" in error_of(reopen)["details"]


def test_reject_needs_a_reason_and_validity_is_chosen_on_sending(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api)
    draft = api.post("/quotes", {"opportunity_id": deal["id"], "lines": LINES}, expect=201)
    past = requests.post(f"{stack.base_url}/quotes/{draft['id']}/send", json={"valid_until": "2020-01-01"})
    assert past.status_code == 422 and "valid_until" in error_of(past)["details"]
    until = (date.today() + timedelta(days=10)).isoformat()
    sent = api.post(f"/quotes/{draft['id']}/send", {"valid_until": until})
    assert sent["valid_until"] == until
    no_reason = requests.post(f"{stack.base_url}/quotes/{sent['id']}/reject", json={})
    assert no_reason.status_code == 422 and "reason" in error_of(no_reason)["details"]
    rejected = api.post(f"/quotes/{sent['id']}/reject", {"reason": "Went with a competitor"})
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "Went with a competitor")
    default = sent_quote(api, deal["id"])
    assert default["valid_until"] == (date.fromisoformat(default["sent_at"][:10]) + timedelta(days=30)).isoformat()


def test_tax_inclusive_quotes_total_what_the_customer_was_shown_and_reach_the_invoice(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api)
    # 3 x 11.90 incl. 19%: 35.70 as shown; tax 35.70 x 19/119 = 5.70, net 30.00
    quote = sent_quote(api, deal["id"], lines=[
        {"description": "Cable", "quantity": "3", "unit_price": "11.90", "tax_rate": "19"}], tax_mode="inclusive")
    assert (quote["tax_mode"], quote["grand_total"], quote["tax_total"], quote["net_total"]) == (
        "inclusive", "35.70", "5.70", "30.00")
    assert [line["net"] for line in quote["lines"]] == ["30.00"]  # without tax, as the net total (issue 11 item 14)
    accepted = api.post(f"/quotes/{quote['id']}/accept")
    order = api.eventually(f"/orders/{accepted['order_id']}")
    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    assert (order["grand_total"], invoice["grand_total"], invoice["tax_total"]) == ("35.70", "35.70", "5.70")
    assert [line["net"] for line in order["lines"]] == [line["net"] for line in invoice["lines"]] == ["30.00"]


def test_a_quote_renders_as_a_pdf_with_the_engines_numbers(stack):
    api = Api(stack.base_url)
    deal = an_opportunity(api, organization_name="Łódź Instruments Sp. z o.o.")
    quote = sent_quote(api, deal["id"], billing_address={"street": "ul. Piotrkowska 1", "city": "Łódź",
                                                          "postal_code": "90-001", "country": "PL"})
    resp = requests.get(f"{stack.base_url}/quotes/{quote['id']}/pdf")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert quote["number"] in resp.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(resp.content)).pages)
    assert quote["number"] in text and "Łódź Instruments" in text
    for line in quote["lines"]:
        assert line["description"] in text
    assert f"{D(quote['grand_total']):,}" in text  # as the engine computed it, e.g. 12,284.79
    assert requests.get(f"{stack.base_url}/quotes/{new_id()}/pdf").status_code == 404


def test_a_quote_snapshots_the_customer_as_the_leads_service_last_told_deals(stack, databases):
    api = Api(stack.base_url)
    organization = api.post("/organizations", {
        "name": f"Difference Engines {uuid.uuid4().hex[:6]}", "vat_id": "DE123456789", "country": "DE",
        "billing_address": {"street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin"}}, expect=201)
    contact = api.post("/contacts", {"first_name": "Charles", "last_name": "Babbage",
                                     "email": f"cb{uuid.uuid4().hex[:6]}@example.com",
                                     "organization_id": organization["id"]}, expect=201)
    deals = databases.url("deals")
    wait_for(lambda: query(deals, "SELECT count(*) FROM known_contacts WHERE id = :i", i=contact["id"])[0][0]
             and query(deals, "SELECT count(*) FROM known_organizations WHERE id = :i", i=organization["id"])[0][0],
             what="deals learning the customer")
    deal = an_opportunity(api, organization_id=organization["id"], organization_name="(old name)",
                          contact_id=contact["id"])
    quote = api.post("/quotes", {"opportunity_id": deal["id"], "lines": LINES}, expect=201)
    assert (quote["organization_name"], quote["organization_vat_id"], quote["contact_name"],
            quote["contact_email"]) == (organization["name"], "DE123456789", "Charles Babbage", contact["email"])
    assert quote["billing_address"] == {"street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin",
                                        "country": "DE"}

    renamed = api.patch(f"/organizations/{organization['id']}", {"name": organization["name"] + " AG"})
    wait_for(lambda: query(deals, "SELECT name FROM known_organizations WHERE id = :i",
                           i=organization["id"])[0][0] == renamed["name"], what="deals learning the new name")
    # An older version arriving late changes nothing.
    created = outbox_events(databases.url("leads"), "crm.organization.created.v1", organization["id"])[0]
    publish(stack.env["AMQP_URI"], {**created, "id": new_id()})
    wait_for(lambda: "is older than the known" in stack.logs("deals"), what="deals skipping the older version")
    assert query(deals, "SELECT name FROM known_organizations WHERE id = :i", i=organization["id"])[0][0] \
        == renamed["name"]

    document = requests.get(f"{stack.base_url}/quotes/{quote['id']}/pdf").content
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)
    assert "VAT ID DE123456789" in text and "Hauptstr. 1" in text

    later = api.post("/quotes", {"opportunity_id": deal["id"], "lines": LINES}, expect=201)
    assert later["organization_name"] == renamed["name"]
    assert api.get(f"/quotes/{quote['id']}")["organization_name"] == organization["name"]  # a snapshot


def test_the_reports_answer_through_the_api(stack):
    api = Api(stack.base_url)
    pipeline = api.post("/pipelines", {"name": f"Reported {uuid.uuid4().hex[:6]}", "stages": [
        {"name": "open", "probability": "25"}, {"name": "late", "probability": "80"}]}, expect=201)
    team = f"team-{uuid.uuid4().hex[:6]}"
    deals = [an_opportunity(api, pipeline_id=pipeline["id"], team=team, amount=amount)
             for amount in ("1000.00", "3000.00", "500.00")]
    api.post(f"/opportunities/{deals[1]['id']}/move", {"stage": "late"})
    api.post(f"/opportunities/{deals[2]['id']}/lose", {"lost_reason": "budget"})

    report = api.get(f"/reports/pipeline?pipeline_id={pipeline['id']}")
    by_stage = {row["stage"]: row for row in report["rows"]}
    assert [row["stage"] for row in report["rows"]] == ["open", "late"]
    assert by_stage["open"]["count"] == 1 and by_stage["late"]["count"] == 1
    assert [(c["currency"], c["amount"], c["weighted_amount"]) for c in by_stage["late"]["amounts"]] == [
        ("EUR", "3000.00", "2400.00")]

    today = date.today().isoformat()
    rate = api.get(f"/reports/win-rate?from={today}&to={today}&team={team}")
    assert (rate["rows"][0]["won"], rate["rows"][0]["lost"], rate["rows"][0]["win_rate"]) == (0, 1, "0.0000")
    forecast = api.get(f"/reports/forecast?from={today}&to={today}&team={team}")
    assert forecast["months"] == [today[:7]]

    bad = requests.get(f"{stack.base_url}/reports/forecast?from=2027-01-01&to=2026-13-01&group_by=planet")
    assert bad.status_code == 422 and set(error_of(bad)["details"]) == {"to", "group_by"}
    backwards = requests.get(f"{stack.base_url}/reports/win-rate?from=2027-01-01&to=2026-01-01")
    assert backwards.status_code == 422 and set(error_of(backwards)["details"]) == {"to"}
