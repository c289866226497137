"""openapi.json and ROLES.md are made from the code: the committed ones must be what
the code makes now, and the document must be one a client can use."""
import json

from gateway import apigen
from gateway.operations import OPERATIONS


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
