"""Settings from the environment (twelve-factor), with defaults that run on a laptop.

Every process of the system reads the same variables; a service's own database URL is
``<SERVICE>_DATABASE_URL`` so that one shell can start all services side by side.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_API_URL = "http://127.0.0.1:8080/api/v1"
# What a URN's specific part may hold without escaping (RFC 8141), kept simple.
_INSTALLATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _floats(raw: str, name: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"{name} must be a comma-separated list of seconds, got {raw!r}") from None
    if any(v <= 0 for v in values):
        raise ValueError(f"{name} must hold positive seconds, got {raw!r}")
    return values


def seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment; a bad one names its variable."""
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {raw!r}")
    return value


def _positive_int(raw: str, name: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{name} must be a positive whole number of bytes, got {raw!r}")
    return int(raw)


def installation_id(amqp_uri: str) -> str:
    """The name of this installation in every event's ``source``: ``CRM_INSTALLATION_ID``
    (set it in every deployment, the same for all its processes: "acme-prod"), else one
    derived from the broker and virtual host the installation's events travel on, which
    all its processes share and no other installation on that broker can (the events
    exchange of an installation is the vhost's own). Two laptops with a local broker
    derive the same one: only a set id is unique across machines."""
    given = os.environ.get("CRM_INSTALLATION_ID", "").strip()
    if given:
        if not _INSTALLATION_ID.match(given):
            raise ValueError(f"CRM_INSTALLATION_ID must be 1 to 63 letters, digits, dots or dashes, got {given!r}")
        return given
    broker = urlsplit(amqp_uri)
    place = f"{broker.hostname or ''}:{broker.port or 5672}/{broker.path.lstrip('/') or '/'}"
    return "local-" + hashlib.sha256(place.encode()).hexdigest()[:12]


def data_dir() -> Path:
    return Path(_env("CRM_DATA_DIR", "var/data")).resolve()


# RabbitMQ's own spelling of an age: a number and one of Y, M, D, h, m, s ("7D").
_AGE = re.compile(r"[1-9][0-9]*[YMDhms]")


@dataclass(frozen=True)
class EventLogSettings:
    """How long and how much of the events log (``crmkit.eventlog``) the broker keeps.

    They are the stream's arguments when it is created; an existing log keeps its own
    until a policy changes them (crmkit README, "The events log")."""
    retention: str = "7D"
    # A bound below the disk, so that a burst can never fill it and block every
    # publisher: 10 GB is 7 days at a steady ~8 events/s (a whole flow, lead to paid
    # invoice, makes 17 events of 1.75 KB on average), many times what one sales team
    # makes. Whichever bound comes first discards the oldest segments.
    max_bytes: int = 10_000_000_000
    # Retention drops whole segments and never the one being written: at 500 MB (the
    # broker's default) a quiet system would keep months. 16 MB is ~8,000 events.
    segment_bytes: int = 16_000_000

    @classmethod
    def from_env(cls) -> EventLogSettings:
        retention = _env("CRM_EVENTS_RETENTION", cls.retention)
        if not _AGE.fullmatch(retention):
            raise ValueError("CRM_EVENTS_RETENTION must be a number and a unit of Y, M, D, h, m, s "
                             f"(7D is a week), got {retention!r}")
        return cls(
            retention=retention,
            max_bytes=_positive_int(_env("CRM_EVENTS_MAX_BYTES", str(cls.max_bytes)), "CRM_EVENTS_MAX_BYTES"),
            segment_bytes=_positive_int(_env("CRM_EVENTS_SEGMENT_BYTES", str(cls.segment_bytes)),
                                        "CRM_EVENTS_SEGMENT_BYTES"),
        )


@dataclass(frozen=True)
class Settings:
    service: str
    amqp_uri: str
    # The relay's own login (CRM_RELAY_AMQP_URI, else AMQP_URI): the one user that may
    # publish to the events exchange (crmkit.broker_users).
    relay_amqp_uri: str
    # The events log's reader (CRM_EVENTS_LOG_AMQP_URI, else AMQP_URI): the one user that
    # may read crm.events.log, for every EventLogReader a process opens (the dispatcher,
    # the gateway's event streams).
    events_log_amqp_uri: str
    database_url: str
    max_workers: int
    db_pool_size: int
    log_format: str
    log_level: str
    # Seconds to wait before each retry of a failed event handler; after the last
    # retry the message moves to the handler's dead-letter queue.
    event_retry_delays: tuple[float, ...]
    # The relay wakes on every commit; this slow poll only covers a lost wake-up.
    relay_poll_seconds: float
    relay_batch_size: int
    rpc_timeout_seconds: float
    # Every event's ``source``: absolute, naming the installation and the service.
    event_source: str
    # Where subscribers reach the gateway's API; each event's ``dataschema`` is under it.
    api_url: str
    event_log: EventLogSettings = field(default_factory=EventLogSettings)

    @classmethod
    def for_service(cls, service: str) -> Settings:
        prefix = service.upper()
        default_db = f"sqlite:///{data_dir() / (service + '.db')}"
        max_workers = int(_env("CRM_MAX_WORKERS", "10"))
        amqp_uri = _env("AMQP_URI", DEFAULT_AMQP_URI)
        return cls(
            service=service,
            amqp_uri=amqp_uri,
            relay_amqp_uri=_env("CRM_RELAY_AMQP_URI", amqp_uri),
            events_log_amqp_uri=_env("CRM_EVENTS_LOG_AMQP_URI", amqp_uri),
            database_url=_env(f"{prefix}_DATABASE_URL", default_db),
            max_workers=max_workers,
            # One connection per worker, plus the relay's and a spare (STACK-NOTES).
            db_pool_size=int(_env("CRM_DB_POOL_SIZE", str(max_workers + 2))),
            log_format=_env("CRM_LOG_FORMAT", "json"),
            log_level=_env("CRM_LOG_LEVEL", "INFO"),
            event_retry_delays=_floats(
                _env("CRM_EVENT_RETRY_DELAYS", "1,10,60"), "CRM_EVENT_RETRY_DELAYS"
            ),
            relay_poll_seconds=float(_env("CRM_RELAY_POLL_SECONDS", "5")),
            relay_batch_size=int(_env("CRM_RELAY_BATCH_SIZE", "200")),
            rpc_timeout_seconds=float(_env("CRM_RPC_TIMEOUT_SECONDS", "10")),
            event_source=f"urn:crm:{installation_id(amqp_uri)}:{service}",
            api_url=_env("CRM_API_URL", DEFAULT_API_URL).rstrip("/"),
            event_log=EventLogSettings.from_env(),
        )

    def nameko_config(self) -> dict:
        return {
            "AMQP_URI": self.amqp_uri,
            "max_workers": self.max_workers,
            "serializer": "json",
            "ACCEPT": ["json", "cloudevents"],
        }
