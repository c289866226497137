"""The subscriptions database: what each subscriber asked for (``subscriptions``), its
secrets, where its delivery stands (``cursors``, written by the dispatcher), what was
delivered (``deliveries``) and what was given up on (``dead_letters``)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crmkit import platform_tables
from crmkit.db import ExactDecimal, UtcDateTime, new_metadata, utcnow
from crmkit.ids import new_id
from crmkit.records import Record

ACTIVE, PAUSED, DISABLED = "active", "paused", "disabled"
STATUSES = (ACTIVE, PAUSED, DISABLED)
# How a subscription's events reach it: POSTed to its url by the dispatcher; read by
# the subscriber itself from the gateway's gRPC Events/Subscribe stream naming it; or
# published by the dispatcher into a queue of the subscriber's own on the broker.
WEBHOOK, STREAM, QUEUE = "webhook", "stream", "queue"
DELIVERIES = (WEBHOOK, STREAM, QUEUE)


class Base(DeclarativeBase):
    metadata = new_metadata()


platform_tables.install(Base.metadata)


class Subscription(Record, Base):
    __tablename__ = "subscriptions"

    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE, index=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # Patterns in the routing-key syntax (crmkit.eventlog): "quote.*", "invoice.paid", "#".
    types: Mapped[list] = mapped_column(JSON)
    team: Mapped[str | None] = mapped_column(String(64))
    organization_id: Mapped[str | None] = mapped_column(String(36))
    min_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    delivery: Mapped[str] = mapped_column(String(20), default=WEBHOOK, server_default=WEBHOOK)
    url: Mapped[str | None] = mapped_column(String(2000))  # a webhook's only
    # The role of the token that made it: what it may see is what that role may read.
    owner_role: Mapped[str] = mapped_column(String(20))


class Secret(Base):
    """A signing secret: the newest signs; a rotated one keeps signing until expires_at.
    Kept as given (HMAC needs the secret itself, not a hash of it)."""
    __tablename__ = "secrets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subscription_id: Mapped[str] = mapped_column(String(36), ForeignKey("subscriptions.id", ondelete="CASCADE"),
                                                 index=True)
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Cursor(Base):
    """Where one subscription's delivery stands. The dispatcher holding the lease writes
    it; ``position`` moves only after the receiver answered 2xx (or the event was dead-
    lettered), so a dispatcher killed mid-delivery loses nothing."""
    __tablename__ = "cursors"

    subscription_id: Mapped[str] = mapped_column(String(36), ForeignKey("subscriptions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    position: Mapped[int | None] = mapped_column(BigInteger)       # the last position done with
    start_time: Mapped[datetime | None] = mapped_column(UtcDateTime)  # no position yet: from this time
    # +1 on every replay: a dispatcher that read under an older generation drops its reader.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)        # failed attempts
    dead_lettered: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime)  # no 2xx since
    # The event after ``position`` being retried and its failed attempts so far: a
    # restarted dispatcher goes on with the retry schedule (the wait from last_error_at).
    retry_position: Mapped[int | None] = mapped_column(BigInteger)
    retry_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LogHead(Base):
    """The newest position of the events log a dispatcher has seen: lag = head - position."""
    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Delivery(Base):
    """One attempt to deliver one event (the delivery log)."""
    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_subscription", "subscription_id", "at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subscription_id: Mapped[str] = mapped_column(String(36), ForeignKey("subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # delivered | failed
    http_status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DeadLetter(Base):
    """An event whose retries ran out; redelivered on request (then ``redelivered_at``)."""
    __tablename__ = "dead_letters"
    __table_args__ = (Index("ix_dead_letters_subscription", "subscription_id", "dead_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subscription_id: Mapped[str] = mapped_column(String(36), ForeignKey("subscriptions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    envelope: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    dead_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="dead")  # dead | redelivering | redelivered
    redelivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
