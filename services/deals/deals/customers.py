"""What deals knows of the customers the leads service owns, kept from its events.

A quote snapshots its customer (name, VAT id, billing address, contact) when it is
made; reading them from this local copy keeps deals working while leads is down and
costs no call. The copy may lag the leads service by an event: a quote made in that
moment falls back to the names its opportunity carries.
"""
from __future__ import annotations

import logging

from crmkit.envelope import Envelope
from crmkit.unit_of_work import UnitOfWork

from .models import KnownContact, KnownOrganization, Opportunity

log = logging.getLogger(__name__)

# Deals keeps a person's name in 200 characters; a contact's first and last names may
# take 100 each and a blank. The copy is cut: the contact itself is referred to by id.
PERSON_NAME_LENGTH = 200


def person_name(first_name: str | None, last_name: str | None) -> str:
    return " ".join(part for part in (first_name, last_name) if part)[:PERSON_NAME_LENGTH]


def _newer(unit: UnitOfWork, model, event: Envelope):
    """The row to write this event into, or None when a newer one is already there."""
    known = unit.session.get(model, event.subject)
    sequence = int(event.sequence)  # the subject's events in order, as the leads service numbered them
    if known is not None and known.source_version >= sequence:
        log.info("skipping %s %s: sequence %s is older than the known %s",
                 event.type, event.subject, sequence, known.source_version)
        return None
    if known is None:
        known = model(id=event.subject)
        unit.session.add(known)
    known.source_version = sequence
    return known


def record_organization(unit: UnitOfWork, event: Envelope) -> None:
    data = event.data["record"]
    known = _newer(unit, KnownOrganization, event)
    if known is None:
        return
    address = _with_country(data.get("billing_address"), data.get("country"))
    known.name, known.vat_id = data["name"], data.get("vat_id")
    known.billing_address = address
    known.shipping_address = _with_country(data.get("shipping_address"), data.get("country"))
    known.payment_terms_days = data.get("payment_terms_days")
    known.archived = data.get("archived_at") is not None


def _with_country(address: dict | None, country: str | None) -> dict | None:
    """The organization's address with a country: its own, else the organization's."""
    if not address and not country:
        return None
    return {**(address or {}), "country": (address or {}).get("country") or country}


def record_contact(unit: UnitOfWork, event: Envelope) -> None:
    data = event.data["record"]
    known = _newer(unit, KnownContact, event)
    if known is None:
        return
    known.name = person_name(data.get("first_name"), data.get("last_name"))
    known.email, known.organization_id = data.get("email"), data.get("organization_id")
    known.archived = data.get("archived_at") is not None


def name_the_customer(unit: UnitOfWork, opportunity: Opportunity) -> None:
    """An opportunity shows its organization's and contact's names as deals knows them;
    one deals has not heard of yet (the copy lags by an event) keeps the name given."""
    organization = unit.session.get(KnownOrganization, opportunity.organization_id) \
        if opportunity.organization_id else None
    contact = unit.session.get(KnownContact, opportunity.contact_id) if opportunity.contact_id else None
    if organization is not None:
        opportunity.organization_name = organization.name
    if contact is not None:
        opportunity.contact_name = contact.name


def snapshot(unit: UnitOfWork, opportunity: Opportunity) -> dict:
    """The customer as a new quote records it (the quote may then override the addresses
    and the payment terms)."""
    organization = unit.session.get(KnownOrganization, opportunity.organization_id) \
        if opportunity.organization_id else None
    contact = unit.session.get(KnownContact, opportunity.contact_id) if opportunity.contact_id else None
    return {
        "organization_id": opportunity.organization_id,
        "organization_name": organization.name if organization else opportunity.organization_name,
        "organization_vat_id": organization.vat_id if organization else None,
        "billing_address": organization.billing_address if organization else None,
        "shipping_address": organization.shipping_address if organization else None,
        "payment_terms_days": organization.payment_terms_days if organization else None,
        "contact_id": opportunity.contact_id,
        "contact_name": contact.name if contact else opportunity.contact_name,
        "contact_email": contact.email if contact else None,
    }
