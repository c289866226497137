"""The events stream (crm.events.v1.Events/Subscribe on the gateway's gRPC port) with the
whole system: a subscriber gets exactly a flow's events, resumes by position with no gap
and no repeat (a client that left, a gateway SIGKILLed), hears heartbeats while the log
is quiet, and gets only what its token and role allow, for as long as they allow it."""
from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime

import grpc
import pytest
import requests
from google.protobuf import timestamp_pb2

from events import publish, query, wait_for
from flow import Api, a_lead, convert_lead, quote_and_accept, run_flow
from gateway.pb import events_pb2, events_pb2_grpc, leads_pb2, leads_pb2_grpc
from test_grpc import error as error_body

SERVICES = ["leads", "deals", "billing"]


@pytest.fixture(scope="module")
def target(stack):
    return f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}"


@pytest.fixture(scope="module")
def admin_token(stack):
    return stack.token("admin", "stream-admin")


@pytest.fixture(scope="module")
def integration_token(stack):
    return stack.token("integration", "erp")


class Stream:
    """One Subscribe call, read on a thread of its own into ``responses`` until it ends."""

    def __init__(self, target: str, token: str, **request):
        self.channel = grpc.insecure_channel(target)
        stub = events_pb2_grpc.EventsStub(self.channel)
        self.call = stub.Subscribe(events_pb2.SubscribeRequest(**request),
                                   metadata=[("authorization", f"Bearer {token}")])
        self.responses: list[events_pb2.SubscribeResponse] = []
        self.error: grpc.RpcError | None = None
        self.ended_at: float | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for response in self.call:
                self.responses.append(response)
        except grpc.RpcError as exc:
            self.error = exc
        self.ended_at = time.monotonic()

    @property
    def events(self) -> list[events_pb2.LoggedEvent]:
        return [r.event for r in list(self.responses) if r.HasField("event")]

    @property
    def heartbeats(self) -> list[events_pb2.Heartbeat]:
        return [r.heartbeat for r in list(self.responses) if r.HasField("heartbeat")]

    def ids(self) -> list[str]:
        return [json.loads(e.cloudevent)["id"] for e in self.events]

    def wait_ended(self, timeout: float = 10) -> grpc.RpcError | None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the stream did not end within {timeout}s"
        return self.error

    def close(self) -> None:
        self.call.cancel()
        self._thread.join(5)
        self.channel.close()


def timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def published_since(databases, since: datetime) -> list[str]:
    """The ids of the events every service committed at ``since`` or later, once all are published."""
    def all_published():
        return all(published for s in SERVICES for (published,) in query(
            databases.url(s), "SELECT published_at IS NOT NULL FROM outbox"))
    wait_for(all_published, what="every outbox published")
    ids = []
    for service in SERVICES:
        for (body,) in query(databases.url(service), "SELECT body FROM outbox ORDER BY id"):
            event = json.loads(body)
            if datetime.fromisoformat(event["time"]) >= since:
                ids.append(event["id"])
    return ids


def wait_events(stream: Stream, count: int, timeout: float = 30) -> None:
    wait_for(lambda: len(stream.events) >= count or stream.ended_at, timeout=timeout,
             what=f"{count} events on the stream")
    assert len(stream.events) >= count, stream.error


# What a subscriber gets
def test_from_a_time_a_subscriber_gets_exactly_a_whole_flows_events(stack, databases, target, integration_token):
    since = datetime.now(UTC)
    run_flow(Api(stack.base_url))
    expected = published_since(databases, since)
    stream = Stream(target, integration_token, from_time=timestamp(since), heartbeat_seconds=1)
    try:
        wait_events(stream, len(expected))
        time.sleep(1.5)  # anything more would be a repeat or an event from before
        assert sorted(stream.ids()) == sorted(expected) and len(stream.ids()) == len(set(stream.ids()))
        positions = [e.position for e in stream.events]
        assert positions == sorted(set(positions))
        # Each one the CloudEvent the log keeps, as a webhook would post it.
        first = json.loads(stream.events[0].cloudevent)
        assert first["specversion"] == "1.0" and first["source"].startswith("urn:crm:")
    finally:
        stream.close()


