"""Use cases of the leads service. Each takes the unit of work, changes records and
emits the events that report the change; the caller commits."""
from __future__ import annotations

import logging

from sqlalchemy import false, or_, select

from crmkit.db import utcnow
from crmkit.errors import ValidationFailed, check_version
from crmkit.ids import new_id
from crmkit.listing import as_utc, contains, paginate
from crmkit.schemas import load, money_problem
from crmkit.unit_of_work import UnitOfWork

from . import assignment, domain, duplicates, normalize, schemas, scoring  # noqa: F401 (scoring: its hook)
from .customers import bare_domain, contact_out, organization_out
from .models import AssignmentRule, Contact, Lead, LeadTag, Organization

lead_out = schemas.LeadOut()
converted_opportunity_out = schemas.ConvertedOpportunityOut()

log = logging.getLogger(__name__)


def create_lead(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.LeadCreate, data)
    allow_duplicate = fields.pop("allow_duplicate")
    fields["tags"] = domain.normalize_tags(fields.get("tags", []))
    lead = Lead(id=new_id(), status=domain.NEW, **fields)
    duplicates.refresh_lead_keys(lead)
    if not allow_duplicate:
        duplicates.refuse_duplicates_of_lead(unit.session, lead)
    add_lead(unit, lead)
    log.info("lead %s created for %s", lead.id, lead.owner_id)
    return lead_out.dump(lead)


def add_lead(unit: UnitOfWork, lead: Lead) -> None:
    """Add a new lead: owned as given, else by the assignment rules, else by its creator."""
    write_new_leads(unit, [place_lead(unit, lead)])


def place_lead(unit: UnitOfWork, lead: Lead) -> tuple[Lead, AssignmentRule | None]:
    """Give a new lead its owner (as given, else by the assignment rules, else its
    creator) and add it to the session; returns it with the rule that chose, if one did.
    Nothing is written or reported yet: ``write_new_leads`` does (an import places a
    chunk's leads one by one and writes them together)."""
    chosen = assignment.choose_by_rules(unit, lead) if lead.owner_id is None else None
    if chosen:
        lead.owner_id, lead.team = chosen[0], chosen[1].team
    lead.owner_id = lead.owner_id or unit.call.actor
    unit.session.add(lead)
    return lead, chosen[1] if chosen else None


def write_new_leads(unit: UnitOfWork, placed: list[tuple[Lead, AssignmentRule | None]]) -> None:
    """Write placed leads in one flush, then the assignments the rules made (rows that
    refer to a lead go in after it: the session orders tables by relationships only),
    and report each lead in order: lead.created, and lead.assigned after it when a rule
    gave it its owner."""
    unit.session.flush()
    entries = [assignment.entry_of(unit, lead, None, f"rule {rule.name}", rule.id) if rule else None
               for lead, rule in placed]
    if any(entries):
        unit.session.flush()
    for (lead, _rule), entry in zip(placed, entries, strict=True):
        unit.report(lead, lead_out, "lead.created")
        if entry is not None:
            assignment.report(unit, lead, entry)


def get_lead(unit: UnitOfWork, lead_id: str) -> dict:
    return lead_out.dump(unit.get(Lead, lead_id))


