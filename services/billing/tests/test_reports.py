"""The billing reports (billing.reports) on a real database, PostgreSQL and SQLite,
migrated by alembic and seeded with a couple of hundred invoices (EUR and JPY, several
organizations, payments and credit notes on various dates) from a fixed random seed,
plus hand-made invoices on the edges: the aging buckets, and a past ``as_of``.

Every expected figure is worked out here, in plain Python, from the seed rows and the
definitions in the reports' docstring (exact fractions, half-up rounding), never by
the SQL under test, and compared exactly. The business clock is fixed at TODAY.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from billing import reports
from billing.models import CreditNote, Invoice, Order, Payment
from crmkit.errors import ValidationFailed
from crmkit.testing import migrated_engine

TODAY = date(2026, 6, 30)
PAST = date(2026, 3, 31)  # the hand-made history below is about this day
UNIT = {"EUR": Fraction(1, 100), "JPY": Fraction(1)}  # minor units, written out independently
OPEN = ("issued", "partially_paid", "overdue")
BUCKETS = ["current", "1-30", "31-60", "61-90", "over_90"]
EDGE = "org-edge"
HISTORY = "org-history"
ORGANIZATIONS = [("org-alpha", "Alpha GmbH"), ("org-beta", "Beta SARL"), ("org-gamma", "Gamma KK"),
                 ("org-delta", "Delta Oy"), (None, None)]
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


@dataclass
class Pay:
    id: str
    invoice_id: str
    amount: Decimal
    currency: str
    payment_date: date


@dataclass
class Credit:
    id: str
    invoice_id: str
    grand_total: Decimal
    currency: str
    issue_date: date
    refund_due: Decimal = Decimal(0)


@dataclass
class Inv:
    id: str
    organization_id: str | None
    organization_name: str | None
    currency: str
    grand_total: Decimal
    issue_date: date | None  # None: a draft
    terms: int = 30
    status: str = "draft"
    balance_due: Decimal = Decimal(0)
    credited_total: Decimal = Decimal(0)
    payments: list[Pay] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)

    @property
    def due_date(self) -> date | None:
        return self.issue_date + timedelta(days=self.terms) if self.issue_date else None


def settle(inv: Inv, events: list[tuple], overdue_timer: bool = True) -> Inv:
    """Apply (date, "pay" | "credit", amount or None) in date order as billing does
    (invoices.record_payment, credit_notes.create_credit_note): a payment (None: the
    whole balance) never exceeds the balance and only an open invoice takes one; a credit
    note (None: the rest of the invoice), also on a paid invoice, reduces the balance by
    what it can absorb and the rest is a refund; crediting the rest of the invoice makes
    it credited, a balance settled by a partial credit makes it paid. The balance,
    status and credited total are stored as billing would have left them."""
    inv.status, balance = "issued", inv.grand_total
    for n, (day, kind, amount) in enumerate(sorted(events, key=lambda e: e[0])):
        if kind == "pay":
            if inv.status not in OPEN:
                continue
            amount = balance if amount is None else min(amount, balance)
            inv.payments.append(Pay(f"{inv.id}-p{n}", inv.id, amount, inv.currency, day))
            balance -= amount
            inv.status = "paid" if balance == 0 else "partially_paid"
        else:
            if inv.status == "credited":
                continue
            rest = inv.grand_total - inv.credited_total
            amount = rest if amount is None else min(amount, rest)
            applied = min(amount, balance)
            inv.credits.append(Credit(f"{inv.id}-c{n}", inv.id, amount, inv.currency, day, amount - applied))
            inv.credited_total += amount
            balance -= applied
            inv.status = "credited" if amount == rest else "paid" if balance == 0 else inv.status
    inv.balance_due = balance
    if overdue_timer and inv.status in ("issued", "partially_paid") and inv.due_date < TODAY:
        inv.status = "overdue"
    return inv


def money_of(rnd: random.Random, currency: str, low: int, high: int) -> Decimal:
    return Decimal(rnd.randint(low, high)) if currency == "JPY" else Decimal(rnd.randint(low, high)).scaleb(-2)


def make_invoices() -> list[Inv]:
    rnd = random.Random(20261122)
    invoices = []
    for n in range(200):
        org_id, org_name = rnd.choice(ORGANIZATIONS)
        currency = "EUR" if rnd.random() < 0.65 else "JPY"
        total = money_of(rnd, currency, 1_000, 2_000_000)
        if rnd.random() < 0.05:
            invoices.append(Inv(f"inv-{n:03d}", org_id, org_name, currency, total, None))
            continue
        issue = date(2024, 7, 1) + timedelta(days=rnd.randint(0, (TODAY - date(2024, 7, 1)).days))
        if org_id == "org-alpha" and issue >= date(2025, 10, 1):
            org_name = "Alpha AG"  # renamed: the latest invoice's name is the organization's (not the greatest)
        inv = Inv(f"inv-{n:03d}", org_id, org_name, currency, total, issue, rnd.choice((15, 30, 45, 60)))
        events = []
        span = (TODAY - issue).days

        def some_day(issue=issue, span=span):
            return issue + timedelta(days=rnd.randint(0, span))

        # Old invoices are mostly settled; recent ones mostly not yet.
        paid, partly, credited = (0.80, 0.88, 0.96) if span > 150 else (0.30, 0.55, 0.70)
        fate = rnd.random()
        if fate < paid:  # paid, in one to three payments
            parts = rnd.randint(1, 3)
            for _ in range(parts - 1):
                events.append((some_day(), "pay", (total * rnd.randint(10, 40) / 100).quantize(total)))
            events.append((some_day(), "pay", None))
            if rnd.random() < 0.15:  # some of it credited (before or after it was paid: a refund then)
                events.append((some_day(), "credit", (total * rnd.randint(5, 30) / 100).quantize(total)))
        elif fate < partly:
            events.append((some_day(), "pay", (total * rnd.randint(10, 70) / 100).quantize(total)))
        elif fate < credited:  # a credit note: the whole balance, part of it, or more than the balance
            if rnd.random() < 0.5:
                events.append((some_day(), "pay", (total * rnd.randint(10, 50) / 100).quantize(total)))
            events.append((some_day(), "credit", None if rnd.random() < 0.5 else
                           (total * rnd.randint(5, 40) / 100).quantize(total)))
        invoices.append(settle(inv, events, overdue_timer=rnd.random() < 0.7))
    # The buckets' edges at TODAY: due TODAY+1 and TODAY are current, then 1 | 30 | 31 | 60 | 61 | 90 | 91 days.
    for n, days in enumerate([-1, 0, 1, 30, 31, 60, 61, 90, 91]):
        due = TODAY - timedelta(days=days)
        invoices.append(settle(Inv(f"edge-{n}", EDGE, "Edge AG", "EUR", Decimal(1000 + n) + Decimal("0.05"),
                                   due - timedelta(days=30)), []))
        invoices.append(settle(Inv(f"edge-jpy-{n}", EDGE, "Edge AG", "JPY", Decimal(100_000 + n),
                                   due - timedelta(days=15), terms=15), []))
    invoices += history()
    return invoices


def history() -> list[Inv]:
    """Invoices whose balance at PAST differs from today's, each on an edge of PAST."""
    def inv(name, currency, total, issue, terms=30):
        return Inv(f"hist-{name}", HISTORY, "History Ltd", currency, Decimal(total), issue, terms)

    return [
        # issued on PAST, paid the day after: owed in full at PAST
        settle(inv("h1", "EUR", "1000.00", PAST), [(PAST + timedelta(days=1), "pay", None)]),
        # issued the day after PAST: not yet
        settle(inv("h2", "EUR", "2000.00", PAST + timedelta(days=1)), []),
        # partly paid on PAST (counts), the rest after
        settle(inv("h3", "EUR", "3000.00", date(2026, 2, 1)),
               [(PAST, "pay", Decimal("1000.50")), (date(2026, 5, 10), "pay", None)]),
        # credited in full on PAST: nothing owed that day
        settle(inv("h4", "EUR", "4000.00", date(2026, 1, 15)), [(PAST, "credit", None)]),
        # credited in full the day after PAST: owed in full at PAST
        settle(inv("h5", "EUR", "5000.00", date(2026, 1, 15)), [(PAST + timedelta(days=1), "credit", None)]),
        # paid before PAST
        settle(inv("h6", "EUR", "6000.00", date(2026, 2, 10)), [(date(2026, 3, 20), "pay", None)]),
        # JPY, due exactly 90 days before PAST, part paid before and part credited after: still open
        settle(inv("h7", "JPY", "700000", date(2025, 12, 1)),
               [(date(2026, 1, 10), "pay", Decimal(100000)), (date(2026, 4, 5), "credit", Decimal(50000))]),
        # part paid before PAST, credited in full after it: 3000.00 to refund, 5000.00 owed at PAST
        settle(inv("h8", "EUR", "8000.00", date(2026, 1, 20)),
               [(date(2026, 2, 15), "pay", Decimal("3000.00")), (date(2026, 4, 10), "credit", Decimal("8000.00"))]),
        # due on PAST, credited in part on PAST, still open
        settle(inv("h9", "EUR", "900.00", date(2026, 3, 1)), [(PAST, "credit", Decimal("100.00"))]),
    ]


