"""The billing service through the API, with the default settings: an order from each
accepted quote, invoiced and issued on confirmation; payments, credit notes and the
rules for cancelling an order."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal as D

import requests

from crmkit.ids import new_id
from events import outbox_events, publish, query, wait_for
from flow import LINES, Api


def accepted_quote(api: Api, lines=LINES, opportunity: dict | None = None, **quote_fields) -> dict:
    opportunity = opportunity or api.post("/opportunities", {"name": f"Deal {uuid.uuid4().hex[:8]}"}, expect=201)
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": lines, **quote_fields}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    return api.post(f"/quotes/{quote['id']}/accept")


def ordered(api: Api, **quote_fields) -> tuple[dict, dict, dict]:
    """An accepted quote, its order and the order's (issued) invoice."""
    quote = accepted_quote(api, **quote_fields)
    order = api.eventually(f"/orders/{quote['order_id']}")
    return quote, order, api.get(f"/invoices/{order['invoice_ids'][0]}")


def error_of(resp: requests.Response) -> dict:
    return resp.json()["error"]


def test_one_order_from_a_quote_accepted_delivered_three_times_and_after_later_events(stack, databases):
    api = Api(stack.base_url)
    quote, order, invoice = ordered(api)
    api.post(f"/orders/{order['id']}/fulfil")
    paid = api.post(f"/invoices/{invoice['id']}/payments",
                    {"amount": invoice["balance_due"], "reference": f"R-{invoice['number']}"}, expect=201)
    assert paid["status"] == "paid"

    event = outbox_events(databases.url("deals"), "crm.quote.accepted.v1", quote["id"])[0]
    copies = [event, event, {**event, "id": new_id()}]  # redelivered, and sent again as a new event
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda body: publish(stack.env["AMQP_URI"], body), copies))
    billing = databases.url("billing")
    wait_for(lambda: query(billing, "SELECT count(*) FROM inbox WHERE event_id IN (:a, :b)",
                           a=event["id"], b=copies[2]["id"])[0][0] == 2, what="billing taking both event ids")
    assert query(billing, "SELECT count(*) FROM orders WHERE quote_id = :q", q=quote["id"])[0][0] == 1
    now = api.get(f"/orders/{order['id']}")
    assert (now["status"], now["invoice_ids"]) == ("fulfilled", order["invoice_ids"])
    assert api.get(f"/invoices/{invoice['id']}")["status"] == "paid"
    assert len(outbox_events(billing, "crm.order.created.v1", order["id"])) == 1


def test_totals_are_equal_on_the_quote_the_order_and_the_invoice_to_the_cent(stack):
    api = Api(stack.base_url)
    tricky = [
        {"description": "Spice, per gram", "quantity": "0.333", "unit_price": "12.345", "discount_percent": "7.5",
         "tax_rate": "10"},
        {"description": "Saffron", "quantity": "3", "unit_price": "19.999", "tax_rate": "5"},
        {"description": "Returned jar", "quantity": "-1", "unit_price": "2.500", "tax_rate": "10"},
        {"description": "Free sample", "quantity": "2", "unit_price": "4.000", "discount_percent": "100",
         "tax_rate": "5"},
    ]
    quote, order, invoice = ordered(api, lines=tricky, currency="BHD", tax_mode="inclusive", rounding="per_line",
                                    document_discount_percent="3.3")
    names = ("subtotal", "discount_total", "net_total", "tax_total", "grand_total", "tax_breakdown", "tax_mode",
             "currency")
    assert {n: order[n] for n in names} == {n: quote[n] for n in names} == {n: invoice[n] for n in names}
    assert [line["net"] for line in invoice["lines"]] == [line["net"] for line in quote["lines"]]
    assert D(invoice["net_total"]) + D(invoice["tax_total"]) == D(invoice["grand_total"])
    assert all(len(v.split(".")[1]) == 3 for v in (invoice["grand_total"], invoice["tax_total"]))


