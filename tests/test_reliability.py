"""Crashes, redeliveries and poison: what must hold when things go wrong.

Every process is real; the stack is shared by the module, and each test puts back
what it killed. The module runs on a RabbitMQ node and a PostgreSQL cluster of its own
(where the machine has their binaries), which the restart tests restart: never the
shared ones other test runs use.
"""
from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from kombu import Connection
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from conftest import SERVICES
from crmkit import testing
from crmkit.ids import new_id
from crmkit.testing import PostgresDatabases, PrivateBroker, PrivateDatabase, RabbitVhost
from events import outbox_events, publish, query, wait_for
from flow import Api, a_lead, convert_lead, quote_and_accept, run_flow

OPPORTUNITY_CREATED = "crm.opportunity.created.v1"


@pytest.fixture(scope="module")
def own_broker():
    """A broker node of this module's own, which the restart test restarts; None on a
    machine without rabbitmq-server (the module then runs on the shared broker, without
    the restart test)."""
    if not PrivateBroker.available():
        yield None
        return
    with PrivateBroker() as broker:
        yield broker


@pytest.fixture(scope="module")
def own_cluster():
    """A PostgreSQL cluster of this module's own, which the restart test restarts; None on a
    machine without initdb and pg_ctl (the module then runs on the shared cluster, without
    the restart test)."""
    if not PrivateDatabase.available():
        yield None
        return
    with PrivateDatabase() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def vhost(own_broker):
    """This module's vhost (and so its stack) is on its own broker node where it has one."""
    with RabbitVhost(**({"amqp_uri": own_broker.amqp_uri, "api": own_broker.api} if own_broker else {})) as vhost:
        yield vhost


@pytest.fixture(scope="module")
def databases(own_cluster):
    """This module's databases (and so its stack) are on its own cluster where it has one."""
    with PostgresDatabases(SERVICES, **({"admin_url": own_cluster.url} if own_cluster else {})) as databases:
        yield databases


def _opportunity_made_once(databases, opportunity_id: str) -> None:
    deals = databases.url("deals")
    assert query(deals, "SELECT count(*) FROM opportunities WHERE id = :i", i=opportunity_id)[0][0] == 1
    assert len(outbox_events(deals, OPPORTUNITY_CREATED, opportunity_id)) == 1


def test_relay_killed_after_the_commit_and_before_the_publish_loses_nothing(stack, databases):
    api = Api(stack.base_url)
    stack.stop("leads-relay")
    relay = stack.start("leads-relay", {"CRM_RELAY_FAULT": "before_publish"})
    lead = convert_lead(api)  # committed, with lead.converted in the leads outbox
    assert relay.wait(timeout=20) == -9, "the relay should have SIGKILLed itself before publishing"
    stack.procs.pop("leads-relay")
    opportunity_path = f"/opportunities/{lead['converted_opportunity_id']}"
    time.sleep(1)
    api.get(opportunity_path, expect=404)  # not published: nothing downstream yet

    stack.start("leads-relay")
    api.eventually(opportunity_path)
    _opportunity_made_once(databases, lead["converted_opportunity_id"])


