"""The billing figures of ``make bench``:

1. invoice issuing: the billing process restarted with ``BILLING_ISSUE_AUTOMATICALLY=false``
   so that each accepted quote leaves a draft invoice (made through the API, not timed),
   then ``POST /api/v1/invoices/{id}/issue`` of every draft from N concurrent issuers, and
   the numbers checked: one consecutive run (``INV-YYYY-NNNNN``), no gap, no duplicate,
   following the number series as it was before; billing is restarted with its default
   settings afterwards;
2. payment recording: ``POST /api/v1/invoices/{id}/payments`` on those invoices from N
   clients, a part of the balance and then the rest, each invoice ending ``paid``;
3. the billing reports at 200,000 invoices: the billing service's PostgreSQL database
   seeded straight by COPY (orders, invoices, payments, credit notes), VACUUM (ANALYZE),
   then ``GET /api/v1/reports/{receivables,billed-collected,dso}`` with 1 client and a
   few, and EXPLAIN (ANALYZE, BUFFERS) of each report's own SQL (``billing.reports``).

Each part returns a dict of figures (kept in --json); ``report`` prints them beside the
RPC ceiling. See bench/README.md.
"""
from __future__ import annotations

import csv
import io
import math
import random
import re
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

import requests
from deals_bench import SLOW_MS, measure_reports
from leads_bench import RequestFailed, drive, plan_summary
from measure import cpu_report, cpu_snapshot, print_report_shapes, table, vs_rpc_ceiling
from sqlalchemy import bindparam, create_engine, event, text
from sqlalchemy.orm import Session

from crmkit.testing import Stack
from flow import LINES

WARMUP = 10  # drafts issued (and then paid) first and not counted: connections, caches
ORDER_TIMEOUT = 30.0  # how long an accepted quote may take to become an order
ORDER_POLL = 0.02
NUMBER = re.compile(r"INV-(\d{4})-(\d{5,})")
MANUAL_ISSUE = {"BILLING_ISSUE_AUTOMATICALLY": "false"}


def _request(http: requests.Session, method: str, url: str, expect: int, body: dict | None = None) -> dict:
    resp = http.request(method, url, json=body, timeout=30)
    if resp.status_code != expect:
        path = url.split("/api/v1", 1)[-1]
        raise RequestFailed(f"{method} {path}: expected {expect}, got {resp.status_code} {resp.text[:300]}",
                            resp.status_code)
    return resp.json()


def restart_billing(stack: Stack, extra_env: dict[str, str] | None) -> dict:
    """Stop the billing process (SIGTERM, as the harness does), start it again with
    ``extra_env`` on top of the bench stack's environment (none: its defaults), wait
    until it answers its health RPC; the seconds each took."""
    started = time.perf_counter()
    stack.stop("billing")
    stopped = time.perf_counter()
    stack.start("billing", extra_env)
    stack.wait_ready(["billing"])
    return {"stop_seconds": stopped - started, "start_seconds": time.perf_counter() - stopped}


# --- the drafts (setup, not measured) --------------------------------------------------------

def make_drafts(stack: Stack, clients: int, count: int) -> tuple[list[str], dict]:
    """``count`` accepted quotes, each through the API (opportunity, quote with the two
    lines of tests/flow.py, send, accept), and the draft invoice of each one's order."""
    base_url = stack.base_url
    drafts: list[str] = []

    def accepted_quote(http: requests.Session) -> list[float]:
        start = time.perf_counter()
        opportunity = _request(http, "POST", f"{base_url}/opportunities", 201, {
            "name": f"Bench invoice deal {len(drafts) + 1}", "amount": "12000.00", "currency": "EUR"})
        quote = _request(http, "POST", f"{base_url}/quotes", 201, {"opportunity_id": opportunity["id"],
                                                                   "lines": LINES})
        _request(http, "POST", f"{base_url}/quotes/{quote['id']}/send", 200)
        order_id = _request(http, "POST", f"{base_url}/quotes/{quote['id']}/accept", 200)["order_id"]
        deadline = time.monotonic() + ORDER_TIMEOUT
        while (resp := http.get(f"{base_url}/orders/{order_id}", timeout=30)).status_code == 404:
            if time.monotonic() > deadline:
                raise RequestFailed(f"order {order_id} did not appear within {ORDER_TIMEOUT:.0f}s", 404)
            time.sleep(ORDER_POLL)
        if resp.status_code != 200:
            raise RequestFailed(f"GET /orders/{order_id}: {resp.status_code} {resp.text[:300]}", resp.status_code)
        invoice_ids = resp.json()["invoice_ids"]
        if not invoice_ids:
            raise RequestFailed(f"order {order_id} has no invoice (is the invoicing policy on_fulfilment?)", 200)
        drafts.append(invoice_ids[0])  # list.append is atomic: the clients share the list
        return [time.perf_counter() - start]

    load = drive(clients, count, math.inf, accepted_quote)
    return drafts, {**load.figures(), "clients": clients, "failures": load.failures}


