"""The gateway figures of ``make bench``: two operations through REST, through gRPC and
as the raw nameko RPC round trips they are made of, in the same run, on the same stack:

1. create lead: ``POST /api/v1/leads`` vs gRPC ``crm.leads.v1.Leads/CreateLead`` vs
   ``leads.create_lead(data=...)`` over ``crmkit.rpc_client.RpcClient``, each body a new
   person and company (``tests/flow.py`` ``a_lead()``), so duplicate detection lets it in;
2. opportunity story: ``GET /api/v1/opportunities/{id}/story`` vs gRPC
   ``crm.deals.v1.Deals/OpportunityStory`` vs the single ``deals.get_opportunity`` RPC
   the story starts with, and the story's 7 RPCs made one after another by the bench
   (timed each, so their sum and the gateway's critical path can be put beside it), on
   opportunities with a whole story made first (``tests/flow.py`` ``run_flow``).

Each (operation, transport, clients) phase runs with C concurrent clients, each with its
own keep-alive HTTP session, gRPC channel or RpcClient, a few warm-up requests each, then
a fixed number of measured requests each. Every answer is checked (201/200, gRPC OK, the
record asked for); the first wrong one stops the part. See bench/README.md.
"""
from __future__ import annotations

import contextlib
import itertools
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import requests
from measure import OTHER, STEAL, UNATTRIBUTED, cpu_report, cpu_snapshot, num, run_clients, summary, table

from crmkit.context import CallContext
from crmkit.rpc_client import RemoteError, RpcClient, ServiceUnavailable
from crmkit.testing import Stack
from flow import Api, a_lead, run_flow
from gateway import protojson
from gateway.pb import deals_pb2, deals_pb2_grpc, leads_pb2, leads_pb2_grpc

REST, GRPC, RPC, RPC_STORY = "REST", "gRPC", "RPC", "RPC x7"
FRONT = {REST: "gateway", GRPC: "gateway"}  # the Procfile process each transport goes through (one for both)
# Every Procfile process but the gateway: the subscriptions service, its relay and the
# dispatcher run beside the flow and read what it publishes, so their CPU is the flow's too.
SERVICE_PROCESSES = ("leads", "leads-relay", "deals", "deals-relay", "billing", "billing-relay", "subscriptions",
                     "subscriptions-relay", "dispatcher")
RABBITMQ, POSTGRES, BENCH = "RabbitMQ (all vhosts)", "PostgreSQL (all databases)", "bench (this process)"
TIMEOUT = 30.0


class Wrong(Exception):
    """An answer other than the one the bench asked for."""


# --- driving: C clients, each its own connection, a fixed number of requests each --------------