INVOICES = make_invoices()
BY_ID = {inv.id: inv for inv in INVOICES}


def seed(engine) -> None:
    totals = {"subtotal": 0, "discount_total": 0, "net_total": 0, "tax_total": 0, "tax_breakdown": [],
              "document_discount_percent": 0, "rounding": "per_rate", "tax_mode": "exclusive"}
    record = {"version": 1, "created_at": NOW, "updated_at": NOW}
    with Session(engine) as session:
        session.execute(insert(Order), [
            {**record, **totals, "id": f"order-{inv.id}", "number": f"SO-{n:04d}", "quote_id": f"quote-{inv.id}",
             "quote_number": f"Q-{n:04d}", "status": "confirmed", "order_date": inv.issue_date or TODAY,
             "payment_terms_days": inv.terms, "currency": inv.currency, "grand_total": inv.grand_total,
             "organization_id": inv.organization_id, "organization_name": inv.organization_name}
            for n, inv in enumerate(INVOICES)])
        session.execute(insert(Invoice), [
            {**record, **totals, "id": inv.id, "order_id": f"order-{inv.id}",
             "number": f"INV-{n:05d}" if inv.issue_date else None, "status": inv.status,
             "issue_date": inv.issue_date, "due_date": inv.due_date, "payment_terms_days": inv.terms,
             "currency": inv.currency, "grand_total": inv.grand_total,
             "balance_due": inv.balance_due if inv.issue_date else inv.grand_total,
             "credited_total": inv.credited_total, "organization_id": inv.organization_id,
             "organization_name": inv.organization_name}
            for n, inv in enumerate(INVOICES)])
        session.execute(insert(Payment), [
            {**record, "id": p.id, "invoice_id": p.invoice_id, "amount": p.amount, "currency": p.currency,
             "payment_date": p.payment_date, "method": "bank_transfer", "reference": p.id}
            for inv in INVOICES for p in inv.payments])
        session.execute(insert(CreditNote), [
            {**record, **totals, "id": c.id, "number": f"CN-{n:04d}", "invoice_id": c.invoice_id,
             "invoice_number": "INV", "issue_date": c.issue_date, "reason": "correction", "currency": c.currency,
             "grand_total": c.grand_total, "refund_due": c.refund_due,
             "organization_id": BY_ID[c.invoice_id].organization_id,
             "organization_name": BY_ID[c.invoice_id].organization_name}
            for n, c in enumerate(c for inv in INVOICES for c in inv.credits)])
        session.commit()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def engine(request, tmp_path_factory):
    with migrated_engine("billing", request.param, tmp_path_factory.mktemp("reports")) as engine:
        seed(engine)
        yield engine