def test_partial_payments_overpayment_and_a_reference_told_twice(stack):
    api = Api(stack.base_url)
    _quote, _order, invoice = ordered(api)
    total = D(invoice["grand_total"])
    first = api.post(f"/invoices/{invoice['id']}/payments", {"amount": "1000.00", "reference": "P-1"}, expect=201)
    assert (first["status"], D(first["balance_due"])) == ("partially_paid", total - 1000)
    again = api.post(f"/invoices/{invoice['id']}/payments", {"amount": "1000.00", "reference": "P-1"}, expect=201)
    assert len(again["payments"]) == 1 and again["balance_due"] == first["balance_due"]
    other_amount = requests.post(f"{stack.base_url}/invoices/{invoice['id']}/payments",
                                 json={"amount": "5.00", "reference": "P-1"})
    assert other_amount.status_code == 409
    too_much = requests.post(f"{stack.base_url}/invoices/{invoice['id']}/payments",
                             json={"amount": str(total), "reference": "P-2"})
    assert too_much.status_code == 422 and first["balance_due"] in error_of(too_much)["details"]["amount"][0]
    paid = api.post(f"/invoices/{invoice['id']}/payments",
                    {"amount": first["balance_due"], "reference": "P-2", "method": "card"}, expect=201)
    assert (paid["status"], paid["balance_due"]) == ("paid", "0.00")
    assert [p["reference"] for p in api.get(f"/invoices/{invoice['id']}/payments")["items"]] == ["P-1", "P-2"]


def test_credit_notes_partial_then_the_rest_add_up_to_the_invoice_exactly(stack, databases):
    api = Api(stack.base_url)
    _quote, order, invoice = ordered(api)
    assert requests.post(f"{stack.base_url}/invoices/{invoice['id']}/credit-notes", json={}).status_code == 422
    bad = requests.post(f"{stack.base_url}/invoices/{invoice['id']}/credit-notes", json={
        "reason": "x", "lines": [{"position": 9, "quantity": "1"}, {"position": 1, "quantity": "3"}]})
    assert bad.status_code == 422 and set(error_of(bad)["details"]["lines"]) == {"0", "1"}

    # One of the two engine licences back: 4999.99 at 19% = 950.00 tax
    partial = api.post(f"/invoices/{invoice['id']}/credit-notes", {
        "reason": "One licence returned", "lines": [{"position": 1, "quantity": "1"}]}, expect=201)
    assert (partial["net_total"], partial["tax_total"], partial["grand_total"]) == ("4999.99", "950.00", "5949.99")
    assert partial["number"].startswith(f"CN-{date.today().year}-")
    after = api.get(f"/invoices/{invoice['id']}")
    assert after["status"] == "issued" and D(after["balance_due"]) == D(invoice["grand_total"]) - D("5949.99")

    rest = api.post(f"/invoices/{invoice['id']}/credit-notes", {"reason": "Order cancelled"}, expect=201)
    assert D(partial["grand_total"]) + D(rest["grand_total"]) == D(invoice["grand_total"])
    assert D(partial["tax_total"]) + D(rest["tax_total"]) == D(invoice["tax_total"])
    assert int(rest["number"].rsplit("-", 1)[1]) == int(partial["number"].rsplit("-", 1)[1]) + 1
    credited = api.get(f"/invoices/{invoice['id']}")
    assert (credited["status"], credited["balance_due"], credited["credit_note_ids"]) == (
        "credited", "0.00", [partial["id"], rest["id"]])
    nothing_left = requests.post(f"{stack.base_url}/invoices/{invoice['id']}/credit-notes", json={"reason": "x"})
    assert nothing_left.status_code == 409 and error_of(nothing_left)["details"]["current_state"] == "credited"
    assert error_of(nothing_left)["message"] == "Cannot credit an invoice that is credited."
    assert len(outbox_events(databases.url("billing"), "crm.credit_note.issued.v1", rest["id"])) == 1

    cancelled = api.post(f"/orders/{order['id']}/cancel", {"reason": "Customer withdrew"})
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "Customer withdrew")
    again = requests.post(f"{stack.base_url}/orders/{order['id']}/cancel", json={"reason": "twice"})
    assert error_of(again)["message"] == "Cannot cancel an order that is cancelled."


def test_a_credit_on_a_paid_invoice_is_a_refund(stack):
    api = Api(stack.base_url)
    _quote, _order, invoice = ordered(api)
    api.post(f"/invoices/{invoice['id']}/payments", {"amount": invoice["grand_total"], "reference": "ALL"}, expect=201)
    note = api.post(f"/invoices/{invoice['id']}/credit-notes", {
        "reason": "Support hours not used", "lines": [{"position": 2, "quantity": "0.333"}]}, expect=201)
    assert note["refund_due"] == note["grand_total"] and D(note["grand_total"]) > 0
    assert api.get(f"/invoices/{invoice['id']}")["status"] == "paid"