def drive(clients: int, per_client: int, warmup: int, connect, operation, stack: Stack, on_start=None) -> dict:
    """``operation(conn)`` ``warmup`` + ``per_client`` times from each of ``clients``
    threads, each on its own ``connect()`` (a context manager); only the measured ones are
    timed, from the moment every client has warmed up to the moment the last one is
    done, and the CPU of that window is accounted (``on_start()`` runs as it opens). The
    first failure stops every client."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    window: dict = {}

    def begin() -> None:
        if on_start:
            on_start()
        window["cpu_before"] = cpu_snapshot()
        window["start"] = time.perf_counter()

    def end() -> None:
        window["end"] = time.perf_counter()
        window["cpu_after"] = cpu_snapshot()

    started, finished = threading.Barrier(clients, action=begin), threading.Barrier(clients, action=end)

    def client(number: int) -> None:
        try:
            with connect() as conn:
                for _ in range(warmup):
                    operation(conn)
                started.wait()
                mine = []
                for _ in range(per_client):
                    if stop.is_set():
                        return
                    mine.append(operation(conn))
                with lock:
                    latencies.extend(mine)
                finished.wait()
        except threading.BrokenBarrierError:
            return
        except Exception as exc:
            with lock:
                if not stop.is_set():
                    detail = str(exc) if isinstance(exc, Wrong) else f"{type(exc).__name__}: {exc}"
                    failures.append(f"client {number}: {detail}")
            stop.set()
            started.abort()
            finished.abort()

    run_clients(clients, client, stop, "gateway-client")
    if failures or "cpu_after" not in window:
        return {"failures": failures or ["a client stopped without saying why"]}
    wall = window["end"] - window["start"]
    return {**summary(latencies), "clients": clients, "per_client": per_client, "warmup": warmup,
            "wall_seconds": wall, "rate": len(latencies) / wall, "failures": [],
            "cpu": cpu_report(window["cpu_before"], window["cpu_after"], len(latencies), stack)}


# --- the three kinds of client ----------------------------------------------------------------

class Grpc:
    """One channel and its stubs; every call carries the token."""

    def __init__(self, target: str, token: str):
        self.channel = grpc.insecure_channel(target)
        self.leads = leads_pb2_grpc.LeadsStub(self.channel)
        self.deals = deals_pb2_grpc.DealsStub(self.channel)
        self.metadata = (("authorization", f"Bearer {token}"),)

    def __enter__(self) -> Grpc:
        return self

    def __exit__(self, *_exc) -> None:
        self.channel.close()


@contextlib.contextmanager
def http_session(token: str):
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


@contextlib.contextmanager
def rpc_client(amqp_uri: str):
    client = RpcClient(amqp_uri, timeout=10, name="bench-raw")
    try:
        yield client
    finally:
        client.close()


def rpc_context(write: bool) -> CallContext:
    """What the gateway sends with an RPC (core.Call.context): a write carries an
    idempotency key, which the service records in the same transaction."""
    correlation_id = str(uuid.uuid4())
    return CallContext(correlation_id=correlation_id, actor="bench", causation_id=f"api:{correlation_id}",
                       idempotency_key=f"gateway:{uuid.uuid4()}#1" if write else None)


def raw_call(client: RpcClient, service: str, method: str, write: bool = False, **kwargs):
    try:
        return client.call(service, method, rpc_context(write), **kwargs)
    except (RemoteError, ServiceUnavailable) as exc:
        raise Wrong(f"{service}.{method}: {type(exc).__name__}: {exc}") from None


def grpc_call(method, request, conn: Grpc):
    try:
        return method(request, metadata=conn.metadata, timeout=TIMEOUT)
    except grpc.RpcError as exc:
        raise Wrong(f"gRPC {exc.code().name}: {exc.details()}") from None


# --- 1. create lead ---------------------------------------------------------------------------

def create_lead_operations(base_url: str) -> dict:
    url = f"{base_url}/leads"

    def rest(http: requests.Session) -> float:
        body = a_lead()
        start = time.perf_counter()
        resp = http.post(url, json=body, timeout=TIMEOUT)
        if resp.status_code != 201:
            raise Wrong(f"POST /leads: expected 201, got {resp.status_code} {resp.text[:300]}")
        lead = resp.json()
        seconds = time.perf_counter() - start
        if not lead.get("id") or lead.get("email") != body["email"]:
            raise Wrong(f"POST /leads: not the lead sent: {str(lead)[:300]}")
        return seconds

    def grpc_(conn: Grpc) -> float:
        body = a_lead()
        request = leads_pb2.CreateLeadRequest(body=protojson.to_message(body, leads_pb2.LeadCreate()))
        start = time.perf_counter()
        lead = grpc_call(conn.leads.CreateLead, request, conn)
        seconds = time.perf_counter() - start
        if not lead.id or lead.email != body["email"]:
            raise Wrong(f"CreateLead: not the lead sent: {str(lead)[:300]}")
        return seconds

    def rpc(client: RpcClient) -> float:
        body = a_lead()
        start = time.perf_counter()
        lead = raw_call(client, "leads", "create_lead", write=True, data=body)
        seconds = time.perf_counter() - start
        if not lead.get("id") or lead.get("email") != body["email"]:
            raise Wrong(f"leads.create_lead: not the lead sent: {str(lead)[:300]}")
        return seconds

    return {REST: rest, GRPC: grpc_, RPC: rpc}


# --- 2. opportunity story ---------------------------------------------------------------------

def make_stories(base_url: str, count: int, clients: int) -> tuple[list[str], float]:
    """``count`` opportunities with a whole story (lead, organization, contact, quote
    accepted, order, invoice paid) by tests/flow.py run_flow; their ids and the seconds."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, min(clients, count)), thread_name_prefix="story-setup") as pool:
        made = list(pool.map(lambda _: run_flow(Api(base_url))["opportunity"]["id"], range(count)))
    return made, time.perf_counter() - start


