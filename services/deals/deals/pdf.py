"""A quote as a PDF document the customer can sign: ``render_quote(quote, seller) -> bytes``.

The input is the quote as the deals service dumps it (amounts are decimal strings, dates
ISO strings). Every amount is printed as given: the totals come from the one totals
engine (crmtotals) and are never recomputed here, so the PDF cannot disagree with the
API. Amounts show the currency's minor digits (more only if the value has them, e.g. a
unit price of 0.0125) with thousands separators: ``-1,234.50 EUR``.

Output is deterministic: the same quote gives the same bytes, because the PDF's creation
date (and so its file id) comes from the quote, never from the clock.

Text is set in DejaVu Sans, bundled in ``fonts/`` with its licence, since the core PDF
fonts are Latin-1 only. DejaVu covers Latin, Greek, Cyrillic, Armenian, Georgian,
Hebrew, Arabic and more, but not Chinese, Japanese or Korean: such characters are left
out of the document (fpdf2 logs a warning naming the missing glyphs; rendering still
succeeds), so "東京 Trading" prints as " Trading". Bundling a CJK font (Noto Sans CJK,
15+ MB) and registering it with ``set_fallback_fonts`` is the fix if customers need it.
Right-to-left scripts (Hebrew, Arabic) are drawn in logical order, unshaped.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

import crmtotals
from crmtotals import minor_units

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"

# A4 in millimetres; the margins leave room for the footer and for hole punching.
MARGIN = 18
LINE = 5  # height of a line of 9 pt text
GREY = (90, 90, 90)
# Columns of the lines table, as fractions of the text width: pos, description, qty,
# unit price, discount %, tax %, amount.
COLUMN_WIDTHS = (8, 52, 14, 25, 12, 10, 28)
COLUMN_ALIGN = ("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
HEADINGS_STYLE = FontFace(family=FONT, emphasis="BOLD", size_pt=8, fill_color=(235, 235, 235))


@dataclass(frozen=True)
class Seller:
    """Who issues the quote: printed at the top and in the acceptance text."""

    name: str = "Your Company"
    address_lines: tuple[str, ...] = ()
    tax_id: str | None = None
    email: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Seller:
        env = os.environ if env is None else env
        # One environment variable holds the whole address: lines are separated by a
        # newline, a literal "\n" (what .env files and compose pass through) or "|".
        lines = re.split(r"\r?\n|\\n|\|", env.get("DEALS_SELLER_ADDRESS", ""))
        return cls(
            name=env.get("DEALS_SELLER_NAME", "").strip() or "Your Company",
            address_lines=tuple(line.strip() for line in lines if line.strip()),
            tax_id=env.get("DEALS_SELLER_TAX_ID", "").strip() or None,
            email=env.get("DEALS_SELLER_EMAIL", "").strip() or None,
        )


def format_number(value: str | Decimal | int) -> str:
    """A quantity or percentage as written, without trailing zeros: "1,000", "2.5"."""
    number = Decimal(value).normalize() + 0  # + 0 turns -0 into 0
    return f"{number:,f}"


def format_money(value: str | Decimal, currency: str) -> str:
    """An amount with the currency's minor digits and thousands separators, no code."""
    amount = Decimal(value) + 0
    # Never drop digits the value has (a unit price may be finer than the currency):
    # rounding here would print a number the totals engine did not compute.
    significant = max(0, -(amount.normalize().as_tuple().exponent))
    return f"{amount:,.{max(minor_units(currency), significant)}f}"


def format_total(value: str | Decimal, currency: str) -> str:
    return f"{format_money(value, currency)} {currency}"


def _day(value: str | None) -> str | None:
    """The date part of an ISO date or datetime, as an ISO date (unambiguous anywhere)."""
    return datetime.fromisoformat(value).date().isoformat() if value else None


def _creation_date(quote: Mapping) -> datetime:
    # From the quote, not the clock, so that rendering twice gives the same bytes.
    stamp = quote.get("sent_at") or quote.get("created_at")
    if not stamp:
        return datetime(2000, 1, 1, tzinfo=UTC)
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clean(text: str) -> str:
    # Tabs and carriage returns have no glyph; a tab becomes spaces, CRLF a newline.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")


class _QuotePdf(FPDF):
    def __init__(self, number: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.number = number

    def footer(self) -> None:
        # Every page names the quote, so a loose signed page can be matched to its
        # document; "{nb}" is replaced by the page count when the document is closed.
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 4, f"Quote {self.number} · Page {self.page_no()} of {{nb}}", align="C")


