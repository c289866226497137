"""What must hold for any document: the totals add up, to the currency's minor unit."""
from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from crmtotals import ROUNDING_MODES, TAX_MODES, Line, compute, minor_units

# Bounded so the suite stays fast; no example database, so no run depends on an earlier one.
BOUNDED = settings(max_examples=300, deadline=None, database=None)

percents = st.one_of(st.sampled_from([D(0), D(100)]), st.decimals(min_value=0, max_value=100, places=2))
lines = st.lists(st.builds(
    Line,
    quantity=st.decimals(min_value=-1000, max_value=1000, places=3),  # returns and credits included
    unit_price=st.decimals(min_value=0, max_value=100_000, places=4),
    discount_percent=percents,
    tax_rate=st.sampled_from([D(r) for r in ("0", "5.5", "7", "19", "20", "21", "25")]),
), max_size=8)
documents = st.fixed_dictionaries({
    "lines": lines,
    "currency": st.sampled_from(["EUR", "JPY", "BHD"]),
    "document_discount_percent": percents,
    "rounding": st.sampled_from(ROUNDING_MODES),
    "tax_mode": st.sampled_from(TAX_MODES),
})


def _total(amounts) -> D:
    return sum(amounts, D(0))


@BOUNDED
@given(documents)
def test_totals_add_up(document):
    totals = compute(**document)
    assert totals.grand_total == totals.net_total + totals.tax_total
    assert _total(b.taxable for b in totals.tax_breakdown) == totals.net_total
    assert _total(b.tax for b in totals.tax_breakdown) == totals.tax_total
    assert all(t.gross - t.discount == t.amount for t in totals.lines)
    # A line's net is without tax: its amount when prices exclude tax, less when they include it.
    inclusive = document["tax_mode"] == "inclusive"
    assert all(t.net == t.amount if not inclusive else abs(t.net) <= abs(t.amount) for t in totals.lines)
    assert _total(t.gross for t in totals.lines) == totals.subtotal
    # subtotal and discount_total are in the price basis: net of tax, or tax included.
    priced = totals.grand_total if document["tax_mode"] == "inclusive" else totals.net_total
    assert totals.subtotal - totals.discount_total == priced


@BOUNDED
@given(documents)
def test_every_amount_is_in_the_currency_minor_unit(document):
    totals = compute(**document)
    amounts = [totals.subtotal, totals.discount_total, totals.net_total, totals.tax_total, totals.grand_total]
    amounts += [a for t in totals.lines for a in (t.gross, t.discount, t.amount, t.net)]
    amounts += [a for b in totals.tax_breakdown for a in (b.taxable, b.tax)]
    digits = minor_units(document["currency"])
    assert all(a.as_tuple().exponent >= -digits for a in amounts), amounts


@BOUNDED
@given(documents)
def test_tax_is_the_rate_of_the_taxable_amount_within_rounding(document):
    # Each rounded tax is off by at most half a minor unit; in inclusive mode that error
    # moves into the taxable amount too, so it weighs (1 + rate/100).
    totals = compute(**document)
    half_unit = D(1).scaleb(-minor_units(document["currency"])) / 2
    for b in totals.tax_breakdown:
        roundings = 1 if document["rounding"] == "per_rate" else sum(
            1 for line in document["lines"] if line.tax_rate == b.rate)
        weight = 1 + b.rate / 100 if document["tax_mode"] == "inclusive" else 1
        assert abs(b.tax - b.taxable * b.rate / 100) <= roundings * half_unit * weight


@BOUNDED
@given(documents, st.data())
def test_same_lines_same_totals_in_any_order(document, data):
    totals = compute(**document)
    assert repr(compute(**document)) == repr(totals)  # to the digit, exponent included
    if document["rounding"] == "per_rate":  # per_line gives the allowance's remainder to the last line
        shuffled = compute(**{**document, "lines": data.draw(st.permutations(document["lines"]))})
        assert _document_figures(shuffled) == _document_figures(totals)


def _document_figures(totals) -> str:
    return repr([getattr(totals, f) for f in
                 ("subtotal", "discount_total", "net_total", "tax_breakdown", "tax_total", "grand_total")])
