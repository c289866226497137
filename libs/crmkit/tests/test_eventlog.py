"""The events log on the real broker: declared and bound idempotently, read from the
start, from a position, after a position (resume), from a time and by type; a reader
SIGKILLed mid-read resumes without a gap; retention drops old segments at low volume,
and a policy changes the retention of an existing log."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import requests
from kombu import Connection, Producer

from crmkit import eventlog
from crmkit.broker import EVENTS_EXCHANGE, EVENTS_LOG, declare_events_log
from crmkit.envelope import CONTENT_TYPE, Envelope, event_type
from crmkit.settings import EventLogSettings
from crmkit.testing import RabbitVhost


def _event(name: str, subject: str, at: datetime | None = None) -> Envelope:
    envelope = Envelope.new(source="crm/test", type=event_type(name), subject=subject, data={"n": subject})
    if at is not None:
        envelope = Envelope(**{**envelope.__dict__, "time": at.isoformat(timespec="microseconds")})
    return envelope


def _publish(amqp_uri: str, events: list[Envelope], confirm: bool = True) -> None:
    """Publish through the events exchange, as a relay does. Without confirms a burst
    lands in the stream in chunks of many events, as it does under load."""
    with Connection(amqp_uri, transport_options={"confirm_publish": confirm}) as conn:
        producer = Producer(conn.default_channel, exchange=EVENTS_EXCHANGE)
        for e in events:
            producer.publish(e.to_json(), routing_key=e.type, content_type=CONTENT_TYPE,
                             content_encoding="utf-8", delivery_mode=2, message_id=e.id)


def _settled(amqp_uri: str, count: int, timeout: float = 20) -> list[eventlog.LoggedEvent]:
    """The whole log once it holds ``count`` events."""
    deadline = time.monotonic() + timeout
    while True:
        events = list(eventlog.read(amqp_uri, idle=0.5))
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


def _management(vhost: RabbitVhost, path: str) -> dict:
    response = requests.get(f"{vhost.api}/{path}", auth=vhost.auth, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def log_vhost():
    """A vhost whose log holds, in this order: 40 quote and lead events, then (after a
    pause) a burst of 30 more, the first 5 of which carry a time before the pause."""
    with RabbitVhost() as vhost:
        with Connection(vhost.amqp_uri) as conn:
            declare_events_log(conn, EventLogSettings())
        early = [_event("quote.created" if i % 2 else "lead.created", f"early-{i}") for i in range(40)]
        _publish(vhost.amqp_uri, early)
        time.sleep(2.2)  # the broker stamps chunks to the second
        vhost.pause = datetime.now(UTC)
        time.sleep(1.1)
        late = [_event("quote.line.added" if i % 3 == 0 else "quote.sent", f"late-{i}",
                       at=vhost.pause - timedelta(seconds=1) if i < 5 else None) for i in range(30)]
        _publish(vhost.amqp_uri, late, confirm=False)
        vhost.published = early + late
        vhost.log = _settled(vhost.amqp_uri, 70)
        yield vhost


def test_declaring_the_log_twice_with_other_retention_keeps_it_bound_and_as_it_was(log_vhost):
    with Connection(log_vhost.amqp_uri) as conn:
        declare_events_log(conn, EventLogSettings(retention="30D", max_bytes=1_000_000, segment_bytes=100_000))
    queue = _management(log_vhost, f"queues/{quote(log_vhost.name, safe='')}/{EVENTS_LOG}")
    assert queue["type"] == "stream"
    assert queue["arguments"]["x-max-age"] == "7D"  # made with the defaults, not redeclared
    assert queue["arguments"]["x-max-length-bytes"] == 10_000_000_000
    assert queue["arguments"]["x-stream-max-segment-size-bytes"] == 16_000_000
    bindings = _management(log_vhost, f"queues/{quote(log_vhost.name, safe='')}/{EVENTS_LOG}/bindings")
    assert [(b["source"], b["routing_key"]) for b in bindings if b["source"]] == [(EVENTS_EXCHANGE.name, "#")]


def test_the_log_holds_every_event_in_publish_order_at_growing_positions(log_vhost):
    assert [e.envelope.id for e in log_vhost.log] == [e.id for e in log_vhost.published]
    positions = [e.position for e in log_vhost.log]
    assert positions == sorted(set(positions))


def test_reading_after_a_position_resumes_with_no_gap_and_no_repeat(log_vhost):
    for cut in (0, 17, 39, 40, 55):
        last = log_vhost.log[cut].position
        resumed = list(eventlog.read(log_vhost.amqp_uri, after=last, idle=0.5))
        assert [e.envelope.id for e in resumed] == [e.envelope.id for e in log_vhost.log[cut + 1:]]
        again = list(eventlog.read(log_vhost.amqp_uri, from_position=last, idle=0.5))
        assert [e.position for e in again] == [e.position for e in log_vhost.log[cut:]]


def test_reading_from_a_time_gives_exactly_the_events_of_that_time_and_later(log_vhost):
    events = list(eventlog.read(log_vhost.amqp_uri, from_time=log_vhost.pause, idle=0.5))
    expected = [e for e in log_vhost.published if datetime.fromisoformat(e.time) >= log_vhost.pause]
    assert len(expected) == 25  # the late burst without its 5 back-dated events
    assert [e.envelope.id for e in events] == [e.id for e in expected]


def test_reading_by_type_pattern(log_vhost):
    quotes = list(eventlog.read(log_vhost.amqp_uri, types=["quote.*"], idle=0.5))
    assert {e.envelope.name for e in quotes} == {"quote.created", "quote.sent"}
    assert len(quotes) == 20 + 20
    both = list(eventlog.read(log_vhost.amqp_uri, types=["quote.#", "crm.lead.created.v1"], idle=0.5))
    assert len(both) == 70
    with pytest.raises(ValueError, match="not an event type pattern"):
        eventlog.read(log_vhost.amqp_uri, types=["quote..x"]).__next__()


def test_at_most_one_start_and_a_position_is_a_whole_number(log_vhost):
    with pytest.raises(ValueError, match="at most one"):
        next(eventlog.read(log_vhost.amqp_uri, after=3, from_time=log_vhost.pause))
    with pytest.raises(ValueError, match="after must be a position"):
        next(eventlog.read(log_vhost.amqp_uri, after=-1))
    with pytest.raises(ValueError, match="time zone"):
        next(eventlog.read(log_vhost.amqp_uri, from_time=datetime.now()))


def test_following_sees_events_as_they_are_published(log_vhost):
    with eventlog.EventLogReader(log_vhost.amqp_uri, only_new=True) as reader:
        assert reader.poll(0.5) == []
        fresh = _event("deal.won", "fresh")
        _publish(log_vhost.amqp_uri, [fresh])
        got = reader.poll(5)
    assert [e.envelope.id for e in got] == [fresh.id]
    assert got[0].position > log_vhost.log[-1].position


def test_a_backlog_is_handed_over_in_batches_and_skipped_events_never_stop_the_broker_sending():
    """A poll gives what arrived with its first message, not one message per poll; a
    read whose types skip twice the prefetch's worth still reaches the one it wants
    (the skipped are acknowledged too: on a stream an ack is the credit for more)."""
    with RabbitVhost() as vhost:
        with Connection(vhost.amqp_uri) as conn:
            declare_events_log(conn, EventLogSettings())
        skipped = [_event("lead.created", f"skipped-{i}") for i in range(2 * eventlog.PREFETCH)]
        wanted = _event("deal.won", "wanted")
        _publish(vhost.amqp_uri, skipped + [wanted], confirm=False)
        assert len(_settled(vhost.amqp_uri, len(skipped) + 1)) == len(skipped) + 1
        with eventlog.EventLogReader(vhost.amqp_uri) as reader:
            first = reader.poll(5)
        assert len(first) > 1
        assert [e.envelope.id for e in first] == [e.id for e in skipped[:len(first)]]
        got = list(eventlog.read(vhost.amqp_uri, types=["deal.won"], idle=1.0))
        assert [e.envelope.id for e in got] == [wanted.id]


def test_a_reader_whose_connection_the_broker_drops_reads_on_after_its_last_position(log_vhost):
    connections = f"{log_vhost.api}/vhosts/{quote(log_vhost.name, safe='')}/connections"
    with eventlog.EventLogReader(log_vhost.amqp_uri, only_new=True) as reader:
        first = [_event("deal.won", f"before-drop-{i}") for i in range(5)]
        _publish(log_vhost.amqp_uri, first)
        got = []
        while len(got) < 5:
            batch = reader.poll(5)
            assert batch, "the reader got nothing"
            got += batch
        deadline = time.monotonic() + 30
        while not (listed := requests.get(connections, auth=log_vhost.auth, timeout=10).json()):
            assert time.monotonic() < deadline, "the management API does not list the reader's connection"
            time.sleep(0.5)
        for conn in listed:  # the reader's is the only one open
            requests.delete(f"{log_vhost.api}/connections/{quote(conn['name'], safe='')}", auth=log_vhost.auth,
                            timeout=10)
        second = [_event("deal.won", f"after-drop-{i}") for i in range(5)]
        _publish(log_vhost.amqp_uri, second)
        deadline = time.monotonic() + 30
        while len(got) < 10 and time.monotonic() < deadline:
            got += reader.poll(1)
        time.sleep(1)
        got += reader.poll(1)
    assert [e.envelope.id for e in got] == [e.id for e in first + second]


READER = """
import sys
from crmkit import eventlog
uri, out = sys.argv[1], sys.argv[2]
lines = open(out).read().splitlines() if __import__("os").path.exists(out) else []
last = int(lines[-1].split()[0]) if lines else None
with open(out, "a") as f:
    for event in eventlog.read(uri, after=last, follow=True):
        f.write(f"{event.position} {event.envelope.id}\\n")
        f.flush()  # the line is the remembered position
        __import__("time").sleep(0.01)
