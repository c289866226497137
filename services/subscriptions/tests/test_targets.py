"""targets: what a webhook may be sent to, and that a POST goes to the address checked
(a real HTTP server on 127.0.0.1, real name resolution)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from subscriptions import targets


@pytest.fixture()
def server():
    hosts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hosts.append(self.headers["Host"])
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args):
            """Quiet: a line per request would drown pytest's output."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_port, hosts
    httpd.shutdown()


def post(url: str, address: str) -> int:
    pools = targets.Pools()
    try:
        answer = pools.pool(url, address).urlopen("POST", "/hook", body=b"{}",
                                                  headers={"Host": targets.host_header(url)})
        return answer.status
    finally:
        pools.close()


def test_localhost_is_refused_without_the_setting_and_resolved_to_loopback_with_it():
    with pytest.raises(targets.TargetRefused, match="127.0.0.1|::1"):
        targets.address("http://localhost:8080/hook", allow_private=False)
    assert targets.address("http://localhost:8080/hook", allow_private=True) == "127.0.0.1"


def test_a_post_goes_to_the_checked_address_with_the_name_as_host(server):
    port, hosts = server
    url = f"http://localhost:{port}/hook"
    assert post(url, targets.address(url, allow_private=True)) == 204
    assert hosts == [f"localhost:{port}"]


def test_the_connection_does_not_resolve_the_name_again(server):
    # A name that resolves nowhere: only a connection to the checked address reaches the server.
    port, hosts = server
    url = f"http://rebinding.invalid:{port}/hook"
    assert post(url, "127.0.0.1") == 204
    assert hosts == [f"rebinding.invalid:{port}"]


def test_https_checks_the_certificate_for_the_name_not_the_address():
    pools = targets.Pools()
    pool = pools.pool("https://localhost:443/hook", "127.0.0.1")
    assert (pool.host, pool.conn_kw["server_hostname"], pool.assert_hostname) == ("127.0.0.1", "localhost", "localhost")
    assert pool.cert_reqs == "CERT_REQUIRED"
