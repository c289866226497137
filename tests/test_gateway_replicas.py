"""Gateway replicas as an operator runs them: several crm-gateway processes on one token
database and one broker, each serving REST and gRPC. A revocation reaches every one of
them within a second, REST and gRPC of one replica spend one token's limit, and a
client address that keeps failing to authenticate is slowed down."""
from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
import requests
from grpc_health.v1 import health_pb2, health_pb2_grpc

from crmkit.testing import PostgresDatabases, Stack, free_port
from gateway.pb import gateway_pb2, gateway_pb2_grpc

REPLICAS = ("gateway-a", "gateway-b", "guarded")
# The replica "guarded" lets an address fail this often a minute; the others do not get in the way.
FAILED_AUTH_PER_MINUTE = {"guarded": "5"}


class Replica:
    def __init__(self, name: str):
        self.name = name
        self.http_port, self.grpc_port = free_port(), free_port()
        self.base_url = f"http://127.0.0.1:{self.http_port}/api/v1"
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}")
        self.tokens = gateway_pb2_grpc.GatewayStub(self.channel)

    def env(self) -> dict[str, str]:
        return {"CRM_GATEWAY_PORT": str(self.http_port), "CRM_GRPC_PORT": str(self.grpc_port),
                "CRM_GATEWAY_FAILED_AUTH_PER_MINUTE": FAILED_AUTH_PER_MINUTE.get(self.name, "1000")}

    def rest(self, method: str, path: str, secret: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.base_url}{path}", headers={"Authorization": f"Bearer {secret}"},
                                timeout=10, **kwargs)

    def grpc_list_tokens(self, secret: str) -> grpc.StatusCode:
        try:
            self.tokens.ListTokens(gateway_pb2.ListTokensRequest(), metadata=[("authorization", f"Bearer {secret}")],
                                   timeout=10)
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            return exc.code()

    def wait_ready(self, stack: Stack, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        health = health_pb2_grpc.HealthStub(self.channel)
        while True:
            with contextlib.suppress(requests.ConnectionError, grpc.RpcError):
                if (requests.get(f"http://127.0.0.1:{self.http_port}/health", timeout=1).ok
                        and health.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                        == health_pb2.HealthCheckResponse.SERVING):
                    return
            stack._check_alive()
            assert time.monotonic() < deadline, f"{self.name} not ready; see {stack.log_dir}"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, vhost):
    """Two crm-gateway processes on one PostgreSQL token database; no services needed:
    a token is checked before any service is called."""
    tmp = tmp_path_factory.mktemp("replicas")
    procfile = tmp / "Procfile"
    procfile.write_text("".join(f"{name}: crm-gateway\n" for name in REPLICAS))
    (tmp / "logs").mkdir()
    with PostgresDatabases(["gateway"]) as databases:
        stack = Stack(procfile, {"AMQP_URI": vhost.amqp_uri, "GATEWAY_DATABASE_URL": databases.url("gateway"),
                                 "CRM_DATA_DIR": str(tmp / "data"), "CRM_LOG_FORMAT": "text",
                                 "CRM_GATEWAY_RATE_LIMIT_PER_MINUTE": "0"}, tmp / "logs")
        subprocess.run([str(Path(sys.executable).parent / "crm-gateway"), "setup"], env=stack.env, check=True)
        started = {name: Replica(name) for name in REPLICAS}
        try:
            for name, replica in started.items():
                stack.start(name, replica.env())
            for replica in started.values():
                replica.wait_ready(stack)
            stack.admin = stack.token("admin", "ops")
            stack.replicas = started
            yield stack, started["gateway-a"], started["gateway-b"]
        finally:
            stack.stop_all()
            for replica in started.values():
                replica.channel.close()


def new_token(replica: Replica, admin: str, **fields) -> dict:
    made = replica.rest("POST", "/tokens", admin, json={"role": "admin", "user_id": "victim", "name": "victim",
                                                        **fields})
    assert made.status_code == 201, made.text
    return made.json()