def list_leads(unit: UnitOfWork, query: dict, organization_id: str | None = None) -> dict:
    """A page of leads by the filters of ``LeadListQuery``; with ``organization_id``, only
    the leads converted into that organization (GET /organizations/{id}/leads)."""
    params = load(schemas.LeadListQuery, query)
    stmt = select(Lead)
    if organization_id is not None:
        stmt = stmt.where(Lead.converted_organization_id == organization_id)
    if params.get("status"):
        stmt = stmt.where(Lead.status.in_(params["status"]))
    if params.get("source"):
        stmt = stmt.where(Lead.source.in_(params["source"]))
    for name in ("owner_id", "team"):
        if params.get(name):
            stmt = stmt.where(getattr(Lead, name) == params[name])
    if "score_min" in params:
        stmt = stmt.where(Lead.score >= params["score_min"])
    if "score_max" in params:
        stmt = stmt.where(Lead.score <= params["score_max"])
    if params.get("rating"):
        stmt = stmt.where(Lead.rating.in_(params["rating"]))
    if params.get("tag"):
        # A tag of blanks only is no tag any lead has (normalize_tags drops it).
        tag = next(iter(domain.normalize_tags([params["tag"]])), None)
        stmt = stmt.where(Lead.tag_rows.any(LeadTag.tag == tag) if tag else false())
    if params.get("created_from"):
        stmt = stmt.where(Lead.created_at >= as_utc(params["created_from"]))
    if params.get("created_to"):
        stmt = stmt.where(Lead.created_at < as_utc(params["created_to"]))
    if params.get("q"):
        stmt = stmt.where(or_(*(contains(column, params["q"]) for column in (
            Lead.first_name, Lead.last_name, Lead.email, Lead.company))))
    page = paginate(unit.session, stmt, model=Lead, params=params)
    return {"items": lead_out.dump(page.items, many=True), "next_cursor": page.next_cursor}


def organization_leads(unit: UnitOfWork, organization_id: str, query: dict) -> dict:
    """The leads converted into this organization, by every filter of the leads list."""
    return list_leads(unit, query, organization_id=unit.get(Organization, organization_id).id)


def update_lead(unit: UnitOfWork, lead_id: str, data: dict, expected_version: int | None = None) -> dict:
    changes = load(schemas.LeadUpdate(partial=True), data)
    lead = unit.get(Lead, lead_id)
    check_version("lead", lead, expected_version)
    domain.check_editable(lead.status)
    if "tags" in changes:
        changes["tags"] = domain.normalize_tags(changes["tags"] or [])
    allow_duplicate = changes.pop("allow_duplicate", False)

    def check(lead: Lead) -> None:
        _amounts_fit_their_currencies(lead)
        keys = (lead.email_key, lead.phone_key, lead.company_key, lead.person_key)
        duplicates.refresh_lead_keys(lead)
        if not allow_duplicate and keys != (lead.email_key, lead.phone_key, lead.company_key, lead.person_key):
            duplicates.refuse_duplicates_of_lead(unit.session, lead)

    return unit.update(lead, changes, lead_out, "lead.updated", check=check)


def merge_leads(unit: UnitOfWork, survivor_id: str, data: dict, expected_version: int | None = None) -> dict:
    """Keep ``survivor_id``; the other lead is marked merged into it and becomes read-only.
    ``expected_version`` is the survivor's (the lead the caller read and writes)."""
    other_id = load(schemas.Merge, data)["other_id"]
    survivor = unit.get(Lead, survivor_id)
    check_version("lead", survivor, expected_version)
    other = unit.get(Lead, other_id)
    if survivor.id == other.id:
        raise ValidationFailed({"other_id": ["A lead cannot be merged into itself."]})
    domain.check_editable(survivor.status)
    other.status = domain.next_status(other.status, "merge")
    other.merged_into_id = survivor.id
    duplicates.merge_into(survivor, other)
    survivor.updated_at = utcnow()
    unit.changed(other, lead_out, "lead.merged")
    out = unit.changed(survivor, lead_out, "lead.updated")
    log.info("lead %s merged into %s", other.id, survivor.id)
    return out


def record_opportunity_outcome(unit: UnitOfWork, lead_id: str | None, opportunity_id: str | None,
                               failure: dict | None) -> None:
    """What deals did with the opportunity a conversion asked for, shown on the lead."""
    lead = unit.session.get(Lead, lead_id) if lead_id else None
    if lead is None or lead.converted_opportunity_id != opportunity_id \
            or lead.opportunity_status != domain.OPPORTUNITY_PENDING:
        return  # an opportunity made without a lead, or news already told
    outcome = domain.OPPORTUNITY_FAILED if failure else domain.OPPORTUNITY_CREATED
    unit.update(lead, {"opportunity_status": outcome, "opportunity_failure": failure}, lead_out, "lead.updated")
    if failure:
        log.warning("lead %s: deals refused its opportunity %s: %s", lead.id, opportunity_id, failure)


