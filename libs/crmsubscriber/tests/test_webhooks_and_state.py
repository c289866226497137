"""The subscriber's own parts without the CRM: a webhook's signature checked as the
Standard Webhooks convention says (signed here with the standardwebhooks package itself,
as the CRM's dispatcher signs), and the state that drops a repeat and keeps the position."""
from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from crmsubscriber import InvalidSignature, State, verify

EVENT = {"specversion": "1.0", "id": "0190d7e4-7a6f-7000-8000-000000000001", "type": "crm.invoice.paid.v1",
         "source": "urn:crm:test:billing", "subject": "INV-1", "time": "2026-12-03T10:00:00+00:00", "data": {}}


def a_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed(secret: str, body: str, at: datetime | None = None, msg_id: str = "msg_1") -> dict[str, str]:
    at = at or datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, at, body)}


def test_a_right_signature_gives_the_event():
    secret, body = a_secret(), json.dumps(EVENT)
    assert verify(secret, body.encode(), signed(secret, body)) == EVENT


@pytest.mark.parametrize("tamper", ["other secret", "body changed", "id changed", "too old", "no signature",
                                    "garbage signature"])
def test_a_wrong_signature_is_refused(tamper):
    secret, body = a_secret(), json.dumps(EVENT)
    headers = signed(a_secret() if tamper == "other secret" else secret, body,
                     at=datetime.now(UTC) - timedelta(minutes=6) if tamper == "too old" else None)
    if tamper == "body changed":
        body = body.replace("INV-1", "INV-2")
    if tamper == "id changed":
        headers["webhook-id"] = "msg_2"
    if tamper == "no signature":
        del headers["webhook-signature"]
    if tamper == "garbage signature":
        headers["webhook-signature"] = "v1"
    with pytest.raises(InvalidSignature):
        verify(secret, body.encode(), headers)


def test_while_a_secret_rotates_either_one_verifies():
    old, new, body = a_secret(), a_secret(), json.dumps(EVENT)
    assert verify([new, old], body, signed(old, body)) == EVENT
    assert verify([new, old], body, signed(new, body)) == EVENT
    with pytest.raises(InvalidSignature):
        verify([new], body, signed(old, body))


def test_the_state_drops_a_repeated_id_and_keeps_the_position_across_runs(tmp_path):
    state = State(tmp_path / "s.sqlite")
    assert state.position() is None and not state.seen("a")
    state.done("a", 7)
    assert state.seen("a") and state.position() == 7
    state.advance(5)  # an older heartbeat never moves it back
    assert state.position() == 7
    state.done("b")  # a webhook's event has no position
    state.close()
    again = State(tmp_path / "s.sqlite")
    assert again.seen("a") and again.seen("b") and again.position() == 7


def test_the_ids_remembered_are_bounded(tmp_path):
    state = State(tmp_path / "s.sqlite", max_ids=3)
    for n in range(5):
        state.done(f"e{n}", n)
    assert [state.seen(f"e{n}") for n in range(5)] == [False, False, True, True, True]
