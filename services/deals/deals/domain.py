"""Deal rules: pipelines and their stages, opportunity moves, the quote state machine."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crmkit.errors import InvalidTransition, ValidationFailed

# The pipeline every deployment starts with (DOMAIN.md); more are data. Its id is fixed
# so the first migration can create it and opportunities can fall back to it.
DEFAULT_PIPELINE_ID = "00000000-0000-7000-8000-000000000001"
DEFAULT_PIPELINE_NAME = "Default"
DEFAULT_OPEN_STAGES = (
    ("qualification", Decimal(10)), ("needs_analysis", Decimal(20)),
    ("proposal", Decimal(50)), ("negotiation", Decimal(75)),
)

WON, LOST = "closed_won", "closed_lost"
# Every pipeline ends in these two, with these probabilities and forecast categories.
CLOSED_STAGES = {WON: (Decimal(100), "closed"), LOST: (Decimal(0), "omitted")}
FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")
# What a seller may put an open deal in; "closed" follows from the stage alone.
OPEN_FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "omitted")

DRAFT, SENT, ACCEPTED, REJECTED, EXPIRED, SUPERSEDED = (
    "draft", "sent", "accepted", "rejected", "expired", "superseded")
QUOTE_STATUSES = (DRAFT, SENT, ACCEPTED, REJECTED, EXPIRED, SUPERSEDED)
QUOTE_TRANSITIONS = {
    "send": ((DRAFT,), SENT),
    "accept": ((SENT,), ACCEPTED),
    "reject": ((SENT,), REJECTED),
    "expire": ((SENT,), EXPIRED),
    # Changing a sent quote makes a new revision; the sent one is superseded.
    "revise": ((SENT,), SUPERSEDED),
}
QUOTE_VALIDITY = timedelta(days=30)


def is_closed(stage: str) -> bool:
    return stage in CLOSED_STAGES


def check_open(stage: str, command: str) -> None:
    if is_closed(stage):
        raise InvalidTransition("opportunity", stage, command)


def check_pipeline_stages(open_stages: list[dict]) -> None:
    """A pipeline's own stages: unique, none named like a closed stage."""
    problems = {}
    names = [stage["name"] for stage in open_stages]
    for index, name in enumerate(names):
        if name in CLOSED_STAGES:
            problems[str(index)] = {"name": [f"{name} ends every pipeline; list only the open stages."]}
        elif names.index(name) != index:
            problems[str(index)] = {"name": [f"Stage {name} is listed twice."]}
    if problems:
        raise ValidationFailed({"stages": problems})


def next_quote_status(current: str, command: str, valid_until: date | None = None, today: date | None = None) -> str:
    allowed_from, target = QUOTE_TRANSITIONS[command]
    if current not in allowed_from:
        raise InvalidTransition("quote", current, command)
    if command == "accept" and valid_until is not None and today is not None and today > valid_until:
        # Past its validity a sent quote is expired, whether or not the timer ran yet.
        raise InvalidTransition("quote", EXPIRED, command)
    return target


def quote_number(year: int, sequence: int) -> str:
    return f"Q-{year}-{sequence:04d}"


def revision_number(base_number: str, revision: int) -> str:
    return base_number if revision == 1 else f"{base_number}-R{revision}"
