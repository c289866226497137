"""The events log with the whole system: every event a flow publishes is kept in the
broker's log once, in each service's commit order, and can be read again."""
from __future__ import annotations

from crmkit import eventlog
from events import query, wait_for
from flow import Api, run_flow

SERVICES = ["leads", "deals", "billing"]


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