def test_types_pick_the_events_and_a_bad_pattern_is_refused(stack, databases, target, integration_token):
    since = datetime.now(UTC)
    run_flow(Api(stack.base_url))
    published_since(databases, since)
    stream = Stream(target, integration_token, from_time=timestamp(since), types=["quote.*", "invoice.paid"])
    try:
        wait_for(lambda: any(json.loads(e.cloudevent)["type"] == "crm.invoice.paid.v1" for e in stream.events),
                 what="the invoice paid")
        types = {json.loads(e.cloudevent)["type"] for e in stream.events}
        assert types >= {"crm.quote.created.v1", "crm.quote.accepted.v1", "crm.invoice.paid.v1"}
        assert all(t.startswith("crm.quote.") or t == "crm.invoice.paid.v1" for t in types), types
    finally:
        stream.close()
    bad = Stream(target, integration_token, types=["quote..created"])
    error = bad.wait_ended()
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "quote..created" in error_body(error)["details"]["types"][0]


# Resuming
def test_a_stream_the_client_cut_mid_flow_resumes_by_position_without_gap_or_repeat(
        stack, databases, target, integration_token):
    since = datetime.now(UTC)
    flow = threading.Thread(target=run_flow, args=(Api(stack.base_url),))
    first = Stream(target, integration_token, from_time=timestamp(since))
    flow.start()
    wait_events(first, 3)
    first.close()  # mid-flow: the flow goes on
    seen = first.events
    resumed = Stream(target, integration_token, after_position=seen[-1].position)
    try:
        flow.join(60)
        expected = published_since(databases, since)
        wait_events(resumed, len(expected) - len(seen))
        time.sleep(1.5)
        ids = [json.loads(e.cloudevent)["id"] for e in seen] + resumed.ids()
        assert len(ids) == len(set(ids)), "an event came twice"
        assert sorted(ids) == sorted(expected), "an event is missing"
    finally:
        resumed.close()


def test_heartbeats_come_while_the_log_is_quiet_and_say_where_to_resume(stack, target, integration_token, vhost):
    stream = Stream(target, integration_token, types=["nothing.at_all"], heartbeat_seconds=1)
    try:
        wait_for(lambda: len(stream.heartbeats) >= 2, timeout=5, what="two heartbeats")
        assert all(h.time.seconds > 0 for h in stream.heartbeats)
        # An event of another type passes unseen, yet the heartbeats' position moves past it.
        lead = Api(stack.base_url).post("/leads", a_lead(), expect=201)
        wait_for(lambda: any(h.HasField("position") for h in stream.heartbeats), timeout=10,
                 what="a heartbeat with a position")
        assert stream.events == []
        position = [h for h in stream.heartbeats if h.HasField("position")][-1].position
    finally:
        stream.close()
    everything = Stream(target, integration_token, from_position=position, types=["lead.created"])
    try:
        wait_events(everything, 1)
        assert json.loads(everything.events[0].cloudevent)["subject"] == lead["id"]
    finally:
        everything.close()
    # ... and nothing after it: resuming after a heartbeat's position repeats nothing.
    after = Stream(target, integration_token, after_position=position, types=["lead.created"], heartbeat_seconds=1)
    try:
        wait_for(lambda: len(after.heartbeats) >= 1, timeout=5, what="a heartbeat")
        assert after.events == []
    finally:
        after.close()
    bad = Stream(target, integration_token, heartbeat_seconds=0).wait_ended()
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and "heartbeat_seconds" in error_body(bad)["details"]


# Who may, and for how long
@pytest.mark.parametrize("role", ["sales_rep", "manager", "billing"])
def test_roles_that_do_not_read_every_event_are_permission_denied(stack, target, role):
    stream = Stream(target, stack.token(role, f"stream-{role}", team="north" if role == "sales_rep" else None))
    error = stream.wait_ended()
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, error


def test_no_token_or_a_wrong_one_is_unauthenticated(target):
    for token in ("", "crm_not-a-token"):
        error = Stream(target, token).wait_ended()
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED, token


def test_a_stream_carries_only_what_its_role_may_read(stack, target, admin_token, integration_token, vhost):
    """An event of a kind the API lets only admins read (none the services publish today):
    the admin's stream carries it, the integration's skips it."""
    since = datetime.now(UTC)
    streams = {role: Stream(target, token, from_time=timestamp(since), types=["mystery.*", "lead.created"])
               for role, token in (("admin", admin_token), ("integration", integration_token))}
    try:
        publish(vhost.amqp_uri, {"specversion": "1.0", "id": "mystery-1", "source": "urn:crm:test:nowhere",
                                 "type": "crm.mystery.happened.v1", "subject": "M1", "time": since.isoformat(),
                                 "data": {}})
        lead = Api(stack.base_url).post("/leads", a_lead(), expect=201)
        for stream in streams.values():
            wait_for(lambda s=stream: lead["id"] in {json.loads(e.cloudevent)["subject"] for e in s.events},
                     what="the lead's event")
        assert "mystery-1" in streams["admin"].ids()
        assert "mystery-1" not in streams["integration"].ids()
    finally:
        for stream in streams.values():
            stream.close()


