"""``make bench``: the sales flow under concurrent clients, and this machine's ceilings.

It starts its own complete system the way the tests do (``conftest.make_stack``: a
throwaway RabbitMQ vhost, throwaway PostgreSQL databases, every Procfile process as a
subprocess), drives the whole flow over HTTP from N client threads, then measures the
raw ceilings after the flow (confirmed publish, RPC round trip, single-row commit) and
prints each flow figure beside the ceiling it leans on. Then the leads figures
(leads_bench.py): lead creation, a CSV import, and lists over 1,000,000 seeded leads;
the deals figures (deals_bench.py): the sales reports over 200,000 seeded
opportunities, and quote creation with 20 lines; and the billing figures
(billing_bench.py): invoice issuing from concurrent issuers, its numbers checked for gaps
and duplicates, and payment recording; and the gateway figures (gateway_bench.py): create
lead and get opportunity story through REST, through gRPC and as the raw RPCs beside them.
Everything it made is removed at the end, also on Ctrl-C or error.

A benchmark never decides pass/fail: exit 0 unless the system could not be started, a
flow step or a request failed, or the issued invoice numbers have a gap or a duplicate
(exit 1); 130 on Ctrl-C. See bench/README.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# conftest.py (make_stack, SERVICES) and tests/flow.py (a_lead, LINES) are the shapes we reuse.
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import requests  # noqa: E402
from billing_bench import billing_figures, billing_reports  # noqa: E402
from billing_bench import failures as billing_failures  # noqa: E402
from billing_bench import report as report_billing  # noqa: E402
from deals_bench import deal_reports, quote_creation  # noqa: E402
from deals_bench import report as report_deals  # noqa: E402
from gateway_bench import failures as gateway_failures  # noqa: E402
from gateway_bench import gateway_figures  # noqa: E402
from gateway_bench import report as report_gateway  # noqa: E402
from kombu import Connection, Producer, Queue  # noqa: E402
from leads_bench import csv_import, lead_creation, lead_lists  # noqa: E402
from leads_bench import report as report_leads  # noqa: E402
from measure import OTHER, cpu_report, cpu_snapshot, num, run_clients, summary, table  # noqa: E402
from profiling import Profiler  # noqa: E402
from profiling import analyse as analyse_profile  # noqa: E402
from profiling import print_report as report_profile  # noqa: E402
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from conftest import SERVICES, carry_admin_tokens, make_stack  # noqa: E402
from crmkit.db import make_engine  # noqa: E402
from crmkit.rpc_client import RpcClient  # noqa: E402
from crmkit.testing import PostgresDatabases, RabbitVhost, Stack  # noqa: E402
from flow import LINES, a_lead  # noqa: E402

STEPS = ["create_lead", "qualify_lead", "convert_lead", "wait_opportunity", "create_quote", "send_quote",
         "accept_quote", "wait_order", "get_invoice", "record_payment"]
WAIT_STEPS = {"wait_opportunity", "wait_order"}
# Write transactions a flow costs in the services: 7 write RPCs (create, qualify, convert,
# create quote, send, accept, payment) + 2 event handlers (opportunity, order). The relays'
# mark-published commits come on top (at most one per event, fewer when they batch).
WRITE_COMMITS_PER_FLOW = 9
WAIT_TIMEOUT = 30.0


class StepFailed(Exception):
    """A flow step answered something other than what the flow needs."""


# --- the timed flow --------------------------------------------------------------------

class TimedClient:
    """One simulated user: a keep-alive HTTP session that times every step."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def request(self, method: str, path: str, expect: int, body: dict | None = None) -> dict:
        resp = self.http.request(method, self.base_url + path, json=body, timeout=30)
        if resp.status_code != expect:
            raise StepFailed(f"{method} {path}: expected {expect}, got {resp.status_code} {resp.text[:500]}")
        return resp.json()

    def step(self, times: dict, name: str, method: str, path: str, expect: int = 200,
             body: dict | None = None) -> tuple[dict, float]:
        start = time.perf_counter()
        data = self.request(method, path, expect, body)
        end = time.perf_counter()
        times[name] = end - start
        return data, end

    def wait(self, times: dict, polls: dict, name: str, path: str, since: float) -> tuple[dict, float]:
        """Time from ``since`` (the previous response) until ``path`` reads 200: the
        asynchronous event path as a client sees it, one GET that the gateway holds
        until the record's event is in the log (Prefer: wait), no polling."""
        resp = self.http.get(self.base_url + path, timeout=WAIT_TIMEOUT + 10,
                             headers={"Prefer": f"wait={WAIT_TIMEOUT:.0f}"})
        now = time.perf_counter()
        if resp.status_code != 200:
            raise StepFailed(f"GET {path} (Prefer: wait={WAIT_TIMEOUT:.0f}): expected 200, got {resp.status_code} "
                             f"{resp.text[:500]}")
        times[name] = now - since
        polls[name] = 1
        return resp.json(), now

    def flow(self) -> tuple[dict, dict]:
        """Lead to paid invoice; returns (seconds per step, GETs per wait step)."""
        times: dict[str, float] = {}
        polls: dict[str, int] = {}
        lead, _ = self.step(times, "create_lead", "POST", "/leads", 201, a_lead())
        self.step(times, "qualify_lead", "POST", f"/leads/{lead['id']}/qualify")
        lead, end = self.step(times, "convert_lead", "POST", f"/leads/{lead['id']}/convert", body={})
        opportunity, _ = self.wait(times, polls, "wait_opportunity",
                                   f"/opportunities/{lead['converted_opportunity_id']}", end)
        quote, _ = self.step(times, "create_quote", "POST", "/quotes", 201,
                             {"opportunity_id": opportunity["id"], "lines": LINES})
        self.step(times, "send_quote", "POST", f"/quotes/{quote['id']}/send")
        quote, end = self.step(times, "accept_quote", "POST", f"/quotes/{quote['id']}/accept")
        order, _ = self.wait(times, polls, "wait_order", f"/orders/{quote['order_id']}", end)
        invoice, _ = self.step(times, "get_invoice", "GET", f"/invoices/{order['invoice_ids'][0]}")
        paid, _ = self.step(times, "record_payment", "POST", f"/invoices/{invoice['id']}/payments", 201,
                            {"amount": invoice["balance_due"], "reference": f"BANK-{invoice['number']}"})
        if paid["status"] != "paid" or paid["balance_due"] not in ("0", "0.00"):
            raise StepFailed(f"record_payment: invoice {invoice['id']} is {paid['status']}, "
                             f"balance due {paid['balance_due']}")
        return times, polls


