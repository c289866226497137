"""Every RPC answer of the leads service matches its output schema (schemas.RPC_OUTPUTS),
strictly: the answers are made by the service's own RPC methods over a migrated
database (PostgreSQL and SQLite), one unit of work per call committed before the answer,
as nameko runs them, and sent through JSON as RPC carries them.

Why a strict check of our own rather than ``Schema().load(answer)``: load refuses valid
answers and lets wrong ones through. It refuses every record, because RecordSchema's
``id``, ``created_at``, ``updated_at`` and ``version`` are dump_only, which load treats as
unknown fields; and it is lenient where a wire format must not be: a Decimal field takes
a JSON number (an amount must be a string), an Integer field takes "5", a Boolean field
takes "yes" or 1, a DateTime field takes a date or a time without its zone. ``check``
below walks the schema instead: a field the schema does not declare fails (as
``unknown=RAISE`` would), a null fails unless the field says ``allow_none``, a required
field must be there, every value must have its JSON type, and each leaf is then
deserialized by its own field, so its validators (OneOf, Range, ...) hold too.

Beyond each answer, every field of every output schema must be seen filled in at least
once, and each nullable one null at least once, so a schema cannot declare what the
service never answers nor allow a null it never sends (see ``NEVER``).
"""
from __future__ import annotations

import inspect
import json
from collections import defaultdict
from datetime import date, timedelta

import pytest
from marshmallow import Schema, ValidationError, fields
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc

from crmkit.context import CallContext
from crmkit.testing import migrated_engine
from crmkit.unit_of_work import UnitOfWork
from leads import commands, reports, schemas
from leads.service import LeadsService

SERVICE, SERVICE_CLASS, MODULES = "leads", LeadsService, (schemas, reports)

# (schema, field) -> why the service never answers it filled in ("set") or null ("null").
NEVER = {
    ("AssignmentRuleOut", "owner_id", "set"): "assignment rules have no owner: create_rule never sets one",
}


# --- the strict check ------------------------------------------------------------------------

class Mismatch(AssertionError):
    pass


def schema_named(name: str) -> type[Schema]:
    for module in MODULES:
        if isinstance(getattr(module, name, None), type) and issubclass(getattr(module, name), Schema):
            return getattr(module, name)
    raise LookupError(f"no schema {name} in {', '.join(module.__name__ for module in MODULES)}")


def output_keys(schema: Schema) -> dict[str, fields.Field]:
    return {field.data_key or name: field for name, field in schema.fields.items() if not field.load_only}


def check(schema: Schema, data, path: str, seen: dict) -> None:
    """``data`` is exactly what ``schema`` describes (see the module's docstring)."""
    if not isinstance(data, dict):
        raise Mismatch(f"{path}: {type(schema).__name__} expects an object, got {data!r}")
    declared = output_keys(schema)
    unknown = sorted(set(data) - set(declared))
    if unknown:
        raise Mismatch(f"{path}: {type(schema).__name__} has no field {', '.join(unknown)}")
    for key, field in declared.items():
        if key not in data:
            if field.required:
                raise Mismatch(f"{path}.{key}: required by {type(schema).__name__}, missing")
            continue
        check_value(field, data[key], f"{path}.{key}")
        seen[(type(schema).__name__, key)].add("null" if data[key] is None else "set")
        if isinstance(field, fields.Nested) and not isinstance(field, fields.Pluck) and data[key] is not None:
            for i, item in enumerate(data[key] if field.many else [data[key]]):
                check(field.schema, item, f"{path}.{key}[{i}]", seen)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested) and data[key] is not None:
            for i, item in enumerate(data[key]):
                if item is not None:
                    check(field.inner.schema, item, f"{path}.{key}[{i}]", seen)


JSON_TYPES = [  # the first class a field is an instance of decides (Date is a DateTime)
    (fields.Boolean, (bool,)), (fields.Integer, (int,)), (fields.Float, (int, float)), (fields.Date, (str,)),
    (fields.DateTime, (str,)), (fields.String, (str,)),
]


