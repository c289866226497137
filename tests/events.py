"""Reading and injecting events in a test's own vhost and databases."""
from __future__ import annotations

import json
import time

from kombu import Connection, Producer
from sqlalchemy import create_engine, text

from crmkit.broker import EVENTS_EXCHANGE
from crmkit.envelope import CONTENT_TYPE


def publish(amqp_uri: str, body: dict) -> None:
    """Publish an event as a relay would: persistent, confirmed, on crm.events."""
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.default_channel, exchange=EVENTS_EXCHANGE).publish(
            json.dumps(body), routing_key=body["type"], content_type=CONTENT_TYPE,
            content_encoding="utf-8", delivery_mode=2, message_id=body["id"])


def query(database_url: str, sql: str, **params) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def outbox_events(database_url: str, event_type: str, subject: str) -> list[dict]:
    rows = query(database_url, "SELECT body FROM outbox WHERE type = :t AND subject = :s ORDER BY id",
                 t=event_type, s=subject)
    return [json.loads(row.body) for row in rows]


def wait_for(predicate, timeout: float = 20, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} not met within {timeout}s"
        time.sleep(0.05)
