"""The totals of the official EN 16931 example invoices, recomputed by the engine.

The figures come from shared/testdata/en16931 (a copy is in tests/en16931; see its
README): per example its lines (quantity, price per base quantity, line allowances/charges, line net, VAT rate),
its document-level allowances/charges and the totals the example states.

How an example maps onto the engine, which has percent discounts only:
- a line without allowances/charges is ``Line(quantity, unit_price / base_quantity)``
  (BT-131 = BT-129 x BT-146 / BT-149), and the engine's line net must equal BT-131;
- a line with allowances/charges (amounts) is fed as its stated net, ``Line(1, line_net)``,
  after checking that net against quantity x price - allowances + charges;
- an example with a non-zero document-level allowance or charge is skipped: those are
  amounts on one VAT rate, which the engine's single document discount percent (the same
  for every rate) cannot express, and the engine has no charges;
- an example marked ``known_issue`` (its own figures do not recompute) is skipped;
- VAT category O (not subject to VAT) has no rate: it is rate 0.
"""
from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from crmtotals import Line, compute, round_money

# A copy of shared/testdata/en16931 (EUPL 1.2, see the README beside it), kept in the
# repository so that every clone runs these examples.
EXAMPLES_FILE = Path(__file__).resolve().parent / "en16931" / "en16931_examples.json"
EXAMPLES = json.loads(EXAMPLES_FILE.read_text()) if EXAMPLES_FILE.exists() else []


def _amounts(values: list[str]) -> D:
    return sum((D(v) for v in values), D(0))


def _engine_line(line: dict, currency: str) -> Line:
    rate = D(line["tax_rate"] or 0)
    # Inexact for a base quantity like 365, but its 28 digits reach far past the rounding point.
    price = D(line["unit_price"]) / D(line["base_quantity"])
    if not any(D(a) for a in line["line_allowances"] + line["line_charges"]):
        return Line(D(line["quantity"]), price, D(0), rate)
    stated = (round_money(D(line["quantity"]) * price, currency)
              - _amounts(line["line_allowances"]) + _amounts(line["line_charges"]))
    assert stated == D(line["line_net"]), f"line {line['id']}: the example's own line net does not recompute"
    return Line(D(1), D(line["line_net"]), D(0), rate)


@pytest.mark.parametrize(
    "example", EXAMPLES or [None], ids=[e["source"] for e in EXAMPLES] or ["examples-file-absent"])
def test_engine_reproduces_the_example(example):
    if example is None:
        pytest.skip(f"{EXAMPLES_FILE} is absent")
    if example["known_issue"]:
        pytest.skip(f"{example['source']}: the example's own figures are inconsistent: {example['known_issue']}")
    document_level = [f"{a['reason']} {a['amount']} at {a['tax_rate']}%"
                      for a in example["doc_allowances"] + example["doc_charges"] if D(a["amount"])]
    if document_level:
        pytest.skip(f"{example['source']}: document-level allowances/charges as amounts ({'; '.join(document_level)}): "
                    "the engine has one document discount percent for all rates and no charges")

    currency = example["currency"]
    totals = compute([_engine_line(line, currency) for line in example["lines"]], currency)

    expected = example["expected"]
    assert [t.net for t in totals.lines] == [D(line["line_net"]) for line in example["lines"]]
    assert sum((t.net for t in totals.lines), D(0)) == D(expected["line_extension_total"])
    assert totals.net_total == D(expected["tax_exclusive"])
    # CII leaves the tax total out when nothing is taxed.
    assert totals.tax_total == D(expected["tax_total"] or 0)
    assert totals.grand_total == D(expected["tax_inclusive"])
    assert [(b.rate, b.taxable, b.tax) for b in totals.tax_breakdown] == sorted(
        (D(b["rate"] or 0), D(b["taxable"]), D(b["tax"])) for b in expected["tax_breakdown"])