def test_an_order_with_an_invoice_still_owed_cannot_be_cancelled(stack):
    api = Api(stack.base_url)
    _quote, order, invoice = ordered(api)
    no_reason = requests.post(f"{stack.base_url}/orders/{order['id']}/cancel", json={})
    assert no_reason.status_code == 422 and "reason" in error_of(no_reason)["details"]
    owed = requests.post(f"{stack.base_url}/orders/{order['id']}/cancel", json={"reason": "changed mind"})
    assert owed.status_code == 409 and error_of(owed)["details"]["unpaid_invoices"] == [invoice["number"]]

    started = api.post(f"/orders/{order['id']}/start-fulfilment")
    assert started["status"] == "in_fulfilment" and started["fulfilment_started_at"]
    fulfilled = api.post(f"/orders/{order['id']}/fulfil")
    assert fulfilled["status"] == "fulfilled" and fulfilled["invoice_ids"] == order["invoice_ids"]
    late = requests.post(f"{stack.base_url}/orders/{order['id']}/cancel", json={"reason": "too late"})
    assert late.status_code == 409 and error_of(late)["details"]["current_state"] == "fulfilled"
    issued_change = requests.patch(f"{stack.base_url}/invoices/{invoice['id']}", json={"payment_terms_days": 60})
    assert issued_change.status_code == 409 and error_of(issued_change)["details"]["current_state"] == "issued"


def test_payment_terms_come_from_the_organization_through_the_quote(stack, databases):
    api = Api(stack.base_url)
    organization = api.post("/organizations", {"name": f"Slow Payers {uuid.uuid4().hex[:6]}",
                                               "payment_terms_days": 45, "country": "FR",
                                               "shipping_address": {"street": "1 Quai", "city": "Lyon"}},
                            expect=201)
    bad = requests.post(f"{stack.base_url}/organizations", json={"name": "x", "payment_terms_days": 31})
    assert bad.status_code == 422 and "payment_terms_days" in error_of(bad)["details"]
    wait_for(lambda: query(databases.url("deals"), "SELECT count(*) FROM known_organizations WHERE id = :i",
                           i=organization["id"])[0][0], what="deals learning the organization")
    deal = api.post("/opportunities", {"name": "Terms", "organization_id": organization["id"]}, expect=201)
    quote = accepted_quote(api, opportunity=deal)
    assert quote["payment_terms_days"] == 45
    order = api.eventually(f"/orders/{quote['order_id']}")
    assert order["shipping_address"] == {"street": "1 Quai", "city": "Lyon", "country": "FR"}
    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    assert invoice["payment_terms_days"] == 45
    assert date.fromisoformat(invoice["due_date"]) == date.fromisoformat(invoice["issue_date"]) + timedelta(days=45)

    listed = api.get(f"/invoices?organization_id={organization['id']}&status=issued")["items"]
    assert [i["id"] for i in listed] == [invoice["id"]]
    assert [o["id"] for o in api.get(f"/orders?organization_id={organization['id']}")["items"]] == [order["id"]]


def test_the_billing_reports_answer_through_the_api(stack):
    api = Api(stack.base_url)
    organization = api.post("/organizations", {"name": f"Reported {uuid.uuid4().hex[:6]}"}, expect=201)
    deal = api.post("/opportunities", {"name": "Reported", "organization_id": organization["id"]}, expect=201)
    quote = accepted_quote(api, opportunity=deal)
    order = api.eventually(f"/orders/{quote['order_id']}")
    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    api.post(f"/invoices/{invoice['id']}/payments", {"amount": "1000.00", "reference": "R-1"}, expect=201)

    aging = api.get(f"/reports/receivables?organization_id={organization['id']}")
    [row] = aging["rows"]
    [eur] = row["amounts"]
    current = next(b for b in eur["buckets"] if b["bucket"] == "current")
    assert (current["count"], D(current["amount"])) == (1, D(invoice["grand_total"]) - 1000)

    today = date.today()
    month = api.get(f"/reports/billed-collected?from={today.replace(day=1)}&to={today}"
                    f"&organization_id={organization['id']}")
    [figures] = month["totals"]
    assert (figures["currency"], figures["invoiced"], figures["collected"]) == (
        "EUR", invoice["grand_total"], "1000.00")
    dso = api.get(f"/reports/dso?from={today.replace(day=1)}&to={today}&organization_id={organization['id']}")
    assert dso["rows"][0]["currency"] == "EUR" and dso["rows"][0]["dso"] is not None
    bad = requests.get(f"{stack.base_url}/reports/receivables?as_of=yesterday")
    assert bad.status_code == 422 and "as_of" in error_of(bad)["details"]
