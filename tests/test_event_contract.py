"""Every event of a whole flow keeps the published contract: caught on the real broker
(a queue of the test's own bound to the events exchange, as a subscriber would), each
validates against the JSON Schema its dataschema names, fetched from the gateway, and
parses with the official CloudEvents SDK; per record the sequences are 1, 2, 3 ...
without gaps and arrive in order; the client's trace context is in every one."""
from __future__ import annotations

import json
import secrets
from collections import defaultdict
from urllib.parse import urlsplit

import grpc
import jsonschema_rs
import pytest
import requests
from cloudevents.core.formats.json import JSONFormat
from kombu import Connection, Queue

from crmkit.broker import EVENTS_EXCHANGE
from events import outbox_events, query, wait_for
from flow import Api, a_lead, run_flow
from gateway import protojson
from gateway.pb import gateway_pb2, gateway_pb2_grpc, leads_pb2, leads_pb2_grpc

FLOW_TYPES = {
    "crm.lead.created.v1", "crm.lead.qualified.v1", "crm.organization.created.v1", "crm.contact.created.v1",
    "crm.lead.converted.v1", "crm.opportunity.created.v1", "crm.lead.updated.v1", "crm.quote.created.v1",
    "crm.quote.sent.v1", "crm.opportunity.stage_changed.v1", "crm.opportunity.won.v1", "crm.quote.accepted.v1",
    "crm.order.created.v1", "crm.invoice.created.v1", "crm.invoice.issued.v1", "crm.invoice.payment_recorded.v1",
    "crm.invoice.paid.v1",
}


@pytest.fixture(scope="module")
def caught(stack, databases):
    """The flow's events as a subscriber's queue got them (bodies, in arrival order), and
    the trace context the client sent with every request."""
    traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
    with Connection(stack.env["AMQP_URI"]) as conn:
        queue = Queue(f"test.subscriber.{secrets.token_hex(4)}", exchange=EVENTS_EXCHANGE, routing_key="#",
                      exclusive=True)
        queue(conn.default_channel).declare()
        api = Api(stack.base_url)
        api.http.headers["traceparent"] = traceparent
        records = run_flow(api)
        for service in ("leads", "deals", "billing"):  # every event of the flow published
            wait_for(lambda service=service: query(databases.url(service), "SELECT count(*) FROM outbox "
                                                   "WHERE published_at IS NULL")[0][0] == 0,
                     what=f"{service}'s outbox published")
        bodies = []
        bound = queue(conn.default_channel)
        while (message := bound.get(no_ack=True)) is not None:
            bodies.append(message.body if isinstance(message.body, bytes) else message.body.encode())
    return bodies, traceparent, records


def test_the_flow_publishes_every_step(caught):
    bodies, _, records = caught
    types = [json.loads(body)["type"] for body in bodies]
    assert set(types) == FLOW_TYPES
    paid = [json.loads(body) for body in bodies if json.loads(body)["type"] == "crm.invoice.paid.v1"]
    assert [event["subject"] for event in paid] == [records["invoice"]["id"]]
    assert paid[0]["data"]["record"]["status"] == "paid"
    assert paid[0]["data"]["changed"]["status"] in ("issued", "partially_paid")
    by_type = {json.loads(body)["type"]: json.loads(body)["data"] for body in bodies}
    # What changed, with the previous values: deals' answer shown on the lead...
    assert by_type["crm.lead.updated.v1"]["changed"] == {"opportunity_status": "pending"}
    assert by_type["crm.lead.updated.v1"]["record"]["opportunity_status"] == "created"
    # ...and two events of one write (the accepted quote's win) tell the same change.
    won, moved = by_type["crm.opportunity.won.v1"], by_type["crm.opportunity.stage_changed.v1"]
    assert won["changed"] == moved["changed"] and won["changed"]["stage"] == "qualification"
    assert "changed" not in by_type["crm.lead.created.v1"]


def test_every_event_validates_against_the_schema_its_dataschema_names(caught):
    bodies, _, _ = caught
    validators = {}
    for body in bodies:
        event = json.loads(body)
        url = event["dataschema"]
        if url not in validators:
            served = requests.get(url, timeout=10)
            assert served.status_code == 200 and served.headers["Content-Type"] == "application/schema+json"
            validators[url] = jsonschema_rs.validator_for(served.json())
        errors = [f"{error.instance_path}: {error.message}" for error in validators[url].iter_errors(event)]
        assert not errors, f"{event['type']} does not match its schema: {errors[:5]}"
    assert len(validators) == len(FLOW_TYPES)