@pytest.fixture(autouse=True)
def business_clock(monkeypatch):
    """Late on TODAY (UTC): already tomorrow in most of Asia and the Pacific."""
    monkeypatch.setattr(reports, "utcnow", lambda: datetime(2026, 6, 30, 23, 30, tzinfo=UTC))


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session
        session.rollback()


# --- expected figures, from the seed rows ------------------------------------------------------

def half_up(value: Fraction, unit: Fraction) -> Fraction:
    sign = -1 if value < 0 else 1
    return sign * floor(abs(value) / unit + Fraction(1, 2)) * unit


def text(value: Fraction, places: int) -> str:
    return str(Decimal(int(value * 10 ** places)).scaleb(-places))


def money(value: Fraction, currency: str) -> str:
    unit = UNIT[currency]
    return text(half_up(value, unit), 2 if unit < 1 else 0)


def balance_at(inv: Inv, as_of: date) -> Fraction:
    return (Fraction(inv.grand_total) - sum(Fraction(p.amount) for p in inv.payments if p.payment_date <= as_of)
            - sum(Fraction(c.grand_total) for c in inv.credits if c.issue_date <= as_of))


def owed(as_of: date, organization_id=None) -> list[tuple[Inv, Fraction]]:
    """The invoices counted at as_of, with their balance then."""
    chosen = [inv for inv in INVOICES if inv.issue_date and inv.issue_date <= as_of
              and (organization_id is None or inv.organization_id == organization_id)]
    if as_of >= TODAY:
        pairs = [(inv, Fraction(inv.balance_due)) for inv in chosen if inv.status in OPEN]
    else:
        pairs = [(inv, balance_at(inv, as_of)) for inv in chosen]
    return [(inv, balance) for inv, balance in pairs if balance > 0]


