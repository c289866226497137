from datetime import date
from decimal import Decimal

import pytest

from crmkit.errors import InvalidTransition, ValidationFailed
from leads import domain

STATES = ["new", "contacted", "qualified", "converted", "disqualified"]
# (command, from) -> to, for every legal move; everything else must be refused.
LEGAL = {
    ("contact", "new"): "contacted",
    ("qualify", "new"): "qualified", ("qualify", "contacted"): "qualified",
    ("convert", "qualified"): "converted",
    ("disqualify", "new"): "disqualified", ("disqualify", "contacted"): "disqualified",
    ("disqualify", "qualified"): "disqualified",
    ("recycle", "disqualified"): "new",
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
