"""``make profile`` (``bench/run.py --profile DIR``): every process of the bench stack
under py-spy while the measured flows run, and where their CPU went.

py-spy (a sampling profiler) attaches to each running process by its pid, so nothing in
the services changes, and only the measured flows are sampled (not start-up, the warm-up
or the ceilings). Per process it writes ``DIR/<process>.txt``, the collapsed stacks
(py-spy's ``--format raw``: one line per distinct stack, ``frame;frame;...;leaf count``,
the root first), and ``DIR/<process>.svg``, a flame graph drawn from that same file; then
it prints each process's share of the flow's CPU and its top frames by own time.

A sample is taken only of a thread that is running (py-spy leaves idle threads out), so
the samples of a process are spread over its CPU time; a frame's share of its process's
samples times that process's CPU per flow (from /proc, measure.py) is its CPU per flow.
A Python frame's own time includes the C code it calls (psycopg2's ``execute`` is
charged to SQLAlchemy's ``do_execute``, a C JSON encoder to ``json.dumps``) and the
kernel time of its system calls.
"""
from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

PY_SPY = Path(sys.executable).parent / "py-spy"

# What a frame is, by the file py-spy names (it shortens paths to the package part:
# "sqlalchemy/orm/session.py", "json/encoder.py", "leads/commands.py"). First match wins.
CATEGORIES = [
    ("SQLAlchemy ORM", ("sqlalchemy/orm/",)),
    ("SQLAlchemy Core and engine", ("sqlalchemy/",)),
    ("PostgreSQL driver (psycopg2)", ("psycopg2/",)),
    ("kombu / amqp (broker client)", ("kombu/", "amqp/", "vine/")),
    ("nameko / eventlet (framework machinery)", ("nameko/", "eventlet/", "greenlet/", "dns/")),
    ("marshmallow", ("marshmallow/",)),
    ("JSON", ("json/", "simplejson/")),
    ("logging", ("logging/",)),
    ("HTTP (waitress / Flask / werkzeug)", ("waitress/", "flask/", "werkzeug/")),
    ("gRPC / protobuf", ("grpc/", "grpc_", "google/protobuf/")),
    ("our code: crmkit", ("crmkit/", "crmtotals/", "crmsubscriber/")),
    ("our code: services and gateway", ("leads/", "deals/", "billing/", "subscriptions/", "gateway/")),
]
OTHER_CATEGORY = "other (stdlib, other libraries)"

# "function (path/file.py:123)" -> "function (path/file.py)"
_LINE_NUMBER = re.compile(r":\d+\)$")


def function_of(frame: str) -> str:
    """A frame without its line number, so one function's lines count together."""
    return _LINE_NUMBER.sub(")", frame)


def category_of(frame: str) -> str:
    path = frame[frame.rfind("(") + 1:].rstrip(")") if frame.endswith(")") else ""
    for name, prefixes in CATEGORIES:
        if path.startswith(prefixes):
            return name
    return OTHER_CATEGORY


def read_collapsed(text: str) -> Counter:
    """Collapsed stacks ("a;b;c 12" per line) -> {(a, b, c): 12}, each frame without its
    line number (identical stacks then add up)."""
    stacks: Counter = Counter()
    for line in text.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(function_of(frame) for frame in stack.split(";"))] += int(count)
    return stacks


def own_time(stacks: Counter) -> Counter:
    """Samples per function in which it was the innermost frame (its own, or self, time)."""
    own: Counter = Counter()
    for stack, count in stacks.items():
        own[stack[-1]] += count
    return own


def by_category(own: Counter) -> Counter:
    totals: Counter = Counter()
    for frame, count in own.items():
        totals[category_of(frame)] += count
    return totals


# --- recording -------------------------------------------------------------------------

