"""Who is calling: bearer tokens, stored hashed in the gateway's own database, and what
each token may spend per minute.

A token is 32 random bytes shown once, when it is made. Only its SHA-256 is kept: a
copy of the database gives nobody a usable token, and with that much entropy a slow
password hash would add nothing but latency to every request.
"""
from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cachetools import TTLCache
from sqlalchemy import Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from crmkit.db import UtcDateTime, new_metadata, utcnow
from crmkit.errors import IdempotencyKeyReused
from crmkit.ids import new_id

ADMIN, MANAGER, SALES_REP, BILLING, INTEGRATION = "admin", "manager", "sales_rep", "billing", "integration"
ROLES = (ADMIN, MANAGER, SALES_REP, BILLING, INTEGRATION)
TOKEN_PREFIX = "crm_"
# How long a replica trusts what it read about a token while it hears revocations
# (gateway.revocations): one made anywhere drops the entry at once; this bounds the rest.
CACHE_SECONDS = 10.0
# ... and while it does not (its listener is not connected): a revocation it could not
# hear takes effect here within this time.
UNHEARD_CACHE_SECONDS = 1.0


class Base(DeclarativeBase):
    metadata = new_metadata()


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    # The person (or system) the token acts for: the actor in every record's history,
    # and the owner a sales rep's new records get.
    user_id: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # None: until revoked. A token for a system is best made to expire and be replaced.
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The Idempotency-Key that made it (scoped to its maker) and what was asked: the same
    # key again answers this token, never a second one. Kept as long as the token.
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True)
class Principal:
    token_id: str
    name: str
    role: str
    user_id: str
    team: str | None
    rate_limit_per_minute: int | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_out(row: ApiToken) -> dict:
    return {
        "id": row.id, "name": row.name, "role": row.role, "user_id": row.user_id, "team": row.team,
        "rate_limit_per_minute": row.rate_limit_per_minute, "created_at": _utc(row.created_at),
        "created_by": row.created_by, "revoked_at": _utc(row.revoked_at), "expires_at": _utc(row.expires_at),
    }


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


class TokenStore:
    """The tokens, and what this process read about them lately (a cache that a
    revocation anywhere empties of that token, see gateway.revocations)."""

    def __init__(self, engine: Engine, announce: Callable[[str, str], None] | None = None):
        self.engine = engine
        # Called with (token id, token hash) after a revocation commits: tells the other replicas.
        self.announce = announce
        # token hash -> (trusted until, read at, principal or None for an unknown token)
        self._cache: dict[str, tuple[float, float, Principal | None]] = {}
        self._hearing = False
        # Moves on every forgetting: a read that began before it must not be cached after it.
        self._generation = 0
        self._lock = threading.Lock()

    def hearing(self, connected: bool) -> None:
        """Whether this process hears revocations now. Newly connected, it forgets
        everything: what it missed meanwhile is unknown."""
        with self._lock:
            self._hearing = connected
            if connected:
                self._cache.clear()
                self._generation += 1

    def forget(self, token_hash: str) -> None:
        with self._lock:
            self._cache.pop(token_hash, None)
            self._generation += 1

    def create(self, *, name: str, role: str, user_id: str, team: str | None, created_by: str,
               rate_limit_per_minute: int | None = None, expires_at: datetime | None = None,
               idempotency_key: str | None = None, request_fingerprint: str | None = None,
               ) -> tuple[str | None, dict]:
        """A new token: the secret (shown once) and the record that describes it.

        With an ``idempotency_key`` that made a token already: that token's record and
        no secret (only its hash was kept); IdempotencyKeyReused when that key was
        used for another request (another ``request_fingerprint``)."""
        if idempotency_key and (made := self._made_with(idempotency_key, request_fingerprint)):
            return None, made
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(name=name, role=role, user_id=user_id, team=team, token_hash=hash_token(secret),
                       rate_limit_per_minute=rate_limit_per_minute, created_by=created_by, expires_at=expires_at,
                       idempotency_key=idempotency_key, request_fingerprint=request_fingerprint)
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
                session.flush()
                return secret, token_out(row)
        except IntegrityError:
            # The same key at the same moment: the unique key let the other one commit.
            made = self._made_with(idempotency_key, request_fingerprint) if idempotency_key else None
            if made is None:
                raise
            return None, made

    def _made_with(self, idempotency_key: str, request_fingerprint: str | None) -> dict | None:
        with Session(self.engine) as session:
            row = session.scalars(select(ApiToken).where(ApiToken.idempotency_key == idempotency_key)).first()
            if row is None:
                return None
            if row.request_fingerprint != request_fingerprint:
                raise IdempotencyKeyReused(idempotency_key)
            return token_out(row)

    def list_tokens(self, include_revoked: bool = False) -> list[dict]:
        """The tokens that still work (or every one ever made)."""
        with Session(self.engine) as session:
            query = select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)
            if not include_revoked:
                query = query.where(ApiToken.revoked_at.is_(None)).where(
                    ApiToken.expires_at.is_(None) | (ApiToken.expires_at > utcnow()))
            return [token_out(row) for row in session.scalars(query)]

    def get(self, token_id: str) -> dict | None:
        with Session(self.engine) as session:
            row = session.get(ApiToken, token_id)
            return token_out(row) if row else None

    def revoke(self, token_id: str) -> dict | None:
        with Session(self.engine) as session, session.begin():
            row = session.get(ApiToken, token_id, with_for_update=True)
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            out, token_hash = token_out(row), row.token_hash
        self.forget(token_hash)
        if self.announce:  # again on a second revoke: an announcement that failed gets another chance
            self.announce(out["id"], token_hash)
        return out

    def authenticate(self, secret: str) -> Principal | None:
        digest = hash_token(secret)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(digest)
            hearing, generation = self._hearing, self._generation
        if cached:
            trusted_until, read_at, principal = cached
            if not hearing:
                trusted_until = min(trusted_until, read_at + UNHEARD_CACHE_SECONDS)
            if now < trusted_until:
                return principal
        trusted_for = CACHE_SECONDS
        with Session(self.engine) as session:
            row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
            principal = None
            if row is not None and row.revoked_at is None:
                left = (row.expires_at - utcnow()).total_seconds() if row.expires_at else None
                if left is None or left > 0:
                    principal = Principal(row.id, row.name, row.role, row.user_id, row.team,
                                          row.rate_limit_per_minute)
                    trusted_for = min(CACHE_SECONDS, left) if left is not None else CACHE_SECONDS
        with self._lock:
            if self._generation != generation:  # a revocation came while we read: do not keep what we read
                return principal
            if len(self._cache) > 10_000:  # unknown tokens must not grow it without end
                self._cache.clear()
            self._cache[digest] = (now + trusted_for, now, principal)
        return principal


