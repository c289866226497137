"""Totals of a sales document (quote, order, invoice), computed one way everywhere.

Amounts are exact ``Decimal``s. Rounding is half-up (ties away from zero, so a credit
mirrors its invoice) to the currency's minor unit, and only at these points:

- each line: ``gross = round(quantity * unit_price)``,
  ``amount = round(quantity * unit_price * (1 - discount_percent / 100))``; the line's
  discount is ``gross - amount``, so the lines always add up; its ``net`` (without tax)
  is the amount, or in inclusive mode the amount less ``round(amount * rate / (100 + rate))``;
- the document discount, per tax rate: ``round(sum of amounts at that rate * percent / 100)``;
- tax: ``per_rate`` (default, EN 16931): once per rate on that rate's taxable base;
  ``per_line``: per line on its share of the base (each line's share of the document
  discount rounded, the last line of the rate taking the remainder), then summed.

Tax modes. ``exclusive`` (default): unit prices exclude tax; tax is
``round(taxable * rate / 100)``. ``inclusive``: unit prices include tax, so every line
amount and the document discount above are tax-included ("as priced"); per rate the
taxable base as priced is ``sum of amounts - document discount``, the tax in it is
``round(taxable as priced * rate / (100 + rate))`` (per rate or per line, as above), and
the tax-exclusive taxable amount is what remains: ``taxable as priced - tax``. The
customer pays exactly the amount shown: the lines as priced less the document discount.

What each figure is in:

- ``lines`` (gross, discount, amount), ``subtotal`` and ``discount_total``: the price basis,
  i.e. tax-exclusive or tax-inclusive as the document's ``tax_mode`` says; a line's
  ``net`` is always without tax (a line of 119.00 at 19 % included is net 100.00);
- ``tax_breakdown`` (taxable, tax), ``net_total``, ``tax_total``, ``grand_total``: always
  tax-exclusive taxable amounts, the tax, and the amount due.

Invariants: ``net_total + tax_total == grand_total``; the breakdown adds up to net_total
and tax_total; ``subtotal - discount_total`` is ``net_total`` (exclusive) or
``grand_total`` (inclusive); every amount has at most the currency's minor digits.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import iso4217

# Unit prices and quantities may be finer than the currency (a price per gram, a third
# of an hour), up to this many decimals; each line is rounded to the currency.
PRICE_PLACES = 6
QUANTITY_PLACES = 6
ROUNDING_MODES = ("per_rate", "per_line")
TAX_MODES = ("exclusive", "inclusive")
HUNDRED = Decimal(100)


def minor_units(currency: str) -> int:
    """The digits of the currency's minor unit, as ISO 4217 has them (JPY 0, EUR 2, BHD 3);
    2 for a code without one."""
    try:
        exponent = iso4217.Currency(currency.upper()).exponent
    except ValueError:
        return 2
    return 2 if exponent is None else exponent


def round_money(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def _tax(amount: Decimal, rate: Decimal, currency: str, inclusive: bool) -> Decimal:
    """The tax on a tax-exclusive amount, or the tax contained in a tax-inclusive one
    (that quotient is inexact, but its 28 digits reach far past the rounding point)."""
    return round_money(amount * rate / (HUNDRED + rate if inclusive else HUNDRED), currency)


@dataclass(frozen=True)
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class LineTotals:
    """One line. ``gross``, ``discount`` and ``amount`` (gross less discount) are in the
    document's price basis: tax included when its ``tax_mode`` is ``inclusive``. ``net``
    is the line's amount without tax in either mode: in inclusive mode the amount less
    the tax it holds, rounded on the line (so with ``per_rate`` rounding the lines' nets
    may differ from ``net_total`` by that rounding, as in either mode they differ from
    it by the document discount)."""

    gross: Decimal
    discount: Decimal
    amount: Decimal
    net: Decimal


@dataclass(frozen=True)
class TaxRateTotals:
    """One tax rate: its tax-exclusive taxable amount (after the document discount)
    and its tax, in either tax mode."""

    rate: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    tax_mode: str
    lines: tuple[LineTotals, ...]
    subtotal: Decimal
    discount_total: Decimal
    net_total: Decimal
    tax_breakdown: tuple[TaxRateTotals, ...]
    tax_total: Decimal
    grand_total: Decimal


def compute(lines: list[Line], currency: str, document_discount_percent: Decimal = Decimal(0),
            rounding: str = "per_rate", tax_mode: str = "exclusive") -> Totals:
    if rounding not in ROUNDING_MODES:
        raise ValueError(f"rounding must be one of {', '.join(ROUNDING_MODES)}, not {rounding!r}")
    if tax_mode not in TAX_MODES:
        raise ValueError(f"tax_mode must be one of {', '.join(TAX_MODES)}, not {tax_mode!r}")
    inclusive = tax_mode == "inclusive"
    line_totals = []
    for line in lines:
        exact = line.quantity * line.unit_price
        gross = round_money(exact, currency)
        amount = round_money(exact * (HUNDRED - line.discount_percent) / HUNDRED, currency)
        net = amount - _tax(amount, line.tax_rate, currency, inclusive) if inclusive else amount
        line_totals.append(LineTotals(gross=gross, discount=gross - amount, amount=amount, net=net))

    breakdown = []
    document_discount_total = Decimal(0)
    for rate in sorted({line.tax_rate for line in lines}):
        nets = [t.amount for line, t in zip(lines, line_totals, strict=True) if line.tax_rate == rate]
        base = sum(nets, Decimal(0))
        allowance = round_money(base * document_discount_percent / HUNDRED, currency)
        taxable = base - allowance  # in the price basis: tax included in inclusive mode
        if rounding == "per_rate":
            tax = _tax(taxable, rate, currency, inclusive)
        else:
            # Each line's share of the document discount, then its tax; the last line takes
            # the remainder of the allowance so the shares add up to it exactly.
            tax, remaining = Decimal(0), allowance
            for index, net in enumerate(nets):
                share = remaining if index == len(nets) - 1 else round_money(
                    net * document_discount_percent / HUNDRED, currency)
                remaining -= share
                tax += _tax(net - share, rate, currency, inclusive)
        document_discount_total += allowance
        # The breakdown is tax-exclusive in both modes: inclusive prices hold the tax.
        breakdown.append(TaxRateTotals(rate=rate, taxable=taxable - tax if inclusive else taxable, tax=tax))

    subtotal = sum((t.gross for t in line_totals), Decimal(0))
    discount_total = sum((t.discount for t in line_totals), Decimal(0)) + document_discount_total
    net_total = sum((b.taxable for b in breakdown), Decimal(0))
    tax_total = sum((b.tax for b in breakdown), Decimal(0))
    return Totals(
        currency=currency, tax_mode=tax_mode, lines=tuple(line_totals), subtotal=subtotal,
        discount_total=discount_total, net_total=net_total, tax_breakdown=tuple(breakdown),
        tax_total=tax_total, grand_total=net_total + tax_total,
    )
