"""The deals figures of ``make bench``:

1. sales reports at 200,000 opportunities: the deals service's PostgreSQL database
   seeded straight by SQL, then ``GET /api/v1/reports/{pipeline,forecast,win-rate}``
   over HTTP with 1 client and a few, and the plan PostgreSQL chose for each report's
   own SQL (``deals.reports`` run by the bench on the same database);
2. quote creation: ``POST /api/v1/quotes`` with 20 lines from N clients, each on an
   opportunity of its own made by ``POST /api/v1/opportunities``.

Each part returns a dict of figures (kept in --json); ``report`` prints them. See
bench/README.md.
"""
from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime, timedelta

import requests
from leads_bench import RequestFailed, drive, plan_summary
from measure import cpu_report, cpu_snapshot, print_report_shapes, table, vs_rpc_ceiling
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from crmkit.testing import Stack
from deals.domain import DEFAULT_PIPELINE_ID

SLOW_MS = 200.0  # a report whose p99 with 1 client is above this is marked slow: a page a manager waits for
QUOTE_WARMUP = 10  # quotes created first and not counted (connections, caches)
QUOTE_LINES = 20

# --- 1. reports at 200,000 opportunities ------------------------------------------------------

# One INSERT ... SELECT into the default pipeline, every NOT NULL column filled (models.py,
# migrations 0001-0003); values drawn per row in the inner queries, which PostgreSQL does
# not inline (volatile random()), so each is drawn once; setseed makes the data the same
# every run. Shares: won 30%, lost 30%, open 40% (qualification 12%, needs_analysis 10%,
# proposal 10%, negotiation 8%) with the stage's probability; open deals' forecast
# category pipeline 50%, best_case 20%, commit 20%, omitted 10%; 20 owners (user-01 ..
# user-20), each in one of 5 teams; EUR 80%, USD 15%, JPY 5%; amounts 1,000 to 100,000
# (log-uniform; x150 and whole yen for JPY); created_at uniform over the past 2 years,
# closed deals closed between then and now, open deals expected to close 30 to 210 days
# after creation.
SEED_SQL = """
SELECT setseed(0.42);
INSERT INTO opportunities (id, name, pipeline_id, owner_id, team, amount, currency, stage, probability,
                           forecast_category, expected_close_date, closed_at, lost_reason, created_at,
                           updated_at, version)
SELECT gen_random_uuid()::text, 'Bench deal ' || n, %(pipeline_id)s,
       'user-' || lpad(owner::text, 2, '0'), 'team-' || (owner %% 5 + 1),
       CASE WHEN currency = 'JPY' THEN round(amount * 150) ELSE amount END, currency, stage,
       CASE stage WHEN 'qualification' THEN 10 WHEN 'needs_analysis' THEN 20 WHEN 'proposal' THEN 50
                  WHEN 'negotiation' THEN 75 WHEN 'closed_won' THEN 100 ELSE 0 END,
       CASE WHEN stage = 'closed_won' THEN 'closed' WHEN stage = 'closed_lost' THEN 'omitted'
            WHEN r_category < 0.5 THEN 'pipeline' WHEN r_category < 0.7 THEN 'best_case'
            WHEN r_category < 0.9 THEN 'commit' ELSE 'omitted' END,
       CASE WHEN closed_at IS NULL THEN (created_at + interval '30 days' + r_close * interval '180 days')::date
            ELSE (closed_at AT TIME ZONE 'UTC')::date END,
       closed_at, CASE WHEN stage = 'closed_lost' THEN 'price' END, created_at, coalesce(closed_at, created_at), 1
FROM (
    SELECT n, r_category, r_close, created_at, currency, stage,
           1 + floor(r_owner * 20)::int AS owner,
           round((1000 * power(100, r_amount))::numeric, 2) AS amount,
           CASE WHEN stage LIKE 'closed_%%' THEN created_at + r_close * (now() - created_at) END AS closed_at
    FROM (
        SELECT n, random() AS r_owner, random() AS r_amount, random() AS r_category, random() AS r_close,
               now() - random() * interval '730 days' AS created_at,
               CASE WHEN r_currency < 0.80 THEN 'EUR' WHEN r_currency < 0.95 THEN 'USD' ELSE 'JPY' END AS currency,
               CASE WHEN r_stage < 0.30 THEN 'closed_won' WHEN r_stage < 0.60 THEN 'closed_lost'
                    WHEN r_stage < 0.72 THEN 'qualification' WHEN r_stage < 0.82 THEN 'needs_analysis'
                    WHEN r_stage < 0.92 THEN 'proposal' ELSE 'negotiation' END AS stage
        FROM (SELECT n, random() AS r_stage, random() AS r_currency
              FROM generate_series(1, %(count)s) AS n) AS g
    ) AS drawn
) AS deals
"""
REPORT_INDEXES = ("ix_opportunities_open_by_close_date", "ix_opportunities_closed_by_stage")


