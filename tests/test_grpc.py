"""The API over gRPC (served by crm-gateway beside REST), end to end: every process started, driven only through
a client made of the generated stubs, as an integrating system would."""
from __future__ import annotations

import time
import uuid

import grpc
import pytest
import requests
from google.protobuf import field_mask_pb2, json_format, struct_pb2
from google.rpc import status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from flow import LINES, Api, a_lead, run_flow
from gateway import grpc_server, protojson
from gateway.errors import ApiError
from gateway.pb import deals_pb2, deals_pb2_grpc, gateway_pb2, gateway_pb2_grpc, leads_pb2, leads_pb2_grpc

API_SERVICES = {"crm.leads.v1.Leads", "crm.deals.v1.Deals", "crm.billing.v1.Billing", "crm.gateway.v1.Gateway",
                "crm.events.v1.Events", "crm.subscriptions.v1.Subscriptions"}


@pytest.fixture(scope="module")
def grpc_stack(stack):
    """The whole Procfile (its gateway's gRPC on the port make_stack gave it, serving)."""
    stack.grpc_target = f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}"
    return stack


class Client:
    """The stubs of one channel, each call carrying one token."""

    def __init__(self, stack, token: str | None):
        self.channel = grpc.insecure_channel(stack.grpc_target)
        self.leads = leads_pb2_grpc.LeadsStub(self.channel)
        self.deals = deals_pb2_grpc.DealsStub(self.channel)
        self.gateway = gateway_pb2_grpc.GatewayStub(self.channel)
        self.token = token

    def metadata(self, **extra: str) -> list[tuple[str, str]]:
        metadata = [(key.replace("_", "-"), value) for key, value in extra.items()]
        if self.token:
            metadata.append(("authorization", f"Bearer {self.token}"))
        return metadata

    def call(self, method, request, **metadata: str):
        """(answer, trailing metadata as a dict)."""
        answer, call = method.with_call(request, metadata=self.metadata(**metadata), timeout=30)
        return answer, dict(call.trailing_metadata())

    def eventually(self, method, request, timeout: float = 20):
        """A record another service makes from an event: ask until it is there."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.call(method, request)[0]
            except grpc.RpcError as exc:
                assert exc.code() == grpc.StatusCode.NOT_FOUND, exc
                assert time.monotonic() < deadline, f"not there within {timeout}s"
                time.sleep(0.05)


@pytest.fixture(scope="module")
def admin(grpc_stack):
    client = Client(grpc_stack, grpc_stack.token("admin", "grpc-admin"))
    yield client
    client.channel.close()


def error(exc: grpc.RpcError) -> dict:
    """The REST error body the status carries: {"code", "message", "details"}."""
    trailing = dict(exc.trailing_metadata())
    status = status_pb2.Status.FromString(trailing["grpc-status-details-bin"])
    assert status.code == exc.code().value[0] and status.message == exc.details()
    (detail,) = status.details
    body = struct_pb2.Struct()
    assert detail.Unpack(body)
    return json_format.MessageToDict(body)


def failure(method, request, metadata=()) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        method(request, metadata=list(metadata), timeout=30)
    return caught.value


def new_lead(**changes) -> leads_pb2.LeadCreate:
    return protojson.to_message(a_lead(**changes), leads_pb2.LeadCreate())


# The flow, lead to quote PDF
def test_a_lead_becomes_a_sent_quote_through_grpc(admin, grpc_stack):
    key, request = f"grpc-{uuid.uuid4()}", leads_pb2.CreateLeadRequest(body=new_lead())
    created, trailing = admin.call(admin.leads.CreateLead, request, idempotency_key=key,
                                   x_correlation_id="grpc-test-1")
    assert created.status == "new" and created.HasField("id") and created.budget_amount == "12000.00"
    assert trailing["location"] == f"/api/v1/leads/{created.id}"
    assert trailing["etag"] == f'"{created.version}"' and trailing["x-correlation-id"] == "grpc-test-1"
    # The same key again answers what the first call did, without a second lead.
    again, _ = admin.call(admin.leads.CreateLead, request, idempotency_key=key)
    assert again.id == created.id

    # Field for field what REST answers (a null, or an empty list, is an unset field here).
    rest = requests.get(f"{grpc_stack.base_url}/leads/{created.id}", timeout=10).json()
    read, _ = admin.call(admin.leads.GetLead, leads_pb2.GetLeadRequest(lead_id=created.id))
    assert protojson.to_json(read) == {key: value for key, value in rest.items() if value not in (None, [])}

    qualified, _ = admin.call(admin.leads.QualifyLead, leads_pb2.QualifyLeadRequest(lead_id=created.id))
    assert qualified.status == "qualified"
    # prefer: wait=N holds the answer until the opportunity the deals service makes is there.
    converted, trailing = admin.call(admin.leads.ConvertLead, leads_pb2.ConvertLeadRequest(lead_id=created.id),
                                     prefer="wait=10")
    assert converted.status == "converted" and converted.converted_opportunity_id
    assert trailing["preference-applied"] == "wait=10"

    opportunity, _ = admin.call(admin.deals.GetOpportunity, deals_pb2.GetOpportunityRequest(
        opportunity_id=converted.converted_opportunity_id))
    assert opportunity.lead_id == created.id
    move = deals_pb2.MoveOpportunityRequest(opportunity_id=opportunity.id, body=deals_pb2.StageMove(stage="proposal"))
    moved, trailing = admin.call(admin.deals.MoveOpportunity, move, if_match=f'"{opportunity.version}"')
    assert moved.stage == "proposal" and moved.probability == "50" and moved.version == opportunity.version + 1
    assert trailing["etag"] == f'"{moved.version}"'

    # The version read before the move is no longer the current one.
    stale = failure(admin.deals.MoveOpportunity, deals_pb2.MoveOpportunityRequest(
        opportunity_id=opportunity.id, body=deals_pb2.StageMove(stage="negotiation")),
        admin.metadata(if_match=f'"{opportunity.version}"'))
    assert stale.code() == grpc.StatusCode.FAILED_PRECONDITION
    body = error(stale)
    assert body["code"] == "stale_version"
    # (a Struct holds numbers as doubles)
    assert int(body["details"]["expected_version"]) == opportunity.version
    assert int(body["details"]["current_version"]) == moved.version

    quote, trailing = admin.call(admin.deals.CreateQuote, deals_pb2.CreateQuoteRequest(
        body=protojson.to_message({"opportunity_id": opportunity.id, "lines": LINES}, deals_pb2.QuoteCreate())))
    assert quote.status == "draft" and len(quote.lines) == 2
    assert trailing["location"] == f"/api/v1/quotes/{quote.id}"
    sent, _ = admin.call(admin.deals.SendQuote, deals_pb2.SendQuoteRequest(quote_id=quote.id))
    assert sent.status == "sent" and sent.HasField("valid_until")
    pdf, _ = admin.call(admin.deals.QuotePdf, deals_pb2.QuotePdfRequest(quote_id=quote.id))
    assert pdf.content.startswith(b"%PDF") and pdf.filename.endswith(".pdf")


def test_lists_take_filters_and_hand_out_a_cursor(admin):
    tag = f"grpc-{uuid.uuid4().hex[:10]}"
    made = {admin.call(admin.leads.CreateLead, leads_pb2.CreateLeadRequest(body=new_lead(tags=[tag])))[0].id
            for _ in range(3)}
    admin.call(admin.leads.CreateLead, leads_pb2.CreateLeadRequest(body=new_lead()))  # not tagged: not listed
    first, _ = admin.call(admin.leads.ListLeads, leads_pb2.ListLeadsRequest(tag=tag, limit=2))
    assert len(first.items) == 2 and first.HasField("next_cursor")
    second, _ = admin.call(admin.leads.ListLeads, leads_pb2.ListLeadsRequest(tag=tag, limit=2,
                                                                             cursor=first.next_cursor))
    assert len(second.items) == 1 and not second.HasField("next_cursor")
    assert {lead.id for lead in [*first.items, *second.items]} == made


def test_an_update_mask_clears_what_it_names_and_leaves_the_rest(admin):
    lead, _ = admin.call(admin.leads.CreateLead, leads_pb2.CreateLeadRequest(body=new_lead(phone="+49 30 1234567")))
    changed, _ = admin.call(admin.leads.UpdateLead, leads_pb2.UpdateLeadRequest(
        lead_id=lead.id, body=leads_pb2.LeadUpdatePatch(title="CTO", employees=0),
        update_mask=field_mask_pb2.FieldMask(paths=["phone", "employees"])))
    # phone named but unset: cleared; employees 0 is a value, not an absent field;
    # title is set but not in the mask: left as it was.
    assert not changed.HasField("phone") and changed.HasField("employees") and changed.employees == 0
    assert not changed.HasField("title")
    unmasked, _ = admin.call(admin.leads.UpdateLead, leads_pb2.UpdateLeadRequest(
        lead_id=lead.id, body=leads_pb2.LeadUpdatePatch(title="CTO")))
    assert unmasked.title == "CTO" and unmasked.employees == 0 and unmasked.last_name == lead.last_name


def _without_nulls(value):
    """REST's JSON as a proto message holds it: no nulls, no empty lists."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None and item != []}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _differences(rest, grpc_json, path="") -> list[str]:
    """Where two JSON values part, as paths: what a failure should name."""
    if isinstance(rest, dict) and isinstance(grpc_json, dict):
        return [found for key in sorted(set(rest) | set(grpc_json))
                for found in _differences(rest.get(key), grpc_json.get(key), f"{path}.{key}")]
    if isinstance(rest, list) and isinstance(grpc_json, list) and len(rest) == len(grpc_json):
        return [found for i, pair in enumerate(zip(rest, grpc_json, strict=True))
                for found in _differences(*pair, f"{path}[{i}]")]
    return [] if rest == grpc_json else [f"{path}: REST {rest!r}, gRPC {grpc_json!r}"]