@dataclass
class Phase:
    flows: int = 0
    wall: float = 0.0
    steps: dict = field(default_factory=lambda: {s: [] for s in STEPS})
    polls: dict = field(default_factory=lambda: {s: 0 for s in WAIT_STEPS})
    flow_seconds: list = field(default_factory=list)
    failures: list = field(default_factory=list)


def run_flows(base_url: str, clients: int, count: int) -> Phase:
    phase = Phase()
    lock = threading.Lock()
    tickets = iter(range(count))
    stop = threading.Event()

    def client_loop(number: int) -> None:
        client = TimedClient(base_url)
        while not stop.is_set():
            with lock:
                if next(tickets, None) is None:
                    return
            start = time.perf_counter()
            try:
                times, polls = client.flow()
            except Exception as exc:
                if not stop.is_set():
                    detail = str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"
                    phase.failures.append(f"client {number}: {detail}")
                stop.set()
                return
            elapsed = time.perf_counter() - start
            with lock:
                phase.flows += 1
                phase.flow_seconds.append(elapsed)
                for name, seconds in times.items():
                    phase.steps[name].append(seconds)
                for name, n in polls.items():
                    phase.polls[name] += n

    phase.wall = run_clients(clients, client_loop, stop, "client")
    return phase


# --- ceilings --------------------------------------------------------------------------

def publish_ceiling(stack: Stack, amqp_uri: str, seconds: float, body_bytes: int) -> dict:
    """kombu publish, persistent, with publisher confirms, one at a time, to a throwaway
    durable queue through the default exchange (as the relay publishes events)."""
    queue = Queue(f"bench.publish-ceiling-{uuid.uuid4().hex[:8]}", durable=True)
    body = {"pad": "x" * max(0, body_bytes - 11)}  # json.dumps(body) is body_bytes long
    latencies = []
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = Producer(channel)
        try:
            cpu_before = cpu_snapshot()
            start = time.perf_counter()
            while (now := time.perf_counter()) - start < seconds:
                producer.publish(body, exchange="", routing_key=queue.name, delivery_mode=2, serializer="json",
                                 retry=False)
                latencies.append(time.perf_counter() - now)
            wall = time.perf_counter() - start
            cpu_after = cpu_snapshot()
        finally:
            queue(channel).delete()
    return {"rate": len(latencies) / wall, "unit": "msg/s", "body_bytes": len(json.dumps(body)),
            **summary(latencies), "cpu": cpu_report(cpu_before, cpu_after, len(latencies), stack)}


def rpc_ceiling(stack: Stack, amqp_uri: str, seconds: float, callers: int) -> dict:
    """leads.health (which runs SELECT 1 on the leads database) through one shared
    crmkit RpcClient, as the gateway shares one, from ``callers`` threads."""
    client = RpcClient(amqp_uri, timeout=10, name="bench")
    try:
        for _ in range(20):
            client.call("leads", "health")
        latencies: list[list[float]] = [[] for _ in range(callers)]
        cpu_before = cpu_snapshot()
        start = time.perf_counter()
        deadline = start + seconds

        def caller(mine: list[float]) -> None:
            while (now := time.perf_counter()) < deadline:
                client.call("leads", "health")
                mine.append(time.perf_counter() - now)

        threads = [threading.Thread(target=caller, args=(mine,), daemon=True) for mine in latencies]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
        wall = time.perf_counter() - start
        cpu_after = cpu_snapshot()
    finally:
        client.close()
    every = [s for mine in latencies for s in mine]
    return {"rate": len(every) / wall, "unit": "calls/s", "callers": callers, **summary(every),
            "cpu": cpu_report(cpu_before, cpu_after, len(every), stack)}


def commit_ceiling(stack: Stack, engine, seconds: float) -> dict:
    """SQLAlchemy Core: one INSERT of one row and COMMIT, sequentially, on one connection,
    into a scratch table that is dropped afterwards."""
    table = Table(f"bench_scratch_{uuid.uuid4().hex[:8]}", MetaData(),
                  Column("id", Integer, primary_key=True, autoincrement=True), Column("payload", Text))
    table.create(engine)
    latencies = []
    try:
        with engine.connect() as conn:
            cpu_before = cpu_snapshot()
            start = time.perf_counter()
            while (now := time.perf_counter()) - start < seconds:
                conn.execute(insert(table).values(payload="x" * 200))
                conn.commit()
                latencies.append(time.perf_counter() - now)
            wall = time.perf_counter() - start
            cpu_after = cpu_snapshot()
    finally:
        table.drop(engine)
        engine.dispose()
    return {"rate": len(latencies) / wall, "unit": "commits/s", **summary(latencies),
            "cpu": cpu_report(cpu_before, cpu_after, len(latencies), stack)}


# --- what the flow cost, read from the services' outboxes ------------------------------------

