"""The broker users an installation runs on (``crm broker setup``). Raw broker access
stays an operator's; each process gets only what its work needs:

- the relays' user may declare and bind the events exchange and the events log, and
  publish to the exchange; nothing else. So what reaches ``crm.events`` is what a
  service committed to its outbox, never what any other process chose to send;
- the events log's reader (the webhooks' dispatcher, the gateway's event streams) may
  consume ``crm.events.log`` and do nothing else: no declaring, no publishing, no other
  queue. The log holds every event of the retention, personal data included, so only
  what needs it reads it;
- the services' user (services, their setup, the gateway's RPC and revocations) may do
  all nameko and crmkit do: declare and use any queue and exchange, write everywhere
  but the events exchange, read everything but the events log.

Permissions are regular expressions matched against resource names by the broker
(Erlang's ``re``, PCRE: the negative lookahead is supported; "" matches nothing, the
default exchange being ``amq.default`` to the broker). Users are global on a broker;
their permissions are per vhost, the vhost of ``AMQP_URI``.
"""
from __future__ import annotations

import secrets
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests

from .broker import EVENTS_EXCHANGE, EVENTS_LOG

_EXCHANGE = EVENTS_EXCHANGE.name.replace(".", r"\.")
_LOG = EVENTS_LOG.replace(".", r"\.")
RELAY_PERMISSIONS = {"configure": f"^({_EXCHANGE}|{_LOG})$", "write": f"^({_EXCHANGE}|{_LOG})$",
                     "read": f"^{_EXCHANGE}$"}
# A stream consumer needs read on the stream and nothing else: basic.qos and the
# x-stream-offset argument of basic.consume ask no permission, and the reader declares
# nothing (measured on RabbitMQ 3.x: tests/test_broker_users.py).
LOG_READER_PERMISSIONS = {"configure": "", "write": "", "read": f"^{_LOG}$"}
SERVICE_PERMISSIONS = {"configure": ".*", "write": f"^(?!{_EXCHANGE}$).*", "read": f"^(?!{_LOG}$).*"}
PERMISSIONS = {"relay": RELAY_PERMISSIONS, "log_reader": LOG_READER_PERMISSIONS, "service": SERVICE_PERMISSIONS}


class Management:
    """RabbitMQ's management API at a URL with an administrator's user and password in
    it (http://admin:secret@rabbitmq:15672/api)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        if not parts.username:
            raise ValueError("the management URL needs an administrator's user and password in it "
                             "(http://user:password@host:15672/api)")
        self.api = urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                               parts.path.rstrip("/"), "", ""))
        self.http = requests.Session()
        self.http.auth = (unquote(parts.username), unquote(parts.password or ""))

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        answer = self.http.request(method, f"{self.api}/{path}", timeout=10, **kwargs)
        answer.raise_for_status()
        return answer

    def put_user(self, user: str, password: str) -> None:
        self._call("PUT", f"users/{quote(user, safe='')}", json={"password": password, "tags": ""})

    def set_permissions(self, vhost: str, user: str, permissions: dict) -> None:
        self._call("PUT", f"permissions/{quote(vhost, safe='')}/{quote(user, safe='')}", json=permissions)

    def vhost_users(self, vhost: str) -> set[str]:
        """The users with permissions on ``vhost``."""
        return {p["user"] for p in self._call("GET", f"vhosts/{quote(vhost, safe='')}/permissions").json()}

    def forget_user(self, vhost: str, user: str) -> None:
        """Take ``user``'s permissions on ``vhost`` away, and the user itself when it has
        none left elsewhere (users are the broker's, shared by its vhosts). Gone already
        is fine."""
        name = quote(user, safe="")
        answer = self.http.delete(f"{self.api}/permissions/{quote(vhost, safe='')}/{name}", timeout=10)
        if answer.status_code not in (204, 404):
            answer.raise_for_status()
        elsewhere = self.http.get(f"{self.api}/users/{name}/permissions", timeout=10)
        if elsewhere.status_code == 404:
            return
        elsewhere.raise_for_status()
        if not elsewhere.json():
            answer = self.http.delete(f"{self.api}/users/{name}", timeout=10)
            if answer.status_code not in (204, 404):
                answer.raise_for_status()

    def close_connections(self, user: str, reason: str) -> None:
        """Close every connection ``user`` has open (after its password changed or it
        was removed: the broker checks a password only when a connection opens)."""
        for connection in self._call("GET", "connections", params={"columns": "name,user"}).json():
            if connection.get("user") == user:
                answer = self.http.delete(f"{self.api}/connections/{quote(connection['name'], safe='')}",
                                          headers={"X-Reason": reason}, timeout=10)
                if answer.status_code not in (204, 404):
                    answer.raise_for_status()

    def delete_queue(self, vhost: str, name: str) -> None:
        """Delete a queue with what it holds; gone already is fine."""
        answer = self.http.delete(f"{self.api}/queues/{quote(vhost, safe='')}/{quote(name, safe='')}", timeout=10)
        if answer.status_code not in (204, 404):
            answer.raise_for_status()

    def queues(self, vhost: str) -> set[str]:
        """The names of the queues on ``vhost``."""
        return {q["name"] for q in self._call("GET", f"queues/{quote(vhost, safe='')}",
                                              params={"columns": "name"}).json()}


def vhost_of(amqp_uri: str) -> str:
    path = urlsplit(amqp_uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def setup(management_url: str, vhost: str, users: dict[str, tuple[str, str | None]]) -> dict[str, str]:
    """Make (or update) the installation's users on ``vhost``: ``users`` maps a kind of
    ``PERMISSIONS`` ("relay", "log_reader", "service") to (user name, password or None
    to generate one). Returns the passwords it set, by kind. Idempotent: a second run
    sets the permissions again and, for a password given, that password."""
    management = Management(management_url)
    passwords = {}
    for kind, (user, password) in users.items():
        password = password or secrets.token_urlsafe(24)
        management.put_user(user, password)
        management.set_permissions(vhost, user, PERMISSIONS[kind])
        passwords[kind] = password
    return passwords


def amqp_uri_for(amqp_uri: str, user: str, password: str) -> str:
    """``amqp_uri`` with another user and password."""
    parts = urlsplit(amqp_uri)
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, f"{quote(user, safe='')}:{quote(password, safe='')}@{host}", parts.path,
                       parts.query, ""))
