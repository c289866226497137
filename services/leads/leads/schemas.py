"""Wire formats of the leads service: RPC payloads in, records out.

Every RPC's answer has an output schema, here or in ``reports`` (``RPC_OUTPUTS`` at the
end says which), exactly as the service answers: a field that can be null says
``allow_none``, a field of a fixed set of values lists them, amounts that the schema
dumps are decimal strings (Amount). The gateway makes its OpenAPI document from them.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crmkit import schemas as crmkit_schemas
from crmkit.listing import Sort
from crmkit.schemas import (  # noqa: F401 (the health and history RPCs' schemas, by name)
    Amount,
    Boolean,
    CommaSeparated,
    Currency,
    Day,
    HealthOut,
    HistoryQuery,
    Integer,
    PaymentTerms,
    RecordChangeOut,
    RecordListQuery,
    RecordSchema,
    Timestamp,
)

from .domain import (
    ASSIGNMENT_STRATEGIES,
    IMPORT_POLICIES,
    IMPORT_PROBLEM_OUTCOMES,
    OPPORTUNITY_STATUSES,
    RATINGS,
    SOURCES,
    STATES,
    amount_problems,
)
from .scoring import SCORED_FIELDS

_name = dict(validate=validate.Length(min=1, max=100))


class Email(fields.Email):
    """An email address; blanks around it are no part of it, and are dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data, **kwargs)


class Address(crmkit_schemas.Address):
    """A lead's or an organization's address: the fields of a quote's (crmkit's). A class
    of its own so that its gRPC message keeps its own field numbers (LeadsAddress)."""


# A website: http or https, a host with a dot, maybe a path, no blanks (the pattern the
# API document shows; fields.Url's regex says more than a document can).
WEBSITE = r"^https?://[^\s/?#@\x00]+\.[^\s/?#@\x00]+(?:[/?#][^\s\x00]*)?$"


class LeadCreate(Schema):
    first_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    last_name = fields.String(required=True, **_name)
    email = Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    company = fields.String(allow_none=True, validate=validate.Length(max=200))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    website = fields.String(allow_none=True, validate=[
        validate.Length(max=200), validate.Regexp(WEBSITE, error="Not a valid URL.")])
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    employees = Integer(allow_none=True, validate=validate.Range(min=0))
    annual_revenue = Amount(allow_none=True)
    annual_revenue_currency = Currency(allow_none=True)
    country = fields.String(
        allow_none=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="Not an ISO 3166 country code."))
    address = fields.Nested(Address, allow_none=True)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=20))
    source = fields.String(load_default="other", validate=validate.OneOf(SOURCES))
    # Keep it even when it looks like a lead or contact we have (not stored).
    allow_duplicate = Boolean(load_default=False, load_only=True)
    campaign = fields.String(allow_none=True, validate=validate.Length(max=100))
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    team = fields.String(allow_none=True, validate=validate.Length(max=64))
    budget_amount = Amount(allow_none=True)
    budget_currency = Currency(allow_none=True)
    authority = Boolean(allow_none=True)
    need = fields.String(allow_none=True, validate=validate.Length(max=5000))
    timeline = Day(allow_none=True)

    # What domain.amount_problems says of a new lead, for the API document (gateway.apigen):
    # an amount has its currency (an update is checked with the lead's stored fields).
    JSON_SCHEMA = {"allOf": [
        {"if": {"required": [amount], "properties": {amount: {"type": "string"}}},
         "then": {"required": [currency], "properties": {currency: {"type": "string"}}}}
        for amount, currency in (("annual_revenue", "annual_revenue_currency"), ("budget_amount", "budget_currency"))]}

    @validates_schema
    def _amounts_fit_their_currencies(self, data, partial=None, **_kwargs):
        # An update is checked on the whole lead instead (commands.update_lead).
        errors = {} if partial else amount_problems(data.get)
        if errors:
            raise ValidationError(errors)