def check_value(field: fields.Field, value, path: str) -> None:
    """One value of a field: nested objects are checked by ``check``, their callers."""
    if value is None:
        if not field.allow_none:
            raise Mismatch(f"{path}: null, but the field does not allow_none")
        return
    if isinstance(field, fields.Pluck):
        plucked = field.schema.fields[field.field_name]
        for i, item in enumerate(expect_list(value, path) if field.many else [value]):
            check_value(plucked, item, f"{path}[{i}]")
        return
    if isinstance(field, fields.Nested):
        if field.many:
            expect_list(value, path)
        return
    if isinstance(field, fields.List):
        for i, item in enumerate(expect_list(value, path)):
            check_value(field.inner, item, f"{path}[{i}]")
        for validator in field.validators:  # the list's own (its items are checked above)
            try:
                validator(value)
            except ValidationError as refused:
                raise Mismatch(f"{path}: refused: {refused.messages}") from None
        return
    if isinstance(field, fields.Dict):
        if not isinstance(value, dict):
            raise Mismatch(f"{path}: expects an object, got {value!r}")
        for key, item in value.items():
            if field.key_field is not None:
                check_value(field.key_field, key, f"{path}<key {key!r}>")
            if field.value_field is not None:
                check_value(field.value_field, item, f"{path}.{key}")
        return
    if type(field) is fields.Raw:
        return  # any JSON value
    if isinstance(field, fields.Decimal):
        wanted = (str,) if field.as_string else (int, float)
    else:
        wanted = next((types for cls, types in JSON_TYPES if isinstance(field, cls)), None)
        if wanted is None:
            raise Mismatch(f"{path}: {type(field).__name__} has no JSON type this check knows; use a plain field")
    if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
        raise Mismatch(f"{path}: {type(field).__name__} expects {'/'.join(t.__name__ for t in wanted)}, "
                       f"got {value!r}")
    loaded = validate(field, value, path)
    if isinstance(field, fields.DateTime) and not isinstance(field, fields.Date) and loaded.tzinfo is None:
        raise Mismatch(f"{path}: a time without its zone: {value!r}")


def expect_list(value, path: str) -> list:
    if not isinstance(value, list):
        raise Mismatch(f"{path}: expects an array, got {value!r}")
    return value


def validate(field: fields.Field, value, path: str):
    try:
        return field.deserialize(value)
    except ValidationError as refused:
        raise Mismatch(f"{path}: {value!r} refused: {refused.messages}") from None


def check_answer(method: str, answer, seen: dict) -> None:
    shape, name = schemas.RPC_OUTPUTS[method]
    schema = schema_named(name)()
    if shape == "one":
        check(schema, answer, method, seen)
    elif shape == "list":
        for i, item in enumerate(expect_list(answer, method)):
            check(schema, item, f"{method}[{i}]", seen)
    elif shape == "page":
        if not isinstance(answer, dict) or set(answer) != {"items", "next_cursor"}:
            raise Mismatch(f"{method}: a page is {{items, next_cursor}}, got {answer!r}")
        if answer["next_cursor"] is not None and not isinstance(answer["next_cursor"], str):
            raise Mismatch(f"{method}.next_cursor: a string or null, got {answer['next_cursor']!r}")
        seen[("page", "next_cursor")].add("null" if answer["next_cursor"] is None else "set")
        for i, item in enumerate(expect_list(answer["items"], f"{method}.items")):
            check(schema, item, f"{method}.items[{i}]", seen)
    else:
        raise Mismatch(f"{method}: unknown shape {shape!r}")


def reachable(schema_cls: type[Schema], found: dict) -> dict:
    """{schema name: schema} of ``schema_cls`` and every schema nested in it."""
    schema = schema_cls()
    if type(schema).__name__ in found:
        return found
    found[type(schema).__name__] = schema
    for field in schema.fields.values():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and not isinstance(inner, fields.Pluck):
            reachable(type(inner.schema), found)
    return found


