"""CSV import and export of leads.

The gateway streams the file and sends the rows in chunks (a header and lists of
cells); each chunk is one transaction here. Re-importing a file creates nothing twice:
every imported row's fingerprint (its non-empty cells, hashed) is kept with the lead it
made or updated, and a row seen before is skipped whatever the duplicates policy.
Duplicates of leads or contacts we have are handled by the policy: ``skip`` (default),
``update`` (the matching lead takes the row's non-empty cells) or ``create`` (anyway).
"""
from __future__ import annotations

import hashlib
import json

from marshmallow import fields, validate
from sqlalchemy import select

from crmkit.db import utcnow
from crmkit.errors import ValidationFailed
from crmkit.ids import new_id
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import domain, duplicates, schemas
from .commands import lead_out, list_leads, place_lead, write_new_leads
from .models import ImportedRow, Lead

COLUMNS = (
    "first_name", "last_name", "email", "phone", "company", "title", "website", "industry", "employees",
    "annual_revenue", "annual_revenue_currency", "country", "source", "campaign", "owner_id", "team",
    "budget_amount", "budget_currency", "authority", "need", "timeline", "tags",
)
EXPORT_COLUMNS = ("id", "status", *COLUMNS, "score", "rating", "created_at", "updated_at")
TAG_SEPARATOR = ";"
MAX_REPORTED = 1000  # rejected or skipped rows listed in a report; the counts are always whole


class LeadRow(schemas.LeadCreate):
    """A CSV row: everything is text there, so numbers and flags are read from text."""

    employees = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    authority = fields.Boolean(allow_none=True)  # "yes", "no", "true", "1", ...


ROW_SCHEMA = LeadRow()  # one for every row: a schema keeps no state between loads
NOT_LEAD_FIELDS = ("allow_duplicate", "tags")


def check_header(header: list[str]) -> list[str]:
    columns = [column.strip().lower() for column in header]
    unknown = sorted(set(columns) - set(COLUMNS))
    problems = {}
    if unknown:
        problems["header"] = [f"Unknown columns: {', '.join(unknown)}. Known: {', '.join(COLUMNS)}."]
    if "last_name" not in columns:
        problems.setdefault("header", []).append("A last_name column is required.")
    if len(set(columns)) != len(columns):
        problems.setdefault("header", []).append("A column appears twice.")
    if problems:
        raise ValidationFailed(problems, "The file's header is not one we can import.")
    return columns


def fingerprint(columns: list[str], cells: list[str]) -> str:
    given = sorted((column, cell.strip()) for column, cell in zip(columns, cells, strict=False) if cell.strip())
    return hashlib.sha256(json.dumps(given).encode()).hexdigest()


def _fields(columns: list[str], cells: list[str]) -> dict:
    row = {column: cell.strip() for column, cell in zip(columns, cells, strict=False) if cell.strip()}
    if "tags" in row:
        row["tags"] = [tag for tag in row["tags"].split(TAG_SEPARATOR) if tag.strip()]
    return row


def import_chunk(unit: UnitOfWork, header: list[str], rows: list[list[str]], first_row: int, policy: str) -> dict:
    """Import one chunk of rows in the caller's transaction. Its leads are written
    together (one flush, not one per row) and then reported one by one in the rows'
    order; an update of a lead we had writes the new leads before it first, so the
    events keep the order of the rows."""
    if policy not in domain.IMPORT_POLICIES:
        raise ValidationFailed({"duplicates": [f"Must be one of: {', '.join(domain.IMPORT_POLICIES)}."]})
    columns = check_header(header)
    report = {"created": 0, "updated": 0, "skipped": 0, "rejected": 0, "problems": []}
    prints = [fingerprint(columns, cells) for cells in rows]
    seen = set(unit.session.scalars(select(ImportedRow.fingerprint).where(ImportedRow.fingerprint.in_(prints))))

    candidates = []
    for number, (cells, print_) in enumerate(zip(rows, prints, strict=True), start=first_row):
        if print_ in seen:
            report["skipped"] += 1  # imported before, or twice in this file
            continue
        seen.add(print_)
        if len(cells) > len(columns):
            _problem(report, "rejected", number, {"_row": [f"{len(cells)} cells for {len(columns)} columns."]})
            continue
        try:
            row = load(ROW_SCHEMA, _fields(columns, cells))
        except ValidationFailed as refused:
            _problem(report, "rejected", number, refused.details)
            continue
        # The tags are set once, normalised (the constructor would set them as given first).
        lead = Lead(id=new_id(), status=domain.NEW, **{k: v for k, v in row.items() if k not in NOT_LEAD_FIELDS})
        lead.tags = domain.normalize_tags(row.get("tags", []))
        duplicates.refresh_lead_keys(lead)
        candidates.append((number, print_, row, lead))

    index = duplicates.MatchIndex(unit.session, [duplicates.Keys.of_lead(lead) for *_, lead in candidates])
    placed, prints_of_placed = [], []  # new leads in the session, not written or reported yet
    for number, print_, row, lead in candidates:
        matches = index.matches(duplicates.Keys.of_lead(lead))
        if matches and policy != "create":
            if policy == "update":
                _write_new_leads(unit, placed, prints_of_placed)  # a match may be one of them; their events first
            target = _updatable(unit, matches) if policy == "update" else None
            if target is None:
                _problem(report, "skipped", number, {"duplicates": matches})
                continue
            changes = {k: v for k, v in row.items() if k not in ("allow_duplicate", "owner_id")}
            if "tags" in changes:
                changes["tags"] = sorted(set(target.tags) | set(domain.normalize_tags(changes["tags"])))
            unit.update(target, changes, lead_out, "lead.updated", check=duplicates.refresh_lead_keys)
            unit.session.add(ImportedRow(fingerprint=print_, lead_id=target.id, imported_at=utcnow()))
            report["updated"] += 1
            continue
        placed.append(place_lead(unit, lead))  # its owner first: the index tells later rows of it
        prints_of_placed.append(ImportedRow(fingerprint=print_, lead_id=lead.id, imported_at=utcnow()))
        index.add_lead(lead)
        report["created"] += 1
    _write_new_leads(unit, placed, prints_of_placed)
    unit.session.flush()
    return report


def _write_new_leads(unit: UnitOfWork, placed: list, prints: list[ImportedRow]) -> None:
    """Write and report the leads placed so far, then add their rows' fingerprints
    (after them: they refer to the leads); both lists are emptied."""
    write_new_leads(unit, placed)
    unit.session.add_all(prints)
    placed.clear()
    prints.clear()


def _updatable(unit: UnitOfWork, matches: list[dict]) -> Lead | None:
    for match in matches:
        if match["type"] == "lead":
            lead = unit.session.get(Lead, match["id"])
            if lead is not None and lead.status not in domain.READ_ONLY_STATES:
                return lead
    return None


def _problem(report: dict, kind: str, row: int, details: dict) -> None:
    report[kind] += 1
    if len(report["problems"]) < MAX_REPORTED:
        report["problems"].append({"row": row, "outcome": kind, "details": details})


def export_page(unit: UnitOfWork, query: dict) -> dict:
    """One page of leads as CSV cells, with the list's filters and cursor."""
    page = list_leads(unit, {**query, "limit": query.get("limit", "200")})
    rows = [[_cell(lead.get(column)) for column in EXPORT_COLUMNS] for lead in page["items"]]
    return {"header": list(EXPORT_COLUMNS), "rows": rows, "next_cursor": page["next_cursor"]}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return TAG_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