# --- 1. issuing ------------------------------------------------------------------------

def number_series(billing_url: str) -> dict[int, int]:
    """The invoice number series as the billing database holds it: year -> last number."""
    engine = create_engine(billing_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text(
                "SELECT period, last_number FROM number_series WHERE series = 'invoice'")).all())
    finally:
        engine.dispose()


def check_numbers(numbers: list[str], before: dict[int, int], after: dict[int, int]) -> dict:
    """Whether the issued numbers are, per year, one consecutive run without a gap or a
    duplicate that starts right after the series' last number before the run and ends
    at its last number after it (nothing else issues meanwhile)."""
    problems: list[str] = []
    years: dict[int, list[int]] = {}
    for number in numbers:
        matched = NUMBER.fullmatch(number or "")
        if not matched:
            problems.append(f"not an invoice number: {number!r}")
            continue
        years.setdefault(int(matched[1]), []).append(int(matched[2]))
    runs = {}
    for year, sequence in sorted(years.items()):
        duplicates = sorted(n for n, seen in Counter(sequence).items() if seen > 1)
        first, last = min(sequence), max(sequence)
        missing = sorted(set(range(first, last + 1)) - set(sequence))
        if duplicates:
            problems.append(f"{year}: {len(duplicates)} numbers issued more than once: "
                            + ", ".join(f"INV-{year}-{n:05d}" for n in duplicates[:20]))
        if missing:
            problems.append(f"{year}: {len(missing)} numbers missing between INV-{year}-{first:05d} and "
                            f"INV-{year}-{last:05d}: " + ", ".join(f"{n:05d}" for n in missing[:20]))
        if first != before.get(year, 0) + 1:
            problems.append(f"{year}: the run starts at {first:05d}, the series was at {before.get(year, 0):05d}")
        if after.get(year) != last:
            problems.append(f"{year}: the run ends at {last:05d}, the series is now at {after.get(year)}")
        runs[year] = {"first": first, "last": last, "count": len(sequence), "series_before": before.get(year, 0),
                      "series_after": after.get(year), "missing": missing, "duplicates": duplicates}
    return {"ok": not problems, "problems": problems, "runs": runs}


def invoice_issuing(stack: Stack, billing_url: str, clients: int, issuers: int, count: int) -> dict:
    """Restart billing to leave drafts, make ``WARMUP + count`` of them, issue them from
    ``issuers`` clients (the first WARMUP not counted), check the numbers; billing is
    restarted with its defaults afterwards (also after a failure; not on Ctrl-C, the
    whole stack goes then)."""
    figures: dict = {"restart": restart_billing(stack, MANUAL_ISSUE)}
    try:
        figures.update(_issue_drafts(stack, billing_url, clients, issuers, count))
    except Exception:
        restart_billing(stack, None)
        raise
    print("bench: restarting billing with its default settings ...", flush=True)
    figures["restore"] = restart_billing(stack, None)
    return figures


