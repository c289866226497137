"""The quote PDF, read back as text: what a customer sees is what the quote says."""
import re
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from crmtotals import Line, compute
from deals.pdf import Seller, format_money, render_quote

SELLER = Seller(name="Acme GmbH", address_lines=("Hauptstraße 1", "10115 Berlin", "Germany"),
                tax_id="DE123456789", email="sales@acme.example")


def make_quote(lines=None, currency="EUR", document_discount_percent="0", tax_mode="exclusive", **fields):
    """A quote as the deals service dumps it, its totals from the real totals engine."""
    lines = lines or [
        dict(sku="LIC-PRO", description="Pro licence, one year", quantity="10", unit_price="1234.50",
             discount_percent="10", tax_rate="19"),
        dict(sku=None, description="Onboarding workshop", quantity="1", unit_price="800", discount_percent="0",
             tax_rate="7"),
        dict(sku="SUP-24", description="Support add-on", quantity="2.5", unit_price="99.99", discount_percent="0",
             tax_rate="19"),
    ]
    totals = compute([Line(Decimal(l["quantity"]), Decimal(l["unit_price"]), Decimal(l["discount_percent"]),
                           Decimal(l["tax_rate"])) for l in lines],
                     currency, Decimal(document_discount_percent), tax_mode=tax_mode)
    quote = dict(
        number="Q-2026-0042-R2", revision=2, status="sent", currency=currency,
        organization_name="Łódź Müller Sp. z o.o.", contact_name="Ζωή Παπαδοπούλου",
        billing_address=dict(street="ul. Piotrkowska 1", city="Łódź", postal_code="90-001", region="Łódzkie",
                             country="Poland"),
        created_at="2026-03-01T09:30:00+00:00", sent_at="2026-03-02T10:00:00+00:00", valid_until="2026-04-01",
        terms="Payment within 30 days of the invoice date.\nDelivery ex works.", tax_mode=tax_mode,
        document_discount_percent=document_discount_percent,
        lines=[dict(line, position=i, net=str(t.net))
               for i, (line, t) in enumerate(zip(lines, totals.lines, strict=True), 1)],
        subtotal=str(totals.subtotal), discount_total=str(totals.discount_total), net_total=str(totals.net_total),
        tax_total=str(totals.tax_total), grand_total=str(totals.grand_total),
        tax_breakdown=[dict(rate=str(b.rate), taxable=str(b.taxable), tax=str(b.tax)) for b in totals.tax_breakdown],
        owner_id="00000000-0000-0000-0000-000000000001",
    )
    quote.update(fields)
    return quote


def read(pdf: bytes) -> tuple[list[str], str]:
    """Each page's text, and the whole text with runs of whitespace made one space (so
    that a description wrapped over several lines still reads as one string)."""
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    return pages, " ".join(" ".join(pages).split())


def test_the_quote_shows_who_what_and_every_total_as_given():
    quote = make_quote(document_discount_percent="5")
    pdf = render_quote(quote, SELLER)
    assert pdf.startswith(b"%PDF-")
    pages, text = read(pdf)

    assert "Quote Q-2026-0042-R2" in text
    for seller_line in ("Acme GmbH", "Hauptstraße 1", "10115 Berlin", "Tax ID: DE123456789", "sales@acme.example"):
        assert seller_line in text
    for customer_line in ("Łódź Müller Sp. z o.o.", "Ζωή Παπαδοπούλου", "ul. Piotrkowska 1", "90-001 Łódź",
                          "Łódzkie", "Poland"):
        assert customer_line in text
    assert "Date 2026-03-02" in text  # the day it was sent
    assert "Valid until 2026-04-01" in text

    # Each line: position, description, SKU, quantity, unit price, discount, tax rate, amount.
    assert "1 Pro licence, one year SKU LIC-PRO 10 1,234.50 10 19 11,110.50" in text
    assert "2 Onboarding workshop 1 800.00 0 7 800.00" in text
    assert "3 Support add-on SKU SUP-24 2.5 99.99 0 19 249.98" in text

    # The numbers of the quote, not recomputed: 12,345.00 + 800.00 + 249.98 before discounts.
    assert "Subtotal 13,394.98 EUR" in text
    assert f"Discounts (incl. 5% quote discount) -{format_money(quote['discount_total'], 'EUR')} EUR" in text
    assert "Discounts (incl. 5% quote discount) -1,842.52 EUR" in text
    assert "Net total excl. tax 11,552.46 EUR" in text
    assert "Tax 7% on 760.00 EUR 53.20 EUR" in text
    assert "Tax 19% on 10,792.46 EUR 2,050.57 EUR" in text
    assert "Total tax 2,103.77 EUR" in text
    assert "Grand total 13,656.23 EUR" in text
    assert "prices include tax" not in text

    assert "Terms and conditions Payment within 30 days of the invoice date. Delivery ex works." in text
    assert ("Acceptance Łódź Müller Sp. z o.o. accepts quote Q-2026-0042-R2 from Acme GmbH for a grand total of "
            "13,656.23 EUR") in text
    assert re.search(r"Name\s+Title\s+Signature\s+Date", pages[-1])
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_totals_are_printed_as_given_even_when_they_do_not_add_up():
    # The PDF is a printer, not a second totals engine: a wrong number shows as it is.
    quote = make_quote(grand_total="1.00")
    _, text = read(render_quote(quote, SELLER))
    assert "Grand total 1.00 EUR" in text


