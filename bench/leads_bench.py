"""The leads figures of ``make bench`` (the project's issue asks for these three):

1. lead creation: ``POST /api/v1/leads`` from N clients, a fixed number of new leads;
2. CSV import: ``POST /api/v1/leads/import`` of a file of unique rows streamed from disk,
   then the same file again (which must create nothing);
3. lead lists: ``GET /api/v1/leads`` with realistic filters over 1,000,000 leads, seeded
   straight into the leads service's PostgreSQL database, with the plan PostgreSQL chose
   for the service's own SQL of each query shape.

Each part returns a dict of figures (kept in --json); ``report`` prints them beside the
RPC ceiling. See bench/README.md.
"""
from __future__ import annotations

import csv
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import requests
from measure import cpu_report, cpu_snapshot, num, run_clients, summary, table
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from crmkit.listing import make_cursor
from crmkit.testing import Stack
from flow import a_lead

SLOW_MS = 100.0  # a list shape whose sequential p99 is above this is reported as slow
CREATE_WARMUP = 20  # leads created first and not counted (connections, caches)
IMPORT_CHUNK_ROWS = 500  # gateway.csv_import.CHUNK_ROWS: one RPC (and one transaction) per chunk
DEFAULT_RPC_TIMEOUT = 10.0  # crmkit.settings: CRM_RPC_TIMEOUT_SECONDS unless the stack's env sets it