STORY_RPCS = ("deals.get_opportunity", "leads.get_lead", "leads.get_organization", "leads.get_contact",
              "deals.list_quotes", "billing.list_orders", "billing.list_invoices")


def story_operations(base_url: str, opportunity_ids: list[str]) -> tuple[dict, list[dict]]:
    """The operations, and the seconds of each RPC of the RPC x7 runs, one dict per
    run (filled as they run; list.append is atomic)."""
    ids = itertools.cycle(opportunity_ids)  # next() on it is atomic under the GIL
    runs: list[dict] = []

    def rest(http: requests.Session) -> float:
        opportunity_id = next(ids)
        start = time.perf_counter()
        resp = http.get(f"{base_url}/opportunities/{opportunity_id}/story", timeout=TIMEOUT)
        if resp.status_code != 200:
            raise Wrong(f"GET /opportunities/{opportunity_id}/story: expected 200, got {resp.status_code} "
                        f"{resp.text[:300]}")
        story = resp.json()
        seconds = time.perf_counter() - start
        if story["opportunity"]["id"] != opportunity_id or story["incomplete"] or not story["payments"] \
                or not story["lead"] or not story["organization"] or not story["contact"]:
            raise Wrong(f"GET /opportunities/{opportunity_id}/story: not the whole story: {str(story)[:300]}")
        return seconds

    def grpc_(conn: Grpc) -> float:
        opportunity_id = next(ids)
        request = deals_pb2.OpportunityStoryRequest(opportunity_id=opportunity_id)
        start = time.perf_counter()
        story = grpc_call(conn.deals.OpportunityStory, request, conn)
        seconds = time.perf_counter() - start
        if story.opportunity.id != opportunity_id or story.incomplete or not story.payments \
                or not story.lead.id or not story.organization.id or not story.contact.id:
            raise Wrong(f"OpportunityStory {opportunity_id}: not the whole story: {str(story)[:300]}")
        return seconds

    def rpc(client: RpcClient) -> float:
        opportunity_id = next(ids)
        start = time.perf_counter()
        opportunity = raw_call(client, "deals", "get_opportunity", opportunity_id=opportunity_id)
        seconds = time.perf_counter() - start
        if opportunity.get("id") != opportunity_id:
            raise Wrong(f"deals.get_opportunity {opportunity_id}: another record: {str(opportunity)[:300]}")
        return seconds

    def rpc_story(client: RpcClient) -> float:
        """The RPCs of gateway.core._opportunity_story, one after another, each timed."""
        opportunity_id = next(ids)

        def timed(service: str, method: str, **kwargs):
            start = time.perf_counter()
            answer = raw_call(client, service, method, **kwargs)
            return answer, time.perf_counter() - start

        opportunity, t_opportunity = timed("deals", "get_opportunity", opportunity_id=opportunity_id)
        page = {"opportunity_id": opportunity_id, "limit": 200, "sort": "created_at"}  # core.STORY_PAGE
        lead, t_lead = timed("leads", "get_lead", lead_id=opportunity["lead_id"])
        organization, t_organization = timed("leads", "get_organization",
                                             organization_id=opportunity["organization_id"])
        contact, t_contact = timed("leads", "get_contact", contact_id=opportunity["contact_id"])
        quotes, t_quotes = timed("deals", "list_quotes", query=page)
        orders, t_orders = timed("billing", "list_orders", query=page)
        invoices, t_invoices = timed("billing", "list_invoices", query=page)
        invoices = invoices["items"]
        if opportunity.get("id") != opportunity_id or not quotes["items"] or not orders["items"] or not invoices \
                or not invoices[0].get("payments") or not (lead and organization and contact):
            raise Wrong(f"the story's RPCs for {opportunity_id}: not the whole story")
        # The gateway: the opportunity, then the six other parts at once.
        times = (t_opportunity, t_lead, t_organization, t_contact, t_quotes, t_orders, t_invoices)
        runs.append({"rpcs": len(times), "critical_path": t_opportunity + max(times[1:]),
                     **dict(zip(STORY_RPCS, times, strict=True))})
        return sum(times)

    return {REST: rest, GRPC: grpc_, RPC: rpc, RPC_STORY: rpc_story}, runs