# --- the service, called as nameko calls it ----------------------------------------------------

class Calls:
    """Each call: a new unit of work and service instance, committed before the answer,
    which is kept (by method) as it comes out of JSON."""

    def __init__(self, engine):
        self.engine = engine
        self.answers: dict[str, list] = defaultdict(list)

    def unit(self, actor: str | None = "ana") -> UnitOfWork:
        return UnitOfWork(engine=self.engine, source=SERVICE, call=CallContext(actor=actor), sqlite_lock=None,
                          waker=None)

    def run(self, work, actor: str | None = "ana"):
        unit = self.unit(actor)
        try:
            result = work(unit)
            unit.commit()
            return result
        except BaseException:
            unit.rollback()
            raise
        finally:
            unit.close()

    def __getattr__(self, method: str):
        def call(*args, actor: str | None = "ana", **kwargs):
            def work(unit):
                service = SERVICE_CLASS()
                service.db = unit
                return getattr(service, method)(*args, **kwargs)

            answer = json.loads(json.dumps(self.run(work, actor)))
            self.answers[method].append(answer)
            return answer

        return call


def scenario(rpc: Calls) -> None:
    """Records after creation and after each state change, so that nullable fields are
    both null and set; every list, report and model the service answers."""
    rpc.health()
    rpc.get_scoring_model()

    # Customers
    address = {"street": "1 Engine Way", "postal_code": None, "city": "London", "region": None}
    org = rpc.create_organization({
        "name": "Analytical Engines Ltd", "domain": "https://www.analytical.example/about", "industry": "Machinery",
        "employees": 120, "country": "GB", "vat_id": "GB123456789", "billing_address": address,
        "shipping_address": {"street": None, "postal_code": "E1 1AA", "city": None, "region": "Greater London"},
        "payment_terms_days": 45, "owner_id": "ben"})
    bare_org = rpc.create_organization({"name": "Bare Org"}, actor=None)
    rpc.update_organization(bare_org["id"], {"industry": "Textiles"})
    rpc.get_organization(org["id"])
    rpc.list_organizations({"limit": "1"})
    rpc.list_organizations({"q": "analytical"})
    contact = rpc.create_contact({
        "first_name": "Charles", "last_name": "Babbage", "email": "charles@analytical.example",
        "phone": "+44 20 7946 0000", "title": "Inventor", "organization_id": org["id"], "decision_maker": True})
    bare_contact = rpc.create_contact({"last_name": "Anonymous"}, actor=None)
    rpc.update_contact(contact["id"], {"title": "Chief Inventor"})
    rpc.get_contact(contact["id"])
    rpc.list_contacts({"limit": "1"})
    rpc.list_contacts({})
    rpc.organization_contacts(org["id"], {})
    rpc.archive_contact(bare_contact["id"])
    rpc.archive_organization(bare_org["id"])

    # Teams and assignment rules
    rpc.set_team_members("north", {"members": ["ben", "ana"]})
    rpc.get_team("north")
    rpc.get_team("nobody-here")
    rpc.create_assignment_rule({"position": 1, "name": "Web leads from GB", "match_source": "web",
                                "match_country": "GB", "team": "north"})
    inbound = rpc.create_assignment_rule({"position": 2, "name": "Inbound", "match_team": "inbound", "team": "north",
                                          "strategy": "fewest_open"})
    rpc.update_assignment_rule(inbound["id"], {"active": False})
    rpc.list_assignment_rules()

    # Leads through every state
    full = rpc.create_lead({
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@cobol.example", "phone": "+44 20 7946 0123",
        "company": "Cobol Ltd", "title": "CTO", "website": "https://cobol.example", "industry": "Software",
        "employees": 800, "annual_revenue": "1000000.00", "annual_revenue_currency": "GBP", "country": "GB",
        "address": address, "tags": ["VIP", "fintech"], "source": "web", "campaign": "spring",
        "budget_amount": "12000.00", "budget_currency": "EUR", "authority": True, "need": "Tables without errors",
        "timeline": "2027-03-31"})  # owned by the rule "Web leads from GB"
    bare = rpc.create_lead({"last_name": "Nobody"}, actor=None)
    rpc.update_lead(full["id"], {"need": "Tables without any errors", "tags": ["vip"]})
    rpc.contact_lead(full["id"])
    rpc.qualify_lead(full["id"])
    rpc.get_lead(bare["id"])
    dropped = rpc.create_lead({"first_name": "Alan", "last_name": "Turing", "email": "alan@bletchley.example",
                               "source": "referral", "team": "north"})
    rpc.disqualify_lead(dropped["id"], {"reason": "No budget this year"})
    rpc.recycle_lead(dropped["id"])
    rpc.assign_lead(dropped["id"], {"owner_id": "ben", "team": "north", "reason": "knows them"})
    rpc.assign_lead(bare["id"], {"owner_id": None}, actor=None)
    for lead in (full, dropped, bare):
        rpc.lead_assignments(lead["id"])
    twin = rpc.create_lead({"last_name": "Lovelace", "email": "ada@engines.example"})
    other = rpc.create_lead({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@engines.example",
                             "allow_duplicate": True})
    rpc.merge_leads(twin["id"], {"other_id": other["id"]})
    rpc.get_lead(other["id"])  # merged into its twin

    # Conversions: with an organization and an opportunity (which deals then refuses, or
    # makes), and without either.
    converted = rpc.convert_lead(full["id"], {})
    rpc.run(lambda unit: commands.record_opportunity_outcome(
        unit, converted["id"], converted["converted_opportunity_id"], {"amount": ["Must be at least 0."]}))
    rpc.get_lead(full["id"])
    made = rpc.create_lead({"last_name": "Hamilton", "company": "Apollo GmbH", "budget_amount": "5000",
                            "budget_currency": "EUR", "timeline": "2027-01-31"})
    rpc.qualify_lead(made["id"])
    made = rpc.convert_lead(made["id"], {})
    rpc.run(lambda unit: commands.record_opportunity_outcome(
        unit, made["id"], made["converted_opportunity_id"], None))
    rpc.get_lead(made["id"])
    alone = rpc.create_lead({"last_name": "Solo"})
    rpc.qualify_lead(alone["id"])
    rpc.convert_lead(alone["id"], {"organization": {"mode": "none"}, "opportunity": {"mode": "none"},
                                   "override_qualification": True})
    rpc.organization_leads(converted["converted_organization_id"], {})
    rpc.list_leads({"limit": "2"})
    rpc.list_leads({"status": "converted,merged", "sort": "last_name"})

    # CSV: an import (created, rejected, skipped as a duplicate), again (skipped as seen),
    # an update by policy; and an export, a page at a time.
    header = ["first_name", "last_name", "email", "employees", "tags"]
    rows = [["Edsger", "Dijkstra", "edsger@go.example", "12", "algorithms;vip"],
            ["Bad", "Row", "not-an-email", "many", ""],
            ["Grace", "Hopper", "grace@cobol.example", "", ""],
            ["Too", "Many", "cells@example.com", "1", "", "extra"]]
    rpc.import_leads(header, rows, 1)
    rpc.import_leads(header, rows, 1)
    rpc.import_leads(header, [["Edsger", "Dijkstra", "edsger@go.example", "15", "shortest-path"]], 1, "update")
    rpc.export_leads_page({"limit": "2"})
    rpc.export_leads_page({"q": "Nobody"})

    # A scoring model of every condition
    rpc.set_scoring_model({"hot_from": 60, "warm_from": 30, "rules": [
        {"factor": "machinery", "points": 40, "when": {"field": "industry", "equals": "Machinery"}},
        {"factor": "partner", "points": 20, "when": {"field": "source", "in": ["partner", "event"]}},
        {"factor": "big", "points": 10, "when": {"field": "employees", "at_least": 50}},
        {"factor": "small budget", "points": -10, "when": {"field": "budget_amount", "at_most": "999.99"}},
        {"factor": "soon", "points": 10, "when": {"field": "timeline", "within_days": 90}},
        {"factor": "no email", "points": -5, "when": {"field": "email_key", "present": False}},
    ]})
    rpc.get_scoring_model()

    today = date.today()
    rpc.report_funnel({"from": str(today - timedelta(days=400)), "to": str(today + timedelta(days=1))})


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def answers(request, tmp_path_factory) -> dict[str, list]:
    with migrated_engine(SERVICE, request.param, tmp_path_factory.mktemp("outputs")) as engine:
        rpc = Calls(engine)
        scenario(rpc)
        yield dict(rpc.answers)