def bucket_of(days: int) -> str:
    return "current" if days <= 0 else "1-30" if days <= 30 else "31-60" if days <= 60 else "61-90" \
        if days <= 90 else "over_90"


def aging(pairs: list, as_of: date) -> dict:
    amounts = []
    for currency in sorted({inv.currency for inv, _b in pairs}):
        mine = [(inv, b) for inv, b in pairs if inv.currency == currency]
        buckets = []
        for name in BUCKETS:
            inside = [b for inv, b in mine if bucket_of((as_of - inv.due_date).days) == name]
            buckets.append({"bucket": name, "count": len(inside), "amount": money(sum(inside, Fraction(0)), currency)})
        amounts.append({"currency": currency, "buckets": buckets,
                        "total": {"count": len(mine), "amount": money(sum(b for _i, b in mine), currency)}})
    return {"count": len(pairs), "amounts": amounts}


def expected_receivables(as_of: date, group_by="none", organization_id=None) -> list:
    pairs = owed(as_of, organization_id)
    if group_by == "none":
        return [aging(pairs, as_of)]
    rows = []
    for key in {inv.organization_id for inv, _b in pairs}:
        mine = [(inv, b) for inv, b in pairs if inv.organization_id == key]
        latest = max(mine, key=lambda pair: (pair[0].issue_date, pair[0].organization_name or ""))[0]
        rows.append({"organization_id": key, "organization_name": latest.organization_name, **aging(mine, as_of)})
    return sorted(rows, key=lambda r: (r["organization_name"] is None, r["organization_name"] or "",
                                       r["organization_id"] is None, r["organization_id"] or ""))


def months_of(start: date, end: date) -> list[str]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def flows(start: date, end: date, organization_id=None) -> list[tuple[str, str, str, Fraction]]:
    """(month, currency, invoiced | credited | collected, amount) of every document in the range."""
    out = []
    for inv in INVOICES:
        if inv.issue_date is None or (organization_id is not None and inv.organization_id != organization_id):
            continue
        documents = [(inv.issue_date, "invoiced", inv.grand_total)]
        documents += [(c.issue_date, "credited", c.grand_total) for c in inv.credits]
        documents += [(p.payment_date, "collected", p.amount) for p in inv.payments]
        out += [(day.strftime("%Y-%m"), inv.currency, kind, Fraction(amount))
                for day, kind, amount in documents if start <= day <= end]
    return out


