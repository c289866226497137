"""``crm broker setup`` on the real broker, in a throwaway vhost: only the relays' user
may publish to the events exchange, only the events log's reader may read the events
log (and do nothing else); the services' user is refused both by the broker."""
from __future__ import annotations

import os
import subprocess
import sys
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
    _publish(f"amqp://{users['relay']}:relay-pass@{place}")
    eventlog.EventLogReader(f"amqp://{users['log_reader']}:reader-pass@{place}").close()
    with Connection(f"amqp://{users['service']}:service-pass@{place}") as conn:
        conn.channel().queue_declare(HANDLER_QUEUE, durable=True)
