"""``make bench-webhooks``: the dispatcher's webhook deliveries on the real system.

Starts the whole system as the tests do (``conftest.make_stack``: a throwaway vhost and
PostgreSQL databases, every Procfile process, the dispatcher among them) and a receiver
on 127.0.0.1 in a process of its own (a threaded keep-alive HTTP server answering 204
and noting each arrival: not sharing the bench clients' interpreter lock), then reports

- deliveries/s catching up a backlog: the dispatcher is stopped, ``--backlog`` leads are
  created (each a ``lead.created`` event) and published by the relay, the dispatcher
  started again; the rate is the
  deliveries over the time from the first arrival to the last, for one subscription and
  for four (each gets every event);
- commit → webhook latency at a steady ``--rate`` events/s: the receiver's arrival time
  minus the event's ``time`` (set by the service when it writes the event into its
  outbox, in the transaction that commits the lead: so this is the relay, the broker's
  stream, the dispatcher and the POST together), and its parts, split at the outbox
  row's ``created_at`` (written just before the commit) and ``published_at`` (written by
  the relay after the broker's confirm): the service (the event made → its outbox row),
  the relay (the commit, the wake-up, the confirmed publish) and onward (the stream, the
  dispatcher, the POST);
- the confirmed-publish ceiling of the same run (run.publish_ceiling).

Everything it made is removed at the end. See bench/README.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import queue
import signal
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from measure import summary  # noqa: E402
from run import publish_ceiling  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from conftest import SERVICES, carry_admin_tokens, make_stack  # noqa: E402
from crmkit.platform_tables import outbox  # noqa: E402
from crmkit.testing import PostgresDatabases, RabbitVhost  # noqa: E402
from flow import Api, a_lead  # noqa: E402


def receive(port_out, arrivals) -> None:
    """The receiver process: answers 204 to every POST and puts (path, event, arrival
    time) of each on ``arrivals``; its port goes to ``port_out`` first."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the dispatcher holds its connection

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            at = time.time()
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            arrivals.put((self.path, json.loads(body), at))

        def log_message(self, *_args):
            """Quiet: a line per request would drown the bench's report."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_port)
    server.serve_forever()


class Receiver:
    """The receiver in a process of its own (so the bench's clients and the receiver do
    not share one interpreter lock); the arrivals are collected here."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.queue, port = context.Queue(), context.Queue()
        self.process = context.Process(target=receive, args=(port, self.queue), daemon=True)
        self.process.start()
        self.port = port.get(timeout=30)
        self.arrivals: list[tuple[str, dict, float]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def of(self, paths: set[str]) -> list[tuple[str, dict, float]]:
        with contextlib.suppress(queue.Empty):
            while True:
                self.arrivals.append(self.queue.get_nowait())
        return [a for a in self.arrivals if a[0] in paths]

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)