def flow_figures(currency: str, documents: list) -> dict:
    def of(kind):
        return [amount for _m, c, k, amount in documents if c == currency and k == kind]

    invoiced, credited, collected = of("invoiced"), of("credited"), of("collected")
    return {"currency": currency,
            "invoices": len(invoiced), "invoiced": money(sum(invoiced, Fraction(0)), currency),
            "credit_notes": len(credited), "credited": money(sum(credited, Fraction(0)), currency),
            "billed": money(sum(invoiced, Fraction(0)) - sum(credited, Fraction(0)), currency),
            "payments": len(collected), "collected": money(sum(collected, Fraction(0)), currency)}


def expected_billed_collected(start: date, end: date, organization_id=None) -> tuple[list, list]:
    documents = flows(start, end, organization_id)
    rows = []
    for month in months_of(start, end):
        inside = [d for d in documents if d[0] == month]
        rows.append({"month": month, "amounts": [flow_figures(c, inside) for c in sorted({d[1] for d in inside})]})
    return rows, [flow_figures(c, documents) for c in sorted({d[1] for d in documents})]


def expected_dso(start: date, end: date, organization_id=None) -> list:
    documents = flows(start, end, organization_id)
    days = (end - start).days + 1
    open_amounts: dict = {}
    for inv, balance in owed(end, organization_id):
        open_amounts[inv.currency] = open_amounts.get(inv.currency, Fraction(0)) + balance
    billed: dict = {}
    for _m, currency, kind, amount in documents:
        if kind != "collected":
            billed[currency] = billed.get(currency, Fraction(0)) + (amount if kind == "invoiced" else -amount)
    rows = []
    for currency in sorted(set(open_amounts) | set(billed)):
        receivable, sales = open_amounts.get(currency, Fraction(0)), billed.get(currency, Fraction(0))
        rows.append({"currency": currency, "receivables": money(receivable, currency),
                     "billed": money(sales, currency),
                     "dso": text(half_up(receivable / sales * days, Fraction(1, 10)), 1) if sales > 0 else None})
    return rows


# --- the seed data is as varied as the tests need ----------------------------------------------

def test_the_seed_data_covers_every_case():
    statuses = {inv.status for inv in INVOICES}
    assert {"draft", "issued", "partially_paid", "paid", "overdue", "credited"} <= statuses
    assert {inv.currency for inv in INVOICES} == {"EUR", "JPY"}
    credited = [(inv, c) for inv in INVOICES for c in inv.credits]
    assert any(c.refund_due > 0 and inv.status == "credited" for inv, c in credited)
    assert any(c.refund_due > 0 and inv.status == "paid" for inv, c in credited)
    assert any(inv.status in OPEN for inv, c in credited)
    assert sum(len(inv.payments) for inv in INVOICES) > 100
    # The stored balances are what the payments and credit notes leave (so both bases agree today).
    for inv in INVOICES:
        if inv.issue_date:
            assert max(balance_at(inv, TODAY), Fraction(0)) == inv.balance_due
    # Open invoices in every bucket, in both currencies, today and at PAST.
    for as_of in (TODAY, PAST, date(2025, 9, 30)):
        pairs = owed(as_of)
        assert {(inv.currency, bucket_of((as_of - inv.due_date).days)) for inv, _b in pairs} == {
            (currency, bucket) for currency in ("EUR", "JPY") for bucket in BUCKETS}


# --- receivables ---------------------------------------------------------------------------

def test_receivables_today_from_the_stored_balances(session):
    report = reports.receivables(session, {})
    assert report["query"] == {"as_of": "2026-06-30", "group_by": "none"}
    assert report["balance_basis"] == "stored"
    assert report["buckets"] == BUCKETS
    assert report["rows"] == expected_receivables(TODAY)
    assert [a["currency"] for a in report["rows"][0]["amounts"]] == ["EUR", "JPY"]