def test_every_read_answers_what_rest_answers(admin, grpc_stack):
    """Each GET of the API over both transports, on the records of a whole flow: one
    answer, field for field (a schema that lies about what a service sends fails here)."""
    records = run_flow(Api(grpc_stack.base_url))
    lead, opportunity = records["lead"], records["opportunity"]
    ids = {"lead_id": lead["id"], "organization_id": lead["converted_organization_id"],
           "contact_id": lead["converted_contact_id"], "opportunity_id": opportunity["id"],
           "pipeline_id": opportunity["pipeline_id"], "quote_id": records["quote"]["id"],
           "order_id": records["order"]["id"], "invoice_id": records["invoice"]["id"], "team": "nobody"}
    period = {"from": "2026-01-01", "to": "2027-12-31"}
    compared, differing = [], {}
    for op in grpc_server.served_operations():
        if op.method != "GET" or op.shape == "pdf" or not set(op.path_params) <= set(ids):
            continue
        params = {name: ids[name] for name in op.path_params}
        method = grpc_server.MODULES[op.area].DESCRIPTOR.services_by_name[op.area.capitalize()].methods_by_name[
            op.grpc_name]
        request_class = grpc_server.message_factory.GetMessageClass(method.input_type)
        query = period if "from" in protojson.json_keys(request_class.DESCRIPTOR).values() else {}
        rest = requests.get(grpc_stack.base_url + op.path.format(**params), params=query, timeout=30)
        stub = admin.channel.unary_unary(
            f"/{method.containing_service.full_name}/{method.name}",
            request_serializer=request_class.SerializeToString,
            response_deserializer=grpc_server.message_factory.GetMessageClass(method.output_type).FromString)
        request = protojson.to_message({**params, **query}, request_class())
        if rest.status_code != 200:
            error_body = rest.json()["error"]
            refused = failure(stub, request, admin.metadata())
            if refused.code() != grpc_server.grpc_code(ApiError(rest.status_code, error_body["code"], "")):
                differing[op.name] = (rest.status_code, error_body, refused.code())
            continue
        # (an untyped field, google.protobuf.Value, keeps an empty list: it is a value there)
        answer = _without_nulls(protojson.to_json(stub(request, metadata=admin.metadata(), timeout=30)))
        if answer != _without_nulls(rest.json()):
            differing[op.name] = _differences(_without_nulls(rest.json()), answer)[:5]
        compared.append(op.name)
    assert not differing, differing
    assert {"get_lead", "opportunity_story", "get_invoice", "list_quotes", "report_funnel"} <= set(compared)


