"""The subscriber package (libs/crmsubscriber) against the whole system: it gets every
event of a flow once from the gRPC stream, across its own restarts (the position it
remembers) and the gateway's (it reconnects); from a queue of its own, once per id; and
its example prints them."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest

from crmsubscriber import QueueSubscriber, State, StreamSubscriber, declare_queue
from events import publish, query, wait_for
from flow import Api, run_flow

SERVICES = ["leads", "deals", "billing"]


@pytest.fixture(scope="module")
def target(stack):
    return f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}"


@pytest.fixture(scope="module")
def token(stack):
    return stack.token("integration", "sdk")


def published_since(databases, since: datetime, types: tuple[str, ...] = ()) -> list[dict]:
    wait_for(lambda: all(p for s in SERVICES for (p,) in query(databases.url(s),
                                                               "SELECT published_at IS NOT NULL FROM outbox")),
             what="every outbox published")
    events = [json.loads(body) for s in SERVICES for (body,) in query(databases.url(s), "SELECT body FROM outbox")]
    return [e for e in events if datetime.fromisoformat(e["time"]) >= since
            and (not types or e["type"].split(".")[1] in types)]


class Running:
    """A subscriber's ``run`` on a thread, every event it handled in ``handled``."""

    def __init__(self, subscriber):
        self.subscriber, self.handled = subscriber, []
        self.thread = threading.Thread(target=subscriber.run, args=(self.handled.append,), daemon=True)
        self.thread.start()

    def ids(self) -> list[str]:
        return [e["id"] for e in self.handled]

    def stop(self) -> None:
        self.subscriber.stop()
        self.thread.join(10)
        assert not self.thread.is_alive()


def test_the_stream_subscriber_gets_each_event_once_across_its_restarts_and_the_gateways(
        stack, databases, target, token, tmp_path):
    since = datetime.now(UTC)
    state_file = tmp_path / "erp.sqlite"
    first = Running(StreamSubscriber(target, token, State(state_file), start=since, heartbeat_seconds=1))
    run_flow(Api(stack.base_url))
    expected = published_since(databases, since)
    wait_for(lambda: len(first.handled) >= len(expected), what="the first flow's events")
    first.stop()

    # Stopped: a second flow happens meanwhile; started again, it resumes where it was.
    run_flow(Api(stack.base_url))
    second = Running(StreamSubscriber(target, token, State(state_file), start=since, heartbeat_seconds=1))
    expected = published_since(databases, since)
    wait_for(lambda: len(first.handled) + len(second.handled) >= len(expected), what="the second flow's events")

    # The gateway killed under it: it reconnects (with back-off) and goes on.
    stack.kill("gateway")
    stack.start("gateway")
    stack.wait_ready(SERVICES)
    run_flow(Api(stack.base_url, wait_for_gateway=30))
    expected = published_since(databases, since)
    wait_for(lambda: len(first.handled) + len(second.handled) >= len(expected), timeout=60,
             what="the third flow's events")
    second.stop()
    ids = first.ids() + second.ids()
    assert len(ids) == len(set(ids)), "an event was handled twice"
    assert sorted(ids) == sorted(e["id"] for e in expected), "an event is missing"


def test_the_queue_subscriber_gets_its_types_once_per_id(stack, databases, vhost, tmp_path):
    since = datetime.now(UTC)
    declare_queue(vhost.amqp_uri, "erp.quotes", ["quote.*", "invoice.paid"])
    running = Running(QueueSubscriber(vhost.amqp_uri, "erp.quotes", State(tmp_path / "q.sqlite")))
    try:
        run_flow(Api(stack.base_url))
        expected = published_since(databases, since, types=("quote",))
        expected += [e for e in published_since(databases, since) if e["type"] == "crm.invoice.paid.v1"]
        wait_for(lambda: len(running.handled) >= len(expected), what="the flow's quote events")
        publish(vhost.amqp_uri, expected[0])  # the same event again (a redelivery, a replay)
        wait_for(lambda: vhost.queue_depth("erp.quotes") == 0, what="the queue drained")
        assert sorted(running.ids()) == sorted(e["id"] for e in expected)
    finally:
        running.stop()


def test_the_example_prints_each_event_and_stops_on_sigterm(stack, databases, target, token, tmp_path):
    since = datetime.now(UTC)
    run_flow(Api(stack.base_url))
    expected = published_since(databases, since, types=("invoice",))
    example = subprocess.Popen(
        [sys.executable, "-m", "crmsubscriber.example", "--target", target, "--token", token, "--types", "invoice.*",
         "--from", since.isoformat(), "--state", str(tmp_path / "example.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(example.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        wait_for(lambda: len(lines) >= len(expected) or example.poll() is not None, what="the example's lines")
        example.send_signal(signal.SIGTERM)
        assert example.wait(10) == 0, example.stderr.read()
    finally:
        if example.poll() is None:
            example.kill()
    assert sorted(line.split()[3] for line in lines) == sorted(e["id"] for e in expected)
    assert all(line.split()[1].startswith("crm.invoice.") for line in lines)
