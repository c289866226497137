"""Webhooks a careful integrator trusts, on the real broker, database and processes, to a
real HTTP receiver on 127.0.0.1 in this test process (hence
CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS=1, except where a test says otherwise)."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import jsonschema_rs
import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from conftest import ADMIN_TOKENS, running_stack
from crmkit import eventlog
from events import wait_for
from flow import Api, a_lead, run_flow, run_readme_blocks
from gateway.pb import subscriptions_pb2, subscriptions_pb2_grpc
from subscriptions import targets

RETRIES = "0.2,0.3,0.5,0.5,0.5,0.5,0.5,0.5"  # 8 retries, about 4 s: then the dead letter
LEASE = 6.0


class Receiver:
    """An HTTP endpoint per path: records every request; ``answers[path]`` decides each
    answer from the count of requests so far (a status, or a status and a delay)."""

    def __init__(self):
        self.requests: dict[str, list[dict]] = defaultdict(list)
        self.answers: dict[str, callable] = {}
        self.in_flight: Counter = Counter()
        self.most_in_flight: Counter = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                with receiver.lock:
                    answer = receiver.answers.get(self.path, lambda n: 200)(len(receiver.requests[self.path]))
                    status, delay = answer if isinstance(answer, tuple) else (answer, 0)
                    receiver.requests[self.path].append({"headers": dict(self.headers), "body": body,
                                                         "status": status})
                    receiver.in_flight[self.path] += 1
                    receiver.most_in_flight[self.path] = max(receiver.most_in_flight[self.path],
                                                             receiver.in_flight[self.path])
                time.sleep(delay)
                with receiver.lock:
                    receiver.in_flight[self.path] -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def events(self, path: str) -> list[dict]:
        """Every delivery to ``path``, parsed, in arrival order (repeats included)."""
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests[path]]

    def delivered(self, path: str) -> list[dict]:
        """The deliveries answered 2xx, first arrival of each event id only (dedupe by id)."""
        seen, out = set(), []
        with self.lock:
            requests = list(self.requests[path])
        for request in requests:
            event = json.loads(request["body"])
            if 200 <= request["status"] < 300 and event["id"] not in seen:
                seen.add(event["id"])
                out.append(event)
        return out


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, vhost, databases):
    with running_stack(tmp_path_factory.mktemp("webhooks"), vhost, databases, {
        "CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1", "CRM_WEBHOOKS_RETRY_SCHEDULE": RETRIES,
        "CRM_WEBHOOKS_LEASE_SECONDS": str(LEASE), "CRM_WEBHOOKS_TIMEOUT_SECONDS": "2",
        "CRM_WEBHOOKS_SCAN_SECONDS": "0.3",
    }) as stack:
        yield stack


def subscribe(api: Api, receiver: Receiver, path: str, **fields) -> dict:
    return api.post("/subscriptions", {"name": path, "url": receiver.url(path), "types": ["#"], **fields},
                    expect=201)


def logged(stack, since: datetime, matches) -> list[dict]:
    """The events of the log from ``since`` that ``matches``, in position order."""
    return [e.envelope.to_dict() for e in eventlog.read(stack.env["AMQP_URI"], from_time=since)
            if matches(e.envelope.to_dict())]


def test_a_receiver_that_fails_then_recovers_gets_every_event_of_a_flow_once_in_order_per_record(stack, receiver):
    api = Api(stack.base_url)
    path = "/recovers"
    # 500 for the first six requests, then a slow answer past the time-out, then 2xx.
    receiver.answers[path] = lambda n: 500 if n < 6 else (200, 3) if n == 6 else 200
    subscription = subscribe(api, receiver, path)
    since = datetime.fromisoformat(subscription["created_at"])
    records = run_flow(api)
    invoice_id = records["invoice"]["id"]
    wait_for(lambda: any(e["type"] == "crm.invoice.paid.v1" and e["subject"] == invoice_id
                         for e in receiver.delivered(path)), timeout=60, what="the flow's last event delivered")
    flow_subjects = {records[k]["id"] for k in records} | {records["lead"]["converted_organization_id"],
                                                          records["lead"]["converted_contact_id"]}
    expected = logged(stack, since, lambda e: True)
    got = receiver.delivered(path)
    assert [e["id"] for e in got] == [e["id"] for e in expected]  # every one, once, in the log's order
    assert flow_subjects <= {e["subject"] for e in got}
    assert len(receiver.events(path)) > len(got)  # the failures were retried
    by_subject = defaultdict(list)
    for event in got:
        by_subject[event["subject"]].append(int(event["sequence"]))
    assert all(seq == sorted(seq) for seq in by_subject.values())
    # The receiver has the last event before the dispatcher has written its 2xx down.
    shown = wait_for(lambda: (lambda s: s if s["delivered"] == len(got) else None)(
        api.get(f"/subscriptions/{subscription['id']}")), what="every delivery counted")
    assert shown["failed"] >= 7 and shown["dead_lettered"] == 0
    assert shown["position"] is not None and shown["last_error"]
    log = api.get(f"/subscriptions/{subscription['id']}/deliveries?limit=200")["items"]
    assert {d["status"] for d in log} == {"delivered", "failed"}
    assert all(d["latency_ms"] >= 0 and d["attempt"] >= 1 for d in log)
    api._send("DELETE", f"/subscriptions/{subscription['id']}")


def test_the_body_is_the_logged_envelope_signed_and_a_wrong_signature_is_refused(stack, receiver):
    api = Api(stack.base_url)
    path, team = "/signed", f"team-{uuid.uuid4().hex[:6]}"
    subscription = subscribe(api, receiver, path, types=["lead.created"], team=team)
    lead = api.post("/leads", a_lead(team=team), expect=201)
    wait_for(lambda: receiver.requests[path], what="a delivery")
    request = receiver.requests[path][0]
    headers, body = request["headers"], request["body"]
    assert headers["Content-Type"] == "application/cloudevents+json"
    event = Webhook(subscription["secret"]).verify(body, headers)
    assert event["subject"] == lead["id"] and headers["webhook-id"] == event["id"]
    assert [e.envelope.to_json() for e in eventlog.read(stack.env["AMQP_URI"], from_time=datetime.fromisoformat(
        subscription["created_at"])) if e.envelope.id == event["id"]] == [body]
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription["secret"]).verify(body.replace(lead["id"], str(uuid.uuid4())), headers)

    # Rotation: during the overlap both secrets sign.
    rotated = api.post(f"/subscriptions/{subscription['id']}/rotate-secret")
    assert rotated["secret"] != subscription["secret"]
    api.post("/leads", a_lead(team=team), expect=201)
    wait_for(lambda: len(receiver.requests[path]) == 2, what="a second delivery")
    second = receiver.requests[path][1]
    assert len(second["headers"]["webhook-signature"].split(" ")) == 2
    for secret in (subscription["secret"], rotated["secret"]):
        Webhook(secret).verify(second["body"], second["headers"])


def test_a_receiver_that_never_recovers_ends_in_the_dead_letter_and_a_redelivery_reaches_it(stack, receiver):
    api = Api(stack.base_url)
    path, team = "/never", f"team-{uuid.uuid4().hex[:6]}"
    healthy = threading.Event()
    receiver.answers[path] = lambda n: 200 if healthy.is_set() else 503
    subscription = subscribe(api, receiver, path, types=["lead.created"], team=team)
    lead = api.post("/leads", a_lead(team=team), expect=201)
    letters = wait_for(lambda: api.get(f"/subscriptions/{subscription['id']}/dead-letters")["items"], timeout=30,
                       what="a dead letter")
    assert [(d["subject"], d["attempts"], d["status"]) for d in letters] == [(lead["id"], 9, "dead")]
    assert len(receiver.events(path)) == 9  # the first attempt and 8 retries
    shown = api.get(f"/subscriptions/{subscription['id']}")
    assert (shown["dead_lettered"], shown["delivered"], shown["last_error"]) == (1, 0, "answered 503")

    healthy.set()
    api.post(f"/subscriptions/{subscription['id']}/dead-letters/{letters[0]['id']}/redeliver")
    wait_for(lambda: receiver.delivered(path), timeout=20, what="the redelivery")
    assert [e["id"] for e in receiver.delivered(path)] == [letters[0]["event_id"]]
    again = wait_for(lambda: [d for d in api.get(f"/subscriptions/{subscription['id']}/dead-letters")["items"]
                              if d["status"] == "redelivered"], what="the dead letter marked redelivered")
    assert again[0]["redelivered_at"]
    # The events after the dead one were not held back by it.
    later = api.post("/leads", a_lead(team=team), expect=201)
    wait_for(lambda: later["id"] in {e["subject"] for e in receiver.delivered(path)}, what="a later event")


def test_a_dispatcher_restarted_mid_retries_goes_on_with_the_schedule(stack, receiver):
    api = Api(stack.base_url)
    path, team = "/restarted-retries", f"team-{uuid.uuid4().hex[:6]}"
    receiver.answers[path] = lambda n: 503
    subscription = subscribe(api, receiver, path, types=["lead.created"], team=team)
    api.post("/leads", a_lead(team=team), expect=201)
    wait_for(lambda: api.get(f"/subscriptions/{subscription['id']}")["failed"] >= 4, what="four failed attempts")
    stack.kill("dispatcher")  # between attempts 4 and 5 (the next waits 0.5 s)
    stack.start("dispatcher")
    letters = wait_for(lambda: api.get(f"/subscriptions/{subscription['id']}/dead-letters")["items"],
                       timeout=LEASE + 30, what="the dead letter")
    # The schedule's 9 attempts in all, not 4 and then 9 more from attempt 1 again.
    assert [d["attempts"] for d in letters] == [9]
    assert len(receiver.events(path)) == 9
    attempts = [d["attempt"] for d in api.get(f"/subscriptions/{subscription['id']}/deliveries")["items"]]
    assert sorted(attempts) == list(range(1, 10))


def test_a_replay_tries_the_event_that_was_being_retried_afresh(stack, receiver):
    api = Api(stack.base_url)
    path, team = "/replayed-retries", f"team-{uuid.uuid4().hex[:6]}"
    receiver.answers[path] = lambda n: 503
    subscription = subscribe(api, receiver, path, types=["lead.created"], team=team)
    api.post("/leads", a_lead(team=team), expect=201)
    failing = wait_for(lambda: (lambda s: s if s["failed"] >= 3 else None)(
        api.get(f"/subscriptions/{subscription['id']}")), what="three failed attempts")
    stack.stop("dispatcher")  # nothing in flight while the replay moves the cursor
    try:
        api.post(f"/subscriptions/{subscription['id']}/replay", {"from_time": subscription["created_at"]})
        receiver.answers[path] = lambda n: 200
    finally:
        stack.start("dispatcher")
    wait_for(lambda: receiver.delivered(path), timeout=LEASE + 30, what="the delivery after the replay")
    # The receiver has it before the dispatcher has written its 2xx down (at the latest
    # 0.1 s later; a replay from a time hands the log since over in large batches).
    attempts = wait_for(lambda: [d["attempt"] for d in api.get(f"/subscriptions/{subscription['id']}/deliveries")
                                 ["items"] if d["status"] == "delivered"], what="the delivery logged")
    assert attempts == [1], (failing["failed"], attempts)  # not the count from before the replay


def test_a_new_subscriber_replays_from_a_time_and_gets_exactly_those(stack, receiver):
    api = Api(stack.base_url)
    team = f"team-{uuid.uuid4().hex[:6]}"
    before = api.post("/leads", a_lead(team=team), expect=201)
    time.sleep(1.2)
    since = datetime.now(UTC)
    time.sleep(0.2)
    after = [api.post("/leads", a_lead(team=team), expect=201) for _ in range(3)]
    # Another team's lead, after the time too: the team filter leaves it out.
    api.post("/leads", a_lead(team="someone-else"), expect=201)
    wait_for(lambda: len(logged(stack, since, lambda e: e["type"] == "crm.lead.created.v1")) == 4,
             what="the leads in the log")
    path = "/replays"
    subscribe(api, receiver, path, types=["lead.*"], team=team, start=since.isoformat())
    wait_for(lambda: len(receiver.delivered(path)) >= 3, what="the replay")
    time.sleep(1.0)  # nothing else arrives
    got = receiver.delivered(path)
    assert [(e["type"], e["subject"]) for e in got] == [("crm.lead.created.v1", lead["id"]) for lead in after]
    assert before["id"] not in {e["subject"] for e in got}


def test_the_dispatcher_killed_mid_delivery_resumes_without_a_gap(stack, receiver):
    api = Api(stack.base_url)
    path, team = "/killed", f"team-{uuid.uuid4().hex[:6]}"
    receiver.answers[path] = lambda n: (200, 0.8)  # slow: a kill finds a POST in flight
    subscription = subscribe(api, receiver, path, types=["lead.created"], team=team)
    leads = [api.post("/leads", a_lead(team=team), expect=201) for _ in range(6)]
    wait_for(lambda: len(receiver.requests[path]) >= 2, what="deliveries under way")
    time.sleep(0.3)  # inside the third POST
    stack.kill("dispatcher")
    stack.start("dispatcher")
    # Counted once each: the POST the kill cut short was not, and was sent again.
    wait_for(lambda: api.get(f"/subscriptions/{subscription['id']}")["delivered"] >= 6, timeout=LEASE + 30,
             what="every event after the restart")
    got = receiver.delivered(path)
    assert [e["subject"] for e in got] == [lead["id"] for lead in leads]
    assert api.get(f"/subscriptions/{subscription['id']}")["delivered"] == 6
    assert len(receiver.events(path)) == 7  # the one in flight at the kill, twice


def test_two_dispatchers_never_deliver_the_same_event_at_the_same_time(stack, receiver):
    api = Api(stack.base_url)
    team = f"team-{uuid.uuid4().hex[:6]}"
    stack.specs["dispatcher-2"] = stack.specs["dispatcher"]
    stack.start("dispatcher-2")
    try:
        paths = [f"/pair-{n}" for n in range(4)]
        for path in paths:
            receiver.answers[path] = lambda n: (200, 0.2)
            subscribe(api, receiver, path, types=["lead.created"], team=team)
        time.sleep(1.0)  # both dispatchers take their share
        leads = [api.post("/leads", a_lead(team=team), expect=201) for _ in range(5)]
        wait_for(lambda: all(len(receiver.delivered(p)) == 5 for p in paths), timeout=40, what="every delivery")
        for path in paths:
            assert receiver.most_in_flight[path] == 1
            assert len(receiver.events(path)) == 5  # nobody sent one twice
            assert [e["subject"] for e in receiver.delivered(path)] == [lead["id"] for lead in leads]
    finally:
        stack.stop("dispatcher-2")


def test_a_private_target_is_refused_without_the_setting(stack):
    for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/", "http://[::1]/",
                "http://169.254.169.254/latest/meta-data", "http://192.168.0.1/", "ftp://example.com/",
                "http://user:pw@example.com/"):
        with pytest.raises(targets.TargetRefused):
            targets.check(url, allow_private=False)
    targets.check("http://127.0.0.1:9/hook", allow_private=True)

    # Through the API, by a subscriptions service that does not allow them.
    stack.stop("subscriptions")
    stack.start("subscriptions", {"CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "0"})
    try:
        api = Api(stack.base_url)
        answer = api.post("/subscriptions", {"name": "private", "url": "http://localhost:8080/", "types": ["#"]},
                          expect=422)
        assert "localhost resolves to" in answer["error"]["details"]["url"][0]
    finally:
        stack.stop("subscriptions")
        stack.start("subscriptions")
        stack.wait_ready(["subscriptions"])


def test_subscriptions_are_an_api_resource(stack, receiver):
    api = Api(stack.base_url)
    bad = api.post("/subscriptions", {"name": "x", "url": receiver.url("/x"), "types": ["quote..*"],
                                      "min_amount": "-1", "start": "yesterday"}, expect=422)
    assert {"types", "min_amount", "start"} <= set(bad["error"]["details"])
    made = subscribe(api, receiver, "/crud", types=["quote.*"], min_amount="1000.00")
    assert made["secret"].startswith("whsec_") and made["status"] == "active"
    shown = api.get(f"/subscriptions/{made['id']}")
    assert "secret" not in shown and shown["min_amount"] == "1000.00" and shown["owner_role"] == "admin"
    paused = api.post(f"/subscriptions/{made['id']}/pause")
    assert paused["status"] == "paused"
    changed = api.patch(f"/subscriptions/{made['id']}", {"types": ["invoice.paid"], "min_amount": None})
    assert (changed["types"], changed["min_amount"]) == (["invoice.paid"], None)
    assert api.post(f"/subscriptions/{made['id']}/resume")["status"] == "active"
    assert made["id"] in {s["id"] for s in api.get("/subscriptions?limit=200")["items"]}
    # The same resource over gRPC.
    token = next(t for base, t in ADMIN_TOKENS.items() if stack.base_url.startswith(base))
    with grpc.insecure_channel(f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}") as channel:
        over_grpc = subscriptions_pb2_grpc.SubscriptionsStub(channel).GetSubscription(
            subscriptions_pb2.GetSubscriptionRequest(subscription_id=made["id"]),
            metadata=[("authorization", f"Bearer {token}")])
    assert (over_grpc.id, over_grpc.status, list(over_grpc.types)) == (made["id"], "active", ["invoice.paid"])
    # A position is 64-bit: a long-lived log's offsets pass 2**31.
    far = api.post(f"/subscriptions/{made['id']}/replay", {"after": 2**40})
    assert far["position"] == 2**40
    api.post(f"/subscriptions/{made['id']}/replay", {"after": 2**63}, expect=422)
    replayed = api.post(f"/subscriptions/{made['id']}/replay", {"after": 0})
    assert replayed["position"] == 0
    api.post(f"/subscriptions/{made['id']}/replay", {}, expect=422)
    assert api._send("DELETE", f"/subscriptions/{made['id']}").status_code == 200
    api.get(f"/subscriptions/{made['id']}", expect=404)


def test_a_stream_subscription_has_no_url_no_secret_and_the_dispatcher_leaves_it_alone(stack, receiver):
    api = Api(stack.base_url)
    team = f"team-{uuid.uuid4().hex[:6]}"
    no_url = api.post("/subscriptions", {"name": "w", "types": ["#"]}, expect=422)["error"]["details"]
    assert no_url == {"url": ["A webhook needs its url."]}
    with_url = api.post("/subscriptions", {"name": "s", "types": ["#"], "delivery": "stream",
                                           "url": receiver.url("/s")}, expect=422)["error"]["details"]
    assert with_url == {"url": ["A stream subscription has no url; leave it out."]}
    assert "delivery" in api.post("/subscriptions", {"name": "q", "types": ["#"], "delivery": "carrier pigeon"},
                                  expect=422)["error"]["details"]

    stream = api.post("/subscriptions", {"name": "stream", "types": ["lead.created"], "team": team,
                                         "delivery": "stream"}, expect=201)
    assert (stream["delivery"], stream["url"], stream["secret"]) == ("stream", None, None)
    webhook = subscribe(api, receiver, "/beside-a-stream", types=["lead.created"], team=team)
    assert webhook["delivery"] == "webhook"
    lead = api.post("/leads", a_lead(team=team), expect=201)
    wait_for(lambda: api.get(f"/subscriptions/{webhook['id']}")["delivered"] == 1, what="the webhook's delivery")
    assert [e["subject"] for e in receiver.delivered("/beside-a-stream")] == [lead["id"]]
    time.sleep(1.0)  # a few more of the dispatcher's passes
    shown = api.get(f"/subscriptions/{stream['id']}")
    assert (shown["delivered"], shown["failed"], shown["position"]) == (0, 0, None)  # never tried to send it

    # The kind is fixed; a url is a webhook's only; a stream has no secret to rotate.
    refused = api.patch(f"/subscriptions/{stream['id']}", {"delivery": "webhook"}, expect=422)
    assert set(refused["error"]["details"]) == {"delivery"}
    refused = api.patch(f"/subscriptions/{stream['id']}", {"url": receiver.url("/s")}, expect=422)
    assert refused["error"]["details"] == {"url": ["A stream subscription has no url."]}
    assert api.post(f"/subscriptions/{stream['id']}/rotate-secret", expect=409)["error"]["code"] == "conflict"
    api.patch(f"/subscriptions/{webhook['id']}", {"delivery": "stream"}, expect=422)
    for made in (stream, webhook):
        assert api._send("DELETE", f"/subscriptions/{made['id']}").status_code == 200


def test_an_endpoint_failing_for_too_long_is_disabled_and_that_is_published(stack, receiver):
    api = Api(stack.base_url)
    path, team = "/failing", f"team-{uuid.uuid4().hex[:6]}"
    receiver.answers[path] = lambda n: 500
    stack.stop("dispatcher")
    stack.start("dispatcher", {"CRM_WEBHOOKS_DISABLE_AFTER_SECONDS": "1.5"})
    try:
        subscription = subscribe(api, receiver, path, types=["lead.created"], team=team)
        api.post("/leads", a_lead(team=team), expect=201)
        disabled = wait_for(lambda: (lambda s: s if s["status"] == "disabled" else None)(
            api.get(f"/subscriptions/{subscription['id']}")), timeout=30, what="the subscription disabled")
        assert disabled["disabled_reason"].startswith("No 2xx for") and disabled["dead_lettered"] == 0
        since = datetime.fromisoformat(subscription["created_at"])
        published = wait_for(lambda: logged(stack, since, lambda e: e["type"] == "crm.subscription.disabled.v3"
                                            and e["subject"] == subscription["id"]), what="subscription.disabled")
        served = requests.get(published[0]["dataschema"], timeout=10)
        errors = [f"{e.instance_path}: {e.message}" for e in
                  jsonschema_rs.validator_for(served.json()).iter_errors(published[0])]
        assert not errors, f"subscription.disabled does not match its schema: {errors[:5]}"
        assert published[0]["data"]["record"]["status"] == "disabled"
        assert published[0]["data"]["record"]["failed"] >= 1  # the whole record: where its delivery stands
        assert published[0]["data"]["changed"]["status"] == "active"
        attempts = len(receiver.events(path))
        time.sleep(1.5)
        assert len(receiver.events(path)) == attempts  # nothing is sent while disabled

        receiver.answers[path] = lambda n: 200
        assert api.post(f"/subscriptions/{subscription['id']}/resume")["status"] == "active"
        wait_for(lambda: receiver.delivered(path), what="the held event, delivered after resume")
    finally:
        stack.stop("dispatcher")
        stack.start("dispatcher")


def test_a_redirect_is_not_followed_it_is_a_failed_attempt(stack, receiver):
    api = Api(stack.base_url)
    path, team = "/redirects", f"team-{uuid.uuid4().hex[:6]}"
    receiver.answers[path] = lambda n: 307 if n == 0 else 200
    subscription = subscribe(api, receiver, path, types=["lead.created"], team=team)
    api.post("/leads", a_lead(team=team), expect=201)
    log = wait_for(lambda: (lambda items: items if len(items) == 2 else None)(
        api.get(f"/subscriptions/{subscription['id']}/deliveries?sort=at")["items"]), what="two attempts logged")
    assert [(d["status"], d["http_status"], d["attempt"]) for d in log] == [("failed", 307, 1), ("delivered", 200, 2)]
    assert "redirect" in log[0]["error"]
    assert len(receiver.events(path)) == 2  # the redirect's target was never asked


def test_the_readme_webhook_in_three_commands_delivers_signed_quote_events(stack, receiver):
    """The README's "Subscribe to sales events" block, run as written (but for the
    endpoint: this test's receiver), makes a subscription whose quote and invoice
    events of a flow arrive, verified with the secret it printed."""
    lines = run_readme_blocks("subscribe", stack.base_url, stack.env,
                              {"https://erp.example.com/crm-hook": receiver.url("/readme")})
    made = json.loads(lines[0])
    assert made["types"] == ["quote.*", "invoice.*"] and made["secret"].startswith("whsec_")
    assert json.loads(lines[1]) == {"items": [], "next_cursor": None}  # nothing delivered yet
    run_flow(Api(stack.base_url))
    got = wait_for(lambda: (lambda d: d if any(e["type"] == "crm.invoice.paid.v1" for e in d) else None)(
        receiver.delivered("/readme")), timeout=60, what="the flow's invoice.paid at the README's endpoint")
    assert {e["type"].split(".")[1] for e in got} == {"quote", "invoice"}
    with receiver.lock:
        first = receiver.requests["/readme"][0]
    Webhook(made["secret"]).verify(first["body"], first["headers"])
