"""Every RPC answer of the leads service matches its output schema (schemas.RPC_OUTPUTS),
strictly: the answers are made by the service's own RPC methods over a migrated
database (PostgreSQL and SQLite), one unit of work per call committed before the answer,
as nameko runs them, and sent through JSON as RPC carries them.

The strict check and its reasons are in ``crmkit.strict_outputs``.

Beyond each answer, every field of every output schema must be seen filled in at least
once, and each nullable one null at least once, so a schema cannot declare what the
service never answers nor allow a null it never sends (see ``NEVER``).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from crmkit.strict_outputs import Mismatch, Outputs, ServiceCalls, check, rpc_methods
from crmkit.testing import migrated_engine
from leads import commands, reports, schemas
from leads.service import LeadsService

SERVICE, SERVICE_CLASS, MODULES = "leads", LeadsService, (schemas, reports)

# (schema, field) -> why the service never answers it filled in ("set") or null ("null").
NEVER = {
    ("AssignmentRuleOut", "owner_id", "set"): "assignment rules have no owner: create_rule never sets one",
    ("RecordChangeOut", "correlation_id", "set"): "these calls come from no request; tests/test_history.py sees it",
    ("ChangeCauseOut", "id", "set"): "these calls come from no request or event; tests/test_history.py sees it",
}


OUTPUTS = Outputs(MODULES, schemas.RPC_OUTPUTS)
schema_named, check_answer = OUTPUTS.schema_named, OUTPUTS.check_answer


def scenario(rpc: ServiceCalls) -> None:
    """Records after creation and after each state change, so that nullable fields are
    both null and set; every list, report and model the service answers."""
    rpc.health()
    rpc.get_scoring_model()

    # Customers
    address = {"street": "1 Engine Way", "postal_code": None, "city": "London", "region": None, "country": "GB"}
    org = rpc.create_organization({
        "name": "Analytical Engines Ltd", "domain": "https://www.analytical.example/about", "industry": "Machinery",
        "employees": 120, "country": "GB", "vat_id": "GB123456789", "billing_address": address,
        "shipping_address": {"street": None, "postal_code": "E1 1AA", "city": None, "region": "Greater London",
                             "country": None},
        "payment_terms_days": 45, "owner_id": "ben"})
    bare_org = rpc.create_organization({"name": "Bare Org"}, actor=None)
    rpc.update_organization(bare_org["id"], {"industry": "Textiles"})
    rpc.get_organization(org["id"])
    rpc.list_organizations({"limit": "1"})
    rpc.list_organizations({"q": "analytical"})
    contact = rpc.create_contact({
        "first_name": "Charles", "last_name": "Babbage", "email": "charles@analytical.example",
        "phone": "+44 20 7946 0000", "title": "Inventor", "organization_id": org["id"], "decision_maker": True})
    bare_contact = rpc.create_contact({"last_name": "Anonymous"}, actor=None)
    rpc.update_contact(contact["id"], {"title": "Chief Inventor"})
    rpc.get_contact(contact["id"])
    rpc.list_contacts({"limit": "1"})
    rpc.list_contacts({})
    rpc.organization_contacts(org["id"], {})
    rpc.archive_contact(bare_contact["id"])
    rpc.archive_organization(bare_org["id"])

    # Teams and assignment rules
    rpc.set_team_members("north", {"members": ["ben", "ana"]})
    rpc.get_team("north")
    rpc.get_team("nobody-here")
    rpc.create_assignment_rule({"position": 1, "name": "Web leads from GB", "match_source": "web",
                                "match_country": "GB", "team": "north"})
    inbound = rpc.create_assignment_rule({"position": 2, "name": "Inbound", "match_team": "inbound", "team": "north",
                                          "strategy": "fewest_open"})
    rpc.update_assignment_rule(inbound["id"], {"active": False})
    rpc.list_assignment_rules()

    # Leads through every state
    full = rpc.create_lead({
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@cobol.example", "phone": "+44 20 7946 0123",
        "company": "Cobol Ltd", "title": "CTO", "website": "https://cobol.example", "industry": "Software",
        "employees": 800, "annual_revenue": "1000000.00", "annual_revenue_currency": "GBP", "country": "GB",
        "address": address, "tags": ["VIP", "fintech"], "source": "web", "campaign": "spring",
        "budget_amount": "12000.00", "budget_currency": "EUR", "authority": True, "need": "Tables without errors",
        "timeline": "2027-03-31"})  # owned by the rule "Web leads from GB"
    bare = rpc.create_lead({"last_name": "Nobody"}, actor=None)
    rpc.update_lead(full["id"], {"need": "Tables without any errors", "tags": ["vip"]})
    rpc.contact_lead(full["id"])
    rpc.qualify_lead(full["id"])
    rpc.get_lead(bare["id"])
    dropped = rpc.create_lead({"first_name": "Alan", "last_name": "Turing", "email": "alan@bletchley.example",
                               "source": "referral", "team": "north"})
    rpc.disqualify_lead(dropped["id"], {"reason": "No budget this year"})
    rpc.recycle_lead(dropped["id"])
    rpc.assign_lead(dropped["id"], {"owner_id": "ben", "team": "north", "reason": "knows them"})
    rpc.assign_lead(bare["id"], {"owner_id": None}, actor=None)
    for lead in (full, dropped, bare):
        rpc.lead_assignments(lead["id"])
    twin = rpc.create_lead({"last_name": "Lovelace", "email": "ada@engines.example"})
    other = rpc.create_lead({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@engines.example",
                             "allow_duplicate": True})
    rpc.merge_leads(twin["id"], {"other_id": other["id"]})
    rpc.get_lead(other["id"])  # merged into its twin

    # Conversions: with an organization and an opportunity (which deals then refuses, or
    # makes), and without either.
    converted = rpc.convert_lead(full["id"], {})
    rpc.run(lambda unit: commands.record_opportunity_outcome(
        unit, converted["id"], converted["converted_opportunity_id"], {"amount": ["Must be at least 0."]}))
    rpc.get_lead(full["id"])
    made = rpc.create_lead({"last_name": "Hamilton", "company": "Apollo GmbH", "budget_amount": "5000",
                            "budget_currency": "EUR", "timeline": "2027-01-31"})
    rpc.qualify_lead(made["id"])
    made = rpc.convert_lead(made["id"], {})
    rpc.run(lambda unit: commands.record_opportunity_outcome(
        unit, made["id"], made["converted_opportunity_id"], None))
    rpc.get_lead(made["id"])
    alone = rpc.create_lead({"last_name": "Solo"})
    rpc.qualify_lead(alone["id"])
    rpc.convert_lead(alone["id"], {"organization": {"mode": "none"}, "opportunity": {"mode": "none"},
                                   "override_qualification": True})
    rpc.organization_leads(converted["converted_organization_id"], {})
    rpc.list_leads({"limit": "2"})
    rpc.list_leads({"status": "converted,merged", "sort": "last_name"})

    # CSV: an import (created, rejected, skipped as a duplicate), again (skipped as seen),
    # an update by policy; and an export, a page at a time.
    header = ["first_name", "last_name", "email", "employees", "tags"]
    rows = [["Edsger", "Dijkstra", "edsger@go.example", "12", "algorithms;vip"],
            ["Bad", "Row", "not-an-email", "many", ""],
            ["Grace", "Hopper", "grace@cobol.example", "", ""],
            ["Too", "Many", "cells@example.com", "1", "", "extra"]]
    rpc.import_leads(header, rows, 1)
    rpc.import_leads(header, rows, 1)
    rpc.import_leads(header, [["Edsger", "Dijkstra", "edsger@go.example", "15", "shortest-path"]], 1, "update")
    rpc.export_leads_page({"limit": "2"})
    rpc.export_leads_page({"q": "Nobody"})

    # A scoring model of every condition
    rpc.set_scoring_model({"hot_from": 60, "warm_from": 30, "rules": [
        {"factor": "machinery", "points": 40, "when": {"field": "industry", "equals": "Machinery"}},
        {"factor": "partner", "points": 20, "when": {"field": "source", "in": ["partner", "event"]}},
        {"factor": "big", "points": 10, "when": {"field": "employees", "at_least": 50}},
        {"factor": "small budget", "points": -10, "when": {"field": "budget_amount", "at_most": "999.99"}},
        {"factor": "soon", "points": 10, "when": {"field": "timeline", "within_days": 90}},
        {"factor": "no email", "points": -5, "when": {"field": "email_key", "present": False}},
    ]})
    rpc.get_scoring_model()

    # Histories: newest first and oldest first, a page at a time; a change with no cause
    # (the outcome recorded above outside any entrypoint) and one by no actor (bare).
    rpc.lead_history(full["id"], {})
    rpc.lead_history(bare["id"], {"sort": "at", "limit": "1"})
    rpc.organization_history(org["id"], {})
    rpc.contact_history(contact["id"], {"sort": "at"})

    today = date.today()
    funnel_period = {"from": str(today - timedelta(days=400)), "to": str(today + timedelta(days=1))}
    for view in ("cohort", "activity"):
        rpc.report_funnel({**funnel_period, "view": view})
        rpc.report_funnel({**funnel_period, "view": view, "group_by": "source"})


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def answers(request, tmp_path_factory) -> dict[str, list]:
    with migrated_engine(SERVICE, request.param, tmp_path_factory.mktemp("outputs")) as engine:
        rpc = ServiceCalls(engine, SERVICE, SERVICE_CLASS)
        scenario(rpc)
        yield dict(rpc.answers)


# --- the tests ---------------------------------------------------------------------------------

def test_every_rpc_has_its_output_in_rpc_outputs():
    assert {"create_lead", "health"} <= rpc_methods(SERVICE_CLASS)
    assert OUTPUTS.declaration_problems(SERVICE_CLASS) == []


@pytest.mark.parametrize("method", sorted(schemas.RPC_OUTPUTS))
def test_each_answer_matches_its_output_schema(answers, method):
    assert answers.get(method), f"the scenario never called {method}"
    seen = defaultdict(set)
    for answer in answers[method]:
        check_answer(method, answer, seen)


def test_every_field_is_answered_both_filled_in_and_null_where_it_may_be(answers):
    assert OUTPUTS.unseen(answers, NEVER) == []


def test_the_check_refuses_what_a_schema_does_not_say(answers):
    lead = next(a for a in answers["get_lead"] if a["budget_amount"] is not None)
    team = answers["get_team"][0]
    schema = schemas.LeadOut()
    check(schema, lead, "lead", defaultdict(set))
    for broken, complaint in [
        ({**lead, "surprise": 1}, "has no field surprise"),
        ({**lead, "budget_amount": 12000.0}, "expects str"),
        ({**lead, "score": "42"}, "expects int"),
        ({**lead, "authority": "yes"}, "expects bool"),
        ({**lead, "last_name": None}, "does not allow_none"),
        ({**lead, "status": "lost"}, "refused"),
        ({**lead, "created_at": lead["created_at"][:19]}, "without its zone"),
        ({**lead, "timeline": lead["created_at"]}, "refused"),
        ({**lead, "score_factors": [{"factor": "x"}]}, "points: required"),
        ({**lead, "address": {"street": "x", "planet": "Mars"}}, "has no field planet"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(schema, broken, "lead", defaultdict(set))
    with pytest.raises(Mismatch, match="members: required"):
        check(schemas.TeamOut(), {"team": team["team"]}, "team", defaultdict(set))
    with pytest.raises(Mismatch, match="a page is"):
        check_answer("list_leads", answers["list_leads"][0]["items"], defaultdict(set))