# Errors: the status code, and the REST error body in the status details
def test_an_unknown_id_is_not_found(admin):
    missing = failure(admin.leads.GetLead, leads_pb2.GetLeadRequest(lead_id="no-such-lead"), admin.metadata())
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    assert error(missing)["code"] == "not_found"
    assert dict(missing.trailing_metadata())["x-correlation-id"]


def test_invalid_fields_are_each_named(admin):
    bad = leads_pb2.LeadCreate(email="not-an-email", country="Germany", employees=-1, budget_currency="euro")
    invalid = failure(admin.leads.CreateLead, leads_pb2.CreateLeadRequest(body=bad), admin.metadata())
    assert invalid.code() == grpc.StatusCode.INVALID_ARGUMENT
    body = error(invalid)
    assert body["code"] == "validation_failed"
    assert {"email", "country", "employees", "budget_currency", "last_name"} <= set(body["details"])


def test_a_call_without_a_token_is_unauthenticated(grpc_stack):
    anonymous = Client(grpc_stack, None)
    try:
        refused = failure(anonymous.leads.GetLead, leads_pb2.GetLeadRequest(lead_id="x"))
        assert refused.code() == grpc.StatusCode.UNAUTHENTICATED
        assert error(refused)["code"] == "unauthenticated"
        wrong = failure(anonymous.leads.GetLead, leads_pb2.GetLeadRequest(lead_id="x"),
                        [("authorization", "Bearer crm_not-a-token")])
        assert wrong.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        anonymous.channel.close()


