from datetime import date

import pytest

from crmkit.errors import InvalidTransition, ValidationFailed
from deals import domain


@pytest.mark.parametrize(("current", "command", "expected"), [
    ("draft", "send", "sent"), ("sent", "accept", "accepted"), ("sent", "reject", "rejected"),
    ("sent", "expire", "expired"),
])
def test_legal_quote_moves(current, command, expected):
    assert domain.next_quote_status(current, command) == expected


@pytest.mark.parametrize(("current", "command"), [
    ("draft", "accept"), ("accepted", "accept"), ("rejected", "accept"), ("expired", "accept"),
    ("sent", "send"), ("accepted", "reject"),
])
def test_illegal_quote_moves_name_the_current_state(current, command):
    with pytest.raises(InvalidTransition) as refused:
        domain.next_quote_status(current, command)
    assert refused.value.details["current_state"] == current


def test_a_sent_quote_past_its_validity_cannot_be_accepted_even_before_the_timer_ran():
    with pytest.raises(InvalidTransition) as refused:
        domain.next_quote_status("sent", "accept", valid_until=date(2026, 1, 31), today=date(2026, 2, 1))
    assert refused.value.details["current_state"] == "expired"
    assert domain.next_quote_status("sent", "accept", date(2026, 1, 31), date(2026, 1, 31)) == "accepted"


def test_closed_opportunities_are_terminal_and_numbers_are_padded():
    with pytest.raises(InvalidTransition):
        domain.check_open("closed_won", "quote")
    domain.check_open("proposal", "quote")
    assert domain.quote_number(2026, 43) == "Q-2026-0043"


def test_a_sent_quote_revised_is_superseded_and_then_final():
    assert domain.next_quote_status("sent", "revise") == "superseded"
    for command in ("send", "accept", "reject", "expire", "revise"):
        with pytest.raises(InvalidTransition) as refused:
            domain.next_quote_status("superseded", command)
        assert refused.value.details["current_state"] == "superseded"
    assert domain.revision_number("Q-2026-0043", 1) == "Q-2026-0043"
    assert domain.revision_number("Q-2026-0043", 2) == "Q-2026-0043-R2"


def test_a_pipeline_lists_only_open_stages_once_each():
    domain.check_pipeline_stages([{"name": "due"}, {"name": "committed"}])
    with pytest.raises(ValidationFailed) as refused:
        domain.check_pipeline_stages([{"name": "due"}, {"name": "closed_won"}, {"name": "due"}])
    assert set(refused.value.details["stages"]) == {"1", "2"}