class RateLimiter:
    """A token bucket per API token: a minute's allowance may be spent at once, and it
    refills evenly. Each gateway replica keeps its own buckets, so N replicas admit up
    to N times the limit (deploy/README.md)."""

    def __init__(self, default_per_minute: int):
        self.default_per_minute = default_per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # token id -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, principal: Principal) -> float | None:
        """None when the request may go; otherwise the seconds until it may."""
        limit = principal.rate_limit_per_minute or self.default_per_minute
        if limit <= 0:
            return None
        per_second = limit / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(principal.token_id, (float(limit), now))
            tokens = min(float(limit), tokens + (now - at) * per_second)
            if tokens >= 1:
                self._buckets[principal.token_id] = (tokens - 1, now)
                return None
            self._buckets[principal.token_id] = (tokens, now)
            return max(1.0, math.ceil((1 - tokens) / per_second))


class FailedAuthLimiter:
    """Failed authentications per client address: ``per_minute`` of them at once, refilled
    evenly. An attempt takes one before its token is looked up and gives it back when
    the token is good, so an address that spent them is refused (429) without a look-up,
    and parallel guesses cannot overshoot.

    Memory stays bounded under a flood of addresses: at most ``max_addresses`` buckets,
    the least recently used dropped first, and a bucket untouched for a minute (full
    again by then) is forgotten. An IPv6 client counts by its /64, which one host
    usually holds whole."""

    def __init__(self, per_minute: int, max_addresses: int = 100_000):
        self.per_minute = per_minute
        self._buckets: TTLCache[str, tuple[float, float]] = TTLCache(maxsize=max_addresses, ttl=60,
                                                                     timer=lambda: time.monotonic())
        self._lock = threading.Lock()

    def take(self, address: str) -> float | None:
        """None when this address may try a token; otherwise the seconds until it may."""
        if self.per_minute <= 0:
            return None
        key, now = client_key(address), time.monotonic()
        with self._lock:
            left = self._left(key, now)
            if left < 1:
                return max(1.0, math.ceil((1 - left) * 60 / self.per_minute))
            self._buckets[key] = (left - 1, now)
            return None

    def give_back(self, address: str) -> None:
        """The token was good (or could not be checked): that was no failure."""
        if self.per_minute <= 0:
            return
        key, now = client_key(address), time.monotonic()
        with self._lock:
            self._buckets[key] = (min(float(self.per_minute), self._left(key, now) + 1), now)

    def _left(self, key: str, now: float) -> float:
        left, at = self._buckets.get(key, (float(self.per_minute), now))
        return min(float(self.per_minute), left + (now - at) * self.per_minute / 60.0)


def client_key(address: str) -> str:
    """What a limit per client counts by: the IPv4 address, an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # a Unix socket, or whatever the transport named
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
