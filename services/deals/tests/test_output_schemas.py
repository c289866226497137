"""Every RPC answer of the deals service matches its output schema (schemas.RPC_OUTPUTS),
strictly: the answers are made by the service's own RPC methods over a migrated
database (PostgreSQL and SQLite), one unit of work per call committed before the answer,
as nameko runs them, and sent through JSON as RPC carries them.

The strict check and its reasons are in ``crmkit.strict_outputs``.

Beyond each answer, every field of every output schema must be seen filled in at least
once, and each nullable one null at least once, so a schema cannot declare what the
service never answers nor allow a null it never sends (see ``NEVER``).
"""
from __future__ import annotations

import base64
from collections import defaultdict
from datetime import date, timedelta

import pytest

from crmkit.db import utcnow
from crmkit.envelope import Envelope, event_type
from crmkit.ids import new_id
from crmkit.strict_outputs import Mismatch, Outputs, ServiceCalls, check, rpc_methods
from crmkit.testing import migrated_engine
from deals import customers, opportunities, quotes, reports, schemas
from deals.domain import DEFAULT_PIPELINE_ID
from deals.service import DealsService

SERVICE, SERVICE_CLASS, MODULES = "deals", DealsService, (schemas, reports)

# (schema, field, "set" or "null") -> why the service never answers it so.
NEVER: dict = {
    ("RecordChangeOut", "correlation_id", "set"): "these calls come from no request; tests/test_history.py sees it",
    ("ChangeCauseOut", "id", "set"): "these calls come from no request or event; tests/test_history.py sees it",
}


OUTPUTS = Outputs(MODULES, schemas.RPC_OUTPUTS)
schema_named, check_answer = OUTPUTS.schema_named, OUTPUTS.check_answer


