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


def test_unknown_tax_mode_is_refused():
    with pytest.raises(ValueError, match="tax_mode must be one of exclusive, inclusive, not 'gross'"):
        compute([], "EUR", tax_mode="gross")


def test_worked_example_three_decimal_currency():
    # By hand (BHD, 3 digits): line 1: 3 x 1.2345 = 3.7035 -> 3.704, tax 10%
    #                          line 2: 0.999, 5% off -> 0.94905 -> 0.949 (discount 0.050), tax 5%
    # 2.5% document discount: 10% base 3.704 -> 0.0926   -> 0.093, taxable 3.611, tax 0.3611  -> 0.361
    #                          5% base 0.949 -> 0.023725 -> 0.024, taxable 0.925, tax 0.04625 -> 0.046
    totals = compute([Line(D("3"), D("1.2345"), D("0"), D("10")), Line(D("1"), D("0.999"), D("5"), D("5"))],
                     "BHD", document_discount_percent=D("2.5"))
    assert [(t.gross, t.discount, t.net) for t in totals.lines] == [
        (D("3.704"), D("0.000"), D("3.704")), (D("0.999"), D("0.050"), D("0.949"))]
    assert (totals.subtotal, totals.discount_total, totals.net_total) == (D("4.703"), D("0.167"), D("4.536"))
    assert [(b.rate, b.taxable, b.tax) for b in totals.tax_breakdown] == [
        (D("5"), D("0.925"), D("0.046")), (D("10"), D("3.611"), D("0.361"))]
    assert (totals.tax_total, totals.grand_total) == (D("0.407"), D("4.943"))


def test_worked_example_zero_decimal_currency():
    # By hand (JPY, no minor unit): line 1: 3 x 333 = 999, tax 10%
    #                               line 2: 1050, 10% off = 945 (discount 105), tax 8%
    # 5% document discount: 10% base 999 -> 49.95 -> 50, taxable 949, tax 94.9  -> 95
    #                        8% base 945 -> 47.25 -> 47, taxable 898, tax 71.84 -> 72
    totals = compute([Line(D("3"), D("333"), D("0"), D("10")), Line(D("1"), D("1050"), D("10"), D("8"))],
                     "JPY", document_discount_percent=D("5"))
    assert (totals.subtotal, totals.discount_total, totals.net_total) == (D("2049"), D("202"), D("1847"))
    assert [(b.rate, b.taxable, b.tax) for b in totals.tax_breakdown] == [
        (D("8"), D("898"), D("72")), (D("10"), D("949"), D("95"))]
    assert (totals.tax_total, totals.grand_total) == (D("167"), D("2014"))


def test_a_free_line_still_shows_its_price_and_its_rate():
    # By hand: a 49.90 sample at 7%, 100% off: gross 49.90, discount 49.90, net 0.00;
    #          2 x 10.00 at 19% = 20.00, tax 3.80. The 7% rate stays in the breakdown, at zero.
    totals = compute([Line(D("1"), D("49.90"), D("100"), D("7")), Line(D("2"), D("10.00"), D("0"), D("19"))], "EUR")
    assert (totals.subtotal, totals.discount_total, totals.net_total) == (D("69.90"), D("49.90"), D("20.00"))
    assert [(b.rate, b.taxable, b.tax) for b in totals.tax_breakdown] == [
        (D("7"), D("0.00"), D("0.00")), (D("19"), D("20.00"), D("3.80"))]
    assert totals.grand_total == D("23.80")


@pytest.mark.parametrize("tax_mode", ["exclusive", "inclusive"])
def test_full_document_discount(tax_mode):
    # By hand: 2 x 11.90 = 23.80 at 19% and 5.35 at 7%; 100% off each rate leaves nothing to tax.
    totals = compute([Line(D("2"), D("11.90"), D("0"), D("19")), Line(D("1"), D("5.35"), D("0"), D("7"))], "EUR",
                     document_discount_percent=D("100"), tax_mode=tax_mode)
    assert (totals.subtotal, totals.discount_total) == (D("29.15"), D("29.15"))
    assert [(b.taxable, b.tax) for b in totals.tax_breakdown] == [(D("0.00"), D("0.00"))] * 2
    assert (totals.net_total, totals.tax_total, totals.grand_total) == (D("0.00"), D("0.00"), D("0.00"))


