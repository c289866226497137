"""REST under /api/v1: each route is one call to a service, with the call context
(correlation id, actor) passed along."""
from __future__ import annotations

import base64
import dataclasses
import io
import logging
import re
import time
import uuid

from flask import Flask, Response, g, jsonify, request, stream_with_context
from werkzeug.exceptions import HTTPException

from crmkit import context
from crmkit.context import CallContext
from crmkit.rpc_client import RemoteError, RpcClient, ServiceUnavailable

from . import csv_import, errors

log = logging.getLogger(__name__)
access_log = logging.getLogger("gateway.access")

API = "/api/v1"
MAX_BODY_BYTES = 1024 * 1024
MAX_IMPORT_BYTES = 512 * 1024 * 1024
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_ETAG = re.compile(r'^(?:W/)?"(\d{1,10})"$')
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
# Until bearer tokens arrive (the gateway issue), every caller is the same principal.
ANONYMOUS = "anonymous"


def _idempotency_key() -> str:
    """The client's Idempotency-Key, or one of our own: then at least a redelivered RPC
    (a service that died after its commit) is not done twice."""
    supplied = request.headers.get("Idempotency-Key")
    if supplied is None:
        return f"gateway:{uuid.uuid4()}"
    if not _IDEMPOTENCY_KEY.match(supplied):
        raise errors.ApiError(400, "bad_request", "Idempotency-Key takes 1 to 200 visible ASCII characters.")
    return f"client:{supplied}"