def seed_opportunities(deals_url: str, total: int) -> dict:
    """Make the opportunities table hold ``total`` rows, then VACUUM (ANALYZE) it: the
    planner needs the statistics, and index-only scans need the visibility map that
    only VACUUM sets (autovacuum would, later, where it is on)."""
    engine = create_engine(deals_url)
    try:
        with engine.connect() as conn:
            existing = conn.execute(text("SELECT count(*) FROM opportunities")).scalar_one()
        count = max(0, total - existing)
        started = time.perf_counter()
        # One transaction, one commit; and a synchronous one: VACUUM marks a page
        # all-visible only once the commit that wrote its rows is flushed.
        with engine.begin() as conn:
            conn.exec_driver_sql(SEED_SQL, {"count": count, "pipeline_id": DEFAULT_PIPELINE_ID})
        inserted = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            autovacuum = conn.exec_driver_sql("SHOW autovacuum").scalar()
            mark = time.perf_counter()
            conn.exec_driver_sql("VACUUM (ANALYZE) opportunities")
            vacuumed = time.perf_counter() - mark
            conn.exec_driver_sql("CHECKPOINT")  # so that the reports do not share the disk with it
            rows, table_bytes = conn.execute(text(
                "SELECT count(*), pg_table_size('opportunities') FROM opportunities")).one()
            # Index-only scans skip the table only on pages VACUUM marked all-visible.
            pages, all_visible = conn.execute(text(
                "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'opportunities'")).one()
            shares = dict(conn.execute(text(
                "SELECT CASE WHEN stage LIKE 'closed_%' THEN stage ELSE 'open' END, count(*) FROM opportunities "
                "GROUP BY 1")).all())
            index_bytes = {name: conn.execute(text("SELECT pg_relation_size(CAST(:name AS regclass))"),
                                              {"name": name}).scalar_one() for name in REPORT_INDEXES}
    finally:
        engine.dispose()
    return {"existing": existing, "seeded": count, "opportunities": rows, "insert_seconds": inserted,
            "vacuum_analyze_seconds": vacuumed, "autovacuum": autovacuum, "table_bytes": table_bytes,
            "pages": pages, "pages_all_visible": all_visible,
            "index_bytes": index_bytes, "shares": shares}


def report_shapes(today: date) -> list[tuple[str, str, dict]]:
    """(name, report path, query): what a sales manager opens every day."""
    month = today.replace(day=1)
    in_a_year = (month + timedelta(days=366)).replace(day=1) - timedelta(days=1)  # the end of month 12
    next_12_months = {"from": month.isoformat(), "to": in_a_year.isoformat()}
    last_12_months = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}
    return [
        ("pipeline by stage", "pipeline", {}),
        ("pipeline by owner and stage", "pipeline", {"group_by": "owner"}),
        ("pipeline of one owner", "pipeline", {"owner_id": "user-07"}),
        ("forecast, next 12 months", "forecast", next_12_months),
        ("forecast, next 12 months by team", "forecast", {**next_12_months, "group_by": "team"}),
        ("win rate, last 12 months", "win-rate", last_12_months),
        ("win rate, last 12 months by owner", "win-rate", {**last_12_months, "group_by": "owner"}),
        ("win rate, last 30 days", "win-rate", {"from": (today - timedelta(days=29)).isoformat(),
                                                "to": today.isoformat()}),
    ]


def report_operation(base_url: str, path: str, query: dict):
    def get(http: requests.Session) -> list[float]:
        start = time.perf_counter()
        resp = http.get(f"{base_url}/reports/{path}", params=query, timeout=120)
        if resp.status_code != 200:
            raise RequestFailed(f"GET /reports/{path} {query}: {resp.status_code} {resp.text[:300]}",
                                resp.status_code)
        resp.json()
        return [time.perf_counter() - start]
    return get