def test_receivables_buckets_at_their_edges(session):
    rows = reports.receivables(session, {"organization_id": EDGE})["rows"]
    assert rows == expected_receivables(TODAY, organization_id=EDGE)
    # due TODAY+1 and TODAY | 1 and 30 days past due | 31, 60 | 61, 90 | 91
    assert [(b["bucket"], b["count"], b["amount"]) for b in rows[0]["amounts"][0]["buckets"]] == [
        ("current", 2, "2001.10"), ("1-30", 2, "2005.10"), ("31-60", 2, "2009.10"), ("61-90", 2, "2013.10"),
        ("over_90", 1, "1008.05")]
    assert rows[0]["amounts"][0]["total"] == {"count": 9, "amount": "9036.45"}
    assert [(b["bucket"], b["count"], b["amount"]) for b in rows[0]["amounts"][1]["buckets"]] == [
        ("current", 2, "200001"), ("1-30", 2, "200005"), ("31-60", 2, "200009"), ("61-90", 2, "200013"),
        ("over_90", 1, "100008")]
    assert rows[0]["count"] == 18


@pytest.mark.parametrize("query, expected", [
    ({"as_of": "2026-06-30", "group_by": "organization"}, dict(as_of=TODAY, group_by="organization")),
    ({"organization_id": "org-beta"}, dict(as_of=TODAY, organization_id="org-beta")),
    ({"as_of": "2026-08-15"}, dict(as_of=date(2026, 8, 15))),
    ({"as_of": "2027-01-01", "group_by": "organization"}, dict(as_of=date(2027, 1, 1), group_by="organization")),
])
def test_receivables_today_or_later_grouped_and_filtered(session, query, expected):
    report = reports.receivables(session, query)
    assert report["balance_basis"] == "stored"
    assert report["rows"] == expected_receivables(**expected)


@pytest.mark.parametrize("query, expected", [
    ({"as_of": "2026-06-29"}, dict(as_of=date(2026, 6, 29))),
    ({"as_of": "2026-03-31"}, dict(as_of=PAST)),
    ({"as_of": "2026-03-31", "group_by": "organization"}, dict(as_of=PAST, group_by="organization")),
    ({"as_of": "2025-09-30", "organization_id": "org-alpha"}, dict(as_of=date(2025, 9, 30),
                                                                   organization_id="org-alpha")),
    ({"as_of": "2025-12-31", "group_by": "organization"}, dict(as_of=date(2025, 12, 31), group_by="organization")),
    ({"as_of": "2024-08-20"}, dict(as_of=date(2024, 8, 20))),
])
def test_receivables_in_the_past_reconstructed_from_payments_and_credit_notes(session, query, expected):
    report = reports.receivables(session, query)
    assert report["balance_basis"] == "reconstructed"
    assert report["rows"] == expected_receivables(**expected)


def test_receivables_at_a_past_date_on_its_edges(session):
    rows = reports.receivables(session, {"as_of": "2026-03-31", "organization_id": HISTORY})["rows"]
    assert rows == expected_receivables(PAST, organization_id=HISTORY)
    eur, jpy = rows[0]["amounts"]
    # h1 issued on PAST, due in 30 days; h9 due on PAST, 900.00 - 100.00 credited on PAST;
    # h3 3000.00 - 1000.50 paid on PAST, 28 days late;
    # h5 credited only the day after, 45 days late; h8 5000.00 left, 40 days late. Not h2 (issued after),
    # h4 (credited on PAST), h6 (paid).
    assert [(b["bucket"], b["count"], b["amount"]) for b in eur["buckets"]] == [
        ("current", 2, "1800.00"), ("1-30", 1, "1999.50"), ("31-60", 2, "10000.00"), ("61-90", 0, "0.00"),
        ("over_90", 0, "0.00")]
    # h7 due 2025-12-31, exactly 90 days before PAST; its credit note came later.
    assert jpy == {"currency": "JPY", "total": {"count": 1, "amount": "600000"},
                   "buckets": [{"bucket": b, "count": int(b == "61-90"), "amount": "600000" if b == "61-90" else "0"}
                               for b in BUCKETS]}
    assert rows[0]["count"] == 6


