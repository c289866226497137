"""Starting and setting up a nameko service the same way everywhere."""
from __future__ import annotations

import inspect
import logging
import signal

from kombu import Connection

from . import broker, logs
from .broker import require_broker
from .settings import Settings

log = logging.getLogger("crmkit.runner")


def event_handlers(service_cls):
    from .entrypoints import EventHandler

    for method_name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler):
                yield method_name, entrypoint.event_types


def setup_service(service_cls) -> None:
    """Migrate the service's database and declare its broker topology."""
    from . import migrations

    settings = Settings.for_service(service_cls.name)
    logs.configure(f"{service_cls.name}-setup", settings.log_format, settings.log_level)
    package = service_cls.__module__.split(".")[0]
    migrations.upgrade(service_cls.name, package, settings.database_url)
    require_broker(settings.amqp_uri)
    with Connection(settings.amqp_uri) as conn:
        channel = conn.default_channel
        # nameko declares its RPC queue only when the service starts; declared here, a
        # call made before that waits in the queue instead of being dropped unroutable.
        broker.rpc_queue(service_cls.name)(channel).declare()
        broker.EVENTS_EXCHANGE(channel).declare()
        broker.declare_events_log(conn, settings.event_log)
        for method_name, event_types in event_handlers(service_cls):
            broker.declare_handler_topology(channel, service_cls.name, method_name, event_types,
                                            settings.event_retry_delays)
    log.info("%s is set up: database migrated, queues and the events log declared", service_cls.name)


def run_service(service_cls) -> None:
    import eventlet
    from nameko.runners import ServiceRunner

    settings = Settings.for_service(service_cls.name)
    logs.configure(service_cls.name, settings.log_format, settings.log_level)
    require_broker(settings.amqp_uri)
    runner = ServiceRunner(settings.nameko_config())
    runner.add_service(service_cls)

    stopping = []

    def shutdown(_signum, _frame):
        # Signal handlers run in the hub's main loop and cannot block: stop in a greenlet.
        # A second signal (Ctrl-C, then the supervisor's SIGTERM) must not start a second,
        # concurrent stop: nameko never finishes then. It kills the workers instead.
        if stopping:
            log.warning("%s: stop requested again; killing running workers", service_cls.name)
            eventlet.spawn_n(runner.kill)
            return
        stopping.append(True)
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    log.info("%s is running", service_cls.name)
    waiter = eventlet.spawn(runner.wait)
    while True:
        try:
            waiter.wait()
            break
        except OSError:  # EINTR from a signal while the hub waited on a socket
            continue
    log.info("%s stopped", service_cls.name)