def scenario(rpc: ServiceCalls) -> None:
    """Records after creation and after each state change, so that nullable fields are
    both null and set; every list and report the service answers."""
    today = date.today()
    soon = str(today + timedelta(days=30))
    rpc.health()

    # What the leads service told about a customer (its events), for the quotes' snapshots
    organization, contact = new_id(), new_id()
    for name, subject, data in [
        ("organization.created", organization, {
            "name": "Analytical Engines Ltd", "vat_id": "GB123456789", "country": "GB", "payment_terms_days": 45,
            "billing_address": {"street": "1 Engine Way", "postal_code": None, "city": "London", "region": None},
            "shipping_address": {"street": None, "postal_code": "E1 1AA", "city": None, "region": "Greater London"}}),
        ("contact.created", contact, {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@engines.example",
                                      "organization_id": organization}),
    ]:
        event = Envelope.new(source="urn:crm:test:leads", type=event_type(name), subject=subject,
                             data={"record": data}, sequence="1")
        record = customers.record_organization if name.startswith("organization") else customers.record_contact
        rpc.run(lambda unit, record=record, event=event: record(unit, event))

    # Pipelines
    rpc.list_pipelines()
    rpc.get_pipeline(DEFAULT_PIPELINE_ID)
    renewals = rpc.create_pipeline({"name": "Renewals", "stages": [
        {"name": "renewal_due", "probability": "40", "forecast_category": "best_case"},
        {"name": "renewal_quoted", "probability": "70"}]})
    rpc.update_pipeline(renewals["id"], {"name": "Renewals and upsell"}, expected_version=renewals["version"])
    rpc.get_pipeline(renewals["id"])

    # Opportunities through every state
    full = rpc.create_opportunity({
        "name": "Difference engines", "owner_id": "ben", "team": "north", "organization_id": organization,
        "organization_name": "Analytical Engines Ltd", "contact_id": contact, "contact_name": "Ada Lovelace",
        "amount": "1000.00", "currency": "EUR", "probability": "33.3", "expected_close_date": soon,
        "forecast_category": "commit", "next_step": "Demo"})
    bare = rpc.create_opportunity({"name": "A hunch"}, actor=None)
    jpy = rpc.create_opportunity({"name": "Yen deal", "owner_id": "chen", "currency": "JPY"})
    orphan = rpc.create_opportunity({"name": "Nobody's", "expected_close_date": soon}, actor=None)
    from_lead = {"id": new_id(), "name": "From a lead", "lead_id": new_id(), "owner_id": "dara", "team": "south",
                 "amount": "500", "currency": "EUR", "expected_close_date": soon}
    converted_lead = {"id": from_lead["lead_id"], "created_at": f"{today}T09:00:00+00:00", "source": "referral"}
    rpc.run(lambda unit: opportunities.create_opportunity_from_lead(
        unit, {"opportunity": from_lead, "record": converted_lead}))
    rpc.get_opportunity(from_lead["id"])
    rpc.update_opportunity(full["id"], {"next_step": None})
    rpc.move_opportunity(full["id"], {"stage": "proposal"})
    rpc.lose_opportunity(bare["id"], {"lost_reason": "No budget", "closing_note": "Maybe next year"})
    rpc.reopen_opportunity(bare["id"], {})
    rpc.win_opportunity(jpy["id"], {"closing_note": "Signed"})
    rpc.move_opportunity(orphan["id"], {"stage": "needs_analysis", "probability": "25"})
    rpc.list_opportunities({"limit": "1"})
    rpc.list_opportunities({"status": "open", "q": "lead"})

    # The price book
    rpc.create_product({"sku": "LIC-PRO", "name": "Pro licence", "description": "One year", "unit_price": "1234.50",
                        "currency": "EUR", "tax_rate": "19"})
    plain = rpc.create_product({"sku": "PLAIN", "name": "Plain", "unit_price": "10", "currency": "EUR"}, actor=None)
    rpc.update_product(plain["id"], {"active": False}, expected_version=plain["version"])
    rpc.get_product(plain["id"])
    rpc.list_products({"limit": "1"})
    rpc.list_products({"active": "true"})

    # Quotes: drafted, changed, sent, revised, accepted (one with returns: negative
    # lines), rejected, expired; and a PDF.
    first = rpc.create_quote({"opportunity_id": full["id"], "terms": "Net 45", "lines": [
        {"sku": "LIC-PRO", "quantity": "10", "discount_percent": "10"},
        {"description": "Onboarding workshop", "quantity": "1", "unit_price": "800", "tax_rate": "7"},
        {"description": "Old kit taken back", "quantity": "-1", "unit_price": "100", "tax_rate": "19"}]})
    rpc.update_quote(first["id"], {"document_discount_percent": "5"})
    rpc.send_quote(first["id"], {})
    second = rpc.update_quote(first["id"], {"terms": "Net 30"})
    rpc.get_quote(first["id"])  # superseded by its revision
    rpc.send_quote(second["id"])
    rpc.accept_quote(second["id"])
    returns = rpc.create_quote({  # by a caller without an actor, for a deal without an owner: no owner
        "opportunity_id": bare["id"], "billing_address": {"street": "2 Side St", "country": None},
        "lines": [{"description": "Spare units", "quantity": "3", "unit_price": "5"},
                  {"description": "Returned units", "quantity": "-2", "unit_price": "5"}]}, actor=None)
    rpc.send_quote(returns["id"])
    rpc.accept_quote(returns["id"])
    rpc.get_opportunity(bare["id"])  # won at the quote's net total
    refused = rpc.create_quote({"opportunity_id": from_lead["id"], "lines": [{"sku": "LIC-PRO", "quantity": "1"}]})
    rpc.send_quote(refused["id"])
    rpc.reject_quote(refused["id"], {"reason": "Too expensive"})
    lapsing = rpc.create_quote({"opportunity_id": from_lead["id"], "lines": [{"sku": "LIC-PRO", "quantity": "2"}]})
    rpc.send_quote(lapsing["id"], {"valid_until": str(today)})
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(quotes, "utcnow", lambda: utcnow() + timedelta(days=2))
        rpc.run(lambda unit: quotes.expire_due(unit, 10))
    rpc.get_quote(lapsing["id"])
    # Histories: an opportunity made from an event (here outside any entrypoint: no
    # cause), a product and a quote made by no actor, a page at a time
    rpc.opportunity_history(from_lead["id"], {})
    rpc.quote_history(returns["id"], {"sort": "at", "limit": "1"})
    rpc.product_history(plain["id"], {})
    rpc.pipeline_history(renewals["id"], {"sort": "at"})
    pdf = rpc.quote_pdf(second["id"])
    assert base64.b64decode(pdf["content"]).startswith(b"%PDF-")
    rpc.list_quotes({"limit": "1"})
    rpc.list_quotes({"status": "accepted"})

    # Reports, ungrouped and by each group (deals without an owner or team among them)
    period = {"from": str(today - timedelta(days=30)), "to": str(today + timedelta(days=60))}
    filters = {"owner_id": "dara", "team": "south", "pipeline_id": DEFAULT_PIPELINE_ID}
    rpc.report_pipeline({})
    rpc.report_pipeline({**filters, "group_by": "owner", "expected_close_from": str(today),
                         "expected_close_to": soon})
    for group_by in ("owner", "team"):
        rpc.report_pipeline({"group_by": group_by})
        rpc.report_forecast({**period, "group_by": group_by})
        rpc.report_win_rate({**period, "group_by": group_by})
    rpc.report_forecast({**period, **filters})
    rpc.report_win_rate(period)
    rpc.report_win_rate({**filters, "from": "2001-01-01", "to": "2001-12-31"})  # nothing closed
    for view in ("cohort", "activity"):
        rpc.report_funnel({**period, "view": view})
        rpc.report_funnel({**period, "view": view, "group_by": "source"})


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def answers(request, tmp_path_factory) -> dict[str, list]:
    with migrated_engine(SERVICE, request.param, tmp_path_factory.mktemp("outputs")) as engine:
        rpc = ServiceCalls(engine, SERVICE, SERVICE_CLASS)
        scenario(rpc)
        yield dict(rpc.answers)