def _amounts_fit_their_currencies(lead: Lead) -> None:
    problems = domain.amount_problems(lambda name: getattr(lead, name))
    if problems:
        raise ValidationFailed(problems)


def _move(unit: UnitOfWork, lead_id: str, command: str, event: str, expected_version: int | None,
          **changes) -> dict:
    lead = unit.get(Lead, lead_id)
    check_version("lead", lead, expected_version)
    lead.status = domain.next_status(lead.status, command)
    for name, value in changes.items():
        setattr(lead, name, value)
    out = unit.changed(lead, lead_out, event)
    log.info("lead %s %s", lead.id, event.split(".")[1])
    return out


def contact_lead(unit: UnitOfWork, lead_id: str, expected_version: int | None = None) -> dict:
    return _move(unit, lead_id, "contact", "lead.contacted", expected_version)


def qualify_lead(unit: UnitOfWork, lead_id: str, expected_version: int | None = None) -> dict:
    return _move(unit, lead_id, "qualify", "lead.qualified", expected_version, qualified_at=utcnow())


def disqualify_lead(unit: UnitOfWork, lead_id: str, data: dict, expected_version: int | None = None) -> dict:
    reason = load(schemas.Disqualify, data)["reason"]
    return _move(unit, lead_id, "disqualify", "lead.disqualified", expected_version, disqualify_reason=reason)


def recycle_lead(unit: UnitOfWork, lead_id: str, expected_version: int | None = None) -> dict:
    return _move(unit, lead_id, "recycle", "lead.recycled", expected_version, disqualify_reason=None)


def convert_lead(unit: UnitOfWork, lead_id: str, options: dict | None,
                 expected_version: int | None = None) -> dict:
    """One atomic command: organization and contact created or linked, the lead marked
    converted, and lead.converted recorded with the opportunity's id chosen here, so
    the caller knows it at once; the deals service creates the opportunity from it.

    The conversion is a saga that ends when deals answers. If deals refused the
    opportunity (the lead shows why), converting again asks for it once more with the
    corrected ``opportunity`` details, or with ``mode: none`` finishes without one."""
    choice = load(schemas.ConvertRequest, options or {})
    lead = unit.get(Lead, lead_id)
    check_version("lead", lead, expected_version)
    if lead.status == domain.CONVERTED and lead.opportunity_status == domain.OPPORTUNITY_FAILED:
        return _ask_for_the_opportunity_again(unit, lead, options or {}, choice["opportunity"])
    domain.next_status(lead.status, "convert")
    domain.check_ready_to_convert(lead.budget_amount, lead.timeline, choice["override_qualification"])

    organization = _organization_for(unit, lead, choice["organization"])
    contact = _contact_for(unit, lead, choice["contact"], organization)
    opportunity = _opportunity_for(lead, choice["opportunity"], organization, contact)

    lead.status = domain.CONVERTED
    lead.converted_at = utcnow()
    lead.converted_organization_id = organization.id if organization else None
    lead.converted_contact_id = contact.id
    lead.converted_opportunity_id = opportunity["id"] if opportunity else None
    lead.opportunity_status = domain.OPPORTUNITY_PENDING if opportunity else None
    out = unit.changed(lead, lead_out, "lead.converted", **_conversion(organization, contact, opportunity))
    log.info("lead %s converted (opportunity %s)", lead.id, lead.converted_opportunity_id)
    return out


