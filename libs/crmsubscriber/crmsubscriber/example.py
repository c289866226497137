"""A subscriber that prints every event it gets, one line each, and resumes where it
stopped when run again (its state file remembers the position):

    python -m crmsubscriber.example --target 127.0.0.1:50051 --token crm_... --types 'quote.*' --from 1h
"""
from __future__ import annotations

import argparse
import logging
import re
import signal
from datetime import UTC, datetime, timedelta

from . import State, StreamSubscriber

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def since(text: str) -> datetime:
    """``1h``, ``30m``, ``7d`` ago, or an ISO 8601 time."""
    match = re.fullmatch(r"(\d+)([smhd])", text)
    if match:
        return datetime.now(UTC) - timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crmsubscriber.example", description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="the gateway's gRPC address")
    parser.add_argument("--token", required=True, help="an API token of the admin or integration role")
    parser.add_argument("--types", action="append", default=[], help="a type pattern (repeatable): 'quote.*'")
    parser.add_argument("--from", dest="start", type=since, help="the first time only: 1h, 7d, or a time; "
                                                                 "default: from now")
    parser.add_argument("--state", default="crmsubscriber-example.sqlite", help="where the position is kept")
    parser.add_argument("--heartbeat-seconds", type=int, default=10)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    state = State(args.state)
    subscriber = StreamSubscriber(args.target, args.token, state, types=args.types, start=args.start,
                                  heartbeat_seconds=args.heartbeat_seconds)
    signal.signal(signal.SIGTERM, lambda *_: subscriber.stop())
    signal.signal(signal.SIGINT, lambda *_: subscriber.stop())

    def show(event: dict) -> None:
        print(f"{event['time']} {event['type']} {event['subject']} {event['id']}", flush=True)

    try:
        subscriber.run(show)
    finally:
        state.close()


if __name__ == "__main__":
    main()