def measure_reports(stack: Stack, shapes: list, clients: int, requests_per_shape: int, seconds: float) -> dict:
    """Each report shape with 1 client, then with ``clients``, each phase
    ``requests_per_shape`` requests or ``seconds``, whichever comes first."""
    found = {}
    for name, path, query in shapes:
        figures = {"path": path, "query": query}
        for label, n in (("sequential", 1), ("concurrent", clients)):
            before = cpu_snapshot()
            load = drive(n, requests_per_shape, seconds, report_operation(stack.base_url, path, query))
            after = cpu_snapshot()
            if load.failures:
                return {"failures": load.failures}
            figures[label] = {**load.figures(), "clients": n,
                              "cpu": cpu_report(before, after, len(load.latencies), stack)}
        figures["slow"] = figures["sequential"]["p99_ms"] > SLOW_MS
        found[name] = figures
    return found


def explain_reports(deals_url: str, shapes: list) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL the deals service runs for each shape: the
    service's own ``deals.reports`` is called here on a session of the same database,
    and its statements over opportunities are captured as the driver gets them."""
    from deals import reports  # the service's code, so the SQL is the service's

    engine = create_engine(deals_url)
    statements: list[tuple[str, dict]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(_conn, _cursor, statement, parameters, _context, _executemany):
        if "FROM opportunities" in statement:
            statements.append((statement, parameters))

    plans = {}
    try:
        for name, path, query in shapes:
            statements.clear()
            with Session(engine) as session:
                getattr(reports, path.replace("-", "_"))(session, query)
            captured = list(statements)
            plans[name] = [_explain(engine, sql, parameters) for sql, parameters in captured]
    finally:
        engine.dispose()
    return plans


def _explain(engine, sql: str, parameters) -> dict:
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, parameters).scalar()
        lines = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters).scalars().all()
    return {**plan_summary(plan[0]), "plan": lines}


def deal_reports(stack: Stack, deals_url: str, total: int, clients: int, requests_per_shape: int,
                 seconds: float) -> dict:
    seeding = seed_opportunities(deals_url, total)
    print(f"bench: {seeding['opportunities']:,} opportunities ({seeding['seeded']:,} seeded in "
          f"{seeding['insert_seconds']:.1f}s); measuring the reports ...", flush=True)
    shapes = report_shapes(datetime.now(UTC).date())
    measured = measure_reports(stack, shapes, clients, requests_per_shape, seconds)
    if "failures" in measured:
        return {"seeding": seeding, "failures": measured["failures"]}
    print("bench: EXPLAIN (ANALYZE, BUFFERS) of each report's SQL ...", flush=True)
    plans = explain_reports(deals_url, shapes)
    for name in measured:
        measured[name]["explain"] = plans[name]
    return {"seeding": seeding, "shapes": measured, "clients": clients, "requests_per_shape": requests_per_shape,
            "seconds_cap": seconds, "slow_ms": SLOW_MS}


# --- 2. quote creation with 20 lines ---------------------------------------------------------

# What a seller writes: three tax rates, some discounts, fractional quantities.
LINES = [{"description": f"Bench item {i + 1}", "quantity": f"{1 + i % 5}{'.5' if i % 4 == 0 else ''}",
          "unit_price": f"{37 * i % 900 + 10}.{i * 7 % 100:02d}", "discount_percent": str(i % 3 * 5),
          "tax_rate": ("19", "7", "0")[i % 3]} for i in range(QUOTE_LINES)]


def quote_creation(stack: Stack, clients: int, count: int) -> dict:
    """``count`` quotes of 20 lines by ``POST /quotes`` from ``clients`` clients, each on
    an opportunity of its own, made first by ``POST /opportunities`` (timed apart)."""
    base_url = stack.base_url
    made: list[str] = []

    def create_opportunity(http: requests.Session) -> list[float]:
        start = time.perf_counter()
        resp = http.post(f"{base_url}/opportunities", json={
            "name": f"Bench quote deal {len(made) + 1}", "amount": "1000.00", "currency": "EUR"}, timeout=30)
        if resp.status_code != 201:
            raise RequestFailed(f"POST /opportunities: {resp.status_code} {resp.text[:300]}", resp.status_code)
        made.append(resp.json()["id"])  # list.append is atomic: the clients share the list
        return [time.perf_counter() - start]

    opportunities = drive(clients, QUOTE_WARMUP + count, math.inf, create_opportunity)
    if opportunities.failures:
        return {"failures": opportunities.failures}
    waiting = iter(list(made))

    def create_quote(http: requests.Session) -> list[float]:
        opportunity_id = next(waiting)
        body = {"opportunity_id": opportunity_id, "lines": LINES}
        start = time.perf_counter()
        resp = http.post(f"{base_url}/quotes", json=body, timeout=30)
        if resp.status_code != 201:
            raise RequestFailed(f"POST /quotes: {resp.status_code} {resp.text[:300]}", resp.status_code)
        quote = resp.json()
        if len(quote["lines"]) != QUOTE_LINES:
            raise RequestFailed(f"POST /quotes: {len(quote['lines'])} lines back, not {QUOTE_LINES}", 201)
        return [time.perf_counter() - start]

    warm = drive(clients, QUOTE_WARMUP, math.inf, create_quote)
    if warm.failures:
        return {"failures": warm.failures}
    before = cpu_snapshot()
    load = drive(clients, count, math.inf, create_quote)
    after = cpu_snapshot()
    return {**load.figures(), "clients": clients, "warmup": QUOTE_WARMUP, "lines": QUOTE_LINES,
            "failures": load.failures, "opportunity_creation": opportunities.figures(),
            "cpu": cpu_report(before, after, len(load.latencies), stack)}


# --- output --------------------------------------------------------------------------------

def report(args, figures: dict, ceilings: dict) -> None:
    if figures.get("reports"):
        _report_reports(figures["reports"])
    elif "reports_skipped" in figures:
        print(f"\nSales reports at {args.opportunities:,} opportunities: skipped ({figures['reports_skipped']})")
    if figures.get("quotes"):
        _report_quotes(figures["quotes"], ceilings["rpc_1"], ceilings["rpc_10"])


def _report_reports(reports: dict) -> None:
    seeding = reports["seeding"]
    shares = ", ".join(f"{k} {v / seeding['opportunities'] * 100:.0f}%" for k, v in sorted(seeding["shares"].items()))
    indexes = ", ".join(f"{name} {size / 2**20:.1f} MiB" for name, size in seeding["index_bytes"].items())
    print(f"\nSeeding: {seeding['seeded']:,} opportunities inserted straight into the deals database to make "
          f"{seeding['opportunities']:,} ({shares}; 20 owners, 5 teams, EUR/USD/JPY, created over 2 years) in "
          f"{seeding['insert_seconds']:.1f}s, then VACUUM (ANALYZE) {seeding['vacuum_analyze_seconds']:.1f}s (this "
          f"server's autovacuum is {seeding['autovacuum']}; {seeding['pages_all_visible']:,} of "
          f"{seeding['pages']:,} pages all-visible after it). Table {seeding['table_bytes'] / 2**20:.0f} MiB; the "
          f"reports' indexes (migration 0003): {indexes}.")
    intro = (f"\nSales reports at {seeding['opportunities']:,} opportunities: GET /api/v1/reports/..., each shape "
             f"{reports['requests_per_shape']} requests or {reports['seconds_cap']:g}s per phase, whichever came "
             "first; every answer 200. CPU ms/req: the whole machine's CPU per request with 1 client (it includes "
             "PostgreSQL's parallel workers):")
    plans = ("\nPlans: EXPLAIN (ANALYZE, BUFFERS) of the SQL the service's own deals.reports builds for each shape "
             "(run by the bench on the same database, captured at the driver), after the HTTP runs, so with a warm "
             "cache. The forecast is two queries: open deals, then won ones:")
    print_report_shapes(reports["shapes"], reports["clients"], SLOW_MS, intro, plans)


def _report_quotes(q: dict, rpc1: dict, rpc10: dict) -> None:
    rows = vs_rpc_ceiling("quotes created/s (1 RPC each)", "quote", q, rpc1, rpc10)
    opportunities = q["opportunity_creation"]
    print(table(["quote creation", "value", "vs ceiling", "ceiling", "ratio"], rows,
                f"\nQuote creation: POST /api/v1/quotes with {q['lines']} lines (3 tax rates, discounts), "
                f"{q['count']:,} quotes in {q['wall_seconds']:.2f}s from {q['clients']} clients ({q['warmup']} "
                f"warm-up first, not counted), each on an opportunity of its own; max {q['max_ms']:.0f} ms. "
                f"The opportunities were made first by POST /api/v1/opportunities: {opportunities['rate']:.1f}/s, "
                f"p50 {opportunities['p50_ms']:.1f} ms, p99 {opportunities['p99_ms']:.1f} ms. Ratio = value / "
                "ceiling:"))
