"""``crm-gateway``: the REST API on a threaded WSGI server (no eventlet here, so the
gRPC server can later share this process model; see STACK-NOTES.md)."""
from __future__ import annotations

import os
import signal
import sys

import waitress

from crmkit import logs
from crmkit.rpc_client import RpcClient
from crmkit.runner import require_broker
from crmkit.settings import Settings

from .app import create_app


def main() -> None:
    settings = Settings.for_service("gateway")
    logs.configure("gateway", settings.log_format, settings.log_level)
    require_broker(settings.amqp_uri)
    host = os.environ.get("CRM_GATEWAY_HOST", "127.0.0.1")
    port = int(os.environ.get("CRM_GATEWAY_PORT", "8080"))
    threads = int(os.environ.get("CRM_GATEWAY_THREADS", "16"))
    client = RpcClient(settings.amqp_uri, timeout=settings.rpc_timeout_seconds, name="gateway")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(f"gateway listening on http://{host}:{port}/api/v1", flush=True)
        waitress.serve(create_app(client), host=host, port=port, threads=threads, ident="crm-gateway",
                       _quiet=True)
    finally:
        client.close()