class Profiler:
    """One ``py-spy record --pid`` per process of a running stack, from ``start`` to ``stop``,
    and each process's user and kernel CPU time over the same window (from /proc)."""

    def __init__(self, procs: dict, out_dir: Path, rate: int = 100, gil_only: bool = True,
                 options: list[str] | None = None):
        self.procs = procs  # name -> subprocess.Popen, as Stack.procs
        self.out_dir = Path(out_dir)
        self.rate = rate
        self.gil_only = gil_only
        self.options = options or []  # more py-spy record options, e.g. --native
        self.spies: dict[str, subprocess.Popen] = {}
        self.cpu_at_start: dict[str, tuple[float, float]] = {}

    def start(self, timeout: float = 15) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name, proc in self.procs.items():
            # --gil: only the thread holding the GIL, i.e. running Python code. Without it
            # py-spy also samples threads that are merely runnable (on a busy machine, mostly
            # waiting for a core) and misreads some idle ones (threading's Condition.wait in
            # the gateway's worker threads, the hub's epoll) as busy; it costs 4x more of its
            # own CPU too. Blocking sampling (py-spy's default) pauses the process for each
            # sample; with --nonblocking, stacks of a busy process came out torn.
            argv = [str(PY_SPY), "record", "--pid", str(proc.pid), "--format", "raw", "--rate", str(self.rate),
                    "--output", str(self.out_dir / f"{name}.txt"), *(["--gil"] if self.gil_only else []),
                    *self.options]
            with open(self.out_dir / f"{name}.py-spy.log", "wb") as log:
                # Its own session: a Ctrl-C at the bench stops it through stop(), once.
                self.spies[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                                    stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        for name, spy in self.spies.items():
            while "Sampling process" not in self._log(name):
                if spy.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"py-spy could not attach to {name} (it needs root or CAP_SYS_PTRACE): "
                                       f"{self._log(name)[-1000:]}")
                time.sleep(0.05)
        self.cpu_at_start = {name: cpu_times(proc.pid) for name, proc in self.procs.items()}

    def stop(self) -> dict[str, dict]:
        """SIGINT makes py-spy write its file; per process its samples, errors, and user and
        kernel CPU seconds since start."""
        cpu_at_stop = {name: cpu_times(self.procs[name].pid) for name in self.cpu_at_start}
        for spy in self.spies.values():
            if spy.poll() is None:
                spy.send_signal(signal.SIGINT)
        done = {}
        for name, spy in self.spies.items():
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()
            found = re.search(r"Samples: (\d+) Errors: (\d+)", self._log(name))
            done[name] = {"samples": int(found[1]) if found else 0, "errors": int(found[2]) if found else 0}
            if name in cpu_at_stop:
                (user0, kernel0), (user1, kernel1) = self.cpu_at_start[name], cpu_at_stop[name]
                done[name].update(user_s=user1 - user0, kernel_s=kernel1 - kernel0)
        self.spies.clear()
        return done

    def _log(self, name: str) -> str:
        return (self.out_dir / f"{name}.py-spy.log").read_text(errors="replace")


CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, kernel) CPU seconds of a process so far, all its threads (0, 0 once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0, 0.0
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[11]) / CLOCK_TICK, int(fields[12]) / CLOCK_TICK


# --- the report --------------------------------------------------------------------------

KERNEL = "kernel (system calls: sockets, epoll, futex; page faults)"


def analyse(out_dir: Path, sampled: dict[str, dict], flows: int, top: int = 15) -> dict:
    """Per process: user and kernel CPU ms per flow, its own time by category and its top
    frames (samples and CPU ms per flow), and a flame graph SVG beside each stacks file.

    The samples (of the GIL's holder) are spread over the process's user time: a frame's
    share of the samples times the user CPU per flow is its CPU per flow. Its kernel time
    is a category of its own (py-spy does not see into system calls)."""
    processes = {}
    for name, spy in sampled.items():
        path = Path(out_dir) / f"{name}.txt"
        stacks = read_collapsed(path.read_text()) if path.exists() else Counter()
        total = sum(stacks.values())
        user_ms, kernel_ms = (spy.get(key, 0.0) * 1000 / flows for key in ("user_s", "kernel_s"))
        own = own_time(stacks)

        def ms(count: int, total=total, user_ms=user_ms) -> float:
            return count / total * user_ms if total else 0.0

        processes[name] = {
            "samples": total, "errors": spy["errors"], "user_ms_per_flow": user_ms, "kernel_ms_per_flow": kernel_ms,
            "categories": {c: {"samples": n, "ms_per_flow": ms(n)} for c, n in by_category(own).most_common()},
            "top_frames": [{"frame": f, "category": category_of(f), "samples": n, "ms_per_flow": ms(n)}
                           for f, n in own.most_common(top)],
        }
        if total:
            path.with_suffix(".svg").write_text(flame_graph_svg(
                stacks, f"{name}: {total} samples of the GIL's holder over {user_ms:.1f} ms of user CPU per flow "
                        f"(+ {kernel_ms:.1f} ms kernel)"))
    return processes


