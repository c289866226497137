"""``crm-dlq``: list, inspect and replay the events that handlers gave up on.

Each event handler queue ``crm.<service>.<method>`` has a dead-letter queue
``crm.<service>.<method>.dead``; a message lands there after its last retry, with
headers saying why (``x-crm-error``), when and from which queue. Replaying puts it back
on that queue with its retry count reset; the handler's inbox still guarantees that an
event already handled is not handled twice.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import entry_points

from kombu import Connection, Producer

from . import broker
from .runner import event_handlers
from .settings import DEFAULT_AMQP_URI


def dead_letter_queues() -> list[str]:
    names = []
    for ep in entry_points(group="crm.services"):
        service_cls = ep.load()
        for method, _types in event_handlers(service_cls):
            names.append(broker.dead_letter_queue_name(broker.handler_queue_name(service_cls.name, method)))
    return sorted(names)


def _depth(channel, queue: str) -> int | None:
    try:
        return channel.queue_declare(queue, passive=True)[1]
    except Exception:  # not declared yet: the service was never set up on this broker
        return None


def _fetch_all(channel, queue: str) -> list:
    messages = []
    while True:
        raw = channel.basic_get(queue, no_ack=False)
        if raw is None:
            return messages
        messages.append(channel.message_to_python(raw))


def _describe(message) -> dict:
    headers = message.headers or {}
    try:
        body = json.loads(message.body)
    except ValueError:
        body = {}
    return {
        "event_id": message.properties.get("message_id") or body.get("id"),
        "type": body.get("type"), "subject": body.get("subject"),
        "attempts": headers.get("x-crm-attempt"), "failed_at": headers.get("x-crm-failed-at"),
        "queue": headers.get("x-crm-queue"), "error": headers.get("x-crm-error"),
    }


def list_queues(conn) -> list[dict]:
    channel = conn.channel()
    rows = [{"queue": q, "messages": _depth(channel, q)} for q in dead_letter_queues()]
    channel.close()
    return rows


def show(conn, queue: str) -> list[dict]:
    channel = conn.channel()
    messages = _fetch_all(channel, queue)
    described = [_describe(m) for m in messages]
    channel.close()  # unacked: every message goes back where it was
    return described


def replay(conn, queue: str, event_ids: set[str] | None) -> list[str]:
    """Move the chosen messages (all when event_ids is None) back to their queue."""
    channel = conn.channel()
    publisher = Connection(conn.as_uri(include_password=True), transport_options={"confirm_publish": True})
    producer = Producer(publisher.default_channel)
    replayed = []
    try:
        for message in _fetch_all(channel, queue):
            info = _describe(message)
            if event_ids is not None and info["event_id"] not in event_ids:
                continue
            target = info["queue"] or queue.removesuffix(".dead")
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-crm-")}
            producer.publish(message.body, exchange=broker.DEFAULT_EXCHANGE, routing_key=target,
                             content_type=message.content_type, content_encoding=message.content_encoding,
                             delivery_mode=2, message_id=info["event_id"], headers=headers)
            message.ack()  # only once the broker confirmed the copy
            replayed.append(info["event_id"])
    finally:
        channel.close()
        publisher.release()
    return replayed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crm-dlq", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="dead-letter queues of the installed services and their depth")
    show_cmd = sub.add_parser("show", help="the messages of one dead-letter queue, with their errors")
    show_cmd.add_argument("queue")
    replay_cmd = sub.add_parser("replay", help="put dead messages back on their handler's queue")
    replay_cmd.add_argument("queue")
    replay_cmd.add_argument("--event-id", action="append", help="only this event (repeatable); default all")
    args = parser.parse_args(argv)

    with Connection(os.environ.get("AMQP_URI") or DEFAULT_AMQP_URI) as conn:
        if args.command == "list":
            for row in list_queues(conn):
                depth = "not declared" if row["messages"] is None else row["messages"]
                print(f"{row['queue']}\t{depth}")
        elif args.command == "show":
            for info in show(conn, args.queue):
                print(json.dumps(info))
        else:
            ids = set(args.event_id) if args.event_id else None
            replayed = replay(conn, args.queue, ids)
            print(f"replayed {len(replayed)} message(s) from {args.queue}")
            if ids and ids - set(replayed):
                print(f"not found: {', '.join(sorted(ids - set(replayed)))}", file=sys.stderr)
                sys.exit(1)
if __name__ == "__main__":
    main()