def idle_event_latency(base_url: str, amqp_uri: str, samples: int = 50) -> dict:
    """How long a committed event takes to reach a consumer on the broker at idle: one
    lead at a time, 50 ms apart; from the envelope's time (set in the service's
    transaction, just before its commit) to the moment a queue of ours receives it. It
    includes the relay's wake-up (NOTIFY or the SQLite socket), read, confirmed publish
    and the broker's delivery: an upper bound of commit -> broker."""
    from datetime import datetime

    from kombu import Consumer, binding

    from crmkit.broker import EVENTS_EXCHANGE

    latencies: list[float] = []
    with Connection(amqp_uri) as conn:
        tap = Queue(f"bench.tap.{uuid.uuid4().hex}", bindings=[binding(EVENTS_EXCHANGE, "crm.lead.created.v1")],
                    exclusive=True)

        def received(body, message):
            latencies.append(time.time() - datetime.fromisoformat(body["time"]).timestamp())
            message.ack()

        http = requests.Session()
        with Consumer(conn, [tap], callbacks=[received], accept=["cloudevents"]):
            for _ in range(samples):
                wanted = len(latencies) + 1
                http.post(f"{base_url}/leads", json=a_lead(), timeout=30).raise_for_status()
                deadline = time.monotonic() + 10
                while len(latencies) < wanted and time.monotonic() < deadline:
                    with contextlib.suppress(TimeoutError):
                        conn.drain_events(timeout=0.5)
                time.sleep(0.05)
    return {"samples": len(latencies), **summary(latencies)}


def outbox_counts(urls: dict[str, str]) -> dict:
    counts = {}
    for service, url in urls.items():
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                total, unpublished, body = conn.execute(text(
                    "SELECT count(*), count(*) - count(published_at), coalesce(avg(length(body)), 0) FROM outbox"
                )).one()
        finally:
            engine.dispose()
        counts[service] = {"events": total, "unpublished": unpublished, "mean_body_bytes": float(body)}
    return counts


