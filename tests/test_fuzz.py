"""Schemathesis, a fuzzer nobody here wrote, against the served OpenAPI document with an
admin token: no request it makes gets a 5xx, and every answer matches the document."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Per operation and phase, and a fixed seed: a CI-sized run that is the same every time.
# To dig deeper by hand: CRM_FUZZ_EXAMPLES=100 CRM_FUZZ_SEED=7 pytest tests/test_fuzz.py
MAX_EXAMPLES = os.environ.get("CRM_FUZZ_EXAMPLES", "8")
SEED = os.environ.get("CRM_FUZZ_SEED", "1")


def test_the_fuzzer_finds_no_server_error_and_no_answer_off_the_document(stack, tmp_path):
    token = stack.token("admin", "fuzzer")
    report = tmp_path / "schemathesis"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "run", f"{stack.base_url}/openapi.json",
         "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
         "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", MAX_EXAMPLES, "--workers", "1",
         "--request-timeout", "30",
         "--generation-database", ":memory:", "--report", "junit", "--report-dir", str(report), "--no-color",
         "--seed", SEED],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)  # its files stay out of the repository
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