class LeadUpdate(LeadCreate):
    """Only the fields given change; ``null`` clears one. Status moves by command only."""

    last_name = fields.String(**_name)
    source = fields.String(validate=validate.OneOf(SOURCES))
    allow_duplicate = Boolean(load_only=True)


class Merge(Schema):
    other_id = fields.String(required=True)


class Disqualify(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class OrganizationChoice(Schema):
    mode = fields.String(load_default="create", validate=validate.OneOf(("create", "link", "none")))
    id = fields.String(allow_none=True)
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    # What _link_needs_id says, for the API document (gateway.apigen).
    JSON_SCHEMA = {"if": {"required": ["mode"], "properties": {"mode": {"const": "link"}}},
                   "then": {"required": ["id"], "properties": {"id": {"type": "string", "minLength": 1}}}}

    @validates_schema
    def _link_needs_id(self, data, **_kwargs):
        if data["mode"] == "link" and not data.get("id"):
            raise ValidationError("Linking needs the organization's id.", "id")


class ContactChoice(Schema):
    mode = fields.String(load_default="create", validate=validate.OneOf(("create", "link")))
    id = fields.String(allow_none=True)
    # What _link_needs_id says, for the API document (gateway.apigen).
    JSON_SCHEMA = {"if": {"required": ["mode"], "properties": {"mode": {"const": "link"}}},
                   "then": {"required": ["id"], "properties": {"id": {"type": "string", "minLength": 1}}}}

    @validates_schema
    def _link_needs_id(self, data, **_kwargs):
        if data["mode"] == "link" and not data.get("id"):
            raise ValidationError("Linking needs the contact's id.", "id")


class OpportunityChoice(Schema):
    mode = fields.String(load_default="create", validate=validate.OneOf(("create", "none")))
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    amount = Amount(allow_none=True)
    currency = Currency(allow_none=True)
    expected_close_date = Day(allow_none=True)
    stage = fields.String(allow_none=True, validate=validate.Length(max=40))


class ConvertRequest(Schema):
    """A qualified lead's conversion; or, after deals refused its opportunity
    (``opportunity_status: failed``), that opportunity asked for again: then only
    ``opportunity`` may be given, corrected, or ``{"mode": "none"}`` to finish without one."""

    organization = fields.Nested(OrganizationChoice, load_default=None, allow_none=True)
    contact = fields.Nested(ContactChoice, load_default=lambda: {"mode": "create"})
    opportunity = fields.Nested(OpportunityChoice, load_default=lambda: {"mode": "create"})
    override_qualification = Boolean(load_default=False)


class ScoreFactorOut(Schema):
    """A rule that counted in a lead's score, or the cut that kept the score within 0..100."""

    factor = fields.String(required=True)
    points = fields.Integer(required=True)


class LeadOut(RecordSchema):
    status = fields.String(validate=validate.OneOf(STATES))
    first_name = fields.String(allow_none=True)
    last_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    employees = fields.Integer(allow_none=True)
    annual_revenue = Amount(allow_none=True)
    annual_revenue_currency = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    address = fields.Nested(Address, allow_none=True)
    tags = fields.List(fields.String())
    source = fields.String(validate=validate.OneOf(SOURCES))
    campaign = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    budget_amount = Amount(allow_none=True)
    budget_currency = fields.String(allow_none=True)
    authority = fields.Boolean(allow_none=True)
    need = fields.String(allow_none=True)
    timeline = fields.Date(allow_none=True)
    disqualify_reason = fields.String(allow_none=True)
    merged_into_id = fields.String(allow_none=True)
    score = fields.Integer(validate=validate.Range(min=0, max=100))
    rating = fields.String(validate=validate.OneOf(RATINGS))
    score_factors = fields.List(fields.Nested(ScoreFactorOut))  # they add up to the score
    qualified_at = fields.DateTime(allow_none=True)
    converted_at = fields.DateTime(allow_none=True)
    converted_organization_id = fields.String(allow_none=True)
    converted_contact_id = fields.String(allow_none=True)
    converted_opportunity_id = fields.String(allow_none=True)
    opportunity_status = fields.String(allow_none=True, validate=validate.OneOf(OPPORTUNITY_STATUSES))
    opportunity_failure = fields.Dict(keys=fields.String(), allow_none=True)  # deals' reasons: field -> messages


_country = dict(validate=validate.Regexp(r"^[A-Z]{2}$", error="Not an ISO 3166 country code."))


class OrganizationIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    domain = fields.String(allow_none=True, validate=validate.Length(max=200))
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    employees = Integer(allow_none=True, validate=validate.Range(min=0))
    country = fields.String(allow_none=True, **_country)
    vat_id = fields.String(allow_none=True, validate=validate.Length(max=40))
    billing_address = fields.Nested(Address, allow_none=True)
    shipping_address = fields.Nested(Address, allow_none=True)
    payment_terms_days = PaymentTerms(allow_none=True)
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=64))