def test_relay_killed_after_the_publish_and_before_marking_acts_once(stack, databases):
    api = Api(stack.base_url)
    stack.stop("leads-relay")
    relay = stack.start("leads-relay", {"CRM_RELAY_FAULT": "after_publish"})
    lead = convert_lead(api)
    assert relay.wait(timeout=20) == -9
    stack.procs.pop("leads-relay")
    opportunity_id = lead["converted_opportunity_id"]
    api.eventually(f"/opportunities/{opportunity_id}")  # the publish went through

    stack.start("leads-relay")  # publishes the same rows again: the same event ids
    wait_for(lambda: "already handled" in stack.logs("deals"), what="deals skipping the republished event")
    _opportunity_made_once(databases, opportunity_id)
    unpublished = query(databases.url("leads"), "SELECT count(*) FROM outbox WHERE published_at IS NULL")
    wait_for(lambda: query(databases.url("leads"), "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0] == 0,
             what=f"the leads outbox drained (had {unpublished[0][0]})")


def test_the_same_event_delivered_twice_has_one_effect(stack, databases):
    api = Api(stack.base_url)
    records = run_flow(api)
    deals, billing = databases.url("deals"), databases.url("billing")
    accepted = outbox_events(deals, "crm.quote.accepted.v1", records["quote"]["id"])
    assert len(accepted) == 1
    event = accepted[0]

    publish(stack.env["AMQP_URI"], event)  # the same id: the inbox skips it
    publish(stack.env["AMQP_URI"], {**event, "id": new_id()})  # a new id, same quote: one order per quote
    wait_for(lambda: query(billing, "SELECT count(*) FROM inbox WHERE event_id = :i", i=event["id"])[0][0] == 1
             and stack.logs("billing").count("already handled") >= 1, what="billing skipping the redelivery")
    time.sleep(1)  # give the second copy time to do harm, were it going to

    assert query(billing, "SELECT count(*) FROM orders WHERE quote_id = :q", q=records["quote"]["id"])[0][0] == 1
    assert query(billing, "SELECT count(*) FROM invoices")[0][0] == query(billing, "SELECT count(*) FROM orders")[0][0]
    # and no invoice number was burnt: the next invoice follows the last one
    last = records["invoice"]["number"]
    following = run_flow(api)["invoice"]["number"]
    assert int(following.rsplit("-", 1)[1]) == int(last.rsplit("-", 1)[1]) + 1


def test_a_poison_event_ends_in_the_dead_letter_queue_and_the_service_keeps_serving(stack, databases, vhost):
    api = Api(stack.base_url)
    records = run_flow(api)
    event = outbox_events(databases.url("deals"), "crm.quote.accepted.v1", records["quote"]["id"])[0]
    # Totals that the totals engine would never produce: billing must refuse to bill them.
    poison = {**event, "id": new_id(), "subject": new_id()}
    poison["data"] = {**event["data"], "record": {**event["data"]["record"], "id": poison["subject"],
                                                  "order_id": new_id(), "grand_total": "1.00"}}
    publish(stack.env["AMQP_URI"], poison)

    dead = "crm.billing.on_quote_accepted.dead"
    wait_for(lambda: vhost.queue_depth(dead) == 1, what="the poison event in billing's dead-letter queue")
    assert stack.logs("billing").count(f"event {poison['id']} failed") == 2  # both retries were taken
    api.get(f"/orders/{poison['data']['record']['order_id']}", expect=404)

    assert run_flow(api)["invoice"]["status"] == "paid"  # billing still serves

    env = {**stack.env}
    listed = subprocess.run([sys.executable, "-m", "crmkit.dlq", "list"], env=env, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    assert f"{dead}\t1" in listed and "crm.deals.on_lead_converted.dead\t0" in listed
    shown = subprocess.run([sys.executable, "-m", "crmkit.dlq", "show", dead], env=env, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    info = json.loads(shown[0])
    assert info["event_id"] == poison["id"] and info["attempts"] == 2
    assert "totals differ" in info["error"] and info["queue"] == "crm.billing.on_quote_accepted"
    assert vhost.queue_depth(dead) == 1  # showing leaves it there


@pytest.mark.parametrize("victim", ["leads", "leads-relay", "deals", "deals-relay", "billing", "billing-relay",
                                    "gateway"])
def test_killing_any_process_mid_flow_loses_and_duplicates_nothing(stack, databases, victim):
    """SIGKILL one process, run the whole flow while it is down, start it again: the
    flow completes (work waits in queues and outboxes), and nothing happens twice."""
    stack.kill(victim)
    api = Api(stack.base_url, wait_for_gateway=30)
    with ThreadPoolExecutor(1) as pool:
        flow = pool.submit(run_flow, api)
        if victim == "billing-relay":
            # Nothing inside the system waits for billing's events, so the flow ends;
            # its events wait in the outbox for the relay to come back.
            flow.result(timeout=90)
            assert query(databases.url("billing"), "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0] > 0
        else:
            time.sleep(1.5)
            assert not flow.done(), f"the flow finished without {victim}"
        stack.start(victim)
        records = flow.result(timeout=90)

    assert records["invoice"]["status"] == "paid"
    _opportunity_made_once(databases, records["opportunity"]["id"])
    billing = databases.url("billing")
    quote_id = records["quote"]["id"]
    assert query(billing, "SELECT count(*) FROM orders WHERE quote_id = :q", q=quote_id)[0][0] == 1
    assert len(records["order"]["invoice_ids"]) == 1
    assert query(billing, "SELECT count(*) FROM payments WHERE invoice_id = :i",
                 i=records["invoice"]["id"])[0][0] == 1
    leads = databases.url("leads")
    assert query(leads, "SELECT count(*) FROM leads WHERE id = :i", i=records["lead"]["id"])[0][0] == 1
    for service in ("leads", "deals", "billing"):
        url = databases.url(service)
        wait_for(lambda url=url: query(url, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0] == 0,
                 what=f"the {service} outbox drained")


@contextlib.contextmanager
def shared_broker_and_database_untouched():
    """A connection held to the shared broker and one to the shared PostgreSQL still work
    afterwards, on the same postmaster: a restart of either would have dropped them."""
    shared_postgres = create_engine(testing.POSTGRES_URL, poolclass=NullPool)
    with RabbitVhost() as shared, Connection(shared.amqp_uri) as broker, shared_postgres.connect() as database:
        channel = broker.channel()
        started = database.execute(text("SELECT pg_postmaster_start_time()")).scalar()
        yield
        channel.exchange_declare("amq.topic", "topic", passive=True)  # raises on a connection the broker closed
        assert database.execute(text("SELECT pg_postmaster_start_time()")).scalar() == started


def test_a_broker_restart_loses_no_event_and_every_process_reconnects(stack, databases, own_broker):
    if own_broker is None:
        pytest.skip("needs rabbitmq-server on this machine, to start a broker node of the module's own to restart")
    api = Api(stack.base_url, wait_for_gateway=30)
    with shared_broker_and_database_untouched():
        stack.stop("deals")  # lead.converted will wait in deals' durable queue across the restart
        lead = convert_lead(api)
        with own_broker.down():
            api.post("/leads", a_lead(), expect=503)  # not a 500: the client may send it again
        stack.start("deals")
        stack.wait_ready(SERVICES, timeout=90)
        api.eventually(f"/opportunities/{lead['converted_opportunity_id']}", timeout=60)
        _opportunity_made_once(databases, lead["converted_opportunity_id"])

        deadline = time.monotonic() + 60
        while True:  # the gateway's reply queue is re-made when its consumer reconnects
            try:
                records = run_flow(api)
                break
            except AssertionError as failure:
                assert "503" in str(failure) and time.monotonic() < deadline, failure
                time.sleep(1)
        assert records["invoice"]["status"] == "paid"


def test_a_database_restart_loses_nothing_and_every_process_reconnects(stack, own_cluster):
    if own_cluster is None:
        pytest.skip("needs PostgreSQL's initdb and pg_ctl on this machine, to start a cluster of the module's own")
    api = Api(stack.base_url)
    with shared_broker_and_database_untouched():
        stack.stop("deals-relay")  # quote.accepted will wait in the deals outbox across the restart
        converted = convert_lead(api)
        opportunity = api.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
        accepted = quote_and_accept(api, opportunity["id"])
        own_cluster.restart()
        stack.start("deals-relay")
        order = api.eventually(f"/orders/{accepted['order_id']}", timeout=60)
        assert len(order["invoice_ids"]) == 1

        deadline = time.monotonic() + 60
        while True:  # each pool finds its connections dead once, on first use
            try:
                records = run_flow(api)
                break
            except AssertionError as failure:
                assert time.monotonic() < deadline, failure
                time.sleep(1)
        assert records["invoice"]["status"] == "paid"  # every relay publishes again: the flow needs them all


def test_a_service_killed_after_its_commit_and_before_its_answer_does_the_write_once(stack, databases):
    """The RPC is redelivered to the restarted service, which finds the write and its
    answer under the request's idempotency key instead of doing it again."""
    api = Api(stack.base_url)
    stack.stop("leads")
    leads = stack.start("leads", {"CRM_SERVICE_FAULT": "after_commit:create_lead"})
    stack.wait_ready(["leads"])
    body = a_lead()
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(lambda: api._send("POST", "/leads", json=body))
        assert leads.wait(timeout=20) == -9, "leads should have SIGKILLed itself after the commit"
        stack.procs.pop("leads")
        stack.start("leads")
        resp = answer.result(timeout=30)
    assert resp.status_code == 201, resp.text
    rows = query(databases.url("leads"), "SELECT id FROM leads WHERE email = :e", e=body["email"])
    assert [row.id for row in rows] == [resp.json()["id"]]
    assert len(outbox_events(databases.url("leads"), "crm.lead.created.v1", resp.json()["id"])) == 1
