"""Is a webhook from the CRM, and unchanged? The Standard Webhooks convention: the
``webhook-signature`` header holds ``v1,<base64 HMAC-SHA256>`` of
``<webhook-id>.<webhook-timestamp>.<body>`` under the subscription's secret (shown once
when the subscription is made), and the timestamp must be within 5 minutes of now.

While a secret is rotated the CRM signs with the old and the new one; pass both
(``secrets=[new, old]``) until the overlap ends.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from standardwebhooks import Webhook, WebhookVerificationError


class InvalidSignature(Exception):
    """The webhook is not from the CRM, was changed on its way, or is too old (a replay)."""


def verify(secrets: str | Iterable[str], body: bytes | str, headers: Mapping[str, str]) -> dict:
    """The event (the CloudEvent the body holds) when one of ``secrets`` signed this
    body with these headers; InvalidSignature otherwise. ``body`` must be the bytes as
    received: parsed and serialised again, they would not match."""
    secrets = [secrets] if isinstance(secrets, str) else list(secrets)
    if not secrets:
        raise ValueError("give the subscription's secret")
    headers = dict(headers)
    problem = "no secret given"
    for secret in secrets:
        try:
            return Webhook(secret).verify(body, headers)
        except WebhookVerificationError as exc:
            problem = str(exc)
        except ValueError as exc:  # a body that is no JSON, a header that is no signature
            problem = str(exc)
    raise InvalidSignature(problem)
