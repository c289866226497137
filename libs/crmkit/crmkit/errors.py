"""Errors a service raises on purpose. They cross RPC as (type name, args), and the
gateway maps each type to one HTTP status.

The details travel as one JSON text: nameko makes every argument "safe" by turning
numbers, booleans and None into strings (a version 2 would arrive as "2", None as
"None"), but leaves a string alone.
"""
from __future__ import annotations

import json


def _kind(entity: str) -> str:
    """A record kind as words: "credit_note" -> "credit note"."""
    return entity.replace("_", " ")


def _a(entity: str) -> str:
    """The kind with its article. Our record kinds are plain nouns whose sound follows
    their first letter (an order, an invoice, a quote)."""
    return f"{'an' if entity[:1] in 'aeiou' else 'a'} {_kind(entity)}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class CrmError(Exception):
    code = "error"

    def __init__(self, message: str, details: dict | None = None):
        self.message = message
        self.details = details or {}
        super().__init__(message, json.dumps(self.details, default=str))

    def __str__(self) -> str:
        return self.message


class ValidationFailed(CrmError):
    """Bad input. details maps every bad field to its messages."""

    code = "validation_failed"

    def __init__(self, details: dict, message: str = "The request has invalid fields."):
        super().__init__(message, details)


class NotFound(CrmError):
    code = "not_found"

    def __init__(self, entity: str, record_id: str):
        super().__init__(_sentence(f"{_kind(entity)} {_printable(record_id)} does not exist."),
                         {"entity": entity, "id": record_id})


def _printable(text) -> str:
    """An id a client sent, as a message may quote it: escaped when it holds what no
    text of ours holds (a NUL, a control character), which details.id keeps as sent."""
    text = str(text)
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


class InvalidTransition(CrmError):
    """A command that the record's current state does not allow."""

    code = "invalid_transition"

    def __init__(self, entity: str, current: str, command: str):
        super().__init__(
            f"Cannot {command} {_a(entity)} that is {current}.",
            {"entity": entity, "current_state": current, "command": command},
        )


class Conflict(CrmError):
    """A concurrent change or a business rule that the stored data refuses."""

    code = "conflict"


class StaleVersion(Conflict):
    """The caller changed a version of the record that is no longer the current one."""

    code = "stale_version"

    def __init__(self, entity: str, record_id: str, expected: int, current: int):
        super().__init__(
            _sentence(f"{_kind(entity)} {record_id} is at version {current}, not {expected}: read it again and retry."),
            {"entity": entity, "id": record_id, "expected_version": expected, "current_version": current},
        )


def check_version(entity: str, record, expected: int | None) -> None:
    """Refuse a write based on an older read (If-Match); None means the caller did not say."""
    if expected is not None and int(expected) != record.version:
        raise StaleVersion(entity, record.id, int(expected), record.version)


class Duplicate(Conflict):
    """The record looks like one that exists; details["duplicates"] lists the matches."""

    code = "duplicate"

    def __init__(self, message: str, matches: list[dict]):
        super().__init__(message, {"duplicates": matches})


class IdempotencyKeyReused(CrmError):
    """An idempotency key sent again with a different request (crmkit.idempotency)."""

    code = "idempotency_key_reused"

    def __init__(self, key: str):
        super().__init__(f"Idempotency-Key {key!r} was used for a different request; a new request needs a new "
                         f"key.", {"idempotency_key": key})


class Unavailable(CrmError):
    """Something the service needs outside its database (the broker's management API)
    does not answer: nothing was changed, and the same request may be sent again."""

    code = "service_unavailable"


EXPECTED_ERRORS = (ValidationFailed, NotFound, InvalidTransition, Conflict, IdempotencyKeyReused, Unavailable)
