"""``crm-gateway``: one gateway replica, serving the API over REST (waitress, threads)
and gRPC (grpcio, threads) from one process with one core: one token cache, one
revocation listener and one rate limiter for both (no eventlet here; see
STACK-NOTES.md). And ``crm-gateway token ...`` to make the first admin token.

    crm-gateway                      serve REST and gRPC (migrates the gateway's database first)
    crm-gateway setup                only migrate (a Kubernetes init container)
    crm-gateway token create --role admin --user-id ops --name "first admin" [--secret-only]
    crm-gateway token list
    crm-gateway token revoke <id>
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import timedelta

from crmkit import logs
from crmkit.db import make_engine, utcnow
from crmkit.migrations import upgrade
from crmkit.settings import Settings

from .auth import ROLES, FailedAuthLimiter, RateLimiter, TokenStore

DEFAULT_RATE_LIMIT_PER_MINUTE = 600
# Enough for a person who mistypes and a script whose token just expired; far too few to guess one.
DEFAULT_FAILED_AUTH_PER_MINUTE = 20


def token_store(settings: Settings) -> TokenStore:
    """The API tokens (migrated first); a revocation is announced to every replica."""
    from .revocations import RevocationAnnouncer

    upgrade("gateway", "gateway", settings.database_url)
    return TokenStore(make_engine(settings.database_url, pool_size=settings.db_pool_size),
                      announce=RevocationAnnouncer(settings.amqp_uri))


def rate_limiter() -> RateLimiter:
    return RateLimiter(int(os.environ.get("CRM_GATEWAY_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE)))


def failed_auth_limiter() -> FailedAuthLimiter:
    return FailedAuthLimiter(int(os.environ.get("CRM_GATEWAY_FAILED_AUTH_PER_MINUTE", DEFAULT_FAILED_AUTH_PER_MINUTE)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crm-gateway", description="The CRM's REST API and its API tokens.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve REST under /api/v1 and gRPC (the default)")
    commands.add_parser("setup", help="migrate the gateway's database")
    token = commands.add_parser("token", help="make, list or revoke API tokens").add_subparsers(
        dest="action", required=True)
    create = token.add_parser("create", help="make a token and print it (once)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--user-id", required=True, help="who the token acts for (the actor in histories)")
    create.add_argument("--name", required=True)
    create.add_argument("--team", help="a sales rep's team")
    create.add_argument("--rate-limit-per-minute", type=int)
    create.add_argument("--expires-in-days", type=int, help="stops working after so many days (default: never)")
    create.add_argument("--secret-only", action="store_true", help="print only the token (for scripts)")
    token.add_parser("list", help="list the tokens that are not revoked")
    revoke = token.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    args = parser.parse_args(argv)

    settings = Settings.for_service("gateway")
    if args.command == "token":
        sys.exit(_token_command(args, token_store(settings)))
    if args.command == "setup":
        upgrade("gateway", "gateway", settings.database_url)
        return
    _serve(settings)


def _token_command(args, store: TokenStore) -> int:
    if args.action == "create":
        from marshmallow import ValidationError

        from .schemas import TokenIn

        try:
            expires_at = None
            if args.expires_in_days is not None:
                expires_at = (utcnow() + timedelta(days=args.expires_in_days)).isoformat()
            data = TokenIn().load({"name": args.name, "role": args.role, "user_id": args.user_id, "team": args.team,
                                   "rate_limit_per_minute": args.rate_limit_per_minute, "expires_at": expires_at})
        except ValidationError as exc:
            print(json.dumps(exc.messages), file=sys.stderr)
            return 2
        secret, record = store.create(created_by="crm-gateway token create", **data)
        print(secret if args.secret_only else json.dumps({**record, "token": secret}, indent=2))
    elif args.action == "list":
        print(json.dumps(store.list_tokens(), indent=2))
    else:
        record = store.revoke(args.token_id)
        if record is None:
            print(f"no token {args.token_id}", file=sys.stderr)
            return 1
        print(json.dumps(record, indent=2))
    return 0


def _serve(settings: Settings) -> None:
    import waitress

    from crmkit.broker import require_broker
    from crmkit.rpc_client import RpcClient

    from . import grpc_server
    from .app import create_app
    from .arrivals import DEFAULT_MAX_WAIT_SECONDS, Arrivals
    from .core import Gateway
    from .revocations import RevocationListener
    from .subscribe import DEFAULT_MAX_STREAMS, EventStreams

    grpc_server.refuse_eventlet()
    logs.configure("gateway", settings.log_format, settings.log_level)
    require_broker(settings.amqp_uri)
    host = os.environ.get("CRM_GATEWAY_HOST", "127.0.0.1")
    port = int(os.environ.get("CRM_GATEWAY_PORT", "8080"))
    threads = int(os.environ.get("CRM_GATEWAY_THREADS", "16"))
    grpc_address = f"{os.environ.get('CRM_GRPC_HOST', '127.0.0.1')}:{os.environ.get('CRM_GRPC_PORT', '50051')}"
    grpc_threads = int(os.environ.get("CRM_GRPC_THREADS", "16"))
    tokens = token_store(settings)
    revocations = RevocationListener(settings.amqp_uri, tokens)
    revocations.start()
    client = RpcClient(settings.amqp_uri, timeout=settings.rpc_timeout_seconds, name="gateway")
    gateway = Gateway(client, tokens, rate_limiter(), failed_auth=failed_auth_limiter(), api_url=settings.api_url)
    # Prefer: wait=N learns from the events log that a record has come (as the log's reader).
    gateway.arrivals = Arrivals(settings.events_log_amqp_uri,
                                float(os.environ.get("CRM_GATEWAY_MAX_WAIT_SECONDS", DEFAULT_MAX_WAIT_SECONDS)),
                                int(os.environ.get("CRM_GATEWAY_MAX_WAITING", max(1, threads // 2))))
    # Only a proxy named here may say who the client is (X-Forwarded-For); unset, the peer is.
    trusted_proxy = os.environ.get("CRM_GATEWAY_TRUSTED_PROXY")
    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-for"}} if trusted_proxy else {}
    # The streams read the events log, as its reader (crmkit.broker_users); RPC and
    # revocations stay on the services' login.
    streams = EventStreams(gateway, settings.events_log_amqp_uri,
                           int(os.environ.get("CRM_GRPC_MAX_STREAMS", DEFAULT_MAX_STREAMS)))
    try:
        grpc, grpc_health, grpc_port = grpc_server.make_server(gateway, grpc_address, grpc_threads, streams)
    except OSError as exc:
        client.close()
        sys.exit(f"crm-gateway: {exc}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    grpc.start()
    try:
        print(f"gateway listening on http://{host}:{port}/api/v1 and gRPC {grpc_address.rsplit(':', 1)[0]}:"
              f"{grpc_port}", flush=True)
        waitress.serve(create_app(gateway), host=host, port=port, threads=threads, ident="crm-gateway",
                       clear_untrusted_proxy_headers=True, _quiet=True, **proxy)
    finally:
        grpc_server.stop(grpc, grpc_health, streams)
        gateway.arrivals.stop()
        revocations.stop()
        client.close()
        print("gateway stopped", flush=True)