def test_a_revoked_tokens_stream_ends_within_two_seconds(stack, target):
    made = requests.post(f"{stack.base_url}/tokens", json={"name": "doomed", "role": "integration",
                                                           "user_id": "doomed"}, timeout=10)
    assert made.status_code == 201, made.text
    stream = Stream(target, made.json()["token"], heartbeat_seconds=1)
    try:
        wait_for(lambda: stream.heartbeats, timeout=5, what="the stream running")
        revoked_at = time.monotonic()
        assert requests.delete(f"{stack.base_url}/tokens/{made.json()['id']}", timeout=10).ok
        error = stream.wait_ended(5)
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        assert stream.ended_at - revoked_at < 2.0
    finally:
        stream.close()


def test_opening_a_stream_spends_the_tokens_rate_limit(stack, target):
    made = requests.post(f"{stack.base_url}/tokens", json={"name": "slow", "role": "integration", "user_id": "slow",
                                                           "rate_limit_per_minute": 1}, timeout=10).json()
    first = Stream(target, made["token"], heartbeat_seconds=1)
    try:
        wait_for(lambda: first.heartbeats, timeout=5, what="the first stream running")
        second = Stream(target, made["token"]).wait_ended()
        assert second.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error_body(second)["code"] == "rate_limited"
        assert 0 < int(dict(second.trailing_metadata())["retry-after"]) <= 60
    finally:
        first.close()


def test_streams_are_bounded_and_leave_the_unary_calls_their_threads(stack, target, admin_token):
    """The stack's gateway runs 16 unary threads and 8 streams (CRM_GRPC_MAX_STREAMS):
    with all 8 open, unary calls are answered as fast as before, and a 9th stream is
    refused until one ends."""
    with grpc.insecure_channel(target) as channel:
        leads = leads_pb2_grpc.LeadsStub(channel)
        metadata = [("authorization", f"Bearer {admin_token}")]

        def unary_seconds() -> float:
            started = time.perf_counter()
            for _ in range(20):
                leads.ListLeads(leads_pb2.ListLeadsRequest(limit=1), metadata=metadata, timeout=5)
            return time.perf_counter() - started

        unary_seconds()
        alone = unary_seconds()
        streams = [Stream(target, admin_token, heartbeat_seconds=1) for _ in range(8)]
        try:
            deadline = time.monotonic() + 30
            while not all(s.heartbeats for s in streams) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert all(s.heartbeats for s in streams), [(len(s.heartbeats), s.error) for s in streams]
            beside = unary_seconds()
            refused = Stream(target, admin_token).wait_ended()
            assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            print(f"20 ListLeads: {alone * 1000:.0f} ms alone, {beside * 1000:.0f} ms beside 8 streams")
            assert beside < max(2 * alone, alone + 0.5)
            streams.pop().close()
            # Its place is free again at once.
            assert _runs(target, admin_token)
        finally:
            for stream in streams:
                stream.close()


def _runs(target: str, token: str) -> bool:
    stream = Stream(target, token, heartbeat_seconds=1)
    wait_for(lambda: stream.heartbeats or stream.ended_at, timeout=5, what="a heartbeat or the end")
    stream.close()
    return bool(stream.heartbeats)


# The gateway going away
def test_a_stream_resumes_without_gap_or_repeat_after_the_gateway_is_sigkilled(
        stack, databases, target, integration_token):
    """Killed mid-flow: the lead converted, the opportunity made from it while the gateway
    is down; the rest of the flow after the restart."""
    since = datetime.now(UTC)
    api = Api(stack.base_url, wait_for_gateway=30)
    first = Stream(target, integration_token, from_time=timestamp(since))
    lead = convert_lead(api)
    wait_events(first, 3)
    stack.kill("gateway")
    assert first.wait_ended().code() == grpc.StatusCode.UNAVAILABLE
    seen = first.events
    stack.start("gateway")
    stack.wait_ready(SERVICES)
    resumed = Stream(target, integration_token, after_position=seen[-1].position)
    try:
        opportunity = api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")
        order = api.eventually(f"/orders/{quote_and_accept(api, opportunity['id'])['order_id']}")
        invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
        api.post(f"/invoices/{invoice['id']}/payments", {"amount": invoice["balance_due"], "reference": "BANK"},
                 expect=201)
        expected = published_since(databases, since)
        wait_events(resumed, len(expected) - len(seen))
        time.sleep(1.5)
        ids = [json.loads(e.cloudevent)["id"] for e in seen] + resumed.ids()
        assert len(ids) == len(set(ids)), "an event came twice"
        assert sorted(ids) == sorted(expected), "an event is missing"
        assert "crm.invoice.paid.v1" in {json.loads(e.cloudevent)["type"] for e in resumed.events}
    finally:
        resumed.close()


