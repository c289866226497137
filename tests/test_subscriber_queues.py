"""Queue subscriptions, on the real broker, database and processes: the dispatcher feeds
a queue of the subscriber's own, read with a login of its own that may read that queue
and nothing else; a full queue holds the subscription back and loses nothing; rotation,
deletion and the sweep take the broker's parts away."""
from __future__ import annotations

import contextlib
import time
import uuid
from datetime import datetime
from urllib.parse import quote

import pytest
import requests
from amqp import Message
from amqp.exceptions import AccessRefused, ConnectionForced
from kombu import Connection, Queue
from test_subscriber import Running

from conftest import running_stack
from crmkit import eventlog
from crmkit.broker import EVENTS_LOG
from crmsubscriber import QueueSubscriber, State
from events import wait_for
from flow import Api, a_lead, run_flow

MAX_LENGTH = 5
# Long enough for a test to see a full queue and then drain it before the dead letter.
RETRIES = ",".join(["0.3", "0.5"] + ["1"] * 30)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, vhost, databases):
    with running_stack(tmp_path_factory.mktemp("queues"), vhost, databases, {
            "CRM_WEBHOOKS_RETRY_SCHEDULE": RETRIES, "CRM_WEBHOOKS_SCAN_SECONDS": "0.3",
            "CRM_SUBSCRIBER_QUEUE_MAX_LENGTH": str(MAX_LENGTH), "CRM_SUBSCRIBER_SWEEP_SECONDS": "1"}) as stack:
        yield stack


def subscribe(api: Api, **fields) -> dict:
    return api.post("/subscriptions", {"name": "erp", "delivery": "queue", **fields}, expect=201)


def login(subscription: dict, password: str | None = None) -> Connection:
    return Connection(subscription["queue"]["amqp_uri"], password=password or subscription["secret"],
                      connect_timeout=5)


def management(vhost, path: str) -> requests.Response:
    return requests.get(f"{vhost.api}/{path}", auth=vhost.auth, timeout=10)


