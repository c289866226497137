"""Billing's records keep their history (crmkit.history) through every kind of write: an
order and its draft invoice made from quote.accepted, the order cancelled by a person,
and the draft discarded with it, whose history stays readable and ends with its
deletion. On PostgreSQL and SQLite, through the service's own RPC methods."""
from __future__ import annotations

from decimal import Decimal

import pytest

import crmtotals
from billing import orders
from billing.models import TOTAL_FIELDS
from billing.service import BillingService
from billing.settings import BillingSettings
from crmkit.history import Cause
from crmkit.ids import new_id
from crmkit.strict_outputs import ServiceCalls
from crmkit.testing import migrated_engine

LINE = {"position": 1, "sku": None, "description": "Engine", "quantity": "2", "unit_price": "4999.99",
        "discount_percent": "0", "tax_rate": "19"}


def accepted_quote() -> dict:
    """What billing hears in quote.accepted, priced by the totals engine."""
    totals = crmtotals.compute([crmtotals.Line(Decimal("2"), Decimal("4999.99"), Decimal(0), Decimal("19"))], "EUR")
    return {
        "id": new_id(), "order_id": new_id(), "number": "Q-2026-0001", "opportunity_id": None, "owner_id": None,
        "currency": "EUR", "document_discount_percent": "0", "rounding": "per_rate", "tax_mode": "exclusive",
        "shipping_address": None, "payment_terms_days": None, "organization_id": None, "organization_name": None,
        "organization_vat_id": None, "contact_id": None, "contact_name": None, "contact_email": None,
        "billing_address": None,
        "tax_breakdown": [{"rate": str(b.rate), "taxable": str(b.taxable), "tax": str(b.tax)}
                          for b in totals.tax_breakdown],
        **{name: str(getattr(totals, name)) for name in TOTAL_FIELDS},
        "lines": [{**LINE, "net": str(totals.lines[0].net)}],
    }


@pytest.fixture(params=["postgresql", "sqlite"])
def rpc(request, tmp_path) -> ServiceCalls:
    with migrated_engine("billing", request.param, tmp_path) as engine:
        yield ServiceCalls(engine, "billing", BillingService)


def test_a_discarded_draft_keeps_its_history_and_it_ends_with_its_deletion(rpc, monkeypatch):
    monkeypatch.setattr(orders, "settings", lambda: BillingSettings(issue_automatically=False))
    quote = accepted_quote()
    rpc.run(lambda unit: orders.create_order_from_quote(unit, quote), actor="ana",
            cause=Cause("event", "crm.quote.accepted.v1"))
    draft = rpc.get_order(quote["order_id"])["invoice_ids"][0]

    rpc.cancel_order(quote["order_id"], {"reason": "Ordered twice"}, actor="bea")

    deleted, created = rpc.invoice_history(draft, {})["items"]
    assert (created["action"], created["actor"]) == ("created", "ana")
    assert created["cause"] == {"kind": "event", "name": "crm.quote.accepted.v1", "id": None}
    assert created["changes"]["grand_total"] == {"before": None, "after": "11899.98"}
    assert created["changes"]["lines"]["after"][0]["unit_price"] == "4999.99"
    assert (deleted["action"], deleted["actor"]) == ("deleted", "bea")
    assert deleted["cause"]["name"] == "billing.cancel_order"
    assert deleted["changes"]["status"] == {"before": "draft", "after": None}
    assert deleted["changes"]["lines"]["before"] == created["changes"]["lines"]["after"]

    cancelled = rpc.order_history(quote["order_id"], {})["items"][0]
    assert cancelled["changes"]["status"] == {"before": "confirmed", "after": "cancelled"}
    assert cancelled["changes"]["cancel_reason"] == {"before": None, "after": "Ordered twice"}
