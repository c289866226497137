"""Where a webhook may go: http(s) URLs whose host resolves only to public addresses,
unless the operator allows private ones (CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS=1).

The check runs when a subscription is made or changed, and again before every POST
(a name may resolve elsewhere later). Redirects are never followed: a 3xx is a failed
delivery, so a public endpoint cannot bounce a POST to an internal one."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class TargetRefused(ValueError):
    """The URL is not one a webhook may be sent to; the message says why."""


def check(url: str, allow_private: bool) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a bracketed host that is no IPv6 address
        raise TargetRefused("Must be an http or https URL with a host.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("Must be an http or https URL with a host.")
    if parts.username or parts.password:
        raise TargetRefused("Must not carry a user or password; the signature authenticates us.")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError) as exc:
        raise TargetRefused(f"The host {parts.hostname} does not resolve ({exc}).") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise TargetRefused(f"The host {parts.hostname} resolves to {address}, a loopback, private, link-local "
                                "or reserved address; webhooks go to public addresses only.")