def closed_by_the_broker(conn: Connection, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                conn.drain_events(timeout=0.5)
    except ConnectionForced:
        return True
    finally:
        conn.release()
    return False


def refused(action) -> bool:
    try:
        action()
    except AccessRefused:
        return True
    return False


def test_a_queue_subscription_fills_its_own_queue_read_with_a_login_that_reads_nothing_else(
        stack, vhost, tmp_path):
    api = Api(stack.base_url)
    subscription = subscribe(api, types=["quote.*", "invoice.paid"])
    sid, queue = subscription["id"], subscription["queue"]
    assert queue["name"] == f"crm.subscriber.{sid}" and queue["user"] == f"crm-subscriber-{sid}"
    assert queue["amqp_uri"].startswith(f"amqp://crm-subscriber-{sid}@127.0.0.1")
    assert subscription["secret"] and subscription["url"] is None
    shown = api.get(f"/subscriptions/{sid}")
    assert shown["queue"] == queue and "secret" not in shown

    since = datetime.fromisoformat(subscription["created_at"])
    consumer = Running(QueueSubscriber(queue["amqp_uri"], queue["name"], State(tmp_path / "erp.sqlite"),
                                       password=subscription["secret"]))
    records = run_flow(api)
    try:
        wait_for(lambda: any(e["type"] == "crm.invoice.paid.v1" and e["subject"] == records["invoice"]["id"]
                             for e in consumer.handled), timeout=60, what="the flow's invoice.paid in the queue")
    finally:
        consumer.stop()
    expected = [e.envelope.to_dict() for e in eventlog.read(stack.env["AMQP_URI"], from_time=since)
                if e.envelope.type.startswith("crm.quote.") or e.envelope.type == "crm.invoice.paid.v1"]
    assert consumer.ids() == [e["id"] for e in expected]  # each once, in the log's order
    assert {e["subject"] for e in consumer.handled} == {records["quote"]["id"], records["invoice"]["id"]}
    shown = wait_for(lambda: (lambda s: s if s["delivered"] == len(expected) else None)(
        api.get(f"/subscriptions/{sid}")), what="every publish counted")
    assert shown["failed"] == 0 and shown["position"] is not None
    log = api.get(f"/subscriptions/{sid}/deliveries?limit=100")["items"]
    assert {(d["status"], d["http_status"]) for d in log} == {("delivered", None)}

    # The login reads its queue and does nothing else.
    other = subscribe(api, types=["#"])
    with login(subscription) as conn:
        conn.connect()
        assert refused(lambda: conn.channel().basic_get(other["queue"]["name"]))
        assert refused(lambda: conn.channel().basic_consume(
            EVENTS_LOG, arguments={"x-stream-offset": "first"}, callback=lambda m: None))
        assert refused(lambda: conn.channel().basic_get("rpc-leads"))  # a service's queue
        assert refused(lambda: conn.channel().queue_declare("mine", durable=True))
        assert refused(lambda: conn.channel().queue_delete(queue["name"]))
        assert refused(lambda: publish(conn, "", queue["name"]))
        assert refused(lambda: publish(conn, "crm.events", "crm.invoice.paid.v1"))
    api._send("DELETE", f"/subscriptions/{other['id']}")


def publish(conn: Connection, exchange: str, routing_key: str) -> None:
    """A forged event; the broker's refusal closes the channel, read from the connection."""
    channel = conn.channel()
    channel.confirm_select()
    channel.basic_publish(Message('{"forged": true}'), exchange=exchange, routing_key=routing_key)
    conn.drain_events(timeout=2)


def test_a_full_queue_holds_its_subscription_back_and_loses_nothing(stack, tmp_path):
    api = Api(stack.base_url)
    team = f"team-{uuid.uuid4().hex[:6]}"
    subscription = subscribe(api, types=["lead.created"], team=team)
    leads = [api.post("/leads", a_lead(team=team), expect=201)["id"] for _ in range(3 * MAX_LENGTH)]
    held = wait_for(lambda: (lambda s: s if s["failed"] and "is full" in (s["last_error"] or "") else None)(
        api.get(f"/subscriptions/{subscription['id']}")), timeout=30, what="the queue refusing more")
    assert held["delivered"] <= MAX_LENGTH + 1 and held["dead_lettered"] == 0  # the broker's bound, about

    queue = subscription["queue"]
    consumer = Running(QueueSubscriber(queue["amqp_uri"], queue["name"], State(tmp_path / "full.sqlite"),
                                       password=subscription["secret"]))
    try:
        wait_for(lambda: len(consumer.handled) == len(leads), timeout=60, what="every lead after the wait")
    finally:
        consumer.stop()
    assert [e["subject"] for e in consumer.handled] == leads  # nothing dropped, nothing repeated, in order
    shown = api.get(f"/subscriptions/{subscription['id']}")
    assert shown["delivered"] == len(leads) and shown["dead_lettered"] == 0


def test_rotation_ends_the_old_password_and_deletion_takes_the_login_and_the_queue(stack, vhost):
    api = Api(stack.base_url)
    subscription = subscribe(api, types=["lead.created"])
    sid, user = subscription["id"], subscription["queue"]["user"]
    before = login(subscription)
    before.connect()
    wait_for(lambda: any(c.get("user") == user for c in management(vhost, "connections?columns=user").json()),
             what="the subscriber's connection listed")

    rotated = api.post(f"/subscriptions/{sid}/rotate-secret")
    assert rotated["secret"] != subscription["secret"] and rotated["version"] > subscription["version"]
    assert closed_by_the_broker(before)  # the connection opened with the old password
    with pytest.raises(AccessRefused):
        login(subscription).connect()
    with login(subscription, rotated["secret"]) as conn:
        conn.connect()
        conn.channel().queue_declare(subscription["queue"]["name"], passive=True)

    api._send("DELETE", f"/subscriptions/{sid}")
    assert management(vhost, f"users/{quote(user, safe='')}").status_code == 404
    assert management(vhost, f"queues/{quote(vhost.name, safe='')}/crm.subscriber.{sid}").status_code == 404


def test_the_sweep_removes_what_no_subscription_owns_and_keeps_what_one_does(stack, vhost):
    api = Api(stack.base_url)
    kept = subscribe(api, types=["lead.created"])
    orphan = str(uuid.uuid4())  # made here, as a create whose commit was lost would leave it
    auth, api_url, name = vhost.auth, vhost.api, quote(vhost.name, safe="")
    requests.put(f"{api_url}/users/crm-subscriber-{orphan}", json={"password": "x", "tags": ""}, auth=auth,
                 timeout=10).raise_for_status()
    requests.put(f"{api_url}/permissions/{name}/crm-subscriber-{orphan}", auth=auth, timeout=10,
                 json={"configure": "^$", "write": "^$", "read": "^$"}).raise_for_status()
    with Connection(stack.env["AMQP_URI"]) as conn:
        Queue(f"crm.subscriber.{orphan}", durable=True)(conn.default_channel).declare()

    wait_for(lambda: management(vhost, f"users/crm-subscriber-{orphan}").status_code == 404, timeout=20,
             what="the orphaned login removed")
    assert management(vhost, f"queues/{name}/crm.subscriber.{orphan}").status_code == 404
    assert management(vhost, f"users/{kept['queue']['user']}").status_code == 200
    assert management(vhost, f"queues/{name}/{kept['queue']['name']}").status_code == 200