def _issue_drafts(stack: Stack, billing_url: str, clients: int, issuers: int, count: int) -> dict:
    print(f"bench: making {WARMUP + count} draft invoices (accepted quotes) with {clients} clients ...", flush=True)
    drafts, setup = make_drafts(stack, clients, WARMUP + count)
    if setup["failures"]:
        return {"setup": setup, "failures": setup["failures"]}
    with requests.Session() as http:
        first = _request(http, "GET", f"{stack.base_url}/invoices/{drafts[0]}", 200)
    if first["status"] != "draft" or first["number"] is not None:
        return {"setup": setup, "failures": [
            f"invoice {first['id']} is {first['status']} {first['number']}, not a draft: billing did not take "
            "BILLING_ISSUE_AUTOMATICALLY=false"]}

    waiting = iter(drafts)
    issued: list[tuple[str, str, str]] = []  # (id, number, grand total)

    def issue(http: requests.Session) -> list[float]:
        invoice_id = next(waiting)
        start = time.perf_counter()
        invoice = _request(http, "POST", f"{stack.base_url}/invoices/{invoice_id}/issue", 200)
        elapsed = time.perf_counter() - start
        if invoice["status"] != "issued" or not invoice["number"]:
            raise RequestFailed(f"POST /invoices/{invoice_id}/issue: {invoice['status']} {invoice['number']}", 200)
        issued.append((invoice_id, invoice["number"], invoice["grand_total"]))
        return [elapsed]

    before = number_series(billing_url)
    print(f"bench: issuing them with {issuers} concurrent issuers ...", flush=True)
    warm = drive(issuers, WARMUP, math.inf, issue)
    if warm.failures:
        return {"setup": setup, "failures": warm.failures}
    cpu_before = cpu_snapshot()
    load = drive(issuers, count, math.inf, issue)
    cpu_after = cpu_snapshot()
    numbers = check_numbers([number for _id, number, _total in issued], before, number_series(billing_url))
    failures = load.failures + [f"invoice numbers: {problem}" for problem in numbers["problems"]]
    return {**load.figures(), "issuers": issuers, "warmup": WARMUP, "setup": setup, "numbers": numbers,
            "issued": issued, "failures": failures,
            "cpu": cpu_report(cpu_before, cpu_after, len(load.latencies), stack)}


# --- 2. payments -----------------------------------------------------------------------

def payment_recording(stack: Stack, billing_url: str, clients: int, issued: list[tuple[str, str, str]]) -> dict:
    """Two payments per issued invoice from ``clients`` clients: about half of the total,
    which must leave it partially_paid, then the balance, which must leave it paid. The
    first WARMUP invoices are paid first and not counted."""
    waiting = iter(issued)

    def pay(http: requests.Session) -> list[float]:
        invoice_id, number, total = next(waiting)
        url = f"{stack.base_url}/invoices/{invoice_id}/payments"
        part = (Decimal(total) / 2).quantize(Decimal("0.01"), ROUND_DOWN)
        start = time.perf_counter()
        invoice = _request(http, "POST", url, 201, {"amount": str(part), "reference": f"BENCH-{number}-1"})
        first = time.perf_counter() - start
        if invoice["status"] != "partially_paid" or Decimal(invoice["balance_due"]) != Decimal(total) - part:
            raise RequestFailed(f"{number}: after paying {part} of {total}: {invoice['status']}, balance due "
                                f"{invoice['balance_due']}", 201)
        start = time.perf_counter()
        invoice = _request(http, "POST", url, 201, {"amount": invoice["balance_due"], "reference": f"BENCH-{number}-2"})
        second = time.perf_counter() - start
        if invoice["status"] != "paid" or Decimal(invoice["balance_due"]) != 0:
            raise RequestFailed(f"{number}: after paying the rest: {invoice['status']}, balance due "
                                f"{invoice['balance_due']}", 201)
        return [first, second]

    print(f"bench: recording two payments on each of the {len(issued)} invoices with {clients} clients ...",
          flush=True)
    warm = drive(clients, WARMUP, math.inf, pay)
    if warm.failures:
        return {"failures": warm.failures}
    cpu_before = cpu_snapshot()
    load = drive(clients, len(issued) - WARMUP, math.inf, pay)
    cpu_after = cpu_snapshot()
    if load.failures:
        return {"failures": load.failures}
    statuses = invoice_statuses(billing_url, [invoice_id for invoice_id, _number, _total in issued])
    failures = [] if statuses == {"paid": len(issued)} else [
        f"after the payments the {len(issued)} invoices are {statuses} in the billing database, not all paid"]
    return {**load.figures(), "clients": clients, "invoices": len(load.operations), "warmup": WARMUP,
            "statuses": statuses, "failures": failures,
            "cpu": cpu_report(cpu_before, cpu_after, len(load.latencies), stack)}


def invoice_statuses(billing_url: str, ids: list[str]) -> dict[str, int]:
    engine = create_engine(billing_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT status, count(*) FROM invoices WHERE id IN :ids GROUP BY status")
                                     .bindparams(bindparam("ids", expanding=True)), {"ids": ids}).all())
    finally:
        engine.dispose()


