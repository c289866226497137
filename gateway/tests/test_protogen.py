"""The gRPC API's files: the committed protos and stubs are those the OpenAPI document
makes, field numbers never move, and errors map to one gRPC status each."""
from __future__ import annotations

import copy
import json
import re
import shutil

import grpc
import pytest

from gateway import grpc_server, protogen, protojson
from gateway.errors import ApiError
from gateway.operations import OPERATIONS
from gateway.pb import billing_pb2, leads_pb2


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(protogen.OPENAPI.read_text())


def test_committed_protos_and_stubs_are_current():
    protogen.main(["--check"])  # exits with the stale files' names otherwise


@pytest.fixture
def copies(tmp_path, document):
    """The committed files, copied: (openapi, proto root, pb dir) to make stale."""
    proto_root, pb_dir = tmp_path / "proto", tmp_path / "pb"
    shutil.copytree(protogen.PROTO_ROOT, proto_root)
    shutil.copytree(protogen.PB_DIR, pb_dir, ignore=shutil.ignore_patterns("__pycache__"))
    openapi = tmp_path / "openapi.json"
    openapi.write_text(json.dumps(document))
    return openapi, proto_root, pb_dir


def check(openapi, proto_root, pb_dir) -> str | None:
    try:
        protogen.main(["--check", "--openapi", str(openapi), "--proto-root", str(proto_root),
                       "--pb-dir", str(pb_dir)])
    except SystemExit as exc:
        return str(exc)
    return None


def test_check_fails_when_a_schema_changed_or_a_file_was_edited(copies, document):
    openapi, proto_root, pb_dir = copies
    assert check(openapi, proto_root, pb_dir) is None
    changed = copy.deepcopy(document)
    changed["components"]["schemas"]["LeadOut"]["properties"]["nickname"] = {"type": "string"}
    openapi.write_text(json.dumps(changed))
    stale = check(openapi, proto_root, pb_dir)
    assert stale and "leads.proto" in stale and "leads_pb2.py" in stale and "deals.proto" not in stale

    openapi.write_text(json.dumps(document))
    stub = pb_dir / "deals_pb2_grpc.py"
    stub.write_text(stub.read_text() + "# edited by hand\n")
    stale = check(openapi, proto_root, pb_dir)
    assert stale and "deals_pb2_grpc.py" in stale and "leads" not in stale


def _numbers(text: str, message: str) -> dict[str, int]:
    return protogen.committed_numbers(text)[message][0]


def test_field_numbers_never_move_and_removed_ones_are_reserved(document):
    committed = protogen.render_protos(document)
    path = protogen.proto_path("leads")
    before = _numbers(committed[path], "LeadOut")
    changed = copy.deepcopy(document)
    properties = changed["components"]["schemas"]["LeadOut"]["properties"]
    del properties["email"]
    properties["aardvark"] = {"type": "string"}  # first by name: still the next number
    after_text = protogen.render_protos(changed, committed)[path]
    after = _numbers(after_text, "LeadOut")
    assert after["aardvark"] == max(before.values()) + 1
    assert {name: number for name, number in after.items() if name != "aardvark"} == {
        name: number for name, number in before.items() if name != "email"}
    block = re.search(r"message LeadOut \{(.*?)\n\}", after_text, re.S).group(1)
    assert f"reserved {before['email']};" in block and 'reserved "email";' in block
    # ... and stays so: a later run keeps both, and a field made later takes neither.
    properties["zebra"] = {"type": "string"}
    later = protogen.render_protos(changed, {path: after_text})[path]
    assert _numbers(later, "LeadOut")["zebra"] == max(before.values()) + 2
    assert f"reserved {before['email']};" in later


def test_a_keyword_json_name_maps_both_ways():
    fields = billing_pb2.ReportDsoRequest.DESCRIPTOR.fields_by_name
    assert "from_" in fields and fields["from_"].json_name == "from"
    request = protojson.to_message({"from": "2026-01-01", "to": "2026-03-31"}, billing_pb2.ReportDsoRequest())
    assert request.from_ == "2026-01-01"
    assert protojson.to_json(request) == {"from": "2026-01-01", "to": "2026-03-31"}


def test_json_keeps_integers_zeros_and_nulls_as_rest_has_them():
    lead = protojson.to_message({"employees": 0, "authority": False, "email": None, "tags": ["a"],
                                 "opportunity_failure": {"attempts": 3, "reason": "x"}}, leads_pb2.LeadOut())
    assert not lead.HasField("email") and lead.HasField("employees")
    assert protojson.to_json(lead) == {"employees": 0, "authority": False, "tags": ["a"],
                                       "opportunity_failure": {"attempts": 3, "reason": "x"}}


def test_every_operation_but_csv_has_its_rpc():
    served = {op.name for op in grpc_server.served_operations()}
    assert served == {op.name for op in OPERATIONS} - {"import_leads", "export_leads"}


@pytest.mark.parametrize(("status", "code", "expected"), [
    (400, "bad_request", grpc.StatusCode.INVALID_ARGUMENT),
    (401, "unauthenticated", grpc.StatusCode.UNAUTHENTICATED),
    (403, "forbidden", grpc.StatusCode.PERMISSION_DENIED),
    (404, "not_found", grpc.StatusCode.NOT_FOUND),
    (409, "invalid_transition", grpc.StatusCode.FAILED_PRECONDITION),
    (409, "duplicate", grpc.StatusCode.ALREADY_EXISTS),
    (409, "conflict", grpc.StatusCode.ABORTED),
    (412, "stale_version", grpc.StatusCode.FAILED_PRECONDITION),
    (413, "body_too_large", grpc.StatusCode.RESOURCE_EXHAUSTED),
    (422, "validation_failed", grpc.StatusCode.INVALID_ARGUMENT),
    (422, "idempotency_key_reused", grpc.StatusCode.INVALID_ARGUMENT),
    (429, "rate_limited", grpc.StatusCode.RESOURCE_EXHAUSTED),
    (500, "internal_error", grpc.StatusCode.INTERNAL),
    (503, "service_unavailable", grpc.StatusCode.UNAVAILABLE),
])
def test_each_error_has_its_status_code(status, code, expected):
    error = ApiError(status, code, "Something.", {"field": ["Bad."]}, retry_after=7 if status == 429 else None)
    sent = grpc_server.error_status(error, "cid-1")
    assert sent.code == expected and sent.details == "Something."
    trailing = dict(sent.trailing_metadata)
    assert trailing["x-correlation-id"] == "cid-1" and "grpc-status-details-bin" in trailing
    assert trailing.get("retry-after") == ("7" if status == 429 else None)