def render_quote(quote: Mapping, seller: Seller) -> bytes:
    """The quote as a PDF, from the quote's JSON dump (see the module docstring)."""
    currency = quote["currency"]
    pdf = _QuotePdf(quote["number"])
    pdf.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(_creation_date(quote))
    pdf.set_title(f"Quote {quote['number']}")
    pdf.set_author(seller.name)
    pdf.set_creator("CRM deals service")
    pdf.add_page()

    _seller_block(pdf, seller)
    _title(pdf, quote)
    _customer_and_dates(pdf, quote)
    _lines_table(pdf, quote, currency)
    _totals_block(pdf, quote, currency)
    _terms(pdf, quote.get("terms"))
    _acceptance_block(pdf, quote, seller, currency)
    return bytes(pdf.output())


def _text(pdf: FPDF, text: str, *, bold: bool = False, size: float = 9, width: float = 0,
          align: str = "LEFT", grey: bool = False) -> None:
    """A paragraph that wraps within `width` (0: to the right margin) and moves below it."""
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*(GREY if grey else (0, 0, 0)))
    pdf.multi_cell(width, size * 0.5, _clean(text), align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _seller_block(pdf: FPDF, seller: Seller) -> None:
    _text(pdf, seller.name, bold=True, size=12)
    details = list(seller.address_lines)
    if seller.tax_id:
        details.append(f"Tax ID: {seller.tax_id}")
    if seller.email:
        details.append(seller.email)
    if details:
        _text(pdf, "\n".join(details), grey=True)
    pdf.ln(8)


def _title(pdf: FPDF, quote: Mapping) -> None:
    _text(pdf, f"Quote {quote['number']}", bold=True, size=18)
    if quote.get("status") == "draft":
        # A draft can still change: say so, so nobody signs it by mistake.
        _text(pdf, "DRAFT: not yet sent, subject to change", bold=True, grey=True)
    pdf.ln(4)


def _address_lines(address: Mapping | None) -> list[str]:
    if not address:
        return []
    town = " ".join(p for p in (address.get("postal_code"), address.get("city")) if p)
    return [p for p in (address.get("street"), town, address.get("region"), address.get("country")) if p]


def _customer_and_dates(pdf: FPDF, quote: Mapping) -> None:
    """The customer on the left, the quote's dates on the right, side by side."""
    top = pdf.get_y()
    half = (pdf.w - 2 * MARGIN) / 2
    _text(pdf, "Prepared for", grey=True, width=half)
    vat_id = quote.get("organization_vat_id")
    customer = [quote.get("organization_name"), quote.get("contact_name"),
                *_address_lines(quote.get("billing_address")), f"VAT ID {vat_id}" if vat_id else None]
    _text(pdf, "\n".join(c for c in customer if c) or "-", width=half - 5)
    left_bottom = pdf.get_y()

    dates = [("Quote number", quote["number"]),
             ("Date", _day(quote.get("sent_at") or quote.get("created_at")) or "-"),
             ("Valid until", _day(quote.get("valid_until")) or "-")]
    if quote.get("payment_terms_days"):
        dates.append(("Payment terms", f"Net {quote['payment_terms_days']} days"))
    pdf.set_y(top)
    for label, value in dates:
        pdf.set_x(MARGIN + half)
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*GREY)
        pdf.cell(30, LINE, label)
        pdf.set_text_color(0, 0, 0)
        pdf.cell(half - 30, LINE, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)


def _lines_table(pdf: FPDF, quote: Mapping, currency: str) -> None:
    pdf.set_font(FONT, "", 9)
    headings = ("Pos", "Description", "Qty", f"Unit price ({currency})", "Disc. %", "Tax %",
                f"Amount ({currency})")
    # The headings row is repeated at the top of every page the table flows onto.
    with pdf.table(col_widths=COLUMN_WIDTHS, text_align=COLUMN_ALIGN, line_height=4.5,
                   padding=1, v_align="TOP", borders_layout="HORIZONTAL_LINES", repeat_headings=1,
                   headings_style=HEADINGS_STYLE) as table:
        table.row(headings)
        for line, amount in zip(quote["lines"], _amounts_as_priced(quote), strict=True):
            description = _clean(line["description"])
            if line.get("sku"):
                description += f"\nSKU {line['sku']}"
            table.row((
                str(line["position"]), description, format_number(line["quantity"]),
                format_money(line["unit_price"], currency), format_number(line["discount_percent"]),
                format_number(line["tax_rate"]), format_money(amount, currency),
            ))
    pdf.ln(4)


