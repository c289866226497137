"""The test harness on a machine that lacks what it needs: one line saying what to do
(a fresh machine's RabbitMQ often runs without its management plugin)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crmkit import testing
from crmkit.testing import HarnessUnavailable, PostgresDatabases, RabbitVhost, free_port

ROOT = Path(__file__).resolve().parents[3]


def test_a_broker_without_its_management_api_names_the_plugin_to_enable(monkeypatch):
    monkeypatch.setattr(testing, "RABBIT_API", f"http://guest:guest@127.0.0.1:{free_port()}/api")
    with pytest.raises(HarnessUnavailable, match=r"rabbitmq-plugins enable rabbitmq_management"):
        with RabbitVhost():
            pass


def test_no_broker_at_all_says_to_start_one(monkeypatch):
    port = free_port()
    monkeypatch.setattr(testing, "AMQP_URI", f"amqp://guest:guest@127.0.0.1:{port}/")
    monkeypatch.setattr(testing, "RABBIT_API", f"http://guest:guest@127.0.0.1:{free_port()}/api")
    with pytest.raises(HarnessUnavailable, match=rf"RabbitMQ does not answer at 127.0.0.1:{port}: start it"):
        with RabbitVhost():
            pass


def test_no_postgresql_says_where_it_looked(monkeypatch):
    port = free_port()
    monkeypatch.setattr(testing, "POSTGRES_URL", f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres")
    with pytest.raises(HarnessUnavailable, match=rf"PostgreSQL does not answer at .*:{port}/postgres"):
        with PostgresDatabases(["nothing"]):
            pass


def test_the_run_stops_at_once_with_that_one_line(tmp_path):
    """Not a connection error in every test: the whole run stops, exit code 3."""
    env = {"CRM_TEST_RABBIT_API": f"http://guest:guest@127.0.0.1:{free_port()}/api",
           "PATH": str(Path(sys.executable).parent)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/test_leads.py", "tests/test_deals.py"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stdout[-2000:]
    lines = [line for line in run.stdout.splitlines() if "rabbitmq-plugins enable rabbitmq_management" in line]
    assert len(lines) == 1, run.stdout[-2000:]
