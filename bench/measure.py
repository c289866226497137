"""What every part of the bench measures with: percentiles, CPU accounting from /proc,
and the plain-text tables it prints."""
from __future__ import annotations

import math
import os
import statistics
import threading
import time
from pathlib import Path

from crmkit.testing import Stack

# --- statistics ------------------------------------------------------------------------

def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (1..99) by linear interpolation between closest ranks:
    ``statistics.quantiles(method="inclusive")``, the same as numpy's default and
    Excel's PERCENTILE.INC. With one sample, that sample."""
    if not values:
        return math.nan
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def summary(seconds: list[float]) -> dict:
    return {"count": len(seconds), "p50_ms": percentile(seconds, 50) * 1000, "p99_ms": percentile(seconds, 99) * 1000,
            "mean_ms": (statistics.fmean(seconds) * 1000) if seconds else math.nan,
            "max_ms": (max(seconds) * 1000) if seconds else math.nan}


# --- CPU accounting (Linux /proc), to see who spent the machine ----------------------------

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def _all_processes() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, start time, CPU seconds so far) for every process we can read."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        comm, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        # utime + stime; the start time tells a reused pid apart (a kworker's name changes).
        found[int(entry.name)] = (comm, int(rest[19]), (int(rest[11]) + int(rest[12])) / CLOCK_TICK)
    return found


def machine_cpu() -> tuple[float, float, float, float]:
    """(busy, total, interrupts, steal) seconds summed over all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already inside user
    return ((total - idle) / CLOCK_TICK, total / CLOCK_TICK, (values[5] + values[6]) / CLOCK_TICK,
            values[7] / CLOCK_TICK)


def cpu_snapshot() -> dict:
    return {"machine": machine_cpu(), "processes": _all_processes()}


OTHER = "other processes on the machine"
UNATTRIBUTED = "unattributed (processes that exited meanwhile)"
STEAL = "steal (hypervisor)"


def _group(pid: int, comm: str, ours: dict[int, str]) -> str:
    if pid in ours:
        return ours[pid]
    if comm in ("beam.smp", "erl_child_setup", "epmd", "inet_gethost"):
        return "RabbitMQ (all vhosts)"
    if comm == "postgres":
        return "PostgreSQL (all databases)"
    return OTHER


def cpu_report(before: dict, after: dict, ops: int, stack: Stack | None = None) -> dict:
    """Who spent the CPU between two snapshots. The broker and the database are shared
    with anything else running here (e.g. a test run); processes that started and
    exited in between are only in the machine's total ("unattributed")."""
    busy, total, interrupts, steal = (a - b for a, b in zip(after["machine"], before["machine"], strict=True))
    ours = {proc.pid: name for name, proc in stack.procs.items()} if stack else {}
    ours[os.getpid()] = "bench (this process)"
    groups: dict[str, float] = {}
    others: dict[str, float] = {}
    for pid, (comm, started, cpu) in after["processes"].items():
        previous = before["processes"].get(pid)
        spent = cpu - previous[2] if previous and previous[1] == started else cpu
        if spent > 0:
            name = _group(pid, comm, ours)
            groups[name] = groups.get(name, 0.0) + spent
            if name == OTHER:
                others[comm] = others.get(comm, 0.0) + spent
    # Steal is time the hypervisor gave to someone else. Interrupt time (loopback TCP is
    # mostly softirq) is not a group of its own: with tick-based accounting the kernel
    # also charges it to whichever process was running, so it is only reported.
    groups[STEAL] = steal
    groups[UNATTRIBUTED] = max(0.0, busy - sum(groups.values()))
    groups = dict(sorted(groups.items(), key=lambda kv: -kv[1]))
    system = sum(v for k, v in groups.items() if k not in (OTHER, UNATTRIBUTED, STEAL))
    return {
        "machine_busy_fraction": busy / total if total else math.nan,
        "machine_busy_cpu_s": busy,
        "interrupts_cpu_s": interrupts,
        "system_cpu_s": system,
        "system_cpu_ms_per_op": system * 1000 / ops if ops else math.nan,
        "cpu_s": groups,
        "other_processes_cpu_s": dict(sorted(others.items(), key=lambda kv: -kv[1])[:5]),
        "cpu_ms_per_op": {k: v * 1000 / ops for k, v in groups.items()} if ops else {},
    }


# --- output ----------------------------------------------------------------------------