def billing_figures(stack: Stack, billing_url: str, clients: int, issuers: int, count: int) -> dict:
    figures: dict = {"issuing": invoice_issuing(stack, billing_url, clients, issuers, count)}
    if figures["issuing"]["failures"]:
        return figures
    figures["payments"] = payment_recording(stack, billing_url, clients, figures["issuing"].pop("issued"))
    return figures


def failures(figures: dict) -> list[str]:
    return (figures.get("issuing", {}).get("failures") or figures.get("payments", {}).get("failures")
            or figures.get("reports", {}).get("failures") or [])


# --- 3. reports at 200,000 invoices ------------------------------------------------------------

# What the seeding draws (random.Random(42), so the same data every run, dated from
# today): 5,000 organizations; per invoice an order of its own (invoices.order_id is a
# foreign key; one row, no lines); EUR 80%, USD 15%, JPY 5%; totals 100 to 50,000 (x150
# and whole yen for JPY); terms 15/30/45/60 days; 2% drafts, the rest issued uniformly
# over the past 3 years; 3% get a credit note (60% of them the whole total); older
# invoices are mostly paid (97% once past terms + 60 days), in 1 to 3 payments, and 25%
# of the unpaid part-paid; unpaid ones past due are overdue. Overdue invoices carry the
# dunning level already reached (billing's defaults 1, 15, 30 days), so that billing's
# overdue timer finds nothing to do in them during the run.
SEED_ORGANIZATIONS = 5000
DUNNING_DAYS = (1, 15, 30)
BILLING_REPORT_INDEXES = ("ix_invoices_open_by_due_date", "ix_invoices_issue_date", "ix_payments_payment_date",
                          "ix_credit_notes_issue_date")
RECORD = ["id", "created_at", "updated_at", "version"]
TOTALS = ["currency", "subtotal", "discount_total", "net_total", "tax_total", "grand_total", "tax_breakdown",
          "document_discount_percent", "rounding", "tax_mode"]
SNAPSHOT = ["organization_id", "organization_name"]
SEED_COLUMNS = {
    "orders": RECORD + TOTALS + SNAPSHOT + ["number", "quote_id", "quote_number", "status", "order_date",
                                            "payment_terms_days"],
    "invoices": RECORD + TOTALS + SNAPSHOT + ["number", "order_id", "status", "issue_date", "payment_terms_days",
                                              "due_date", "balance_due", "credited_total", "dunning_level"],
    "payments": RECORD + ["invoice_id", "amount", "currency", "payment_date", "method", "reference"],
    "credit_notes": RECORD + TOTALS + SNAPSHOT + ["number", "invoice_id", "invoice_number", "issue_date", "reason",
                                                  "refund_due"],
}


