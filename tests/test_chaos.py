"""Chaos: whole sales flows from several clients while random processes of the Procfile
are SIGKILLed and started again; then every promise is checked in the databases and
the broker themselves.

    CRM_CHAOS_SECONDS   how long the processes are killed (default 150)
    CRM_CHAOS_SEED      the seed of the kill order and timing (default: a new one, printed)
    CRM_CHAOS_CLIENTS   client threads running flows, every other one over gRPC (default 4)

The seed fixes which process is killed when, and for how long it stays down; the
clients' timing and the broker's are not reproducible, so a seed makes a failure likely
again, not certain.
"""
from __future__ import annotations

import importlib
import os
import random
import re
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from urllib.parse import quote as urlquote

import grpc
import requests
from kombu import Connection

from crmkit import eventlog
from crmkit.dlq import dead_letter_queues, show
from events import query
from flow import LINES, a_lead
from gateway import protojson
from gateway.operations import OPERATIONS

SERVICES = ["leads", "deals", "billing"]
CHAOS_SECONDS = float(os.environ.get("CRM_CHAOS_SECONDS", "150"))
CLIENTS = int(os.environ.get("CRM_CHAOS_CLIENTS", "4"))
# A down process is back within DOWN_SECONDS; the next one is killed KILL_EVERY_SECONDS later.
DOWN_SECONDS = (0.0, 3.0)
KILL_EVERY_SECONDS = (1.0, 4.0)
# How long one request may keep being retried: a killed service makes the gateway wait
# its RPC timeout (10 s) before it answers 503, and may be killed again meanwhile.
REQUEST_DEADLINE_SECONDS = 120
# After the chaos: how long the system may take to finish every flow and drain.
SETTLE_SECONDS = 180


class Unexpected(Exception):
    """An answer no retry can turn into the expected one (or none within the deadline)."""


class PatientClient:
    """A client as a careful integrator writes one: every write carries an
    Idempotency-Key, and what may succeed when sent again — a connection refused or
    broken, a 502/503/504, a 409 `conflict` (a concurrent try of the same key lost) — is
    sent again, with the same key, until REQUEST_DEADLINE_SECONDS."""

    RETRIED_STATUSES = {502, 503, 504}

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.retries = 0

    def send(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        headers = {} if method == "GET" else {"Idempotency-Key": str(uuid.uuid4())}
        deadline = time.monotonic() + REQUEST_DEADLINE_SECONDS
        pause = 0.1
        while True:
            try:
                resp = self.http.request(method, self.base_url + path, json=body, headers=headers, timeout=30)
                if resp.status_code == expect:
                    return resp.json()
                if not self._worth_retrying(resp):
                    raise Unexpected(f"{method} {path}: {resp.status_code} {resp.text[:500]}")
                why = f"{resp.status_code} {resp.text[:200]}"
            except requests.RequestException as exc:  # refused, reset, or no answer in time
                why = repr(exc)[:200]
            if time.monotonic() > deadline:
                raise Unexpected(f"{method} {path}: still failing after {REQUEST_DEADLINE_SECONDS}s: {why}")
            self.retries += 1
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def _worth_retrying(self, resp: requests.Response) -> bool:
        if resp.status_code in self.RETRIED_STATUSES:
            return True
        if resp.status_code == 409:
            return resp.json().get("error", {}).get("code") == "conflict"
        return False

    def eventually(self, path: str) -> dict:
        """A record another service makes from an event: there once the event arrived."""
        deadline = time.monotonic() + REQUEST_DEADLINE_SECONDS
        while True:
            try:
                return self.send("GET", path)
            except Unexpected as failure:
                if " 404 " not in str(failure) or time.monotonic() > deadline:
                    raise
            time.sleep(0.2)


class PatientGrpcClient(PatientClient):
    """The same client over gRPC: each REST call of the flow is the rpc of its operation
    (gateway.operations), its answer read back as the REST JSON; UNAVAILABLE,
    DEADLINE_EXCEEDED and ABORTED (`conflict`) are sent again with the same key."""

    RETRIED_CODES = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED}
    # Where REST would answer this status: what an Unexpected says, as PatientClient's do.
    STATUSES = {grpc.StatusCode.NOT_FOUND: 404}

    def __init__(self, target: str, token: str):
        self.channel = grpc.insecure_channel(target)
        self.token = token
        self.retries = 0

    def send(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        op, params = self._operation(method, path)
        pb2 = importlib.import_module(f"gateway.pb.{op.area}_pb2")
        stub = getattr(importlib.import_module(f"gateway.pb.{op.area}_pb2_grpc"), f"{op.area.capitalize()}Stub")
        rpc = getattr(stub(self.channel), op.grpc_name)
        request = protojson.to_message({**params, **({"body": body} if op.body else {})},
                                       getattr(pb2, f"{op.grpc_name}Request")())
        metadata = [("authorization", f"Bearer {self.token}")]
        if op.writes:
            metadata.append(("idempotency-key", str(uuid.uuid4())))
        deadline = time.monotonic() + REQUEST_DEADLINE_SECONDS
        pause = 0.1
        while True:
            try:
                return protojson.to_json(rpc(request, metadata=metadata, timeout=30))
            except grpc.RpcError as exc:
                status = self.STATUSES.get(exc.code(), exc.code().name)
                why = f"{op.grpc_name} ({method} {path}): {status} {exc.details()}"
                if exc.code() not in self.RETRIED_CODES:
                    raise Unexpected(why) from None
            if time.monotonic() > deadline:
                raise Unexpected(f"still failing after {REQUEST_DEADLINE_SECONDS}s: {why}")
            self.retries += 1
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    @staticmethod
    def _operation(method: str, path: str):
        for op in OPERATIONS:
            pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", op.path)
            match = re.fullmatch(pattern, path)
            if op.method == method and match:
                return op, match.groupdict()
        raise LookupError(f"no operation for {method} {path}")


@dataclass
class Ledger:
    """What the clients were told was done: each of these must be true afterwards."""

    leads: list[str] = field(default_factory=list)
    conversions: dict[str, str] = field(default_factory=dict)  # lead -> opportunity
    quotes: list[str] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)  # quote -> order
    payments: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # payment -> (invoice, amount)
    paid_invoices: list[str] = field(default_factory=list)
    flows_done: Counter = field(default_factory=Counter)  # client kind -> whole flows finished
    failures: list[str] = field(default_factory=list)


