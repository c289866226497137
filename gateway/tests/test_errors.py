"""The gateway's error mapping: a service's refusal keeps its meaning, anything else
says nothing about the inside."""
from crmkit.rpc_client import RemoteError
from gateway import errors


def test_a_service_refusal_keeps_its_status_message_and_details():
    remote = RemoteError("InvalidTransition", "crmkit.errors.InvalidTransition", "Cannot accept a quote that is draft.",
                         ["Cannot accept a quote that is draft.", {"current_state": "draft"}])
    mapped = errors.from_remote(remote)
    assert (mapped.status, mapped.code, mapped.details) == (409, "invalid_transition", {"current_state": "draft"})
    assert mapped.message == "Cannot accept a quote that is draft."


def test_an_unexpected_error_is_a_500_without_its_name_or_text():
    remote = RemoteError("IntegrityError", "sqlalchemy.exc.IntegrityError", "duplicate key value violates ...", [])
    mapped = errors.from_remote(remote)
    assert mapped.status == 500 and mapped.code == "internal_error"
    assert "IntegrityError" not in mapped.message and "duplicate" not in mapped.message


def test_a_lookalike_class_from_elsewhere_is_not_trusted():
    remote = RemoteError("NotFound", "somewhere.else.NotFound", "x", ["x", {}])
    assert errors.from_remote(remote).status == 500


def test_details_cross_rpc_as_json_text_so_numbers_stay_numbers():
    from nameko.exceptions import safe_for_serialization

    from crmkit.errors import StaleVersion

    raised = StaleVersion("quote", "q1", expected=1, current=2)
    # what nameko sends: every argument "made safe" (a bare 2 would become "2")
    remote = RemoteError("StaleVersion", "crmkit.errors.StaleVersion", str(raised),
                         safe_for_serialization(list(raised.args)))
    assert errors.from_remote(remote).details == {"entity": "quote", "id": "q1", "expected_version": 1,
                                                  "current_version": 2}