def pg_sessions(urls: dict[str, str]) -> dict[str, int]:
    """Sessions PostgreSQL has opened so far per service database (pg_stat_database,
    which lags by up to a second or so): connection churn shows up here."""
    names = {make_url(url).database: service for service, url in urls.items() if url.startswith("postgresql")}
    if not names:
        return {}
    engine = create_engine(make_url(next(iter(urls.values()))).set(database="postgres"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT datname, sessions FROM pg_stat_database WHERE datname = ANY(:names)"),
                                {"names": list(names)}).all()
    finally:
        engine.dispose()
    return {names[name]: sessions for name, sessions in rows}


def log_tails(stack: Stack, lines: int = 15, width: int = 600) -> str:
    """The last lines of each process's log, leaving out nameko's "(expected)" warnings
    (a 404 while polling is one) and cutting long lines."""
    out = []
    for name in stack.specs:
        try:
            every = stack.logs(name).splitlines()
        except OSError:
            continue
        kept = [line for line in every if "(expected) error handling worker" not in line]
        if kept:
            skipped = len(every) - len(kept)
            out.append(f"--- {name}.log (last {min(lines, len(kept))} lines"
                       + (f"; {skipped} '(expected) error' warnings left out" if skipped else "") + ")")
            out.extend(line if len(line) <= width else line[:width] + " ..." for line in kept[-lines:])
    return "\n".join(out)


def logged_problems(stack: Stack) -> dict:
    """What each process logged: at CRM_LOG_LEVEL=WARNING every line is a warning or
    worse. Messages are grouped with ids and numbers blanked out, most frequent first."""
    found = {}
    for name in stack.specs:
        groups: dict[str, int] = {}
        with contextlib.suppress(OSError):
            for line in stack.logs(name).splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(entry, dict) or "level" not in entry:
                    continue
                message = _ID.sub("<id>", f"{entry['level']} {entry.get('logger')}: {entry.get('message')}")
                groups[message] = groups.get(message, 0) + 1
        if groups:
            found[name] = dict(sorted(groups.items(), key=lambda kv: -kv[1]))
    return found


_ID = re.compile(r"0x[0-9a-f]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                 r"|\b[0-9a-f]{32}\b|\b\d+(\.\d+)?\b")


# --- the run ---------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--flows", type=int, default=200, help="measured flows (lead to paid invoice)")
    parser.add_argument("--warmup", type=int, default=10, help="flows run first and not counted")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres",
                        help="sqlite: no *_DATABASE_URL, each service keeps a SQLite file under CRM_DATA_DIR")
    parser.add_argument("--ceiling-seconds", type=float, default=3.0, help="how long each ceiling is measured")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--keep-logs", metavar="DIR", help="copy every process's log here at the end")
    parser.add_argument("--profile", metavar="DIR",
                        help="run every process of the stack under py-spy during the measured flows and write "
                             "its collapsed stacks and flame graph here (make profile; see bench/README.md)")
    parser.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second per process")
    parser.add_argument("--profile-every-thread", action="store_true",
                        help="--profile samples every running or runnable thread, not only the GIL's holder")
    parser.add_argument("--py-spy-option", action="append", default=[], metavar="OPTION",
                        help="one more option of py-spy record for --profile, e.g. --py-spy-option=--native "
                             "(repeatable)")
    parser.add_argument("--only", choices=["all", "leads", "deals", "billing", "gateway"], default="all",
                        help="leads, deals, billing or gateway: only those figures (and the RPC ceiling they are "
                             "compared with)")
    parser.add_argument("--leads", type=int, default=2000, help="leads created by POST /leads (0 skips)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the CSV import (0 skips)")
    parser.add_argument("--list-leads", type=int, default=1_000_000,
                        help="leads in the table for the list figures, seeded by SQL; PostgreSQL only (0 skips)")
    parser.add_argument("--list-requests", type=int, default=200,
                        help="requests per list query shape, once with 1 client and once with --clients")
    parser.add_argument("--list-seconds", type=float, default=15.0,
                        help="at most this long per list query shape and phase")
    parser.add_argument("--seed-keep-indexes", action="store_true",
                        help="seed with every index of leads in place (slower) instead of dropping the "
                             "secondary ones for the load and re-creating them")
    parser.add_argument("--opportunities", type=int, default=200_000,
                        help="opportunities in the table for the report figures, seeded by SQL; PostgreSQL only "
                             "(0 skips)")
    parser.add_argument("--report-requests", type=int, default=200,
                        help="requests per report shape, once with 1 client and once with --report-clients")
    parser.add_argument("--report-seconds", type=float, default=15.0,
                        help="at most this long per report shape and phase")
    parser.add_argument("--report-clients", type=int, default=4, help="concurrent clients for the reports")
    parser.add_argument("--quotes", type=int, default=300,
                        help="quotes of 20 lines created by POST /quotes from --clients clients (0 skips)")
    parser.add_argument("--invoices", type=int, default=400,
                        help="draft invoices issued by POST /invoices/{id}/issue from --issuers clients, then paid "
                             "in two payments each from --clients clients (0 skips)")
    parser.add_argument("--issuers", type=int, default=8, help="concurrent clients issuing the invoices")
    parser.add_argument("--billing-invoices", type=int, default=200_000,
                        help="invoices in the billing database for the billing report figures (with their orders, "
                             "payments and credit notes), seeded by COPY after the issuing and payments; PostgreSQL "
                             "only (0 skips)")
    parser.add_argument("--gateway-requests", type=int, default=100,
                        help="gateway figures: measured requests per client in each phase (operation, transport, "
                             "clients) (0 skips the gateway figures)")
    parser.add_argument("--gateway-clients", default="1,8",
                        help="gateway figures: the numbers of concurrent clients, comma-separated")
    parser.add_argument("--gateway-warmup", type=int, default=5,
                        help="gateway figures: requests per client first in each phase, not counted")
    parser.add_argument("--gateway-stories", type=int, default=8,
                        help="gateway figures: opportunities with a whole story (tests/flow.py run_flow) the story "
                             "requests take in turn")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.flows < 1 or args.warmup < 0 or args.ceiling_seconds <= 0:
        parser.error("--clients and --flows must be >= 1, --warmup >= 0, --ceiling-seconds > 0")
    if min(args.leads, args.import_rows, args.list_leads) < 0 or args.list_requests < 1 or args.list_seconds <= 0:
        parser.error("--leads, --import-rows, --list-leads must be >= 0, --list-requests >= 1, --list-seconds > 0")
    if min(args.opportunities, args.quotes) < 0 or min(args.report_requests, args.report_clients) < 1 \
            or args.report_seconds <= 0:
        parser.error("--opportunities and --quotes must be >= 0, --report-requests and --report-clients >= 1, "
                     "--report-seconds > 0")
    if args.profile and args.only != "all":
        parser.error("--profile samples the measured flows, which only --only all runs")
    if args.invoices < 0 or args.issuers < 1:
        parser.error("--invoices must be >= 0, --issuers >= 1")
    try:
        args.gateway_clients = [int(n) for n in str(args.gateway_clients).split(",") if n.strip()]
    except ValueError:
        parser.error("--gateway-clients takes numbers separated by commas, e.g. 1,8")
    if args.gateway_requests < 0 or args.gateway_warmup < 0 or args.gateway_stories < 1 \
            or not args.gateway_clients or min(args.gateway_clients) < 1:
        parser.error("--gateway-requests and --gateway-warmup must be >= 0, --gateway-stories >= 1, "
                     "--gateway-clients numbers >= 1")
    return args


def _stop_stack(stack: Stack) -> None:
    started = time.perf_counter()
    stack.stop_all()
    seconds = time.perf_counter() - started
    if seconds > 5:
        print(f"bench: the processes took {seconds:.1f}s to stop", flush=True)


def _raise_interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Ctrl-C and SIGTERM both unwind through the clean-up below (also when the shell
    # that started us ignored SIGINT, as a background job of a script does).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    carry_admin_tokens()  # the stack's gateway wants a token, as the tests give it
    results: dict = {"_started": time.perf_counter(), "config": {k: v for k, v in vars(args).items() if k != "json"},
                     "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "loadavg_at_start": os.getloadavg()}}
    parts = []
    if args.only == "all":
        parts.append(f"{args.warmup} warm-up + {args.flows} measured flows")
    if args.only in ("all", "leads"):
        parts.append(f"{args.leads} leads created, a CSV import of {args.import_rows:,} rows, lists at "
                     f"{args.list_leads:,} leads")
    if args.only in ("all", "deals"):
        parts.append(f"reports at {args.opportunities:,} opportunities, {args.quotes} quotes of 20 lines")
    if args.only in ("all", "billing"):
        parts.append(f"{args.invoices} invoices issued by {args.issuers} issuers and paid")
        if args.billing_invoices:
            parts.append(f"billing reports at {args.billing_invoices:,} invoices")
    if args.only in ("all", "gateway") and args.gateway_requests:
        parts.append(f"create lead and get story through REST, gRPC and raw RPC, "
                     f"{'/'.join(map(str, args.gateway_clients))} clients x {args.gateway_requests} requests")
    print(f"bench: {args.clients} clients, {', '.join(parts)} on {args.database}; {os.cpu_count()} CPUs, load "
          f"average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)

    with contextlib.ExitStack() as cleanup:
        def _teardown_quietly():
            # Runs first on the way out: a second Ctrl-C must not leave vhost or databases behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            print("bench: tearing down (processes, databases, vhost)", flush=True)

        tmp = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="crm-bench-")))
        stack = None
        try:
            started = time.perf_counter()
            vhost = cleanup.enter_context(RabbitVhost(prefix="crm-bench"))
            if args.database == "postgres":
                databases = cleanup.enter_context(PostgresDatabases(SERVICES, prefix="crm_bench"))
                urls = {s: databases.url(s) for s in SERVICES}
                where = "databases " + ", ".join(databases.names.values())
                commit_engines = {"PostgreSQL": lambda: create_engine(databases.url("billing"))}
            else:
                # No PostgreSQL for the services; one scratch database only for the ceiling.
                scratch = cleanup.enter_context(PostgresDatabases(["scratch"], prefix="crm_bench"))
                urls = {}
                where = f"SQLite files under {tmp / 'data'}"
                commit_engines = {
                    "SQLite (services' pragmas)":
                        lambda: make_engine(f"sqlite:///{tmp / 'data' / 'bench_scratch.db'}"),
                    "PostgreSQL": lambda: create_engine(scratch.url("scratch")),
                }
            stack = make_stack(tmp, vhost, urls)
            stack.env.update({"CRM_LOG_FORMAT": "json", "CRM_LOG_LEVEL": "WARNING"})
            if args.keep_logs:
                cleanup.callback(shutil.copytree, tmp / "logs", args.keep_logs, dirs_exist_ok=True)
            cleanup.callback(_stop_stack, stack)
            cleanup.callback(_teardown_quietly)
            stack.setup(SERVICES)
            stack.start_all()
            stack.wait_ready(SERVICES)
        except KeyboardInterrupt:
            print("bench: interrupted while starting", file=sys.stderr)
            return 130
        except Exception as exc:
            print(f"bench: the system could not be started: {type(exc).__name__}: {exc}", file=sys.stderr)
            if stack is not None:
                print(log_tails(stack), file=sys.stderr)
            return 1
        results["startup_seconds"] = time.perf_counter() - started
        print(f"bench: system up in {results['startup_seconds']:.1f}s (vhost {vhost.name}, {where})", flush=True)

        try:
            return _measure(args, stack, vhost, urls or {s: f"sqlite:///{tmp / 'data' / s}.db" for s in SERVICES},
                            commit_engines, results, tmp)
        except KeyboardInterrupt:
            print("\nbench: interrupted", file=sys.stderr)
            return 130
        except Exception:
            print("bench: the benchmark itself failed:\n" + traceback.format_exc(), file=sys.stderr)
            print(log_tails(stack), file=sys.stderr)
            return 1


def _measure(args, stack: Stack, vhost: RabbitVhost, urls: dict, commit_engines: dict, results: dict,
             tmp: Path) -> int:
    if args.only != "all":
        print(f"bench: measuring the RPC ceiling ({args.ceiling_seconds:g}s each) ...", flush=True)
        ceilings = {"rpc_1": rpc_ceiling(stack, vhost.amqp_uri, args.ceiling_seconds, 1),
                    "rpc_10": rpc_ceiling(stack, vhost.amqp_uri, args.ceiling_seconds, 10)}
        leads = _measure_leads(args, stack, urls, tmp) if args.only == "leads" else {}
        if _leads_failed(stack, leads):
            return 1
        deals = _measure_deals(args, stack, urls) if args.only == "deals" else {}
        if _deals_failed(stack, deals):
            return 1
        billing = _measure_billing(args, stack, urls) if args.only == "billing" else {}
        if _billing_failed(stack, billing):
            return 1
        gateway = _measure_gateway(args, stack, vhost) if args.only == "gateway" else {}
        if _gateway_failed(stack, gateway):
            return 1
        results["loadavg_at_end"] = os.getloadavg()
        print(_ceilings_table(args, ceilings))
        results["ceilings"] = ceilings
        return _finish(args, stack, leads, deals, billing, gateway, ceilings, results)

    if args.warmup:
        warm = run_flows(stack.base_url, args.clients, args.warmup)
        if warm.failures:
            return _failed(stack, warm, "warm-up")
    time.sleep(1.0)  # let pg_stat_database catch up with the warm-up
    sessions_before = pg_sessions(urls)
    profiler = Profiler(stack.procs, Path(args.profile), args.profile_rate,
                        not args.profile_every_thread, args.py_spy_option) if args.profile else None
    try:
        if profiler:
            print(f"bench: attaching py-spy to {len(stack.procs)} processes ...", flush=True)
            profiler.start()
        before = cpu_snapshot()
        print(f"bench: running {args.flows} flows with {args.clients} clients ...", flush=True)
        phase = run_flows(stack.base_url, args.clients, args.flows)
        after = cpu_snapshot()
    finally:
        if profiler:
            results["profile_samplers"] = profiler.stop()
    if phase.failures:
        return _failed(stack, phase, "measured run")
    cpu = cpu_report(before, after, phase.flows, stack)

    # Let the relays publish the last flows' events before the outboxes are counted.
    deadline = time.monotonic() + 10
    while (events := outbox_counts(urls)) and any(e["unpublished"] for e in events.values()) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    sessions = {s: n - sessions_before[s] for s, n in pg_sessions(urls).items()}
    all_flows = args.warmup + phase.flows
    events_per_flow = sum(e["events"] for e in events.values()) / all_flows
    body_bytes = round(statistics.fmean(e["mean_body_bytes"] for e in events.values()))

    print(f"bench: measuring ceilings ({args.ceiling_seconds:g}s each) ...", flush=True)
    ceilings = {
        "publish": publish_ceiling(stack, vhost.amqp_uri, args.ceiling_seconds, body_bytes),
        "rpc_1": rpc_ceiling(stack, vhost.amqp_uri, args.ceiling_seconds, 1),
        "rpc_10": rpc_ceiling(stack, vhost.amqp_uri, args.ceiling_seconds, 10),
        "commit": {name: commit_ceiling(stack, factory(), args.ceiling_seconds)
                   for name, factory in commit_engines.items()},
    }
    print("bench: measuring the idle commit -> broker latency ...", flush=True)
    ceilings["idle_event_latency"] = idle_event_latency(stack.base_url, vhost.amqp_uri)
    leads = _measure_leads(args, stack, urls, tmp)
    if _leads_failed(stack, leads):
        return 1
    deals = _measure_deals(args, stack, urls)
    if _deals_failed(stack, deals):
        return 1
    billing = _measure_billing(args, stack, urls)
    if _billing_failed(stack, billing):
        return 1
    gateway = _measure_gateway(args, stack, vhost)
    if _gateway_failed(stack, gateway):
        return 1
    results["loadavg_at_end"] = os.getloadavg()
    results["postgres_sessions_opened"] = sessions
    _report(args, phase, cpu, events, events_per_flow, ceilings, stack, results)
    if profiler:
        results["profile"] = analyse_profile(Path(args.profile), results["profile_samplers"], phase.flows)
        (Path(args.profile) / "profile.json").write_text(json.dumps(results["profile"], indent=2) + "\n")
        report_profile(results["profile"], cpu["cpu_ms_per_op"], ceilings["rpc_10"]["cpu"]["system_cpu_ms_per_op"],
                       Path(args.profile))
    return _finish(args, stack, leads, deals, billing, gateway, ceilings, results)


def _measure_leads(args, stack: Stack, urls: dict, tmp: Path) -> dict:
    """The leads figures, after the ceilings: creation, import, then seeding and lists."""
    leads: dict = {}
    if args.leads:
        print(f"bench: creating {args.leads} leads with {args.clients} clients ...", flush=True)
        leads["creation"] = lead_creation(stack, args.clients, args.leads)
        if leads["creation"]["failures"]:
            return leads
    if args.import_rows:
        print(f"bench: importing a CSV of {args.import_rows:,} rows, twice ...", flush=True)
        leads["import"] = csv_import(stack, urls["leads"], args.import_rows, tmp)
    if args.list_leads:
        if args.database != "postgres":
            leads["lists_skipped"] = "the seeding and the plans are PostgreSQL's; run with --database postgres"
        else:
            print(f"bench: seeding the leads table to {args.list_leads:,} leads ...", flush=True)
            leads["lists"] = lead_lists(stack, urls["leads"], args.list_leads, args.seed_keep_indexes, args.clients,
                                        args.list_requests, args.list_seconds)
    return leads


def _leads_failed(stack: Stack, leads: dict) -> bool:
    failures = leads.get("creation", {}).get("failures") or leads.get("lists", {}).get("failures")
    if not failures:
        return False
    print("\nbench: a leads request failed:", file=sys.stderr)
    for failure in failures:
        print(f"  {failure}", file=sys.stderr)
    print(log_tails(stack), file=sys.stderr)
    return True


def _measure_deals(args, stack: Stack, urls: dict) -> dict:
    """The deals figures, after the leads ones: seeding and reports, then quote creation."""
    deals: dict = {}
    if args.opportunities:
        if args.database != "postgres":
            deals["reports_skipped"] = "the seeding and the plans are PostgreSQL's; run with --database postgres"
        else:
            print(f"bench: seeding the opportunities table to {args.opportunities:,} ...", flush=True)
            deals["reports"] = deal_reports(stack, urls["deals"], args.opportunities, args.report_clients,
                                            args.report_requests, args.report_seconds)
            if deals["reports"].get("failures"):
                return deals
    if args.quotes:
        print(f"bench: creating {args.quotes} quotes of 20 lines with {args.clients} clients ...", flush=True)
        deals["quotes"] = quote_creation(stack, args.clients, args.quotes)
    return deals


def _deals_failed(stack: Stack, deals: dict) -> bool:
    failures = deals.get("reports", {}).get("failures") or deals.get("quotes", {}).get("failures")
    if not failures:
        return False
    print("\nbench: a deals request failed:", file=sys.stderr)
    for failure in failures:
        print(f"  {failure}", file=sys.stderr)
    print(log_tails(stack), file=sys.stderr)
    return True


def _measure_billing(args, stack: Stack, urls: dict) -> dict:
    """The billing figures, after the deals ones: issuing drafts (billing restarted to
    leave them, and back to its defaults after), then payments on those invoices, then
    the reports over the seeded billing database."""
    billing = billing_figures(stack, urls["billing"], args.clients, args.issuers, args.invoices) \
        if args.invoices else {}
    if billing_failures(billing) or not args.billing_invoices:
        return billing
    if args.database != "postgres":
        billing["reports_skipped"] = "the seeding and the plans are PostgreSQL's; run with --database postgres"
    else:
        billing["reports"] = billing_reports(stack, urls["billing"], args.billing_invoices, args.report_clients,
                                             args.report_requests, args.report_seconds)
    return billing


def _billing_failed(stack: Stack, billing: dict) -> bool:
    failures = billing_failures(billing)
    if not failures:
        return False
    print("\nbench: a billing request or check failed:", file=sys.stderr)
    for failure in failures:
        print(f"  {failure}", file=sys.stderr)
    print(log_tails(stack), file=sys.stderr)
    return True


def _measure_gateway(args, stack: Stack, vhost: RabbitVhost) -> dict:
    """The gateway figures, last: create lead, then get story (on opportunities made for
    it), each through REST, gRPC and as raw RPC, with 1 client and with a few."""
    if not args.gateway_requests:
        return {}
    return gateway_figures(stack, vhost.amqp_uri, args.gateway_clients, args.gateway_requests, args.gateway_warmup,
                           args.gateway_stories)


def _gateway_failed(stack: Stack, gateway: dict) -> bool:
    failures = gateway_failures(gateway)
    if not failures:
        return False
    print("\nbench: a gateway request failed:", file=sys.stderr)
    for failure in failures:
        print(f"  {failure}", file=sys.stderr)
    print(log_tails(stack), file=sys.stderr)
    return True


def _finish(args, stack: Stack, leads: dict, deals: dict, billing: dict, gateway: dict, ceilings: dict,
            results: dict) -> int:
    report_leads(args, leads, ceilings)
    results["leads"] = leads
    report_deals(args, deals, ceilings)
    results["deals"] = deals
    report_billing(billing, ceilings)
    results["billing"] = billing
    report_gateway(gateway, ceilings)
    results["gateway"] = gateway
    logged = logged_problems(stack)
    if not logged:
        print("\nWarnings or worse logged by the processes: none")
    for name, groups in logged.items():
        print(f"\nWarnings or worse logged by {name}: {sum(groups.values())} lines")
        for message, count in list(groups.items())[:5]:
            print(f"  {count:5d} x {message[:300]}")
    print(f"Load average at start {' '.join(f'{x:.2f}' for x in results['machine']['loadavg_at_start'])}, "
          f"at end {' '.join(f'{x:.2f}' for x in results['loadavg_at_end'])} "
          "(other work on the machine, e.g. a test run, skews every figure)")
    results["warnings_logged"] = logged
    results["total_seconds"] = time.perf_counter() - results.pop("_started")
    print(f"bench: total run time {results['total_seconds']:.0f}s")
    if args.json:
        Path(args.json).write_text(json.dumps(_finite(results), indent=2, default=str) + "\n")
        print(f"bench: results written to {args.json}")
    return 0


def _ceilings_table(args, ceilings: dict) -> str:
    def ceiling_row(label: str, c: dict) -> list:
        return [label, num(c["rate"], 0), c["unit"], num(c["p50_ms"], 2), num(c["p99_ms"], 2),
                num(c["cpu"]["system_cpu_ms_per_op"], 2), num(c["cpu"]["cpu_s"].get(OTHER, 0.0), 2)]

    rows = [ceiling_row("kombu publish, persistent + confirms, 1 publisher", ceilings["publish"])] \
        if "publish" in ceilings else []
    rows += [ceiling_row("nameko RPC leads.health (does SELECT 1), 1 caller", ceilings["rpc_1"]),
             ceiling_row("nameko RPC leads.health (does SELECT 1), 10 callers", ceilings["rpc_10"])]
    rows += [ceiling_row(f"{name} single-row INSERT + COMMIT, 1 connection", c)
             for name, c in ceilings.get("commit", {}).items()]
    when = "after the flows" if args.only == "all" else f"before the {args.only} figures"
    return table(["ceiling", "rate", "unit", "p50 ms", "p99 ms", "system CPU ms/op", "others' CPU s"], rows,
                 f"\nCeilings ({args.ceiling_seconds:g}s each, measured {when} while the bench stack idles; the RPC "
                 "goes through the bench vhost to the running leads service, whose health RPC runs SELECT 1 on its "
                 "database):")


def _label(group: str, cpu: dict) -> str:
    if group != OTHER or not cpu["other_processes_cpu_s"]:
        return group
    top = [f"{comm[:20]} {secs:.1f}" for comm, secs in list(cpu["other_processes_cpu_s"].items())[:3] if secs >= 0.05]
    return f"{group} ({', '.join(top)})" if top else group


def _finite(value):
    """NaN (a figure with no samples) as null, so the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _failed(stack: Stack, phase: Phase, what: str) -> int:
    print(f"\nbench: a flow step failed during the {what} ({phase.flows} flows had completed):", file=sys.stderr)
    for failure in phase.failures:
        print(f"  {failure}", file=sys.stderr)
    exited = {name: proc.returncode for name, proc in stack.procs.items() if proc.poll() is not None}
    if exited:
        print(f"  processes that had exited (name: exit code): {exited}", file=sys.stderr)
    print(log_tails(stack), file=sys.stderr)
    return 1


def _report(args, phase: Phase, cpu: dict, events: dict, events_per_flow: float, ceilings: dict, stack: Stack,
            results: dict) -> None:
    wall = phase.wall
    flows_per_s = phase.flows / wall
    rpc1, rpc10, publish = ceilings["rpc_1"], ceilings["rpc_10"], ceilings["publish"]
    commit_name = next(iter(ceilings["commit"]))
    commit = ceilings["commit"][commit_name]
    requests_per_flow = {s: (phase.polls[s] / phase.flows if s in WAIT_STEPS else 1.0) for s in STEPS}
    http_per_flow = sum(requests_per_flow.values())
    http_per_s = http_per_flow * flows_per_s
    flow = summary(phase.flow_seconds)

    print()
    print(f"Flow: {phase.flows} flows in {wall:.2f}s with {args.clients} clients = {flows_per_s:.2f} flows/s; "
          f"one flow p50 {flow['p50_ms']:.0f} ms, p99 {flow['p99_ms']:.0f} ms "
          f"({args.database}; percentiles: linear interpolation, statistics.quantiles 'inclusive')")
    step_rows = []
    step_results = {}
    for s in STEPS:
        st = summary(phase.steps[s])
        rate = requests_per_flow[s] * flows_per_s
        step_results[s] = {**st, "http_requests_per_flow": requests_per_flow[s], "http_requests_per_s": rate}
        step_rows.append([s + (" (async)" if s in WAIT_STEPS else ""), num(requests_per_flow[s], 2), num(rate),
                          num(st["p50_ms"]), num(st["p99_ms"]), num(st["max_ms"])])
    print(table(["step", "HTTP req/flow", "req/s", "p50 ms", "p99 ms", "max ms"], step_rows,
                "\nPer step (each HTTP request is one RPC through the gateway; an async step is the time from the "
                "previous response until the record reads 200, one GET with Prefer: wait, so it includes "
                "that GET's round trip):"))

    print(table(["process", "CPU s", "CPU ms/flow"],
                [[_label(name, cpu), num(v, 2), num(cpu["cpu_ms_per_op"][name], 1)] for name, v in cpu["cpu_s"].items()]
                + [["= the system (all but other processes, exited ones, steal)", num(cpu["system_cpu_s"], 2),
                    num(cpu["system_cpu_ms_per_op"], 1)],
                   ["whole machine", num(cpu["machine_busy_cpu_s"], 2),
                    num(cpu["machine_busy_cpu_s"] * 1000 / phase.flows, 1)],
                   ["  of which kernel irq + softirq (also inside the rows above)", num(cpu["interrupts_cpu_s"], 2),
                    num(cpu["interrupts_cpu_s"] * 1000 / phase.flows, 1)]],
                f"\nCPU during the measured run: machine {cpu['machine_busy_fraction'] * 100:.0f}% busy over "
                f"{os.cpu_count()} cores ({cpu['machine_busy_cpu_s']:.1f} CPU s in {wall:.1f} s); the broker and "
                "the database also serve anything else running here:"))

    per_service = ", ".join(f"{s} {e['events'] / (args.warmup + phase.flows):.1f}" for s, e in events.items())
    print(f"\nEvents published per flow (counted in the outboxes): {events_per_flow:.1f} ({per_service}); "
          f"mean body {publish['body_bytes']} bytes")
    if results.get("postgres_sessions_opened"):
        opened = results["postgres_sessions_opened"]
        print(f"PostgreSQL sessions opened during the measured run (pg_stat_database; 0 = pools held): "
              f"{', '.join(f'{s} {n}' for s, n in opened.items())}")

    print(_ceilings_table(args, ceilings))

    idle = ceilings["idle_event_latency"]
    print(f"\nIdle event latency, commit -> a consumer on the broker ({idle['samples']} lead.created events, one at a "
          f"time): p50 {idle['p50_ms']:.1f} ms, p99 {idle['p99_ms']:.1f} ms, max {idle['max_ms']:.1f} ms")

    commit_label = commit_name.split(" ")[0]
    ratio_rows = [
        ["flows/s", num(flows_per_s, 2), "-", "-", "-"],
        [f"HTTP req/s, all steps incl. polls ({http_per_flow:.1f}/flow, 1 RPC each)", num(http_per_s),
         "RPC calls/s, 10 callers", num(rpc10["rate"], 0), num(http_per_s / rpc10["rate"], 2)],
        [f"events published/s by the relays ({events_per_flow:.0f}/flow)", num(events_per_flow * flows_per_s),
         "confirmed publish msg/s", num(publish["rate"], 0), num(events_per_flow * flows_per_s / publish["rate"], 2)],
        [f"service write commits/s ({WRITE_COMMITS_PER_FLOW}/flow, relay marks not counted)",
         num(WRITE_COMMITS_PER_FLOW * flows_per_s), f"{commit_label} commits/s, 1 conn", num(commit["rate"], 0),
         num(WRITE_COMMITS_PER_FLOW * flows_per_s / commit["rate"], 2)],
        [f"system CPU ms per HTTP request ({cpu['system_cpu_ms_per_op']:.0f} per flow / {http_per_flow:.1f})",
         num(cpu["system_cpu_ms_per_op"] / http_per_flow, 2), "CPU ms per RPC, 10 callers",
         num(rpc10["cpu"]["system_cpu_ms_per_op"], 2),
         num(cpu["system_cpu_ms_per_op"] / http_per_flow / rpc10["cpu"]["system_cpu_ms_per_op"], 1)],
    ]
    for s in STEPS:
        st = step_results[s]
        if s in WAIT_STEPS:
            ratio_rows.append([f"{s} p50 ms (event path + 1 GET)", num(st["p50_ms"]), "RPC p50 ms, 1 caller",
                               num(rpc1["p50_ms"], 2), num(st["p50_ms"] / rpc1["p50_ms"], 1)])
        else:
            ratio_rows.append([f"{s} p50 ms (1 RPC)", num(st["p50_ms"]), "RPC p50 ms, 1 caller",
                               num(rpc1["p50_ms"], 2), num(st["p50_ms"] / rpc1["p50_ms"], 1)])
    ratio_rows.append([f"one whole flow p50 ms ({http_per_flow:.1f} RPCs)", num(flow["p50_ms"]),
                       "RPC p50 ms x RPCs/flow", num(rpc1["p50_ms"] * http_per_flow, 1),
                       num(flow["p50_ms"] / (rpc1["p50_ms"] * http_per_flow), 1)])
    print(table(["flow figure", "value", "vs ceiling", "ceiling", "ratio"], ratio_rows,
                "\nFlow vs ceilings (ratio = value / ceiling; throughput ratios are the share of a ceiling the flow "
                "used, latency ratios how many bare RPC round trips a step costs):"))

    results.update({
        "flow": {"flows": phase.flows, "wall_seconds": wall, "flows_per_second": flows_per_s,
                 "http_requests_per_flow": http_per_flow, "http_requests_per_second": http_per_s,
                 "latency": flow, "steps": step_results},
        "cpu": cpu,
        "events": {"per_flow": events_per_flow, "by_service": events},
        "ceilings": ceilings,
        "ratios": {
            "http_requests_per_s_vs_rpc_10_callers": http_per_s / rpc10["rate"],
            "events_per_s_vs_confirmed_publish": events_per_flow * flows_per_s / publish["rate"],
            "write_commits_per_s_vs_single_commit": WRITE_COMMITS_PER_FLOW * flows_per_s / commit["rate"],
            "cpu_per_http_request_vs_cpu_per_rpc_10_callers":
                cpu["system_cpu_ms_per_op"] / http_per_flow / rpc10["cpu"]["system_cpu_ms_per_op"],
            "step_p50_vs_rpc_p50_1_caller": {s: step_results[s]["p50_ms"] / rpc1["p50_ms"] for s in STEPS},
        },
        "percentile_method": "linear interpolation between closest ranks (statistics.quantiles, method='inclusive')",
    })


if __name__ == "__main__":
    sys.exit(main())
