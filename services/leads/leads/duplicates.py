"""Duplicate detection among leads and contacts, and merging two leads.

A record matches another on the same normalised email, the same normalised phone, or
the same company together with the same person's name (see ``normalize``).
"""
from __future__ import annotations

import os

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crmkit.errors import Duplicate

from . import domain, normalize
from .models import Contact, Lead, Organization

# National numbers without a country are read in this region (ISO 3166 alpha-2).
DEFAULT_PHONE_REGION = os.environ.get("LEADS_DEFAULT_PHONE_REGION", "US")


def refresh_lead_keys(lead: Lead) -> None:
    lead.email_key = normalize.email(lead.email)
    lead.phone_key = normalize.phone(lead.phone, lead.country or DEFAULT_PHONE_REGION)
    lead.company_key = normalize.company(lead.company)
    lead.person_key = normalize.person(lead.first_name, lead.last_name)


def refresh_contact_keys(contact: Contact, country: str | None = None) -> None:
    contact.email_key = normalize.email(contact.email)
    contact.phone_key = normalize.phone(contact.phone, country or DEFAULT_PHONE_REGION)
    contact.person_key = normalize.person(contact.first_name, contact.last_name)


def _matched_on(record, email_key, phone_key, company_key, person_key, record_company_key) -> list[str]:
    matched = []
    if email_key and record.email_key == email_key:
        matched.append("email")
    if phone_key and record.phone_key == phone_key:
        matched.append("phone")
    if company_key and person_key and record_company_key == company_key and record.person_key == person_key:
        matched.append("company_and_name")
    return matched


def find(session: Session, *, email_key: str | None, phone_key: str | None, company_key: str | None,
         person_key: str | None, exclude_lead: str | None = None, exclude_contact: str | None = None) -> list[dict]:
    """Open leads and active contacts that look like the same person."""
    matches = []
    lead_rules = [Lead.email_key == email_key if email_key else None,
                  Lead.phone_key == phone_key if phone_key else None,
                  and_(Lead.company_key == company_key, Lead.person_key == person_key)
                  if company_key and person_key else None]
    lead_rules = [rule for rule in lead_rules if rule is not None]
    if lead_rules:
        stmt = select(Lead).where(or_(*lead_rules), Lead.status != domain.MERGED).limit(20)
        if exclude_lead:
            stmt = stmt.where(Lead.id != exclude_lead)
        for lead in session.scalars(stmt):
            matches.append({"type": "lead", "id": lead.id, "name": display_name(lead), "status": lead.status,
                            "matched_on": _matched_on(lead, email_key, phone_key, company_key, person_key,
                                                      lead.company_key)})
    contact_rules = [Contact.email_key == email_key if email_key else None,
                     Contact.phone_key == phone_key if phone_key else None,
                     and_(Organization.name_key == company_key, Contact.person_key == person_key)
                     if company_key and person_key else None]
    contact_rules = [rule for rule in contact_rules if rule is not None]
    if contact_rules:
        stmt = (select(Contact, Organization.name_key)
                .outerjoin(Organization, Contact.organization_id == Organization.id)
                .where(or_(*contact_rules), Contact.archived_at.is_(None)).limit(20))
        if exclude_contact:
            stmt = stmt.where(Contact.id != exclude_contact)
        for contact, organization_key in session.execute(stmt):
            matches.append({"type": "contact", "id": contact.id, "name": display_name(contact),
                            "matched_on": _matched_on(contact, email_key, phone_key, company_key, person_key,
                                                      organization_key)})
    return matches


def display_name(record) -> str:
    return f"{record.first_name or ''} {record.last_name}".strip()


def refuse_duplicates_of_lead(session: Session, lead: Lead) -> None:
    matches = find(session, email_key=lead.email_key, phone_key=lead.phone_key, company_key=lead.company_key,
                   person_key=lead.person_key, exclude_lead=lead.id)
    if matches:
        raise Duplicate("This lead looks like one we already have; send allow_duplicate to keep it anyway.", matches)


def refuse_duplicates_of_contact(session: Session, contact: Contact, company_key: str | None) -> None:
    matches = find(session, email_key=contact.email_key, phone_key=contact.phone_key, company_key=company_key,
                   person_key=contact.person_key, exclude_contact=contact.id)
    if matches:
        raise Duplicate("This contact looks like one we already have; send allow_duplicate to keep it anyway.",
                        matches)


# What a merge keeps of the other lead when the survivor does not know it. An amount and
# its currency travel together, never one from each lead.
MERGED_FIELDS = (
    ("first_name",), ("email",), ("phone",), ("company",), ("title",), ("website",), ("industry",), ("employees",),
    ("annual_revenue", "annual_revenue_currency"), ("country",), ("address",), ("campaign",), ("team",),
    ("budget_amount", "budget_currency"), ("authority",), ("need",), ("timeline",),
)


def merge_into(survivor: Lead, other: Lead) -> list[str]:
    """The survivor keeps the union of what both knew: its own values first, the other's
    where it had none, every tag of both. Returns the names of the fields it gained."""
    gained = []
    for names in MERGED_FIELDS:
        first = names[0]
        if getattr(survivor, first) in (None, "") and getattr(other, first) not in (None, ""):
            for name in names:
                setattr(survivor, name, getattr(other, name))
            gained.extend(names)
    if set(other.tags) - set(survivor.tags):
        survivor.tags = sorted(set(survivor.tags) | set(other.tags))
        gained.append("tags")
    refresh_lead_keys(survivor)
    return gained
