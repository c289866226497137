"""The deals' steps of the sales funnel (deals.reports.funnel) on a real database,
PostgreSQL and SQLite, migrated by alembic and seeded by hand with deals and quotes on
the edges of the range: its first and last instant count, the instant before and the
instant after do not. The PostgreSQL session runs in a time zone 14 hours ahead of UTC,
so a count by local date instead of UTC date shows.

The range asked is April 2026 (``from`` 2026-04-01, ``to`` 2026-04-30). ``view=activity``
counts each step inside it; ``view=cohort`` (the default) the deals of the leads created in
it (their ``lead_created_at``), whatever became of them whenever.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from crmkit.db import make_engine
from crmkit.errors import ValidationFailed
from crmkit.migrations import config
from crmkit.testing import PostgresDatabases, migrated_engine
from deals import reports
from deals.models import Opportunity, Quote

PIPELINE = "00000000-0000-7000-8000-000000000001"  # the default pipeline, written by migration 0002

BEFORE = datetime(2026, 3, 31, 23, 59, 59, 999_999, tzinfo=UTC)
FIRST = datetime(2026, 4, 1, tzinfo=UTC)
MIDDLE = datetime(2026, 4, 15, 12, tzinfo=UTC)
LAST = datetime(2026, 4, 30, 23, 59, 59, 999_999, tzinfo=UTC)
AFTER = datetime(2026, 5, 1, tzinfo=UTC)
# Already April 1st in Kiritimati (UTC+14), still March 31st in UTC: outside.
LOCAL_FIRST = datetime(2026, 3, 31, 11, tzinfo=UTC)
# Already May 1st in Kiritimati, still April 30th in UTC: inside.
LOCAL_AFTER = datetime(2026, 4, 30, 13, tzinfo=UTC)
EARLIER = datetime(2026, 1, 10, 9, tzinfo=UTC)

# id: (created_at, stage, closed_at)
OPPORTUNITIES = {
    "o-first": (FIRST, "qualification", None),            # created: yes
    "o-last": (LAST, "closed_won", AFTER),                 # created: yes; won after the range
    "o-before": (BEFORE, "closed_won", FIRST),             # created before; won: yes
    "o-after": (AFTER, "proposal", None),                  # created after
    "o-local": (LOCAL_FIRST, "closed_won", LOCAL_AFTER),   # created before (UTC); won: yes (UTC)
    "o-lost": (MIDDLE, "closed_lost", MIDDLE),             # created: yes; lost, not won
    "o-lost-late": (MIDDLE, "closed_lost", LAST),          # created: yes; lost, not won
    "o-old-win": (datetime(2025, 12, 1, tzinfo=UTC), "closed_won", BEFORE),  # won the day before
    "o-won-last": (EARLIER, "closed_won", LAST),           # won: yes
    "o-won-after": (EARLIER, "closed_won", AFTER),         # won the day after
    "o-reopened": (EARLIER, "negotiation", None),          # won in April, then reopened: no
    "o-quoted": (EARLIER, "proposal", None),               # two quotes of its own, both sent in April
    "o-late-convert": (datetime(2026, 5, 11, tzinfo=UTC), "qualification", None),  # no quote
}
# The lead each deal came from: id -> (its lead's created_at, source); a deal not named was
# created directly (no lead). None: converted before migration 0009 kept the lead's time.
LEADS = {
    "o-first": (FIRST, "web"),                   # cohort: yes (the first instant); quoted
    "o-last": (LAST, "referral"),                # cohort: yes (the last instant); won in May
    "o-after": (LOCAL_AFTER, "web"),             # cohort: yes, converted in May; quoted
    "o-late-convert": (MIDDLE, "web"),           # cohort: yes, converted in May; no quote
    "o-won-last": (MIDDLE, "referral"),          # cohort: yes; won without a quote
    "o-lost": (MIDDLE, "event"),                 # cohort: yes; quoted, lost
    "o-before": (BEFORE, "event"),               # cohort: no (the instant before); won in April
    "o-local": (LOCAL_FIRST, "web"),             # cohort: no (April 1st only in Kiritimati)
    "o-reopened": (EARLIER, "partner"),          # cohort: no (a lead of January)
    "o-lost-late": None,                         # unknown, created in April: unattributed
    "o-quoted": None,                            # unknown, created in January: not even that
}
EXPECTED_COHORT = {"o-first", "o-last", "o-after", "o-late-convert", "o-won-last", "o-lost"}
EXPECTED_COHORT_QUOTED = EXPECTED_COHORT - {"o-late-convert"}
EXPECTED_COHORT_WON = {"o-last", "o-won-last"}
APRIL = {"from": "2026-04-01", "to": "2026-04-30"}
ACTIVITY = {"view": "activity"}
EXPECTED_OPPORTUNITIES = {"o-first", "o-last", "o-lost", "o-lost-late"}
EXPECTED_WON = {"o-before", "o-local", "o-won-last"}

# (number, opportunity, revision, status, sent_at)
QUOTES = [
    # One quote sent three times (two revisions), all in April: one deal quoted.
    ("Q-2026-0001", "o-first", 1, "superseded", FIRST),
    ("Q-2026-0001-R2", "o-first", 2, "superseded", MIDDLE),
    ("Q-2026-0001-R3", "o-first", 3, "sent", LAST),
    # Sent first the day before the range, revised inside it: quoted in April.
    ("Q-2026-0002", "o-last", 1, "superseded", BEFORE),
    ("Q-2026-0002-R2", "o-last", 2, "accepted", MIDDLE),
    # Sent the day after; a draft never sent.
    ("Q-2026-0003", "o-before", 1, "sent", AFTER),
    ("Q-2026-0004", "o-before", 1, "draft", None),
    # Sent late on April 30th UTC (May 1st in Kiritimati): inside.
    ("Q-2026-0005", "o-lost", 1, "rejected", LOCAL_AFTER),
    # Sent early on March 31st UTC (April 1st in Kiritimati): outside.
    ("Q-2026-0006", "o-after", 1, "sent", LOCAL_FIRST),
    # Two different quotes of one deal, both sent in April: still one deal quoted.
    ("Q-2026-0007", "o-quoted", 1, "expired", FIRST),
    ("Q-2026-0008", "o-quoted", 1, "sent", MIDDLE),
]
EXPECTED_QUOTED = {"o-first", "o-last", "o-lost", "o-quoted"}


def seed(engine) -> None:
    with Session(engine) as session:
        session.execute(insert(Opportunity), [
            {"id": id_, "name": f"Deal {id_}", "pipeline_id": PIPELINE, "stage": stage,
             "probability": Decimal(100 if stage == "closed_won" else 0 if stage == "closed_lost" else 50),
             "forecast_category": "closed" if stage == "closed_won" else "pipeline", "currency": "EUR",
             "amount": Decimal("1000.00"), "version": 1, "created_at": created_at,
             "updated_at": closed_at or created_at, "closed_at": closed_at,
             "lead_id": f"lead-{id_}" if id_ in LEADS else None,
             "lead_created_at": (LEADS.get(id_) or (None, None))[0], "lead_source": (LEADS.get(id_) or (None, None))[1]}
            for id_, (created_at, stage, closed_at) in OPPORTUNITIES.items()])
        zero = Decimal(0)
        session.execute(insert(Quote), [
            {"id": f"quote-{n}", "number": number, "base_number": number.split("-R")[0], "revision": revision,
             "opportunity_id": opportunity, "status": status, "currency": "EUR", "sent_at": sent_at,
             "document_discount_percent": zero, "tax_mode": "exclusive", "rounding": "per_rate",
             "subtotal": zero, "discount_total": zero, "net_total": zero, "tax_total": zero,
             "grand_total": zero, "tax_breakdown": [], "version": 1, "created_at": EARLIER,
             "updated_at": sent_at or EARLIER}
            for n, (number, opportunity, revision, status, sent_at) in enumerate(QUOTES)])
        session.commit()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def engine(request, tmp_path_factory):
    with migrated_engine("deals", request.param, tmp_path_factory.mktemp("funnel")) as engine:
        seed(engine)
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def test_the_seed_has_revisions_and_several_quotes_of_one_deal_sent_in_the_range():
    in_april = [q for q in QUOTES if q[4] is not None and FIRST <= q[4] <= LAST]
    assert len(in_april) == 7 and len({q[0].split("-R")[0] for q in in_april}) == 5
    assert len({q[1] for q in in_april}) == len(EXPECTED_QUOTED) == 4


def test_activity_counts_each_step_in_the_range(session):
    answer = reports.funnel(session, {**APRIL, **ACTIVITY})
    assert answer == {"from": "2026-04-01", "to": "2026-04-30", "view": "activity", "group_by": "none",
                      "steps": {"opportunities": 4, "quotes_sent": 4, "won": 3}, "by_source": None,
                      "unattributed": None}
    assert answer["steps"] == {"opportunities": len(EXPECTED_OPPORTUNITIES), "quotes_sent": len(EXPECTED_QUOTED),
                               "won": len(EXPECTED_WON)}
    assert all(type(value) is int for value in answer["steps"].values())


@pytest.mark.parametrize("day, steps", [
    # The first day: o-first created; Q-2026-0001 and Q-2026-0007 sent; o-before won.
    ("2026-04-01", {"opportunities": 1, "quotes_sent": 2, "won": 1}),
    # The last day: o-last created; Q-2026-0001-R3 and Q-2026-0005 sent; o-local and o-won-last won.
    ("2026-04-30", {"opportunities": 1, "quotes_sent": 2, "won": 2}),
    # The days around: before (o-before and o-local created; Q-2026-0002 and -0006 sent; o-old-win won)
    ("2026-03-31", {"opportunities": 2, "quotes_sent": 2, "won": 1}),
    # and after (o-after created; Q-2026-0003 sent; o-last and o-won-after won).
    ("2026-05-01", {"opportunities": 1, "quotes_sent": 1, "won": 2}),
])
def test_a_day_is_a_utc_calendar_day_from_its_first_to_its_last_instant(session, day, steps):
    assert reports.funnel(session, {"from": day, "to": day, **ACTIVITY})["steps"] == steps


def test_activity_by_source_counts_each_deal_under_its_lead_source(session):
    assert reports.funnel(session, {**APRIL, **ACTIVITY, "group_by": "source"})["by_source"] == [
        {"source": "event", "steps": {"opportunities": 1, "quotes_sent": 1, "won": 1}},     # o-lost; o-before
        {"source": "referral", "steps": {"opportunities": 1, "quotes_sent": 1, "won": 1}},  # o-last; o-won-last
        {"source": "web", "steps": {"opportunities": 1, "quotes_sent": 1, "won": 1}},       # o-first; o-local
        # No known source: o-lost-late created, o-quoted quoted (both converted before 0009).
        {"source": None, "steps": {"opportunities": 1, "quotes_sent": 1, "won": 0}},
    ]


def test_the_cohort_counts_the_deals_of_the_leads_created_in_the_range_whenever_they_got_there(session):
    answer = reports.funnel(session, APRIL)
    assert answer == {"from": "2026-04-01", "to": "2026-04-30", "view": "cohort", "group_by": "none",
                      "steps": {"opportunities": 6, "quotes_sent": 5, "won": 2}, "by_source": None,
                      "unattributed": 1}
    assert answer["steps"] == {"opportunities": len(EXPECTED_COHORT), "quotes_sent": len(EXPECTED_COHORT_QUOTED),
                               "won": len(EXPECTED_COHORT_WON)}


def test_the_cohort_by_source_and_each_step_a_part_of_the_one_before(session):
    by_source = reports.funnel(session, {**APRIL, "group_by": "source"})["by_source"]
    assert by_source == [
        {"source": "event", "steps": {"opportunities": 1, "quotes_sent": 1, "won": 0}},
        {"source": "referral", "steps": {"opportunities": 2, "quotes_sent": 2, "won": 2}},
        {"source": "web", "steps": {"opportunities": 3, "quotes_sent": 2, "won": 0}},
    ]
    for row in by_source:
        assert row["steps"]["opportunities"] >= row["steps"]["quotes_sent"] >= row["steps"]["won"]


@pytest.mark.parametrize("view", ["cohort", "activity"])
def test_funnel_with_nothing_in_the_range(session, view):
    answer = reports.funnel(session, {"from": "2030-01-01", "to": "2030-12-31", "view": view})
    assert answer["steps"] == {"opportunities": 0, "quotes_sent": 0, "won": 0}
    assert answer["unattributed"] == (0 if view == "cohort" else None)


def test_36_months_is_the_longest_range(session):
    steps = reports.funnel(session, {"from": "2024-01-31", "to": "2026-12-01", **ACTIVITY})["steps"]
    assert steps == {"opportunities": len(OPPORTUNITIES), "quotes_sent": 6, "won": 6}
    cohort = reports.funnel(session, {"from": "2024-01-31", "to": "2026-12-01"})
    known = {id_ for id_, lead in LEADS.items() if lead}
    assert cohort["steps"]["opportunities"] == len(known)
    assert cohort["unattributed"] == 2  # o-lost-late and o-quoted


@pytest.mark.parametrize("query", [APRIL, {**APRIL, "group_by": "source"}, {**APRIL, **ACTIVITY}])
def test_the_answer_is_what_its_schema_describes(session, query):
    answer = reports.funnel(session, query)
    assert reports.FunnelStepsOut().validate(answer) == {}
    assert set(answer) == {field.data_key or name for name, field in reports.FunnelStepsOut().fields.items()}


@pytest.mark.parametrize("query, field", [
    ({"to": "2026-04-30"}, "from"),
    ({"from": "2026-04-01"}, "to"),
    ({"from": "2026-04-31", "to": "2026-05-31"}, "from"),
    ({"from": "2026-04-01", "to": "yesterday"}, "to"),
    ({"from": "2026-05-01", "to": "2026-04-30"}, "to"),
    ({"from": "2024-01-01", "to": "2027-01-01"}, "to"),
    ({"from": "2026-04-01", "to": "2026-04-30", "owner_id": "ana"}, "owner_id"),
    ({**APRIL, "view": "cohorts"}, "view"),
    ({**APRIL, "group_by": "team"}, "group_by"),
])
def test_a_bad_query_names_the_field(session, query, field):
    with pytest.raises(ValidationFailed) as refused:
        reports.funnel(session, query)
    assert list(refused.value.details) == [field]


# --- migration 0009 ----------------------------------------------------------------------------

@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'deals.db'}"
        return
    with PostgresDatabases(["deals"]) as databases:
        yield databases.url("deals")


def test_migration_0009_leaves_deals_converted_before_it_unattributed(database_url):
    """The lead's time is in the leads service's database only: a deal converted before
    0009 cannot be put in its cohort, and the funnel says it may belong to one."""
    command.upgrade(config("deals", "deals", database_url), "0006")
    engine = make_engine(database_url) if database_url.startswith("sqlite") else create_engine(database_url)
    try:
        with engine.begin() as connection:
            # Only the columns 0006 has (no lead_created_at, lead_source).
            connection.execute(insert(Opportunity.__table__), [
                {"id": id_, "name": id_, "pipeline_id": PIPELINE, "stage": "qualification", "probability": 10,
                 "forecast_category": "pipeline", "version": 1, "created_at": MIDDLE, "updated_at": MIDDLE,
                 "lead_id": lead_id} for id_, lead_id in (("converted", "lead-1"), ("direct", None))])
        command.upgrade(config("deals", "deals", database_url), "head")
        with Session(engine) as session:
            answer = reports.funnel(session, APRIL)
        assert (answer["steps"]["opportunities"], answer["unattributed"]) == (0, 1)
        command.downgrade(config("deals", "deals", database_url), "0006")
    finally:
        engine.dispose()
