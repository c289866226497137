"""Duplicate detection among leads and contacts, and merging two leads.

A record matches another on the same normalised email, the same normalised phone, or
the same company together with the same person's name (see ``normalize``).
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select
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


@dataclass(frozen=True)
class Keys:
    """What a lead or contact is compared by."""

    email_key: str | None
    phone_key: str | None
    company_key: str | None
    person_key: str | None

    @classmethod
    def of_lead(cls, lead: Lead) -> Keys:
        return cls(lead.email_key, lead.phone_key, lead.company_key, lead.person_key)


class MatchIndex:
    """The leads and contacts that could match any of some keys, read in three queries
    whatever their number (an import checks a whole chunk of rows at once), and kept up
    to date with the records added meanwhile."""

    def __init__(self, session: Session, wanted: list[Keys]):
        self.by_email: dict[str, list[dict]] = defaultdict(list)
        self.by_phone: dict[str, list[dict]] = defaultdict(list)
        self.by_company_person: dict[tuple, list[dict]] = defaultdict(list)
        emails = {k.email_key for k in wanted if k.email_key}
        phones = {k.phone_key for k in wanted if k.phone_key}
        companies = {k.company_key for k in wanted if k.company_key and k.person_key}
        lead_rules = [rule for rule in (Lead.email_key.in_(emails) if emails else None,
                                        Lead.phone_key.in_(phones) if phones else None,
                                        Lead.company_key.in_(companies) if companies else None) if rule is not None]
        if lead_rules:
            for lead in session.scalars(select(Lead).where(or_(*lead_rules), Lead.status != domain.MERGED)):
                self.add_lead(lead)
        contact_rules = [rule for rule in (Contact.email_key.in_(emails) if emails else None,
                                           Contact.phone_key.in_(phones) if phones else None,
                                           Organization.name_key.in_(companies) if companies else None)
                         if rule is not None]
        if contact_rules:
            stmt = (select(Contact, Organization.name_key)
                    .outerjoin(Organization, Contact.organization_id == Organization.id)
                    .where(or_(*contact_rules), Contact.archived_at.is_(None)))
            for contact, company_key in session.execute(stmt):
                self._add({"type": "contact", "id": contact.id, "name": display_name(contact)},
                          Keys(contact.email_key, contact.phone_key, company_key, contact.person_key))

    def add_lead(self, lead: Lead) -> None:
        # Its owner and team: the gateway tells a sales rep only of the leads it may read.
        self._add({"type": "lead", "id": lead.id, "name": display_name(lead), "status": lead.status,
                   "owner_id": lead.owner_id, "team": lead.team}, Keys.of_lead(lead))

    def _add(self, record: dict, keys: Keys) -> None:
        if keys.email_key:
            self.by_email[keys.email_key].append(record)
        if keys.phone_key:
            self.by_phone[keys.phone_key].append(record)
        if keys.company_key and keys.person_key:
            self.by_company_person[(keys.company_key, keys.person_key)].append(record)

    def matches(self, keys: Keys, exclude: str | None = None) -> list[dict]:
        found: dict[str, dict] = {}
        for rule, records in (("email", self.by_email.get(keys.email_key or "", [])),
                              ("phone", self.by_phone.get(keys.phone_key or "", [])),
                              ("company_and_name", self.by_company_person.get((keys.company_key, keys.person_key), [])
                               if keys.company_key and keys.person_key else [])):
            for record in records:
                if record["id"] != exclude:
                    found.setdefault(record["id"], {**record, "matched_on": []})["matched_on"].append(rule)
        return list(found.values())


def find(session: Session, keys: Keys, exclude: str | None = None) -> list[dict]:
    """Open leads and active contacts that look like the same person."""
    return MatchIndex(session, [keys]).matches(keys, exclude)


def display_name(record) -> str:
    return f"{record.first_name or ''} {record.last_name}".strip()


def refuse_duplicates_of_lead(session: Session, lead: Lead) -> None:
    matches = find(session, Keys.of_lead(lead), exclude=lead.id)
    if matches:
        raise Duplicate("This lead looks like one we already have; send allow_duplicate to keep it anyway.", matches)


def refuse_duplicates_of_contact(session: Session, contact: Contact, company_key: str | None) -> None:
    matches = find(session, Keys(contact.email_key, contact.phone_key, company_key, contact.person_key),
                   exclude=contact.id)
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


def merge_into(survivor: Lead, other: Lead) -> None:
    """The survivor keeps the union of what both knew: its own values first, the other's
    where it had none, every tag of both."""
    for names in MERGED_FIELDS:
        first = names[0]
        if getattr(survivor, first) in (None, "") and getattr(other, first) not in (None, ""):
            for name in names:
                setattr(survivor, name, getattr(other, name))
    if set(other.tags) - set(survivor.tags):
        survivor.tags = sorted(set(survivor.tags) | set(other.tags))
    refresh_lead_keys(survivor)
