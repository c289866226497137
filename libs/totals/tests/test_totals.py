from decimal import Decimal as D

import pytest

from crmtotals import Line, compute, round_money


def test_round_money_is_half_up_to_the_minor_unit():
    assert round_money(D("2.345"), "EUR") == D("2.35")
    assert round_money(D("2.5"), "JPY") == D("3")
    assert round_money(D("1.0005"), "BHD") == D("1.001")
    assert round_money(D("-2.345"), "EUR") == D("-2.35")


def test_worked_example_two_rates_and_a_document_discount():
    # By hand: line 1: 3 x 19.99 = 59.97, 10% off -> 53.973 -> 53.97 (discount 6.00)
    #          line 2: 0.333 x 100 = 33.30, tax 7%
    # 5% document discount: 19% base 53.97 -> 2.6985 -> 2.70, taxable 51.27, tax 9.7413 -> 9.74
    #                        7% base 33.30 -> 1.665  -> 1.67, taxable 31.63, tax 2.2141 -> 2.21
    totals = compute(
        [Line(D("3"), D("19.99"), D("10"), D("19")), Line(D("0.333"), D("100"), D("0"), D("7"))],
        "EUR", document_discount_percent=D("5"),
    )
    assert totals.subtotal == D("93.27")
    assert totals.discount_total == D("6.00") + D("2.70") + D("1.67")
    assert totals.net_total == D("82.90")
    assert [(b.rate, b.taxable, b.tax) for b in totals.tax_breakdown] == [
        (D("7"), D("31.63"), D("2.21")), (D("19"), D("51.27"), D("9.74"))]
    assert totals.tax_total == D("11.95")
    assert totals.grand_total == D("94.85")


def test_per_line_rounding_can_differ_from_per_rate_by_a_cent():
    lines = [Line(D("1"), D("0.05"), tax_rate=D("10"))] * 3
    assert compute(lines, "EUR").tax_total == D("0.02")  # 0.15 * 10% = 0.015 -> 0.02
    assert compute(lines, "EUR", rounding="per_line").tax_total == D("0.03")  # 3 x 0.005 -> 0.01


def test_full_discount_and_zero_decimal_currency():
    totals = compute([Line(D("2"), D("1000"), D("100"), D("10"))], "JPY")
    assert (totals.subtotal, totals.discount_total, totals.grand_total) == (D("2000"), D("2000"), D("0"))


def test_unknown_rounding_mode_is_refused():
    with pytest.raises(ValueError, match="rounding must be one of"):
        compute([], "EUR", rounding="banker")
