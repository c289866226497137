"""Writes done once, however often they are asked: an RPC that carries an idempotency
key (in its call context) stores its answer in the service's own database, in the
same transaction as the write. Asked again with that key, it answers the same without
doing anything; asked with that key for something else, it refuses.

This covers a client retrying (the gateway's ``Idempotency-Key``) and RabbitMQ
redelivering an RPC whose reply was lost when a service died after its commit: the
write is in the database together with its answer, so the second delivery finds it.

Only successful answers are stored: a refused request changed nothing, and asking
again may succeed. Two requests with one key at the same moment: both miss, both try,
and the unique key lets one commit; the other's write is rolled back and it answers
Conflict, so a retry then gets the stored answer. Stored answers are purged by the
relay after ``RETENTION``.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from .db import utcnow
from .errors import IdempotencyKeyReused
from .exact_json import digest, json_default
from .platform_tables import idempotency_keys

if TYPE_CHECKING:  # only a type here: this module runs outside nameko too (the relay, the dispatcher)
    from crmkit.unit_of_work import UnitOfWork

RETENTION = timedelta(hours=24)


def fingerprint(method: str, args: tuple, kwargs: dict) -> str:
    """What the request was: the method and its arguments, canonically."""
    return digest([method, list(args), kwargs])


def run_once(unit: UnitOfWork, method: str, args: tuple, kwargs: dict, run):
    """``run()`` unless the call's key already has an answer; its answer is stored with
    the write. Without a key, just ``run()``."""
    key = unit.call.idempotency_key
    if not key:
        return run()
    # The actor is part of the key: one caller's key never answers another's request.
    scoped = f"{unit.call.actor or '-'}:{key}"
    wanted = fingerprint(method, args, kwargs)
    stored = unit.session.execute(
        select(idempotency_keys.c.fingerprint, idempotency_keys.c.response).where(idempotency_keys.c.key == scoped)
    ).first()
    if stored is not None:
        if stored.fingerprint != wanted:
            raise IdempotencyKeyReused(key)
        return json.loads(stored.response)
    result = run()
    response = json.dumps(result, default=json_default)
    unit.session.execute(insert(idempotency_keys).values(
        key=scoped, fingerprint=wanted, response=response, created_at=utcnow()))
    return json.loads(response)


def purge(session, older_than) -> int:
    return session.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than)).rowcount
