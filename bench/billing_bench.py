"""The billing figures of ``make bench``:

1. invoice issuing: the billing process restarted with ``BILLING_ISSUE_AUTOMATICALLY=false``
   so that each accepted quote leaves a draft invoice (made through the API, not timed),
   then ``POST /api/v1/invoices/{id}/issue`` of every draft from N concurrent issuers, and
   the numbers checked: one consecutive run (``INV-YYYY-NNNNN``), no gap, no duplicate,
   following the number series as it was before; billing is restarted with its default
   settings afterwards;
2. payment recording: ``POST /api/v1/invoices/{id}/payments`` on those invoices from N
   clients, a part of the balance and then the rest, each invoice ending ``paid``.

Each part returns a dict of figures (kept in --json); ``report`` prints them beside the
RPC ceiling. See bench/README.md.
"""
from __future__ import annotations

import math
import re
import time
from collections import Counter
from decimal import ROUND_DOWN, Decimal

import requests
from leads_bench import RequestFailed, drive
from measure import cpu_report, cpu_snapshot, table, vs_rpc_ceiling
from sqlalchemy import bindparam, create_engine, text

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
    return figures.get("issuing", {}).get("failures") or figures.get("payments", {}).get("failures") or []


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


def _took(restart: dict) -> str:
    return f"stop {restart['stop_seconds']:.1f}s, start until it answers {restart['start_seconds']:.1f}s"
