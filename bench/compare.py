"""``make bench-compare BASE=<rev> [HEAD=<rev>]``: the bench of two git revisions, run
alternately on this machine minutes apart, and the ratio of each figure.

A figure of one bench run moves with the machine's load (a shared 2-core machine: the
same revision's flows/s varies by a fifth from run to run). Run one after the other,
a change is judged against the load of the moment; run alternately (A B B A A B ...),
each revision sees the same spread of moments, and the min / median / max of each
show whether a difference is larger than the noise.

Each revision is checked out in a worktree of its own (under ``--workdir``) with its own
environment (``make .venv/.installed``, about a minute the first time), and its own
``bench/run.py --json`` runs there with the arguments given after ``--``:

    python bench/compare.py HEAD~3 HEAD --rounds 3 -- --flows 100 --import-rows 20000 --list-leads 0

The figures compared are every number both runs report, by its path in the JSON
(``flow.flows_per_second``, ``leads.creation.p99_ms``, ...), and the derived ones below
(``FIGURES``); ``--figure PATH`` picks some, ``--all`` prints every one.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The headline figures and whether more is better; a derived one is a ratio of two paths.
FIGURES = [
    ("flow.flows_per_second", "higher"),
    ("flow.http_requests_per_flow", "lower"),
    ("cpu.system_cpu_ms_per_op", "lower"),
    ("cpu per flow in bare RPCs", "lower", "cpu.system_cpu_ms_per_op", "ceilings.rpc_10.cpu.system_cpu_ms_per_op"),
    ("ratios.cpu_per_http_request_vs_cpu_per_rpc_10_callers", "lower"),
    ("flow.latency.p99_ms", "lower"),
    ("leads.creation.rate", "higher"),
    ("leads.creation.p99_ms", "lower"),
    ("leads.import.first.rows_per_second", "higher"),
    ("ceilings.rpc_10.rate", "higher"),
    ("ceilings.publish.rate", "higher"),
]


MIN_RUNS_FOR_A_VERDICT = 3  # one run each has no range: any difference would look like one


def flatten(data, prefix: str = "") -> dict[str, float]:
    """Every finite number in a bench's JSON, by its dotted path."""
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
    elif isinstance(data, (int, float)) and not isinstance(data, bool) and math.isfinite(data):
        out[prefix[:-1]] = float(data)
    return out


def figures(run: dict[str, float]) -> dict[str, float]:
    """The flattened run with the derived figures added."""
    out = dict(run)
    for figure in FIGURES:
        if len(figure) == 4:
            name, _, numerator, denominator = figure
            if run.get(numerator) is not None and run.get(denominator):
                out[name] = run[numerator] / run[denominator]
    return out


def prepare(revision: str, workdir: Path) -> Path:
    """A worktree of ``revision`` with its environment built."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
                         check=True, capture_output=True, text=True).stdout.strip()
    tree = workdir / sha[:12]
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), sha], check=True,
                       capture_output=True)
    subprocess.run(["make", "--no-print-directory", ".venv/.installed"], cwd=tree, check=True)
    return tree


def run_bench(tree: Path, args: list[str], out: Path) -> dict[str, float]:
    env = {**os.environ, "PATH": f"{tree / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(tree / ".venv" / "bin" / "python"), "bench/run.py", "--json", str(out), *args],
                          cwd=tree, env=env)
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"bench/run.py failed in {tree} (exit {done.returncode})")
    return figures(flatten(json.loads(out.read_text())))


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.4g} / {statistics.median(values):.4g} / {max(values):.4g}"


def report(names: list[str], base: list[dict], head: list[dict], labels: tuple[str, str]) -> str:
    better = {f[0]: f[1] for f in FIGURES}
    rows = [["figure", f"{labels[0]} min / median / max", f"{labels[1]} min / median / max", "ratio", ""]]
    for name in names:
        a = [r[name] for r in base if name in r]
        b = [r[name] for r in head if name in r]
        if not a or not b:
            continue
        ratio = statistics.median(b) / statistics.median(a) if statistics.median(a) else math.nan
        # Better only when the ranges of enough runs do not overlap: within them it is noise.
        verdict = ""
        enough = min(len(a), len(b)) >= MIN_RUNS_FOR_A_VERDICT
        if better.get(name) and enough and (min(b) > max(a) or max(b) < min(a)):
            improved = (ratio > 1) == (better[name] == "higher")
            verdict = "better" if improved else "worse"
        rows.append([name, spread(a), spread(b), f"{ratio:.3f}", verdict])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def alternate(args, trees: tuple[Path, Path], bench_args: list[str]) -> tuple[list[dict], list[dict]]:
    runs: tuple[list[dict], list[dict]] = ([], [])
    for round_ in range(args.rounds):
        # A B, then B A: each revision runs first as often as second.
        for which in (0, 1) if round_ % 2 == 0 else (1, 0):
            label = (args.base, args.head)[which]
            print(f"compare: round {round_ + 1}/{args.rounds}, {label} ({trees[which].name})", flush=True)
            out = args.workdir / f"{trees[which].name}-{round_}.json"
            runs[which].append(run_bench(trees[which], bench_args, out))
    return runs


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    bench_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, bench_args = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(prog="python bench/compare.py", description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the revision before (a commit, a branch, HEAD~3)")
    parser.add_argument("head", nargs="?", default="HEAD", help="the revision after (default HEAD)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each revision, alternating (default 3)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "crm-bench-compare")
    parser.add_argument("--figure", action="append", default=[], help="a figure's path (repeatable)")
    parser.add_argument("--all", action="store_true", help="every figure both revisions report")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the worktrees and their environments for the next comparison")
    args = parser.parse_args(argv)

    args.workdir.mkdir(parents=True, exist_ok=True)
    trees = (prepare(args.base, args.workdir), prepare(args.head, args.workdir))
    try:
        runs = alternate(args, trees, bench_args)
    finally:
        if not args.keep:
            for tree in trees:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    if args.json:
        args.json.write_text(json.dumps({"base": args.base, "head": args.head, "bench_args": bench_args,
                                         "runs": {args.base: runs[0], args.head: runs[1]}}, indent=2) + "\n")
    names = args.figure or ([f[0] for f in FIGURES] if not args.all else
                            sorted(set().union(*runs[0]) & set().union(*runs[1])))
    print(f"\n{args.head} against {args.base}, {args.rounds} runs each, alternating; ratio = median {args.head} / "
          f"median {args.base}; better/worse only where the two ranges of at least {MIN_RUNS_FOR_A_VERDICT} runs "
          "do not overlap:\n")
    print(report(names, runs[0], runs[1], (args.base, args.head)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
