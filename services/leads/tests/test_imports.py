"""The CSV import's chunks (leads.imports.import_chunk) on a real database, PostgreSQL and
SQLite, migrated by alembic: a chunk's leads are written together, and still every row
has its own outcome, duplicates are found against the leads we had and within the file
(across chunks too), and every created lead has its lead.created (and lead.assigned
when a rule chose its owner) in the outbox, in the rows' order. A chunk is one
transaction: one that is rolled back leaves nothing, and importing the file again
creates only what is missing.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmkit.context import CallContext
from crmkit.platform_tables import outbox, record_changes
from crmkit.testing import migrated_engine
from crmkit.unit_of_work import UnitOfWork
from leads import assignment, commands, events, imports
from leads.models import ImportedRow, Lead

HEADER = ["first_name", "last_name", "email", "title", "source", "tags"]


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request, tmp_path):
    with migrated_engine("leads", request.param, tmp_path) as engine:
        yield engine


def run(engine, use_case, *args, commit: bool = True):
    """A use case in its own unit of work, committed (or rolled back, as a crash would)."""
    unit = UnitOfWork(engine=engine, source="leads", call=CallContext(actor="importer"), sqlite_lock=None,
                      waker=None, catalogue=events.CATALOGUE)
    try:
        result = use_case(unit, *args)
        unit.commit() if commit else unit.rollback()
        return result
    finally:
        unit.close()


def chunk(engine, rows, first_row=1, policy="skip", commit=True):
    return run(engine, imports.import_chunk, HEADER, rows, first_row, policy, commit=commit)


def counts(report: dict) -> tuple:
    return tuple(report[k] for k in ("created", "updated", "skipped", "rejected"))


def events_in_order(engine) -> list[tuple[str, str, str]]:
    """(type, the lead's last name, sequence) of every lead event, in outbox order."""
    with Session(engine) as session:
        bodies = [json.loads(body) for body in session.scalars(
            select(outbox.c.body).where(outbox.c.type.like("crm.lead.%")).order_by(outbox.c.id))]
    return [(b["type"], b["data"]["record"]["last_name"], b["sequence"]) for b in bodies]


def row(last, email, first="", title="", source="", tags=""):
    return [first, last, email, title, source, tags]


def test_a_chunk_reports_every_row_and_publishes_one_created_per_lead(engine):
    known = run(engine, commands.create_lead, {"last_name": "Known", "email": "known@example.com"})
    rows = [
        row("Ada", "ada@example.com", tags="vip;poet"),      # 1: created
        row("Dupe", "KNOWN@example.com"),                     # 2: a duplicate of a lead we had
        row("Bad", "not-an-email"),                           # 3: rejected, in the middle
        row("Babbage", "charles@example.com"),                # 4: created
        row("Again", "ada@example.com"),                      # 5: a duplicate of row 1, in this chunk
        row("Ada", "ada@example.com", tags="vip;poet"),      # 6: row 1 again: skipped silently
        row("Hopper", "grace@example.com", title="Admiral"),  # 7: created
    ]
    report = chunk(engine, rows, first_row=11)
    assert counts(report) == (3, 0, 3, 1)
    problems = {p["row"]: p for p in report["problems"]}
    assert sorted(problems) == [12, 13, 15]
    assert [m["id"] for m in problems[12]["details"]["duplicates"]] == [known["id"]]
    assert set(problems[13]["details"]) == {"email"} and problems[13]["outcome"] == "rejected"
    within = problems[15]["details"]["duplicates"]
    assert [(m["name"], m["owner_id"], m["matched_on"]) for m in within] == [("Ada", "importer", ["email"])]

    with Session(engine) as session:
        made = {lead.last_name: lead for lead in session.scalars(select(Lead).where(Lead.id != known["id"]))}
        assert sorted(made) == ["Ada", "Babbage", "Hopper"]
        assert made["Ada"].tags == ["poet", "vip"] and made["Hopper"].title == "Admiral"
        assert {lead.owner_id for lead in made.values()} == {"importer"}
        assert session.scalar(select(func.count()).select_from(ImportedRow)) == 3
        history = session.execute(select(record_changes.c.record_id, record_changes.c.action)
                                  .where(record_changes.c.record_id != known["id"])).all()
        assert sorted(history) == sorted((lead.id, "created") for lead in made.values())
    first = "0" * 19 + "1"
    assert events_in_order(engine) == [("crm.lead.created.v1", name, first)
                                       for name in ("Known", "Ada", "Babbage", "Hopper")]


def test_duplicates_are_found_across_a_chunk_boundary_and_a_rolled_back_chunk_leaves_nothing(engine):
    first = [row(f"First{i}", f"first{i}@example.com") for i in range(3)]
    assert counts(chunk(engine, first)) == (3, 0, 0, 0)
    second = [row("Other", "FIRST1@example.com"),       # 4: a duplicate of a lead the first chunk made
              row("First2", "first2@example.com"),      # 5: a row of the first chunk again
              row("Second", "second@example.com")]      # 6: new
    crashed = chunk(engine, second, first_row=4, commit=False)
    assert counts(crashed) == (1, 0, 2, 0)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 3
        assert session.scalar(select(func.count()).select_from(ImportedRow)) == 3
    assert len(events_in_order(engine)) == 3

    again = [chunk(engine, first), chunk(engine, second, first_row=4)]  # the whole file again
    assert [counts(report) for report in again] == [(0, 0, 3, 0), (1, 0, 2, 0)]
    assert [p["row"] for p in again[1]["problems"]] == [4]
    with Session(engine) as session:
        assert sorted(session.scalars(select(Lead.last_name))) == ["First0", "First1", "First2", "Second"]
    assert [name for _type, name, _seq in events_in_order(engine)] == ["First0", "First1", "First2", "Second"]


def test_an_update_of_a_lead_made_earlier_in_the_same_chunk_keeps_the_rows_order(engine):
    rows = [row("Lovelace", "ada@example.com"),
            row("Lovelace", "ADA@example.com", title="Countess", tags="math"),  # updates row 1's lead
            row("Babbage", "charles@example.com")]
    assert counts(chunk(engine, rows, policy="update")) == (2, 1, 0, 0)
    with Session(engine) as session:
        ada = session.scalars(select(Lead).where(Lead.last_name == "Lovelace")).one()
        assert (ada.title, ada.tags, ada.version) == ("Countess", ["math"], 2)
    assert [(t, name) for t, name, _seq in events_in_order(engine)] == [
        ("crm.lead.created.v1", "Lovelace"), ("crm.lead.updated.v1", "Lovelace"),
        ("crm.lead.created.v1", "Babbage")]


def test_leads_a_rule_assigns_get_their_assigned_event_after_their_created_one(engine):
    run(engine, assignment.set_members, "team-web", {"members": ["rep-a", "rep-b"]})
    run(engine, assignment.create_rule, {"position": 1, "name": "web", "match_source": "web", "team": "team-web"})
    rows = [row("One", "one@example.com", source="web"), row("Two", "two@example.com", source="event"),
            row("Three", "three@example.com", source="web"), row("Dupe", "three@example.com", source="web")]
    report = chunk(engine, rows)
    assert counts(report) == (3, 0, 1, 0)
    dupe = report["problems"][0]["details"]["duplicates"][0]
    assert (dupe["name"], dupe["owner_id"], dupe["team"]) == ("Three", "rep-b", "team-web")
    with Session(engine) as session:
        owners = dict(session.execute(select(Lead.last_name, Lead.owner_id)).all())
    assert owners == {"One": "rep-a", "Two": "importer", "Three": "rep-b"}
    assert [(t.removeprefix("crm.lead."), name, int(seq)) for t, name, seq in events_in_order(engine)] == [
        ("created.v1", "One", 1), ("assigned.v1", "One", 2), ("created.v1", "Two", 1),
        ("created.v1", "Three", 1), ("assigned.v1", "Three", 2)]


def test_fewest_open_counts_the_leads_placed_earlier_in_the_same_chunk(engine):
    """The chunk's leads are written together, but a fewest-open pick still sees those
    placed before it (the count's query writes them first), so the chunk is spread."""
    run(engine, assignment.set_members, "team-few", {"members": ["rep-a", "rep-b"]})
    run(engine, assignment.create_rule, {"position": 1, "name": "few", "team": "team-few", "strategy": "fewest_open"})
    report = chunk(engine, [row(f"Lead{i}", f"lead{i}@example.com") for i in range(4)])
    assert counts(report) == (4, 0, 0, 0)
    with Session(engine) as session:
        owners = [owner for _name, owner in sorted(session.execute(select(Lead.last_name, Lead.owner_id)).all())]
    assert owners == ["rep-a", "rep-b", "rep-a", "rep-b"]