def refused_everywhere_within(replica: Replica, secret: str, seconds: float) -> float:
    """How long until the replica refuses the token over REST and gRPC (or fail)."""
    started = time.monotonic()
    while True:
        rest = replica.rest("GET", "/tokens", secret).status_code
        over_grpc = replica.grpc_list_tokens(secret)
        elapsed = time.monotonic() - started
        if rest == 401 and over_grpc == grpc.StatusCode.UNAUTHENTICATED:
            return elapsed
        assert elapsed < seconds, f"still accepted after {elapsed:.1f}s: REST {rest}, gRPC {over_grpc.name}"
        time.sleep(0.05)


def test_a_token_revoked_through_one_replica_is_refused_by_the_other_within_a_second(replicas):
    stack, a, b = replicas
    victim = new_token(a, stack.admin)
    # b has read it and would trust what it read for 10 s.
    assert b.rest("GET", "/tokens", victim["token"]).status_code == 200
    assert b.grpc_list_tokens(victim["token"]) == grpc.StatusCode.OK
    assert a.rest("DELETE", f"/tokens/{victim['id']}", stack.admin).status_code == 200
    refused_everywhere_within(b, victim["token"], 1.0)
    refused_everywhere_within(a, victim["token"], 1.0)


def test_a_token_revoked_with_the_command_is_refused_by_every_replica_within_a_second(replicas):
    stack, a, b = replicas
    victim = new_token(a, stack.admin)
    for replica in (a, b):
        assert replica.grpc_list_tokens(victim["token"]) == grpc.StatusCode.OK
    subprocess.run([str(Path(sys.executable).parent / "crm-gateway"), "token", "revoke", victim["id"]],
                   env=stack.env, check=True, capture_output=True)
    for replica in (a, b):
        refused_everywhere_within(replica, victim["token"], 1.0)


def test_rest_and_grpc_of_one_replica_spend_one_limit(replicas):
    stack, a, b = replicas
    slow = new_token(a, stack.admin, rate_limit_per_minute=3)["token"]
    assert b.rest("GET", "/tokens", slow).status_code == 200
    assert b.grpc_list_tokens(slow) == grpc.StatusCode.OK
    assert b.rest("GET", "/tokens", slow).status_code == 200
    assert b.grpc_list_tokens(slow) == grpc.StatusCode.RESOURCE_EXHAUSTED
    spent = b.rest("GET", "/tokens", slow)
    assert spent.status_code == 429 and spent.headers["Retry-After"] == "20"


def rest_from(replica: Replica, source: str, secret: str, headers: dict | None = None) -> tuple[int, dict, dict]:
    """GET /tokens from a loopback address of our choosing: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", replica.http_port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", "/api/v1/tokens", headers={"Authorization": f"Bearer {secret}", **(headers or {})})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), json.loads(answer.read())
    finally:
        conn.close()


def test_an_address_that_keeps_failing_to_authenticate_gets_429_before_its_token_is_looked_up(replicas):
    stack, _, _ = replicas
    guarded = stack.replicas["guarded"]
    guesses = [f"crm_guess-{n}" for n in range(5)]  # from 127.0.0.1, as the gRPC channel connects
    assert [rest_from(guarded, "127.0.0.1", g)[0] for g in guesses[:3]] == [401, 401, 401]
    assert [guarded.grpc_list_tokens(g) for g in guesses[3:]] == [grpc.StatusCode.UNAUTHENTICATED] * 2
    status, headers, body = rest_from(guarded, "127.0.0.1", "crm_guess-5")
    assert status == 429 and body["error"]["code"] == "rate_limited", body
    assert 1 <= int(headers["Retry-After"]) <= 60
    # Refused before the token is looked up: a good one too, over either door.
    assert rest_from(guarded, "127.0.0.1", stack.admin)[0] == 429
    assert guarded.grpc_list_tokens(stack.admin) == grpc.StatusCode.RESOURCE_EXHAUSTED
    # X-Forwarded-For is not believed unless a trusted proxy is configured.
    assert rest_from(guarded, "127.0.0.1", stack.admin, {"X-Forwarded-For": "10.1.2.3"})[0] == 429
    # Another address is not held back by this one's failures.
    assert rest_from(guarded, "127.0.0.4", stack.admin)[0] == 200
