"""Every event type the leads service publishes: the published contract (crmkit.catalogue).

The gateway's documents (``python -m gateway.eventdocs``: a JSON Schema per type, the
AsyncAPI document, GET /event-types) are generated from this list and these schemas.
"""
from marshmallow import fields

from crmkit.catalogue import Catalogue, changed, created, other

from .schemas import (
    AssignmentRuleOut,
    ContactOut,
    ConvertedOpportunityOut,
    LeadAssignmentOut,
    LeadOut,
    OrganizationOut,
    ScoringModelOut,
    TeamOut,
)


def _conversion(name: str, description: str):
    return changed(
        name, LeadOut, description,
        organization=fields.Nested(OrganizationOut, required=True, allow_none=True, metadata={
            "description": "The organization the lead became or was linked to; null for a private person."}),
        contact=fields.Nested(ContactOut, required=True, metadata={
            "description": "The contact the lead became or was linked to."}),
        opportunity=fields.Nested(ConvertedOpportunityOut, required=True, allow_none=True, metadata={
            "description": "The opportunity the deals service is asked to create, with the id chosen for it; "
                           "null when none was wanted."}),
    )


CATALOGUE = Catalogue(
    "leads",
    created("lead.created", LeadOut, "A lead was created."),
    changed("lead.updated", LeadOut, "A lead's fields changed (by a person, an import, a merge or a rescoring)."),
    changed("lead.contacted", LeadOut, "A lead was marked contacted."),
    changed("lead.qualified", LeadOut, "A lead was qualified."),
    changed("lead.disqualified", LeadOut, "A lead was disqualified, with a reason."),
    changed("lead.recycled", LeadOut, "A disqualified lead was recycled into the open ones."),
    changed("lead.merged", LeadOut, "A lead was merged into another one (record.merged_into_id) and is closed."),
    changed("lead.assigned", LeadOut, "A lead changed hands: by an assignment rule or by a person.",
            assignment=fields.Nested(LeadAssignmentOut, required=True, metadata={
                "description": "Who had it, who has it now, and why."})),
    _conversion("lead.converted", "A lead was converted: organization and contact made or linked, the "
                                  "opportunity asked of the deals service."),
    _conversion("lead.conversion_retried", "The opportunity of a converted lead that the deals service "
                                           "refused is asked for again, with corrected details."),
    created("organization.created", OrganizationOut, "An organization (a customer) was created."),
    changed("organization.updated", OrganizationOut, "An organization's fields changed."),
    changed("organization.archived", OrganizationOut, "An organization was archived."),
    created("contact.created", ContactOut, "A contact (a person at a customer) was created."),
    changed("contact.updated", ContactOut, "A contact's fields changed."),
    changed("contact.archived", ContactOut, "A contact was archived."),
    created("assignment_rule.created", AssignmentRuleOut, "A lead assignment rule was created."),
    changed("assignment_rule.updated", AssignmentRuleOut, "A lead assignment rule changed."),
    other("team.members_changed", TeamOut, "A team's members (who take its leads, in order) were set."),
    other("scoring_model.changed", ScoringModelOut, "A new version of the lead scoring model is in force; "
                                                     "open leads are rescored by it."),
)