class ContactIn(Schema):
    first_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    last_name = fields.String(required=True, **_name)
    email = Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    organization_id = fields.String(allow_none=True)
    decision_maker = Boolean(load_default=False)
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    allow_duplicate = Boolean(load_default=False, load_only=True)


class CustomerListQuery(RecordListQuery):
    owner_id = fields.String()
    created_from = Timestamp()
    created_to = Timestamp()
    archived = fields.Boolean(load_default=False)


class OrganizationListQuery(CustomerListQuery):
    sort = Sort("created_at", "updated_at", "name")
    q = fields.String(validate=validate.Length(min=1, max=100))  # name or domain
    domain = fields.String()
    country = fields.String(**_country)


class ContactUpdate(ContactIn):
    decision_maker = Boolean()
    allow_duplicate = Boolean(load_only=True)


class OrganizationContactsQuery(CustomerListQuery):
    sort = Sort("created_at", "updated_at", "last_name")
    q = fields.String(validate=validate.Length(min=1, max=100))  # name or email
    email = fields.String()


class ContactListQuery(OrganizationContactsQuery):
    organization_id = fields.String()


class OrganizationOut(RecordSchema):
    name = fields.String()
    domain = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    employees = fields.Integer(allow_none=True)
    country = fields.String(allow_none=True)
    vat_id = fields.String(allow_none=True)
    billing_address = fields.Nested(Address, allow_none=True)
    shipping_address = fields.Nested(Address, allow_none=True)
    payment_terms_days = PaymentTerms(allow_none=True)  # null: the seller's default
    archived_at = fields.DateTime(allow_none=True)


class ContactOut(RecordSchema):
    first_name = fields.String(allow_none=True)
    last_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    organization_id = fields.String(allow_none=True)
    decision_maker = fields.Boolean()
    archived_at = fields.DateTime(allow_none=True)


class LeadListQuery(RecordListQuery):
    sort = Sort("created_at", "updated_at", "last_name", "status", "score")
    status = CommaSeparated(fields.String(validate=validate.OneOf(STATES)))
    source = CommaSeparated(fields.String(validate=validate.OneOf(SOURCES)))
    owner_id = fields.String()
    team = fields.String()
    tag = fields.String()
    created_from = Timestamp()
    created_to = Timestamp()
    score_min = fields.Integer(validate=validate.Range(min=0, max=100))
    score_max = fields.Integer(validate=validate.Range(min=0, max=100))
    rating = CommaSeparated(fields.String(validate=validate.OneOf(RATINGS)))
    # Free text over name, email and company.
    q = fields.String(validate=validate.Length(min=1, max=100))


