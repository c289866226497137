"""Every RPC answer of the billing service matches its output schema (schemas.RPC_OUTPUTS),
strictly: the answers are made by the service's own RPC methods over a migrated
database (PostgreSQL and SQLite), one unit of work per call committed before the answer,
as nameko runs them, and sent through JSON as RPC carries them.

Why a strict check of our own rather than ``Schema().load(answer)``: load refuses valid
answers and lets wrong ones through. It refuses every record, because RecordSchema's
``id``, ``created_at``, ``updated_at`` and ``version`` are dump_only, which load treats as
unknown fields; it refuses a negative quantity, total or balance (Amount's minimum of 0 is meant
for input: SignedAmount says so in these schemas); and it is lenient where a wire format
must not be: a Decimal field takes a JSON number (an amount must be a string), an Integer
field takes "5", a Boolean field takes "yes" or 1, a DateTime field takes a date or a
time without its zone. ``check`` below walks the schema instead: a field the schema does
not declare fails (as ``unknown=RAISE`` would), a null fails unless the field says
``allow_none``, a required field must be there, every value must have its JSON type,
and each leaf is then deserialized by its own field, so its validators (OneOf, Range,
...) hold too.

Beyond each answer, every field of every output schema must be seen filled in at least
once, and each nullable one null at least once, so a schema cannot declare what the
service never answers nor allow a null it never sends (see ``NEVER``).
"""
from __future__ import annotations

import inspect
import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError, fields
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc

import crmtotals
from billing import invoices, orders, reports, schemas
from billing.models import TOTAL_FIELDS
from billing.service import BillingService
from billing.settings import BillingSettings
from crmkit.context import CallContext
from crmkit.db import utcnow
from crmkit.ids import new_id
from crmkit.testing import migrated_engine
from crmkit.unit_of_work import UnitOfWork

SERVICE, SERVICE_CLASS, MODULES = "billing", BillingService, (schemas, reports)

# (schema, field, "set" or "null") -> why the service never answers it so.
NEVER: dict = {}


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


def accepted_quote(lines: list[dict], currency: str = "EUR", **fields) -> dict:
    """What billing hears in quote.accepted: the quote as deals dumps it, priced by the
    totals engine, with the id its order gets."""
    totals = crmtotals.compute([crmtotals.Line(Decimal(line["quantity"]), Decimal(line["unit_price"]), Decimal(0),
                                               Decimal(line["tax_rate"])) for line in lines], currency)
    return {
        "id": new_id(), "order_id": new_id(), "number": f"Q-{new_id()[-8:]}", "opportunity_id": None,
        "owner_id": None, "currency": currency, "document_discount_percent": "0", "rounding": "per_rate",
        "tax_mode": "exclusive", "shipping_address": None, "payment_terms_days": None,
        "organization_id": None, "organization_name": None, "organization_vat_id": None, "contact_id": None,
        "contact_name": None, "contact_email": None, "billing_address": None,
        "tax_breakdown": [{"rate": str(b.rate), "taxable": str(b.taxable), "tax": str(b.tax)}
                          for b in totals.tax_breakdown],
        **{name: str(getattr(totals, name)) for name in TOTAL_FIELDS},
        "lines": [{"position": n, "sku": line.get("sku"), "description": line["description"],
                   "quantity": line["quantity"], "unit_price": line["unit_price"], "discount_percent": "0",
                   "tax_rate": line["tax_rate"], "net": str(line_totals.net)}
                  for n, (line, line_totals) in enumerate(zip(lines, totals.lines, strict=True), start=1)],
        **fields,
    }