def test_a_role_that_may_not_is_permission_denied(grpc_stack):
    integration = Client(grpc_stack, grpc_stack.token("integration", "grpc-integration"))
    try:
        denied = failure(integration.leads.CreateLead, leads_pb2.CreateLeadRequest(body=new_lead()),
                         integration.metadata())
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
        assert error(denied)["details"] == {"role": "integration", "operation": "create_lead"}
        # What it may do, it does.
        page, _ = integration.call(integration.leads.ListLeads, leads_pb2.ListLeadsRequest(limit=1))
        assert len(page.items) <= 1
    finally:
        integration.channel.close()


def test_a_sales_rep_merges_no_lead_it_does_not_own_and_learns_nothing_of_another_teams_duplicate(admin,
                                                                                                    grpc_stack):
    rep = Client(grpc_stack, grpc_stack.token("sales_rep", "grpc-rep", team="emea"))
    try:
        own, _ = rep.call(rep.leads.CreateLead, leads_pb2.CreateLeadRequest(body=new_lead()))
        email = f"theirs-{uuid.uuid4().hex[:8]}@example.org"
        theirs, _ = admin.call(admin.leads.CreateLead, leads_pb2.CreateLeadRequest(
            body=new_lead(email=email, owner_id="grpc-other", team="apac")))
        denied = failure(rep.leads.MergeLeads, leads_pb2.MergeLeadsRequest(
            lead_id=own.id, body=leads_pb2.Merge(other_id=theirs.id)), rep.metadata())
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED, denied
        untouched, _ = admin.call(admin.leads.GetLead, leads_pb2.GetLeadRequest(lead_id=theirs.id))
        assert untouched.status == theirs.status and untouched.version == theirs.version
        twin = failure(rep.leads.CreateLead, leads_pb2.CreateLeadRequest(body=new_lead(email=email)), rep.metadata())
        assert twin.code() == grpc.StatusCode.ALREADY_EXISTS, twin
        assert error(twin)["details"] == {"duplicates": [], "withheld": 1}
    finally:
        rep.channel.close()