def _amounts_as_priced(quote: Mapping) -> list[Decimal]:
    """Each line's amount in the quote's price basis (tax included in inclusive mode), so
    that the lines add up to the subtotal shown; a line's ``net`` is without tax."""
    lines = [crmtotals.Line(Decimal(line["quantity"]), Decimal(line["unit_price"]),
                            Decimal(line["discount_percent"]), Decimal(line["tax_rate"])) for line in quote["lines"]]
    totals = crmtotals.compute(lines, quote["currency"], Decimal(quote.get("document_discount_percent") or 0),
                               quote.get("rounding") or "per_rate", tax_mode=quote.get("tax_mode") or "exclusive")
    return [line.amount for line in totals.lines]


def _totals_block(pdf: FPDF, quote: Mapping, currency: str) -> None:
    inclusive = quote.get("tax_mode") == "inclusive"
    # The subtotal and the discounts are in the lines' price basis (tax included in
    # inclusive mode); the net total, the breakdown and the grand total are tax-exclusive
    # amounts, the tax and the amount due in either mode (see crmtotals).
    discount = "Discounts"
    if Decimal(quote.get("document_discount_percent") or 0):
        discount += f" (incl. {format_number(quote['document_discount_percent'])}% quote discount)"
    rows = [
        ("Subtotal incl. tax" if inclusive else "Subtotal", quote["subtotal"]),
        # A discount lowers the total, so it is shown as a negative amount.
        (discount, -Decimal(quote["discount_total"])),
        ("Net total excl. tax", quote["net_total"]),
    ]
    for rate in quote["tax_breakdown"]:
        rows.append((f"Tax {format_number(rate['rate'])}% on {format_total(rate['taxable'], currency)}",
                     rate["tax"]))
    rows.append(("Total tax", quote["tax_total"]))

    # Kept on one page: a total separated from its lines reads like a different document.
    height = (len(rows) + 1) * LINE + 4 + (LINE if inclusive else 0)
    if pdf.will_page_break(height):
        pdf.add_page()
    rows = [(label, format_total(value, currency)) for label, value in rows]
    grand_total = format_total(quote["grand_total"], currency)
    # The amounts column is as wide as its widest amount, so large numbers never run
    # into their labels.
    pdf.set_font(FONT, "B", 11)
    value_width = max(38, pdf.get_string_width(grand_total) + 4)
    pdf.set_font(FONT, "", 9)
    value_width = max(value_width, *(pdf.get_string_width(value) + 4 for _, value in rows))
    label_width = 90
    left = pdf.w - MARGIN - label_width - value_width
    for label, value in rows:
        pdf.set_x(left)
        pdf.cell(label_width, LINE, label, align="R")
        pdf.cell(value_width, LINE, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.line(left + label_width - 20, pdf.get_y() + 1, pdf.w - MARGIN, pdf.get_y() + 1)
    pdf.ln(2)
    pdf.set_x(left)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(label_width, LINE + 1, "Grand total", align="R")
    pdf.cell(value_width, LINE + 1, grand_total, align="R",
             new_x="LMARGIN", new_y="NEXT")
    if inclusive:
        pdf.set_x(left)
        pdf.set_font(FONT, "", 8)
        pdf.cell(label_width + value_width, LINE, "All prices include tax.", align="R",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _terms(pdf: FPDF, terms: str | None) -> None:
    if not terms or not terms.strip():
        return
    _text(pdf, "Terms and conditions", bold=True, size=10)
    pdf.ln(1)
    # A long text simply flows onto the next pages (automatic page breaks).
    _text(pdf, terms.strip(), size=8.5)
    pdf.ln(6)


def _acceptance_block(pdf: FPDF, quote: Mapping, seller: Seller, currency: str) -> None:
    customer = quote.get("organization_name") or "The customer"
    statement = (f"{customer} accepts quote {quote['number']} from {seller.name} for a grand total of "
                 f"{format_total(quote['grand_total'], currency)}"
                 + (", under the terms stated above." if (quote.get("terms") or "").strip() else "."))
    signature_lines = ("Name", "Title", "Signature", "Date")
    # The whole block on one page: a signature must sit next to what it accepts.
    pdf.set_font(FONT, "", 9)
    statement_height = pdf.multi_cell(0, 4.5, statement, dry_run=True, output="HEIGHT")
    if pdf.will_page_break(6 + statement_height + 6 + 11 * len(signature_lines)):
        pdf.add_page()

    _text(pdf, "Acceptance", bold=True, size=10)
    pdf.ln(1)
    _text(pdf, statement)
    pdf.ln(6)
    pdf.set_font(FONT, "", 9)
    for label in signature_lines:
        pdf.cell(25, 9, label)
        # The line to write on, from the label to past the middle of the page.
        y = pdf.get_y() + 7
        pdf.line(pdf.get_x(), y, pdf.w / 2 + 30, y)
        pdf.ln(11)
