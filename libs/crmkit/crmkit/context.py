"""The call context that follows one user action through every process.

The gateway starts it (correlation id, actor, W3C trace context); RPC carries it in ``nameko.*`` message
headers, which nameko turns into ``worker_ctx.context_data``; events carry it in their
envelope. Inside a process it lives in context variables, so every log line can show it.
Plain Python: the gateway and the relays import it (the nameko dependency that binds it
in a service's workers is crmkit.entrypoints.Call).
"""
from __future__ import annotations

import contextvars
import re
import secrets
from dataclasses import asdict, dataclass

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
    # The W3C trace context (``traceparent``) of the request: the client's, or one the
    # gateway started; every event the work causes carries it on.
    traceparent: str | None = None

    @classmethod
    def from_context_data(cls, data: dict) -> CallContext:
        return cls(
            correlation_id=data.get("correlation_id"),
            actor=data.get("actor"),
            causation_id=data.get("causation_id"),
            idempotency_key=data.get("idempotency_key"),
            traceparent=data.get("traceparent"),
        )

    def as_context_data(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


_TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")


def traceparent_or_new(given: str | None) -> str:
    """The client's ``traceparent`` when it is a valid W3C version-00 one, else a new
    trace (not sampled: the CRM records no spans, it only carries the context on)."""
    if given and _TRACEPARENT.match(given.strip()):
        return given.strip()
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def current() -> CallContext:
    return _current.get() or CallContext()


def bind(ctx: CallContext) -> contextvars.Token:
    return _current.set(ctx)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)
