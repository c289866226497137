"""Lead rules: the state machine and what conversion needs. Plain Python, no I/O."""
from __future__ import annotations

from crmkit.errors import InvalidTransition, ValidationFailed
from crmkit.schemas import money_problem

NEW, CONTACTED, QUALIFIED, CONVERTED, DISQUALIFIED, MERGED = (
    "new", "contacted", "qualified", "converted", "disqualified", "merged")
STATES = (NEW, CONTACTED, QUALIFIED, CONVERTED, DISQUALIFIED, MERGED)
OPEN_STATES = (NEW, CONTACTED, QUALIFIED)
# A converted lead records what it became; a merged one lives on in its survivor.
READ_ONLY_STATES = (CONVERTED, MERGED)

# command -> (states it may start from, state it leads to)
TRANSITIONS = {
    "contact": ((NEW,), CONTACTED),
    "qualify": ((NEW, CONTACTED), QUALIFIED),
    "convert": ((QUALIFIED,), CONVERTED),
    "disqualify": (OPEN_STATES, DISQUALIFIED),
    "recycle": ((DISQUALIFIED,), NEW),
    "merge": ((NEW, CONTACTED, QUALIFIED, DISQUALIFIED), MERGED),
}

SOURCES = ("web", "referral", "partner", "event", "webinar", "campaign", "cold_call",
           "advertising", "email", "other")

# A lead's rating, from its score (leads.scoring).
RATINGS = ("hot", "warm", "cold")

# What became of the opportunity a conversion asked deals for.
OPPORTUNITY_PENDING, OPPORTUNITY_CREATED, OPPORTUNITY_FAILED = "pending", "created", "failed"
OPPORTUNITY_STATUSES = (OPPORTUNITY_PENDING, OPPORTUNITY_CREATED, OPPORTUNITY_FAILED)
# The longest name deals takes for an opportunity: what leads can check itself, it does.
OPPORTUNITY_NAME_LENGTH = 200

# What a CSV import reports of a row it did not make or update a lead from.
IMPORT_PROBLEM_OUTCOMES = ("rejected", "skipped")
# What an import does with a row that duplicates a lead or contact we have.
IMPORT_POLICIES = ("skip", "update", "create")


def next_status(current: str, command: str) -> str:
    allowed_from, target = TRANSITIONS[command]
    if current not in allowed_from:
        raise InvalidTransition("lead", current, command)
    return target


def check_editable(current: str) -> None:
    if current in READ_ONLY_STATES:
        raise InvalidTransition("lead", current, "update")


def normalize_tags(tags: list[str]) -> list[str]:
    """Tags compare without case or surrounding blanks; each once, sorted."""
    return sorted({tag.strip().lower() for tag in tags if tag.strip()})


AMOUNT_CURRENCIES = (("budget_amount", "budget_currency"), ("annual_revenue", "annual_revenue_currency"))


def amount_problems(value_of) -> dict:
    """What is wrong with the amounts beside their currencies, as field -> messages: a
    currency missing, or an amount finer than its currency's minor unit."""
    problems = {}
    for amount, currency in AMOUNT_CURRENCIES:
        if value_of(amount) is not None and not value_of(currency):
            problems[currency] = ["An amount needs its currency."]
        elif problem := money_problem(value_of(amount), value_of(currency)):
            problems[amount] = [problem]
    return problems


def check_ready_to_convert(budget_amount, timeline, override: bool) -> None:
    """A qualified deal has a budget and a timeline, unless the caller says otherwise."""
    if override:
        return
    missing = {}
    if budget_amount is None:
        missing["budget_amount"] = ["Conversion needs the lead's budget (or override_qualification)."]
    if timeline is None:
        missing["timeline"] = ["Conversion needs the lead's timeline (or override_qualification)."]
    if missing:
        raise ValidationFailed(missing, "The lead is not ready to convert.")


ASSIGNMENT_STRATEGIES = ("round_robin", "fewest_open")


def rule_matches(rule, source: str | None, country: str | None, team: str | None) -> bool:
    return all(wanted is None or wanted == actual for wanted, actual in (
        (rule.match_source, source), (rule.match_country, country), (rule.match_team, team)))


def round_robin_pick(members: list[str], turn: int) -> str:
    """The member whose turn ``turn`` (1, 2, 3, ...) it is, in a stable order."""
    ordered = sorted(members)
    return ordered[(turn - 1) % len(ordered)]


def fewest_open_pick(open_counts: dict[str, int]) -> str:
    """The member with the fewest open leads; ties go to the first by id."""
    return min(sorted(open_counts), key=lambda member: open_counts[member])
