"""Every RPC answer of the subscriptions service matches its output schema
(schemas.RPC_OUTPUTS), strictly: the answers are made by the service's own RPC methods
over a migrated database (PostgreSQL and SQLite), one unit of work per call committed
before the answer, as nameko runs them, and sent through JSON as RPC carries them
(crmkit.strict_outputs says why strictly). Every field of every output schema must be
seen filled in at least once, and each nullable one null at least once (``NEVER``)."""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from crmkit.db import utcnow
from crmkit.strict_outputs import Mismatch, Outputs, ServiceCalls, check, rpc_methods
from crmkit.testing import migrated_engine
from subscriptions import schemas
from subscriptions.models import DISABLED, Cursor, DeadLetter, Delivery, LogHead, Subscription
from subscriptions.service import SubscriptionsService

SERVICE, SERVICE_CLASS, MODULES = "subscriptions", SubscriptionsService, (schemas,)

NEVER: dict = {
    # A queue subscription's parts are made on the broker through its management API: the
    # answers with a queue are checked on the real broker in tests/test_subscriber_queues.py.
    ("SubscriptionOut", "queue", "set"): "a queue subscription needs the broker; tests/test_subscriber_queues.py",
    ("NewSubscriptionOut", "queue", "set"): "a queue subscription needs the broker; tests/test_subscriber_queues.py",
    ("QueueOut", "name", "set"): "as above", ("QueueOut", "user", "set"): "as above",
    ("QueueOut", "amqp_uri", "set"): "as above",
    ("StreamProgressOut", "why", "null"): "a progress that goes on says no why: the field is left out",
    ("StreamStartOut", "after", "null"): "a start from a time or from now leaves after out",
    ("StreamStartOut", "from_time", "null"): "a start after a position or from now leaves from_time out",
}

OUTPUTS = Outputs(MODULES, schemas.RPC_OUTPUTS)
schema_named, check_answer = OUTPUTS.schema_named, OUTPUTS.check_answer
PUBLIC_URL = "https://8.8.8.8/hook"  # a public address: no DNS, and the target check passes


def write(rpc: ServiceCalls, work) -> None:
    """What the dispatcher writes (deliveries, dead letters, a disabling), straight to the
    database: the service's RPCs then answer about it."""
    rpc.run(lambda unit: work(unit.session))


