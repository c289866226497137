"""crmkit's pieces on their own (the number series and event sequences against real PostgreSQL)."""
from __future__ import annotations

import json
import random
import threading
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from crmkit import outbox, platform_tables
from crmkit.db import ExactDecimal, make_engine
from crmkit.envelope import Envelope, event_type
from crmkit.errors import InvalidTransition, NotFound, StaleVersion
from crmkit.numbering import next_number
from crmkit.settings import Settings
from crmkit.testing import PostgresDatabases


def test_an_envelope_survives_the_wire_and_names_what_is_missing():
    envelope = Envelope.new(source="crm/leads", type=event_type("lead.converted"), subject="L1",
                            data={"a": 1}, sequence="3", correlationid="c", causationid="e0", actor="bob",
                            traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    back = Envelope.from_dict(__import__("json").loads(envelope.to_json()))
    assert back == envelope and back.name == "lead.converted" and back.type == "crm.lead.converted.v1"
    with pytest.raises(ValueError, match="missing subject, data"):
        Envelope.from_dict({"id": "1", "source": "s", "type": "t", "time": "now"})


def test_settings_refuse_retry_delays_that_are_not_seconds(monkeypatch):
    monkeypatch.setenv("CRM_EVENT_RETRY_DELAYS", "1,soon")
    with pytest.raises(ValueError, match="CRM_EVENT_RETRY_DELAYS"):
        Settings.for_service("leads")
    monkeypatch.setenv("CRM_EVENT_RETRY_DELAYS", "0.5, 2")
    monkeypatch.setenv("LEADS_DATABASE_URL", "postgresql+psycopg2://db/leads")
    settings = Settings.for_service("leads")
    assert settings.event_retry_delays == (0.5, 2.0) and settings.database_url.endswith("/leads")
    assert Settings.for_service("deals").database_url.endswith("deals.db")  # its own SQLite file


@pytest.fixture(scope="module")
def postgres_url():
    with PostgresDatabases(["numbering"]) as databases:
        url = databases.url("numbering")
        engine = create_engine(url)
        platform_tables.metadata.create_all(engine)
        engine.dispose()
        yield url


def test_a_number_series_has_no_gap_and_no_duplicate_under_concurrency_and_rollbacks(postgres_url):
    engine = make_engine(postgres_url, pool_size=10)
    committed: list[int] = []
    lock = threading.Lock()

    def take(n: int) -> None:
        rng = random.Random(n)
        for _ in range(10):
            with Session(engine) as session:
                number = next_number(session, "invoice", 2026)
                if rng.random() < 0.3:
                    session.rollback()  # e.g. the invoice failed to issue: the number returns
                    continue
                session.commit()
                with lock:
                    committed.append(number)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert sorted(committed) == list(range(1, len(committed) + 1))
    assert len(committed) > 100


def test_a_subjects_event_sequence_is_gap_free_and_in_commit_order_under_concurrency(postgres_url):
    """Writers of one record race (and some roll back): its events are numbered 1, 2, 3 ...
    in the order they commit, two events of one write get two numbers, none is lost."""
    engine = make_engine(postgres_url, pool_size=10)

    def write(n: int) -> None:
        rng = random.Random(n)
        for _ in range(10):
            with Session(engine) as session:
                events = [Envelope.new(source="urn:crm:test:probe", type=event_type("probe.recorded"),
                                       subject=subject, data={"writer": n})
                          for subject in ("R1", "R1", "R2")[:rng.choice((1, 2, 3))]]
                outbox.append(session, events)
                if rng.random() < 0.3:
                    session.rollback()
                else:
                    session.commit()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT subject, body FROM outbox ORDER BY id")).all()
    engine.dispose()
    for subject in ("R1", "R2"):
        sequences = [json.loads(row.body)["sequence"] for row in rows if row.subject == subject]
        assert len(sequences) > 20
        # in outbox (commit, so publishing) order: 1, 2, 3 ... and the strings sort as the numbers do
        assert [int(s) for s in sequences] == list(range(1, len(sequences) + 1))
        assert sorted(sequences) == sequences and all(len(s) == 20 for s in sequences)


def test_sequences_on_sqlite_continue_where_the_subject_left_off(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    platform_tables.metadata.create_all(engine)
    numbered = []
    for count in (2, 1):
        with Session(engine) as session:
            events = [Envelope.new(source="urn:crm:test:probe", type=event_type("probe.recorded"), subject="R",
                                   data={}) for _ in range(count)]
            numbered += [event.sequence for event in outbox.append(session, events)]
            session.commit()
    engine.dispose()
    assert numbered == ["00000000000000000001", "00000000000000000002", "00000000000000000003"]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_many_subjects_in_one_transaction_are_numbered_as_one_by_one(kind, tmp_path, postgres_url):
    """An import reports hundreds of records at once: their counters are advanced in a few
    statements (outbox.SEQUENCES_PER_STATEMENT subjects each), and every subject still
    continues where it left off, its events numbered in emit order."""
    url = f"sqlite:///{tmp_path}/many.db" if kind == "sqlite" else postgres_url
    engine = make_engine(url)
    platform_tables.metadata.create_all(engine)
    prefix = f"{kind}-{random.random()}"  # the PostgreSQL database is shared by this module's tests
    subjects = [f"{prefix}-{n}" for n in range(outbox.SEQUENCES_PER_STATEMENT + 300)]

    def append(names: list[str]) -> list[tuple[str, int]]:
        with Session(engine) as session:
            events = [Envelope.new(source="urn:crm:test:probe", type=event_type("probe.recorded"), subject=name,
                                   data={}) for name in names]
            written = outbox.append(session, events)
            session.commit()
        return [(event.subject, int(event.sequence)) for event in written]

    try:
        assert append(subjects[::7]) == [(name, 1) for name in subjects[::7]]  # some have events already
        mixed = [name for n, name in enumerate(subjects) for _ in range(2 if n % 3 else 1)]
        expected, last = [], {name: 1 for name in subjects[::7]}
        for name in mixed:
            last[name] = last.get(name, 0) + 1
            expected.append((name, last[name]))
        assert append(mixed) == expected
    finally:
        engine.dispose()


def test_series_are_separate_per_name_and_period(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/n.db")
    platform_tables.metadata.create_all(engine)
    with Session(engine) as session:
        taken = [next_number(session, "quote", 2026), next_number(session, "quote", 2026),
                 next_number(session, "quote", 2027), next_number(session, "order", 2026)]
        session.commit()
    assert taken == [1, 2, 1, 1]


def test_exact_decimals_come_back_exactly_on_sqlite_and_postgresql(tmp_path, postgres_url):
    from sqlalchemy import Column, Integer, MetaData, Table, insert, select

    value = Decimal("123456789012345.123456789")
    for url in (f"sqlite:///{tmp_path}/d.db", postgres_url):
        table = Table("amounts", MetaData(), Column("id", Integer, primary_key=True), Column("amount", ExactDecimal))
        engine = make_engine(url)
        table.create(engine, checkfirst=True)
        with engine.begin() as conn:
            conn.execute(insert(table).values(id=1, amount=value))
            assert conn.execute(select(table.c.amount)).scalar_one() == value
            table.drop(conn)
        engine.dispose()


def test_messages_built_from_a_record_kind_read_as_english():
    assert str(InvalidTransition("order", "cancelled", "cancel")) == "Cannot cancel an order that is cancelled."
    assert str(InvalidTransition("quote", "draft", "accept")) == "Cannot accept a quote that is draft."
    assert str(NotFound("credit_note", "n1")) == "Credit note n1 does not exist."
    assert str(StaleVersion("assignment_rule", "r1", 1, 2)).startswith("Assignment rule r1 is at version 2, not 1")
    assert NotFound("credit_note", "n1").details == {"entity": "credit_note", "id": "n1"}