def scenario(rpc: Calls) -> None:
    """Records after creation and after each state change, so that nullable fields are
    both null and set; every list and report the service answers."""
    today = date.today()
    rpc.health()
    organization = new_id()

    def order_from(quote: dict) -> str:
        rpc.run(lambda unit: orders.create_order_from_quote(unit, quote))
        return quote["order_id"]

    # Orders, each invoiced and issued on confirmation (the default settings)
    full = order_from(accepted_quote([
        {"sku": "LIC-PRO", "description": "Pro licence", "quantity": "10", "unit_price": "1234.50", "tax_rate": "19"},
        {"description": "Old kit taken back", "quantity": "-1", "unit_price": "100", "tax_rate": "19"}],
        opportunity_id=new_id(), owner_id="ben", organization_id=organization,
        organization_name="Analytical Engines Ltd", organization_vat_id="GB123456789", contact_id=new_id(),
        contact_name="Ada Lovelace", contact_email="ada@engines.example", payment_terms_days=45,
        billing_address={"street": "1 Engine Way", "postal_code": None, "city": "London", "region": None,
                         "country": "GB"}))
    bare = order_from(accepted_quote([{"description": "Yen things", "quantity": "3", "unit_price": "1000",
                                       "tax_rate": "10"}], currency="JPY"))
    returns = order_from(accepted_quote([{"description": "Returned", "quantity": "-1", "unit_price": "50",
                                          "tax_rate": "20"}], currency="GBP", organization_id=organization))
    rpc.update_order(full, {"delivery_terms": "DAP London", "internal_notes": "Fragile",
                            "shipping_address": {"street": None, "postal_code": "E1 1AA", "city": None,
                                                 "region": "Greater London", "country": None}})
    # Invoiced on fulfilment, drafts issued by hand; and an order cancelled before
    with pytest.MonkeyPatch.context() as settings:
        settings.setattr(orders, "SETTINGS", BillingSettings(invoicing_policy="on_fulfilment",
                                                             issue_automatically=False))
        later = order_from(accepted_quote([{"description": "Service", "quantity": "1", "unit_price": "99.99",
                                            "tax_rate": "0"}], owner_id="ana", organization_id=organization,
                                          organization_name="Analytical Engines"))
        dropped = order_from(accepted_quote([{"description": "Nothing", "quantity": "1", "unit_price": "1",
                                              "tax_rate": "0"}]))
        rpc.get_order(later)
        rpc.start_order_fulfilment(later)
        fulfilled = rpc.fulfil_order(later)
        rpc.cancel_order(dropped, {"reason": "The customer changed their mind"})
    draft = fulfilled["invoice_ids"][0]
    rpc.get_invoice(draft)
    rpc.update_invoice(draft, {"payment_terms_days": 15})
    rpc.issue_invoice(draft)

    # Payments, credit notes, overdue
    invoice = rpc.get_order(full)["invoice_ids"][0]
    owed = Decimal(rpc.get_invoice(invoice)["balance_due"])
    rpc.record_payment(invoice, {"amount": "1000.00", "reference": "BANK-1", "note": "First part"})
    rpc.record_payment(invoice, {"amount": str(owed - 1000), "reference": "BANK-2", "method": "card",
                                 "payment_date": str(today)})
    rpc.create_credit_note(invoice, {"reason": "Cancelled after payment"})  # all of it, refunded
    yen = rpc.get_order(bare)["invoice_ids"][0]
    partial = rpc.create_credit_note(yen, {"reason": "One damaged", "lines": [{"position": 1, "quantity": "1"}]})
    rpc.get_credit_note(partial["id"])
    rpc.record_payment(yen, {"amount": "100", "reference": "CASH-1", "method": "cash"})
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(invoices, "utcnow", lambda: utcnow() + timedelta(days=40))
        rpc.run(lambda unit: invoices.mark_overdue(unit, (1, 15, 30), 100))
    rpc.get_invoice(yen)
    rpc.get_invoice(rpc.get_order(returns)["invoice_ids"][0])
    rpc.list_orders({"limit": "1"})
    rpc.list_orders({"status": "cancelled"})
    rpc.list_invoices({"limit": "1"})
    rpc.list_invoices({"status": "overdue,credited"})
    rpc.list_credit_notes({"limit": "1"})
    rpc.list_credit_notes({"invoice_id": invoice})

    # Reports
    period = {"from": str(today - timedelta(days=40)), "to": str(today + timedelta(days=40))}
    rpc.report_receivables({})
    rpc.report_receivables({"group_by": "organization"})
    rpc.report_receivables({"as_of": str(today - timedelta(days=1)), "organization_id": organization})
    rpc.report_billed_collected(period)
    rpc.report_billed_collected({**period, "organization_id": organization})
    rpc.report_dso(period)
    rpc.report_dso({**period, "organization_id": organization})
    rpc.report_funnel(period)


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
    assert "get_invoice" in methods and "health" in methods
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


def test_negative_amounts_are_answered_and_allowed(answers):
    invoice = next(i for i in answers["get_invoice"] if i["grand_total"].startswith("-"))
    assert invoice["lines"][0]["quantity"] == "-1" and invoice["balance_due"].startswith("-")
    billed = [a["billed"] for r in answers["report_dso"] for a in r["rows"] if a["dso"] is None]
    assert billed and all(amount.startswith("-") for amount in billed)


def test_the_check_refuses_what_a_schema_does_not_say(answers):
    invoice = next(i for i in answers["get_invoice"] if i["payments"] and i["credit_note_ids"])
    report = next(r for r in answers["report_receivables"] if r["rows"][0]["amounts"])
    check(schemas.InvoiceOut(), invoice, "invoice", defaultdict(set))
    for broken, complaint in [
        ({**invoice, "surprise": 1}, "has no field surprise"),
        ({**invoice, "balance_due": 0}, "expects str"),
        ({**invoice, "dunning_level": "1"}, "expects int"),
        ({**invoice, "order_id": None}, "does not allow_none"),
        ({**invoice, "status": "settled"}, "refused"),
        ({**invoice, "payment_terms_days": 31}, "refused"),
        ({**invoice, "issued_at": "2026-03-02T10:00:00"}, "without its zone"),
        ({**invoice, "credit_note_ids": [1]}, "expects str"),
        ({**invoice, "payments": [{**invoice["payments"][0], "method": "barter"}]}, "refused"),
        ({**invoice, "tax_breakdown": [{"rate": "19"}]}, "taxable: required"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(schemas.InvoiceOut(), broken, "invoice", defaultdict(set))
    row = report["rows"][0]
    for broken, complaint in [
        ({**report, "balance_basis": "guessed"}, "refused"),
        ({**report, "rows": [{**row, "amounts": [{**row["amounts"][0], "total": {"count": 1}}]}]}, "amount: required"),
        ({**report, "rows": [{**row, "count": None}]}, "does not allow_none"),
    ]:
        with pytest.raises(Mismatch, match=complaint):
            check(reports.ReceivablesReportOut(), broken, "report", defaultdict(set))
