from datetime import date
from decimal import Decimal

import pytest

from billing import domain
from crmkit.errors import InvalidTransition, ValidationFailed


def test_payments_move_an_invoice_to_partially_paid_then_paid():
    assert domain.status_after_payment("issued", Decimal("100.00"), Decimal("40.00")) == "partially_paid"
    assert domain.status_after_payment("partially_paid", Decimal("60.00"), Decimal("60.00")) == "paid"
    # Overdue stays overdue until paid in full.
    assert domain.status_after_payment("overdue", Decimal("60.00"), Decimal("10.00")) == "overdue"
    assert domain.status_after_payment("overdue", Decimal("60.00"), Decimal("60.00")) == "paid"


def test_a_payment_larger_than_the_balance_is_refused_naming_the_balance():
    with pytest.raises(ValidationFailed) as refused:
        domain.status_after_payment("issued", Decimal("100.00"), Decimal("100.01"))
    assert "100.00" in refused.value.details["amount"][0]


@pytest.mark.parametrize("status", ["draft", "paid", "credited"])
def test_only_open_invoices_take_payments(status):
    with pytest.raises(InvalidTransition) as refused:
        domain.status_after_payment(status, Decimal("1"), Decimal("1"))
    assert refused.value.details["current_state"] == status


def test_numbers_and_due_dates():
    assert domain.invoice_number(2026, 7) == "INV-2026-00007"
    assert domain.order_number(2026, 7) == "SO-2026-0007"
    assert domain.due_date(date(2026, 12, 15), 30) == date(2027, 1, 14)
    with pytest.raises(InvalidTransition):
        domain.check_issuable("issued")


@pytest.mark.parametrize(("current", "command", "expected"), [
    ("confirmed", "start_fulfilment", "in_fulfilment"), ("confirmed", "fulfil", "fulfilled"),
    ("in_fulfilment", "fulfil", "fulfilled"), ("confirmed", "cancel", "cancelled"),
    ("in_fulfilment", "cancel", "cancelled"),
])
def test_order_moves(current, command, expected):
    assert domain.next_order_status(current, command) == expected


@pytest.mark.parametrize(("current", "command"), [
    ("fulfilled", "cancel"), ("cancelled", "fulfil"), ("in_fulfilment", "start_fulfilment"),
    ("cancelled", "cancel"),
])
def test_illegal_order_moves_name_the_current_state(current, command):
    with pytest.raises(InvalidTransition) as refused:
        domain.next_order_status(current, command)
    assert refused.value.details["current_state"] == current


def test_dunning_levels_count_the_thresholds_reached():
    thresholds = (1, 15, 30)
    assert [domain.dunning_level(days, thresholds) for days in (0, 1, 14, 15, 29, 30, 400)] == [0, 1, 1, 2, 2, 3, 3]


def test_credit_notes_apply_to_issued_invoices_only_and_settle_them():
    for status in ("draft", "credited"):
        with pytest.raises(InvalidTransition):
            domain.check_creditable(status)
    assert domain.status_after_credit("issued", Decimal("10"), fully_credited=True) == "credited"
    assert domain.status_after_credit("partially_paid", Decimal("0"), fully_credited=False) == "paid"
    assert domain.status_after_credit("overdue", Decimal("5"), fully_credited=False) == "overdue"
    assert domain.credit_note_number(2027, 3) == "CN-2027-0003"