"""


def test_a_reader_killed_mid_read_resumes_from_its_last_position_with_no_gap(tmp_path):
    with RabbitVhost() as vhost:
        with Connection(vhost.amqp_uri) as conn:
            declare_events_log(conn, EventLogSettings())
        published = [_event("lead.created", f"k-{i}") for i in range(400)]
        _publish(vhost.amqp_uri, published, confirm=False)
        _settled(vhost.amqp_uri, 400)
        out = tmp_path / "seen.txt"
        argv = [sys.executable, "-c", READER, vhost.amqp_uri, str(out)]
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        for round_ in range(3):
            reader = subprocess.Popen(argv, env=env)
            deadline = time.monotonic() + 30
            while (len(out.read_text().splitlines()) if out.exists() else 0) < 100 * (round_ + 1):
                assert time.monotonic() < deadline and reader.poll() is None, "the reader does not read"
                time.sleep(0.02)
            reader.send_signal(signal.SIGKILL)
            reader.wait()
        reader = subprocess.Popen(argv, env=env)
        try:
            deadline = time.monotonic() + 30
            while len(out.read_text().splitlines()) < 400:
                assert time.monotonic() < deadline, "the reader did not finish the log"
                time.sleep(0.05)
        finally:
            reader.kill()
            reader.wait()
        lines = out.read_text().splitlines()
        assert [line.split()[1] for line in lines] == [e.id for e in published]  # no gap, no repeat


def test_age_retention_drops_old_segments_at_low_volume_and_a_policy_changes_it():
    """Retention is evaluated per segment and never drops the one being written: with
    small segments an hour-old log loses its old events once a policy says 2 s."""
    with RabbitVhost() as vhost:
        with Connection(vhost.amqp_uri) as conn:
            declare_events_log(conn, EventLogSettings(retention="1h", segment_bytes=4_000))
        old = [_event("lead.created", f"old-{i}") for i in range(20)]
        _publish(vhost.amqp_uri, old)
        requests.put(f"{vhost.api}/policies/{quote(vhost.name, safe='')}/crm-events-log", auth=vhost.auth,
                     timeout=10, json={"pattern": f"^{EVENTS_LOG}$", "apply-to": "queues",
                                       "definition": {"max-age": "2s"}}).raise_for_status()
        time.sleep(3)
        new = [_event("lead.created", f"new-{i}") for i in range(20)]
        _publish(vhost.amqp_uri, new)  # a new segment: retention is evaluated
        deadline = time.monotonic() + 20
        while True:
            kept = [e.envelope.id for e in eventlog.read(vhost.amqp_uri, idle=0.5)]
            if old[0].id not in kept or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert old[0].id not in kept
        assert kept[-20:] == [e.id for e in new]


def test_the_settings_refuse_what_the_broker_would_misread(monkeypatch):
    monkeypatch.setenv("CRM_EVENTS_RETENTION", "7 days")
    with pytest.raises(ValueError, match="CRM_EVENTS_RETENTION"):
        EventLogSettings.from_env()
    monkeypatch.setenv("CRM_EVENTS_RETENTION", "14D")
    monkeypatch.setenv("CRM_EVENTS_MAX_BYTES", "10GB")
    with pytest.raises(ValueError, match="CRM_EVENTS_MAX_BYTES"):
        EventLogSettings.from_env()
    monkeypatch.setenv("CRM_EVENTS_MAX_BYTES", "20000000000")
    assert EventLogSettings.from_env() == EventLogSettings(retention="14D", max_bytes=20_000_000_000)
