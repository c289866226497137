"""bench/compare.py's arithmetic on two revisions' bench JSON (the runs themselves are
the bench's, never part of pass/fail)."""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "bench_compare", Path(__file__).resolve().parent.parent / "bench" / "compare.py")
compare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare)


def run(flows_per_s: float, cpu_ms: float, rpc_cpu_ms: float) -> dict:
    return compare.figures(compare.flatten({
        "flow": {"flows_per_second": flows_per_s, "latency": {"p99_ms": float("nan")}, "label": "x"},
        "cpu": {"system_cpu_ms_per_op": cpu_ms}, "ceilings": {"rpc_10": {"cpu": {"system_cpu_ms_per_op": rpc_cpu_ms}}},
        "ok": True}))


def test_numbers_are_found_by_path_and_the_bare_rpc_figure_is_derived():
    figures = run(2.0, 300.0, 2.0)
    assert figures["flow.flows_per_second"] == 2.0
    assert figures["cpu per flow in bare RPCs"] == 150.0
    # Neither a NaN, nor a string, nor a boolean is a figure.
    assert "flow.latency.p99_ms" not in figures and "flow.label" not in figures and "ok" not in figures


def test_a_difference_is_called_only_where_the_ranges_do_not_overlap():
    base = [run(2.0, 300, 2), run(2.2, 310, 2), run(1.9, 290, 2)]
    faster = [run(3.0, 200, 2), run(3.1, 190, 2), run(2.9, 210, 2)]
    noisy = [run(2.1, 305, 2), run(2.3, 280, 2), run(1.8, 320, 2)]
    table = compare.report(["flow.flows_per_second", "cpu per flow in bare RPCs"], base, faster, ("a", "b"))
    lines = {line.split()[0]: line for line in table.splitlines()[1:]}
    assert lines["flow.flows_per_second"].endswith("better") and "1.500" in lines["flow.flows_per_second"]
    assert lines["cpu"].endswith("better")  # fewer bare RPCs of CPU per flow
    table = compare.report(["flow.flows_per_second"], base, noisy, ("a", "b"))
    assert not table.splitlines()[1].endswith(("better", "worse"))
    table = compare.report(["flow.flows_per_second"], faster, base, ("a", "b"))
    assert table.splitlines()[1].endswith("worse")
    table = compare.report(["flow.flows_per_second"], base[:1], faster[:1], ("a", "b"))  # one run: no range
    assert not table.splitlines()[1].endswith(("better", "worse"))
