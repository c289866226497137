"""A revoked token stops working on every gateway replica within a second.

Each replica caches what it read about a token (``auth.TokenStore``). A revocation,
wherever it is made (``DELETE /tokens/{id}`` on any replica, ``crm-gateway token
revoke``), is announced on the fanout exchange ``crm.gateway.token-revoked``; every
gateway process listens on a queue of its own (exclusive: it goes with the process)
and drops that token from its cache at once.

A listener that is not connected would miss announcements, so until it is (and while
it reconnects) its store trusts its cache for at most ``auth.UNHEARD_CACHE_SECONDS``,
and it forgets the whole cache when it connects again: a lost broker never lengthens a
revoked token's life. A dead connection is noticed by AMQP heartbeats, within about
twice ``HEARTBEAT_SECONDS``.
"""
from __future__ import annotations

import logging
import threading
import uuid

from kombu import Connection, Consumer, Exchange, Queue

from .auth import TokenStore

log = logging.getLogger(__name__)

EXCHANGE = Exchange("crm.gateway.token-revoked", type="fanout", durable=True)
HEARTBEAT_SECONDS = 4
RECONNECT_SECONDS = 1.0


class RevocationAnnouncer:
    """Tells every replica that a token was revoked (``TokenStore(announce=...)``)."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri

    def __call__(self, token_id: str, token_hash: str) -> None:
        try:
            with Connection(self.amqp_uri, connect_timeout=3, transport_options={"confirm_publish": True}) as conn:
                conn.Producer().publish(
                    {"token_id": token_id, "token_hash": token_hash}, exchange=EXCHANGE, declare=[EXCHANGE],
                    serializer="json", delivery_mode=1,  # news for the replicas running now, not for later
                    retry=True, retry_policy={"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5})
        except Exception:
            # The revocation is stored; replicas still listening keep trusting their cache for
            # up to auth.CACHE_SECONDS, those that lost the broker for UNHEARD_CACHE_SECONDS.
            log.exception("token %s is revoked, but the announcement to the other replicas failed", token_id)


class RevocationListener:
    """A background thread: announcements in, cache entries out."""

    def __init__(self, amqp_uri: str, store: TokenStore):
        self.amqp_uri = amqp_uri
        self.store = store
        self.queue = Queue(f"crm.gateway.token-revoked.{uuid.uuid4().hex}", exchange=EXCHANGE,
                           exclusive=True, durable=False)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="token-revocations", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _on_announcement(self, body, message) -> None:
        message.ack()
        if isinstance(body, dict) and isinstance(body.get("token_hash"), str):
            self.store.forget(body["token_hash"])

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                with Connection(self.amqp_uri, heartbeat=HEARTBEAT_SECONDS, connect_timeout=3) as conn:
                    with Consumer(conn, queues=[self.queue], callbacks=[self._on_announcement], accept=["json"]):
                        self.store.hearing(True)
                        while not self._stopping.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                conn.heartbeat_check()
            except Exception as exc:
                if not self._stopping.is_set():
                    log.warning("token revocations: lost the broker (%s); reconnecting", exc)
            finally:
                self.store.hearing(False)
            self._stopping.wait(RECONNECT_SECONDS)