def test_bad_metadata_is_an_invalid_argument(admin):
    bad = failure(admin.deals.MoveOpportunity, deals_pb2.MoveOpportunityRequest(
        opportunity_id="x", body=deals_pb2.StageMove(stage="proposal")), admin.metadata(if_match="yesterday"))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and error(bad)["code"] == "bad_request"


def test_a_token_retried_with_its_idempotency_key_is_the_same_token_without_its_secret(admin):
    request = gateway_pb2.CreateTokenRequest(body=gateway_pb2.TokenIn(
        name="grpc retry", role="integration", user_id="grpc-retry"))
    key = f"grpc-token-{uuid.uuid4()}"
    made, _ = admin.call(admin.gateway.CreateToken, request, idempotency_key=key)
    again, trailing = admin.call(admin.gateway.CreateToken, request, idempotency_key=key)
    assert made.token and not again.HasField("token") and again.id == made.id
    assert trailing["location"].endswith(made.id)
    other = gateway_pb2.CreateTokenRequest(body=gateway_pb2.TokenIn(name="other", role="integration", user_id="x"))
    reused = failure(admin.gateway.CreateToken, other, admin.metadata(idempotency_key=key))
    assert reused.code() == grpc.StatusCode.INVALID_ARGUMENT and error(reused)["code"] == "idempotency_key_reused"


def test_a_spent_rate_limit_is_resource_exhausted_with_retry_after(admin, grpc_stack):
    made, trailing = admin.call(admin.gateway.CreateToken, gateway_pb2.CreateTokenRequest(body=gateway_pb2.TokenIn(
        name="slow partner", role="integration", user_id="grpc-slow", rate_limit_per_minute=1)))
    assert made.token and made.rate_limit_per_minute == 1 and trailing["location"].endswith(made.id)
    slow = Client(grpc_stack, made.token)
    try:
        slow.call(slow.leads.ListLeads, leads_pb2.ListLeadsRequest(limit=1))
        spent = failure(slow.leads.ListLeads, leads_pb2.ListLeadsRequest(limit=1), slow.metadata())
        assert spent.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and error(spent)["code"] == "rate_limited"
        assert 1 <= int(dict(spent.trailing_metadata())["retry-after"]) <= 60
    finally:
        slow.channel.close()
    revoked, _ = admin.call(admin.gateway.RevokeToken, gateway_pb2.RevokeTokenRequest(token_id=made.id))
    assert revoked.HasField("revoked_at")


# Health and reflection
def test_health_says_serving_overall_and_per_service(grpc_stack):
    with grpc.insecure_channel(grpc_stack.grpc_target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", *API_SERVICES):
            answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING, service
        unknown = failure(health.Check, health_pb2.HealthCheckRequest(service="crm.nothing.v1.Nothing"))
        assert unknown.code() == grpc.StatusCode.NOT_FOUND


def test_reflection_lists_the_services_and_describes_them(grpc_stack):
    with grpc.insecure_channel(grpc_stack.grpc_target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = list(stub.ServerReflectionInfo(iter([
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="crm.deals.v1.Deals"),
        ]), timeout=10))
    listed = {service.name for service in answers[0].list_services_response.service}
    assert API_SERVICES | {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= listed
    # The file and every file it imports, so a client like grpcurl can build the messages.
    from google.protobuf import descriptor_pb2

    files = {descriptor_pb2.FileDescriptorProto.FromString(raw).name
             for raw in answers[1].file_descriptor_response.file_descriptor_proto}
    assert {"crm/deals/v1/deals.proto", "crm/leads/v1/leads.proto", "crm/billing/v1/billing.proto"} <= files


def test_sigterm_stops_it_cleanly(grpc_stack):
    assert grpc_stack.stop("gateway") == 0
    assert "gateway stopped" in grpc_stack.logs("gateway")