def test_sigterm_ends_the_streams_at_once_with_where_to_resume(stack, target, integration_token):
    stream = Stream(target, integration_token, heartbeat_seconds=1)
    wait_for(lambda: stream.heartbeats, timeout=5, what="the stream running")
    stopping = time.monotonic()
    stack.stop("gateway")
    error = stream.wait_ended(5)
    assert error.code() == grpc.StatusCode.UNAVAILABLE and "stopping" in error.details()
    assert "resume_after_position" in error_body(error)["details"]
    assert stream.ended_at - stopping < 3.0 and time.monotonic() - stopping < 8.0
    stack.start("gateway")
    stack.wait_ready(SERVICES)


# A subscription delivered by the stream
def test_a_stream_subscription_takes_its_filters_and_goes_on_where_its_last_stream_stopped(
        stack, target, integration_token):
    api, seller = Api(stack.base_url), Api(stack.base_url)
    api.http.headers["Authorization"] = f"Bearer {integration_token}"
    team = f"stream-{uuid.uuid4().hex[:6]}"
    made = api.post("/subscriptions", {"name": "stream of a team", "delivery": "stream", "types": ["lead.created"],
                                       "team": team}, expect=201)
    path = f"/subscriptions/{made['id']}"
    ours = [seller.post("/leads", a_lead(team=team), expect=201)["id"] for _ in range(2)]
    seller.post("/leads", a_lead(team=f"other-{team}"), expect=201)  # another team's: filtered out

    first = Stream(target, integration_token, subscription_id=made["id"], heartbeat_seconds=1)
    try:
        wait_events(first, 2)
        time.sleep(1.5)  # another team's lead, or a repeat, would be here by now
        assert [json.loads(e.cloudevent)["subject"] for e in first.events] == ours
        # It writes down how far it got: delivered, and its position past what it sent.
        told = wait_for(lambda: (lambda s: s if s["delivered"] == 2 else None)(api.get(path)),
                        what="the stream's progress on the subscription")
        assert told["position"] >= first.events[-1].position
    finally:
        first.close()
    later = seller.post("/leads", a_lead(team=team), expect=201)["id"]
    again = Stream(target, integration_token, subscription_id=made["id"], heartbeat_seconds=1)
    newest = None
    try:
        wait_events(again, 1)
        time.sleep(1.5)
        assert [json.loads(e.cloudevent)["subject"] for e in again.events] == [later]  # from where it stood
        # One stream reads a subscription at a time: a newer one takes it, the older ends.
        newest = Stream(target, integration_token, subscription_id=made["id"], heartbeat_seconds=1)
        assert again.wait_ended(5).code() == grpc.StatusCode.ABORTED
        last = seller.post("/leads", a_lead(team=team), expect=201)["id"]
        wait_for(lambda: last in [json.loads(e.cloudevent)["subject"] for e in newest.events],
                 what="the newest stream going on")
        # Paused, its stream ends; a paused one does not open.
        api.post(f"{path}/pause")
        assert newest.wait_ended(5).code() == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        again.close()
        if newest is not None:
            newest.close()
    refused = Stream(target, integration_token, subscription_id=made["id"])
    assert refused.wait_ended().code() == grpc.StatusCode.FAILED_PRECONDITION
    typed = Stream(target, integration_token, subscription_id=made["id"], types=["quote.*"])
    assert typed.wait_ended().code() == grpc.StatusCode.INVALID_ARGUMENT
    webhook = api.post("/subscriptions", {"name": "a webhook", "url": "https://8.8.8.8/hook",
                                          "types": ["probe.never"]}, expect=201)
    by_webhook = Stream(target, integration_token, subscription_id=webhook["id"])
    assert by_webhook.wait_ended().code() == grpc.StatusCode.FAILED_PRECONDITION
    unknown = Stream(target, integration_token, subscription_id=str(uuid.uuid4()))
    assert unknown.wait_ended().code() == grpc.StatusCode.NOT_FOUND
