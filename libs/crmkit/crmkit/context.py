"""The call context that follows one user action through every process.

The gateway starts it (correlation id, actor); RPC carries it in ``nameko.*`` message
headers, which nameko turns into ``worker_ctx.context_data``; events carry it in their
envelope. Inside a process it lives in context variables, so every log line can show it.
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import asdict, dataclass

from nameko.extensions import DependencyProvider

_current: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar(
    "crm_call_context", default=None
)


@dataclass(frozen=True)
class CallContext:
    correlation_id: str | None = None
    actor: str | None = None
    # The request or event that caused the work now being done.
    causation_id: str | None = None
    # Names one write: done once, however often it is asked (crmkit.idempotency).
    idempotency_key: str | None = None

    @classmethod
    def from_context_data(cls, data: dict) -> CallContext:
        return cls(
            correlation_id=data.get("correlation_id"),
            actor=data.get("actor"),
            causation_id=data.get("causation_id"),
            idempotency_key=data.get("idempotency_key"),
        )

    def as_context_data(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def current() -> CallContext:
    return _current.get() or CallContext()


def bind(ctx: CallContext) -> contextvars.Token:
    return _current.set(ctx)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)


class Call(DependencyProvider):
    """Injects the worker's CallContext and binds it for logging while the worker runs."""

    def __init__(self):
        self._tokens: dict = {}

    def get_dependency(self, worker_ctx):
        return CallContext.from_context_data(worker_ctx.context_data)

    def worker_setup(self, worker_ctx):
        self._tokens[worker_ctx] = bind(CallContext.from_context_data(worker_ctx.context_data))

    def worker_teardown(self, worker_ctx):
        token = self._tokens.pop(worker_ctx, None)
        if token is not None:
            with contextlib.suppress(ValueError):  # teardown ran in another context: nothing to reset
                unbind(token)
