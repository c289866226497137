"""API tokens are kept hashed, die when revoked, and spend a per-minute allowance."""
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from crmkit.migrations import upgrade
from gateway import auth
from gateway.auth import Principal, RateLimiter, TokenStore


@pytest.fixture()
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade("gateway", "gateway", url)
    from crmkit.db import make_engine

    return TokenStore(make_engine(url)), tmp_path / "gateway.db"


def test_a_token_is_stored_only_as_its_hash(store):
    tokens, path = store
    secret, record = tokens.create(name="ci", role="admin", user_id="ops", team=None, created_by="test")
    assert secret.startswith("crm_") and len(secret) > 40
    stored = sqlite3.connect(path).execute("SELECT * FROM api_tokens").fetchall()
    assert not any(secret in str(cell) for row in stored for cell in row)
    assert auth.hash_token(secret) in {cell for row in stored for cell in row}
    assert "token_hash" not in record and "token" not in record


def test_a_token_authenticates_as_its_principal_until_revoked(store):
    tokens, _ = store
    secret, record = tokens.create(name="rep", role="sales_rep", user_id="u-7", team="emea", created_by="test")
    principal = tokens.authenticate(secret)
    assert (principal.role, principal.user_id, principal.team) == ("sales_rep", "u-7", "emea")
    assert tokens.authenticate(secret + "x") is None
    tokens.revoke(record["id"])
    assert tokens.authenticate(secret) is None
    assert [t["id"] for t in tokens.list_tokens()] == []
    assert tokens.list_tokens(include_revoked=True)[0]["revoked_at"] is not None


