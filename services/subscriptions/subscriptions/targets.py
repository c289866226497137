"""Where a webhook may go: http(s) URLs whose host resolves only to public addresses,
unless the operator allows private ones (CRM_WEBHOOKS_ALLOW_PRIVATE_TARGETS=1).

The check runs when a subscription is made or changed, and again before every POST
(a name may resolve elsewhere later), and the POST connects to the address that check
found (``Pools``: the name is not resolved a second time, so it cannot be rebound to a
private address in between), with the name in the Host header and, for https, in the
TLS SNI and the certificate check. Redirects are never followed: a 3xx is a failed
delivery, so a public endpoint cannot bounce a POST to an internal one."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH


class TargetRefused(ValueError):
    """The URL is not one a webhook may be sent to; the message says why."""


def check(url: str, allow_private: bool) -> None:
    """May a subscription name ``url``? (With private targets allowed, its host need not
    resolve yet: it is resolved before each POST.)"""
    if allow_private:
        _parts(url)
    else:
        address(url, allow_private)


def _parts(url: str):
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a bracketed host that is no IPv6 address
        raise TargetRefused("Must be an http or https URL with a host.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("Must be an http or https URL with a host.")
    if parts.username or parts.password:
        raise TargetRefused("Must not carry a user or password; the signature authenticates us.")
    return parts


DEFAULT_PORTS = {"http": 80, "https": 443}


def _port(parts) -> int:
    return parts.port or DEFAULT_PORTS[parts.scheme]


def address(url: str, allow_private: bool) -> str:
    """The address a POST to ``url`` connects to (the first its host resolves to), or
    TargetRefused when it may not be sent there."""
    parts = _parts(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, _port(parts), proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError) as exc:
        raise TargetRefused(f"The host {parts.hostname} does not resolve ({exc}).") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global and not allow_private:
            raise TargetRefused(f"The host {parts.hostname} resolves to {ip}, a loopback, private, link-local "
                                "or reserved address; webhooks go to public addresses only.")
    # IPv4 first: a host with an IPv6 address often has no route for it.
    return sorted(infos, key=lambda info: info[0] != socket.AF_INET)[0][4][0]


class Pools:
    """Keep-alive connection pools that connect to a checked address, one per (scheme,
    address, port, name): the name goes in the Host header and, for https, in the SNI
    and the certificate's verification, as if it had been resolved to that address."""

    def __init__(self):
        self.pools: dict[tuple, urllib3.HTTPConnectionPool] = {}

    def pool(self, url: str, address: str) -> urllib3.HTTPConnectionPool:
        parts = urlsplit(url)
        port = _port(parts)
        key = (parts.scheme, address, port, parts.hostname)
        if key not in self.pools:
            if parts.scheme == "https":
                self.pools[key] = urllib3.HTTPSConnectionPool(
                    address, port, maxsize=1, retries=False, server_hostname=parts.hostname,
                    assert_hostname=parts.hostname, cert_reqs="CERT_REQUIRED", ca_certs=DEFAULT_CA_BUNDLE_PATH)
            else:
                self.pools[key] = urllib3.HTTPConnectionPool(address, port, maxsize=1, retries=False)
        return self.pools[key]

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        self.pools.clear()


def host_header(url: str) -> str:
    """The Host header for ``url``: its name, and its port when not the scheme's own."""
    parts = urlsplit(url)
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return name if parts.port in (None, DEFAULT_PORTS[parts.scheme]) else f"{name}:{parts.port}"