def test_today_uses_the_stored_balance_and_the_past_the_documents(session):
    one = next(inv for inv in INVOICES if inv.status == "partially_paid" and inv.currency == "EUR")
    before = reports.receivables(session, {"as_of": "2026-06-29"})["rows"]
    session.execute(update(Invoice).where(Invoice.id == one.id).values(balance_due=one.balance_due + 1))
    today = reports.receivables(session, {"organization_id": one.organization_id})["rows"][0]
    expected = expected_receivables(TODAY, organization_id=one.organization_id)[0]
    eur = next(a for a in expected["amounts"] if a["currency"] == "EUR")
    eur["total"]["amount"] = str(Decimal(eur["total"]["amount"]) + 1)
    assert next(a for a in today["amounts"] if a["currency"] == "EUR")["total"] == eur["total"]
    assert reports.receivables(session, {"as_of": "2026-06-29"})["rows"] == before


def test_receivables_by_organization_name_the_latest_invoice_and_put_none_last(session):
    rows = reports.receivables(session, {"group_by": "organization"})["rows"]
    assert rows[-1]["organization_id"] is None and rows[-1]["organization_name"] is None
    alpha = next(row for row in rows if row["organization_id"] == "org-alpha")
    assert alpha["organization_name"] == "Alpha AG"
    assert sum(row["count"] for row in rows) == expected_receivables(TODAY)[0]["count"]


def test_receivables_with_nothing_open(session):
    empty = {"count": 0, "amounts": []}
    assert reports.receivables(session, {"as_of": "2024-06-30"})["rows"] == [empty]
    assert reports.receivables(session, {"as_of": "2024-06-30", "group_by": "organization"})["rows"] == []
    assert reports.receivables(session, {"organization_id": "org-nobody"})["rows"] == [empty]


# --- billed and collected ------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ({"from": "2024-07-01", "to": "2026-06-30"}, dict(start=date(2024, 7, 1), end=TODAY)),
    ({"from": "2026-03-31", "to": "2026-04-01"}, dict(start=PAST, end=date(2026, 4, 1))),
    ({"from": "2025-01-15", "to": "2025-12-14", "organization_id": "org-gamma"},
     dict(start=date(2025, 1, 15), end=date(2025, 12, 14), organization_id="org-gamma")),
    ({"from": "2026-01-01", "to": "2026-06-30", "organization_id": HISTORY},
     dict(start=date(2026, 1, 1), end=TODAY, organization_id=HISTORY)),
])
def test_billed_and_collected_by_month(session, query, expected):
    report = reports.billed_collected(session, query)
    rows, totals = expected_billed_collected(**expected)
    assert report["months"] == [row["month"] for row in rows]
    assert report["rows"] == rows
    assert report["totals"] == totals


def test_billed_nets_the_credit_notes_of_the_month(session):
    report = reports.billed_collected(session, {"from": "2026-04-01", "to": "2026-04-30", "organization_id": HISTORY})
    # h2 (2000.00) issued 2026-04-01; h5 credited in full (5000.00) the same day, h8 (8000.00) later; h1 paid.
    assert report["rows"] == [{"month": "2026-04", "amounts": [
        {"currency": "EUR", "invoices": 1, "invoiced": "2000.00", "credit_notes": 2, "credited": "13000.00",
         "billed": "-11000.00", "payments": 1, "collected": "1000.00"},
        {"currency": "JPY", "invoices": 0, "invoiced": "0", "credit_notes": 1, "credited": "50000",
         "billed": "-50000", "payments": 0, "collected": "0"}]}]


def test_billed_and_collected_lists_every_month_even_empty(session):
    report = reports.billed_collected(session, {"from": "2030-11-20", "to": "2031-02-01"})
    assert report["query"] == {"from": "2030-11-20", "to": "2031-02-01"}
    assert report["months"] == ["2030-11", "2030-12", "2031-01", "2031-02"]
    assert report["rows"] == [{"month": m, "amounts": []} for m in report["months"]]
    assert report["totals"] == []


