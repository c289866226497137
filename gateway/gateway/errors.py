"""One error shape for every failure: {"error": {"code", "message", "details"}}.

Service errors arrive as the name of a crmkit.errors class; anything else is reported
as an internal error with the correlation id, never with a stack trace or a name from
inside the system. REST sends ``status``; gRPC sends the matching status code.
"""
from __future__ import annotations

import json
import logging

from crmkit.rpc_client import RemoteError

log = logging.getLogger(__name__)

# crmkit.errors class name -> (HTTP status, error code)
SERVICE_ERRORS = {
    "ValidationFailed": (422, "validation_failed"),
    "NotFound": (404, "not_found"),
    "InvalidTransition": (409, "invalid_transition"),
    "Conflict": (409, "conflict"),
    "Duplicate": (409, "duplicate"),
    "StaleVersion": (412, "stale_version"),
    "IdempotencyKeyReused": (422, "idempotency_key_reused"),
    "Unavailable": (503, "service_unavailable"),
}

INTERNAL_MESSAGE = "The request failed inside the system; quote the X-Correlation-Id when you report it."


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None,
                 retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}
        self.retry_after = retry_after

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def invalid(details: dict, message: str = "The request has invalid fields.") -> ApiError:
    return ApiError(422, "validation_failed", message, details)


def from_remote(error: RemoteError) -> ApiError:
    if error.exc_path.startswith("crmkit.errors.") and error.exc_type in SERVICE_ERRORS:
        status, code = SERVICE_ERRORS[error.exc_type]
        args = error.remote_args
        message = args[0] if args and isinstance(args[0], str) else error.message
        details = _details(args[1]) if len(args) > 1 else {}
        return ApiError(status, code, message, details)
    log.error("service failed: %s %s", error.exc_type, error.message)
    return ApiError(500, "internal_error", INTERNAL_MESSAGE)


def _details(raw) -> dict:
    """JSON text (crmkit.errors); a dict from a service of before that, mid-deploy."""
    if isinstance(raw, dict):
        return raw
    try:
        details = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return details if isinstance(details, dict) else {}