# --- the tests ---------------------------------------------------------------------------------

def rpc_methods(service_class) -> set[str]:
    return {name for name, member in inspect.getmembers(service_class, callable)
            if any(isinstance(entrypoint, Rpc) for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()))}


def test_every_rpc_has_its_output_in_rpc_outputs():
    methods = rpc_methods(SERVICE_CLASS)
    assert "create_lead" in methods and "health" in methods
    assert sorted(methods - set(schemas.RPC_OUTPUTS)) == [], "RPCs without an output schema"
    assert sorted(set(schemas.RPC_OUTPUTS) - methods) == [], "RPC_OUTPUTS names RPCs the service does not have"
    for method, (shape, name) in schemas.RPC_OUTPUTS.items():
        assert shape in ("one", "list", "page"), method
        assert name.endswith("Out"), name
        schema_named(name)


@pytest.mark.parametrize("method", sorted(schemas.RPC_OUTPUTS))
def test_each_answer_matches_its_output_schema(answers, method):
    assert answers.get(method), f"the scenario never called {method}"
    seen = defaultdict(set)
    for answer in answers[method]:
        check_answer(method, answer, seen)


def test_every_field_is_answered_both_filled_in_and_null_where_it_may_be(answers):
    seen = defaultdict(set)
    for method, given in answers.items():
        for answer in given:
            check_answer(method, answer, seen)
    found: dict = {}
    for _shape, name in schemas.RPC_OUTPUTS.values():
        reachable(schema_named(name), found)
    missing = []
    for name, schema in sorted(found.items()):
        for key, field in output_keys(schema).items():
            wanted = {"set", "null"} if field.allow_none else {"set"}
            for kind in sorted(wanted - seen[(name, key)]):
                if (name, key, kind) not in NEVER:
                    missing.append(f"{name}.{key} never {kind}")
    assert missing == []
    assert seen[("page", "next_cursor")] == {"set", "null"}


