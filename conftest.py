"""Fixtures every test directory shares: a throwaway RabbitMQ vhost, throwaway
PostgreSQL databases (one per service), and the whole system as real processes."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from crmkit.testing import HarnessUnavailable, PostgresDatabases, RabbitVhost, Stack, free_port

ROOT = Path(__file__).parent
SERVICES = ["leads", "deals", "billing", "subscriptions"]
# Retries fast enough for a test to watch a message reach the dead-letter queue.
TEST_RETRY_DELAYS = "0.2,0.5"
# Each test stack's gateway -> an admin token of it, which every request to that gateway
# carries unless it sends an Authorization header of its own (the auth tests do).
ADMIN_TOKENS: dict[str, str] = {}


def carry_admin_tokens() -> callable:
    """Make every requests call to a test stack's gateway carry its admin token (unless
    it sends an Authorization header of its own); returns the undo. The benchmarks use
    it too."""
    original = requests.Session.request

    def request(self, method, url, *args, headers=None, **kwargs):
        given = {key.lower() for key in {**self.headers, **(headers or {})}}
        if "authorization" not in given:
            token = next((t for base, t in ADMIN_TOKENS.items() if str(url).startswith(base)), None)
            if token:
                headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        return original(self, method, url, *args, headers=headers, **kwargs)

    requests.Session.request = request
    return lambda: setattr(requests.Session, "request", original)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A broker or database the tests cannot reach stops the run with one line saying
    what to do, instead of a connection error in every test after it."""
    if call.excinfo is not None and call.excinfo.errisinstance(HarnessUnavailable):
        pytest.exit(f"cannot run the tests: {call.excinfo.value}", returncode=3)


@pytest.fixture(autouse=True, scope="session")
def _requests_carry_the_admin_token():
    undo = carry_admin_tokens()
    yield
    undo()


@pytest.fixture(scope="module")
def vhost():
    with RabbitVhost() as vhost:
        yield vhost


@pytest.fixture(scope="module")
def databases():
    with PostgresDatabases(SERVICES) as databases:
        yield databases


def make_stack(tmp_path: Path, vhost: RabbitVhost, database_urls: dict[str, str]) -> Stack:
    gateway_port = free_port()
    env = {
        "AMQP_URI": vhost.amqp_uri,
        "CRM_DATA_DIR": str(tmp_path / "data"),
        "CRM_GATEWAY_PORT": str(gateway_port),
        # Each event's dataschema names this gateway's URL of the type's schema.
        "CRM_API_URL": f"http://127.0.0.1:{gateway_port}/api/v1",
        "CRM_GRPC_PORT": str(free_port()),
        # Tests and benchmarks drive thousands of requests with one token; the limit itself
        # is tested with a token of its own limit.
        "CRM_GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
        # The role and auth tests send bad tokens on purpose; the failed-auth limit itself is
        # tested on a gateway of its own (tests/test_gateway_replicas.py).
        "CRM_GATEWAY_FAILED_AUTH_PER_MINUTE": "100000",
        "CRM_LOG_FORMAT": "text",
        "CRM_EVENT_RETRY_DELAYS": TEST_RETRY_DELAYS,
        "CRM_RELAY_POLL_SECONDS": "5",
        # Queue subscriptions make their subscriber's broker user through it.
        "CRM_BROKER_MANAGEMENT_URL": vhost.management_url,
        **{f"{service.upper()}_DATABASE_URL": url for service, url in database_urls.items()},
    }
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    stack = Stack(ROOT / "Procfile", env, log_dir)
    ADMIN_TOKENS[f"http://127.0.0.1:{stack.port}/"] = stack.token()
    return stack


@contextlib.contextmanager
def running_stack(tmp_path: Path, vhost: RabbitVhost, databases: PostgresDatabases,
                  env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Every process of the Procfile on these databases, with ``env`` besides, set up and
    answering until the block ends."""
    stack = make_stack(tmp_path, vhost, {s: databases.url(s) for s in SERVICES})
    stack.env.update(env or {})
    stack.setup(SERVICES)
    stack.start_all()
    try:
        stack.wait_ready(SERVICES)
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, vhost, databases):
    """Every process of the Procfile, on PostgreSQL, set up and answering; shared by
    the tests of a module, which each make records of their own."""
    with running_stack(tmp_path_factory.mktemp("stack"), vhost, databases) as stack:
        yield stack