def print_report(processes: dict, cpu_ms_per_flow: dict[str, float], rpc_cpu_ms: float, out_dir: Path) -> None:
    """The CPU of a flow by process (the bench's /proc figures), then by what it is, then
    each profiled process's top frames by own time."""
    def rpcs(ms: float) -> str:
        return f"{ms / rpc_cpu_ms:5.1f}"

    print(f"\nProfile of the measured flows (py-spy; files in {out_dir}). CPU ms per flow, and in bare RPCs at "
          f"{rpc_cpu_ms:.2f} ms of system CPU each (the 10-caller RPC ceiling of this run):")
    width = max(len(n) for n in cpu_ms_per_flow)
    print(f"  {'process':<{width}}  ms/flow   RPCs    user  kernel  samples")
    for name, ms in cpu_ms_per_flow.items():
        p = processes.get(name)
        what = (f"{p['user_ms_per_flow']:6.1f}  {p['kernel_ms_per_flow']:6.1f}  {p['samples']:7d}" if p
                else "  (not sampled)")
        print(f"  {name:<{width}}  {ms:7.1f}  {rpcs(ms)}  {what}")
    every: Counter = Counter()
    for p in processes.values():
        every[KERNEL] += p["kernel_ms_per_flow"]
        for category, c in p["categories"].items():
            every[category] += c["ms_per_flow"]
    print("\nThe sampled processes' CPU by what it is (own time; CPU ms per flow, bare RPCs):")
    for category, ms in every.most_common():
        print(f"  {ms:7.1f}  {rpcs(ms)}  {category}")
    for name, p in sorted(processes.items(), key=lambda kv: -kv[1]["user_ms_per_flow"]):
        if not p["samples"]:
            continue
        print(f"\n{name}: {p['user_ms_per_flow']:.1f} ms user + {p['kernel_ms_per_flow']:.1f} ms kernel CPU per flow, "
              f"{p['samples']} samples; user time by what it is: "
              + ", ".join(f"{c} {v['samples'] * 100 / p['samples']:.0f}%" for c, v in p["categories"].items()
                          if v["samples"] * 100 >= p["samples"]))
        print(f"  {'own %':>6}  {'ms/flow':>7}  frame (file)  [what it is]")
        for f in p["top_frames"]:
            print(f"  {f['samples'] * 100 / p['samples']:5.1f}%  {f['ms_per_flow']:7.2f}  {f['frame']}  "
                  f"[{f['category']}]")


# --- the flame graph ---------------------------------------------------------------------

COLOURS = dict(zip([name for name, _ in CATEGORIES] + [OTHER_CATEGORY],
                   ["#e8743b", "#f2a65a", "#c9503c", "#5a9bd4", "#7fb3e0", "#b07cc6", "#e3c84b", "#9c9c9c",
                    "#6bbf8a", "#4ba89a", "#8dd35f", "#3f9c35", "#cfcfcf"], strict=True))


def flame_graph_svg(stacks: Counter, title: str, width: int = 1200, row: int = 17) -> str:
    """A flame graph (the root at the bottom, a frame as wide as its samples, its callees
    above it), each frame coloured by what it is, its name, samples and own time in a
    tooltip. Frames narrower than 0.5 px are left out."""
    tree: dict = {}  # frame -> [samples, own samples, {callee: ...}]
    for stack, count in stacks.items():
        level = tree
        for i, frame in enumerate(stack):
            node = level.setdefault(frame, [0, 0, {}])
            node[0] += count
            if i == len(stack) - 1:
                node[1] += count
            level = node[2]
    total = sum(node[0] for node in tree.values()) or 1
    scale = width / total
    rects: list[tuple] = []

    def draw(level: dict, x: float, depth: int) -> int:
        deepest = depth
        for frame, (count, own, callees) in sorted(level.items()):
            w = count * scale
            if w >= 0.5:
                rects.append((x, depth, w, frame, count, own))
                deepest = max(deepest, draw(callees, x, depth + 1))
            x += w
        return deepest

    depth = draw(tree, 0.0, 0) + 1
    legend_rows = 2
    height = (depth + 2 + legend_rows) * row
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" '
           f'font-size="11"><rect width="100%" height="100%" fill="#fff"/>',
           f'<text x="4" y="{row - 4}" font-size="13">{html.escape(title)}</text>']
    for i, (name, colour) in enumerate(COLOURS.items()):
        lx, ly = 4 + (i % 7) * (width // 7), row * (1 + i // 7) + 4
        out.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="{ly + 9}">{html.escape(name[:26])}</text>')
    for x, d, w, frame, count, own in rects:
        y = height - (d + 1) * row
        label = frame if len(frame) * 6.6 < w - 4 else frame[:max(0, int((w - 4) / 6.6) - 2)] + ".."
        tip = f"{frame}: {count} samples ({count * 100 / total:.1f}%), own {own} ({own * 100 / total:.1f}%)"
        out.append(f'<g><title>{html.escape(tip)}</title><rect x="{x:.1f}" y="{y}" width="{w:.1f}" '
                   f'height="{row - 1}" fill="{COLOURS[category_of(frame)]}"/>'
                   + (f'<text x="{x + 2:.1f}" y="{y + row - 5}">{html.escape(label)}</text>' if w > 20 else "")
                   + "</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
