"""Commands that run a service: ``crm-service run|setup <name>`` and ``crm-relay <name>``;
and the operators' ``crm``: ``crm events tail`` prints the events log; ``crm broker
setup`` makes the broker users (crmkit.broker_users).

Services are found through the ``crm.services`` entry point group, so a service is
deployable on its own: install its package and crmkit, and these commands know it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points


def _service_class(name: str):
    if ":" in name:  # module:Class, for a service that is not installed (tests, experiments)
        from importlib import import_module

        module, _, attr = name.partition(":")
        return getattr(import_module(module), attr)
    found = {ep.name: ep for ep in entry_points(group="crm.services")}
    if name not in found:
        known = ", ".join(sorted(found)) or "none installed"
        sys.exit(f"unknown service {name!r} (known: {known})")
    return found[name].load()


def service_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crm-service", description="Run or set up one CRM service.")
    parser.add_argument("command", choices=["run", "setup"],
                        help="run: start the service; setup: migrate its database and declare its queues")
    parser.add_argument("service")
    args = parser.parse_args(argv)
    if args.command == "run":
        # Before anything imports socket or threading on behalf of the service.
        import eventlet

        eventlet.monkey_patch()
        from .runner import run_service

        run_service(_service_class(args.service))
    else:
        from .runner import setup_service

        setup_service(_service_class(args.service))


def relay_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crm-relay", description="Publish a service's outbox.")
    parser.add_argument("service")
    args = parser.parse_args(argv)
    from . import logs, relay
    from .broker import require_broker
    from .settings import Settings

    settings = Settings.for_service(args.service)
    logs.configure(f"{args.service}-relay", settings.log_format, settings.log_level)
    require_broker(settings.relay_amqp_uri)
    relay.run(args.service)


# Per kind of broker user: the variable holding its password for `crm broker setup`,
# and the setting a process reads its login from (printed when the password is generated).
_BROKER_USERS = {"relay": ("CRM_RELAY_BROKER_PASSWORD", "CRM_RELAY_AMQP_URI"),
                 "log_reader": ("CRM_LOG_READER_BROKER_PASSWORD", "CRM_EVENTS_LOG_AMQP_URI"),
                 "service": ("CRM_SERVICE_BROKER_PASSWORD", "AMQP_URI")}


def _broker_setup(args) -> None:
    from . import broker_users
    from .settings import DEFAULT_AMQP_URI

    if not args.management_url:
        sys.exit("crm broker setup needs the management API: --management-url or CRM_BROKER_MANAGEMENT_URL "
                 "(http://admin:password@rabbitmq:15672/api)")
    amqp_uri = os.environ.get("AMQP_URI") or DEFAULT_AMQP_URI
    names = {"relay": args.relay_user, "log_reader": args.log_reader_user, "service": args.service_user}
    users = {kind: (names[kind], os.environ.get(password) or None)
             for kind, (password, _) in _BROKER_USERS.items()}
    try:
        passwords = broker_users.setup(args.management_url, broker_users.vhost_of(amqp_uri), users)
    except (ValueError, OSError) as exc:  # requests' errors are OSErrors
        sys.exit(f"crm broker setup: {exc}")
    for kind, (user, given) in users.items():
        if not given:  # shown once: nothing keeps it
            print(f"{_BROKER_USERS[kind][1]}={broker_users.amqp_uri_for(amqp_uri, user, passwords[kind])}")


_AGO = re.compile(r"([1-9][0-9]*)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _start(value: str) -> dict:
    """``--from``: first | now | a position | an age (90s, 15m, 1h, 7d) | an ISO time
    (UTC unless it says otherwise); the keyword arguments of ``eventlog.read``."""
    if value == "first":
        return {}
    if value == "now":
        return {"only_new": True}
    if value.isdigit():
        return {"from_position": int(value)}
    if ago := _AGO.fullmatch(value):
        return {"from_time": datetime.now(UTC) - timedelta(**{_UNITS[ago[2]]: int(ago[1])})}
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--from takes first, now, a position, an age such as 1h or an ISO time; got {value!r}") from None
    return {"from_time": at if at.tzinfo else at.replace(tzinfo=UTC)}


def _line(event) -> str:
    e = event.envelope
    sequence = "-" if e.sequence is None else e.sequence
    return f"{event.position:>10}  {e.time}  {e.type}  {e.subject}  {sequence}"


def crm_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crm", description="Operators' commands of the CRM.")
    sub = parser.add_subparsers(dest="topic", required=True)
    events = sub.add_parser("events", help="the events log").add_subparsers(dest="command", required=True)
    tail = events.add_parser(
        "tail", help="print the events log: one line per event (position, time, type, subject, sequence)")
    tail.add_argument("--type", action="append", default=[], metavar="PATTERN",
                      help="only these types, e.g. 'quote.*' or 'crm.invoice.#' (repeatable)")
    where = tail.add_mutually_exclusive_group()
    where.add_argument("--from", dest="start", type=_start, default=_start("1h"),
                       help="first, now, a position, an age (15m, 1h, 7d) or an ISO time; default 1h")
    where.add_argument("--after", type=int, metavar="POSITION", help="the events after this position (resume)")
    tail.add_argument("--follow", "-f", action="store_true", help="keep printing new events until Ctrl-C")
    tail.add_argument("--json", action="store_true",
                      help='one JSON object per event: {"position": ..., "event": <the whole envelope>}')
    broker = sub.add_parser("broker", help="the broker's users").add_subparsers(dest="command", required=True)
    setup = broker.add_parser(
        "setup", help="make the broker users: the relays' (only they may publish to crm.events), the events "
                      "log's reader (only it may read crm.events.log) and the services'; passwords from "
                      "CRM_RELAY_BROKER_PASSWORD, CRM_LOG_READER_BROKER_PASSWORD and CRM_SERVICE_BROKER_PASSWORD, "
                      "else generated and printed once")
    setup.add_argument("--management-url", default=os.environ.get("CRM_BROKER_MANAGEMENT_URL"),
                       help="the management API with an administrator's login (default: CRM_BROKER_MANAGEMENT_URL)")
    setup.add_argument("--relay-user", default="crm-relay")
    setup.add_argument("--log-reader-user", default="crm-log-reader")
    setup.add_argument("--service-user", default="crm-service")
    args = parser.parse_args(argv)
    if args.topic == "broker":
        _broker_setup(args)
        return

    from amqp.exceptions import AccessRefused, NotFound

    from . import eventlog
    from .broker import EVENTS_LOG, require_broker
    from .settings import DEFAULT_AMQP_URI

    amqp_uri = os.environ.get("AMQP_URI") or DEFAULT_AMQP_URI
    require_broker(amqp_uri)
    start = {"after": args.after} if args.after is not None else args.start
    try:
        for event in eventlog.read(amqp_uri, types=args.type, follow=args.follow, **start):
            if args.json:
                print(json.dumps({"position": event.position, "event": event.envelope.to_dict()}), flush=True)
            else:
                print(_line(event), flush=True)
    except ValueError as exc:  # a bad --type pattern
        sys.exit(f"crm events tail: {exc}")
    except NotFound:
        sys.exit(f"there is no events log {EVENTS_LOG} on this broker yet: `crm-service setup <service>` "
                 "or any relay declares it")
    except AccessRefused:  # the services' login, say: only the log's reader may read it
        sys.exit(f"the broker refuses this login reading {EVENTS_LOG}: give AMQP_URI the events log reader's "
                 "login (CRM_EVENTS_LOG_AMQP_URI) or an operator's")
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # piped into head, which has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