def _ask_for_the_opportunity_again(unit: UnitOfWork, lead: Lead, options: dict, choice: dict) -> dict:
    """The same opportunity id again (deals makes at most one of an id), for the
    organization and contact the conversion made: they are customers now and stay."""
    fixed = sorted(name for name in ("organization", "contact", "override_qualification") if name in options)
    if fixed:
        raise ValidationFailed({name: ["The lead is converted: only its opportunity can be asked for again."]
                                for name in fixed})
    organization = unit.session.get(Organization, lead.converted_organization_id) \
        if lead.converted_organization_id else None
    contact = unit.get(Contact, lead.converted_contact_id)
    opportunity = _opportunity_for(lead, choice, organization, contact, lead.converted_opportunity_id)
    out = unit.update(lead, {
        "converted_opportunity_id": opportunity["id"] if opportunity else None,
        "opportunity_status": domain.OPPORTUNITY_PENDING if opportunity else None,
        "opportunity_failure": None,
    }, lead_out, "lead.updated")
    if opportunity:
        unit.changed(lead, lead_out, "lead.conversion_retried", **_conversion(organization, contact, opportunity))
    log.info("lead %s: opportunity %s asked for again", lead.id, lead.converted_opportunity_id)
    return out


def _conversion(organization: Organization | None, contact: Contact, opportunity: dict | None) -> dict:
    """What lead.converted (and lead.conversion_retried) carry besides the lead."""
    return {
        "organization": organization_out.dump(organization) if organization else None,
        "contact": contact_out.dump(contact),
        "opportunity": converted_opportunity_out.dump(opportunity) if opportunity else None,
    }


def _organization_for(unit: UnitOfWork, lead: Lead, choice: dict | None) -> Organization | None:
    if choice is None:  # by default a lead with a company becomes a business customer
        choice = {"mode": "create" if lead.company else "none"}
    if choice["mode"] == "none":
        return None
    if choice["mode"] == "link":
        return unit.get(Organization, choice["id"])
    name = choice.get("name") or lead.company
    if not name:
        raise ValidationFailed({"organization": {"name": ["The lead has no company: name the organization."]}})
    organization = Organization(id=new_id(), name=name, name_key=normalize.company(name),
                                domain=bare_domain(lead.website), industry=lead.industry,
                                employees=lead.employees, country=lead.country, owner_id=lead.owner_id)
    unit.add(organization, organization_out, "organization.created")
    return organization


def _contact_for(unit: UnitOfWork, lead: Lead, choice: dict, organization: Organization | None) -> Contact:
    if choice["mode"] == "link":
        return unit.get(Contact, choice["id"])
    contact = Contact(
        id=new_id(), first_name=lead.first_name, last_name=lead.last_name, email=lead.email,
        phone=lead.phone, title=lead.title, organization_id=organization.id if organization else None,
        decision_maker=bool(lead.authority), owner_id=lead.owner_id,
    )
    # The lead becomes this contact: it is not checked against itself or its twins again.
    duplicates.refresh_contact_keys(contact, lead.country)
    unit.add(contact, contact_out, "contact.created")
    return contact


def _opportunity_for(lead: Lead, choice: dict, organization, contact, opportunity_id: str | None = None) -> dict | None:
    if choice["mode"] == "none":
        return None
    amount = choice.get("amount", lead.budget_amount)
    currency = choice.get("currency") or lead.budget_currency
    if amount is not None and not currency:
        raise ValidationFailed({"opportunity": {"currency": ["An amount needs its currency."]}})
    if problem := money_problem(amount, currency):
        raise ValidationFailed({"opportunity": {"amount": [problem]}})
    name = choice.get("name") or (organization.name if organization else duplicates.display_name(lead))
    if len(name) > domain.OPPORTUNITY_NAME_LENGTH:  # a first and a last name of 100 and a blank
        raise ValidationFailed({"opportunity": {"name": [
            f"The lead's name has {len(name)} characters, an opportunity's at most "
            f"{domain.OPPORTUNITY_NAME_LENGTH}: name the opportunity."]}})
    return {
        "id": opportunity_id or new_id(),
        "name": name,
        "amount": amount,
        "currency": currency,
        "expected_close_date": choice.get("expected_close_date") or lead.timeline,
        "stage": choice.get("stage"),
        "lead_id": lead.id,
        "owner_id": lead.owner_id,
        "team": lead.team,
        "organization_id": organization.id if organization else None,
        "organization_name": organization.name if organization else None,
        "contact_id": contact.id,
        "contact_name": duplicates.display_name(contact),
    }