def test_150_lines_flow_over_pages_with_the_table_header_repeated():
    lines = [dict(sku=f"SKU-{i}", description=f"Item number {i} with a description long enough to wrap over "
                  "more than one line of the description column", quantity="1", unit_price="10",
                  discount_percent="0", tax_rate="19") for i in range(1, 151)]
    pages, text = read(render_quote(make_quote(lines), SELLER))

    assert len(pages) >= 4
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
    pages_with_lines = [p for p in pages if "Item number" in p]
    assert len(pages_with_lines) >= 4
    for page in pages_with_lines:
        assert "Pos Description Qty Unit price (EUR) Disc. % Tax % Amount (EUR)" in page
    for i in range(1, 151):
        assert (f"{i} Item number {i} with a description long enough to wrap over more than one line of the "
                f"description column SKU SKU-{i} 1 10.00 0 19 10.00") in text
    assert "Grand total 1,785.00 EUR" in text


def test_yen_has_no_minor_digits():
    lines = [dict(sku=None, description="Consulting day", quantity="3", unit_price="150000", discount_percent="0",
                  tax_rate="10")]
    _, text = read(render_quote(make_quote(lines, currency="JPY"), SELLER))
    assert "1 Consulting day 3 150,000 0 10 450,000" in text
    assert "Tax 10% on 450,000 JPY 45,000 JPY" in text
    assert "Grand total 495,000 JPY" in text


def test_bahraini_dinar_has_three_minor_digits():
    lines = [dict(sku=None, description="Maintenance", quantity="2", unit_price="1250.125", discount_percent="0",
                  tax_rate="10")]
    _, text = read(render_quote(make_quote(lines, currency="BHD"), SELLER))
    assert "1 Maintenance 2 1,250.125 0 10 2,500.250" in text
    assert "Tax 10% on 2,500.250 BHD 250.025 BHD" in text
    assert "Grand total 2,750.275 BHD" in text


@pytest.mark.parametrize(("value", "currency", "expected"), [
    ("1234.5", "EUR", "1,234.50"),
    ("-1234.5", "EUR", "-1,234.50"),
    ("-0.00", "EUR", "0.00"),
    ("1000.0000", "JPY", "1,000"),  # stored with 4 decimals: still shown as yen
    ("0.0125", "EUR", "0.0125"),  # a unit price finer than a cent keeps its digits
    ("1234567.5", "BHD", "1,234,567.500"),
])
def test_money_format(value, currency, expected):
    assert format_money(value, currency) == expected


def test_names_in_other_scripts_render():
    quote = make_quote(organization_name="ООО Ромашка", contact_name="Ελένη Γεωργίου")
    _, text = read(render_quote(quote, SELLER))
    assert "ООО Ромашка" in text
    assert "Ελένη Γεωργίου" in text


def test_a_cjk_name_does_not_break_the_rendering():
    # DejaVu has no CJK glyphs: the characters are left out (see the module docstring).
    _, text = read(render_quote(make_quote(organization_name="東京 Trading KK"), SELLER))
    assert "Trading KK" in text


def test_inclusive_prices_say_so_and_label_each_total_with_its_basis():
    lines = [dict(sku=None, description="Licence", quantity="1", unit_price="119", discount_percent="0",
                  tax_rate="19")]
    quote = make_quote(lines, tax_mode="inclusive", document_discount_percent="10")
    _, text = read(render_quote(quote, SELLER))
    assert "1 Licence 1 119.00 0 19 119.00" in text
    # 119.00 less 10% is 107.10 due, of which 17.10 is tax: the engine's numbers, as given.
    assert "Subtotal incl. tax 119.00 EUR" in text
    assert "Discounts (incl. 10% quote discount) -11.90 EUR" in text
    assert "Net total excl. tax 90.00 EUR" in text
    assert "Tax 19% on 90.00 EUR 17.10 EUR" in text
    assert "Grand total 107.10 EUR" in text
    assert "All prices include tax." in text


def test_a_draft_is_marked_so_nobody_signs_it():
    _, text = read(render_quote(make_quote(status="draft", sent_at=None), SELLER))
    assert "DRAFT" in text


def test_the_same_quote_gives_the_same_bytes():
    quote = make_quote()
    pdf = render_quote(quote, SELLER)
    assert render_quote(quote, SELLER) == pdf
    # Not a coincidence of rendering twice within a second: the date is the quote's.
    assert PdfReader(BytesIO(pdf)).metadata.creation_date == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_a_quote_without_the_optional_fields_still_renders():
    lines = [dict(sku=None, description="Widget", quantity="1", unit_price="5", discount_percent="0",
                  tax_rate="0")]
    quote = make_quote(lines, status="draft", contact_name=None, billing_address=None, sent_at=None,
                       valid_until=None, terms=None)
    del quote["tax_mode"]  # a dump from before tax modes existed
    pages, text = read(render_quote(quote, Seller()))
    assert "Your Company" in text
    assert "Łódź Müller Sp. z o.o." in text
    assert "Date 2026-03-01" in text  # the day it was created
    assert "Valid until -" in text
    assert "Terms and conditions" not in text
    assert "Grand total 5.00 EUR" in text
    assert "Signature" in pages[-1]


def test_seller_from_the_environment():
    # Address lines split on "|", a literal backslash-n (as .env files pass it) or a newline.
    seller = Seller.from_env({"DEALS_SELLER_NAME": "Acme GmbH",
                              "DEALS_SELLER_ADDRESS": "Hauptstraße 1|10115 Berlin\\nGermany\n",
                              "DEALS_SELLER_TAX_ID": "DE123456789", "DEALS_SELLER_EMAIL": "sales@acme.example"})
    assert seller == SELLER
    assert Seller.from_env({}) == Seller(name="Your Company", address_lines=(), tax_id=None, email=None)
