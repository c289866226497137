"""The events log with the whole system: every event a flow publishes is kept in the
broker's log once, in each service's commit order, and can be read again."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import requests

from crmkit import eventlog
from crmkit.broker import EVENTS_EXCHANGE, EVENTS_LOG
from crmkit.testing import RabbitVhost
from events import query, wait_for
from flow import Api, run_flow

SERVICES = ["leads", "deals", "billing"]
BIN = Path(sys.executable).parent


def _outbox(databases, service: str) -> list[tuple[str, bool]]:
    rows = query(databases.url(service), "SELECT event_id, published_at IS NOT NULL FROM outbox ORDER BY id")
    return [(event_id, published) for event_id, published in rows]


def test_every_event_of_a_whole_flow_is_in_the_log_once_in_each_services_commit_order(stack, databases, vhost):
    run_flow(Api(stack.base_url))
    wait_for(lambda: all(published for s in SERVICES for _, published in _outbox(databases, s)),
             what="every outbox published")
    logged = [e.envelope.id for e in eventlog.read(vhost.amqp_uri, idle=1.0)]
    committed = {s: [event_id for event_id, _ in _outbox(databases, s)] for s in SERVICES}
    assert len(logged) == len(set(logged)) == sum(len(ids) for ids in committed.values())
    for service, ids in committed.items():
        assert [i for i in logged if i in set(ids)] == ids, f"{service}'s events out of commit order"

    # Read again from the middle, as a subscriber that remembered a position resumes.
    positions = [e.position for e in eventlog.read(vhost.amqp_uri, idle=1.0)]
    middle = len(positions) // 2
    resumed = [e.envelope.id for e in eventlog.read(vhost.amqp_uri, after=positions[middle], idle=1.0)]
    assert resumed == logged[middle + 1:]


def test_setup_declares_the_log_and_a_changed_retention_does_not_break_it(tmp_path):
    with RabbitVhost() as vhost:
        env = {**os.environ, "AMQP_URI": vhost.amqp_uri, "LEADS_DATABASE_URL": f"sqlite:///{tmp_path / 'leads.db'}",
               "CRM_LOG_FORMAT": "text"}
        for retention in ("7D", "30D"):  # the second would be PRECONDITION_FAILED if redeclared
            setup = subprocess.run([str(BIN / "crm-service"), "setup", "leads"], capture_output=True, text=True,
                                   env={**env, "CRM_EVENTS_RETENTION": retention}, timeout=120)
            assert setup.returncode == 0, setup.stdout + setup.stderr
        api = f"{vhost.api}/queues/{quote(vhost.name, safe='')}/{EVENTS_LOG}"
        stream = requests.get(api, auth=vhost.auth, timeout=10).json()
        assert (stream["type"], stream["arguments"]["x-max-age"]) == ("stream", "7D")
        bindings = requests.get(f"{api}/bindings", auth=vhost.auth, timeout=10).json()
        assert [(b["source"], b["routing_key"]) for b in bindings if b["source"]] == [(EVENTS_EXCHANGE.name, "#")]
