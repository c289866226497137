"""crmkit from the outside: a probe service and its relay as real processes on a real
broker vhost and a real PostgreSQL database."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from kombu import Connection, Consumer, Producer, Queue, binding
from sqlalchemy import create_engine, text

from crmkit.broker import EVENTS_EXCHANGE
from crmkit.context import CallContext
from crmkit.envelope import CONTENT_TYPE, Envelope, event_type
from crmkit.rpc_client import RemoteError, RpcClient, ServiceUnavailable
from crmkit.settings import installation_id
from crmkit.testing import PostgresDatabases, RabbitVhost
from crmkit_test_services import Base

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
DEAD = "crm.probe.on_happened.dead"


class Probe:
    def __init__(self, vhost: RabbitVhost, database_url: str, log_dir: Path):
        self.env = {**os.environ, "AMQP_URI": vhost.amqp_uri, "PROBE_DATABASE_URL": database_url,
                    "CRM_EVENT_RETRY_DELAYS": "0.2,0.4", "CRM_LOG_FORMAT": "text",
                    "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
        self.vhost = vhost
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str]) -> None:
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.procs[name] = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    with RabbitVhost() as vhost, PostgresDatabases(["probe"]) as databases:
        url = databases.url("probe")
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        probe = Probe(vhost, url, tmp_path_factory.mktemp("probe"))
        probe.start("service", [str(BIN / "crm-service"), "run", "crmkit_test_services:ProbeService"])
        probe.start("relay", [str(BIN / "crm-relay"), "probe"])
        probe.client = RpcClient(vhost.amqp_uri, timeout=20)
        probe.database_url = url
        try:
            _eventually(lambda: _answers(probe.client), timeout=60, what="the probe service answering")
            yield probe
        finally:
            probe.client.close()
            probe.stop()


def _answers(client: RpcClient) -> bool:
    try:
        return client.call("probe", "health", timeout=2)["status"] == "ok"
    except ServiceUnavailable:  # not consuming yet: the request was unroutable
        return False


def _publish(amqp_uri: str, envelope: Envelope) -> None:
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.default_channel, exchange=EVENTS_EXCHANGE).publish(
            envelope.to_json(), routing_key=envelope.type, content_type=CONTENT_TYPE,
            content_encoding="utf-8", delivery_mode=2, message_id=envelope.id)


def _happened(key: str, **data) -> Envelope:
    return Envelope.new(source="crm/test", type=event_type("probe.happened"), subject=key, data={"key": key, **data})


def _eventually(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not met within {timeout}s"
        time.sleep(0.05)


class EventTap:
    """A queue of the test's own on crm.events, to see what the relay published."""

    def __init__(self, amqp_uri: str, routing_key: str):
        self.conn = Connection(amqp_uri)
        self.queue = Queue(f"test.tap.{time.monotonic_ns()}", bindings=[binding(EVENTS_EXCHANGE, routing_key)],
                           exclusive=True)
        self.received: list[dict] = []
        self.consumer = Consumer(self.conn, [self.queue], callbacks=[self._on], accept=["cloudevents"])
        self.consumer.consume()

    def _on(self, body, message):
        self.received.append(body)
        message.ack()

    def drain_until(self, count: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                self.conn.drain_events(timeout=0.2)
        return self.received

    def close(self):
        self.consumer.cancel()
        self.conn.release()


def test_rpc_carries_the_call_context_into_the_service_and_its_logs(probe):
    ctx = CallContext(correlation_id="corr-rpc-1", actor="alice", causation_id="http:corr-rpc-1")
    assert probe.client.call("probe", "whoami", ctx) == ctx.as_context_data()
    probe.client.call("probe", "record", ctx, key="context-probe")
    _eventually(lambda: "corr-rpc-1 alice" in probe.log("service"), what="the correlation id in the log")


def test_a_commit_that_fails_is_reported_to_the_caller_not_acknowledged(probe):
    assert probe.client.call("probe", "record", key="only-once") == "only-once"
    with pytest.raises(RemoteError) as failure:
        probe.client.call("probe", "record", key="only-once")  # unique key: fails in commit
    # A unique violation at commit: reported as the conflict it is (another request made
    # the row first), never as success.
    assert failure.value.exc_type == "Conflict" and "concurrent request" in failure.value.message
    assert probe.client.call("probe", "effects", key="only-once") == 1


def test_events_are_published_in_commit_order_and_never_for_a_rollback(probe):
    tap = EventTap(probe.vhost.amqp_uri, "crm.probe.recorded.v1")
    try:
        with pytest.raises(RemoteError):
            probe.client.call("probe", "record", key="rolled-back", fail_after_emit=True)
        keys = [f"order-{i}" for i in range(40)]
        threads = [threading.Thread(target=probe.client.call, args=("probe", "record"), kwargs={"key": k})
                   for k in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        received = tap.drain_until(len(keys))
    finally:
        tap.close()
    assert sorted(e["subject"] for e in received) == sorted(keys)
    engine = create_engine(probe.database_url)
    with engine.connect() as conn:
        committed = [row.event_id for row in conn.execute(text(
            "SELECT event_id FROM outbox WHERE type = 'crm.probe.recorded.v1' AND subject LIKE 'order-%' ORDER BY id"))]
        rolled_back = conn.execute(text("SELECT count(*) FROM outbox WHERE subject = 'rolled-back'")).scalar()
    engine.dispose()
    assert [e["id"] for e in received] == committed  # the broker saw them in commit order
    assert rolled_back == 0 and probe.client.call("probe", "effects", key="rolled-back") == 0
    first = received[0]
    source = f"urn:crm:{installation_id(probe.vhost.amqp_uri)}:probe"
    assert (first["specversion"], first["source"], first["type"]) == ("1.0", source, "crm.probe.recorded.v1")
    assert first["sequence"] == "00000000000000000001"  # each key is a subject of one event


def test_an_event_delivered_twice_is_handled_once(probe):
    event = _happened("twice")
    _publish(probe.vhost.amqp_uri, event)
    _publish(probe.vhost.amqp_uri, event)
    _eventually(lambda: "already handled" in probe.log("service"), what="the redelivery skipped")
    assert probe.client.call("probe", "effects", key="twice") == 1


def test_a_failing_handler_retries_then_dead_letters_and_a_replay_handles_it(probe, tmp_path):
    flag = tmp_path / "failing"
    flag.touch()
    event = _happened("poison-then-fixed", fail_while=str(flag))
    _publish(probe.vhost.amqp_uri, event)
    _eventually(lambda: probe.vhost.queue_depth(DEAD) == 1, what="the event in the dead-letter queue")
    assert probe.log("service").count(f"event {event.id} failed") == 2
    assert probe.client.call("probe", "health")["status"] == "ok"  # still serving
    assert probe.client.call("probe", "effects", key="poison-then-fixed") == 0

    dlq = [sys.executable, "-m", "crmkit.dlq"]
    shown = subprocess.run([*dlq, "show", DEAD], env=probe.env, capture_output=True, text=True, check=True).stdout
    assert json.loads(shown.splitlines()[0])["error"].startswith("RuntimeError: told to fail")

    flag.unlink()  # the cause is fixed
    replayed = subprocess.run([*dlq, "replay", DEAD, "--event-id", event.id], env=probe.env, capture_output=True,
                              text=True, check=True).stdout
    assert "replayed 1" in replayed
    _eventually(lambda: probe.client.call("probe", "effects", key="poison-then-fixed") == 1, what="the replay handled")
    assert probe.vhost.queue_depth(DEAD) == 0


def test_every_process_recovers_when_the_broker_drops_its_connections(probe):
    api = f"{probe.vhost.api}/vhosts/{probe.vhost.name}/connections"

    def connections():  # the management API lists connections a few seconds late
        return requests.get(api, auth=probe.vhost.auth, timeout=10).json()

    # the service's, the relay's and the test client's
    _eventually(lambda: len(connections()) >= 4, timeout=30, what="the management API listing the connections")
    for conn in connections():
        requests.delete(f"{probe.vhost.api}/connections/{requests.utils.quote(conn['name'], safe='')}",
                        auth=probe.vhost.auth, timeout=10)
    tap = EventTap(probe.vhost.amqp_uri, "crm.probe.recorded.v1")
    try:
        # The service and the client's own reply consumer reconnect by themselves.
        _eventually(lambda: _answers(probe.client), timeout=30, what="RPC answering again")
        probe.client.call("probe", "record", key="after-reconnect")
        received = tap.drain_until(1)
    finally:
        tap.close()
    assert [e["subject"] for e in received] == ["after-reconnect"]
