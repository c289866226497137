"""openapi.json and ROLES.md are made from the code: the committed ones must be what
the code makes now, and the document must be one a client can use."""
import json

from crmkit.schemas import MAX_PERIOD_MONTHS, CappedPeriod
from gateway import apigen
from gateway.operations import BY_NAME, OPERATIONS


def test_the_committed_documents_are_current():
    for path, text in apigen.render().items():
        assert path.read_text() == text, f"{path.name} is stale: run `python -m gateway.apigen`"


def test_every_operation_is_documented_with_its_roles_and_errors():
    document = json.loads(apigen.OPENAPI.read_text())
    for op in OPERATIONS:
        documented = document["paths"][op.path][op.method.lower()]
        assert documented["operationId"] == op.name
        assert {"401", "403", "429", str(op.status)} <= set(documented["responses"])
        assert documented["description"].startswith("Roles: ")
    assert document["openapi"] == "3.1.0" and document["security"] == [{"bearer": []}]


def test_amounts_are_decimal_strings_and_nullable_fields_say_so():
    schemas = json.loads(apigen.OPENAPI.read_text())["components"]["schemas"]
    grand_total = schemas["InvoiceOut"]["properties"]["grand_total"]
    assert grand_total["type"] == "string" and grand_total["format"] == "decimal"
    assert "null" in schemas["OpportunityOut"]["properties"]["closed_at"]["type"]
    # a PATCH body has no required fields: only what is given changes
    assert "required" not in schemas["OpportunityFieldsPatch"]


def _parameters(op) -> dict:
    document = json.loads(apigen.OPENAPI.read_text())
    return {p["name"]: p for p in document["paths"][op.path][op.method.lower()]["parameters"]}


def test_every_list_documents_the_sort_keys_it_takes():
    lists = [op for op in OPERATIONS if op.shape == "page"]
    assert len(lists) > 10
    for op in lists:
        sort = _parameters(op)["sort"]["schema"]
        keys = set(sort["enum"])
        assert sort["default"] in keys, op.name
        assert keys == {key.lstrip("-") for key in keys} | {"-" + key.lstrip("-") for key in keys}, op.name
    assert "score" in _parameters(BY_NAME["list_leads"])["sort"]["schema"]["enum"]


def test_a_capped_period_says_its_cap_where_it_is_asked_for():
    found = apigen.Schemas()
    capped = [op for op in OPERATIONS if op.query and issubclass(found.for_op(op, op.query), CappedPeriod)]
    assert {"report_forecast", "report_billed_collected", "report_funnel"} <= {op.name for op in capped}
    for op in capped:
        assert f"at most {MAX_PERIOD_MONTHS} calendar months" in _parameters(op)["to"]["description"], op.name


def test_an_operation_that_reads_a_record_it_is_given_the_id_of_documents_404():
    document = json.loads(apigen.OPENAPI.read_text())
    for op in OPERATIONS:
        if op.path_params:
            assert "404" in document["paths"][op.path][op.method.lower()]["responses"], op.name
    # ids in a body (an opportunity's pipeline, a quote's opportunity), and the opportunity
    # whose quotes a sales rep lists (the gateway reads it to see whether the rep may)
    for name in ("create_opportunity", "create_quote", "list_quotes"):
        op = BY_NAME[name]
        assert "404" in document["paths"][op.path][op.method.lower()]["responses"], name
