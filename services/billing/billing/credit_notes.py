"""Credit notes (CN-YYYY-NNNN): the only correction of an issued invoice, full or for
some quantities of its lines.

A partial credit is priced by the totals engine like any document, with the invoice's
currency, discount, tax mode and rounding. The credit note that takes what remains of
the invoice is the invoice minus every earlier credit, figure by figure, so that the
credits of an invoice always add up to it exactly, to the cent, whatever rounding did
in between. The credit reduces the balance due; what the balance cannot absorb (the
invoice was paid) is a refund owed to the customer.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select

import crmtotals
from crmkit.db import utcnow
from crmkit.errors import ValidationFailed, check_version
from crmkit.ids import new_id
from crmkit.listing import paginate
from crmkit.numbering import next_number
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import domain, schemas
from .invoices import invoice_out
from .models import LINE_FIELDS, TOTAL_FIELDS, CreditNote, CreditNoteLine, Invoice

credit_note_out = schemas.CreditNoteOut()
_SNAPSHOT_FIELDS = ("currency", "document_discount_percent", "rounding", "tax_mode", "organization_id",
                    "organization_name", "organization_vat_id", "contact_id", "contact_name", "contact_email",
                    "billing_address", "owner_id")

log = logging.getLogger(__name__)


def _remaining_quantities(invoice: Invoice) -> dict[int, Decimal]:
    credited: dict[int, Decimal] = {}
    for note in invoice.credit_notes:
        for line in note.lines:
            credited[line.position] = credited.get(line.position, Decimal(0)) + line.quantity
    return {line.position: line.quantity - credited.get(line.position, Decimal(0)) for line in invoice.lines}


def _wanted_quantities(requested: list[dict] | None, remaining: dict[int, Decimal]) -> dict:
    if requested is None:
        wanted = {position: quantity for position, quantity in remaining.items() if quantity != 0}
        if not wanted:
            raise ValidationFailed({"lines": ["Everything on this invoice is credited already."]})
        return wanted
    problems, wanted = {}, {}
    for index, line in enumerate(requested):
        position, quantity = line["position"], line["quantity"]
        left = remaining.get(position)
        if left is None:
            problems[str(index)] = {"position": [f"The invoice has no line {position}."]}
        elif position in wanted:
            problems[str(index)] = {"position": [f"Line {position} is listed twice."]}
        elif quantity > abs(left):
            problems[str(index)] = {"quantity": [f"Only {abs(left)} of line {position} is left to credit."]}
        else:
            # A credit takes back in the line's own direction (a return line is negative).
            wanted[position] = quantity if left >= 0 else -quantity
    if problems:
        raise ValidationFailed({"lines": problems})
    return wanted


def create_credit_note(unit: UnitOfWork, invoice_id: str, data: dict, expected_version: int | None = None) -> dict:
    """``expected_version`` is the invoice's (If-Match on the invoice credited)."""
    fields = load(schemas.CreditNoteIn, data)
    invoice = unit.get(Invoice, invoice_id)
    check_version("invoice", invoice, expected_version)
    domain.check_creditable(invoice.status)
    remaining = _remaining_quantities(invoice)
    wanted = _wanted_quantities(fields.get("lines"), remaining)
    takes_the_rest = all(wanted.get(position, Decimal(0)) == left for position, left in remaining.items())
    lines_by_position = {line.position: line for line in invoice.lines}
    note = CreditNote(
        id=new_id(), invoice_id=invoice.id, invoice_number=invoice.number, reason=fields["reason"],
        **{name: getattr(invoice, name) for name in _SNAPSHOT_FIELDS},
    )
    if takes_the_rest:
        _rest_of(invoice, note, wanted, lines_by_position)
    else:
        _priced(invoice, note, wanted, lines_by_position)

    today = utcnow().date()
    note.issue_date = today
    applied = min(note.grand_total, max(invoice.balance_due, Decimal(0)))
    note.refund_due = note.grand_total - applied
    invoice.balance_due -= applied
    invoice.credited_total += note.grand_total
    invoice.status = domain.status_after_credit(invoice.status, invoice.balance_due, takes_the_rest)
    note.number = domain.credit_note_number(today.year, next_number(unit.session, "credit_note", today.year))
    unit.session.add(note)
    invoice.credit_notes.append(note)
    unit.session.flush()
    out = unit.changed(note, credit_note_out, "credit_note.issued", invoice=invoice_out.dump(invoice))
    if invoice.status == domain.CREDITED:
        unit.changed(invoice, invoice_out, "invoice.credited")
    log.info("credit note %s of %s issued against invoice %s", note.number, note.grand_total, invoice.number)
    return out


def _priced(invoice: Invoice, note: CreditNote, wanted: dict, lines_by_position: dict) -> None:
    positions = sorted(wanted)
    totals = crmtotals.compute(
        [crmtotals.Line(wanted[p], lines_by_position[p].unit_price, lines_by_position[p].discount_percent,
                        lines_by_position[p].tax_rate) for p in positions],
        invoice.currency, invoice.document_discount_percent, invoice.rounding, tax_mode=invoice.tax_mode)
    note.lines = [_line(lines_by_position[p], wanted[p], t.net) for p, t in zip(positions, totals.lines, strict=True)]
    for name in TOTAL_FIELDS:
        setattr(note, name, getattr(totals, name))
    note.tax_breakdown = [{"rate": str(b.rate), "taxable": str(b.taxable), "tax": str(b.tax)}
                          for b in totals.tax_breakdown]


def _rest_of(invoice: Invoice, note: CreditNote, wanted: dict, lines_by_position: dict) -> None:
    """The last credit: the invoice less every earlier credit, figure by figure."""
    earlier = invoice.credit_notes
    credited_nets: dict[int, Decimal] = {}
    for other in earlier:
        for line in other.lines:
            credited_nets[line.position] = credited_nets.get(line.position, Decimal(0)) + line.net
    note.lines = [_line(lines_by_position[p], wanted[p], lines_by_position[p].net - credited_nets.get(p, Decimal(0)))
                  for p in sorted(wanted)]
    for name in TOTAL_FIELDS:
        setattr(note, name, getattr(invoice, name) - sum((getattr(o, name) for o in earlier), Decimal(0)))
    breakdown = []
    for rate in invoice.tax_breakdown:
        taxable, tax = Decimal(rate["taxable"]), Decimal(rate["tax"])
        for other in earlier:
            for line in other.tax_breakdown:
                if Decimal(line["rate"]) == Decimal(rate["rate"]):
                    taxable -= Decimal(line["taxable"])
                    tax -= Decimal(line["tax"])
        breakdown.append({"rate": rate["rate"], "taxable": str(taxable), "tax": str(tax)})
    note.tax_breakdown = breakdown


def _line(invoice_line, quantity: Decimal, net: Decimal) -> CreditNoteLine:
    copied = {name: getattr(invoice_line, name) for name in LINE_FIELDS}
    return CreditNoteLine(**{**copied, "quantity": quantity, "net": net})


def get_credit_note(unit: UnitOfWork, credit_note_id: str) -> dict:
    return credit_note_out.dump(unit.get(CreditNote, credit_note_id))


def list_credit_notes(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.CreditNoteListQuery, query)
    stmt = select(CreditNote)
    for name in ("invoice_id", "organization_id", "owner_id"):
        if params.get(name):
            stmt = stmt.where(getattr(CreditNote, name) == params[name])
    page = paginate(unit.session, stmt, model=CreditNote, params=params)
    return {"items": credit_note_out.dump(page.items, many=True), "next_cursor": page.next_cursor}
