"""The leads' steps of the sales funnel (leads.reports.funnel), when a lead was qualified
(leads.qualified_at, set by qualify_lead), and migration 0013 that added it, on a real
database, PostgreSQL and SQLite, migrated by alembic.

The report's leads are seeded by hand on the edges of the range (April 2026): its first
and last instant count, the instant before and the instant after do not. The PostgreSQL
session runs in a time zone 14 hours ahead of UTC, so a count by local date shows.

``view=activity`` counts each step inside the range; ``view=cohort`` (the default) counts
what became of the leads created in it, whenever.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from crmkit.context import CallContext
from crmkit.db import make_engine
from crmkit.errors import ValidationFailed
from crmkit.ids import new_id
from crmkit.migrations import config
from crmkit.platform_tables import outbox
from crmkit.testing import PostgresDatabases, migrated_engine
from crmkit.unit_of_work import UnitOfWork
from leads import commands, events, reports
from leads.models import Lead

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

# id: (created_at, status, qualified_at); every lead's source is "web" unless SOURCES says
LEADS = {
    "l-first": (FIRST, "new", None),                    # created: yes
    "l-last": (LAST, "qualified", LAST),                # created: yes; qualified: yes
    "l-before": (BEFORE, "converted", FIRST),           # created the day before; qualified: yes
    "l-after": (AFTER, "new", None),                    # created the day after
    "l-local": (LOCAL_FIRST, "disqualified", LOCAL_AFTER),  # created March 31st UTC; qualified: yes
    "l-merged": (MIDDLE, "merged", MIDDLE),             # a duplicate merged away: neither
    "l-old": (EARLIER, "converted", BEFORE),            # qualified the day before
    "l-qualified-after": (MIDDLE, "qualified", AFTER),  # created: yes; qualified the day after
    "l-contacted": (MIDDLE, "contacted", None),         # created: yes; never qualified
    "l-recycled": (EARLIER, "new", MIDDLE),             # qualified in April, disqualified and recycled since
    "l-legacy": (MIDDLE, "converted", None),            # qualified before qualified_at existed: unknown when
}
SOURCES = {"l-last": "referral", "l-qualified-after": "referral", "l-legacy": "event", "l-before": "event"}
EXPECTED_LEADS = {"l-first", "l-last", "l-qualified-after", "l-contacted", "l-legacy"}
EXPECTED_QUALIFIED = {"l-last", "l-before", "l-local", "l-recycled"}
# The April cohort's qualified leads: those of EXPECTED_LEADS ever qualified or converted.
EXPECTED_COHORT_QUALIFIED = {"l-last", "l-qualified-after", "l-legacy"}
APRIL = {"from": "2026-04-01", "to": "2026-04-30"}
ACTIVITY = {"view": "activity"}


def lead_row(id_: str, created_at: datetime, status: str, **more) -> dict:
    return {"id": id_, "status": status, "last_name": f"Lead {id_}", "source": "web", "score": 0,
            "score_factors": [], "rating": "cold", "score_model_version": 0, "version": 1,
            "created_at": created_at, "updated_at": created_at, **more}


def seed(engine) -> None:
    with Session(engine) as session:
        session.execute(insert(Lead), [
            lead_row(id_, created_at, status, qualified_at=qualified_at, source=SOURCES.get(id_, "web"))
            for id_, (created_at, status, qualified_at) in LEADS.items()])
        session.commit()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def engine(request, tmp_path_factory):
    with migrated_engine("leads", request.param, tmp_path_factory.mktemp("funnel")) as engine:
        seed(engine)
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session
        session.rollback()


# --- the report: activity ------------------------------------------------------------------

def test_activity_counts_leads_created_and_qualified_in_the_range(session):
    answer = reports.funnel(session, {**APRIL, **ACTIVITY})
    assert answer == {"from": "2026-04-01", "to": "2026-04-30", "view": "activity", "group_by": "none",
                      "steps": {"leads": 5, "qualified": 4}, "by_source": None}
    assert answer["steps"] == {"leads": len(EXPECTED_LEADS), "qualified": len(EXPECTED_QUALIFIED)}
    assert all(type(value) is int for value in answer["steps"].values())


@pytest.mark.parametrize("day, steps", [
    # The first day: l-first created; l-before qualified at 00:00.
    ("2026-04-01", {"leads": 1, "qualified": 1}),
    # The last day: l-last created; l-last (23:59:59.999999) and l-local (13:00) qualified.
    ("2026-04-30", {"leads": 1, "qualified": 2}),
    # The day before: l-before and l-local created; l-old qualified.
    ("2026-03-31", {"leads": 2, "qualified": 1}),
    # The day after: l-after created; l-qualified-after qualified.
    ("2026-05-01", {"leads": 1, "qualified": 1}),
])
def test_a_day_is_a_utc_calendar_day(session, day, steps):
    assert reports.funnel(session, {"from": day, "to": day, **ACTIVITY})["steps"] == steps


def test_activity_by_source_counts_each_lead_under_its_own_source(session):
    answer = reports.funnel(session, {**APRIL, **ACTIVITY, "group_by": "source"})
    assert answer["by_source"] == [
        {"source": "event", "steps": {"leads": 1, "qualified": 1}},     # l-legacy; l-before qualified
        {"source": "referral", "steps": {"leads": 2, "qualified": 1}},  # l-last, l-qualified-after; l-last
        {"source": "web", "steps": {"leads": 2, "qualified": 2}},       # l-first, l-contacted; l-local, l-recycled
    ]
    assert answer["steps"] == {"leads": 5, "qualified": 4}


# --- the report: cohort (the default) ---------------------------------------------------------

def test_the_cohort_is_the_leads_created_in_the_range_and_what_became_of_them(session):
    answer = reports.funnel(session, APRIL)
    # l-qualified-after (qualified in May) counts; l-before (created in March, qualified in
    # April) does not; l-legacy (converted with no qualified_at) was qualified to convert.
    assert answer == {"from": "2026-04-01", "to": "2026-04-30", "view": "cohort", "group_by": "none",
                      "steps": {"leads": len(EXPECTED_LEADS), "qualified": len(EXPECTED_COHORT_QUALIFIED)},
                      "by_source": None}
    assert answer["steps"] == {"leads": 5, "qualified": 3}


def test_the_cohort_by_source(session):
    assert reports.funnel(session, {**APRIL, "group_by": "source"})["by_source"] == [
        {"source": "event", "steps": {"leads": 1, "qualified": 1}},
        {"source": "referral", "steps": {"leads": 2, "qualified": 2}},
        {"source": "web", "steps": {"leads": 2, "qualified": 0}},
    ]


@pytest.mark.parametrize("view", ["cohort", "activity"])
def test_funnel_with_nothing_in_the_range(session, view):
    answer = reports.funnel(session, {"from": "2030-01-01", "to": "2030-12-31", "view": view, "group_by": "source"})
    assert (answer["steps"], answer["by_source"]) == ({"leads": 0, "qualified": 0}, [])


def test_36_months_is_the_longest_range_and_merged_leads_never_count(session):
    steps = reports.funnel(session, {"from": "2024-01-31", "to": "2026-12-01", **ACTIVITY})["steps"]
    # Every lead but the merged one; every qualified_at but the merged one's.
    assert steps == {"leads": len(LEADS) - 1, "qualified": 6}
    # In the cohort of them all, l-legacy counts as well (converted, so qualified once).
    assert reports.funnel(session, {"from": "2024-01-31", "to": "2026-12-01"})["steps"] == {
        "leads": len(LEADS) - 1, "qualified": 7}


@pytest.mark.parametrize("query", [APRIL, {**APRIL, "group_by": "source"}, {**APRIL, **ACTIVITY}])
def test_the_answer_is_what_its_schema_describes(session, query):
    answer = reports.funnel(session, query)
    assert reports.FunnelStepsOut().validate(answer) == {}
    assert set(answer) == {field.data_key or name for name, field in reports.FunnelStepsOut().fields.items()}


@pytest.mark.parametrize("query, field", [
    ({"to": "2026-04-30"}, "from"),
    ({"from": "2026-04-01"}, "to"),
    ({"from": "2026-13-01", "to": "2026-12-31"}, "from"),
    ({"from": "2026-04-01", "to": "yesterday"}, "to"),
    ({"from": "2026-05-01", "to": "2026-04-30"}, "to"),
    ({"from": "2024-01-01", "to": "2027-01-01"}, "to"),
    ({"from": "2026-04-01", "to": "2026-04-30", "source": "web"}, "source"),
    ({**APRIL, "view": "cohorts"}, "view"),
    ({**APRIL, "group_by": "owner"}, "group_by"),
])
def test_a_bad_query_names_the_field(session, query, field):
    with pytest.raises(ValidationFailed) as refused:
        reports.funnel(session, query)
    assert list(refused.value.details) == [field]


# --- qualified_at, as the commands keep it -----------------------------------------------------

@pytest.fixture
def run(engine, monkeypatch):
    """Run a command in its own committed unit of work, at a business clock time."""
    def run_at(moment: datetime, use_case, *args):
        monkeypatch.setattr(commands, "utcnow", lambda: moment)
        unit = UnitOfWork(engine=engine, source="leads", call=CallContext(actor="tester"), sqlite_lock=None,
                          waker=None, catalogue=events.CATALOGUE)
        try:
            result = use_case(unit, *args)
            unit.commit()
            return result
        finally:
            unit.close()
    return run_at


def test_qualifying_records_when_and_converting_keeps_it(run):
    lead = run(EARLIER, commands.create_lead, {"last_name": "Quinn", "source": "web", "allow_duplicate": True})
    assert lead["qualified_at"] is None
    run(FIRST, commands.contact_lead, lead["id"])
    qualified = run(MIDDLE, commands.qualify_lead, lead["id"])
    assert qualified["status"] == "qualified" and qualified["qualified_at"] == MIDDLE.isoformat()
    converted = run(LAST, commands.convert_lead, lead["id"],
                    {"override_qualification": True, "opportunity": {"mode": "none"}})
    assert converted["status"] == "converted" and converted["qualified_at"] == MIDDLE.isoformat()


def test_a_lead_qualified_again_after_a_recycle_counts_on_its_latest_qualification(run):
    lead = run(EARLIER, commands.create_lead, {"last_name": "Rhee", "source": "event", "allow_duplicate": True})
    run(EARLIER, commands.qualify_lead, lead["id"])
    disqualified = run(FIRST, commands.disqualify_lead, lead["id"], {"reason": "no budget this year"})
    assert disqualified["qualified_at"] == EARLIER.isoformat()
    recycled = run(MIDDLE, commands.recycle_lead, lead["id"])
    assert recycled["status"] == "new" and recycled["qualified_at"] == EARLIER.isoformat()
    again = run(AFTER, commands.qualify_lead, lead["id"])
    assert again["qualified_at"] == AFTER.isoformat()


# --- migration 0013 ----------------------------------------------------------------------------

@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'leads.db'}"
        return
    with PostgresDatabases(["leads"]) as databases:
        yield databases.url("leads")


def test_migration_0013_backfills_qualified_at_from_the_lead_qualified_events_still_in_the_outbox(database_url):
    command.upgrade(config("leads", "leads", database_url), "0012")
    engine = make_engine(database_url) if database_url.startswith("sqlite") else create_engine(database_url)
    qualified = "crm.lead.qualified.v1"
    try:
        with engine.begin() as connection:
            # Only the columns 0012 has (no qualified_at).
            connection.execute(insert(Lead.__table__), [
                lead_row("qualified-twice", EARLIER, "converted"),  # qualified, recycled, qualified again
                lead_row("qualified-once", EARLIER, "qualified"),
                lead_row("only-contacted", EARLIER, "contacted"),   # other events only
                lead_row("purged", EARLIER, "converted"),           # its events are gone from the outbox
            ])
            events = [("qualified-twice", qualified, FIRST), ("qualified-twice", "crm.lead.recycled.v1", MIDDLE),
                      ("qualified-twice", qualified, LAST), ("qualified-twice", "crm.lead.converted.v1", AFTER),
                      ("qualified-once", qualified, MIDDLE), ("only-contacted", "crm.lead.contacted.v1", MIDDLE)]
            connection.execute(insert(outbox), [
                {"event_id": f"event-{n}", "type": type_, "subject": subject, "body": "{}", "created_at": at,
                 "published_at": at} for n, (subject, type_, at) in enumerate(events)])
        command.upgrade(config("leads", "leads", database_url), "head")
        with Session(engine) as session:
            found = {row.id: row.qualified_at for row in session.execute(select(Lead.id, Lead.qualified_at))}
        assert found == {"qualified-twice": LAST, "qualified-once": MIDDLE, "only-contacted": None, "purged": None}
        command.downgrade(config("leads", "leads", database_url), "0012")
    finally:
        engine.dispose()


# --- migration 0017 ----------------------------------------------------------------------------

def test_migration_0017_starts_each_records_event_sequence_above_the_version_its_events_carried(database_url):
    """Events carried the record's version as their sequence before 0017: a consumer that
    kept the last one it saw (deals' copies of customers) must see the next ones as newer."""
    command.upgrade(config("leads", "leads", database_url), "0016")
    engine = make_engine(database_url) if database_url.startswith("sqlite") else create_engine(database_url)
    old = new_id()
    try:
        with engine.begin() as connection:
            connection.execute(insert(Lead.__table__), [lead_row(old, EARLIER, "qualified", version=3)])
        command.upgrade(config("leads", "leads", database_url), "head")
        unit = UnitOfWork(engine=engine, source="leads", call=CallContext(actor="tester"), sqlite_lock=None,
                          waker=None, catalogue=events.CATALOGUE)
        try:
            commands.disqualify_lead(unit, old, {"reason": "no budget"})
            unit.commit()
        finally:
            unit.close()
        with Session(engine) as session:
            bodies = session.scalars(select(outbox.c.body).where(outbox.c.subject == old)).all()
        assert [json.loads(body)["sequence"] for body in bodies] == ["00000000000000000004"]
        command.downgrade(config("leads", "leads", database_url), "0016")
    finally:
        engine.dispose()
