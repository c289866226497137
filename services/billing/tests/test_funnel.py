"""Billing's steps of the sales funnel (billing.reports.funnel) on a real database,
PostgreSQL and SQLite, migrated by alembic and seeded by hand with orders and invoices
on the edges of the range: its first and last day count, the day before and the day
after do not. The PostgreSQL session runs in a time zone 14 hours ahead of UTC, so a
``paid_at`` taken on its local date instead of its UTC date shows.

The range asked is April 2026 (``from`` 2026-04-01, ``to`` 2026-04-30). ``view=activity``
counts each step inside it; ``view=cohort`` (the default) the orders of the leads created in
it (their ``lead_created_at``), whatever became of them whenever.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from billing import reports
from billing.models import Invoice, Order
from crmkit.db import make_engine
from crmkit.errors import ValidationFailed
from crmkit.migrations import config
from crmkit.testing import PostgresDatabases, migrated_engine

BEFORE = datetime(2026, 3, 31, 23, 59, 59, 999_999, tzinfo=UTC)
FIRST = datetime(2026, 4, 1, tzinfo=UTC)
MIDDLE = datetime(2026, 4, 15, 12, tzinfo=UTC)
LAST = datetime(2026, 4, 30, 23, 59, 59, 999_999, tzinfo=UTC)
AFTER = datetime(2026, 5, 1, tzinfo=UTC)
# Already April 1st in Kiritimati (UTC+14), still March 31st in UTC: outside.
LOCAL_FIRST = datetime(2026, 3, 31, 11, tzinfo=UTC)
# Already May 1st in Kiritimati, still April 30th in UTC: inside.
LOCAL_AFTER = datetime(2026, 4, 30, 13, tzinfo=UTC)
CREATED = datetime(2026, 4, 10, 8, tzinfo=UTC)  # when the drafts below were made: inside

# order: [(invoice status, issue_date, paid_at), ...]
ORDERS = {
    "ord-first": [("issued", date(2026, 4, 1), None)],                       # invoiced on the first day
    "ord-last": [("paid", date(2026, 4, 30), LAST)],                         # invoiced and paid on the last day
    "ord-before": [("paid", date(2026, 3, 31), FIRST)],                      # invoiced the day before; paid: yes
    "ord-early": [("paid", date(2026, 3, 1), BEFORE)],                       # paid the day before
    "ord-local": [("paid", date(2026, 3, 31), LOCAL_FIRST)],                 # both on March 31st UTC
    "ord-after": [("paid", date(2026, 5, 1), AFTER)],                        # both the day after
    # Two invoices of one order issued in April: one order invoiced; both paid: two invoices paid.
    "ord-two": [("paid", date(2026, 4, 3), MIDDLE), ("paid", date(2026, 4, 20), datetime(2026, 4, 25, tzinfo=UTC))],
    "ord-credited": [("credited", date(2026, 4, 15), None)],                 # issued, credited since: invoiced
    "ord-paid-credited": [("credited", date(2026, 2, 1), MIDDLE)],           # paid in April, refunded since
    "ord-settled-by-credit": [("paid", date(2026, 4, 10), None)],            # settled by a credit note: not paid
    "ord-partly": [("partially_paid", date(2026, 4, 2), None)],              # invoiced; not paid in full
    "ord-late-payer": [("paid", date(2026, 1, 5), LOCAL_AFTER)],             # paid late on April 30th UTC
    "ord-draft": [("draft", None, None)],                                    # a draft made in April: never
    "ord-cancelled": [],                                                     # its draft was discarded: gone
}
EXPECTED_INVOICED = {"ord-first", "ord-last", "ord-two", "ord-credited", "ord-settled-by-credit", "ord-partly"}
EXPECTED_PAID = 6  # ord-last, ord-before, ord-two (2), ord-paid-credited, ord-late-payer

# The lead of each order's deal: order -> (from_lead, lead_created_at, lead_source). An order
# not named is of a deal created directly (from_lead False: in no cohort).
LEADS = {
    "ord-first": (True, FIRST, "web"),                    # cohort: yes (first instant); invoiced
    "ord-last": (True, LAST, "referral"),                 # cohort: yes (last instant); invoiced, paid
    "ord-two": (True, MIDDLE, "referral"),                # cohort: yes; one order invoiced and paid
    "ord-after": (True, MIDDLE, "web"),                   # cohort: yes; invoiced and paid in May
    "ord-settled-by-credit": (True, FIRST, "event"),      # cohort: yes; invoiced, never paid
    "ord-credited": (True, FIRST, "partner"),             # cohort: yes; invoiced (credited since)
    "ord-draft": (True, MIDDLE, "web"),                   # cohort: yes; only a draft: neither step
    "ord-before": (True, BEFORE, "event"),                # cohort: no (the instant before); paid in April
    "ord-local": (True, LOCAL_FIRST, "web"),              # cohort: no (April 1st only in Kiritimati)
    "ord-paid-credited": (True, datetime(2026, 1, 15, tzinfo=UTC), "event"),  # cohort: no
    "ord-early": (True, None, None),                      # a lead deals did not know the time of
    "ord-partly": (None, None, None),                     # made before migration 0007: unknown
}
EXPECTED_COHORT_INVOICED = {"ord-first", "ord-last", "ord-two", "ord-after", "ord-settled-by-credit", "ord-credited"}
EXPECTED_COHORT_PAID = {"ord-last", "ord-two", "ord-after"}
APRIL = {"from": "2026-04-01", "to": "2026-04-30"}
ACTIVITY = {"view": "activity"}


def seed(engine) -> None:
    zero = Decimal(0)
    totals = {"subtotal": zero, "discount_total": zero, "net_total": zero, "tax_total": zero, "tax_breakdown": [],
              "document_discount_percent": zero, "rounding": "per_rate", "tax_mode": "exclusive", "currency": "EUR",
              "grand_total": Decimal("100.00")}
    record = {"version": 1, "created_at": CREATED, "updated_at": CREATED}
    with Session(engine) as session:
        session.execute(insert(Order), [
            {**record, **totals, "id": order, "number": f"SO-2026-{n:04d}", "quote_id": f"quote-{order}",
             "quote_number": f"Q-2026-{n:04d}", "status": "cancelled" if order == "ord-cancelled" else "confirmed",
             "order_date": date(2026, 1, 5), "payment_terms_days": 30,
             **dict(zip(("from_lead", "lead_created_at", "lead_source"), LEADS.get(order, (False, None, None)),
                        strict=True))}
            for n, order in enumerate(ORDERS)])
        invoices = [(order, n, invoice) for order, list_ in ORDERS.items() for n, invoice in enumerate(list_)]
        session.execute(insert(Invoice), [
            {**record, **totals, "id": f"inv-{order}-{n}", "order_id": order,
             "number": f"INV-2026-{k:05d}" if issue_date else None, "status": status, "issue_date": issue_date,
             "issued_at": datetime.combine(issue_date, datetime.min.time(), UTC).replace(hour=9) if issue_date
             else None,
             "due_date": issue_date, "payment_terms_days": 30, "paid_at": paid_at,
             "balance_due": zero if status in ("paid", "credited") else totals["grand_total"],
             "credited_total": totals["grand_total"] if status == "credited" else zero}
            for k, (order, n, (status, issue_date, paid_at)) in enumerate(invoices)])
        session.commit()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def engine(request, tmp_path_factory):
    with migrated_engine("billing", request.param, tmp_path_factory.mktemp("funnel")) as engine:
        seed(engine)
        yield engine


@pytest.fixture(autouse=True)
def no_business_clock(monkeypatch):
    """The funnel is a pure range query: it never asks what day it is."""
    def refuse():
        raise AssertionError("the funnel read the business clock")
    monkeypatch.setattr(reports, "utcnow", refuse)


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def test_activity_counts_orders_invoiced_and_invoices_paid_in_the_range(session):
    answer = reports.funnel(session, {**APRIL, **ACTIVITY})
    assert answer == {"from": "2026-04-01", "to": "2026-04-30", "view": "activity", "group_by": "none",
                      "steps": {"invoiced": 6, "paid": 6}, "by_source": None, "unattributed": None}
    assert answer["steps"] == {"invoiced": len(EXPECTED_INVOICED), "paid": EXPECTED_PAID}
    assert all(type(value) is int for value in answer["steps"].values())


@pytest.mark.parametrize("day, steps", [
    # The first day: ord-first issued; ord-before paid at 00:00.
    ("2026-04-01", {"invoiced": 1, "paid": 1}),
    # The last day: ord-last issued; ord-last (23:59:59.999999) and ord-late-payer (13:00) paid.
    ("2026-04-30", {"invoiced": 1, "paid": 2}),
    # The day before: ord-before and ord-local issued; ord-early and ord-local paid.
    ("2026-03-31", {"invoiced": 2, "paid": 2}),
    # The day after: ord-after issued and paid.
    ("2026-05-01", {"invoiced": 1, "paid": 1}),
])
def test_a_day_is_a_utc_calendar_day(session, day, steps):
    assert reports.funnel(session, {"from": day, "to": day, **ACTIVITY})["steps"] == steps


def test_activity_by_source_counts_each_order_under_its_lead_source(session):
    assert reports.funnel(session, {**APRIL, **ACTIVITY, "group_by": "source"})["by_source"] == [
        {"source": "event", "steps": {"invoiced": 1, "paid": 2}},     # ord-settled-by-credit; 2 paid
        {"source": "partner", "steps": {"invoiced": 1, "paid": 0}},   # ord-credited
        {"source": "referral", "steps": {"invoiced": 2, "paid": 3}},  # ord-last, ord-two; ord-last, ord-two (2)
        {"source": "web", "steps": {"invoiced": 1, "paid": 0}},       # ord-first
        {"source": None, "steps": {"invoiced": 1, "paid": 1}},        # ord-partly; ord-late-payer
    ]


def test_the_cohort_counts_the_orders_of_the_leads_created_in_the_range_whenever_they_got_there(session):
    answer = reports.funnel(session, APRIL)
    assert answer == {"from": "2026-04-01", "to": "2026-04-30", "view": "cohort", "group_by": "none",
                      "steps": {"invoiced": 6, "paid": 3}, "by_source": None, "unattributed": 2}
    assert answer["steps"] == {"invoiced": len(EXPECTED_COHORT_INVOICED), "paid": len(EXPECTED_COHORT_PAID)}


def test_the_cohort_by_source(session):
    assert reports.funnel(session, {**APRIL, "group_by": "source"})["by_source"] == [
        {"source": "event", "steps": {"invoiced": 1, "paid": 0}},
        {"source": "partner", "steps": {"invoiced": 1, "paid": 0}},
        {"source": "referral", "steps": {"invoiced": 2, "paid": 2}},
        {"source": "web", "steps": {"invoiced": 2, "paid": 1}},
    ]


def test_the_unattributed_orders_are_those_made_on_or_after_from(session):
    # Every order was made on April 10th: none of them may belong to a cohort from May on.
    assert reports.funnel(session, {"from": "2026-04-10", "to": "2026-04-30"})["unattributed"] == 2
    assert reports.funnel(session, {"from": "2026-04-11", "to": "2026-04-30"})["unattributed"] == 0


@pytest.mark.parametrize("view", ["cohort", "activity"])
def test_funnel_with_nothing_in_the_range(session, view):
    answer = reports.funnel(session, {"from": "2030-01-01", "to": "2030-12-31", "view": view})
    assert answer["steps"] == {"invoiced": 0, "paid": 0}


def test_36_months_is_the_longest_range(session):
    steps = reports.funnel(session, {"from": "2024-01-31", "to": "2026-12-01", **ACTIVITY})["steps"]
    # Every order with an issued invoice (not ord-draft, not ord-cancelled); every invoice with a paid_at.
    assert steps == {"invoiced": len(ORDERS) - 2, "paid": 9}


@pytest.mark.parametrize("query", [APRIL, {**APRIL, "group_by": "source"}, {**APRIL, **ACTIVITY}])
def test_the_answer_is_what_its_schema_describes(session, query):
    answer = reports.funnel(session, query)
    assert reports.FunnelStepsOut().validate(answer) == {}
    assert set(answer) == {field.data_key or name for name, field in reports.FunnelStepsOut().fields.items()}


@pytest.mark.parametrize("query, field", [
    ({"to": "2026-04-30"}, "from"),
    ({"from": "2026-04-01"}, "to"),
    ({"from": "2026-02-30", "to": "2026-04-30"}, "from"),
    ({"from": "2026-04-01", "to": "today"}, "to"),
    ({"from": "2026-05-01", "to": "2026-04-30"}, "to"),
    ({"from": "2024-01-01", "to": "2027-01-01"}, "to"),
    ({"from": "2026-04-01", "to": "2026-04-30", "organization_id": "org-alpha"}, "organization_id"),
    ({**APRIL, "view": "cohorts"}, "view"),
    ({**APRIL, "group_by": "organization"}, "group_by"),
])
def test_a_bad_query_names_the_field(session, query, field):
    with pytest.raises(ValidationFailed) as refused:
        reports.funnel(session, query)
    assert list(refused.value.details) == [field]


# --- migration 0007 ----------------------------------------------------------------------------

@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'billing.db'}"
        return
    with PostgresDatabases(["billing"]) as databases:
        yield databases.url("billing")


def test_migration_0007_leaves_orders_made_before_it_unattributed(database_url):
    """Nothing in billing's database tells an order's lead: one made before 0007 is in no
    cohort, and the funnel says it may belong to one."""
    command.upgrade(config("billing", "billing", database_url), "0005")
    engine = make_engine(database_url) if database_url.startswith("sqlite") else create_engine(database_url)
    zero = Decimal(0)
    try:
        with engine.begin() as connection:
            # Only the columns 0005 has (no from_lead, lead_created_at, lead_source).
            connection.execute(insert(Order.__table__), [{
                "id": "ord-old", "number": "SO-2026-0001", "quote_id": "quote-old", "quote_number": "Q-2026-0001",
                "status": "confirmed", "order_date": date(2026, 4, 10), "payment_terms_days": 30, "version": 1,
                "created_at": CREATED, "updated_at": CREATED, "currency": "EUR", "subtotal": zero,
                "discount_total": zero, "net_total": zero, "tax_total": zero, "grand_total": zero,
                "tax_breakdown": [], "document_discount_percent": zero, "rounding": "per_rate",
                "tax_mode": "exclusive"}])
        command.upgrade(config("billing", "billing", database_url), "head")
        with Session(engine) as session:
            answer = reports.funnel(session, APRIL)
        assert (answer["steps"], answer["unattributed"]) == ({"invoiced": 0, "paid": 0}, 1)
        command.downgrade(config("billing", "billing", database_url), "0005")
    finally:
        engine.dispose()
