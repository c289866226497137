"""Fixtures every test directory shares: a throwaway RabbitMQ vhost, throwaway
PostgreSQL databases (one per service), and the whole system as real processes."""
from __future__ import annotations

from pathlib import Path

import pytest

from crmkit.testing import PostgresDatabases, RabbitVhost, Stack, free_port

ROOT = Path(__file__).parent
SERVICES = ["leads", "deals", "billing"]
# Retries fast enough for a test to watch a message reach the dead-letter queue.
TEST_RETRY_DELAYS = "0.2,0.5"


@pytest.fixture(scope="module")
def vhost():
    with RabbitVhost() as vhost:
        yield vhost


@pytest.fixture(scope="module")
def databases():
    with PostgresDatabases(SERVICES) as databases:
        yield databases


def make_stack(tmp_path: Path, vhost: RabbitVhost, database_urls: dict[str, str]) -> Stack:
    env = {
        "AMQP_URI": vhost.amqp_uri,
        "CRM_DATA_DIR": str(tmp_path / "data"),
        "CRM_GATEWAY_PORT": str(free_port()),
        "CRM_LOG_FORMAT": "text",
        "CRM_EVENT_RETRY_DELAYS": TEST_RETRY_DELAYS,
        "CRM_RELAY_POLL_SECONDS": "5",
        **{f"{service.upper()}_DATABASE_URL": url for service, url in database_urls.items()},
    }
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    return Stack(ROOT / "Procfile", env, log_dir)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, vhost, databases):
    """Every process of the Procfile, on PostgreSQL, set up and answering; shared by
    the tests of a module, which each make records of their own."""
    stack = make_stack(tmp_path_factory.mktemp("stack"), vhost, {s: databases.url(s) for s in SERVICES})
    stack.setup(SERVICES)
    stack.start_all()
    try:
        stack.wait_ready(SERVICES)
        yield stack
    finally:
        stack.stop_all()
