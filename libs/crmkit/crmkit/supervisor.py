"""``crm-up``: set up every installed service, then run the processes of a Procfile in
the foreground with labelled output; Ctrl-C (or SIGTERM) stops them all cleanly.

Kept deliberately small: in production each process is its own container (deploy/).
"""
from __future__ import annotations

import argparse
import os
import selectors
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

COLOURS = ["36", "33", "32", "35", "34", "31", "96", "93"]
STOP_GRACE_SECONDS = 10


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]


def read_procfile(path: Path) -> list[ProcessSpec]:
    specs = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        specs.append(ProcessSpec(name.strip(), shlex.split(command)))
    return specs


def installed_services() -> list[str]:
    return sorted(ep.name for ep in entry_points(group="crm.services"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crm-up", description=__doc__.splitlines()[0])
    parser.add_argument("--procfile", default="Procfile", type=Path)
    args = parser.parse_args(argv)

    from .broker import require_broker
    from .settings import DEFAULT_AMQP_URI

    os.environ.setdefault("CRM_LOG_FORMAT", "text")
    require_broker(os.environ.get("AMQP_URI") or DEFAULT_AMQP_URI)
    offer_queue_subscriptions()
    for service in installed_services():
        subprocess.run([sys.executable, "-m", "crmkit", "setup", service], check=True)
    sys.exit(Supervisor(read_procfile(args.procfile)).run())


LOCAL_MANAGEMENT_URL = "http://guest:guest@127.0.0.1:15672/api"


def offer_queue_subscriptions() -> None:
    """On the local broker of development (guest on 127.0.0.1), queue subscriptions make
    their subscriber's login through its management API when that answers; elsewhere
    the operator sets CRM_BROKER_MANAGEMENT_URL (services/subscriptions/README.md)."""
    from .settings import DEFAULT_AMQP_URI

    if "CRM_BROKER_MANAGEMENT_URL" in os.environ or os.environ.get("AMQP_URI", DEFAULT_AMQP_URI) != DEFAULT_AMQP_URI:
        return
    import requests

    try:
        requests.get("http://127.0.0.1:15672/api/overview", auth=("guest", "guest"), timeout=2).raise_for_status()
    except requests.RequestException:
        print("crm-up: RabbitMQ's management API does not answer on 127.0.0.1:15672, so queue subscriptions are "
              "off (rabbitmq-plugins enable rabbitmq_management turns it on)", file=sys.stderr)
        return
    os.environ["CRM_BROKER_MANAGEMENT_URL"] = LOCAL_MANAGEMENT_URL


class Supervisor:
    def __init__(self, specs: list[ProcessSpec]):
        self.specs = specs
        self.width = max(len(s.name) for s in specs)
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = False
        self.kill_deadline: float | None = None

    def label(self, index: int, name: str) -> str:
        text = name.ljust(self.width)
        if sys.stdout.isatty():
            return f"\x1b[{COLOURS[index % len(COLOURS)]}m{text} |\x1b[0m"
        return f"{text} |"

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        selector = selectors.DefaultSelector()
        labels = {}
        for index, spec in enumerate(self.specs):
            proc = subprocess.Popen(spec.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            self.procs[spec.name] = proc
            labels[spec.name] = self.label(index, spec.name)
            selector.register(proc.stdout, selectors.EVENT_READ, spec.name)
        exit_code = 0
        open_streams = len(self.specs)
        while open_streams:
            for key, _ in selector.select(timeout=0.5):
                line = key.fileobj.readline()
                if not line:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                sys.stdout.write(f"{labels[key.data]} {line.decode(errors='replace')}")
                sys.stdout.flush()
            if not self.stopping:
                for name, proc in self.procs.items():
                    if proc.poll() is not None:
                        print(f"{name} exited with code {proc.returncode}; stopping everything", flush=True)
                        exit_code = 1
                        self._request_stop()
                        break
            if self.stopping:
                self._stop_all()
        for proc in self.procs.values():
            proc.wait()
        return exit_code

    def _request_stop(self, *_args) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        """SIGTERM everything once; SIGKILL what still runs after the grace period."""
        if self.kill_deadline is None:
            self.kill_deadline = time.monotonic() + STOP_GRACE_SECONDS
            for proc in self.procs.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
        elif time.monotonic() > self.kill_deadline:
            for name, proc in self.procs.items():
                if proc.poll() is None:
                    print(f"{name} did not stop in {STOP_GRACE_SECONDS}s; killing it", flush=True)
                    os.killpg(proc.pid, signal.SIGKILL)
