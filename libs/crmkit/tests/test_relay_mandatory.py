"""The relay publishes ``mandatory``: an event that no queue takes is returned by the
broker, and the relay keeps it in the outbox instead of marking it published. Real
broker (a vhost of the test's own), real relay, a SQLite outbox."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import Connection, Queue
from sqlalchemy import select
from sqlalchemy.orm import Session

from crmkit import eventlog, outbox, platform_tables
from crmkit.broker import EVENTS_EXCHANGE, EVENTS_LOG, declare_events_log
from crmkit.db import make_engine
from crmkit.envelope import Envelope, event_type
from crmkit.relay import EventUnroutable, Relay
from crmkit.settings import EventLogSettings, Settings
from crmkit.testing import RabbitVhost

BIN = Path(sys.executable).parent


@pytest.fixture
def probe_outbox(tmp_path, monkeypatch):
    """A vhost with the events log, and a SQLite database with the platform tables,
    as the relay of a service called probe sees them."""
    with RabbitVhost() as vhost:
        url = f"sqlite:///{tmp_path / 'probe.db'}"
        engine = make_engine(url)
        platform_tables.metadata.create_all(engine)
        monkeypatch.setenv("AMQP_URI", vhost.amqp_uri)
        monkeypatch.setenv("PROBE_DATABASE_URL", url)
        with Connection(vhost.amqp_uri) as conn:
            declare_events_log(conn, EventLogSettings())
        vhost.engine = engine
        yield vhost
        engine.dispose()


def _append(engine, *names: str) -> list[Envelope]:
    events = [Envelope.new(source="crm/test", type=event_type(name), subject=name, data={}) for name in names]
    with Session(engine) as session, session.begin():
        outbox.append(session, events)
    return events


def _published(engine) -> dict[str, bool]:
    with Session(engine) as session:
        rows = session.execute(select(platform_tables.outbox.c.event_id, platform_tables.outbox.c.published_at))
        return {event_id: published_at is not None for event_id, published_at in rows}


def _unbind_log(amqp_uri: str) -> None:
    with Connection(amqp_uri) as conn:
        conn.default_channel.queue_unbind(EVENTS_LOG, EVENTS_EXCHANGE.name, "#")


def test_an_event_no_queue_takes_stays_in_the_outbox_and_is_delivered_once_the_log_is_bound(probe_outbox):
    vhost = probe_outbox
    relay = Relay(Settings.for_service("probe"))
    taken, returned, after = _append(vhost.engine, "probe.taken", "probe.returned", "probe.after")
    with relay._broker() as (conn, producer):
        _unbind_log(vhost.amqp_uri)
        # Another queue still takes the first type: only the second one has no queue.
        Queue("test.other", exchange=EVENTS_EXCHANGE, routing_key=taken.type)(conn.default_channel).declare()
        with pytest.raises(EventUnroutable, match=returned.id):
            relay.publish_batch(producer)
    assert _published(vhost.engine) == {taken.id: True, returned.id: False, after.id: False}

    with Connection(vhost.amqp_uri) as conn:  # the operator puts the binding back
        Queue(EVENTS_LOG, exchange=EVENTS_EXCHANGE, routing_key="#", no_declare=True)(conn.default_channel).queue_bind()
    with relay._broker() as (conn, producer):
        assert relay.publish_batch(producer) == 2
    assert _published(vhost.engine) == {taken.id: True, returned.id: True, after.id: True}
    assert [e.envelope.id for e in eventlog.read(vhost.amqp_uri, idle=0.5)] == [returned.id, after.id]


def test_the_relay_process_logs_a_returned_event_binds_the_log_again_and_delivers_it(probe_outbox, tmp_path):
    vhost = probe_outbox
    log_path = tmp_path / "relay.log"
    env = {**os.environ, "CRM_LOG_FORMAT": "text", "CRM_RELAY_POLL_SECONDS": "0.2"}
    with open(log_path, "wb") as log:
        relay = subprocess.Popen([str(BIN / "crm-relay"), "probe"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while "is publishing" not in log_path.read_text():
            assert time.monotonic() < deadline and relay.poll() is None, log_path.read_text()
            time.sleep(0.05)
        _unbind_log(vhost.amqp_uri)
        [event] = _append(vhost.engine, "probe.lonely")
        while f"returned event {event.id}" not in log_path.read_text():
            assert time.monotonic() < deadline + 20, log_path.read_text()
            time.sleep(0.02)
        # It connects again after a back-off, binds the log again, and publishes.
        while not _published(vhost.engine)[event.id]:
            assert time.monotonic() < deadline + 40, log_path.read_text()
            time.sleep(0.05)
        assert [e.envelope.id for e in eventlog.read(vhost.amqp_uri, idle=0.5)] == [event.id]
    finally:
        relay.terminate()
        relay.wait(timeout=20)