def _seed_rows(count: int, today: date) -> dict[str, list[list]]:
    rnd = random.Random(42)
    orgs = [(str(uuid.UUID(int=rnd.getrandbits(128))), f"Org {k:05d}") for k in range(SEED_ORGANIZATIONS)]
    now = datetime.now(UTC).isoformat()
    rows: dict[str, list[list]] = {name: [] for name in SEED_COLUMNS}
    orders, invoices, payments, credit_notes = (rows[name] for name in SEED_COLUMNS)
    for k in range(count):
        order_id, invoice_id = str(uuid.UUID(int=rnd.getrandbits(128))), str(uuid.UUID(int=rnd.getrandbits(128)))
        r = rnd.random()
        currency = "EUR" if r < 0.80 else "USD" if r < 0.95 else "JPY"
        cent = Decimal(1) if currency == "JPY" else Decimal("0.01")
        total = Decimal(rnd.randint(10_000, 5_000_000)).scaleb(-2)
        if currency == "JPY":
            total = Decimal(int(total * 150))
        org_id, org_name = rnd.choice(orgs)
        terms = rnd.choice((15, 30, 45, 60))
        totals = [currency, total, 0, total, 0, total, "[]", 0, "per_rate", "exclusive"]
        orders.append([order_id, now, now, 1, *totals, org_id, org_name, f"SO-B-{k}",
                       str(uuid.UUID(int=rnd.getrandbits(128))), f"Q-B-{k}", "confirmed", today.isoformat(), terms])
        if rnd.random() < 0.02:
            invoices.append([invoice_id, now, now, 1, *totals, org_id, org_name, None, order_id, "draft", None, terms,
                             None, total, 0, 0])
            continue
        issue = today - timedelta(days=rnd.randint(0, 1094))
        due = issue + timedelta(days=terms)
        age = (today - issue).days
        balance, status, credited = total, "issued", Decimal(0)
        p_paid = 0.97 if age > terms + 60 else min(0.9, age / (terms + 60))
        if rnd.random() < 0.03:  # a credit note, full or partial
            cn_date = issue + timedelta(days=rnd.randint(0, max(0, min(age, 40))))
            amount = total if rnd.random() < 0.6 else (total * Decimal(rnd.randint(5, 50)) / 100).quantize(cent)
            credit_notes.append([str(uuid.UUID(int=rnd.getrandbits(128))), now, now, 1, currency, amount, 0, amount,
                                 0, amount, "[]", 0, "per_rate", "exclusive", org_id, org_name, f"CN-B-{k}",
                                 invoice_id, f"INV-B-{k}", cn_date.isoformat(), "bench", 0])
            balance -= amount
            credited = amount
            status = "credited" if balance == 0 else status
        if balance > 0 and rnd.random() < p_paid:
            parts = rnd.choices((1, 2, 3), (50, 30, 20))[0]
            left, day = balance, issue
            for j in range(parts):
                amount = left if j == parts - 1 else (left * Decimal(rnd.randint(20, 60)) / 100).quantize(cent)
                day = min(today, day + timedelta(days=rnd.randint(0, terms + 20)))
                payments.append([str(uuid.UUID(int=rnd.getrandbits(128))), now, now, 1, invoice_id, amount, currency,
                                 day.isoformat(), "bank_transfer", f"R-{k}-{j}"])
                left -= amount
            balance, status = Decimal(0), "paid"
        elif balance > 0 and rnd.random() < 0.25:
            amount = (balance * Decimal(rnd.randint(10, 60)) / 100).quantize(cent)
            day = issue + timedelta(days=rnd.randint(0, age))
            payments.append([str(uuid.UUID(int=rnd.getrandbits(128))), now, now, 1, invoice_id, amount, currency,
                             day.isoformat(), "bank_transfer", f"R-{k}-p"])
            balance -= amount
            status = "partially_paid"
        dunning = 0
        if status in ("issued", "partially_paid") and due < today:
            status = "overdue"
            dunning = sum(1 for days in DUNNING_DAYS if (today - due).days >= days)
        invoices.append([invoice_id, now, now, 1, *totals, org_id, org_name, f"INV-B-{k}", order_id, status,
                         issue.isoformat(), terms, due.isoformat(), balance, credited, dunning])
    return rows