def test_the_bucket_lets_a_minute_through_then_says_how_long_to_wait(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    limiter = RateLimiter(default_per_minute=600)
    principal = Principal("t1", "n", "admin", "u", None, rate_limit_per_minute=3)
    assert [limiter.take(principal) for _ in range(3)] == [None, None, None]
    assert limiter.take(principal) == 20  # one request refills every 20 s
    now[0] += 20
    assert limiter.take(principal) is None
    assert limiter.take(principal) == 20
    other = Principal("t2", "n", "admin", "u", None, rate_limit_per_minute=None)  # the default
    assert all(limiter.take(other) is None for _ in range(600))
    assert limiter.take(other) == 1


def test_a_token_stops_working_when_it_expires(store, monkeypatch):
    tokens, _ = store
    now = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(auth, "utcnow", lambda: now)
    secret, record = tokens.create(name="sync", role="integration", user_id="sys", team=None, created_by="test",
                                   expires_at=now + timedelta(hours=1))
    assert tokens.authenticate(secret).role == "integration"
    assert [t["id"] for t in tokens.list_tokens()] == [record["id"]]
    now += timedelta(hours=1, seconds=1)
    tokens._cache.clear()  # a replica trusts what it read for up to 10 s, never past the expiry
    assert tokens.authenticate(secret) is None
    assert tokens.list_tokens() == []


def test_a_token_is_trusted_from_the_cache_no_longer_than_until_it_expires(store, monkeypatch):
    tokens, _ = store
    wall = [datetime(2027, 1, 1, 12, 0, tzinfo=UTC)]
    clock = [5000.0]
    monkeypatch.setattr(auth, "utcnow", lambda: wall[0])
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    secret, _ = tokens.create(name="short", role="admin", user_id="u", team=None, created_by="test",
                              expires_at=wall[0] + timedelta(seconds=3))
    assert tokens.authenticate(secret) is not None
    wall[0] += timedelta(seconds=4)
    clock[0] += 4  # within the 10 s a replica would otherwise trust it
    assert tokens.authenticate(secret) is None


def test_a_token_database_that_does_not_answer_is_a_503_not_a_500():
    from crmkit.db import make_engine
    from gateway.core import Gateway
    from gateway.errors import ApiError

    unreachable = TokenStore(make_engine("postgresql+psycopg2://nobody@127.0.0.1:1/gateway"))
    gateway = Gateway(client=None, tokens=unreachable, limiter=RateLimiter(600))
    with pytest.raises(ApiError) as refused:
        gateway.authenticate("Bearer crm_whatever")
    assert (refused.value.status, refused.value.code, refused.value.retry_after) == (503, "service_unavailable", 5)


def test_one_idempotency_key_makes_one_token_and_refuses_another_request(store):
    from crmkit.errors import IdempotencyKeyReused

    tokens, _ = store
    made = dict(name="sync", role="integration", user_id="sys", team=None, created_by="ops",
                idempotency_key="ops:k-1", request_fingerprint="a" * 64)
    secret, record = tokens.create(**made)
    again, replayed = tokens.create(**made)
    assert secret and again is None and replayed == record
    assert [t["id"] for t in tokens.list_tokens()] == [record["id"]]
    with pytest.raises(IdempotencyKeyReused):
        tokens.create(**{**made, "request_fingerprint": "b" * 64})


def test_a_replica_trusts_its_cache_only_while_it_hears_revocations(store, monkeypatch):
    tokens, path = store
    clock = [100.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    secret, record = tokens.create(name="n", role="admin", user_id="u", team=None, created_by="test")
    elsewhere = TokenStore(tokens.engine)  # another replica revokes, and nobody hears it
    tokens.hearing(True)
    assert tokens.authenticate(secret) is not None
    elsewhere.revoke(record["id"])
    clock[0] += 5
    assert tokens.authenticate(secret) is not None  # heard nothing: trusted up to CACHE_SECONDS
    tokens.hearing(False)  # the listener lost the broker: what it read is trusted for 1 s at most
    assert tokens.authenticate(secret) is None


def test_a_replica_that_connects_again_forgets_what_it_read(store):
    tokens, _ = store
    secret, record = tokens.create(name="n", role="admin", user_id="u", team=None, created_by="test")
    tokens.hearing(True)
    assert tokens.authenticate(secret) is not None
    TokenStore(tokens.engine).revoke(record["id"])
    tokens.hearing(False)
    tokens.hearing(True)  # announcements made meanwhile were missed
    assert tokens.authenticate(secret) is None


def test_a_revocation_heard_during_a_read_keeps_that_read_out_of_the_cache(store, monkeypatch):
    tokens, _ = store
    secret, record = tokens.create(name="n", role="admin", user_id="u", team=None, created_by="test")
    tokens.hearing(True)

    def read_then_revoked(*fields):
        # The read found the token alive; its revocation is heard before the read is cached.
        monkeypatch.setattr(auth, "Principal", Principal)
        tokens.forget(auth.hash_token(secret))
        return Principal(*fields)

    monkeypatch.setattr(auth, "Principal", read_then_revoked)
    assert tokens.authenticate(secret) is not None  # concurrent with the revocation: either answer is right
    TokenStore(tokens.engine).revoke(record["id"])  # (committed before it was heard)
    assert tokens.authenticate(secret) is None


def test_an_address_gets_its_failed_attempts_a_minute_then_waits(monkeypatch):
    from gateway.auth import FailedAuthLimiter

    now = [50.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    limiter = FailedAuthLimiter(per_minute=3)
    assert [limiter.take("10.0.0.1") for _ in range(3)] == [None, None, None]
    assert limiter.take("10.0.0.1") == 20  # one attempt back every 20 s
    assert limiter.take("10.0.0.2") is None  # each address its own
    now[0] += 20
    assert limiter.take("10.0.0.1") is None
    limiter.give_back("10.0.0.1")  # a good token costs nothing
    assert limiter.take("10.0.0.1") is None and limiter.take("10.0.0.1") == 20
    # One IPv6 host holds a /64: its addresses count together.
    assert [limiter.take(f"2001:db8::{n}") for n in range(1, 5)][-1] == 20
    assert limiter.take("2001:db8:0:1::1") is None


def test_a_flood_of_addresses_keeps_the_failed_attempts_bounded():
    from gateway.auth import FailedAuthLimiter

    limiter = FailedAuthLimiter(per_minute=5, max_addresses=1000)
    for n in range(20_000):
        limiter.take(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert len(limiter._buckets) <= 1000


def test_a_grpc_peer_names_the_client_address():
    from gateway.grpc_server import peer_address

    assert peer_address("ipv4:127.0.0.1:50123") == "127.0.0.1"
    assert peer_address("ipv6:[::1]:50123") == "::1"
    assert peer_address("ipv6:%5B2001:db8::7%5D:443") == "2001:db8::7"
    assert peer_address("unix:/tmp/socket") == "unix:/tmp/socket"