def make_leads(api_url: str, team: str, count: int, clients: int = 8) -> None:
    tickets = iter(range(count))
    lock = threading.Lock()

    def client():
        api = Api(api_url)
        while True:
            with lock:
                if next(tickets, None) is None:
                    return
            api.post("/leads", a_lead(team=team), expect=201)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def wait_arrivals(receiver: Receiver, paths: set[str], count: int, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while len(got := receiver.of(paths)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(got)} of {count} deliveries arrived within {timeout:.0f}s")
        time.sleep(0.05)
    return got


def wait_published(leads_db, timeout: float = 300) -> None:
    """Until the leads relay has published every event: the whole backlog is in the log."""
    deadline = time.monotonic() + timeout
    with leads_db.connect() as conn:
        while conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar():
            if time.monotonic() > deadline:
                raise RuntimeError("the leads relay did not publish the backlog")
            conn.rollback()
            time.sleep(0.2)


def catch_up(stack, api: Api, receiver: Receiver, leads_db, subscriptions: int, backlog: int) -> dict:
    team = f"bench-{uuid.uuid4().hex[:6]}"
    paths = {f"/catch-up-{subscriptions}-{n}" for n in range(subscriptions)}
    ids = [api.post("/subscriptions", {"name": p[1:], "url": receiver.url(p), "types": ["lead.created"],
                                       "team": team}, expect=201)["id"] for p in sorted(paths)]
    time.sleep(1.0)  # the dispatcher takes them (and reads from now on)
    stack.stop("dispatcher")
    make_leads(stack.base_url, team, backlog)
    wait_published(leads_db)
    stack.start("dispatcher")
    got = wait_arrivals(receiver, paths, backlog * subscriptions, timeout=600)
    times = [a[2] for a in got]
    for subscription_id in ids:
        api.post(f"/subscriptions/{subscription_id}/pause")
    wall = max(times) - min(times)
    return {"subscriptions": subscriptions, "deliveries": len(got), "seconds": wall, "rate": len(got) / wall}


def steady(stack, api: Api, receiver: Receiver, leads_db, rate: float, seconds: float) -> dict:
    team = f"bench-{uuid.uuid4().hex[:6]}"
    path = "/steady"
    subscription = api.post("/subscriptions", {"name": "steady", "url": receiver.url(path), "types": ["lead.created"],
                                               "team": team}, expect=201)
    time.sleep(1.0)
    count, clients = int(rate * seconds), 4  # several clients: one lead takes longer than 1/rate under load
    started = time.monotonic()

    def client(number: int) -> None:
        api = Api(stack.base_url)
        for n in range(number, count, clients):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            api.post("/leads", a_lead(team=team), expect=201)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent_rate = count / (time.monotonic() - started)
    got = wait_arrivals(receiver, {path}, count, timeout=60)
    api.post(f"/subscriptions/{subscription['id']}/pause")
    latencies = [at - datetime.fromisoformat(event["time"]).timestamp() for _, event, at in got]
    with leads_db.connect() as conn:
        rows = conn.execute(select(outbox.c.event_id, outbox.c.created_at, outbox.c.published_at).where(
            outbox.c.event_id.in_([event["id"] for _, event, _ in got]))).all()
    written = {event_id: (created_at.timestamp(), published_at.timestamp()) for event_id, created_at, published_at
               in rows}
    service, relay, onward = [], [], []
    for _, event, at in got:
        created_at, published_at = written[event["id"]]
        service.append(created_at - datetime.fromisoformat(event["time"]).timestamp())
        relay.append(published_at - created_at)
        onward.append(at - published_at)
    return {"events": count, "offered_rate": sent_rate, **summary(latencies), "service": summary(service),
            "relay": summary(relay), "onward": summary(onward)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webhook_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=5000, help="events of the catch-up backlog")
    parser.add_argument("--rate", type=float, default=50.0, help="events/s of the steady phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the steady phase")
    args = parser.parse_args(argv)
    # SIGTERM unwinds through the clean-up too (processes, databases, vhost).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    carry_admin_tokens()
    with contextlib.ExitStack() as cleanup:
        tmp = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="crm-bench-webhooks-")))
        vhost = cleanup.enter_context(RabbitVhost(prefix="crm-bench"))
        databases = cleanup.enter_context(PostgresDatabases(SERVICES, prefix="crm_bench"))
        stack = make_stack(tmp, vhost, {s: databases.url(s) for s in SERVICES})
        stack.env.update({"CRM_LOG_FORMAT": "json", "CRM_LOG_LEVEL": "WARNING",
                          "CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1", "CRM_WEBHOOKS_SCAN_SECONDS": "0.5"})
        cleanup.callback(stack.stop_all)
        stack.setup(SERVICES)
        stack.start_all()
        stack.wait_ready(SERVICES)
        receiver = Receiver()
        cleanup.callback(receiver.stop)
        api = Api(stack.base_url)
        leads_db = create_engine(databases.url("leads"))
        cleanup.callback(leads_db.dispose)
        print(f"bench-webhooks: system up (vhost {vhost.name}, PostgreSQL)", flush=True)
        for subscriptions in (1, 4):
            r = catch_up(stack, api, receiver, leads_db, subscriptions, args.backlog)
            print(f"catch-up, {r['subscriptions']} subscription(s): {r['deliveries']} deliveries in "
                  f"{r['seconds']:.1f}s = {r['rate']:.0f} deliveries/s", flush=True)
        r = steady(stack, api, receiver, leads_db, args.rate, args.seconds)
        print(f"steady {r['offered_rate']:.0f} events/s, {r['count']} events: commit -> webhook p50 "
              f"{r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, max {r['max_ms']:.0f} ms", flush=True)
        for part, name in (("service", "event made -> outbox row (service)"),
                           ("relay", "outbox row -> published (commit, relay, confirm)"),
                           ("onward", "published -> webhook (stream, dispatcher, POST)")):
            print(f"  {name}: p50 {r[part]['p50_ms']:.0f} ms, p99 {r[part]['p99_ms']:.0f} ms, "
                  f"max {r[part]['max_ms']:.0f} ms", flush=True)
        c = publish_ceiling(stack, vhost.amqp_uri, 5.0, 1000)
        print(f"confirmed-publish ceiling (1 kB, one at a time): {c['rate']:.0f} msg/s, p50 {c['p50_ms']:.1f} ms",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