def scenario(rpc: ServiceCalls) -> None:
    filtered = rpc.create_subscription({"name": "ERP", "url": PUBLIC_URL, "types": ["quote.*", "invoice.paid"],
                                        "team": "north", "organization_id": "0190a1b2-0000-7000-8000-000000000001",
                                        "min_amount": "1000.00"}, "integration", "erp")
    plain = rpc.create_subscription({"name": "warehouse", "url": PUBLIC_URL, "types": ["#"], "start": "first"},
                                    "admin", None)
    stream = rpc.create_subscription({"name": "stream", "delivery": "stream", "types": ["lead.*"],
                                      "start": "2026-12-01T00:00:00Z"}, "integration", "bi")
    rpc.get_subscription(plain["id"])
    rpc.list_subscriptions({})
    rpc.list_subscriptions({"status": "active", "limit": "1"})
    rpc.update_subscription(filtered["id"], {"types": ["quote.accepted"], "min_amount": None}, filtered["version"])
    rpc.pause_subscription(plain["id"])
    rpc.resume_subscription(plain["id"])
    rpc.rotate_subscription_secret(filtered["id"])

    # The dispatcher delivered some, failed one, gave one up, and saw the log's head.
    at = utcnow()

    def deliveries(session):
        session.add_all([
            Delivery(subscription_id=filtered["id"], event_id="e-1", event_type="crm.quote.sent.v1", subject="q-1",
                     position=7, attempt=1, status="delivered", http_status=204, latency_ms=12, error=None, at=at),
            Delivery(subscription_id=filtered["id"], event_id="e-2", event_type="crm.quote.accepted.v1",
                     subject="q-1", position=8, attempt=3, status="failed", http_status=None, latency_ms=10000,
                     error="TimeoutError: timed out", at=at),
            DeadLetter(subscription_id=filtered["id"], position=8, event_id="e-2", event_type="crm.quote.accepted.v1",
                       subject="q-1", envelope={"id": "e-2"}, attempts=15, last_error="answered 503"),
            LogHead(id=1, position=40, seen_at=at)])
        session.execute(update(Cursor).where(Cursor.subscription_id == filtered["id"]).values(
            position=8, delivered=1, failed=15, dead_lettered=1, last_error="answered 503", last_error_at=at,
            last_delivered_at=at))
        session.execute(update(Subscription).where(Subscription.id == plain["id"]).values(
            status=DISABLED, disabled_reason="No 2xx for 432000 s; last: answered 503"))

    write(rpc, deliveries)
    rpc.get_subscription(filtered["id"])
    rpc.get_subscription(plain["id"])
    rpc.rotate_subscription_secret(filtered["id"])  # a new secret on one with a past
    rpc.rotate_subscription_secret(plain["id"])  # and on a disabled one
    rpc.subscription_deliveries(filtered["id"], {})
    rpc.subscription_deliveries(stream["id"], {})
    letters = rpc.subscription_dead_letters(filtered["id"], {})
    rpc.redeliver_dead_letter(filtered["id"], letters["items"][0]["id"])
    rpc.subscription_dead_letters(filtered["id"], {})
    write(rpc, lambda session: session.execute(update(DeadLetter).where(
        DeadLetter.id == letters["items"][0]["id"]).values(status="redelivered", last_error=None,
                                                           redelivered_at=utcnow())))
    rpc.subscription_dead_letters(filtered["id"], {})
    rpc.replay_subscription(filtered["id"], {"after": 3})
    rpc.replay_subscription(plain["id"], {"from_time": (datetime.now(UTC) - timedelta(days=1)).isoformat()})

    # A stream: opened from its start time, told its progress, opened again after it; a
    # newer stream takes it, a replay, a pause and a delete end it.
    first = rpc.open_stream(stream["id"])
    rpc.stream_progress(stream["id"], first["generation"], 12, 3, first["holder"])
    second = rpc.open_stream(stream["id"])
    rpc.stream_progress(stream["id"], first["generation"], 13, 1, first["holder"])  # taken
    rpc.stream_progress(stream["id"], second["generation"] + 1, 13, 0, second["holder"])  # replayed
    write(rpc, lambda session: session.execute(update(Cursor).where(Cursor.subscription_id == stream["id"]).values(
        position=None, start_time=None)))
    rpc.open_stream(stream["id"])  # from now
    rpc.pause_subscription(stream["id"])
    rpc.stream_progress(stream["id"], second["generation"], 13, 0, None)
    rpc.delete_subscription(stream["id"])
    rpc.stream_progress(stream["id"], second["generation"], 13, 0, None)
    rpc.delete_subscription(plain["id"])
    rpc.health()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def answers(request, tmp_path_factory) -> dict[str, list]:
    with migrated_engine(SERVICE, request.param, tmp_path_factory.mktemp("outputs")) as engine:
        rpc = ServiceCalls(engine, SERVICE, SERVICE_CLASS)
        scenario(rpc)
        yield dict(rpc.answers)


def test_every_rpc_has_its_output_in_rpc_outputs():
    assert {"create_subscription", "health"} <= rpc_methods(SERVICE_CLASS)
    assert OUTPUTS.declaration_problems(SERVICE_CLASS) == []


@pytest.mark.parametrize("method", sorted(schemas.RPC_OUTPUTS))
def test_each_answer_matches_its_output_schema(answers, method):
    assert answers.get(method), f"the scenario never called {method}"
    seen = defaultdict(set)
    for answer in answers[method]:
        check_answer(method, answer, seen)


def test_every_field_is_answered_both_filled_in_and_null_where_it_may_be(answers):
    assert OUTPUTS.unseen(answers, NEVER) == []


def test_the_stream_progress_says_why_it_ends(answers):
    assert [a.get("why") for a in answers["stream_progress"]] == [None, "taken", "replayed", "paused", "deleted"]


def test_the_check_refuses_what_a_schema_does_not_say(answers):
    shown = next(s for s in answers["get_subscription"] if s["lag"] is not None)
    check(schemas.SubscriptionOut(), shown, "subscription", defaultdict(set))
    for broken, complaint in [
        ({**shown, "surprise": 1}, "has no field surprise"),
        ({**shown, "lag": "32"}, "expects int"),
        ({**shown, "delivery": "carrier pigeon"}, "refused"),
        ({**shown, "min_amount": 10.5}, "expects str"),
        ({**shown, "name": None}, "does not allow_none"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(schemas.SubscriptionOut(), broken, "subscription", defaultdict(set))
