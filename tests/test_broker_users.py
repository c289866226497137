"""``crm broker setup`` on the real broker, in a throwaway vhost: only the relays' user
may publish to the events exchange, only the events log's reader may read the events
log (and do nothing else); the services' user is refused both by the broker; and the
whole system runs with each process on its own user."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Producer

from crmkit import eventlog
from crmkit.broker import EVENTS_EXCHANGE, RPC_EXCHANGE, declare_events_log
from crmkit.envelope import CONTENT_TYPE, Envelope, event_type
from crmkit.settings import EventLogSettings
from crmkit.testing import RABBIT_API, RabbitVhost

PASSWORDS = ("CRM_RELAY_BROKER_PASSWORD", "CRM_LOG_READER_BROKER_PASSWORD", "CRM_SERVICE_BROKER_PASSWORD")
HANDLER_QUEUE = "crm.leads.on_something"


def _publish(amqp_uri: str, body: str = "{}", exchange=EVENTS_EXCHANGE, routing_key: str = "crm.lead.created.v1",
             content_type: str = "application/json") -> None:
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        Producer(channel, exchange=exchange).publish(
            body, routing_key=routing_key, content_type=content_type, retry=False,
            mandatory=True)  # returned unroutable (a ChannelError) unless a queue took it


def _setup(vhost: RabbitVhost, users: dict, passwords: dict) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PASSWORDS}
    env.update(AMQP_URI=vhost.amqp_uri, CRM_BROKER_MANAGEMENT_URL=RABBIT_API, **passwords)
    return subprocess.run([str(Path(sys.executable).parent / "crm"), "broker", "setup",
                           "--relay-user", users["relay"], "--log-reader-user", users["log_reader"],
                           "--service-user", users["service"]],
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def installation():
    """The users `crm broker setup` made, their AMQP URIs by setting, and the vhost."""
    with RabbitVhost() as vhost:
        with Connection(vhost.amqp_uri) as conn:  # the exchange and a handler's queue, as any setup makes them
            EVENTS_EXCHANGE(conn.channel()).declare()
            conn.channel().queue_declare(HANDLER_QUEUE, durable=True)
        suffix = uuid.uuid4().hex[:8]
        users = {"relay": f"crm-relay-{suffix}", "log_reader": f"crm-log-reader-{suffix}",
                 "service": f"crm-service-{suffix}"}
        done = _setup(vhost, users, {})
        assert done.returncode == 0, done.stderr
        uris = dict(line.split("=", 1) for line in done.stdout.split())
        with Connection(uris["CRM_RELAY_AMQP_URI"]) as conn:  # what the relay does on every connection
            declare_events_log(conn, EventLogSettings())
        yield vhost, users, uris
    # RabbitVhost's teardown deleted them: users are global, nothing may stay behind.
    for user in users.values():
        assert requests.get(f"{vhost.api}/users/{user}", auth=vhost.auth, timeout=10).status_code == 404


def test_only_the_relays_user_may_publish_to_the_events_exchange(installation):
    vhost, users, uris = installation
    assert set(uris) == {"AMQP_URI", "CRM_RELAY_AMQP_URI", "CRM_EVENTS_LOG_AMQP_URI"}
    assert users["relay"] in uris["CRM_RELAY_AMQP_URI"] and users["service"] in uris["AMQP_URI"]
    assert users["log_reader"] in uris["CRM_EVENTS_LOG_AMQP_URI"]
    _publish(uris["CRM_RELAY_AMQP_URI"])
    for other in ("AMQP_URI", "CRM_EVENTS_LOG_AMQP_URI"):
        with pytest.raises(AccessRefused, match="crm.events"):
            _publish(uris[other])


def test_the_services_user_does_what_nameko_needs_but_read_the_log(installation):
    vhost, users, uris = installation
    with Connection(uris["AMQP_URI"]) as conn:
        channel = conn.channel()
        channel.queue_declare(HANDLER_QUEUE, durable=True)
        channel.queue_bind(HANDLER_QUEUE, "crm.events", "crm.deal.#")
        Producer(channel, exchange=RPC_EXCHANGE).publish("{}", routing_key="leads.health", retry=False)
        channel.basic_get(HANDLER_QUEUE)
        declare_events_log(conn, EventLogSettings())  # what `crm-service setup` does
    with pytest.raises(AccessRefused, match="crm.events.log"):
        eventlog.EventLogReader(uris["AMQP_URI"])


def test_the_relays_user_does_nothing_else(installation):
    vhost, users, uris = installation
    for refused in (lambda channel: channel.queue_declare("crm.relay.own", durable=True),
                    lambda channel: channel.basic_get(HANDLER_QUEUE)):
        with Connection(uris["CRM_RELAY_AMQP_URI"]) as conn, pytest.raises(AccessRefused):
            refused(conn.channel())


def test_the_log_reader_reads_the_log_and_does_nothing_else(installation):
    vhost, users, uris = installation
    envelope = Envelope.new(source="urn:crm:test:leads", type=event_type("lead.created"), subject="L-1",
                            data={"record": {"name": "a person"}})
    _publish(uris["CRM_RELAY_AMQP_URI"], envelope.to_json(), routing_key=envelope.type, content_type=CONTENT_TYPE)
    # As the dispatcher and the gateway's streams read it: a stream offset, a prefetch bound, acks.
    read = [event.envelope.id for event in eventlog.read(uris["CRM_EVENTS_LOG_AMQP_URI"], types=["lead.created"])]
    assert read == [envelope.id]
    refused = {"declaring a queue": lambda channel: channel.queue_declare("crm.reader.own", durable=True),
               "reading a handler's queue": lambda channel: channel.basic_get(HANDLER_QUEUE),
               "binding the log": lambda channel: channel.queue_bind("crm.events.log", "crm.events", "x.#")}
    for what, attempt in refused.items():
        with Connection(uris["CRM_EVENTS_LOG_AMQP_URI"]) as conn, pytest.raises(AccessRefused):
            attempt(conn.channel())
            pytest.fail(f"the log reader was let {what}")
    with pytest.raises(AccessRefused):  # nor through the default exchange, straight into a queue
        _publish(uris["CRM_EVENTS_LOG_AMQP_URI"], exchange=Exchange(""), routing_key=HANDLER_QUEUE)


def test_a_second_setup_with_given_passwords_keeps_them(installation):
    vhost, users, uris = installation
    passwords = dict(zip(PASSWORDS, ("relay-pass", "reader-pass", "service-pass"), strict=True))
    done = _setup(vhost, users, passwords)
    assert done.returncode == 0 and done.stdout == "", done.stderr  # nothing generated, nothing printed
    place = uris["CRM_RELAY_AMQP_URI"].split("@", 1)[1]
    uris.update(CRM_RELAY_AMQP_URI=f"amqp://{users['relay']}:relay-pass@{place}",
                CRM_EVENTS_LOG_AMQP_URI=f"amqp://{users['log_reader']}:reader-pass@{place}",
                AMQP_URI=f"amqp://{users['service']}:service-pass@{place}")  # for the tests after this one
    _publish(uris["CRM_RELAY_AMQP_URI"])
    eventlog.EventLogReader(uris["CRM_EVENTS_LOG_AMQP_URI"]).close()
    with Connection(uris["AMQP_URI"]) as conn:
        conn.channel().queue_declare(HANDLER_QUEUE, durable=True)


def test_the_whole_system_runs_on_its_own_users(installation, databases, tmp_path):
    """Every process of the Procfile with the logins `crm broker setup` made: services on
    the services' user, relays on theirs, the dispatcher and the gateway's event streams
    on the log reader's. A lead made through the API reaches a gRPC stream and the
    dispatcher's view of the log's end; the broker refused no one."""
    import grpc
    from sqlalchemy import create_engine, text

    from conftest import SERVICES, make_stack
    from flow import Api, a_lead
    from gateway.pb import events_pb2, events_pb2_grpc

    vhost, users, uris = installation
    stack = make_stack(tmp_path, vhost, {s: databases.url(s) for s in SERVICES})
    stack.env.update(uris)  # AMQP_URI, CRM_RELAY_AMQP_URI, CRM_EVENTS_LOG_AMQP_URI: each process uses its own
    stack.setup(SERVICES)
    stack.start_all()
    try:
        stack.wait_ready(SERVICES)
        lead = Api(stack.base_url).post("/leads", a_lead(), expect=201)
        channel = grpc.insecure_channel(f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}")
        call = events_pb2_grpc.EventsStub(channel).Subscribe(
            events_pb2.SubscribeRequest(from_position=0, types=["lead.created"]),
            metadata=[("authorization", f"Bearer {stack.token('integration', 'erp')}")], timeout=30)
        # Read from the start (this module's own events are there too) until the lead's
        # event: the call's deadline fails the test if it never comes.
        subjects = (json.loads(r.event.cloudevent)["subject"] for r in call if r.HasField("event"))
        assert lead["id"] in subjects
        call.cancel()
        channel.close()
        engine = create_engine(databases.url("subscriptions"))
        try:
            head = None
            for _ in range(100):  # the dispatcher writes the head it saw every scan
                with engine.connect() as conn:
                    head = conn.execute(text("SELECT position FROM log_head")).scalar()
                if head is not None:
                    break
                time.sleep(0.2)
        finally:
            engine.dispose()
        assert head is not None, "the dispatcher never saw the log's end"
    finally:
        stack.stop_all()
    for log in sorted((tmp_path / "logs").glob("*.log")):
        assert "ACCESS_REFUSED" not in log.read_text(), f"{log.name}: {log.read_text()[-2000:]}"
