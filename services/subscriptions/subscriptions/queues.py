"""Queue delivery: a subscription's own queue on the broker, ``crm.subscriber.<id>``,
fed by the dispatcher, and its own login, ``crm-subscriber-<id>``, which may read that
queue and do nothing else: not declare, not publish, not read any other queue (the
events log and the services' queues carry what its owner's role may not see).

The queue is a quorum queue (replicated in a cluster) bounded in messages and bytes
with ``reject-publish``: a subscriber that stops reading makes the broker refuse the
dispatcher's next publish (a nack), and the subscription waits and retries as a failing
webhook does, so its queue can never fill the broker's disk and nothing is dropped.

The broker's parts are made before the subscription's row is committed and removed
after its row is deleted; when a step in between fails (the management API down, a
commit lost) the service's sweep removes the parts no subscription owns.
"""
from __future__ import annotations

import logging
import re
import secrets
from contextlib import suppress
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from amqp.exceptions import AMQPError, ChannelError, MessageNacked
from kombu import Connection, Producer
from kombu.exceptions import KombuError

from crmkit.broker import queue_exists
from crmkit.broker_users import Management, vhost_of
from crmkit.envelope import CONTENT_TYPE, Envelope
from crmkit.errors import Unavailable

from .settings import QueueSettings

log = logging.getLogger("subscriptions.queues")

QUEUE_PREFIX = "crm.subscriber."
USER_PREFIX = "crm-subscriber-"
NO_ROUTE = 312  # AMQP reply code of a mandatory message that no queue took


def queue_name(subscription_id: str) -> str:
    return QUEUE_PREFIX + subscription_id


def user_name(subscription_id: str) -> str:
    return USER_PREFIX + subscription_id


def permissions(subscription_id: str) -> dict:
    """Read (consume, get, purge) its own queue; configure and write nothing."""
    return {"configure": "^$", "write": "^$", "read": f"^{re.escape(queue_name(subscription_id))}$"}


class Broker:
    """The broker's side of the queue subscriptions of one installation (its vhost)."""

    def __init__(self, amqp_uri: str, settings: QueueSettings):
        self.amqp_uri, self.settings = amqp_uri, settings
        self.vhost = vhost_of(amqp_uri)
        self.management = Management(settings.management_url) if settings.management_url else None

    @property
    def available(self) -> bool:
        return self.management is not None

    def arguments(self) -> dict:
        return {"x-queue-type": "quorum", "x-max-length": self.settings.max_length,
                "x-max-length-bytes": self.settings.max_bytes, "x-overflow": "reject-publish"}

    def declare(self, connection: Connection, subscription_id: str) -> None:
        """Make the subscription's queue unless it is there (one made under other
        bounds keeps them: declaring it again with others would fail)."""
        name = queue_name(subscription_id)
        if not queue_exists(connection, name):
            channel = connection.channel()
            try:
                channel.queue_declare(name, durable=True, auto_delete=False, arguments=self.arguments())
            finally:
                channel.close()

    def connection(self, subscription_id: str) -> dict:
        """How the subscriber reaches its queue: the broker's address for subscribers
        with its user in it (the password is the subscription's secret, shown once)."""
        parts = urlsplit(self.settings.subscriber_amqp_uri or self.amqp_uri)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        user = user_name(subscription_id)
        return {"name": queue_name(subscription_id), "user": user,
                "amqp_uri": urlunsplit((parts.scheme, f"{quote(user, safe='')}@{host}", parts.path or "/", "", ""))}

    def provision(self, subscription_id: str) -> str:
        """Make the user (with a new password, returned), its permissions and the queue.
        On a failure what was made is taken away again (or left to the sweep)."""
        password = secrets.token_urlsafe(24)
        try:
            self.management.put_user(user_name(subscription_id), password)
            self.management.set_permissions(self.vhost, user_name(subscription_id), permissions(subscription_id))
            with Connection(self.amqp_uri, connect_timeout=5) as connection:
                self.declare(connection, subscription_id)
        except (requests.RequestException, OSError, AMQPError, KombuError) as exc:
            self.remove(subscription_id)
            raise Unavailable(f"The broker did not make the subscription's queue and login ({type(exc).__name__}); "
                              "nothing was made: try again.") from exc
        return password

    def new_password(self, subscription_id: str) -> str:
        """A new password for the subscriber's user; the connections open with the old
        one are closed (a broker user has one password: there is no overlap)."""
        if not self.available:
            raise Unavailable("The broker's management API is not configured here (CRM_BROKER_MANAGEMENT_URL): the "
                              "password cannot be changed.")
        password = secrets.token_urlsafe(24)
        user = user_name(subscription_id)
        try:
            self.management.put_user(user, password)
            self.management.set_permissions(self.vhost, user, permissions(subscription_id))
            self.management.close_connections(user, "the subscription's password was rotated")
        except requests.RequestException as exc:
            raise Unavailable(f"The broker's management API did not answer the rotation ({type(exc).__name__}): "
                              "rotate again for a password that holds.") from exc
        return password

    def remove(self, subscription_id: str) -> bool:
        """Take the subscriber's user and queue away; False when the broker did not
        answer (the sweep removes them later) or is not configured here any more."""
        if not self.available:
            log.warning("no management API (CRM_BROKER_MANAGEMENT_URL) to remove the broker user and queue of "
                        "subscription %s: an operator removes %s and %s", subscription_id,
                        user_name(subscription_id), queue_name(subscription_id))
            return False
        try:
            self.management.forget_user(self.vhost, user_name(subscription_id))
            self.management.close_connections(user_name(subscription_id), "the subscription was deleted")
            self.management.delete_queue(self.vhost, queue_name(subscription_id))
        except requests.RequestException as exc:
            log.warning("could not remove the broker user and queue of subscription %s (%s); the sweep "
                        "removes them", subscription_id, exc)
            return False
        return True

    def owners(self) -> set[str]:
        """The subscription ids that have a user or a queue on this vhost."""
        users = {u[len(USER_PREFIX):] for u in self.management.vhost_users(self.vhost) if u.startswith(USER_PREFIX)}
        queues = {q[len(QUEUE_PREFIX):] for q in self.management.queues(self.vhost) if q.startswith(QUEUE_PREFIX)}
        return users | queues