@pytest.mark.parametrize("rounding", ["per_rate", "per_line"])
def test_worked_example_tax_inclusive_prices(rounding):
    # Prices include tax. By hand: line 1: 2 x 11.90 = 23.80 at 19%
    #                               line 2: 5.35 at 7%
    #                               line 3: 3.33, 10% off -> 2.997 -> 3.00 (discount 0.33), at 19%
    # 5% document discount: 19% base 26.80 -> allowance 1.34,   as priced 25.46, tax 25.46 x 19/119 = 4.0650 -> 4.07
    #                        7% base  5.35 -> 0.2675 -> 0.27,  as priced  5.08, tax  5.08 x 7/107  = 0.3323 -> 0.33
    # per_line gives the same here: 19% shares 1.19 (line 1) and the remainder 0.15 (line 3):
    #   (23.80 - 1.19) x 19/119 = 3.6100 -> 3.61, (3.00 - 0.15) x 19/119 = 0.4550 -> 0.46; 3.61 + 0.46 = 4.07
    # The customer pays 32.48 - 1.94 = 30.54; of it 4.40 is tax, 26.14 the net.
    totals = compute(
        [Line(D("2"), D("11.90"), D("0"), D("19")), Line(D("1"), D("5.35"), D("0"), D("7")),
         Line(D("1"), D("3.33"), D("10"), D("19"))],
        "EUR", document_discount_percent=D("5"), rounding=rounding, tax_mode="inclusive",
    )
    assert totals.tax_mode == "inclusive"
    assert [t.amount for t in totals.lines] == [D("23.80"), D("5.35"), D("3.00")]  # as priced, tax included
    # Each line's net is without tax: 23.80 - 3.80, 5.35 - 0.35, 3.00 - 0.4790 -> 0.48.
    assert [t.net for t in totals.lines] == [D("20.00"), D("5.00"), D("2.52")]
    assert (totals.subtotal, totals.discount_total) == (D("32.48"), D("0.33") + D("1.34") + D("0.27"))
    assert [(b.rate, b.taxable, b.tax) for b in totals.tax_breakdown] == [
        (D("7"), D("4.75"), D("0.33")), (D("19"), D("21.39"), D("4.07"))]
    assert (totals.net_total, totals.tax_total, totals.grand_total) == (D("26.14"), D("4.40"), D("30.54"))


def test_a_tax_inclusive_line_shows_its_net_without_tax():
    # Issue 11 item 14: a line of 119 at 19 % included showed net 119.00 beside a net total of 100.00.
    totals = compute([Line(D("1"), D("119"), D("0"), D("19"))], "EUR", tax_mode="inclusive")
    (line,) = totals.lines
    assert (line.gross, line.amount, line.net, totals.net_total) == (D("119.00"), D("119.00"), D("100.00"),
                                                                    D("100.00"))


def test_tax_inclusive_per_line_can_differ_from_per_rate_but_not_the_price():
    # Three lines of 4.99 at 19%, tax included. per_rate: 14.97 x 19/119 = 2.3902 -> 2.39, net 12.58.
    # per_line: 4.99 x 19/119 = 0.7967 -> 0.80 each, 2.40 in all, net 12.57. The customer pays 14.97 either way.
    lines = [Line(D("1"), D("4.99"), D("0"), D("19"))] * 3
    per_rate = compute(lines, "EUR", tax_mode="inclusive")
    per_line = compute(lines, "EUR", rounding="per_line", tax_mode="inclusive")
    assert (per_rate.net_total, per_rate.tax_total, per_rate.grand_total) == (D("12.58"), D("2.39"), D("14.97"))
    assert (per_line.net_total, per_line.tax_total, per_line.grand_total) == (D("12.57"), D("2.40"), D("14.97"))


def test_fractional_quantity():
    # By hand: 0.333 h x 1.50 = 0.4995 -> 0.50; tax 19%: 0.095 -> 0.10 (half up); 0.60 in all.
    # Tax included instead: 0.50 holds 0.50 x 19/119 = 0.0798 -> 0.08 of tax; net 0.42; 0.50 in all.
    line = Line(D("0.333"), D("1.50"), D("0"), D("19"))
    exclusive = compute([line], "EUR")
    assert (exclusive.net_total, exclusive.tax_total, exclusive.grand_total) == (D("0.50"), D("0.10"), D("0.60"))
    inclusive = compute([line], "EUR", tax_mode="inclusive")
    assert (inclusive.net_total, inclusive.tax_total, inclusive.grand_total) == (D("0.42"), D("0.08"), D("0.50"))


@pytest.mark.parametrize("rounding", ["per_rate", "per_line"])
def test_a_returned_item_as_a_negative_line(rounding):
    # By hand: 3 x 20.00 = 60.00 sold, -1 x 20.00 = -20.00 returned, both at 19%; 10% document discount:
    # base 40.00 -> allowance 4.00, taxable 36.00, tax 6.84. per_line: shares 6.00 and the remainder
    # -2.00 -> 54.00 x 19% = 10.26 and -18.00 x 19% = -3.42, 6.84 as well.
    totals = compute([Line(D("3"), D("20.00"), D("0"), D("19")), Line(D("-1"), D("20.00"), D("0"), D("19"))],
                     "EUR", document_discount_percent=D("10"), rounding=rounding)
    assert [t.net for t in totals.lines] == [D("60.00"), D("-20.00")]
    assert (totals.subtotal, totals.discount_total, totals.net_total) == (D("40.00"), D("4.00"), D("36.00"))
    assert (totals.tax_total, totals.grand_total) == (D("6.84"), D("42.84"))


def test_a_credit_is_exactly_the_negative_of_the_invoice():
    # By hand: -3 x 0.335 = -1.005 -> -1.01 (half up rounds away from zero); tax -0.1919 -> -0.19; -1.20.
    credit = compute([Line(D("-3"), D("0.335"), D("0"), D("19"))], "EUR")
    invoice = compute([Line(D("3"), D("0.335"), D("0"), D("19"))], "EUR")
    assert (credit.net_total, credit.tax_total, credit.grand_total) == (D("-1.01"), D("-0.19"), D("-1.20"))
    assert (invoice.net_total, invoice.tax_total, invoice.grand_total) == (D("1.01"), D("0.19"), D("1.20"))