def test_36_months_is_the_longest_range(session):
    assert len(reports.billed_collected(session, {"from": "2024-01-31", "to": "2026-12-01"})["months"]) == 36


# --- DSO -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ({"from": "2026-04-01", "to": "2026-06-30"}, dict(start=date(2026, 4, 1), end=TODAY)),
    ({"from": "2025-07-01", "to": "2026-06-30", "organization_id": "org-alpha"},
     dict(start=date(2025, 7, 1), end=TODAY, organization_id="org-alpha")),
    ({"from": "2026-01-01", "to": "2026-03-31"}, dict(start=date(2026, 1, 1), end=PAST)),
    ({"from": "2025-10-01", "to": "2025-12-31", "organization_id": "org-delta"},
     dict(start=date(2025, 10, 1), end=date(2025, 12, 31), organization_id="org-delta")),
    ({"from": "2026-04-01", "to": "2026-04-30", "organization_id": HISTORY},
     dict(start=date(2026, 4, 1), end=date(2026, 4, 30), organization_id=HISTORY)),
])
def test_dso(session, query, expected):
    report = reports.dso(session, query)
    assert report["days"] == (expected["end"] - expected["start"]).days + 1
    assert report["balance_basis"] == ("stored" if expected["end"] >= TODAY else "reconstructed")
    assert report["rows"] == expected_dso(**expected)
    assert any(row["dso"] is not None for row in report["rows"]) or expected.get("organization_id") == HISTORY


def test_dso_is_null_without_sales_and_worked_out_exactly(session):
    # HISTORY in April 2026: EUR billed 2000.00 - 13000.00 < 0, JPY only a credit note: no DSO.
    rows = reports.dso(session, {"from": "2026-04-01", "to": "2026-04-30", "organization_id": HISTORY})["rows"]
    assert [row["dso"] for row in rows] == [None, None]
    # After TODAY nothing is billed: the open balances stay, the DSO is null.
    rows = reports.dso(session, {"from": "2030-01-01", "to": "2030-03-31"})["rows"]
    assert [row["currency"] for row in rows] == ["EUR", "JPY"] and all(row["dso"] is None for row in rows)
    # Invoices issued in the period and still open: receivables above billed.
    rows = reports.dso(session, {"from": "2026-04-01", "to": "2026-04-30", "organization_id": EDGE})["rows"]
    assert rows == expected_dso(date(2026, 4, 1), date(2026, 4, 30), EDGE)


def test_dso_with_nothing(session):
    assert reports.dso(session, {"from": "2024-01-01", "to": "2024-03-31"})["rows"] == []


# --- bad queries -----------------------------------------------------------------------------

@pytest.mark.parametrize("report, query, field", [
    (reports.receivables, {"as_of": "2026-02-30"}, "as_of"),
    (reports.receivables, {"as_of": "today"}, "as_of"),
    (reports.receivables, {"group_by": "currency"}, "group_by"),
    (reports.receivables, {"organization_id": ""}, "organization_id"),
    (reports.receivables, {"colour": "red"}, "colour"),
    (reports.billed_collected, {"from": "2026-13-01", "to": "2026-12-31"}, "from"),
    (reports.billed_collected, {"to": "2026-12-31"}, "from"),
    (reports.billed_collected, {"from": "2026-06-01", "to": "2026-05-31"}, "to"),
    (reports.billed_collected, {"from": "2024-01-01", "to": "2027-01-01"}, "to"),
    (reports.billed_collected, {"from": "2026-01-01", "to": "2026-12-31", "group_by": "organization"}, "group_by"),
    (reports.dso, {"from": "2026-01-01"}, "to"),
    (reports.dso, {"from": "2026-01-01", "to": "yesterday"}, "to"),
    (reports.dso, {"from": "2026-06-01", "to": "2026-05-31"}, "to"),
])
def test_a_bad_query_names_the_field(session, report, query, field):
    with pytest.raises(ValidationFailed) as refused:
        report(session, query)
    assert list(refused.value.details) == [field]
