"""``make bench-hop``: what the gateway -> service hop costs as a nameko RPC through
the broker, beside the same call made straight to the service over gRPC (issue 13,
item 3), in one run on one database.

The two paths run the same use case on the same PostgreSQL database:

- **nameko RPC**: ``crmkit.rpc_client.RpcClient`` (the gateway's client) -> RabbitMQ ->
  the leads service (``crm-service run leads``, eventlet) -> RabbitMQ -> the client;
- **direct gRPC**: a gRPC client -> a plain-threads gRPC process of the leads service
  (``python bench/direct_hop.py --serve``) that runs the use case itself: one
  ``UnitOfWork`` per call, the same idempotency (``crmkit.idempotency.run_once``), the
  same commit with the outbox row. No broker on the way; events stay on RabbitMQ either
  way (the relay publishes the outbox; it is not running here, in neither path).

Each path is driven with ``health`` (``SELECT 1``: the bare hop) and ``create_lead`` (a
real write), from 1 and from 10 callers, for ``--seconds`` each; the figures are calls/s,
p50/p99, and the CPU of the whole system per call (client, service, broker, database;
``bench/measure.py``), which is what a pod costs.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent import futures
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

SERVICE = "crm.bench.v1.DirectLeads"
METHOD = f"/{SERVICE}/Call"


# --- the direct process: the leads use cases behind a plain-threads gRPC server ----------

def serve(port: int, threads: int) -> None:
    import grpc
    from sqlalchemy import text

    from crmkit import idempotency
    from crmkit.context import CallContext
    from crmkit.db import make_engine
    from crmkit.history import Cause
    from crmkit.settings import Settings
    from crmkit.unit_of_work import UnitOfWork
    from leads import commands, events

    settings = Settings.for_service("leads")
    engine = make_engine(settings.database_url, pool_size=threads + 2)

    def call(request: dict, _context) -> dict:
        if request["method"] == "health":
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return {"ok": True}
        unit = UnitOfWork(engine=engine, source="leads", call=CallContext(**request["context"]), sqlite_lock=None,
                          waker=None, catalogue=events.CATALOGUE, cause=Cause("request", "leads.create_lead"),
                          event_source=settings.event_source, api_url=settings.api_url)
        try:
            data = request["kwargs"]["data"]
            result = idempotency.run_once(unit, "leads.create_lead", (data,), {},
                                          lambda: commands.create_lead(unit, data))
            unit.commit()
            return result
        except Exception:
            unit.rollback()
            raise
        finally:
            unit.close()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=threads))
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, {
        "Call": grpc.unary_unary_rpc_method_handler(call, request_deserializer=json.loads,
                                                    response_serializer=lambda r: json.dumps(r).encode())})])
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    print("direct leads serving", flush=True)
    server.wait_for_termination()


# --- the bench -------------------------------------------------------------------------

def drive(call, callers: int, seconds: float, warmup: int = 20) -> tuple[list[float], float]:
    for _ in range(warmup):
        call()
    latencies: list[list[float]] = [[] for _ in range(callers)]
    start = time.perf_counter()
    deadline = start + seconds

    def caller(mine: list[float]) -> None:
        while (now := time.perf_counter()) < deadline:
            call()
            mine.append(time.perf_counter() - now)

    threads = [threading.Thread(target=caller, args=(mine,), daemon=True) for mine in latencies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [s for mine in latencies for s in mine], time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/direct_hop.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each case is driven")
    parser.add_argument("--callers", default="1,10", help="concurrent callers, comma-separated")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)  # the direct process
    parser.add_argument("--threads", type=int, default=10, help="the direct process's gRPC threads")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.threads)
        return 0

    import grpc
    from measure import cpu_report, cpu_snapshot, summary

    from conftest import make_stack
    from crmkit.context import CallContext
    from crmkit.rpc_client import RpcClient
    from crmkit.testing import PostgresDatabases, RabbitVhost, free_port
    from flow import a_lead

    results: dict = {"machine": {"cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg()}, "cases": []}
    with tempfile.TemporaryDirectory(prefix="crm-hop-") as tmp, RabbitVhost(prefix="crm-bench") as vhost, \
            PostgresDatabases(["leads"], prefix="crm_bench") as databases:
        stack = make_stack(Path(tmp), vhost, {"leads": databases.url("leads")})
        stack.setup(["leads"])
        stack.start("leads")
        port = free_port()
        direct = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--threads", str(args.threads)],
                                  env=stack.env, stdout=open(Path(tmp) / "direct.log", "wb"), stderr=subprocess.STDOUT)
        stack.procs["direct gRPC (leads)"] = direct
        rpc = RpcClient(stack.env["AMQP_URI"], timeout=10, name="bench")
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc_call = channel.unary_unary(METHOD, request_serializer=lambda r: json.dumps(r).encode(),
                                        response_deserializer=json.loads)
        try:
            stack.wait_ready(["leads"])
            grpc.channel_ready_future(channel).result(timeout=30)

            def context() -> CallContext:
                return CallContext(correlation_id=uuid.uuid4().hex, actor="bench",
                                   idempotency_key=f"bench:{uuid.uuid4()}")

            paths = {
                ("nameko RPC", "health"): lambda: rpc.call("leads", "health"),
                ("direct gRPC", "health"): lambda: grpc_call({"method": "health"}, timeout=10),
                ("nameko RPC", "create_lead"): lambda: rpc.call("leads", "create_lead", context(), data=a_lead()),
                ("direct gRPC", "create_lead"): lambda: grpc_call(
                    {"method": "create_lead", "context": context().as_context_data(), "kwargs": {"data": a_lead()}},
                    timeout=10),
            }
            for callers in (int(c) for c in args.callers.split(",")):
                for (path, method), call in paths.items():
                    print(f"bench: {path} {method}, {callers} caller(s), {args.seconds:g} s ...", flush=True)
                    before = cpu_snapshot()
                    latencies, wall = drive(call, callers, args.seconds)
                    after = cpu_snapshot()
                    results["cases"].append({"path": path, "method": method, "callers": callers,
                                             "rate": len(latencies) / wall, **summary(latencies),
                                             "cpu": cpu_report(before, after, len(latencies), stack)})
        finally:
            channel.close()
            rpc.close()
            stack.stop_all()
    results["loadavg_at_end"] = os.getloadavg()
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


def report(results: dict) -> None:
    from measure import num, table

    rows, by_case = [], {}
    for case in results["cases"]:
        by_case[(case["path"], case["method"], case["callers"])] = case
        cpu = case["cpu"]["cpu_ms_per_op"]
        rows.append([case["path"], case["method"], case["callers"], num(case["rate"], 0), num(case["p50_ms"], 2),
                     num(case["p99_ms"], 2), num(case["cpu"]["system_cpu_ms_per_op"], 2),
                     num(cpu.get("RabbitMQ (all vhosts)"), 2), num(cpu.get("PostgreSQL (all databases)"), 2)])
    print(table(["path", "method", "callers", "calls/s", "p50 ms", "p99 ms", "system CPU ms/call", "RabbitMQ",
                 "PostgreSQL"], rows, "\nThe gateway -> service hop, both ways, same database and use case "
                 "(system CPU: every process of ours, the broker and the database, per call):", left=2))
    ratios = []
    for (path, method, callers), case in by_case.items():
        if path != "nameko RPC" or ("direct gRPC", method, callers) not in by_case:
            continue
        direct = by_case[("direct gRPC", method, callers)]
        ratios.append([method, callers, num(case["cpu"]["system_cpu_ms_per_op"] / direct["cpu"]["system_cpu_ms_per_op"],
                                            2), num(direct["rate"] / case["rate"], 2),
                       num(case["p50_ms"] / direct["p50_ms"], 2)])
    print(table(["method", "callers", "CPU/call: RPC / direct", "calls/s: direct / RPC", "p50: RPC / direct"], ratios,
                "\nHow much cheaper the direct call is (issue 13 adopts it at 2x or more CPU per call):", left=1))
    print(f"Load average at start {' '.join(f'{x:.2f}' for x in results['machine']['loadavg_at_start'])}, at end "
          f"{' '.join(f'{x:.2f}' for x in results['loadavg_at_end'])} on {results['machine']['cpus']} CPUs")


if __name__ == "__main__":
    sys.exit(main())