def create_app(client: RpcClient) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @app.before_request
    def _bind_context():
        supplied = request.headers.get("X-Correlation-Id", "")
        correlation_id = supplied if _CORRELATION_ID.match(supplied) else str(uuid.uuid4())
        g.call = CallContext(correlation_id=correlation_id, actor=ANONYMOUS,
                             causation_id=f"http:{correlation_id}")
        g.context_token = context.bind(g.call)
        g.started = time.perf_counter()
        g.calls_made = 0
        g.idempotency_key = _idempotency_key() if request.method in WRITE_METHODS else None

    @app.after_request
    def _add_context_headers(resp):
        resp.headers["X-Correlation-Id"] = g.call.correlation_id
        access_log.info("%s %s %d %.1fms", request.method, request.path, resp.status_code,
                        (time.perf_counter() - g.started) * 1000)
        return resp

    @app.teardown_request
    def _unbind_context(_exc):
        token = g.pop("context_token", None)
        if token is not None:
            context.unbind(token)

    @app.errorhandler(errors.ApiError)
    def _api_error(exc: errors.ApiError):
        return errors.response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 400: "bad_request"}.get(
            exc.code, "http_error")
        return errors.response(exc.code, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return errors.response(500, "internal_error", errors.INTERNAL_MESSAGE)

    def call(service: str, method: str, **kwargs):
        context = g.call
        if g.idempotency_key:
            # Each RPC of a write its own key, derived from the request's: a retried request
            # (a CSV import: many) replays every one of them, in the same order.
            g.calls_made += 1
            context = dataclasses.replace(context, idempotency_key=f"{g.idempotency_key}#{g.calls_made}")
        try:
            return client.call(service, method, context, **kwargs)
        except RemoteError as exc:
            raise errors.from_remote(exc) from None
        except ServiceUnavailable as exc:
            log.warning("%s", exc)
            raise errors.ApiError(
                503, "service_unavailable", f"The {service} service is not answering; retry later.") from None

    def body() -> dict:
        if not request.content_length:
            return {}
        data = request.get_json(silent=True)
        if data is None:
            raise errors.ApiError(400, "bad_request", "The body is not valid JSON (Content-Type: application/json).")
        if not isinstance(data, dict):
            raise errors.ApiError(422, "validation_failed", "The request has invalid fields.",
                                  {"_schema": ["Expected a JSON object."]})
        return data

    def if_match() -> int | None:
        """The version the caller read (If-Match: "3"), which a write must still find."""
        header = request.headers.get("If-Match")
        if header is None:
            return None
        match = _ETAG.match(header.strip())
        if match is None:
            raise errors.ApiError(400, "bad_request", 'If-Match takes one ETag this API gave out, like "3".')
        return int(match.group(1))

    def record(data: dict, status: int = 200, location: str | None = None):
        resp = jsonify(data)
        resp.status_code = status
        if "version" in data:
            resp.headers["ETag"] = f'"{data["version"]}"'
        if location:
            resp.headers["Location"] = location
        return resp

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

    # Leads, organizations, contacts
    @app.post(f"{API}/leads")
    def create_lead():
        lead = call("leads", "create_lead", data=body())
        return record(lead, 201, f"{API}/leads/{lead['id']}")

    @app.get(f"{API}/leads")
    def list_leads():
        return jsonify(call("leads", "list_leads", query=request.args.to_dict()))

    @app.post(f"{API}/leads/import")
    def import_leads():
        """Stream a CSV (the body as text/csv, or a multipart field "file") to the leads
        service a chunk of rows at a time; answer with one report of the whole file."""
        request.max_content_length = MAX_IMPORT_BYTES
        upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
        if request.mimetype == "multipart/form-data" and upload is None:
            raise errors.ApiError(422, "validation_failed", "The request has invalid fields.",
                                  {"file": ["Send the CSV as the multipart field 'file'."]})
        stream = io.TextIOWrapper(upload.stream if upload else request.stream, encoding="utf-8-sig",
                                  errors="strict", newline="")
        policy = request.args.get("duplicates", "skip")
        return jsonify(csv_import.run(stream, lambda header, rows, first: call(
            "leads", "import_leads", header=header, rows=rows, first_row=first, policy=policy)))

    @app.get(f"{API}/leads/export")
    def export_leads():
        query = request.args.to_dict()
        first = call("leads", "export_leads_page", query=query)  # errors answer before streaming starts
        pages = csv_import.pages(first, lambda cursor: call("leads", "export_leads_page",
                                                             query={**query, "cursor": cursor}))
        return Response(stream_with_context(csv_import.write(pages)), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="leads.csv"'})

    @app.get(f"{API}/leads/<lead_id>")
    def get_lead(lead_id):
        return record(call("leads", "get_lead", lead_id=lead_id))

    @app.patch(f"{API}/leads/<lead_id>")
    def update_lead(lead_id):
        return record(call("leads", "update_lead", lead_id=lead_id, data=body()))

    @app.post(f"{API}/leads/<lead_id>/merge")
    def merge_leads(lead_id):
        return record(call("leads", "merge_leads", lead_id=lead_id, data=body()))

    @app.post(f"{API}/leads/<lead_id>/contact")
    def contact_lead(lead_id):
        return record(call("leads", "contact_lead", lead_id=lead_id))

    @app.post(f"{API}/leads/<lead_id>/qualify")
    def qualify_lead(lead_id):
        return record(call("leads", "qualify_lead", lead_id=lead_id))

    @app.post(f"{API}/leads/<lead_id>/disqualify")
    def disqualify_lead(lead_id):
        return record(call("leads", "disqualify_lead", lead_id=lead_id, data=body()))

    @app.post(f"{API}/leads/<lead_id>/recycle")
    def recycle_lead(lead_id):
        return record(call("leads", "recycle_lead", lead_id=lead_id))

    @app.post(f"{API}/leads/<lead_id>/convert")
    def convert_lead(lead_id):
        return record(call("leads", "convert_lead", lead_id=lead_id, options=body()))

    @app.post(f"{API}/leads/<lead_id>/assign")
    def assign_lead(lead_id):
        return record(call("leads", "assign_lead", lead_id=lead_id, data=body()))

    @app.get(f"{API}/leads/<lead_id>/assignments")
    def lead_assignments(lead_id):
        return jsonify({"items": call("leads", "lead_assignments", lead_id=lead_id)})

    @app.post(f"{API}/assignment-rules")
    def create_assignment_rule():
        rule = call("leads", "create_assignment_rule", data=body())
        return record(rule, 201, f"{API}/assignment-rules/{rule['id']}")

    @app.get(f"{API}/assignment-rules")
    def list_assignment_rules():
        return jsonify({"items": call("leads", "list_assignment_rules")})

    @app.patch(f"{API}/assignment-rules/<rule_id>")
    def update_assignment_rule(rule_id):
        return record(call("leads", "update_assignment_rule", rule_id=rule_id, data=body()))

    @app.put(f"{API}/teams/<team>/members")
    def set_team_members(team):
        return jsonify(call("leads", "set_team_members", team=team, data=body()))

    @app.get(f"{API}/teams/<team>")
    def get_team(team):
        return jsonify(call("leads", "get_team", team=team))

    @app.get(f"{API}/scoring-model")
    def get_scoring_model():
        return jsonify(call("leads", "get_scoring_model"))

    @app.put(f"{API}/scoring-model")
    def set_scoring_model():
        return jsonify(call("leads", "set_scoring_model", data=body()))

    @app.post(f"{API}/organizations")
    def create_organization():
        organization = call("leads", "create_organization", data=body())
        return record(organization, 201, f"{API}/organizations/{organization['id']}")

    @app.get(f"{API}/organizations")
    def list_organizations():
        return jsonify(call("leads", "list_organizations", query=request.args.to_dict()))

    @app.get(f"{API}/organizations/<organization_id>")
    def get_organization(organization_id):
        return record(call("leads", "get_organization", organization_id=organization_id))

    @app.patch(f"{API}/organizations/<organization_id>")
    def update_organization(organization_id):
        return record(call("leads", "update_organization", organization_id=organization_id, data=body()))

    @app.post(f"{API}/organizations/<organization_id>/archive")
    def archive_organization(organization_id):
        return record(call("leads", "archive_organization", organization_id=organization_id))

    @app.get(f"{API}/organizations/<organization_id>/contacts")
    def organization_contacts(organization_id):
        return jsonify(call("leads", "organization_contacts", organization_id=organization_id,
                            query=request.args.to_dict()))

    @app.get(f"{API}/organizations/<organization_id>/leads")
    def organization_leads(organization_id):
        return jsonify(call("leads", "organization_leads", organization_id=organization_id,
                            query=request.args.to_dict()))

    @app.post(f"{API}/contacts")
    def create_contact():
        contact = call("leads", "create_contact", data=body())
        return record(contact, 201, f"{API}/contacts/{contact['id']}")

    @app.get(f"{API}/contacts")
    def list_contacts():
        return jsonify(call("leads", "list_contacts", query=request.args.to_dict()))

    @app.get(f"{API}/contacts/<contact_id>")
    def get_contact(contact_id):
        return record(call("leads", "get_contact", contact_id=contact_id))

    @app.patch(f"{API}/contacts/<contact_id>")
    def update_contact(contact_id):
        return record(call("leads", "update_contact", contact_id=contact_id, data=body()))

    @app.post(f"{API}/contacts/<contact_id>/archive")
    def archive_contact(contact_id):
        return record(call("leads", "archive_contact", contact_id=contact_id))

    # Pipelines, opportunities, the price book, quotes, reports
    @app.post(f"{API}/pipelines")
    def create_pipeline():
        pipeline = call("deals", "create_pipeline", data=body())
        return record(pipeline, 201, f"{API}/pipelines/{pipeline['id']}")

    @app.get(f"{API}/pipelines")
    def list_pipelines():
        return jsonify({"items": call("deals", "list_pipelines")})

    @app.get(f"{API}/pipelines/<pipeline_id>")
    def get_pipeline(pipeline_id):
        return record(call("deals", "get_pipeline", pipeline_id=pipeline_id))

    @app.patch(f"{API}/pipelines/<pipeline_id>")
    def update_pipeline(pipeline_id):
        return record(call("deals", "update_pipeline", pipeline_id=pipeline_id, data=body(),
                           expected_version=if_match()))

    @app.post(f"{API}/opportunities")
    def create_opportunity():
        opportunity = call("deals", "create_opportunity", data=body())
        return record(opportunity, 201, f"{API}/opportunities/{opportunity['id']}")

    @app.get(f"{API}/opportunities")
    def list_opportunities():
        return jsonify(call("deals", "list_opportunities", query=request.args.to_dict()))

    @app.get(f"{API}/opportunities/<opportunity_id>")
    def get_opportunity(opportunity_id):
        return record(call("deals", "get_opportunity", opportunity_id=opportunity_id))

    @app.patch(f"{API}/opportunities/<opportunity_id>")
    def update_opportunity(opportunity_id):
        return record(call("deals", "update_opportunity", opportunity_id=opportunity_id, data=body(),
                           expected_version=if_match()))

    @app.post(f"{API}/opportunities/<opportunity_id>/<any(move, win, lose, reopen):command>")
    def opportunity_command(opportunity_id, command):
        return record(call("deals", f"{command}_opportunity", opportunity_id=opportunity_id, data=body(),
                           expected_version=if_match()))

    @app.post(f"{API}/products")
    def create_product():
        product = call("deals", "create_product", data=body())
        return record(product, 201, f"{API}/products/{product['id']}")

    @app.get(f"{API}/products")
    def list_products():
        return jsonify(call("deals", "list_products", query=request.args.to_dict()))

    @app.get(f"{API}/products/<product_id>")
    def get_product(product_id):
        return record(call("deals", "get_product", product_id=product_id))

    @app.patch(f"{API}/products/<product_id>")
    def update_product(product_id):
        return record(call("deals", "update_product", product_id=product_id, data=body(),
                           expected_version=if_match()))

    @app.post(f"{API}/quotes")
    def create_quote():
        quote = call("deals", "create_quote", data=body())
        return record(quote, 201, f"{API}/quotes/{quote['id']}")

    @app.get(f"{API}/quotes")
    def list_quotes():
        return jsonify(call("deals", "list_quotes", query=request.args.to_dict()))

    @app.get(f"{API}/quotes/<quote_id>")
    def get_quote(quote_id):
        return record(call("deals", "get_quote", quote_id=quote_id))

    @app.patch(f"{API}/quotes/<quote_id>")
    def update_quote(quote_id):
        """A draft changes; a sent quote answers with its new revision (201)."""
        quote = call("deals", "update_quote", quote_id=quote_id, data=body(), expected_version=if_match())
        if quote["id"] != quote_id:
            return record(quote, 201, f"{API}/quotes/{quote['id']}")
        return record(quote)

    @app.get(f"{API}/quotes/<quote_id>/pdf")
    def quote_pdf(quote_id):
        document = call("deals", "quote_pdf", quote_id=quote_id)
        return Response(base64.b64decode(document["content"]), mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{document["filename"]}"'})

    @app.post(f"{API}/quotes/<quote_id>/send")
    def send_quote(quote_id):
        return record(call("deals", "send_quote", quote_id=quote_id, data=body()))

    @app.post(f"{API}/quotes/<quote_id>/accept")
    def accept_quote(quote_id):
        return record(call("deals", "accept_quote", quote_id=quote_id))

    @app.post(f"{API}/quotes/<quote_id>/reject")
    def reject_quote(quote_id):
        return record(call("deals", "reject_quote", quote_id=quote_id, data=body()))

    @app.get(f"{API}/reports/<any(pipeline, forecast, 'win-rate'):report>")
    def deals_report(report):
        return jsonify(call("deals", f"report_{report.replace('-', '_')}", query=request.args.to_dict()))

    # Orders, invoices, payments, credit notes
    @app.get(f"{API}/orders")
    def list_orders():
        return jsonify(call("billing", "list_orders", query=request.args.to_dict()))

    @app.get(f"{API}/orders/<order_id>")
    def get_order(order_id):
        return record(call("billing", "get_order", order_id=order_id))

    @app.patch(f"{API}/orders/<order_id>")
    def update_order(order_id):
        return record(call("billing", "update_order", order_id=order_id, data=body(), expected_version=if_match()))

    @app.post(f"{API}/orders/<order_id>/start-fulfilment")
    def start_order_fulfilment(order_id):
        return record(call("billing", "start_order_fulfilment", order_id=order_id, expected_version=if_match()))

    @app.post(f"{API}/orders/<order_id>/fulfil")
    def fulfil_order(order_id):
        return record(call("billing", "fulfil_order", order_id=order_id, expected_version=if_match()))

    @app.post(f"{API}/orders/<order_id>/cancel")
    def cancel_order(order_id):
        return record(call("billing", "cancel_order", order_id=order_id, data=body(), expected_version=if_match()))

    @app.get(f"{API}/invoices")
    def list_invoices():
        return jsonify(call("billing", "list_invoices", query=request.args.to_dict()))

    @app.get(f"{API}/invoices/<invoice_id>")
    def get_invoice(invoice_id):
        return record(call("billing", "get_invoice", invoice_id=invoice_id))

    @app.patch(f"{API}/invoices/<invoice_id>")
    def update_invoice(invoice_id):
        return record(call("billing", "update_invoice", invoice_id=invoice_id, data=body(),
                           expected_version=if_match()))

    @app.post(f"{API}/invoices/<invoice_id>/issue")
    def issue_invoice(invoice_id):
        return record(call("billing", "issue_invoice", invoice_id=invoice_id, expected_version=if_match()))

    @app.post(f"{API}/invoices/<invoice_id>/payments")
    def record_payment(invoice_id):
        return record(call("billing", "record_payment", invoice_id=invoice_id, data=body()), 201)

    @app.get(f"{API}/invoices/<invoice_id>/payments")
    def invoice_payments(invoice_id):
        return jsonify({"items": call("billing", "get_invoice", invoice_id=invoice_id)["payments"]})

    @app.post(f"{API}/invoices/<invoice_id>/credit-notes")
    def create_credit_note(invoice_id):
        note = call("billing", "create_credit_note", invoice_id=invoice_id, data=body())
        return record(note, 201, f"{API}/credit-notes/{note['id']}")

    @app.get(f"{API}/credit-notes")
    def list_credit_notes():
        return jsonify(call("billing", "list_credit_notes", query=request.args.to_dict()))

    @app.get(f"{API}/credit-notes/<credit_note_id>")
    def get_credit_note(credit_note_id):
        return record(call("billing", "get_credit_note", credit_note_id=credit_note_id))

    @app.get(f"{API}/reports/<any(receivables, 'billed-collected', dso):report>")
    def billing_report(report):
        return jsonify(call("billing", f"report_{report.replace('-', '_')}", query=request.args.to_dict()))

    return app
