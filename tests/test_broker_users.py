"""``crm broker setup`` on the real broker, in a throwaway vhost: only the relays' user
may publish to the events exchange; the services' user is refused by the broker."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from amqp.exceptions import AccessRefused
from kombu import Connection, Producer

from crmkit.broker import EVENTS_EXCHANGE, RPC_EXCHANGE, declare_events_log
from crmkit.settings import EventLogSettings
from crmkit.testing import RABBIT_API, RabbitVhost


def _publish(amqp_uri: str) -> None:
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        Producer(channel, exchange=EVENTS_EXCHANGE).publish(
            "{}", routing_key="crm.lead.created.v1", content_type="application/json", retry=False,
            mandatory=True)  # returned unroutable (a ChannelError) unless the events log took it


@pytest.fixture(scope="module")
def installation():
    """The users `crm broker setup` made, their AMQP URIs by process kind, and the vhost."""
    with RabbitVhost() as vhost:
        with Connection(vhost.amqp_uri) as conn:  # the exchange, as any setup declares it
            EVENTS_EXCHANGE(conn.channel()).declare()
        suffix = uuid.uuid4().hex[:8]
        users = {"relay": f"crm-relay-{suffix}", "service": f"crm-service-{suffix}"}
        env = {**os.environ, "AMQP_URI": vhost.amqp_uri, "CRM_BROKER_MANAGEMENT_URL": RABBIT_API}
        env.pop("CRM_RELAY_BROKER_PASSWORD", None)
        env.pop("CRM_SERVICE_BROKER_PASSWORD", None)
        done = subprocess.run([str(Path(sys.executable).parent / "crm"), "broker", "setup",
                               "--relay-user", users["relay"], "--service-user", users["service"]],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        uris = dict(line.split("=", 1) for line in done.stdout.split())
        yield vhost, users, uris
    # RabbitVhost's teardown deleted them: users are global, nothing may stay behind.
    for user in users.values():
        assert requests.get(f"{vhost.api}/users/{user}", auth=vhost.auth, timeout=10).status_code == 404


def test_only_the_relays_user_may_publish_to_the_events_exchange(installation):
    vhost, users, uris = installation
    assert set(uris) == {"AMQP_URI", "CRM_RELAY_AMQP_URI"}
    assert users["relay"] in uris["CRM_RELAY_AMQP_URI"] and users["service"] in uris["AMQP_URI"]
    with Connection(uris["CRM_RELAY_AMQP_URI"]) as conn:  # what the relay does on every connection
        declare_events_log(conn, EventLogSettings())
    _publish(uris["CRM_RELAY_AMQP_URI"])
    with pytest.raises(AccessRefused, match="crm.events"):
        _publish(uris["AMQP_URI"])


def test_the_services_user_does_what_nameko_needs_and_the_relays_user_nothing_else(installation):
    vhost, users, uris = installation
    with Connection(uris["AMQP_URI"]) as conn:
        channel = conn.channel()
        channel.queue_declare("crm.leads.on_something", durable=True)
        channel.queue_bind("crm.leads.on_something", "crm.events", "crm.deal.#")
        Producer(channel, exchange=RPC_EXCHANGE).publish("{}", routing_key="leads.health", retry=False)
    for refused in (lambda channel: channel.queue_declare("crm.relay.own", durable=True),
                    lambda channel: channel.basic_get("crm.leads.on_something")):
        with Connection(uris["CRM_RELAY_AMQP_URI"]) as conn, pytest.raises(AccessRefused):
            refused(conn.channel())


def test_a_second_setup_with_given_passwords_keeps_them(installation):
    vhost, users, uris = installation
    env = {**os.environ, "AMQP_URI": vhost.amqp_uri, "CRM_BROKER_MANAGEMENT_URL": RABBIT_API,
           "CRM_RELAY_BROKER_PASSWORD": "relay-pass", "CRM_SERVICE_BROKER_PASSWORD": "service-pass"}
    done = subprocess.run([str(Path(sys.executable).parent / "crm"), "broker", "setup",
                           "--relay-user", users["relay"], "--service-user", users["service"]],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "", done.stderr  # nothing generated, nothing printed
    relay = uris["CRM_RELAY_AMQP_URI"].split("@", 1)[1]
    _publish(f"amqp://{users['relay']}:relay-pass@{relay}")
    uris["CRM_RELAY_AMQP_URI"] = f"amqp://{users['relay']}:relay-pass@{relay}"
