"""``make bench-relay``: how fast a relay empties an outbox backlog into the broker,
beside the confirmed-publish ceiling of one message at a time of the same run (issue
13: batched confirms, at least 5x that ceiling, the order kept).

A throwaway PostgreSQL database gets ``--events`` events in its outbox (as a service
commits them, about 600 bytes each); one ``crmkit.relay.Relay`` then publishes them all
(batches of ``CRM_RELAY_BATCH_SIZE``, 200), and the events log is read back to check
that every event is there once, in the outbox's order.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/relay_bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--ceiling-seconds", type=float, default=3.0)
    args = parser.parse_args(argv)

    from kombu import Connection, Producer, Queue
    from sqlalchemy.orm import Session

    from crmkit import eventlog, outbox, platform_tables
    from crmkit.broker import declare_events_log
    from crmkit.db import make_engine, new_metadata
    from crmkit.envelope import Envelope, event_type
    from crmkit.relay import Relay
    from crmkit.settings import Settings
    from crmkit.testing import PostgresDatabases, RabbitVhost

    with RabbitVhost(prefix="crm-bench") as vhost, PostgresDatabases(["probe"], prefix="crm_bench") as databases:
        os.environ.update({"AMQP_URI": vhost.amqp_uri, "PROBE_DATABASE_URL": databases.url("probe")})
        engine = make_engine(databases.url("probe"))
        metadata = new_metadata()
        platform_tables.install(metadata)
        metadata.create_all(engine)
        settings = Settings.for_service("probe")
        with Connection(vhost.amqp_uri) as conn:
            declare_events_log(conn, settings.event_log)

        # The ceiling: one persistent message at a time, each confirmed before the next.
        body = "x" * 600
        with Connection(vhost.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            queue = Queue(f"bench.relay-ceiling-{uuid.uuid4().hex[:8]}", durable=True)
            producer = Producer(conn.default_channel)
            queue(conn.default_channel).declare()
            sent, start = 0, time.perf_counter()
            while time.perf_counter() - start < args.ceiling_seconds:
                producer.publish(body, routing_key=queue.name, exchange="", delivery_mode=2, retry=False)
                sent += 1
            ceiling = sent / (time.perf_counter() - start)
            queue(conn.default_channel).delete()

        events = [Envelope.new(source="urn:crm:bench:probe", type=event_type("probe.happened"), subject=str(n),
                               data={"record": {"id": str(n), "pad": "x" * 400}}) for n in range(args.events)]
        with Session(engine) as session, session.begin():
            outbox.append(session, events)
        relay = Relay(settings)
        start = time.perf_counter()
        with relay._broker() as (_conn, producer):
            published = 0
            while published < args.events:
                published += relay.publish_batch(producer)
        seconds = time.perf_counter() - start
        logged = [e.envelope.id for e in eventlog.read(vhost.amqp_uri, idle=1.0)]
        engine.dispose()
    in_order = logged == [e.id for e in events]
    rate = args.events / seconds
    print(f"relay: {args.events} events in {seconds:.2f} s = {rate:,.0f} events/s; confirmed publish one at a time "
          f"{ceiling:,.0f} msg/s; ratio {rate / ceiling:.1f}x; in the log once each, in order: {in_order} "
          f"(load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    return 0 if in_order else 1


if __name__ == "__main__":
    sys.exit(main())