def test_every_event_parses_with_the_cloudevents_sdk_with_absolute_source_and_dataschema(caught):
    bodies, traceparent, _ = caught
    installations = set()
    for body in bodies:
        event = JSONFormat().read(None, body)
        assert event.get_specversion() == "1.0"
        assert event.get_type().startswith("crm.") and event.get_subject()
        # Absolute: the installation (derived from the test's own vhost) and the service.
        scheme, _, installation, service = event.get_source().split(":")
        assert (scheme, service in ("leads", "deals", "billing")) == ("urn", True)
        installations.add(installation)
        assert urlsplit(event.get_dataschema()).scheme == "http"
        assert event.get_extension("traceparent") == traceparent
        assert isinstance(event.get_extension("sequence"), str)
        assert event.get_data() == json.loads(body)["data"]
    assert len(installations) == 1 and installations.pop().startswith("local-")


def test_per_record_the_sequences_are_gap_free_increasing_and_in_order(caught):
    bodies, _, _ = caught
    per_record = defaultdict(list)
    for body in bodies:
        event = json.loads(body)
        per_record[(event["source"], event["subject"])].append(event["sequence"])
    for record, sequences in per_record.items():
        # New records: numbered from 1, without gaps, arrived in their order, and the
        # strings sort as the numbers do.
        assert [int(s) for s in sequences] == list(range(1, len(sequences) + 1)), record
        assert sorted(sequences) == sequences
    lengths = sorted(len(sequences) for sequences in per_record.values())
    assert lengths[-1] >= 4  # the lead and the invoice have four events each


def test_the_event_types_are_listed_for_those_who_read_events(stack):
    listed = requests.get(f"{stack.base_url}/event-types", timeout=10)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert FLOW_TYPES <= {item["type"] for item in items}
    paid = next(item for item in items if item["type"] == "crm.invoice.paid.v1")
    assert (paid["name"], paid["version"], paid["service"]) == ("invoice.paid", 1, "billing")
    assert paid["dataschema"] == f"{stack.base_url}/event-types/crm.invoice.paid.v1/schema"
    rep = stack.token("sales_rep", "rep", "north")
    refused = requests.get(f"{stack.base_url}/event-types", headers={"Authorization": f"Bearer {rep}"}, timeout=10)
    assert refused.status_code == 403
    missing = requests.get(f"{stack.base_url}/event-types/crm.lead.vanished.v1/schema", timeout=10)
    assert missing.status_code == 404 and "crm.lead.vanished.v1" in missing.json()["error"]["message"]


def test_the_asyncapi_document_is_served_beside_the_openapi_one(stack):
    document = requests.get(f"{stack.base_url}/asyncapi.json", timeout=10).json()
    assert document["asyncapi"] == "3.0.0"
    assert FLOW_TYPES <= {channel["address"] for channel in document["channels"].values()}


def test_a_request_without_a_trace_context_gets_one_and_a_bad_one_is_replaced(stack):
    started = requests.get(f"{stack.base_url}/leads", timeout=10).headers["traceparent"]
    bad = requests.get(f"{stack.base_url}/leads", headers={"traceparent": "00-zz-1-01"}, timeout=10)
    for value in (started, bad.headers["traceparent"]):
        version, trace_id, parent_id, flags = value.split("-")
        assert (version, len(trace_id), len(parent_id), flags) == ("00", 32, 16, "00")
    kept = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
    assert requests.get(f"{stack.base_url}/leads", headers={"traceparent": kept},
                        timeout=10).headers["traceparent"] == kept


def test_grpc_lists_the_event_types_and_a_calls_trace_context_reaches_its_events(stack, databases):
    token = stack.token("integration", "erp")
    auth = [("authorization", f"Bearer {token}")]
    with grpc.insecure_channel(f"127.0.0.1:{stack.env['CRM_GRPC_PORT']}") as channel:
        listed = gateway_pb2_grpc.GatewayStub(channel).ListEventTypes(
            gateway_pb2.ListEventTypesRequest(), metadata=auth, timeout=30)
        assert FLOW_TYPES <= {item.type for item in listed.items}
        admin = [("authorization", f"Bearer {stack.token()}")]
        traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
        lead = leads_pb2_grpc.LeadsStub(channel).CreateLead(
            leads_pb2.CreateLeadRequest(body=protojson.to_message(a_lead(), leads_pb2.LeadCreate())),
            metadata=[*admin, ("traceparent", traceparent)], timeout=30)
    created = outbox_events(databases.url("leads"), "crm.lead.created.v1", lead.id)
    assert [event["traceparent"] for event in created] == [traceparent]