# --- the part -----------------------------------------------------------------------------

def gateway_figures(stack: Stack, amqp_uri: str, client_counts: list[int], per_client: int, warmup: int,
                    stories: int) -> dict:
    """Every (operation, transport, clients) phase, create lead first, then the story."""
    target = f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}"  # serving: stack.wait_ready saw to it
    token = stack.token("admin", "bench-gateway")  # one principal for REST and gRPC alike
    connect = {REST: lambda: http_session(token), GRPC: lambda: Grpc(target, token),
               RPC: lambda: rpc_client(amqp_uri), RPC_STORY: lambda: rpc_client(amqp_uri)}
    figures: dict = {"client_counts": client_counts, "per_client": per_client, "warmup": warmup,
                     "grpc_target": target, "phases": [], "failures": []}

    def measure(operation: str, operations: dict, on_start=None, after=None) -> bool:
        for clients in client_counts:
            for transport, op in operations.items():
                print(f"bench: {operation} through {transport}, {clients} client(s) x {per_client} ...", flush=True)
                found = drive(clients, per_client, warmup, connect[transport], op, stack, on_start)
                if found["failures"]:
                    figures["failures"] = [f"{operation} through {transport}, {clients} client(s): {failure}"
                                           for failure in found["failures"]]
                    return False
                phase = {"operation": operation, "transport": transport, **found}
                if after:
                    after(phase)
                figures["phases"].append(phase)
        return True

    if not measure("create lead", create_lead_operations(stack.base_url)):
        return figures
    print(f"bench: making {stories} opportunities with a whole story (tests/flow.py run_flow) ...", flush=True)
    made, seconds = make_stories(stack.base_url, stories, max(client_counts))
    figures["stories"] = {"count": len(made), "setup_seconds": seconds}
    time.sleep(1.0)  # the last flows' events: let the relays and handlers settle
    operations, runs = story_operations(stack.base_url, made)

    def forget_warmup() -> None:
        runs.clear()

    def story_extras(phase: dict) -> None:
        if phase["transport"] == RPC_STORY:
            phase["critical_path"] = summary([run["critical_path"] for run in runs])
            phase["rpcs_per_story"] = sum(run["rpcs"] for run in runs) / len(runs)
            phase["by_rpc"] = {name: summary([run[name] for run in runs]) for name in STORY_RPCS}

    measure("get story", operations, forget_warmup, story_extras)
    return figures


def failures(figures: dict) -> list[str]:
    return figures.get("failures") or []


# --- output -------------------------------------------------------------------------------

def _cpu_ms(cpu: dict, *groups: str) -> float:
    per = cpu["cpu_ms_per_op"]
    return sum(per.get(g, 0.0) for g in groups)


def report(figures: dict, ceilings: dict) -> None:
    if not figures.get("phases"):
        return
    rows = []
    for p in figures["phases"]:
        cpu = p["cpu"]
        front = FRONT.get(p["transport"])
        rows.append([p["operation"], p["transport"], num(p["clients"], 0), num(p["count"], 0), num(p["rate"]),
                     num(p["p50_ms"], 2), num(p["p99_ms"], 2), num(p["max_ms"], 1),
                     num(_cpu_ms(cpu, front), 2) if front else "-", num(_cpu_ms(cpu, *SERVICE_PROCESSES), 2),
                     num(_cpu_ms(cpu, RABBITMQ), 2), num(_cpu_ms(cpu, POSTGRES), 2), num(_cpu_ms(cpu, BENCH), 2),
                     num(cpu["system_cpu_ms_per_op"], 2),
                     num(_cpu_ms(cpu, OTHER, UNATTRIBUTED, STEAL), 2)])
    stories = figures.get("stories")
    story_note = (f" get story: RPC is the story's first RPC alone (deals.get_opportunity), RPC x7 the story's "
                  f"RPCs one after another from the bench; {stories['count']} opportunities with a whole story, "
                  "taken in turn." if stories else "")
    print(table(["operation", "via", "clients", "n", "req/s", "p50 ms", "p99 ms", "max ms", "front ms",
                 "services ms", "RabbitMQ ms", "PostgreSQL ms", "client ms", "system ms", "others ms"], rows,
                f"\nGateway: the same operations through REST and gRPC (both served by crm-gateway) and as raw "
                f"nameko RPC (crmkit RpcClient straight to the service), each phase {figures['warmup']} warm-up + "
                f"{figures['per_client']} measured requests per client, each client its own HTTP session / gRPC "
                "channel / RpcClient, every answer checked. CPU in ms per request: front = the crm-gateway "
                "process, services = the services and their relays, client = the bench process, system "
                "= all of those plus the broker and the database; others = other processes, exited ones and "
                f"steal.{story_note}", left=2))
    _report_overhead(figures)
    _report_story_rpcs(figures)
    rpc10 = ceilings.get("rpc_10")
    if rpc10:
        print(f"For scale: the leads.health RPC ceiling (SELECT 1), 10 callers sharing one client: "
              f"{rpc10['rate']:.0f} calls/s, p50 {rpc10['p50_ms']:.2f} ms; 1 caller: p50 "
              f"{ceilings['rpc_1']['p50_ms']:.2f} ms.")