def test_the_check_refuses_what_a_schema_does_not_say(answers):
    lead = next(a for a in answers["get_lead"] if a["budget_amount"] is not None)
    team = answers["get_team"][0]
    schema = schemas.LeadOut()
    check(schema, lead, "lead", defaultdict(set))
    for broken, complaint in [
        ({**lead, "surprise": 1}, "has no field surprise"),
        ({**lead, "budget_amount": 12000.0}, "expects str"),
        ({**lead, "score": "42"}, "expects int"),
        ({**lead, "authority": "yes"}, "expects bool"),
        ({**lead, "last_name": None}, "does not allow_none"),
        ({**lead, "status": "lost"}, "refused"),
        ({**lead, "created_at": lead["created_at"][:19]}, "without its zone"),
        ({**lead, "timeline": lead["created_at"]}, "refused"),
        ({**lead, "score_factors": [{"factor": "x"}]}, "points: required"),
        ({**lead, "address": {"street": "x", "country": "GB"}}, "has no field country"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(schema, broken, "lead", defaultdict(set))
    with pytest.raises(Mismatch, match="members: required"):
        check(schemas.TeamOut(), {"team": team["team"]}, "team", defaultdict(set))
    with pytest.raises(Mismatch, match="a page is"):
        check_answer("list_leads", answers["list_leads"][0]["items"], defaultdict(set))
