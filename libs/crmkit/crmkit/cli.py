"""Commands that run a service: ``crm-service run|setup <name>`` and ``crm-relay <name>``.

Services are found through the ``crm.services`` entry point group, so a service is
deployable on its own: install its package and crmkit, and these commands know it.
"""
from __future__ import annotations

import argparse
import sys
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
    from .runner import require_broker
    from .settings import Settings

    settings = Settings.for_service(args.service)
    logs.configure(f"{args.service}-relay", settings.log_format, settings.log_level)
    require_broker(settings.amqp_uri)
    relay.run(args.service)
