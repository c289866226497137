"""Wire formats of the leads service: RPC payloads in, records out."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crmkit.listing import ListQuery
from crmkit.schemas import Amount, CommaSeparated, Currency, PaymentTerms, RecordSchema

from .domain import ASSIGNMENT_STRATEGIES, SOURCES, STATES, amounts_without_currency

_name = dict(validate=validate.Length(min=1, max=100))


class Address(Schema):
    street = fields.String(allow_none=True, validate=validate.Length(max=200))
    postal_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    region = fields.String(allow_none=True, validate=validate.Length(max=100))


class LeadCreate(Schema):
    first_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    last_name = fields.String(required=True, **_name)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    company = fields.String(allow_none=True, validate=validate.Length(max=200))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    website = fields.Url(allow_none=True, require_tld=True, validate=validate.Length(max=200))
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    employees = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0))
    annual_revenue = Amount(allow_none=True)
    annual_revenue_currency = Currency(allow_none=True)
    country = fields.String(
        allow_none=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="Not an ISO 3166 country code."))
    address = fields.Nested(Address, allow_none=True)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=20))
    source = fields.String(load_default="other", validate=validate.OneOf(SOURCES))
    # Keep it even when it looks like a lead or contact we have (not stored).
    allow_duplicate = fields.Boolean(load_default=False, load_only=True)
    campaign = fields.String(allow_none=True, validate=validate.Length(max=100))
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    team = fields.String(allow_none=True, validate=validate.Length(max=64))
    budget_amount = Amount(allow_none=True)
    budget_currency = Currency(allow_none=True)
    authority = fields.Boolean(allow_none=True)
    need = fields.String(allow_none=True, validate=validate.Length(max=5000))
    timeline = fields.Date(allow_none=True)

    @validates_schema
    def _amounts_have_currencies(self, data, partial=None, **_kwargs):
        # An update is checked on the whole lead instead (commands.update_lead).
        errors = {} if partial else amounts_without_currency(data.get)
        if errors:
            raise ValidationError(errors)


class LeadUpdate(LeadCreate):
    """Only the fields given change; ``null`` clears one. Status moves by command only."""

    last_name = fields.String(**_name)
    source = fields.String(validate=validate.OneOf(SOURCES))
    allow_duplicate = fields.Boolean(load_only=True)


class Merge(Schema):
    other_id = fields.String(required=True)


class Disqualify(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class OrganizationChoice(Schema):
    mode = fields.String(load_default="create", validate=validate.OneOf(("create", "link", "none")))
    id = fields.String(allow_none=True)
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))

    @validates_schema
    def _link_needs_id(self, data, **_kwargs):
        if data["mode"] == "link" and not data.get("id"):
            raise ValidationError("Linking needs the organization's id.", "id")


class ContactChoice(Schema):
    mode = fields.String(load_default="create", validate=validate.OneOf(("create", "link")))
    id = fields.String(allow_none=True)

    @validates_schema
    def _link_needs_id(self, data, **_kwargs):
        if data["mode"] == "link" and not data.get("id"):
            raise ValidationError("Linking needs the contact's id.", "id")


class OpportunityChoice(Schema):
    mode = fields.String(load_default="create", validate=validate.OneOf(("create", "none")))
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    amount = Amount(allow_none=True)
    currency = Currency(allow_none=True)
    expected_close_date = fields.Date(allow_none=True)
    stage = fields.String(allow_none=True, validate=validate.Length(max=40))


class ConvertRequest(Schema):
    organization = fields.Nested(OrganizationChoice, load_default=None, allow_none=True)
    contact = fields.Nested(ContactChoice, load_default=lambda: {"mode": "create"})
    opportunity = fields.Nested(OpportunityChoice, load_default=lambda: {"mode": "create"})
    override_qualification = fields.Boolean(load_default=False)


class LeadOut(RecordSchema):
    status = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    phone = fields.String()
    company = fields.String()
    title = fields.String()
    website = fields.String()
    industry = fields.String()
    employees = fields.Integer()
    annual_revenue = Amount()
    annual_revenue_currency = fields.String()
    country = fields.String()
    address = fields.Nested(Address)
    tags = fields.List(fields.String())
    source = fields.String()
    campaign = fields.String()
    team = fields.String()
    budget_amount = Amount()
    budget_currency = fields.String()
    authority = fields.Boolean()
    need = fields.String()
    timeline = fields.Date()
    disqualify_reason = fields.String()
    merged_into_id = fields.String()
    score = fields.Integer()
    rating = fields.String()
    score_factors = fields.List(fields.Dict())
    converted_at = fields.DateTime()
    converted_organization_id = fields.String()
    converted_contact_id = fields.String()
    converted_opportunity_id = fields.String()
    opportunity_status = fields.String()
    opportunity_failure = fields.Dict()


_country = dict(validate=validate.Regexp(r"^[A-Z]{2}$", error="Not an ISO 3166 country code."))


class OrganizationIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    domain = fields.String(allow_none=True, validate=validate.Length(max=200))
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    employees = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0))
    country = fields.String(allow_none=True, **_country)
    vat_id = fields.String(allow_none=True, validate=validate.Length(max=40))
    billing_address = fields.Nested(Address, allow_none=True)
    shipping_address = fields.Nested(Address, allow_none=True)
    payment_terms_days = PaymentTerms(allow_none=True)
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=64))


class ContactIn(Schema):
    first_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    last_name = fields.String(required=True, **_name)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    organization_id = fields.String(allow_none=True)
    decision_maker = fields.Boolean(load_default=False)
    owner_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    allow_duplicate = fields.Boolean(load_default=False, load_only=True)


class CustomerListQuery(ListQuery):
    owner_id = fields.String()
    created_from = fields.DateTime()
    created_to = fields.DateTime()
    archived = fields.Boolean(load_default=False)


class OrganizationListQuery(CustomerListQuery):
    q = fields.String(validate=validate.Length(min=1, max=100))  # name or domain
    domain = fields.String()
    country = fields.String(**_country)


class ContactUpdate(ContactIn):
    decision_maker = fields.Boolean()
    allow_duplicate = fields.Boolean(load_only=True)


class ContactListQuery(CustomerListQuery):
    q = fields.String(validate=validate.Length(min=1, max=100))  # name or email
    email = fields.String()
    organization_id = fields.String()


class OrganizationOut(RecordSchema):
    name = fields.String()
    domain = fields.String()
    industry = fields.String()
    employees = fields.Integer()
    country = fields.String()
    vat_id = fields.String()
    billing_address = fields.Nested(Address)
    shipping_address = fields.Nested(Address)
    payment_terms_days = fields.Integer()
    archived_at = fields.DateTime()


class ContactOut(RecordSchema):
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    phone = fields.String()
    title = fields.String()
    organization_id = fields.String()
    decision_maker = fields.Boolean()
    archived_at = fields.DateTime()


class LeadListQuery(ListQuery):
    status = CommaSeparated(fields.String(validate=validate.OneOf(STATES)))
    source = CommaSeparated(fields.String(validate=validate.OneOf(SOURCES)))
    owner_id = fields.String()
    team = fields.String()
    tag = fields.String()
    created_from = fields.DateTime()
    created_to = fields.DateTime()
    score_min = fields.Integer(validate=validate.Range(min=0, max=100))
    score_max = fields.Integer(validate=validate.Range(min=0, max=100))
    rating = CommaSeparated(fields.String(validate=validate.OneOf(("hot", "warm", "cold"))))
    # Free text over name, email and company.
    q = fields.String(validate=validate.Length(min=1, max=100))


class AssignmentRuleIn(Schema):
    position = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    match_source = fields.String(allow_none=True, validate=validate.OneOf(SOURCES))
    match_country = fields.String(allow_none=True, **_country)
    match_team = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    team = fields.String(required=True, validate=validate.Length(min=1, max=64))
    strategy = fields.String(load_default="round_robin", validate=validate.OneOf(ASSIGNMENT_STRATEGIES))
    active = fields.Boolean(load_default=True)


class AssignmentRuleOut(RecordSchema):
    position = fields.Integer()
    name = fields.String()
    match_source = fields.String()
    match_country = fields.String()
    match_team = fields.String()
    team = fields.String()
    strategy = fields.String()
    active = fields.Boolean()


class TeamMembers(Schema):
    members = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                          validate=validate.Length(max=500))


class Assign(Schema):
    owner_id = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=64))
    team = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(load_default="reassigned by hand", validate=validate.Length(min=1, max=200))


class LeadAssignmentOut(Schema):
    from_owner = fields.String()
    to_owner = fields.String()
    team = fields.String()
    rule_id = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    actor = fields.String()