def _report_overhead(figures: dict) -> None:
    by = {(p["operation"], p["transport"], p["clients"]): p for p in figures["phases"]}
    rows = []
    for (operation, transport, clients), p in by.items():
        if transport not in FRONT:
            continue
        raw = by.get((operation, RPC, clients))
        if raw is None:
            continue
        front_ms = _cpu_ms(p["cpu"], FRONT[transport])
        row = [operation, transport, num(clients, 0), num(p["p50_ms"] - raw["p50_ms"], 2),
               num(p["p50_ms"] / raw["p50_ms"], 1), num(p["p99_ms"] - raw["p99_ms"], 2),
               num(p["rate"] / raw["rate"], 2), num(front_ms, 2),
               num(p["cpu"]["system_cpu_ms_per_op"] - raw["cpu"]["system_cpu_ms_per_op"], 2)]
        story = by.get((operation, RPC_STORY, clients))
        if story:
            row += [num(story["p50_ms"], 2), num(story["critical_path"]["p50_ms"], 2),
                    num(p["p50_ms"] - story["critical_path"]["p50_ms"], 2)]
        else:
            row += ["-", "-", "-"]
        rows.append(row)
    print(table(["operation", "via", "clients", "p50 - RPC p50 ms", "p50 / RPC p50", "p99 - RPC p99 ms",
                 "req/s / RPC req/s", "front CPU ms/req", "system CPU - RPC's ms/req", "RPC x7 sum p50 ms",
                 "x7 critical path p50 ms", "p50 - critical path ms"], rows,
                "\nWhat the transport adds over the raw RPC (same clients; for get story the RPC is the first of the "
                "story's RPCs, so the difference is the composition too; the critical path is the opportunity, then "
                "the slowest of lead, organization, contact, quotes, orders and invoices, from the RPC x7 runs' own "
                "times, one after another, so an estimate of what the gateway waits for when it makes them at once):",
                left=2))


def _report_story_rpcs(figures: dict) -> None:
    phases = [p for p in figures["phases"] if p["transport"] == RPC_STORY]
    if not phases:
        return
    rows = [[name, *(f"{num(p['by_rpc'][name]['p50_ms'], 2)} / {num(p['by_rpc'][name]['p99_ms'], 2)}"
                     for p in phases)] for name in STORY_RPCS]
    rows.append(["sum (RPC x7)", *(f"{num(p['p50_ms'], 2)} / {num(p['p99_ms'], 2)}" for p in phases)])
    rows.append(["critical path (estimate)", *(f"{num(p['critical_path']['p50_ms'], 2)} / "
                                               f"{num(p['critical_path']['p99_ms'], 2)}" for p in phases)])
    rpcs = ", ".join(f"{p['rpcs_per_story']:.1f}" for p in phases)
    print(table(["RPC of the story", *(f"{p['clients']} client(s): p50 / p99 ms" for p in phases)], rows,
                f"\nThe story's RPCs, each timed in the RPC x7 runs (one after another from the bench; {rpcs} RPCs "
                "per story):"))
