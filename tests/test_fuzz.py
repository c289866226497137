"""Schemathesis, a fuzzer nobody here wrote, against the served OpenAPI document with
every check it has, once per role, each run on a token of its own: no request gets a
5xx, every answer (a 403 for what the role may not call too) is one the document lists,
in the shape it gives, what the document allows is accepted and what it forbids is
refused, a 405 names what the path takes, a deleted record is gone and a made one is
there, and no operation answers without a token.

The fuzzer may call DELETE /tokens/{token_id}: tests/fuzz_hooks.py keeps it off every
token it did not make itself, and each run ends by checking that its token still works
(a run whose token was revoked would otherwise pass on 401s)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

HOOKS = Path(__file__).with_name("fuzz_hooks.py")
# Per operation and phase, and a fixed seed per role: a CI-sized run that is the same
# every time. To dig deeper by hand (every role's seed is CRM_FUZZ_SEED plus its place):
#   CRM_FUZZ_EXAMPLES=100 CRM_FUZZ_SEED=7 pytest tests/test_fuzz.py -k sales_rep
MAX_EXAMPLES = os.environ.get("CRM_FUZZ_EXAMPLES", "4")
SEED = int(os.environ.get("CRM_FUZZ_SEED", "1"))
ROLES = [("admin", None), ("manager", None), ("sales_rep", "fuzz-team"), ("billing", None), ("integration", None)]
# The coverage phase walks every boundary of the document (each enum member, each missing
# field and header, each method a path does not take), which no role changes: the admin,
# who may call everything, runs it; every role runs the examples, fuzzing and stateful ones.
PHASES = {"admin": "examples,coverage,fuzzing,stateful"}
OTHER_PHASES = "examples,fuzzing,stateful"
# What a failing run's message quotes of schemathesis' report: each failure names its
# operation, check and answer, and how to reproduce it with curl.
QUOTED = 12_000


@pytest.mark.parametrize(("place", "role", "team"), [(i, role, team) for i, (role, team) in enumerate(ROLES)],
                         ids=[role for role, _ in ROLES])
def test_the_fuzzer_finds_nothing_off_the_document(stack, tmp_path, place, role, team):
    token = stack.token(role, f"fuzzer-{role}", team)
    protected = [t["id"] for t in requests.get(f"{stack.base_url}/tokens").json()["items"]]  # the harness's token
    seed = SEED + place
    done = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "run", f"{stack.base_url}/openapi.json",
         "--header", f"Authorization: Bearer {token}", "--checks", "all",
         "--phases", PHASES.get(role, OTHER_PHASES), "--max-examples", MAX_EXAMPLES, "--workers", "1",
         "--request-timeout", "30", "--generation-database", ":memory:", "--no-color", "--seed", str(seed),
         # The tokens are a throwaway stack's: a reproduction quotes them (and each
         # Idempotency-Key) as sent.
         "--output-sanitize", "false"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,  # its files stay out of the repository
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS), "CRM_FUZZ_PROTECTED_TOKEN_IDS": ",".join(protected)})
    assert done.returncode == 0, f"{role}, seed {seed}:\n{_failures(done.stdout)}\n{done.stderr[-2000:]}"
    # Every role may list organizations.
    mine = requests.get(f"{stack.base_url}/organizations", params={"limit": 1},
                        headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200, f"the {role} run's token no longer authenticates: {mine.text}"


def _failures(report: str) -> str:
    """The report's failures (each: operation, check, answer, curl) and its summary."""
    failures = re.search(r"=+ FAILURES =+\n(.*?)(?:\n=+ SUMMARY =+\n|\Z)", report, re.S)
    summary = report[report.find("SUMMARY"):] if "SUMMARY" in report else report[-3000:]
    quoted = failures.group(1) if failures else report
    cut = f"\n[... {len(quoted) - QUOTED} more characters of failures]" if len(quoted) > QUOTED else ""
    return quoted[:QUOTED] + cut + "\n" + summary[-3000:]
