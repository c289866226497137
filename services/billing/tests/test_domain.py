from datetime import date
from decimal import Decimal

import pytest

from billing import domain
from crmkit.errors import InvalidTransition, ValidationFailed


def test_payments_move_an_invoice_to_partially_paid_then_paid():
    assert domain.status_after_payment("issued", Decimal("100.00"), Decimal("40.00")) == "partially_paid"
    assert domain.status_after_payment("partially_paid", Decimal("60.00"), Decimal("60.00")) == "paid"
    assert domain.status_after_payment("overdue", Decimal("60.00"), Decimal("10.00")) == "partially_paid"


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
