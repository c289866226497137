"""Every RPC answer of the billing service matches its output schema (schemas.RPC_OUTPUTS),
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
from decimal import Decimal

import pytest

import crmtotals
from billing import invoices, orders, reports, schemas
from billing.models import TOTAL_FIELDS
from billing.service import BillingService
from billing.settings import BillingSettings
from crmkit.db import utcnow
from crmkit.ids import new_id
from crmkit.strict_outputs import Mismatch, Outputs, ServiceCalls, check, rpc_methods
from crmkit.testing import migrated_engine

SERVICE, SERVICE_CLASS, MODULES = "billing", BillingService, (schemas, reports)

# (schema, field, "set" or "null") -> why the service never answers it so.
NEVER: dict = {
    ("RecordChangeOut", "correlation_id", "set"): "these calls come from no request; tests/test_history.py sees it",
    ("ChangeCauseOut", "id", "set"): "these calls come from no request or event; tests/test_history.py sees it",
}


OUTPUTS = Outputs(MODULES, schemas.RPC_OUTPUTS)
schema_named, check_answer = OUTPUTS.schema_named, OUTPUTS.check_answer


def accepted_quote(lines: list[dict], currency: str = "EUR", **fields) -> dict:
    """What billing hears in quote.accepted: the quote as deals dumps it, priced by the
    totals engine, with the id its order gets."""
    totals = crmtotals.compute([crmtotals.Line(Decimal(line["quantity"]), Decimal(line["unit_price"]), Decimal(0),
                                               Decimal(line["tax_rate"])) for line in lines], currency)
    return {
        "id": new_id(), "order_id": new_id(), "number": f"Q-{new_id()[-8:]}", "opportunity_id": None,
        "owner_id": None, "currency": currency, "document_discount_percent": "0", "rounding": "per_rate",
        "tax_mode": "exclusive", "shipping_address": None, "payment_terms_days": None,
        "organization_id": None, "organization_name": None, "organization_vat_id": None, "contact_id": None,
        "contact_name": None, "contact_email": None, "billing_address": None,
        "tax_breakdown": [{"rate": str(b.rate), "taxable": str(b.taxable), "tax": str(b.tax)}
                          for b in totals.tax_breakdown],
        **{name: str(getattr(totals, name)) for name in TOTAL_FIELDS},
        "lines": [{"position": n, "sku": line.get("sku"), "description": line["description"],
                   "quantity": line["quantity"], "unit_price": line["unit_price"], "discount_percent": "0",
                   "tax_rate": line["tax_rate"], "net": str(line_totals.net)}
                  for n, (line, line_totals) in enumerate(zip(lines, totals.lines, strict=True), start=1)],
        **fields,
    }


def scenario(rpc: ServiceCalls) -> None:
    """Records after creation and after each state change, so that nullable fields are
    both null and set; every list and report the service answers."""
    today = date.today()
    rpc.health()
    organization = new_id()

    def order_from(quote: dict) -> str:
        rpc.run(lambda unit: orders.create_order_from_quote(unit, quote))
        return quote["order_id"]

    # Orders, each invoiced and issued on confirmation (the default settings)
    full = order_from(accepted_quote([
        {"sku": "LIC-PRO", "description": "Pro licence", "quantity": "10", "unit_price": "1234.50", "tax_rate": "19"},
        {"description": "Old kit taken back", "quantity": "-1", "unit_price": "100", "tax_rate": "19"}],
        opportunity_id=new_id(), owner_id="ben", organization_id=organization,
        organization_name="Analytical Engines Ltd", organization_vat_id="GB123456789", contact_id=new_id(),
        contact_name="Ada Lovelace", contact_email="ada@engines.example", payment_terms_days=45,
        lead={"id": new_id(), "created_at": f"{today}T09:00:00+00:00", "source": "referral"},
        billing_address={"street": "1 Engine Way", "postal_code": None, "city": "London", "region": None,
                         "country": "GB"}))
    bare = order_from(accepted_quote([{"description": "Yen things", "quantity": "3", "unit_price": "1000",
                                       "tax_rate": "10"}], currency="JPY"))
    returns = order_from(accepted_quote([{"description": "Returned", "quantity": "-1", "unit_price": "50",
                                          "tax_rate": "20"}], currency="GBP", organization_id=organization))
    rpc.update_order(full, {"delivery_terms": "DAP London", "internal_notes": "Fragile",
                            "shipping_address": {"street": None, "postal_code": "E1 1AA", "city": None,
                                                 "region": "Greater London", "country": None}})
    # Invoiced on fulfilment, drafts issued by hand; and an order cancelled before
    with pytest.MonkeyPatch.context() as settings:
        settings.setattr(orders, "settings", lambda: BillingSettings(invoicing_policy="on_fulfilment",
                                                                     issue_automatically=False))
        later = order_from(accepted_quote([{"description": "Service", "quantity": "1", "unit_price": "99.99",
                                            "tax_rate": "0"}], owner_id="ana", organization_id=organization,
                                          organization_name="Analytical Engines"))
        dropped = order_from(accepted_quote([{"description": "Nothing", "quantity": "1", "unit_price": "1",
                                              "tax_rate": "0"}]))
        rpc.get_order(later)
        rpc.start_order_fulfilment(later)
        fulfilled = rpc.fulfil_order(later)
        rpc.cancel_order(dropped, {"reason": "The customer changed their mind"})
    draft = fulfilled["invoice_ids"][0]
    rpc.get_invoice(draft)
    rpc.update_invoice(draft, {"payment_terms_days": 15})
    rpc.issue_invoice(draft)

    # Payments, credit notes, overdue
    invoice = rpc.get_order(full)["invoice_ids"][0]
    owed = Decimal(rpc.get_invoice(invoice)["balance_due"])
    rpc.record_payment(invoice, {"amount": "1000.00", "reference": "BANK-1", "note": "First part"})
    rpc.record_payment(invoice, {"amount": str(owed - 1000), "reference": "BANK-2", "method": "card",
                                 "payment_date": str(today)})
    rpc.create_credit_note(invoice, {"reason": "Cancelled after payment"})  # all of it, refunded
    yen = rpc.get_order(bare)["invoice_ids"][0]
    partial = rpc.create_credit_note(yen, {"reason": "One damaged", "lines": [{"position": 1, "quantity": "1"}]})
    rpc.get_credit_note(partial["id"])
    rpc.record_payment(yen, {"amount": "100", "reference": "CASH-1", "method": "cash"})
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(invoices, "utcnow", lambda: utcnow() + timedelta(days=40))
        rpc.run(lambda unit: invoices.mark_overdue(unit, (1, 15, 30), 100))
    rpc.get_invoice(yen)
    rpc.get_invoice(rpc.get_order(returns)["invoice_ids"][0])
    rpc.list_orders({"limit": "1"})
    rpc.list_orders({"status": "cancelled"})
    rpc.list_invoices({"limit": "1"})
    rpc.list_invoices({"status": "overdue,credited"})
    rpc.list_credit_notes({"limit": "1"})
    rpc.list_credit_notes({"invoice_id": invoice})

    # Histories: orders made from events (here outside any entrypoint: no cause), changed
    # by requests, one by no actor
    rpc.update_order(returns, {"internal_notes": "Sent back"}, actor=None)
    rpc.order_history(full, {"sort": "at"})
    rpc.order_history(returns, {"limit": "1"})  # its last change, by no actor
    rpc.invoice_history(invoice, {})
    rpc.credit_note_history(partial["id"], {"sort": "at"})

    # Reports
    period = {"from": str(today - timedelta(days=40)), "to": str(today + timedelta(days=40))}
    rpc.report_receivables({})
    rpc.report_receivables({"group_by": "organization"})
    rpc.report_receivables({"as_of": str(today - timedelta(days=1)), "organization_id": organization})
    rpc.report_billed_collected(period)
    rpc.report_billed_collected({**period, "organization_id": organization})
    rpc.report_dso(period)
    rpc.report_dso({**period, "organization_id": organization})
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
    assert {"get_invoice", "health"} <= rpc_methods(SERVICE_CLASS)
    assert OUTPUTS.declaration_problems(SERVICE_CLASS) == []


@pytest.mark.parametrize("method", sorted(schemas.RPC_OUTPUTS))
def test_each_answer_matches_its_output_schema(answers, method):
    assert answers.get(method), f"the scenario never called {method}"
    seen = defaultdict(set)
    for answer in answers[method]:
        check_answer(method, answer, seen)


def test_every_field_is_answered_both_filled_in_and_null_where_it_may_be(answers):
    assert OUTPUTS.unseen(answers, NEVER) == []


def test_negative_amounts_are_answered_and_allowed(answers):
    invoice = next(i for i in answers["get_invoice"] if i["grand_total"].startswith("-"))
    assert invoice["lines"][0]["quantity"] == "-1" and invoice["balance_due"].startswith("-")
    billed = [a["billed"] for r in answers["report_dso"] for a in r["rows"] if a["dso"] is None]
    assert billed and all(amount.startswith("-") for amount in billed)


def test_the_check_refuses_what_a_schema_does_not_say(answers):
    invoice = next(i for i in answers["get_invoice"] if i["payments"] and i["credit_note_ids"])
    report = next(r for r in answers["report_receivables"] if r["rows"][0]["amounts"])
    check(schemas.InvoiceOut(), invoice, "invoice", defaultdict(set))
    for broken, complaint in [
        ({**invoice, "surprise": 1}, "has no field surprise"),
        ({**invoice, "balance_due": 0}, "expects str"),
        ({**invoice, "dunning_level": "1"}, "expects int"),
        ({**invoice, "order_id": None}, "does not allow_none"),
        ({**invoice, "status": "settled"}, "refused"),
        ({**invoice, "payment_terms_days": 31}, "refused"),
        ({**invoice, "issued_at": "2026-03-02T10:00:00"}, "without its zone"),
        ({**invoice, "credit_note_ids": [1]}, "expects str"),
        ({**invoice, "payments": [{**invoice["payments"][0], "method": "barter"}]}, "refused"),
        ({**invoice, "tax_breakdown": [{"rate": "19"}]}, "taxable: required"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(schemas.InvoiceOut(), broken, "invoice", defaultdict(set))
    row = report["rows"][0]
    for broken, complaint in [
        ({**report, "balance_basis": "guessed"}, "refused"),
        ({**report, "rows": [{**row, "amounts": [{**row["amounts"][0], "total": {"count": 1}}]}]}, "amount: required"),
        ({**report, "rows": [{**row, "count": None}]}, "does not allow_none"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(reports.ReceivablesReportOut(), broken, "report", defaultdict(set))