class AssignmentRuleIn(Schema):
    position = Integer(required=True, validate=validate.Range(min=0))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    match_source = fields.String(allow_none=True, validate=validate.OneOf(SOURCES))
    match_country = fields.String(allow_none=True, **_country)
    match_team = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    team = fields.String(required=True, validate=validate.Length(min=1, max=64))
    strategy = fields.String(load_default="round_robin", validate=validate.OneOf(ASSIGNMENT_STRATEGIES))
    active = Boolean(load_default=True)


class AssignmentRuleOut(RecordSchema):
    position = fields.Integer()
    name = fields.String()
    match_source = fields.String(allow_none=True, validate=validate.OneOf(SOURCES))
    match_country = fields.String(allow_none=True)
    match_team = fields.String(allow_none=True)
    team = fields.String()
    strategy = fields.String(validate=validate.OneOf(ASSIGNMENT_STRATEGIES))
    active = fields.Boolean()


class TeamMembers(Schema):
    members = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                          validate=validate.Length(max=500))


class Assign(Schema):
    owner_id = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=64))
    team = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(load_default="reassigned by hand", validate=validate.Length(min=1, max=200))


class LeadAssignmentOut(Schema):
    from_owner = fields.String(allow_none=True)
    to_owner = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    rule_id = fields.String(allow_none=True)  # the rule that chose the owner, if one did
    reason = fields.String()
    at = fields.DateTime()
    actor = fields.String(allow_none=True)


class ConvertedOpportunityOut(Schema):
    """The opportunity a conversion asks the deals service for (lead.converted), with the
    id chosen for it."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    amount = Amount(required=True, allow_none=True)
    currency = fields.String(required=True, allow_none=True)
    expected_close_date = fields.Date(required=True, allow_none=True)
    stage = fields.String(required=True, allow_none=True, metadata={
        "description": "The stage asked for; null: the pipeline's first."})
    lead_id = fields.String(required=True)
    owner_id = fields.String(required=True, allow_none=True)
    team = fields.String(required=True, allow_none=True)
    organization_id = fields.String(required=True, allow_none=True)
    organization_name = fields.String(required=True, allow_none=True)
    contact_id = fields.String(required=True)
    contact_name = fields.String(required=True)


class TeamOut(Schema):
    """A team and who takes its leads, by id in order (get_team, set_team_members)."""

    team = fields.String(required=True)
    members = fields.List(fields.String(), required=True)


class ScoringConditionOut(Schema):
    """When a rule holds: a field of the lead and exactly one of the conditions on it."""

    field = fields.String(required=True, validate=validate.OneOf(SCORED_FIELDS))
    equals = fields.Raw(metadata={"description": "Holds when the field has this value."})
    in_ = fields.List(fields.Raw(), data_key="in", metadata={"description": "Holds when the field has one of these."})
    present = fields.Boolean(metadata={"description": "Holds when the field is (true) or is not (false) filled in."})
    at_least = fields.String(metadata={"description": "A decimal string: holds when the field is at least this."})
    at_most = fields.String(metadata={"description": "A decimal string: holds when the field is at most this."})
    within_days = fields.Integer(validate=validate.Range(min=0), metadata={
        "description": "Holds when the field is a date from today up to this many days ahead."})


class ScoringRuleOut(Schema):
    factor = fields.String(required=True)
    points = fields.Integer(required=True, validate=validate.Range(min=-100, max=100))
    when = fields.Nested(ScoringConditionOut, required=True)


class ScoringModelOut(Schema):
    """The scoring model that scores leads now (version 0: the built-in one)."""

    version = fields.Integer(required=True, validate=validate.Range(min=0))
    hot_from = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    warm_from = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    rules = fields.List(fields.Nested(ScoringRuleOut), required=True)


class ImportQuery(Schema):
    """The query of a CSV import (the gateway's POST /leads/import)."""

    duplicates = fields.String(load_default="skip", validate=validate.OneOf(IMPORT_POLICIES))


class ImportProblemOut(Schema):
    row = fields.Integer(required=True, metadata={"description": "The row's number (1: the first after the header)."})
    outcome = fields.String(required=True, validate=validate.OneOf(IMPORT_PROBLEM_OUTCOMES))
    details = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": "Rejected: field -> messages. Skipped: {\"duplicates\": the leads and contacts it matched}."})


