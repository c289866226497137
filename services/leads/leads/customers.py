"""Organizations and contacts: the customer records a lead becomes."""
from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from crmkit.db import utcnow
from crmkit.errors import InvalidTransition, NotFound, check_version
from crmkit.ids import new_id, parse_id
from crmkit.listing import as_utc, contains, paginate
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import duplicates, normalize, schemas
from .models import Contact, Organization

organization_out = schemas.OrganizationOut()
contact_out = schemas.ContactOut()


def bare_domain(value: str | None) -> str | None:
    """``https://www.Example.com/about`` -> ``example.com``."""
    if not value:
        return None
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.strip().lower()).split("/")[0].split(":")[0]
    return host.removeprefix("www.") or None


def _check_not_archived(record, entity: str) -> None:
    if record.archived_at is not None:
        raise InvalidTransition(entity, "archived", "change")


def _organization_of(unit: UnitOfWork, organization_id: str | None) -> Organization | None:
    if organization_id is None:
        return None
    key = parse_id(organization_id)
    organization = unit.session.get(Organization, key) if key else None
    if organization is None:
        raise NotFound("organization", organization_id)  # the body names it: 404, as the path's would
    return organization


def create_organization(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.OrganizationIn, data)
    fields["domain"] = bare_domain(fields.get("domain"))
    organization = Organization(id=new_id(), name_key=normalize.company(fields["name"]),
                                **{**fields, "owner_id": fields.get("owner_id") or unit.call.actor})
    return unit.add(organization, organization_out, "organization.created")


def get_organization(unit: UnitOfWork, organization_id: str) -> dict:
    return organization_out.dump(unit.get(Organization, organization_id))


def update_organization(unit: UnitOfWork, organization_id: str, data: dict,
                        expected_version: int | None = None) -> dict:
    changes = load(schemas.OrganizationIn(partial=True), data)
    organization = unit.get(Organization, organization_id)
    check_version("organization", organization, expected_version)
    _check_not_archived(organization, "organization")
    if "domain" in changes:
        changes["domain"] = bare_domain(changes["domain"])
    if "name" in changes:
        changes["name_key"] = normalize.company(changes["name"])
    return unit.update(organization, changes, organization_out, "organization.updated")


def archive_organization(unit: UnitOfWork, organization_id: str, expected_version: int | None = None) -> dict:
    return _archive(unit, unit.get(Organization, organization_id), organization_out, "organization",
                    expected_version)


def _common_filters(stmt, model, params: dict):
    """What every customer list filters by: archived or not, owner, creation time."""
    stmt = stmt.where(model.archived_at.is_not(None) if params["archived"] else model.archived_at.is_(None))
    if params.get("owner_id"):
        stmt = stmt.where(model.owner_id == params["owner_id"])
    if params.get("created_from"):
        stmt = stmt.where(model.created_at >= as_utc(params["created_from"]))
    if params.get("created_to"):
        stmt = stmt.where(model.created_at < as_utc(params["created_to"]))
    return stmt


def list_organizations(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.OrganizationListQuery, query)
    stmt = _common_filters(select(Organization), Organization, params)
    if params.get("country"):
        stmt = stmt.where(Organization.country == params["country"])
    if params.get("domain"):
        stmt = stmt.where(Organization.domain == bare_domain(params["domain"]))
    if params.get("q"):
        stmt = stmt.where(or_(contains(Organization.name, params["q"]), contains(Organization.domain, params["q"])))
    page = paginate(unit.session, stmt, model=Organization, params=params)
    return {"items": organization_out.dump(page.items, many=True), "next_cursor": page.next_cursor}


def organization_contacts(unit: UnitOfWork, organization_id: str, query: dict) -> dict:
    """The contacts of one organization: its path names it, so the query may not (it was
    overridden, unsaid, when it did)."""
    load(schemas.OrganizationContactsQuery, query)
    organization = unit.get(Organization, organization_id)
    return list_contacts(unit, {**query, "organization_id": organization.id})


def create_contact(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.ContactIn, data)
    allow_duplicate = fields.pop("allow_duplicate")
    organization = _organization_of(unit, fields.get("organization_id"))
    fields["organization_id"] = organization.id if organization else None
    contact = Contact(id=new_id(), **{**fields, "owner_id": fields.get("owner_id") or unit.call.actor})
    duplicates.refresh_contact_keys(contact, organization.country if organization else None)
    if not allow_duplicate:
        duplicates.refuse_duplicates_of_contact(unit.session, contact, organization.name_key if organization else None)
    return unit.add(contact, contact_out, "contact.created")


def get_contact(unit: UnitOfWork, contact_id: str) -> dict:
    return contact_out.dump(unit.get(Contact, contact_id))


def update_contact(unit: UnitOfWork, contact_id: str, data: dict, expected_version: int | None = None) -> dict:
    changes = load(schemas.ContactUpdate(partial=True), data)
    contact = unit.get(Contact, contact_id)
    check_version("contact", contact, expected_version)
    _check_not_archived(contact, "contact")
    allow_duplicate = changes.pop("allow_duplicate", False)
    if "organization_id" in changes:
        organization = _organization_of(unit, changes["organization_id"])
        changes["organization_id"] = organization.id if organization else None

    def check(contact: Contact) -> None:
        organization = unit.session.get(Organization, contact.organization_id) if contact.organization_id else None
        keys = (contact.email_key, contact.phone_key, contact.person_key)
        duplicates.refresh_contact_keys(contact, organization.country if organization else None)
        if not allow_duplicate and keys != (contact.email_key, contact.phone_key, contact.person_key):
            duplicates.refuse_duplicates_of_contact(unit.session, contact,
                                                    organization.name_key if organization else None)

    return unit.update(contact, changes, contact_out, "contact.updated", check=check)


def archive_contact(unit: UnitOfWork, contact_id: str, expected_version: int | None = None) -> dict:
    return _archive(unit, unit.get(Contact, contact_id), contact_out, "contact", expected_version)


def _archive(unit: UnitOfWork, record, out, entity: str, expected_version: int | None = None) -> dict:
    """Archived records leave the lists but stay readable, with everything that refers to them."""
    check_version(entity, record, expected_version)
    _check_not_archived(record, entity)
    record.archived_at = utcnow()
    return unit.changed(record, out, f"{entity}.archived")


def list_contacts(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.ContactListQuery, query)
    stmt = _common_filters(select(Contact), Contact, params)
    if params.get("organization_id"):
        stmt = stmt.where(Contact.organization_id == params["organization_id"])
    if params.get("email"):
        stmt = stmt.where(func.lower(Contact.email) == params["email"].strip().lower())
    if params.get("q"):
        stmt = stmt.where(or_(*(contains(column, params["q"]) for column in (
            Contact.first_name, Contact.last_name, Contact.email))))
    page = paginate(unit.session, stmt, model=Contact, params=params)
    return {"items": contact_out.dump(page.items, many=True), "next_cursor": page.next_cursor}