class RequestFailed(Exception):
    """A request answered something other than what the bench needs."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


# --- driving requests from N clients --------------------------------------------------------

@dataclass
class Load:
    operations: list = field(default_factory=list)  # per operation: the seconds of each of its requests
    wall: float = 0.0
    failures: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # answers tolerated with keep_going: (status, message)

    @property
    def latencies(self) -> list[float]:
        return [s for op in self.operations for s in op]

    def figures(self) -> dict:
        every = self.latencies
        statuses: dict[str, int] = {}
        for status, _message in self.errors:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        return {**summary(every), "wall_seconds": self.wall, "rate": len(every) / self.wall if self.wall else math.nan,
                "errors": len(self.errors), "error_statuses": statuses,
                "error_samples": list(dict.fromkeys(m for _s, m in self.errors))[:3]}


def drive(clients: int, operations: int, seconds: float, operation, keep_going: bool = False) -> Load:
    """Run ``operation(http)`` ``operations`` times from ``clients`` threads, each with its
    own keep-alive session, stopping early after ``seconds``. An operation makes one or
    more requests and returns how long each took. The first failure stops every client,
    unless ``keep_going``: then an unexpected answer (RequestFailed) is counted as an
    error, not timed, and the client goes on."""
    load = Load()
    lock = threading.Lock()
    tickets = iter(range(operations))
    stop = threading.Event()
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        with requests.Session() as http:
            while not stop.is_set() and time.perf_counter() < deadline:
                with lock:
                    if next(tickets, None) is None:
                        return
                try:
                    times = operation(http)
                except RequestFailed as exc:
                    if keep_going:
                        with lock:
                            load.errors.append((exc.status, str(exc)))
                        continue
                    if not stop.is_set():
                        load.failures.append(f"client {number}: {exc}")
                    stop.set()
                    return
                except Exception as exc:
                    if not stop.is_set():
                        load.failures.append(f"client {number}: {type(exc).__name__}: {exc}")
                    stop.set()
                    return
                with lock:
                    load.operations.append(times)

    load.wall = run_clients(clients, client, stop, "leads-client")
    return load


# --- 1. lead creation ----------------------------------------------------------------------

def lead_creation(stack: Stack, clients: int, count: int) -> dict:
    """``count`` leads made by ``POST /leads`` from ``clients`` clients, each body from
    ``a_lead()`` (another person and company each time, so duplicate detection lets it in)."""
    url = stack.base_url + "/leads"

    def create(http: requests.Session) -> list[float]:
        body = a_lead()
        start = time.perf_counter()
        resp = http.post(url, json=body, timeout=30)
        if resp.status_code != 201:
            raise RequestFailed(f"POST /leads: expected 201, got {resp.status_code} {resp.text[:500]}",
                                resp.status_code)
        resp.json()
        return [time.perf_counter() - start]

    warm = drive(clients, CREATE_WARMUP, math.inf, create)
    if warm.failures:
        return {"failures": warm.failures}
    before = cpu_snapshot()
    load = drive(clients, count, math.inf, create)
    after = cpu_snapshot()
    return {**load.figures(), "clients": clients, "warmup": CREATE_WARMUP, "failures": load.failures,
            "cpu": cpu_report(before, after, len(load.latencies), stack)}


# --- 2. CSV import -------------------------------------------------------------------------

CSV_HEADER = ["last_name", "first_name", "email", "company", "phone", "team", "source", "tags"]
FIRST_NAMES = ["Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Klara", "Liam",
               "Mia", "Noah", "Olga", "Paul"]
LAST_NAMES = ["Smith", "Jones", "Brown", "Miller", "Davis", "Garcia", "Wilson", "Moore", "Taylor", "Anderson",
              "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson", "Muller", "Schmidt", "Schneider",
              "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Laurent", "Rossi", "Russo", "Jansen",
              "de Vries", "Nilsson", "Svensson"]
COMPANY_NAMES = ["Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Acme", "Hooli",
                 "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Oscorp", "Massive"]
COMPANY_TRADES = ["Logistics", "Systems", "Foods", "Energy", "Software", "Retail", "Health", "Media"]
TEAMS = ["team-emea", "team-apac", "team-na-east", "team-na-west", "team-latam", "team-dach", "team-nordics",
         "team-uk"]
IMPORT_SOURCES = ["web", "event", "webinar", "campaign", "partner", "referral", "advertising", "email"]
IMPORT_TAGS = ["newsletter", "trade-show", "webinar-2026", "partner-list", "cold-list"]


def write_csv(path: Path, rows: int) -> int:
    """A CSV of ``rows`` leads, each a different person: unique email, unique company
    and a unique phone number in E.164. Returns its size in bytes."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        for i in range(rows):
            first, last = FIRST_NAMES[i % 16], LAST_NAMES[(i // 16) % 32]
            company = f"{COMPANY_NAMES[i % 16]} {COMPANY_TRADES[(i // 16) % 8]} {i}"
            writer.writerow([last, first, f"{first}.{last.replace(' ', '')}.{i}@import.example.org".lower(),
                             company, f"+1{2120000000 + i}", TEAMS[i % 8], IMPORT_SOURCES[i % 8],
                             f"import;{IMPORT_TAGS[i % 5]}"])
    return path.stat().st_size


class CommitWatch(threading.Thread):
    """Polls ``count(*)`` of the leads database's imported_rows every ``interval``: a
    chunk's rows appear at once when its transaction commits, so the moments the count
    grows are the chunks' commits, seen from outside within one interval."""

    def __init__(self, url: str, interval: float = 0.1):
        super().__init__(name="import-commit-watch", daemon=True)
        self.engine = create_engine(url)
        self.interval = interval
        self.seen: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        with self.engine.connect() as conn:
            while not self.done.is_set():
                count = conn.execute(text("SELECT count(*) FROM imported_rows")).scalar_one()
                conn.rollback()
                if not self.seen or count != self.seen[-1][1]:
                    self.seen.append((time.perf_counter(), count))
                self.done.wait(self.interval)

    def stop(self) -> None:
        self.done.set()
        self.join(10)
        self.engine.dispose()

    def chunk_seconds(self) -> list[float]:
        """Seconds per 500-row chunk between the commits seen, from the first commit on
        (before it, the upload); when one poll saw several commits, their interval is
        shared out by rows."""
        times = []
        if len(self.seen) < 2:
            return times
        previous_t, previous_n = self.seen[1]
        for t, n in self.seen[2:]:
            chunks = max(1.0, (n - previous_n) / IMPORT_CHUNK_ROWS)
            times.extend([(t - previous_t) / chunks] * round(chunks))
            previous_t, previous_n = t, n
        return times


def post_csv(stack: Stack, path: Path, leads_url: str) -> dict:
    """One streamed upload (the open file as the body: requests sends it as it reads it)."""
    watch = CommitWatch(leads_url)
    watch.start()
    time.sleep(0.3)  # the watch's first count is the baseline
    before = cpu_snapshot()
    start = time.perf_counter()
    try:
        with path.open("rb") as f:
            resp = requests.post(stack.base_url + "/leads/import", params={"duplicates": "skip"}, data=f,
                                 headers={"Content-Type": "text/csv"}, timeout=(10, 3600))
        seconds = time.perf_counter() - start
    finally:
        watch.stop()
    after = cpu_snapshot()
    try:
        answer = resp.json()
    except ValueError:
        answer = {"body": resp.text[:2000]}
    chunks = watch.chunk_seconds()
    rows = answer.get("rows", 0) if resp.status_code == 200 else 0
    first_commit = watch.seen[1][0] - start if len(watch.seen) > 1 else math.nan
    return {"status": resp.status_code, "seconds": seconds, "rows": rows,
            "rows_per_second": rows / seconds if rows else math.nan,
            **{k: answer.get(k) for k in ("created", "updated", "skipped", "rejected")},
            "problems": answer.get("problems", [])[:20], "error": None if resp.status_code == 200 else answer,
            "imported_rows_committed": (watch.seen[-1][1] - watch.seen[0][1]) if watch.seen else None,
            "first_commit_seconds": first_commit,
            "chunk_seconds": {**summary(chunks), "first_10_mean_s": _mean(chunks[:10]),
                              "last_10_mean_s": _mean(chunks[-10:])} if chunks else None,
            "cpu": cpu_report(before, after, max(rows, 1), stack)}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def csv_import(stack: Stack, leads_url: str, rows: int, tmp: Path) -> dict:
    path = tmp / "bench-leads-import.csv"
    started = time.perf_counter()
    size = write_csv(path, rows)
    written = time.perf_counter() - started
    try:
        first = post_csv(stack, path, leads_url)
        again = post_csv(stack, path, leads_url) if first["status"] == 200 else None
    finally:
        path.unlink(missing_ok=True)
    return {"rows": rows, "file_bytes": size, "write_seconds": written, "first": first, "again": again,
            "rpc_timeout_seconds": float(stack.env.get("CRM_RPC_TIMEOUT_SECONDS") or DEFAULT_RPC_TIMEOUT)}


# --- 3. seeding 1,000,000 leads, then lists with filters -----------------------------------------

# One INSERT ... SELECT: every NOT NULL column of leads (models.py, migrations 0001-0009)
# filled, values drawn per row in the inner query (OFFSET 0 keeps it from being inlined,
# so each random() is drawn once). Shares: status new 30%, contacted 25%, qualified 15%,
# disqualified 20%, converted 10%; source web 30%, then referral, partner, event, webinar,
# campaign 10% each, cold_call, advertising, email, other 5% each; 50 owners (user-001 ..
# user-050), each in one of 8 teams; score uniform 0..100 and the rating from it by the
# default model's thresholds (hot >= 70, warm >= 40); created_at uniform over the past
# year; 70% with a phone; the duplicate keys filled as leads.normalize would.
SEED_SQL = """
INSERT INTO leads (id, created_at, updated_at, version, owner_id, status, first_name, last_name, email, phone,
                   company, country, source, team, score, score_factors, rating, score_model_version,
                   email_key, phone_key, company_key, person_key, converted_at, disqualify_reason)
SELECT gen_random_uuid()::text, r.created, r.created + random() * (now() - r.created), 1,
       'user-' || lpad(r.owner::text, 3, '0'), r.status, r.first, r.last,
       r.email, r.phone, r.company || ' Ltd', (ARRAY['US','GB','DE','FR','NL','ES','IT','SE'])[1 + r.g % 8],
       r.source, (ARRAY[{teams}])[1 + r.owner % 8],
       r.score, '[]', CASE WHEN r.score >= 70 THEN 'hot' WHEN r.score >= 40 THEN 'warm' ELSE 'cold' END, 0,
       r.email, r.phone, lower(r.company), lower(r.first || ' ' || r.last),
       CASE WHEN r.status = 'converted' THEN r.created END,
       CASE WHEN r.status = 'disqualified' THEN 'no budget' END
FROM (SELECT g, created, owner, score, status, source, first, last, company,
             lower(first || '.' || replace(last, ' ', '') || '.' || g) || '@seed.example.com' AS email,
             CASE WHEN g % 10 < 7 THEN '+1' || (2010000000 + g)::text END AS phone
      FROM (SELECT g, now() - random() * interval '365 days' AS created,
                   1 + floor(random() * 50)::int AS owner, floor(random() * 101)::int AS score,
                   (ARRAY['new','new','new','new','new','new','contacted','contacted','contacted','contacted',
                          'contacted','qualified','qualified','qualified','disqualified','disqualified',
                          'disqualified','disqualified','converted','converted'])[1 + floor(random() * 20)::int]
                       AS status,
                   (ARRAY['web','web','web','web','web','web','referral','referral','partner','partner','event',
                          'event','webinar','webinar','campaign','campaign','cold_call','advertising','email',
                          'other'])[1 + floor(random() * 20)::int] AS source,
                   (ARRAY[{first_names}])[1 + floor(random() * 16)::int] AS first,
                   (ARRAY[{last_names}])[1 + floor(random() * 32)::int] AS last,
                   (ARRAY[{companies}])[1 + floor(random() * 16)::int] || ' '
                       || (ARRAY[{trades}])[1 + floor(random() * 8)::int] || ' ' || (1 + g % 40000) AS company
            FROM generate_series(1, :count) AS g OFFSET 0) AS drawn) AS r
""".format(**{name: ", ".join(f"'{v}'" for v in values) for name, values in (
    ("teams", TEAMS), ("first_names", FIRST_NAMES), ("last_names", LAST_NAMES), ("companies", COMPANY_NAMES),
    ("trades", COMPANY_TRADES))})

# The indexes of leads that no constraint owns (all but the primary key), with their definitions.
SECONDARY_INDEXES = """
SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = 'leads'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname
"""


def seed_leads(leads_url: str, total: int, keep_indexes: bool) -> dict:
    """Make the leads table hold ``total`` leads. Unless ``keep_indexes``, the secondary
    indexes are dropped for the load and re-created from their own definitions in the
    same transaction (PostgreSQL's advice for bulk loads: one sorted build instead of
    a million random insertions each); nobody sees the table without them, and the
    definitions are compared afterwards."""
    engine = create_engine(leads_url)
    try:
        with engine.connect() as conn:
            existing = conn.execute(text("SELECT count(*) FROM leads")).scalar_one()
            indexes = conn.execute(text(SECONDARY_INDEXES)).all()
        count = max(0, total - existing)
        phases: dict[str, float] = {}
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            conn.exec_driver_sql("SET LOCAL lock_timeout = '60s'")
            mark = time.perf_counter()
            if not keep_indexes:
                for name, _definition in indexes:
                    conn.exec_driver_sql(f'DROP INDEX "{name}"')
            conn.execute(text(SEED_SQL), {"count": count})
            phases["insert"] = time.perf_counter() - mark
            if not keep_indexes:
                mark = time.perf_counter()
                for _name, definition in indexes:
                    conn.exec_driver_sql(definition)
                phases["create_indexes"] = time.perf_counter() - mark
            mark = time.perf_counter()
        phases["commit"] = time.perf_counter() - mark
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            if conn.execute(text(SECONDARY_INDEXES)).all() != indexes:
                raise RuntimeError("the leads indexes differ after seeding")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            autovacuum = conn.exec_driver_sql("SHOW autovacuum").scalar()
            mark = time.perf_counter()
            # lead_tags too: a page's tags are read from it, and with autovacuum off (as
            # on some servers) nothing else ever gives the planner its statistics.
            conn.exec_driver_sql("VACUUM (ANALYZE) leads")
            conn.exec_driver_sql("ANALYZE lead_tags")
            phases["vacuum_analyze"] = time.perf_counter() - mark
            mark = time.perf_counter()
            conn.exec_driver_sql("CHECKPOINT")  # so that the lists do not share the disk with it
            phases["checkpoint"] = time.perf_counter() - mark
            leads, table_bytes, index_bytes = conn.execute(text(
                "SELECT count(*), pg_table_size('leads'), pg_indexes_size('leads') FROM leads")).one()
    finally:
        engine.dispose()
    return {"existing": existing, "seeded": count, "leads": leads, "seconds": seconds,
            "rows_per_second": count / seconds if seconds else math.nan, "phases": phases,
            "secondary_indexes": len(indexes), "kept_indexes": keep_indexes, "autovacuum": autovacuum,
            "table_bytes": table_bytes,
            "index_bytes": index_bytes}


@dataclass(frozen=True)
class Shape:
    name: str
    params: dict
    pages: int = 1  # >1: one operation pages on through next_cursor up to this many pages
    fix: str = ""  # what would make it fast, printed when it is slow


def list_shapes(leads_url: str) -> list[Shape]:
    """The query shapes, with values taken from the seeded data."""
    engine = create_engine(leads_url)
    try:
        with engine.connect() as conn:
            # a company a user would search for (one of the seeded ones, about 1 in 40,000 rows match)
            company = conn.execute(text("SELECT company FROM leads WHERE owner_id = 'user-013' "
                                        "ORDER BY created_at LIMIT 1")).scalar_one()
            deep = conn.execute(text("SELECT created_at, id FROM leads WHERE status = 'contacted' "
                                     "ORDER BY created_at DESC, id DESC OFFSET 100000 LIMIT 1")).one_or_none()
    finally:
        engine.dispose()
    month_ago = (datetime.now(UTC) - timedelta(days=30)).replace(microsecond=0).isoformat()
    contacted = {"status": "contacted", "sort": "-created_at", "limit": "50"}
    keyset = ("the cursor condition is an OR (created_at < v OR created_at = v AND id < i), which PostgreSQL "
              "applies as a Filter on every row since the first page: no index helps as written. The row "
              "comparison (created_at, id) < (v, i) in crmkit.listing.paginate would be an Index Cond on "
              "ix_leads_status_created (status, created_at, id) and make every page cost the same")
    trigram = ("a trigram index per searched column, which ILIKE '%..%' can use (a BitmapOr of four): "
               "CREATE EXTENSION pg_trgm; CREATE INDEX ON leads USING gin (first_name gin_trgm_ops); "
               "the same for last_name, email and company")
    shapes = [
        Shape("owner's qualified leads, newest first",
              {"status": "qualified", "owner_id": "user-007", "sort": "-created_at", "limit": "50"},
              fix="CREATE INDEX ON leads (owner_id, status, created_at, id)"),
        Shape("team's leads scoring 70+, best first",
              {"team": "team-emea", "score_min": "70", "sort": "-score", "limit": "50"},
              fix="CREATE INDEX ON leads (team, score, id): no index starts with team; ix_leads_score gives the "
                  "score order only, so the id order costs a sort"),
        Shape("new leads of the last 30 days", {"status": "new", "created_from": month_ago, "limit": "50"},
              fix="ix_leads_status_created (status, created_at, id) should serve it"),
        Shape("contacted, newest first, 21 pages (page 1 + 20 by next_cursor)", contacted, pages=21, fix=keyset),
        Shape("search q=, a common last name", {"q": "weber", "limit": "50"}, fix=trigram),
        Shape("search q=, one company", {"q": company.removesuffix(" Ltd"), "limit": "50"}, fix=trigram),
    ]
    if deep is not None:
        # What a client reaches after 2,000 pages of 50 (an export pages the same way):
        # the API's own cursor for row 100,000, made with crmkit.listing.make_cursor.
        shapes.insert(4, Shape("contacted, the page after row 100,000 (cursor)",
                               {**contacted, "cursor": make_cursor("-created_at", deep[0], deep[1])}, fix=keyset))
    return shapes


def list_operation(base_url: str, shape: Shape):
    def get_pages(http: requests.Session) -> list[float]:
        times = []
        params = shape.params
        for _ in range(shape.pages):
            start = time.perf_counter()
            resp = http.get(base_url + "/leads", params=params, timeout=120)
            if resp.status_code != 200:
                raise RequestFailed(f"GET /leads {_query(params)}: {resp.status_code} {resp.text[:300]}",
                                    resp.status_code)
            page = resp.json()
            times.append(time.perf_counter() - start)
            if not page["next_cursor"]:
                break
            params = {**shape.params, "cursor": page["next_cursor"]}
        return times
    return get_pages


def measure_lists(stack: Stack, shapes: list[Shape], clients: int, requests_per_shape: int,
                  seconds: float) -> dict:
    """Each shape sequentially (1 client), then from ``clients`` clients, each phase
    ``requests_per_shape`` requests or ``seconds``, whichever comes first (a paging
    shape: whole walks, at least one per client)."""
    found = {}
    for shape in shapes:
        figures = {"params": shape.params, "pages": shape.pages}
        for label, n in (("sequential", 1), ("concurrent", clients)):
            # a paging operation is a walk of all its pages: at least one walk per client
            operations = max(n, math.ceil(requests_per_shape / shape.pages))
            before = cpu_snapshot()
            load = drive(n, operations, seconds, list_operation(stack.base_url, shape), keep_going=True)
            after = cpu_snapshot()
            if load.failures:
                return {"failures": load.failures}
            figures[label] = {**load.figures(), "clients": n,
                              "cpu": cpu_report(before, after, len(load.latencies), stack)}
            if shape.pages > 1:
                full = [op for op in load.operations if len(op) == shape.pages]
                figures[label]["first_page"] = summary([op[0] for op in full])
                figures[label]["last_page"] = summary([op[-1] for op in full])
        figures["slow"] = figures["sequential"]["p99_ms"] > SLOW_MS or bool(figures["sequential"]["errors"])
        found[shape.name] = figures
    return found


def explain_shapes(leads_url: str, shapes: list[Shape]) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL the leads service runs for each shape: the
    service's own ``leads.commands.list_leads`` is called here, on a session of the
    same database, and its statements are captured as the driver gets them (psycopg2
    binds the values into the text, as in the service): the page's query, then the
    query for the tags of its leads (selectin). For paging, the last page's."""
    from leads import commands  # the service's code, so the SQL is the service's

    engine = create_engine(leads_url)
    statements: list[tuple[str, dict]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(_conn, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    plans = {}
    try:
        with Session(engine) as session:
            unit = SimpleNamespace(session=session)
            for shape in shapes:
                params = shape.params
                for _ in range(shape.pages):
                    statements.clear()
                    page = commands.list_leads(unit, params)
                    session.expunge_all()
                    if not page["next_cursor"]:
                        break
                    params = {**shape.params, "cursor": page["next_cursor"]}
                page_sql = next((s, p) for s, p in statements if "FROM leads" in s)
                tags_sql = next(((s, p) for s, p in statements if "FROM lead_tags" in s), None)
                plans[shape.name] = {**_explain(engine, *page_sql),
                                     "tags": _explain(engine, *tags_sql) if tags_sql else None}
    finally:
        engine.dispose()
    return plans


def _explain(engine, sql: str, parameters) -> dict:
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, parameters).scalar()
        lines = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters).scalars().all()
    return {**plan_summary(plan[0]), "plan": lines}


def plan_summary(explained: dict) -> dict:
    """The nodes from the top down the first child, the scans, whether an index was used,
    rows read and thrown away by filters, buffers, execution time."""
    top = explained["Plan"]
    chain, node = [], top
    while node is not None:
        chain.append(_node_name(node))
        node = (node.get("Plans") or [None])[0]
    scans, removed = [], 0

    def walk(node: dict) -> None:
        nonlocal removed
        if "Scan" in node["Node Type"]:
            scans.append(_node_name(node))
        removed += node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
        for child in node.get("Plans", []):
            walk(child)

    walk(top)
    return {"nodes": chain, "scans": scans, "index_used": any(" using " in s for s in scans),
            "rows_removed_by_filter": removed, "shared_hit": top.get("Shared Hit Blocks"),
            "shared_read": top.get("Shared Read Blocks"), "execution_ms": explained["Execution Time"],
            "planning_ms": explained["Planning Time"]}


def _node_name(node: dict) -> str:
    name = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        name += " Backward"
    if "Index Name" in node:
        name += f" using {node['Index Name']}"
    elif "Relation Name" in node:
        name += f" on {node['Relation Name']}"
    return name


def lead_lists(stack: Stack, leads_url: str, total: int, keep_indexes: bool, clients: int, requests_per_shape: int,
               seconds: float) -> dict:
    seeding = seed_leads(leads_url, total, keep_indexes)
    print(f"bench: {seeding['leads']:,} leads ({seeding['seeded']:,} seeded in {seeding['seconds']:.1f}s); "
          "measuring the lists ...", flush=True)
    shapes = list_shapes(leads_url)
    measured = measure_lists(stack, shapes, clients, requests_per_shape, seconds)
    if "failures" in measured:
        return {"seeding": seeding, "failures": measured["failures"]}
    print("bench: EXPLAIN (ANALYZE, BUFFERS) of each shape's SQL ...", flush=True)
    plans = explain_shapes(leads_url, shapes)
    for shape in shapes:
        measured[shape.name]["explain"] = plans[shape.name]
        measured[shape.name]["fix"] = shape.fix if measured[shape.name]["slow"] else None
    return {"seeding": seeding, "shapes": measured, "clients": clients, "requests_per_shape": requests_per_shape,
            "seconds_cap": seconds, "slow_ms": SLOW_MS}


# --- output --------------------------------------------------------------------------------

def report(args, figures: dict, ceilings: dict) -> None:
    rpc1, rpc10 = ceilings["rpc_1"], ceilings["rpc_10"]
    creation = figures.get("creation")
    if creation:
        _report_creation(creation, rpc1, rpc10)
    if figures.get("import"):
        _report_import(figures["import"], creation, ceilings.get("commit", {}))
    lists = figures.get("lists")
    if lists:
        _report_lists(lists)
    elif "lists_skipped" in figures:
        print(f"\nLead lists at {args.list_leads:,} leads: skipped ({figures['lists_skipped']})")


def _report_creation(c: dict, rpc1: dict, rpc10: dict) -> None:
    cpu = c["cpu"]["system_cpu_ms_per_op"]
    rows = [
        ["leads created/s (1 RPC each)", num(c["rate"]), "RPC calls/s, 10 callers", num(rpc10["rate"], 0),
         num(c["rate"] / rpc10["rate"], 2)],
        ["p50 ms", num(c["p50_ms"]), "RPC p50 ms, 10 callers", num(rpc10["p50_ms"], 2),
         num(c["p50_ms"] / rpc10["p50_ms"], 1)],
        ["p99 ms", num(c["p99_ms"]), "RPC p99 ms, 10 callers", num(rpc10["p99_ms"], 2),
         num(c["p99_ms"] / rpc10["p99_ms"], 1)],
        ["p50 ms", num(c["p50_ms"]), "RPC p50 ms, 1 caller", num(rpc1["p50_ms"], 2),
         num(c["p50_ms"] / rpc1["p50_ms"], 1)],
        ["system CPU ms per lead", num(cpu, 2), "CPU ms per RPC, 10 callers",
         num(rpc10["cpu"]["system_cpu_ms_per_op"], 2), num(cpu / rpc10["cpu"]["system_cpu_ms_per_op"], 1)],
    ]
    print(table(["lead creation", "value", "vs ceiling", "ceiling", "ratio"], rows,
                f"\nLead creation: POST /api/v1/leads, {c['count']:,} leads in {c['wall_seconds']:.2f}s from "
                f"{c['clients']} clients ({c['warmup']} warm-up first, not counted); each body from tests/flow.py "
                f"a_lead(), a new person and company, so duplicate detection lets it in; max {c['max_ms']:.0f} ms. "
                "Ratio = value / ceiling:"))


def _report_import(imp: dict, creation: dict | None, commits: dict) -> None:
    """``commits``: the single-row commit ceilings by database (none with ``--only``)."""
    timeout = imp["rpc_timeout_seconds"]
    rows = []
    for label, run in (("first import", imp["first"]), ("re-import of the same file", imp["again"])):
        if run is None:
            continue
        chunk = run["chunk_seconds"] or {}
        rows.append([label, str(run["status"]), num(run["rows"], 0), num(run["seconds"], 1),
                     num(run["rows_per_second"], 0), *(num(run[k], 0) if run[k] is not None else "-"
                                                       for k in ("created", "updated", "skipped", "rejected")),
                     num(chunk.get("p50_ms", math.nan) / 1000, 2), num(chunk.get("max_ms", math.nan) / 1000, 2),
                     num(run["cpu"]["system_cpu_ms_per_op"], 2)])
    print(table(["run", "HTTP", "rows", "seconds", "rows/s", "created", "updated", "skipped", "rejected",
                 "chunk s p50", "chunk s max", "CPU ms/row"], rows,
                f"\nCSV import: POST /api/v1/leads/import?duplicates=skip, Content-Type text/csv, the body streamed "
                f"from a {imp['file_bytes'] / 1e6:.1f} MB file on disk ({imp['rows']:,} rows, every email, company "
                f"and E.164 phone unique; columns {','.join(CSV_HEADER)}); the gateway sends 500-row chunks, 1 RPC "
                "and 1 transaction each. Chunk s = time between the chunks' commits, seen by polling "
                "count(*) of imported_rows every 100 ms (none for a re-import, which commits no rows):"))
    first = imp["first"]
    if first["status"] != 200:
        print(f"  THE IMPORT FAILED: HTTP {first['status']} after {first['seconds']:.1f}s: {first['error']}")
        print(f"  rows committed by then (imported_rows): {first['imported_rows_committed']}")
    elif first["created"] != imp["rows"] or first["rejected"]:
        print(f"  NOT ALL CREATED: {first['created']} created, {first['rejected']} rejected, "
              f"{first['skipped']} skipped of {imp['rows']}; first problems:")
        for problem in first["problems"][:5]:
            print(f"    {problem}")
    again = imp["again"]
    if again and again["status"] == 200 and again["created"]:
        print(f"  THE RE-IMPORT CREATED {again['created']} leads (expected 0)")
    chunk = first["chunk_seconds"]
    ratio_rows = []
    if creation and first["status"] == 200:
        ratio_rows.append(["import rows/s (first)", num(first["rows_per_second"], 0),
                           f"leads created/s by POST, {creation['clients']} clients", num(creation["rate"]),
                           num(first["rows_per_second"] / creation["rate"], 1)])
        ratio_rows.append(["system CPU ms per imported row", num(first["cpu"]["system_cpu_ms_per_op"], 2),
                           "CPU ms per lead by POST", num(creation["cpu"]["system_cpu_ms_per_op"], 2),
                           num(first["cpu"]["system_cpu_ms_per_op"] / creation["cpu"]["system_cpu_ms_per_op"], 2)])
    if first["status"] == 200:
        # Issue 13's yardstick: an import of many rows per transaction should beat one row per commit.
        for name, commit in commits.items():
            ratio_rows.append(["import rows/s (first)", num(first["rows_per_second"], 0),
                               f"single-row commits/s, {name}", num(commit["rate"], 0),
                               num(first["rows_per_second"] / commit["rate"], 2)])
    if chunk:
        ratio_rows.append(["slowest chunk s (between commits)", num(chunk["max_ms"] / 1000, 2),
                           "RPC timeout s per chunk", num(timeout, 0), num(chunk["max_ms"] / 1000 / timeout, 2)])
        ratio_rows.append(["chunk s, mean of the first 10 -> last 10", f"{chunk['first_10_mean_s']:.2f} -> "
                           f"{chunk['last_10_mean_s']:.2f}", "RPC timeout s per chunk", num(timeout, 0),
                           num(chunk["last_10_mean_s"] / timeout, 2)])
    if again and again["status"] == 200:
        ratio_rows.append(["re-import rows/s", num(again["rows_per_second"], 0), "first import rows/s",
                           num(first["rows_per_second"], 0),
                           num(again["rows_per_second"] / first["rows_per_second"], 1)])
    if ratio_rows:
        print(table(["import figure", "value", "vs", "that", "ratio"], ratio_rows,
                    f"First commit {first['first_commit_seconds']:.2f}s after the upload began (upload + first chunk); "
                    f"CSV written in {imp['write_seconds']:.1f}s (not in the rows/s). Ratio = value / that:"))


def _report_lists(lists: dict) -> None:
    seeding = lists["seeding"]
    phases = seeding["phases"]
    how = ("the INSERT with every index in place" if seeding["kept_indexes"] else
           f"INSERT ... SELECT FROM generate_series {phases['insert']:.1f}s with the {seeding['secondary_indexes']} "
           f"secondary indexes dropped in the same transaction, then re-created from their own definitions "
           f"{phases['create_indexes']:.1f}s (same names and definitions, compared after)")
    print(f"\nSeeding: {seeding['seeded']:,} leads inserted straight into the leads database to make "
          f"{seeding['leads']:,} in {seeding['seconds']:.1f}s = {seeding['rows_per_second']:,.0f} rows/s: {how}; "
          f"commit {phases['commit']:.1f}s. Then VACUUM (ANALYZE) leads and ANALYZE lead_tags "
          f"{phases['vacuum_analyze']:.1f}s (this server's autovacuum is {seeding['autovacuum']}) and CHECKPOINT "
          f"{phases['checkpoint']:.1f}s. Table {seeding['table_bytes'] / 2**20:,.0f} MiB + indexes "
          f"{seeding['index_bytes'] / 2**20:,.0f} MiB.")
    shapes = lists["shapes"]
    clients = lists["clients"]
    rows = []
    for name, s in shapes.items():
        seq, conc = s["sequential"], s["concurrent"]
        verdict = "SLOW" if s["slow"] else "ok" if conc["p99_ms"] <= SLOW_MS and not conc["errors"] else "ok alone"
        cpu_ms = seq["cpu"]["machine_busy_cpu_s"] * 1000 / max(1, seq["count"])
        rows.append([name, num(seq["count"], 0), num(seq["rate"]), num(seq["p50_ms"]), num(seq["p99_ms"]), num(cpu_ms),
                     _errors(seq), num(conc["count"], 0), num(conc["rate"]), num(conc["p50_ms"]), num(conc["p99_ms"]),
                     _errors(conc), verdict])
    print(table(["query shape", "1 client: ok", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "errors",
                 f"{clients} clients: ok", "req/s", "p50 ms", "p99 ms", "errors", f"p99 > {SLOW_MS:.0f} ms?"], rows,
                f"\nLead lists at {seeding['leads']:,} leads: GET /api/v1/leads, limit 50, each shape "
                f"{lists['requests_per_shape']} requests or {lists['seconds_cap']:g}s per phase, whichever came "
                f"first. ok: requests answered 200 (the percentiles are theirs); errors: other answers, by HTTP "
                f"status. SLOW: p99 above {SLOW_MS:.0f} ms (or errors) with 1 client; 'ok alone': only with "
                f"{clients} clients, who share the cores. CPU ms/req: the whole machine's CPU per request with 1 "
                "client (it includes PostgreSQL's parallel workers, which exit after each query):"))
    for name, s in shapes.items():
        print(f"  {name}: {_query(s['params'])}")
        if s["pages"] > 1:
            seq = s["sequential"]
            print(f"    paging, 1 client: page 1 p50 {seq['first_page']['p50_ms']:.1f} ms, page {s['pages']} p50 "
                  f"{seq['last_page']['p50_ms']:.1f} ms")
        for label, phase in (("1 client", s["sequential"]), (f"{clients} clients", s["concurrent"])):
            for sample in phase["error_samples"]:
                print(f"    error with {label}: {sample}")
    plan_rows = []
    for name, s in shapes.items():
        for label, e in ((name, s["explain"]), ("  + the tags of its leads", s["explain"]["tags"])):
            if e is not None:
                plan_rows.append([label, " > ".join(e["nodes"]), "yes" if e["index_used"] else "NO",
                                  num(e["rows_removed_by_filter"], 0), f"{e['shared_hit']}/{e['shared_read']}",
                                  num(e["execution_ms"], 2)])
    print(table(["query shape", "plan, from the top node down", "index?", "rows removed by filter",
                 "buffers hit/read", "exec ms"], plan_rows,
                "\nPlans: EXPLAIN (ANALYZE, BUFFERS) of the SQL the service's own leads.commands.list_leads builds "
                "for each shape (run by the bench on the same database and captured at the driver; the values bound "
                "as the service binds them), after the HTTP runs, so with a warm cache; for paging, the last "
                "page's. Each page is two queries: its leads, then their tags (selectin):", left=2))
    for name, s in shapes.items():
        seq, conc = s["sequential"], s["concurrent"]
        if s["slow"]:
            print(f"\nSLOW: {name}: p99 {seq['p99_ms']:.0f} ms with 1 client (p50 {seq['p50_ms']:.0f} ms; "
                  f"{clients} clients: p99 {conc['p99_ms']:.0f} ms, {conc['errors']} errors). Plan:")
            for line in s["explain"]["plan"]:
                print(f"    {line}")
            print(f"  What would fix it (not changed by the bench): {s['fix']}")
        elif conc["errors"]:
            print(f"\nERRORS with {clients} clients only: {name}: {_errors(conc)} of "
                  f"{conc['count'] + conc['errors']} requests.")
    tags = [s["explain"]["tags"] for s in shapes.values() if s["explain"]["tags"]]
    if tags and not all(e["index_used"] for e in tags):
        worst = max(tags, key=lambda e: e["execution_ms"])
        print(f"\nNOTE: the tags query of a page scans lead_tags without an index ({worst['execution_ms']:.1f} ms at "
              "worst), once per page of every list. Its plan:")
        for line in worst["plan"]:
            print(f"    {line}")


def _errors(phase: dict) -> str:
    return ", ".join(f"{n}x{status}" for status, n in phase["error_statuses"].items()) or "0"


def _query(params: dict) -> str:
    return "&".join(f"{k}={v if k != 'cursor' else v[:16] + '...'}" for k, v in params.items())