class Sweep:
    """Removes the broker users and queues no subscription owns, found orphaned at two
    sweeps in a row: one found once may be a create whose row is not committed yet."""

    def __init__(self, broker: Broker):
        self.broker = broker
        self.suspects: set[str] = set()

    def run(self, known_ids) -> set[str]:
        """``known_ids``: a callable giving every queue subscription's id, called after the
        broker was listed. Returns the ids whose parts were removed."""
        owners = self.broker.owners()  # before the subscriptions are read: a create is in those or yet to come
        orphans = owners - set(known_ids())
        removed = {i for i in orphans & self.suspects if self.broker.remove(i)}
        for subscription_id in removed:
            log.info("removed the broker user and queue of subscription %s, which is gone", subscription_id)
        self.suspects = orphans - removed
        return removed


class Publisher:
    """One worker's confirmed publishes into its subscription's queue, in order."""

    def __init__(self, broker: Broker, subscription_id: str):
        self.broker, self.subscription_id = broker, subscription_id
        self.queue = queue_name(subscription_id)
        self._connection: Connection | None = None
        self._producer: Producer | None = None

    def send(self, envelope: Envelope) -> tuple[bool, str | None]:
        """Publish ``envelope`` and wait for the broker's confirm: (ok, error)."""
        error = None
        for _ in range(2):  # an idle connection the network dropped: one new connection, at once
            try:
                self._publish(envelope)
                return True, None
            except MessageNacked:
                return False, (f"the queue {self.queue} is full (its bounds: {self.broker.settings.max_length} "
                               f"messages, {self.broker.settings.max_bytes} bytes): its subscriber reads too slowly "
                               "or not at all")
            except ChannelError as exc:
                self.close()  # the channel still owes that message's confirm
                if exc.reply_code == NO_ROUTE:
                    return False, f"the queue {self.queue} was gone; it is made again"
                return False, f"{type(exc).__name__}: {exc}"[:1000]
            except (OSError, AMQPError, KombuError) as exc:
                self.close()
                error = f"{type(exc).__name__}: {exc}"[:1000]
        return False, error

    def _publish(self, envelope: Envelope) -> None:
        if self._producer is None:
            self._connection = Connection(self.broker.amqp_uri, connect_timeout=5,
                                          transport_options={"confirm_publish": True})
            self.broker.declare(self._connection, self.subscription_id)
            self._producer = Producer(self._connection.channel())
        self._producer.publish(envelope.to_json(), exchange="", routing_key=self.queue, mandatory=True, retry=False,
                               content_type=CONTENT_TYPE, content_encoding="utf-8", delivery_mode=2,
                               message_id=envelope.id)

    def close(self) -> None:
        if self._connection is not None:
            with suppress(Exception):  # it is being dropped
                self._connection.close()
        self._connection = self._producer = None