# --- the tests ---------------------------------------------------------------------------------

def test_every_rpc_has_its_output_in_rpc_outputs():
    assert {"create_quote", "health"} <= rpc_methods(SERVICE_CLASS)
    assert OUTPUTS.declaration_problems(SERVICE_CLASS) == []


@pytest.mark.parametrize("method", sorted(schemas.RPC_OUTPUTS))
def test_each_answer_matches_its_output_schema(answers, method):
    assert answers.get(method), f"the scenario never called {method}"
    seen = defaultdict(set)
    for answer in answers[method]:
        check_answer(method, answer, seen)


def test_every_field_is_answered_both_filled_in_and_null_where_it_may_be(answers):
    assert OUTPUTS.unseen(answers, NEVER) == []


def test_negative_lines_are_answered_and_allowed(answers):
    # A return is a negative line; a quote's total is never below zero (issue 11 item 11).
    returns = next(q for q in answers["accept_quote"] if any(line["quantity"] == "-2" for line in q["lines"]))
    assert next(line for line in returns["lines"] if line["quantity"] == "-2")["net"] == "-10.00"
    assert not returns["grand_total"].startswith("-")


def test_the_check_refuses_what_a_schema_does_not_say(answers):
    quote = next(q for q in answers["get_quote"] if q["billing_address"])
    report = next(r for r in answers["report_win_rate"] if r["rows"] and r["rows"][0]["won_amounts"])
    check(schemas.QuoteOut(), quote, "quote", defaultdict(set))
    for broken, complaint in [
        ({**quote, "surprise": 1}, "has no field surprise"),
        ({**quote, "grand_total": 12.5}, "expects str"),
        ({**quote, "revision": "1"}, "expects int"),
        ({**quote, "number": None}, "does not allow_none"),
        ({**quote, "status": "lost"}, "refused"),
        ({**quote, "tax_mode": "gross"}, "refused"),
        ({**quote, "sent_at": "2026-03-02"}, "without its zone"),
        ({**quote, "lines": [{**quote["lines"][0], "unit_price": "-1"}]}, "refused"),
        ({**quote, "tax_breakdown": [{"rate": "19"}]}, "taxable: required"),
        ({**quote, "billing_address": {**quote["billing_address"], "country": "Poland"}}, "refused"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(schemas.QuoteOut(), broken, "quote", defaultdict(set))
    row = report["rows"][0]
    for broken, complaint in [
        ({**report, "rows": [{**row, "win_rate": 0.5}]}, "expects str"),
        ({**report, "rows": [{**row, "won": None}]}, "does not allow_none"),
        ({**report, "rows": [{**row, "average_sales_cycle_days": "1e3"}]}, "refused"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(reports.WinRateReportOut(), broken, "report", defaultdict(set))
