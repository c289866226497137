"""Deal rules: the pipeline, the quote state machine and the totals of a quote."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crmkit.errors import InvalidTransition

# The default pipeline: stage -> default probability (percent). Several pipelines, as
# data, come with the deals issue; closed stages are terminal.
DEFAULT_PIPELINE = {
    "qualification": 10, "needs_analysis": 20, "proposal": 50, "negotiation": 75,
    "closed_won": 100, "closed_lost": 0,
}
FIRST_STAGE = "qualification"
WON, LOST = "closed_won", "closed_lost"
CLOSED_STAGES = (WON, LOST)
FORECAST_BY_STAGE = {WON: "closed", LOST: "omitted"}

DRAFT, SENT, ACCEPTED, REJECTED, EXPIRED = "draft", "sent", "accepted", "rejected", "expired"
QUOTE_TRANSITIONS = {
    "send": ((DRAFT,), SENT),
    "accept": ((SENT,), ACCEPTED),
    "reject": ((SENT,), REJECTED),
    "expire": ((SENT,), EXPIRED),
}
QUOTE_VALIDITY = timedelta(days=30)


def stage_probability(stage: str) -> Decimal:
    return Decimal(DEFAULT_PIPELINE[stage])


def forecast_category(stage: str) -> str:
    return FORECAST_BY_STAGE.get(stage, "pipeline")


def next_quote_status(current: str, command: str, valid_until: date | None = None, today: date | None = None) -> str:
    allowed_from, target = QUOTE_TRANSITIONS[command]
    if current not in allowed_from:
        raise InvalidTransition("quote", current, command)
    if command == "accept" and valid_until is not None and today is not None and today > valid_until:
        # Past its validity a sent quote is expired, whether or not the timer ran yet.
        raise InvalidTransition("quote", EXPIRED, command)
    return target


def check_open(stage: str, command: str) -> None:
    if stage in CLOSED_STAGES:
        raise InvalidTransition("opportunity", stage, command)


def quote_number(year: int, sequence: int) -> str:
    return f"Q-{year}-{sequence:04d}"