def _pay(client: PatientClient, ledger: Ledger, invoice: dict, amount: Decimal, reference: str) -> dict:
    answer = client.send("POST", f"/invoices/{invoice['id']}/payments",
                         {"amount": str(amount), "reference": reference}, expect=201)
    payment = next(p for p in answer["payments"] if p["reference"] == reference)
    ledger.payments[payment["id"]] = (invoice["id"], amount)
    return answer


def run_flow(client: PatientClient, ledger: Ledger) -> None:
    """Lead to invoice paid in two payments, noting each acknowledgement in the ledger."""
    lead = client.send("POST", "/leads", a_lead(), expect=201)
    ledger.leads.append(lead["id"])
    client.send("POST", f"/leads/{lead['id']}/qualify")
    converted = client.send("POST", f"/leads/{lead['id']}/convert", {})
    ledger.conversions[lead["id"]] = converted["converted_opportunity_id"]
    opportunity = client.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
    quote = client.send("POST", "/quotes", {"opportunity_id": opportunity["id"], "lines": LINES}, expect=201)
    ledger.quotes.append(quote["id"])
    client.send("POST", f"/quotes/{quote['id']}/send")
    accepted = client.send("POST", f"/quotes/{quote['id']}/accept")
    ledger.accepted[quote["id"]] = accepted["order_id"]
    order = client.eventually(f"/orders/{accepted['order_id']}")
    invoice = client.send("GET", f"/invoices/{order['invoice_ids'][0]}")
    half = (Decimal(invoice["balance_due"]) / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    _pay(client, ledger, invoice, half, f"BANK-{invoice['number']}-1")
    paid = _pay(client, ledger, invoice, Decimal(invoice["balance_due"]) - half, f"BANK-{invoice['number']}-2")
    if paid["status"] != "paid":
        raise Unexpected(f"invoice {invoice['id']} is {paid['status']} after its balance was paid")
    ledger.paid_invoices.append(invoice["id"])
    ledger.flows_done[type(client).__name__] += 1


def client_loop(client: PatientClient, ledger: Ledger, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            run_flow(client, ledger)
        except Unexpected as failure:
            ledger.failures.append(str(failure))
        except Exception as exc:  # a defect of the test itself must not pass as silence
            ledger.failures.append(f"{type(exc).__name__}: {exc}")


def chaos_loop(stack, rng: random.Random, until: float, kills: Counter, crashes: list[str]) -> None:
    """Kill every process of the Procfile once per round, in a random order, each at a
    random moment and for a random time, until ``until``; note any that died by itself."""
    names = sorted(stack.specs)
    while time.monotonic() < until:
        rng.shuffle(names)
        for name in names:
            if time.monotonic() >= until:
                return
            if stack.procs[name].poll() is not None:
                crashes.append(f"{name} exited by itself with {stack.procs[name].returncode}")
            stack.kill(name)
            kills[name] += 1
            time.sleep(rng.uniform(*DOWN_SECONDS))
            stack.start(name)
            time.sleep(rng.uniform(*KILL_EVERY_SECONDS))


# The invariants, each returning what breaks it, naming the record.

def _count(url: str, sql: str, **params) -> int:
    return query(url, sql, **params)[0][0]


def one_opportunity_per_conversion(databases, ledger: Ledger) -> list[str]:
    leads, deals = databases.url("leads"), databases.url("deals")
    problems = []
    rows = query(leads, "SELECT id, converted_opportunity_id, opportunity_status FROM leads "
                        "WHERE status = 'converted'")
    converted = {row.id: row.converted_opportunity_id for row in rows}
    # The conversion's saga is finished: deals' answer came back to the lead.
    problems += [f"converted lead {row.id}: its opportunity is {row.opportunity_status}, not created"
                 for row in rows if row.opportunity_status != "created"]
    for lead_id, opportunity_id in ledger.conversions.items():
        if converted.get(lead_id) != opportunity_id:
            problems.append(f"lead {lead_id}: acknowledged as converted to {opportunity_id}, "
                            f"but the leads database says {converted.get(lead_id)}")
    opportunities = defaultdict(list)
    for row in query(deals, "SELECT id, lead_id FROM opportunities WHERE lead_id IS NOT NULL"):
        opportunities[row.lead_id].append(row.id)
    for lead_id, opportunity_id in converted.items():
        if opportunities.get(lead_id) != [opportunity_id]:
            problems.append(f"lead {lead_id} converted to {opportunity_id}: opportunities {opportunities.get(lead_id)}")
    for lead_id, ids in opportunities.items():
        if lead_id not in converted:
            problems.append(f"opportunities {ids} of lead {lead_id}, which is not converted")
    converted_events = Counter(row.subject for row in query(
        leads, "SELECT subject FROM outbox WHERE type = 'crm.lead.converted.v1'"))
    for lead_id in set(converted) | set(converted_events):
        if converted_events[lead_id] != (1 if lead_id in converted else 0):
            problems.append(f"lead {lead_id}: {converted_events[lead_id]} lead.converted events in the outbox")
    return problems


def one_order_and_invoice_per_accepted_quote(databases, ledger: Ledger) -> list[str]:
    deals, billing = databases.url("deals"), databases.url("billing")
    problems = []
    accepted = {row.id: row.order_id
                for row in query(deals, "SELECT id, order_id FROM quotes WHERE status = 'accepted'")}
    for quote_id, order_id in ledger.accepted.items():
        if accepted.get(quote_id) != order_id:
            problems.append(f"quote {quote_id}: acknowledged as accepted with order {order_id}, "
                            f"but the deals database says {accepted.get(quote_id)}")
    orders = defaultdict(list)
    for row in query(billing, "SELECT id, quote_id FROM orders"):
        orders[row.quote_id].append(row.id)
    for quote_id, order_id in accepted.items():
        if orders.get(quote_id) != [order_id]:
            problems.append(f"accepted quote {quote_id} (order {order_id}): orders {orders.get(quote_id)}")
    for quote_id, ids in orders.items():
        if quote_id not in accepted:
            problems.append(f"orders {ids} of quote {quote_id}, which is not accepted")
    accepted_events = Counter(row.subject for row in query(
        deals, "SELECT subject FROM outbox WHERE type = 'crm.quote.accepted.v1'"))
    for quote_id in set(accepted) | set(accepted_events):
        if accepted_events[quote_id] != (1 if quote_id in accepted else 0):
            problems.append(f"quote {quote_id}: {accepted_events[quote_id]} quote.accepted events in the outbox")
    for row in query(billing, "SELECT o.id, o.number, count(i.id) AS invoices FROM orders o "
                              "LEFT JOIN invoices i ON i.order_id = o.id GROUP BY o.id, o.number"):
        if row.invoices != 1:
            problems.append(f"order {row.number} ({row.id}): {row.invoices} invoices")
    return problems


NUMBERED = [  # (service, table, column, series, the number's pattern)
    ("deals", "quotes", "base_number", "quote", r"Q-(\d{4})-(\d+)"),
    ("billing", "orders", "number", "order", r"SO-(\d{4})-(\d+)"),
    ("billing", "invoices", "number", "invoice", r"INV-(\d{4})-(\d+)"),
    ("billing", "credit_notes", "number", "credit_note", r"CN-(\d{4})-(\d+)"),
]


def numbers_gap_free(databases) -> list[str]:
    """Each series is 1..n per year, each number once, and its counter stands at n."""
    problems = []
    for service, table, column, series, pattern in NUMBERED:
        url = databases.url(service)
        # A quote's revisions share their first number; only first revisions take one.
        revisions = " AND revision = 1" if table == "quotes" else ""
        by_year = defaultdict(list)
        for (number,) in query(url, f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL{revisions}"):
            year, sequence = re.fullmatch(pattern, number).groups()
            by_year[int(year)].append(int(sequence))
        counters = dict(query(url, "SELECT period, last_number FROM number_series WHERE series = :s", s=series))
        for year in set(by_year) | set(counters):
            taken = sorted(by_year.get(year, []))
            if taken != list(range(1, len(taken) + 1)):
                missing = sorted(set(range(1, max(taken, default=0) + 1)) - set(taken))
                doubled = sorted(n for n, c in Counter(taken).items() if c > 1)
                problems.append(f"{table}.{column} {year}: missing {missing[:20]}, doubled {doubled[:20]}")
            if counters.get(year, 0) != len(taken):
                problems.append(f"number series {series} {year} stands at {counters.get(year)}, "
                                f"but {len(taken)} numbers are taken")
    return problems


def every_acknowledged_payment_once(databases, ledger: Ledger) -> list[str]:
    billing = databases.url("billing")
    problems = []
    stored = {row.id: row for row in query(billing, "SELECT id, invoice_id, amount FROM payments")}
    for payment_id, (invoice_id, amount) in ledger.payments.items():
        row = stored.get(payment_id)
        if row is None or row.invoice_id != invoice_id or Decimal(row.amount) != amount:
            problems.append(f"acknowledged payment {payment_id} of {amount} on invoice {invoice_id}: stored as {row}")
    per_invoice = Counter(row.invoice_id for row in stored.values())
    acknowledged_per_invoice = Counter(invoice_id for invoice_id, _ in ledger.payments.values())
    for invoice_id, count in per_invoice.items():
        # A payment the client never heard about (its flow gave up) may exist; a second
        # copy of one it did hear about may not: each flow pays an invoice twice at most.
        if count > 2 or count < acknowledged_per_invoice[invoice_id]:
            problems.append(f"invoice {invoice_id}: {count} payments stored, "
                            f"{acknowledged_per_invoice[invoice_id]} acknowledged")
    for invoice_id in ledger.paid_invoices:
        status, balance = query(billing, "SELECT status, balance_due FROM invoices WHERE id = :i", i=invoice_id)[0]
        if status != "paid" or Decimal(balance) != 0:
            problems.append(f"invoice {invoice_id} acknowledged as paid is {status} with {balance} due")
    return problems


def nothing_lost_or_doubled(databases, ledger: Ledger) -> list[str]:
    """Every lead and quote acknowledged is stored, and none twice: each flow makes one
    lead (of an email of its own) and one quote on its opportunity, however often it
    had to send the request."""
    leads, deals = databases.url("leads"), databases.url("deals")
    problems = []
    stored_leads = {row.id for row in query(leads, "SELECT id FROM leads")}
    problems += [f"lead {lead_id} was acknowledged (201) but is not stored" for lead_id in ledger.leads
                 if lead_id not in stored_leads]
    problems += [f"{row.count} leads of {row.email}: {row.ids}" for row in query(
        leads, "SELECT email, count(*) AS count, string_agg(id, ', ') AS ids FROM leads GROUP BY email "
               "HAVING count(*) > 1")]
    stored_quotes = {row.id for row in query(deals, "SELECT id FROM quotes")}
    problems += [f"quote {quote_id} was acknowledged (201) but is not stored" for quote_id in ledger.quotes
                 if quote_id not in stored_quotes]
    problems += [f"{row.count} quotes on opportunity {row.opportunity_id}: {row.ids}" for row in query(
        deals, "SELECT opportunity_id, count(*) AS count, string_agg(id, ', ') AS ids FROM quotes "
               "GROUP BY opportunity_id HAVING count(*) > 1")]
    return problems


def unpublished_events(databases) -> list[str]:
    problems = []
    for service in SERVICES:
        count = _count(databases.url(service), "SELECT count(*) FROM outbox WHERE published_at IS NULL")
        if count:
            problems.append(f"the {service} outbox has {count} unpublished events")
    return problems


def queues_with_messages(vhost) -> list[str]:
    """Every queue of the vhost empty, nothing unacknowledged (the management API's
    figures, which lag a few seconds: the caller waits for them). The events log is a
    stream, which keeps what it holds: ``every_event_in_the_log`` checks it."""
    resp = requests.get(f"{vhost.api}/queues/{urlquote(vhost.name, safe='')}", auth=vhost.auth, timeout=10)
    resp.raise_for_status()
    return [f"queue {q['name']}: {q.get('messages_ready', 0)} ready, {q.get('messages_unacknowledged', 0)} unacked"
            for q in resp.json()
            if q.get("type") != "stream" and (q.get("messages", 0) or q.get("messages_unacknowledged", 0))]


def every_event_in_the_log(databases, vhost) -> list[str]:
    """Every event of every outbox is in the events log: the relays' publishes, whoever
    was killed when, all reached it (at least once: a relay killed between its publish
    and its mark publishes the same id again)."""
    logged = {event.envelope.id for event in eventlog.read(vhost.amqp_uri, idle=2.0)}
    problems = []
    for service in SERVICES:
        missing = [row.event_id for row in query(databases.url(service), "SELECT event_id FROM outbox ORDER BY id")
                   if row.event_id not in logged]
        if missing:
            problems.append(f"{len(missing)} {service} events are not in the events log, first {missing[:3]}")
    return problems


def dead_letters(vhost) -> list[str]:
    problems = []
    with Connection(vhost.amqp_uri) as conn:
        for queue in dead_letter_queues():
            depth = vhost.queue_depth(queue)
            if depth:
                problems.append(f"{queue}: {depth} dead letters, first {show(conn, queue)[:1]}")
    return problems


def _settle(check, timeout: float) -> list[str]:
    """Wait up to ``timeout`` for a check to find nothing; what it still finds then."""
    deadline = time.monotonic() + timeout
    while True:
        problems = check()
        if not problems or time.monotonic() > deadline:
            return problems
        time.sleep(1)


def test_flows_survive_random_processes_killed_and_every_invariant_holds(stack, databases, vhost):
    seed = int(os.environ.get("CRM_CHAOS_SEED") or random.SystemRandom().randrange(10**9))
    print(f"chaos seed {seed} (CRM_CHAOS_SEED={seed} repeats the kills), {CHAOS_SECONDS:.0f}s, {CLIENTS} clients")
    ledger, kills, crashes, stop = Ledger(), Counter(), [], threading.Event()
    grpc_target, token = f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}", stack.token("admin", "chaos")
    clients = [threading.Thread(target=client_loop, name=f"client-{n}", args=(
        PatientGrpcClient(grpc_target, token) if n % 2 else PatientClient(stack.base_url), ledger, stop))
        for n in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        chaos_loop(stack, random.Random(seed), time.monotonic() + CHAOS_SECONDS, kills, crashes)
        stack.wait_ready(SERVICES, timeout=90)
    finally:
        stop.set()  # each client finishes the flow it is in
        for client in clients:
            client.join(timeout=SETTLE_SECONDS)
    print(f"kills {dict(kills)}; flows done {dict(ledger.flows_done)}, {len(ledger.payments)} payments acknowledged")
    assert not any(client.is_alive() for client in clients), f"a client did not finish within {SETTLE_SECONDS}s"

    problems = crashes + [f"client: {failure}" for failure in ledger.failures]
    problems += _settle(lambda: unpublished_events(databases), 60)
    problems += _settle(lambda: queues_with_messages(vhost), 60)
    problems += dead_letters(vhost)
    problems += every_event_in_the_log(databases, vhost)
    problems += one_opportunity_per_conversion(databases, ledger)
    problems += one_order_and_invoice_per_accepted_quote(databases, ledger)
    problems += numbers_gap_free(databases)
    problems += every_acknowledged_payment_once(databases, ledger)
    problems += nothing_lost_or_doubled(databases, ledger)
    assert not problems, f"seed {seed}, logs in {stack.log_dir}:\n" + "\n".join(problems)
    assert set(kills) == set(stack.specs), f"not every process was killed: {dict(kills)}"
    kinds = {"PatientClient", "PatientGrpcClient"} if CLIENTS > 1 else {"PatientClient"}
    assert set(ledger.flows_done) == kinds, f"flows finished: {dict(ledger.flows_done)}"