class ImportChunkReportOut(Schema):
    """What import_leads did with one chunk of rows: the counts are whole, ``problems``
    lists the first 1,000 rows rejected or skipped as duplicates."""

    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    problems = fields.List(fields.Nested(ImportProblemOut), required=True)


class ImportReportProblemOut(ImportProblemOut):
    line = fields.Integer(required=True, metadata={
        "description": "The file's physical line the row starts on (1: the header; a quoted cell may span lines)."})


class ImportReportOut(ImportChunkReportOut):
    """The gateway's answer to a whole file: the reports of its chunks added up. A fault
    of the file itself (not UTF-8, not CSV, a line or cell too long) is a 422 naming its
    line, and then nothing of the file was imported."""

    rows = fields.Integer(required=True, metadata={"description": "Rows after the header; blank lines are none."})
    problems = fields.List(fields.Nested(ImportReportProblemOut), required=True)


class LeadExportPageOut(Schema):
    """One page of leads as CSV cells (export_leads_page): every cell is text, empty for null."""

    header = fields.List(fields.String(), required=True)
    rows = fields.List(fields.List(fields.String()), required=True)
    next_cursor = fields.String(required=True, allow_none=True)



# The answer of every RPC of the service: (shape, output schema by name, in this module
# or in reports). "one": the schema; "list": a JSON array of it; "page": {"items": [it,
# ...], "next_cursor": a string, null on the last page} (crmkit.listing).
RPC_OUTPUTS = {
    "create_lead": ("one", "LeadOut"),
    "get_lead": ("one", "LeadOut"),
    "list_leads": ("page", "LeadOut"),
    "update_lead": ("one", "LeadOut"),
    "merge_leads": ("one", "LeadOut"),
    "contact_lead": ("one", "LeadOut"),
    "qualify_lead": ("one", "LeadOut"),
    "disqualify_lead": ("one", "LeadOut"),
    "recycle_lead": ("one", "LeadOut"),
    "convert_lead": ("one", "LeadOut"),
    "assign_lead": ("one", "LeadOut"),
    "lead_assignments": ("list", "LeadAssignmentOut"),
    "create_assignment_rule": ("one", "AssignmentRuleOut"),
    "update_assignment_rule": ("one", "AssignmentRuleOut"),
    "list_assignment_rules": ("list", "AssignmentRuleOut"),
    "set_team_members": ("one", "TeamOut"),
    "get_team": ("one", "TeamOut"),
    "import_leads": ("one", "ImportChunkReportOut"),
    "export_leads_page": ("one", "LeadExportPageOut"),
    "get_scoring_model": ("one", "ScoringModelOut"),
    "set_scoring_model": ("one", "ScoringModelOut"),
    "create_organization": ("one", "OrganizationOut"),
    "get_organization": ("one", "OrganizationOut"),
    "update_organization": ("one", "OrganizationOut"),
    "archive_organization": ("one", "OrganizationOut"),
    "list_organizations": ("page", "OrganizationOut"),
    "organization_contacts": ("page", "ContactOut"),
    "organization_leads": ("page", "LeadOut"),
    "create_contact": ("one", "ContactOut"),
    "get_contact": ("one", "ContactOut"),
    "update_contact": ("one", "ContactOut"),
    "archive_contact": ("one", "ContactOut"),
    "list_contacts": ("page", "ContactOut"),
    "lead_history": ("page", "RecordChangeOut"),  # crmkit.history
    "organization_history": ("page", "RecordChangeOut"),  # crmkit.history
    "contact_history": ("page", "RecordChangeOut"),  # crmkit.history
    "report_funnel": ("one", "FunnelStepsOut"),  # in reports
    "health": ("one", "HealthOut"),
}
