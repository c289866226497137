"""The webhooks' settings (crmkit's are beside them), read once at start: a bad value
stops the process with a message naming the variable."""
from __future__ import annotations

import os
from dataclasses import dataclass

from crmkit.settings import seconds

# 1 s, 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 3 h: about 25 h in all.
DEFAULT_RETRY_SCHEDULE = "1,5,30,120,600,1800,3600,10800,10800,10800,10800,10800,10800,10800"



@dataclass(frozen=True)
class WebhookSettings:
    # Seconds before each retry of a failed delivery (each with up to 20 % jitter); after
    # the last one the event goes to the subscription's dead letters.
    retry_schedule: tuple[float, ...]
    # How long one POST may take, connecting and answering together.
    timeout_seconds: float
    # No 2xx for this long, over every event tried: the subscription is disabled
    # (and subscription.disabled published).
    disable_after_seconds: float
    # After a rotation the previous secret keeps signing this long (both signatures sent).
    secret_overlap_seconds: float
    # A dispatcher's hold on a subscription; renewed at a third of it.
    lease_seconds: float
    # How often a dispatcher looks for subscriptions to take (new, freed or expired).
    scan_seconds: float
    # Loopback, private and link-local targets allowed (the tests' receiver is on 127.0.0.1).
    allow_private_targets: bool

    @classmethod
    def from_env(cls) -> WebhookSettings:
        raw = os.environ.get("CRM_WEBHOOKS_RETRY_SCHEDULE", "").strip() or DEFAULT_RETRY_SCHEDULE
        try:
            schedule = tuple(float(part) for part in raw.split(",") if part.strip())
        except ValueError:
            schedule = ()
        if not schedule or any(s <= 0 for s in schedule):
            raise ValueError(f"CRM_WEBHOOKS_RETRY_SCHEDULE must be positive seconds with commas between, got {raw!r}")
        allow = os.environ.get("CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "0").strip()
        if allow not in ("0", "1"):
            raise ValueError(f"CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS must be 0 or 1, got {allow!r}")
        settings = cls(
            retry_schedule=schedule,
            timeout_seconds=seconds("CRM_WEBHOOKS_TIMEOUT_SECONDS", 10),
            disable_after_seconds=seconds("CRM_WEBHOOKS_DISABLE_AFTER_SECONDS", 5 * 86400),
            secret_overlap_seconds=seconds("CRM_WEBHOOKS_SECRET_OVERLAP_SECONDS", 86400),
            lease_seconds=seconds("CRM_WEBHOOKS_LEASE_SECONDS", 30),
            scan_seconds=seconds("CRM_WEBHOOKS_SCAN_SECONDS", 2),
            allow_private_targets=allow == "1",
        )
        if settings.timeout_seconds * 2 >= settings.lease_seconds:
            # A POST must end well within the lease, or another dispatcher could take the
            # subscription while the first one still waits on an answer.
            raise ValueError("CRM_WEBHOOKS_TIMEOUT_SECONDS must be under half of CRM_WEBHOOKS_LEASE_SECONDS")
        return settings


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class QueueSettings:
    """Queue delivery: a queue of the subscriber's own on the broker, fed by the
    dispatcher, read with a login that may read that queue and nothing else."""
    # The broker's management API with an administrator's login: the subscribers' users
    # are made and removed through it. Unset: this installation offers no queue delivery.
    management_url: str | None
    # The broker's address as subscribers reach it (no login in it; their user is added):
    # often not the in-cluster name the services use. Default: AMQP_URI's host and vhost.
    subscriber_amqp_uri: str | None
    # A queue nobody reads holds at most this many messages and bytes; then the broker
    # refuses more (reject-publish) and the subscription waits, retrying, as a failing
    # webhook does: nothing is dropped, and the broker's disk cannot fill.
    max_length: int
    max_bytes: int
    # How often the dispatcher removes the users and queues of subscriptions that are
    # gone (a delete whose clean-up failed, a create whose commit did).
    sweep_seconds: float

    @classmethod
    def from_env(cls) -> QueueSettings:
        return cls(
            management_url=os.environ.get("CRM_BROKER_MANAGEMENT_URL", "").strip() or None,
            subscriber_amqp_uri=os.environ.get("CRM_SUBSCRIBER_AMQP_URI", "").strip() or None,
            max_length=_count("CRM_SUBSCRIBER_QUEUE_MAX_LENGTH", 100_000),
            max_bytes=_count("CRM_SUBSCRIBER_QUEUE_MAX_BYTES", 1024 ** 3),
            sweep_seconds=seconds("CRM_SUBSCRIBER_SWEEP_SECONDS", 60),
        )
