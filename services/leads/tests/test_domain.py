from datetime import date
from decimal import Decimal

import pytest

from crmkit.errors import InvalidTransition, ValidationFailed
from leads import domain

STATES = ["new", "contacted", "qualified", "converted", "disqualified", "merged"]
# (command, from) -> to, for every legal move; everything else must be refused.
LEGAL = {
    ("contact", "new"): "contacted",
    ("qualify", "new"): "qualified", ("qualify", "contacted"): "qualified",
    ("convert", "qualified"): "converted",
    ("disqualify", "new"): "disqualified", ("disqualify", "contacted"): "disqualified",
    ("disqualify", "qualified"): "disqualified",
    ("recycle", "disqualified"): "new",
    ("merge", "new"): "merged", ("merge", "contacted"): "merged", ("merge", "qualified"): "merged",
    ("merge", "disqualified"): "merged",
}


@pytest.mark.parametrize("command", sorted(domain.TRANSITIONS))
@pytest.mark.parametrize("current", STATES)
def test_every_command_from_every_state(command, current):
    if (command, current) in LEGAL:
        assert domain.next_status(current, command) == LEGAL[(command, current)]
    else:
        with pytest.raises(InvalidTransition) as refused:
            domain.next_status(current, command)
        assert refused.value.details["current_state"] == current
        assert current in str(refused.value)


def test_conversion_needs_budget_and_timeline_unless_overridden():
    with pytest.raises(ValidationFailed) as refused:
        domain.check_ready_to_convert(None, None, override=False)
    assert set(refused.value.details) == {"budget_amount", "timeline"}
    domain.check_ready_to_convert(Decimal("1"), date(2027, 1, 1), override=False)
    domain.check_ready_to_convert(None, None, override=True)


@pytest.mark.parametrize("current", STATES)
def test_only_converted_and_merged_leads_are_read_only(current):
    if current in ("converted", "merged"):
        with pytest.raises(InvalidTransition):
            domain.check_editable(current)
    else:
        domain.check_editable(current)


def test_tags_compare_without_case_or_blanks():
    assert domain.normalize_tags([" VIP", "vip", "Fintech ", " "]) == ["fintech", "vip"]
