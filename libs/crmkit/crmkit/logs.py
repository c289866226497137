"""Logging: one line per record, JSON for machines or text for a person at a terminal,
and always the call context (correlation id, actor) of the work that wrote it."""
from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from . import context


class _ContextFilter(logging.Filter):
    def __init__(self, process: str):
        super().__init__()
        self.process = process

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = context.current()
        record.correlation_id = ctx.correlation_id or "-"
        record.actor = ctx.actor or "-"
        record.process_label = self.process
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "process": record.process_label,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": record.correlation_id,
            "actor": record.actor,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)-5s [%(correlation_id)s %(actor)s] %(name)s: %(message)s"


def configure(process: str, fmt: str = "json", level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(process))
    if fmt == "text":
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, datefmt="%H:%M:%S"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kombu and amqp narrate every connection at INFO; keep their warnings only.
    for noisy in ("kombu", "amqp", "nameko", "alembic.runtime.migration", "waitress"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # nameko logs every expected error (a 404, a 409) as a WARNING with its traceback;
    # they are answers, not faults. Unexpected errors still come at ERROR.
    logging.getLogger("nameko.containers").setLevel(logging.ERROR)