def _copy(conn, table_name: str, rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    cursor = conn.connection.driver_connection.cursor()
    cursor.copy_expert(f"COPY {table_name} ({', '.join(SEED_COLUMNS[table_name])}) FROM STDIN "
                       "WITH (FORMAT csv, NULL '\\N')", buffer)


def seed_invoices(billing_url: str, total: int, today: date) -> dict:
    """Make the invoices table hold about ``total`` rows (the seeded ones and those the
    bench made through the API), then VACUUM (ANALYZE) the four tables."""
    engine = create_engine(billing_url)
    try:
        with engine.connect() as conn:
            existing = conn.execute(text("SELECT count(*) FROM invoices")).scalar_one()
        count = max(0, total - existing)
        started = time.perf_counter()
        rows = _seed_rows(count, today)
        drawn = time.perf_counter() - started
        with engine.begin() as conn:  # one transaction; orders first (the foreign keys)
            for name, table_rows in rows.items():
                _copy(conn, name, table_rows)
        inserted = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            autovacuum = conn.exec_driver_sql("SHOW autovacuum").scalar()
            mark = time.perf_counter()
            for name in SEED_COLUMNS:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {name}")
            vacuumed = time.perf_counter() - mark
            conn.exec_driver_sql("CHECKPOINT")
            counts = {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                      for name in ("invoices", "payments", "credit_notes")}
            statuses = dict(conn.execute(text("SELECT status, count(*) FROM invoices GROUP BY 1")).all())
            sizes = {name: conn.execute(text("SELECT pg_relation_size(CAST(:name AS regclass))"),
                                        {"name": name}).scalar_one()
                     for name in ("invoices", "payments", "credit_notes", *BILLING_REPORT_INDEXES)}
    finally:
        engine.dispose()
    return {"existing": existing, "seeded": count, "counts": counts, "statuses": statuses,
            "draw_seconds": drawn, "insert_seconds": inserted, "vacuum_analyze_seconds": vacuumed,
            "autovacuum": autovacuum, "bytes": sizes}


def billing_report_shapes(today: date) -> list[tuple[str, str, dict]]:
    """(name, report path, query). The by-organization receivables (an answer of several
    MB at 5,000 organizations) are left out."""
    month = today.replace(day=1)
    end_of_last_month = month - timedelta(days=1)
    back = month.year * 12 + month.month - 1 - 11  # the first of 12 months, this one included
    twelve_months_back = date(back // 12, back % 12 + 1, 1)
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_end = quarter - timedelta(days=1)
    last_quarter = date(last_quarter_end.year, 3 * ((last_quarter_end.month - 1) // 3) + 1, 1)
    return [
        ("receivables today (stored)", "receivables", {}),
        ("receivables at the end of last month (reconstructed)", "receivables",
         {"as_of": end_of_last_month.isoformat()}),
        ("billed and collected, last 12 months", "billed-collected",
         {"from": twelve_months_back.isoformat(), "to": today.isoformat()}),
        ("DSO, last quarter", "dso", {"from": last_quarter.isoformat(), "to": last_quarter_end.isoformat()}),
    ]


def explain_billing_reports(billing_url: str, shapes: list) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL billing runs for each shape: the service's
    own ``billing.reports`` called here on the same database, its statements captured as
    the driver gets them, and explained in one transaction in the same order (a ``SET
    LOCAL`` it issues is run, not explained)."""
    from billing import reports  # the service's code, so the SQL is the service's

    engine = create_engine(billing_url)
    statements: list[tuple[str, dict]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(_conn, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    plans = {}
    try:
        for name, path, query in shapes:
            statements.clear()
            with Session(engine) as session:
                getattr(reports, path.replace("-", "_"))(session, dict(query))
            captured = list(statements)
            plans[name] = []
            with engine.begin() as conn:
                for sql, parameters in captured:
                    if sql.lstrip().upper().startswith("SET"):
                        conn.exec_driver_sql(sql, parameters)
                        continue
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, parameters).scalar()
                    lines = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters).scalars().all()
                    plans[name].append({**plan_summary(plan[0]), "plan": lines})
    finally:
        engine.dispose()
    return plans


def billing_reports(stack: Stack, billing_url: str, total: int, clients: int, requests_per_shape: int,
                    seconds: float) -> dict:
    today = datetime.now(UTC).date()
    print(f"bench: seeding the billing database up to {total:,} invoices ...", flush=True)
    seeding = seed_invoices(billing_url, total, today)
    print(f"bench: {seeding['counts']['invoices']:,} invoices ({seeding['seeded']:,} seeded in "
          f"{seeding['insert_seconds']:.1f}s); measuring the billing reports ...", flush=True)
    shapes = billing_report_shapes(today)
    measured = measure_reports(stack, shapes, clients, requests_per_shape, seconds)
    if "failures" in measured:
        return {"seeding": seeding, "failures": measured["failures"]}
    print("bench: EXPLAIN (ANALYZE, BUFFERS) of each billing report's SQL ...", flush=True)
    plans = explain_billing_reports(billing_url, shapes)
    for name in measured:
        measured[name]["explain"] = plans[name]
    return {"seeding": seeding, "shapes": measured, "clients": clients, "requests_per_shape": requests_per_shape,
            "seconds_cap": seconds, "slow_ms": SLOW_MS, "failures": []}


# --- output --------------------------------------------------------------------------------

def report(figures: dict, ceilings: dict) -> None:
    rpc1, rpc10 = ceilings["rpc_1"], ceilings["rpc_10"]
    issuing, payments = figures.get("issuing"), figures.get("payments")
    if issuing:
        setup = issuing["setup"]
        print(table(["invoice issuing", "value", "vs ceiling", "ceiling", "ratio"],
                    vs_rpc_ceiling("invoices issued/s (1 RPC each)", "invoice", issuing, rpc1, rpc10),
                    f"\nInvoice issuing: POST /api/v1/invoices/{{id}}/issue, {issuing['count']:,} drafts issued in "
                    f"{issuing['wall_seconds']:.2f}s by {issuing['issuers']} concurrent issuers ({issuing['warmup']} "
                    f"warm-up first, not counted); max {issuing['max_ms']:.0f} ms. Billing restarted with "
                    f"BILLING_ISSUE_AUTOMATICALLY=false ({_took(issuing['restart'])}) and with its defaults after "
                    f"({_took(issuing['restore'])}). The drafts: {setup['count']:,} accepted quotes with "
                    f"the 2 lines of tests/flow.py through the API, {setup['clients']} clients, "
                    f"{setup['wall_seconds']:.1f}s (setup, not measured: opportunity, quote, send, accept, the "
                    f"order). Ratio = value / ceiling:"))
        for year, run in issuing["numbers"]["runs"].items():
            print(f"Invoice numbers: OK, INV-{year}-{run['first']:05d} .. INV-{year}-{run['last']:05d}, "
                  f"{run['count']:,} numbers (warm-up included), one consecutive run with no gap and no duplicate, "
                  f"right after the series' last number before the run ({run['series_before']:05d}) and up to its "
                  f"last number after it")
    if payments:
        print(table(["payment recording", "value", "vs ceiling", "ceiling", "ratio"],
                    vs_rpc_ceiling("payments recorded/s (1 RPC each)", "payment", payments, rpc1, rpc10),
                    f"\nPayment recording: POST /api/v1/invoices/{{id}}/payments, two per invoice (about half, then "
                    f"the balance), {payments['count']:,} payments on {payments['invoices']:,} issued invoices in "
                    f"{payments['wall_seconds']:.2f}s from {payments['clients']} clients ({payments['warmup']} "
                    f"invoices first, not counted); max {payments['max_ms']:.0f} ms. Ratio = value / ceiling:"))
        statuses = ", ".join(f"{status} {n}" for status, n in payments["statuses"].items())
        print(f"Invoices after the payments (billing database): {statuses}: "
              + ("OK, every one paid" if payments["statuses"] == {"paid": sum(payments["statuses"].values())}
                 else "NOT all paid"))


    if figures.get("reports"):
        _report_reports(figures["reports"])
    elif "reports_skipped" in figures:
        print(f"\nBilling reports: skipped ({figures['reports_skipped']})")


def _report_reports(reports: dict) -> None:
    seeding, mib = reports["seeding"], 2 ** 20
    counts = seeding["counts"]
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(seeding["statuses"].items()))
    sizes = ", ".join(f"{name} {size / mib:.1f} MiB" for name, size in seeding["bytes"].items())
    print(f"\nSeeding: {seeding['seeded']:,} invoices (each with an order), with their payments and credit notes, "
          f"COPYed straight into the billing database in {seeding['insert_seconds']:.1f}s (of it "
          f"{seeding['draw_seconds']:.1f}s drawing the rows in Python), then VACUUM (ANALYZE) of the four tables "
          f"{seeding['vacuum_analyze_seconds']:.1f}s (autovacuum {seeding['autovacuum']}). Now "
          f"{counts['invoices']:,} invoices ({statuses}), {counts['payments']:,} payments, "
          f"{counts['credit_notes']:,} credit notes, over 3 years, 5,000 organizations, EUR/USD/JPY. Sizes: {sizes}.")
    intro = (f"\nBilling reports at {counts['invoices']:,} invoices: GET /api/v1/reports/..., each shape "
             f"{reports['requests_per_shape']} requests or {reports['seconds_cap']:g}s per phase, whichever came "
             "first; every answer 200. CPU ms/req: the whole machine's CPU per request with 1 client:")
    plans = ("\nPlans: EXPLAIN (ANALYZE, BUFFERS) of the SQL the service's own billing.reports builds for each shape "
             "(run by the bench on the same database, captured at the driver), after the HTTP runs, so with a warm "
             "cache. billed-collected is three queries (invoices, credit notes, payments), DSO three (open "
             "balances, then invoices and credit notes):")
    print_report_shapes(reports["shapes"], reports["clients"], reports["slow_ms"], intro, plans)


def _took(restart: dict) -> str:
    return f"stop {restart['stop_seconds']:.1f}s, start until it answers {restart['start_seconds']:.1f}s"