def table(headers: list[str], rows: list[list], title: str, left: int = 1) -> str:
    """Columns of text: the first ``left`` columns aligned left, the figures right."""
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    for row in cells[1:]:
        lines.append("  ".join(c.ljust(w) if i < left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(lines)


def num(value: float, digits: int = 1) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def run_clients(clients: int, client, stop: threading.Event, name: str) -> float:
    """Run ``client(number)`` in ``clients`` threads until all return; the wall seconds.
    Joins in slices so that Ctrl-C reaches the main thread; ``stop`` is set at the end."""
    threads = [threading.Thread(target=client, args=(i,), name=f"{name}-{i}", daemon=True) for i in range(clients)]
    start = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    finally:
        stop.set()
    return time.perf_counter() - start


def vs_rpc_ceiling(rate_label: str, per: str, figures: dict, rpc1: dict, rpc10: dict) -> list[list[str]]:
    """Rows of a request figure beside the RPC ceiling, for a request that is one RPC
    through the gateway: rate, p50 and p99 vs 10 callers, p50 vs 1 caller, system CPU
    per request vs per bare RPC. Columns: figure, value, vs ceiling, ceiling, ratio."""
    cpu, rpc_cpu = figures["cpu"]["system_cpu_ms_per_op"], rpc10["cpu"]["system_cpu_ms_per_op"]
    return [
        [rate_label, num(figures["rate"]), "RPC calls/s, 10 callers", num(rpc10["rate"], 0),
         num(figures["rate"] / rpc10["rate"], 2)],
        ["p50 ms", num(figures["p50_ms"]), "RPC p50 ms, 10 callers", num(rpc10["p50_ms"], 2),
         num(figures["p50_ms"] / rpc10["p50_ms"], 1)],
        ["p99 ms", num(figures["p99_ms"]), "RPC p99 ms, 10 callers", num(rpc10["p99_ms"], 2),
         num(figures["p99_ms"] / rpc10["p99_ms"], 1)],
        ["p50 ms", num(figures["p50_ms"]), "RPC p50 ms, 1 caller", num(rpc1["p50_ms"], 2),
         num(figures["p50_ms"] / rpc1["p50_ms"], 1)],
        [f"system CPU ms per {per}", num(cpu, 2), "CPU ms per RPC, 10 callers", num(rpc_cpu, 2),
         num(cpu / rpc_cpu, 1)],
    ]


def print_report_shapes(shapes: dict, clients: int, slow_ms: float, intro: str, plans_intro: str) -> None:
    """The HTTP figures of each report shape (1 client, then ``clients``), its path, the
    plans of its SQL, and the whole plans of any shape slower than ``slow_ms`` at p99."""
    rows = []
    for name, s in shapes.items():
        seq, conc = s["sequential"], s["concurrent"]
        cpu_ms = seq["cpu"]["machine_busy_cpu_s"] * 1000 / max(1, seq["count"])
        rows.append([name, num(seq["count"], 0), num(seq["rate"]), num(seq["p50_ms"]), num(seq["p99_ms"]),
                     num(seq["max_ms"]), num(cpu_ms), num(conc["count"], 0), num(conc["rate"]), num(conc["p50_ms"]),
                     num(conc["p99_ms"]), num(conc["max_ms"]), "SLOW" if s["slow"] else "ok"])
    print(table(["report", "1 client: n", "req/s", "p50 ms", "p99 ms", "max ms", "CPU ms/req", f"{clients} clients: n",
                 "req/s", "p50 ms", "p99 ms", "max ms", f"p99 > {slow_ms:.0f} ms?"], rows, intro))
    for name, s in shapes.items():
        print(f"  {name}: /reports/{s['path']}" + ("?" + "&".join(f"{k}={v}" for k, v in s["query"].items())
                                                   if s["query"] else ""))
    plan_rows = []
    for name, s in shapes.items():
        for i, e in enumerate(s["explain"]):
            plan_rows.append([name if i == 0 else f"  + its query {i + 1}", " > ".join(e["nodes"]),
                              "yes" if e["index_used"] else "NO", num(e["rows_removed_by_filter"], 0),
                              f"{e['shared_hit']}/{e['shared_read']}", num(e["execution_ms"], 2)])
    print(table(["report", "plan, from the top node down", "index?", "rows removed by filter", "buffers hit/read",
                 "exec ms"], plan_rows, plans_intro, left=2))
    for name, s in shapes.items():
        if s["slow"]:
            seq = s["sequential"]
            print(f"\nSLOW: {name}: p99 {seq['p99_ms']:.0f} ms with 1 client (p50 {seq['p50_ms']:.0f} ms). Plans:")
            for e in s["explain"]:
                for line in e["plan"]:
                    print(f"    {line}")
