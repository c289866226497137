"""``crm events tail`` on the real broker: the operator's view of the events log."""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import Connection, Producer

from crmkit.broker import EVENTS_EXCHANGE, declare_events_log
from crmkit.envelope import CONTENT_TYPE, Envelope, event_type
from crmkit.settings import EventLogSettings
from crmkit.testing import RabbitVhost

CRM = str(Path(sys.executable).parent / "crm")


def _publish(amqp_uri: str, events: list[Envelope]) -> None:
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.default_channel, exchange=EVENTS_EXCHANGE)
        for e in events:
            producer.publish(e.to_json(), routing_key=e.type, content_type=CONTENT_TYPE,
                             content_encoding="utf-8", delivery_mode=2, message_id=e.id)


@pytest.fixture(scope="module")
def logged():
    with RabbitVhost() as vhost:
        with Connection(vhost.amqp_uri) as conn:
            declare_events_log(conn, EventLogSettings())
        vhost.events = [
            Envelope.new(source="crm/test", type=event_type(name), subject=f"rec-{i}", data={"i": i}, sequence=i)
            for i, name in enumerate(["lead.created", "quote.created", "quote.sent", "invoice.paid"])
        ]
        _publish(vhost.amqp_uri, vhost.events)
        yield vhost


def _tail(vhost, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run([CRM, "events", "tail", *args], env={**os.environ, "AMQP_URI": vhost.amqp_uri},
                         capture_output=True, text=True, timeout=60)
    if check:
        assert run.returncode == 0, run.stderr
    return run


def test_tail_prints_position_time_type_subject_and_sequence_per_event(logged):
    lines = _tail(logged, "--from", "first").stdout.splitlines()
    assert len(lines) == 4
    for line, event in zip(lines, logged.events, strict=True):
        position, at, type_, subject, sequence = line.split()
        assert (at, type_, subject, sequence) == (event.time, event.type, event.subject, str(event.sequence))
    assert [int(line.split()[0]) for line in lines] == sorted(int(line.split()[0]) for line in lines)
    assert _tail(logged).stdout == _tail(logged, "--from", "first").stdout  # default: the last hour


def test_tail_filters_by_type_resumes_after_a_position_and_starts_at_a_time(logged):
    quotes = _tail(logged, "--type", "quote.*").stdout.splitlines()
    assert [line.split()[2] for line in quotes] == ["crm.quote.created.v1", "crm.quote.sent.v1"]
    first_position = _tail(logged, "--from", "first").stdout.split()[0]
    after = _tail(logged, "--after", first_position).stdout.splitlines()
    assert [line.split()[3] for line in after] == ["rec-1", "rec-2", "rec-3"]
    assert _tail(logged, "--from", "2099-01-01T00:00:00").stdout == ""
    assert len(_tail(logged, "--from", logged.events[2].time).stdout.splitlines()) == 2


def test_tail_json_gives_the_whole_envelope_with_its_position(logged):
    objects = [json.loads(line) for line in _tail(logged, "--json", "--type", "invoice.#").stdout.splitlines()]
    assert [o["event"] for o in objects] == [logged.events[3].to_dict()]
    assert isinstance(objects[0]["position"], int)


def test_tail_follow_prints_new_events_as_they_come(logged):
    proc = subprocess.Popen([CRM, "events", "tail", "--from", "now", "--follow"], text=True,
                            env={**os.environ, "AMQP_URI": logged.amqp_uri}, stdout=subprocess.PIPE)
    try:
        time.sleep(1.5)  # attached
        fresh = Envelope.new(source="crm/test", type=event_type("deal.won"), subject="fresh", data={})
        _publish(logged.amqp_uri, [fresh])
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=10), "no line within 10 s"
        assert proc.stdout.readline().split()[2:4] == ["crm.deal.won.v1", "fresh"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_tail_says_what_is_wrong(logged):
    bad_from = _tail(logged, "--from", "yesterday", check=False)
    assert bad_from.returncode == 2 and "--from takes first, now, a position" in bad_from.stderr
    bad_type = _tail(logged, "--type", "quote..x", check=False)
    assert bad_type.returncode == 1 and "not an event type pattern" in bad_type.stderr
    with RabbitVhost() as empty:
        no_log = _tail(empty, check=False)
    assert no_log.returncode == 1 and "no events log crm.events.log" in no_log.stderr
