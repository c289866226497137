"""The sales reports (deals.reports) on a real database, PostgreSQL and SQLite, migrated
by alembic and seeded with a few hundred varied opportunities from a fixed random seed.

Every expected figure is worked out here, in plain Python, from the seed rows and the
definitions in the reports' docstring (exact fractions, half-up rounding), never by
the SQL under test, and compared exactly.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from crmkit.errors import NotFound, ValidationFailed
from crmkit.testing import migrated_engine
from deals import reports
from deals.models import Opportunity, Pipeline, PipelineStage

DEFAULT = "00000000-0000-7000-8000-000000000001"
RENEWALS = "00000000-0000-7000-8000-0000000000aa"
OPEN_STAGES = {
    DEFAULT: [("qualification", 10), ("needs_analysis", 20), ("proposal", 50), ("negotiation", 75)],
    RENEWALS: [("renewal_due", 40), ("renewal_quoted", 70)],
}
OWNERS = ["ana", "ben", "chen", "dara", None]
TEAMS = ["north", "south", "east", None]
UNIT = {"EUR": Fraction(1, 100), "JPY": Fraction(1)}  # minor units, written out independently
FORECAST_ORDER = ["pipeline", "best_case", "commit", "closed"]


@dataclass(frozen=True)
class Deal:
    id: str
    pipeline_id: str
    owner_id: str | None
    team: str | None
    stage: str
    currency: str | None
    amount: Decimal | None
    probability: Decimal
    forecast_category: str
    expected_close_date: date | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def open(self) -> bool:
        return self.stage not in ("closed_won", "closed_lost")


def make_deals() -> list[Deal]:
    rng = random.Random(20261122)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    deals = []
    for n in range(400):
        pipeline_id = DEFAULT if rng.random() < 0.8 else RENEWALS
        outcome = rng.random()
        if outcome < 0.45:
            stage, probability = rng.choice(OPEN_STAGES[pipeline_id])
            category = rng.choice(["pipeline", "best_case", "commit", "omitted"])
        elif outcome < 0.75:
            stage, probability, category = "closed_won", 100, "closed"
        else:
            stage, probability, category = "closed_lost", 0, "omitted"
        probability = Decimal(probability)
        if stage not in ("closed_won", "closed_lost") and rng.random() < 0.3:
            probability = Decimal(rng.randint(0, 1000)) / 10  # a seller's own figure, e.g. 33.3
        currency = rng.choices(["EUR", "JPY", None], [6, 3, 1])[0]
        if currency == "EUR":
            amount = Decimal(rng.randint(100, 9_000_000)) / 100
        elif currency == "JPY":
            amount = Decimal(rng.randint(1_000, 90_000_000))
        else:
            amount = None
        if currency and rng.random() < 0.05:
            amount = None  # a currency chosen, the amount not yet known
        created_at = start + timedelta(seconds=rng.randint(0, 500 * 86400), microseconds=rng.randint(0, 999_999))
        closed_at = None
        if stage in ("closed_won", "closed_lost"):
            closed_at = created_at + timedelta(seconds=rng.randint(3600, 240 * 86400),
                                               microseconds=rng.randint(0, 999_999))
        expected = None
        if rng.random() < 0.9:
            expected = date(2025, 6, 1) + timedelta(days=rng.randint(0, 730))
        deals.append(Deal(f"deal-{n:04d}", pipeline_id, rng.choice(OWNERS), rng.choice(TEAMS), stage, currency,
                          amount, probability, category, expected, created_at, closed_at))
    # On the edges of a day and a month, in UTC: inclusive ranges, UTC dates.
    edges = [
        (datetime(2026, 3, 31, 23, 59, 59, 999_999, tzinfo=UTC), "closed_won"),
        (datetime(2026, 4, 1, 0, 0, tzinfo=UTC), "closed_won"),
        (datetime(2026, 4, 30, 23, 59, 59, tzinfo=UTC), "closed_lost"),
        (datetime(2026, 5, 1, 0, 0, tzinfo=UTC), "closed_lost"),
    ]
    for n, (closed_at, stage) in enumerate(edges):
        won = stage == "closed_won"
        deals.append(Deal(f"edge-{n}", DEFAULT, "ana", "north", stage, "EUR", Decimal("1000.05"),
                          Decimal(100 if won else 0), "closed" if won else "omitted", closed_at.date(),
                          closed_at - timedelta(days=10, hours=1), closed_at))
    for n, expected in enumerate([date(2026, 3, 31), date(2026, 4, 1)]):
        deals.append(Deal(f"edge-open-{n}", DEFAULT, "ana", "north", "proposal", "EUR", Decimal("0.03"),
                          Decimal("50"), "commit", expected, datetime(2026, 1, 1, tzinfo=UTC), None))
    return deals


DEALS = make_deals()


def seed(engine) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.execute(insert(Pipeline), [{"id": RENEWALS, "name": "Renewals", "is_default": False, "version": 1,
                                            "created_at": now, "updated_at": now}])
        stages = [*OPEN_STAGES[RENEWALS], ("closed_won", 100), ("closed_lost", 0)]
        session.execute(insert(PipelineStage), [
            {"pipeline_id": RENEWALS, "position": position, "name": name, "probability": Decimal(probability),
             "forecast_category": "closed" if name == "closed_won" else "omitted" if name == "closed_lost"
             else "pipeline"}
            for position, (name, probability) in enumerate(stages, start=1)])
        session.execute(insert(Opportunity), [
            {**deal.__dict__, "name": f"Deal {deal.id}", "version": 1, "updated_at": deal.closed_at or deal.created_at}
            for deal in DEALS])
        session.commit()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def engine(request, tmp_path_factory):
    with migrated_engine("deals", request.param, tmp_path_factory.mktemp("reports")) as engine:
        seed(engine)
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


# --- expected figures, from the seed rows ------------------------------------------------------

def half_up(value: Fraction, unit: Fraction) -> Fraction:
    return floor(value / unit + Fraction(1, 2)) * unit


def text(value: Fraction, places: int) -> str:
    return str(Decimal(int(value * 10 ** places)).scaleb(-places))


def money(value: Fraction, currency: str) -> str:
    unit = UNIT[currency]
    return text(half_up(value, unit), 2 if unit < 1 else 0)


def matches(deal: Deal, filters: dict) -> bool:
    return all(getattr(deal, name) == value for name, value in filters.items())


def group_of(deal: Deal, group_by: str):
    return {"none": None, "owner": deal.owner_id, "team": deal.team}[group_by]


def group_field(group_by: str, key) -> dict:
    return {"owner": {"owner_id": key}, "team": {"team": key}}.get(group_by, {})


def in_order(keys) -> list:
    return sorted(keys, key=lambda key: (key is None, key or ""))


def figures(deals: list[Deal]) -> dict:
    amounts = []
    for currency in sorted({d.currency for d in deals if d.currency}):
        mine = [d for d in deals if d.currency == currency]
        amount = sum((Fraction(d.amount) for d in mine if d.amount is not None), Fraction(0))
        weighted = sum((Fraction(d.amount) * Fraction(d.probability) / 100 for d in mine if d.amount is not None),
                       Fraction(0))
        amounts.append({"currency": currency, "count": len(mine), "amount": money(amount, currency),
                        "weighted_amount": money(weighted, currency)})
    return {"count": len(deals), "amounts": amounts}


def expected_pipeline(pipeline_id=DEFAULT, group_by="none", close_from=None, close_to=None, **filters) -> list:
    deals = [d for d in DEALS if d.open and d.pipeline_id == pipeline_id and matches(d, filters)]
    if close_from:
        deals = [d for d in deals if d.expected_close_date and d.expected_close_date >= close_from]
    if close_to:
        deals = [d for d in deals if d.expected_close_date and d.expected_close_date <= close_to]
    groups = in_order({group_of(d, group_by) for d in deals}) if group_by != "none" else [None]
    return [{**group_field(group_by, key), "stage": stage,
             **figures([d for d in deals if d.stage == stage and group_of(d, group_by) == key])}
            for key in groups for stage, _probability in OPEN_STAGES[pipeline_id]]


def expected_forecast(start: date, end: date, group_by="none", **filters) -> list:
    cells: dict = {}
    for d in DEALS:
        if not matches(d, filters):
            continue
        if d.open and d.forecast_category in ("pipeline", "best_case", "commit") and d.expected_close_date \
                and start <= d.expected_close_date <= end:
            cell = (d.expected_close_date.strftime("%Y-%m"), group_of(d, group_by), d.forecast_category)
        elif d.stage == "closed_won" and start <= d.closed_at.date() <= end:
            cell = (d.closed_at.strftime("%Y-%m"), group_of(d, group_by), "closed")
        else:
            continue
        cells.setdefault(cell, []).append(d)
    order = sorted(cells, key=lambda c: (c[0], c[1] is None, c[1] or "", FORECAST_ORDER.index(c[2])))
    return [{"month": month, **group_field(group_by, key), "forecast_category": category,
             **figures(cells[(month, key, category)])} for month, key, category in order]


def expected_win_rate(start: date, end: date, group_by="none", **filters) -> list:
    closed = [d for d in DEALS if not d.open and start <= d.closed_at.date() <= end and matches(d, filters)]
    groups = in_order({group_of(d, group_by) for d in closed}) if group_by != "none" else [None]
    rows = []
    for key in groups:
        mine = [d for d in closed if group_of(d, group_by) == key]
        won = [d for d in mine if d.stage == "closed_won"]
        lost = len(mine) - len(won)
        amounts = []
        for currency in sorted({d.currency for d in won if d.currency}):
            in_currency = [d for d in won if d.currency == currency]
            with_amount = [Fraction(d.amount) for d in in_currency if d.amount is not None]
            amounts.append({"currency": currency, "count": len(in_currency),
                            "amount": money(sum(with_amount, Fraction(0)), currency),
                            "average_deal_size": money(sum(with_amount) / len(with_amount), currency)
                            if with_amount else None})
        days = sum((d.closed_at.date() - d.created_at.date()).days for d in won)
        rows.append({**group_field(group_by, key), "won": len(won), "lost": lost,
                     "win_rate": text(half_up(Fraction(len(won), len(mine)), Fraction(1, 10_000)), 4)
                     if mine else None,
                     "won_amounts": amounts,
                     "average_sales_cycle_days": text(half_up(Fraction(days, len(won)), Fraction(1, 10)), 1)
                     if won else None})
    return rows


# --- the seed data is as varied as the tests need ----------------------------------------------

def test_the_seed_data_covers_every_case():
    stages = {d.stage for d in DEALS}
    assert {"closed_won", "closed_lost", "qualification", "negotiation", "renewal_due"} <= stages
    assert {d.currency for d in DEALS} == {"EUR", "JPY", None}
    assert any(d.currency and d.amount is None for d in DEALS)
    assert any(d.probability % 1 for d in DEALS)
    assert len({d.closed_at.strftime("%Y-%m") for d in DEALS if d.closed_at}) > 12


# --- pipeline --------------------------------------------------------------------------------

def test_pipeline_of_the_default_pipeline_by_stage_in_its_order(session):
    report = reports.pipeline(session, {})
    assert report["pipeline"] == {"id": DEFAULT, "name": "Default"}
    assert report["stages"] == ["qualification", "needs_analysis", "proposal", "negotiation"]
    assert report["query"] == {"pipeline_id": DEFAULT, "group_by": "none"}
    assert report["rows"] == expected_pipeline()
    assert any(len(row["amounts"]) == 2 for row in report["rows"])


@pytest.mark.parametrize("query, expected", [
    ({"group_by": "owner"}, dict(group_by="owner")),
    ({"group_by": "team", "pipeline_id": RENEWALS}, dict(group_by="team", pipeline_id=RENEWALS)),
    ({"owner_id": "ben", "team": "south"}, dict(owner_id="ben", team="south")),
    ({"expected_close_from": "2026-03-31", "expected_close_to": "2026-09-30", "group_by": "owner"},
     dict(close_from=date(2026, 3, 31), close_to=date(2026, 9, 30), group_by="owner")),
    ({"expected_close_from": "2026-04-01"}, dict(close_from=date(2026, 4, 1))),
])
def test_pipeline_filters_and_groups(session, query, expected):
    assert reports.pipeline(session, query)["rows"] == expected_pipeline(**expected)


def test_pipeline_without_deals_lists_its_stages_empty(session):
    rows = reports.pipeline(session, {"owner_id": "nobody"})["rows"]
    assert [row["stage"] for row in rows] == ["qualification", "needs_analysis", "proposal", "negotiation"]
    assert all(row == {"stage": row["stage"], "count": 0, "amounts": []} for row in rows)
    assert reports.pipeline(session, {"owner_id": "nobody", "group_by": "team"})["rows"] == []


# --- forecast --------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ({"from": "2025-01-01", "to": "2027-12-31"}, dict(start=date(2025, 1, 1), end=date(2027, 12, 31))),
    ({"from": "2026-03-31", "to": "2026-04-30", "group_by": "owner"},
     dict(start=date(2026, 3, 31), end=date(2026, 4, 30), group_by="owner")),
    ({"from": "2026-01-15", "to": "2026-12-15", "group_by": "team", "pipeline_id": DEFAULT},
     dict(start=date(2026, 1, 15), end=date(2026, 12, 15), group_by="team", pipeline_id=DEFAULT)),
    ({"from": "2025-06-01", "to": "2026-05-31", "team": "north", "owner_id": "ana"},
     dict(start=date(2025, 6, 1), end=date(2026, 5, 31), team="north", owner_id="ana")),
])
def test_forecast_by_month_and_category(session, query, expected):
    report = reports.forecast(session, query)
    assert report["rows"] == expected_forecast(**expected)
    assert {row["forecast_category"] for row in report["rows"]} <= set(FORECAST_ORDER)


def test_forecast_counts_a_deal_in_the_utc_month_it_closed_or_is_expected(session):
    rows = reports.forecast(session, {"from": "2026-03-31", "to": "2026-04-01", "owner_id": "ana",
                                      "team": "north"})["rows"]
    closed = {row["month"]: row["count"] for row in rows if row["forecast_category"] == "closed"}
    assert closed == {"2026-03": 1, "2026-04": 1}
    assert rows == expected_forecast(date(2026, 3, 31), date(2026, 4, 1), owner_id="ana", team="north")


def test_forecast_lists_the_months_of_its_range_and_nothing_when_empty(session):
    report = reports.forecast(session, {"from": "2030-11-20", "to": "2031-02-01"})
    assert report["months"] == ["2030-11", "2030-12", "2031-01", "2031-02"]
    assert report["rows"] == []


# --- win rate --------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ({"from": "2025-01-01", "to": "2027-12-31"}, dict(start=date(2025, 1, 1), end=date(2027, 12, 31))),
    ({"from": "2026-04-01", "to": "2026-04-30"}, dict(start=date(2026, 4, 1), end=date(2026, 4, 30))),
    ({"from": "2025-07-01", "to": "2026-06-30", "group_by": "owner"},
     dict(start=date(2025, 7, 1), end=date(2026, 6, 30), group_by="owner")),
    ({"from": "2025-01-01", "to": "2026-12-31", "group_by": "team", "pipeline_id": RENEWALS},
     dict(start=date(2025, 1, 1), end=date(2026, 12, 31), group_by="team", pipeline_id=RENEWALS)),
    ({"from": "2025-01-01", "to": "2026-12-31", "owner_id": "chen", "team": "east"},
     dict(start=date(2025, 1, 1), end=date(2026, 12, 31), owner_id="chen", team="east")),
])
def test_win_rate_deal_size_and_sales_cycle(session, query, expected):
    assert reports.win_rate(session, query)["rows"] == expected_win_rate(**expected)


def test_win_rate_counts_closings_on_the_range_edges_by_utc_date(session):
    rows = reports.win_rate(session, {"from": "2026-04-01", "to": "2026-04-30", "owner_id": "ana", "team": "north"})
    assert rows["rows"] == expected_win_rate(date(2026, 4, 1), date(2026, 4, 30), owner_id="ana", team="north")
    edge_only = reports.win_rate(session, {"from": "2026-03-31", "to": "2026-03-31", "owner_id": "ana"})["rows"]
    assert edge_only == expected_win_rate(date(2026, 3, 31), date(2026, 3, 31), owner_id="ana")
    assert edge_only[0]["won"] >= 1


def test_win_rate_with_nothing_closed(session):
    empty = {"won": 0, "lost": 0, "win_rate": None, "won_amounts": [], "average_sales_cycle_days": None}
    assert reports.win_rate(session, {"from": "2030-01-01", "to": "2030-12-31"})["rows"] == [empty]
    assert reports.win_rate(session, {"from": "2030-01-01", "to": "2030-12-31", "group_by": "owner"})["rows"] == []


# --- bad queries -----------------------------------------------------------------------------

@pytest.mark.parametrize("report, query, field", [
    (reports.forecast, {"from": "2026-13-01", "to": "2026-12-31"}, "from"),
    (reports.win_rate, {"from": "2026-01-01", "to": "yesterday"}, "to"),
    (reports.win_rate, {"to": "2026-12-31"}, "from"),
    (reports.forecast, {"from": "2026-06-01", "to": "2026-05-31"}, "to"),
    (reports.win_rate, {"from": "2026-06-01", "to": "2026-05-31"}, "to"),
    (reports.forecast, {"from": "2026-01-01", "to": "2029-01-01"}, "to"),
    (reports.forecast, {"from": "2026-01-01", "to": "2026-12-31", "group_by": "region"}, "group_by"),
    (reports.pipeline, {"group_by": "stage"}, "group_by"),
    (reports.pipeline, {"expected_close_from": "2026-06-01", "expected_close_to": "2026-05-01"},
     "expected_close_to"),
    (reports.pipeline, {"colour": "red"}, "colour"),
    (reports.win_rate, {"from": "2026-01-01", "to": "2026-12-31", "owner_id": ""}, "owner_id"),
])
def test_a_bad_query_names_the_field(session, report, query, field):
    with pytest.raises(ValidationFailed) as refused:
        report(session, query)
    assert list(refused.value.details) == [field]


def test_the_pipeline_report_of_an_unknown_pipeline_is_not_found(session):
    """The query names a record, as a path would: 404, not a bad field."""
    with pytest.raises(NotFound):
        reports.pipeline(session, {"pipeline_id": "00000000-0000-7000-8000-00000000ffff"})


def test_36_months_is_the_longest_forecast(session):
    report = reports.forecast(session, {"from": "2025-01-01", "to": "2027-12-31"})
    assert len(report["months"]) == 36
