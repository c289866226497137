"""Every operation of the API, once: its REST route, the service call behind it, its
schemas (by name, in the service's schemas or reports module), who may call it, and
how a sales rep's reach is narrowed. REST, gRPC, the OpenAPI document, the protos and
the roles table in ROLES.md are all made from this list.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .auth import ADMIN, BILLING, INTEGRATION, MANAGER, ROLES, SALES_REP

EVERYONE = frozenset(ROLES)
ADMINS = frozenset({ADMIN})
MANAGERS = frozenset({ADMIN, MANAGER})
SALES = frozenset({ADMIN, MANAGER, SALES_REP})
SALES_READERS = SALES | {INTEGRATION}
BILLERS = frozenset({ADMIN, BILLING})
BILLING_READERS = frozenset({ADMIN, MANAGER, BILLING, INTEGRATION})
# A sales rep reads the orders, invoices and credit notes of the deals it sees (core.Gateway._sees).
BILLING_RECORD_READERS = BILLING_READERS | {SALES_REP}
FUNNEL_READERS = frozenset({ADMIN, MANAGER, INTEGRATION})
# Who subscribes to events (issue 12): the catalogue is for those who may read them all.
EVENT_READERS = frozenset({ADMIN, INTEGRATION})

# How far a sales rep reaches (other roles are not narrowed):
OWN_RECORD = "own_record"        # writes a record only when it is its owner
TEAM_RECORD = "team_record"      # reads a record of its team, or its own
TEAM_LIST = "team_list"          # a list or report is narrowed to its team (quotes, orders, invoices,
                                 # credit notes: its own, or those of a deal it sees)
OWN_NEW = "own_new"              # a new record is its own (owner_id defaults to it)
OWN_PARENT = "own_parent"        # a new quote belongs to an opportunity it owns
OWN_TEAM = "own_team"            # a team in the path is its own team


@dataclass(frozen=True)
class Operation:
    name: str                      # operationId; the gRPC method is its CamelCase
    area: str                      # leads | deals | billing | gateway: the tag and proto package
    method: str
    path: str                      # under /api/v1, {param} style
    roles: frozenset[str]
    service: str | None = None     # None: the gateway answers it itself (handler)
    rpc: str | None = None
    body: str | None = None        # request schema (a PATCH's is loaded partial: only the fields given change)
    body_arg: str = "data"         # the RPC's keyword for the body
    query: str | None = None       # query-string schema (lists, reports)
    out: str | None = None         # response schema
    shape: str = "one"             # one | page | list | pdf | csv | none
    status: int = 200
    if_match: bool = False         # takes If-Match (expected_version)
    scope: str | None = None       # see above
    record: str | None = None      # the kind whose ownership a scope checks
    # (body field, kind) of a second record the command changes: a sales rep must own it too.
    second_record: tuple[str, str] | None = None
    handler: str | None = None     # a gateway composition instead of one RPC
    created_in: str | None = None  # where a 201's record lives (Location: <created_in>/{id}); None: this path
    # (answer field, read operation): the record another service makes from this write's
    # event, which ``Prefer: wait=N`` waits for (gateway.arrivals).
    waits_for: tuple[str, str] | None = None
    summary: str = ""

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def writes(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")

    @property
    def reads_one(self) -> bool:
        """A record by its id: ``Prefer: wait=N`` waits for one not made yet."""
        return self.method == "GET" and self.shape == "one" and self.handler is None and len(self.path_params) == 1

    @property
    def collection(self) -> str:
        """The path of the record a 201 answers, without its id."""
        return self.created_in or self.path

    @property
    def grpc_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))


def _op(name, area, method, path, roles, service=None, **kw) -> Operation:
    if service and "rpc" not in kw and "handler" not in kw:
        kw["rpc"] = name
    return Operation(name=name, area=area, method=method, path=path, roles=roles, service=service, **kw)


def _leads(name, method, path, roles, **kw):
    return _op(name, "leads", method, path, roles, "leads", **kw)


def _deals(name, method, path, roles, **kw):
    return _op(name, "deals", method, path, roles, "deals", **kw)


def _billing(name, method, path, roles, **kw):
    return _op(name, "billing", method, path, roles, "billing", **kw)


def _subscriptions(name, method, path, **kw):
    return _op(name, "subscriptions", method, path, EVENT_READERS, "subscriptions", **kw)


LEAD = dict(record="lead", out="LeadOut")
OPPORTUNITY = dict(record="opportunity", out="OpportunityOut")
QUOTE = dict(record="quote", out="QuoteOut")
SUBSCRIPTION = dict(out="SubscriptionOut")

OPERATIONS: list[Operation] = [
    # Leads
    _leads("create_lead", "POST", "/leads", SALES, body="LeadCreate", out="LeadOut", status=201, scope=OWN_NEW,
           summary="Create a lead (duplicates are refused unless allow_duplicate)"),
    _leads("list_leads", "GET", "/leads", SALES_READERS, query="LeadListQuery", out="LeadOut", shape="page",
           scope=TEAM_LIST, summary="List leads"),
    _leads("import_leads", "POST", "/leads/import", MANAGERS, handler="import_leads", query="ImportQuery",
           out="ImportReportOut",
           summary="Import leads from CSV (text/csv body or multipart field 'file')"),
    _leads("export_leads", "GET", "/leads/export", MANAGERS, handler="export_leads", query="LeadListQuery",
           shape="csv", summary="Export leads as CSV"),
    _leads("get_lead", "GET", "/leads/{lead_id}", SALES_READERS, scope=TEAM_RECORD, **LEAD, summary="Get a lead"),
    _leads("update_lead", "PATCH", "/leads/{lead_id}", SALES, body="LeadUpdate", scope=OWN_RECORD, **LEAD,
           if_match=True, summary="Change a lead"),
    _leads("merge_leads", "POST", "/leads/{lead_id}/merge", SALES, body="Merge", scope=OWN_RECORD, **LEAD,
           second_record=("other_id", "lead"), if_match=True, summary="Merge another lead into this one"),
    _leads("contact_lead", "POST", "/leads/{lead_id}/contact", SALES, scope=OWN_RECORD, **LEAD,
           if_match=True, summary="Mark a lead contacted"),
    _leads("qualify_lead", "POST", "/leads/{lead_id}/qualify", SALES, scope=OWN_RECORD, **LEAD,
           if_match=True, summary="Qualify a lead"),
    _leads("disqualify_lead", "POST", "/leads/{lead_id}/disqualify", SALES, body="Disqualify", scope=OWN_RECORD,
           **LEAD, if_match=True, summary="Disqualify a lead (a reason is required)"),
    _leads("recycle_lead", "POST", "/leads/{lead_id}/recycle", SALES, scope=OWN_RECORD, **LEAD,
           if_match=True, summary="Return a disqualified lead to new"),
    _leads("convert_lead", "POST", "/leads/{lead_id}/convert", SALES, body="ConvertRequest", body_arg="options",
           if_match=True, scope=OWN_RECORD, **LEAD, waits_for=("converted_opportunity_id", "get_opportunity"),
           summary="Convert a qualified lead into organization, contact and opportunity"),
    _leads("assign_lead", "POST", "/leads/{lead_id}/assign", MANAGERS, body="Assign", **LEAD,
           if_match=True, summary="Assign a lead to an owner, or by the rules"),
    _leads("lead_assignments", "GET", "/leads/{lead_id}/assignments", SALES_READERS, out="LeadAssignmentOut",
           shape="list", scope=TEAM_RECORD, record="lead", summary="A lead's assignment history"),
    _leads("create_assignment_rule", "POST", "/assignment-rules", MANAGERS, body="AssignmentRuleIn",
           out="AssignmentRuleOut", status=201, summary="Create an assignment rule"),
    _leads("list_assignment_rules", "GET", "/assignment-rules", SALES_READERS, out="AssignmentRuleOut",
           shape="list", summary="List the assignment rules in order"),
    _leads("update_assignment_rule", "PATCH", "/assignment-rules/{rule_id}", MANAGERS, body="AssignmentRuleIn",
           out="AssignmentRuleOut", if_match=True, summary="Change an assignment rule"),
    _leads("set_team_members", "PUT", "/teams/{team}/members", MANAGERS, body="TeamMembers", out="TeamOut",
           summary="Set who takes a team's leads"),
    _leads("get_team", "GET", "/teams/{team}", SALES_READERS, out="TeamOut", scope=OWN_TEAM,
           summary="A team and its members"),
    _leads("get_scoring_model", "GET", "/scoring-model", SALES_READERS, out="ScoringModelOut",
           summary="The lead scoring model"),
    _leads("set_scoring_model", "PUT", "/scoring-model", MANAGERS, body="Model", out="ScoringModelOut",
           summary="Replace the lead scoring model"),
    # Organizations and contacts: the customers everyone works with
    _leads("create_organization", "POST", "/organizations", SALES, body="OrganizationIn", out="OrganizationOut",
           status=201, summary="Create an organization"),
    _leads("list_organizations", "GET", "/organizations", EVERYONE, query="OrganizationListQuery",
           out="OrganizationOut", shape="page", summary="List organizations"),
    _leads("get_organization", "GET", "/organizations/{organization_id}", EVERYONE, out="OrganizationOut",
           summary="Get an organization"),
    _leads("update_organization", "PATCH", "/organizations/{organization_id}", SALES | {BILLING},
           body="OrganizationIn", out="OrganizationOut", if_match=True, summary="Change an organization"),
    _leads("archive_organization", "POST", "/organizations/{organization_id}/archive", MANAGERS,
           out="OrganizationOut", if_match=True, summary="Archive an organization"),
    _leads("organization_contacts", "GET", "/organizations/{organization_id}/contacts", EVERYONE,
           query="OrganizationContactsQuery", out="ContactOut", shape="page", summary="An organization's contacts"),
    _leads("organization_leads", "GET", "/organizations/{organization_id}/leads", SALES_READERS,
           query="LeadListQuery", out="LeadOut", shape="page", scope=TEAM_LIST, summary="An organization's leads"),
    _leads("create_contact", "POST", "/contacts", SALES, body="ContactIn", out="ContactOut", status=201,
           summary="Create a contact"),
    _leads("list_contacts", "GET", "/contacts", EVERYONE, query="ContactListQuery", out="ContactOut",
           shape="page", summary="List contacts"),
    _leads("get_contact", "GET", "/contacts/{contact_id}", EVERYONE, out="ContactOut", summary="Get a contact"),
    _leads("update_contact", "PATCH", "/contacts/{contact_id}", SALES | {BILLING}, body="ContactUpdate",
           out="ContactOut", if_match=True, summary="Change a contact"),
    _leads("archive_contact", "POST", "/contacts/{contact_id}/archive", MANAGERS, out="ContactOut",
           if_match=True, summary="Archive a contact"),
    # Pipelines and opportunities
    _deals("create_pipeline", "POST", "/pipelines", MANAGERS, body="PipelineIn", out="PipelineOut", status=201,
           summary="Create a pipeline"),
    _deals("list_pipelines", "GET", "/pipelines", EVERYONE, out="PipelineOut", shape="list",
           summary="List pipelines"),
    _deals("get_pipeline", "GET", "/pipelines/{pipeline_id}", EVERYONE, out="PipelineOut",
           summary="Get a pipeline"),
    _deals("update_pipeline", "PATCH", "/pipelines/{pipeline_id}", MANAGERS, body="PipelineIn",
           out="PipelineOut", if_match=True, summary="Change a pipeline's name or stages"),
    _deals("create_opportunity", "POST", "/opportunities", SALES, body="OpportunityCreate", out="OpportunityOut",
           status=201, scope=OWN_NEW, summary="Create an opportunity"),
    _deals("list_opportunities", "GET", "/opportunities", EVERYONE, query="OpportunityListQuery",
           out="OpportunityOut", shape="page", scope=TEAM_LIST, summary="List opportunities"),
    _deals("get_opportunity", "GET", "/opportunities/{opportunity_id}", EVERYONE, scope=TEAM_RECORD,
           **OPPORTUNITY, summary="Get an opportunity with its stage history"),
    _deals("update_opportunity", "PATCH", "/opportunities/{opportunity_id}", SALES, body="OpportunityFields",
           if_match=True, scope=OWN_RECORD, **OPPORTUNITY, summary="Change an open opportunity"),
    _deals("move_opportunity", "POST", "/opportunities/{opportunity_id}/move", SALES, body="StageMove",
           if_match=True, scope=OWN_RECORD, **OPPORTUNITY, summary="Move an opportunity to a stage"),
    _deals("win_opportunity", "POST", "/opportunities/{opportunity_id}/win", SALES, body="Win", if_match=True,
           scope=OWN_RECORD, **OPPORTUNITY, summary="Mark an opportunity won"),
    _deals("lose_opportunity", "POST", "/opportunities/{opportunity_id}/lose", SALES, body="Lose", if_match=True,
           scope=OWN_RECORD, **OPPORTUNITY, summary="Mark an opportunity lost (a reason is required)"),
    _deals("reopen_opportunity", "POST", "/opportunities/{opportunity_id}/reopen", MANAGERS, body="Reopen",
           if_match=True, **OPPORTUNITY, summary="Reopen a won or lost opportunity"),
    _op("opportunity_story", "deals", "GET", "/opportunities/{opportunity_id}/story", EVERYONE,
        handler="opportunity_story", out="StoryOut", scope=TEAM_RECORD, record="opportunity",
        summary="The deal's whole story: lead, customer, stage history, quotes, order, invoices, payments"),
    # The price book
    _deals("create_product", "POST", "/products", MANAGERS, body="ProductCreate", out="ProductOut", status=201,
           summary="Add a product to the price book"),
    _deals("list_products", "GET", "/products", EVERYONE, query="ProductListQuery", out="ProductOut",
           shape="page", summary="List products"),
    _deals("get_product", "GET", "/products/{product_id}", EVERYONE, out="ProductOut", summary="Get a product"),
    _deals("update_product", "PATCH", "/products/{product_id}", MANAGERS, body="ProductFields", out="ProductOut",
           if_match=True, summary="Change a product"),
    # Quotes
    _deals("create_quote", "POST", "/quotes", SALES, body="QuoteCreate", status=201, scope=OWN_PARENT, **QUOTE,
           summary="Create a quote for an opportunity"),
    _deals("list_quotes", "GET", "/quotes", EVERYONE, query="QuoteListQuery", out="QuoteOut", shape="page",
           scope=TEAM_LIST, summary="List quotes"),
    _deals("get_quote", "GET", "/quotes/{quote_id}", EVERYONE, scope=TEAM_RECORD, **QUOTE, summary="Get a quote"),
    _deals("update_quote", "PATCH", "/quotes/{quote_id}", SALES, body="QuoteFields", if_match=True,
           scope=OWN_RECORD, **QUOTE,
           summary="Change a draft; changing a sent quote answers 201 with its next revision"),
    _deals("quote_pdf", "GET", "/quotes/{quote_id}/pdf", EVERYONE, shape="pdf", scope=TEAM_RECORD, record="quote",
           summary="The quote as PDF"),
    _deals("send_quote", "POST", "/quotes/{quote_id}/send", SALES, body="QuoteSend", scope=OWN_RECORD, **QUOTE,
           if_match=True, summary="Send a quote (sets valid_until)"),
    _deals("accept_quote", "POST", "/quotes/{quote_id}/accept", SALES, scope=OWN_RECORD, **QUOTE,
           if_match=True, waits_for=("order_id", "get_order"),
           summary="Accept a sent quote: wins the deal and makes the order"),
    _deals("reject_quote", "POST", "/quotes/{quote_id}/reject", SALES, body="QuoteReject", scope=OWN_RECORD,
           **QUOTE, if_match=True, summary="Reject a sent quote (a reason is required)"),
    # Sales reports
    _deals("report_pipeline", "GET", "/reports/pipeline", SALES_READERS, query="PipelineQuery",
           out="PipelineReportOut", scope=TEAM_LIST, summary="Open deals by stage"),
    _deals("report_forecast", "GET", "/reports/forecast", SALES_READERS, query="ForecastQuery",
           out="ForecastReportOut", scope=TEAM_LIST, summary="Forecast by month and category"),
    _deals("report_win_rate", "GET", "/reports/win-rate", SALES_READERS, query="WinRateQuery",
           out="WinRateReportOut", scope=TEAM_LIST, summary="Win rate, deal size and sales cycle"),
    _op("report_funnel", "deals", "GET", "/reports/funnel", FUNNEL_READERS, handler="report_funnel",
        query="FunnelQuery", out="FunnelOut",
        summary="Leads to paid invoices over a date range, with the conversion between steps"),
    # Orders, invoices, payments, credit notes
    _billing("list_orders", "GET", "/orders", BILLING_RECORD_READERS, query="OrderListQuery", out="OrderOut",
             shape="page", scope=TEAM_LIST, summary="List orders"),
    _billing("get_order", "GET", "/orders/{order_id}", BILLING_RECORD_READERS, out="OrderOut", scope=TEAM_RECORD,
             record="order", summary="Get an order"),
    _billing("update_order", "PATCH", "/orders/{order_id}", BILLERS, body="OrderUpdate", out="OrderOut",
             if_match=True, summary="Change an order's shipping address, delivery terms or notes"),
    _billing("start_order_fulfilment", "POST", "/orders/{order_id}/start-fulfilment", BILLERS, out="OrderOut",
             if_match=True, summary="Start fulfilling an order"),
    _billing("fulfil_order", "POST", "/orders/{order_id}/fulfil", BILLERS, out="OrderOut", if_match=True,
             summary="Mark an order fulfilled"),
    _billing("cancel_order", "POST", "/orders/{order_id}/cancel", BILLERS, body="OrderCancel", out="OrderOut",
             if_match=True, summary="Cancel an order (a reason is required)"),
    _billing("list_invoices", "GET", "/invoices", BILLING_RECORD_READERS, query="InvoiceListQuery",
             out="InvoiceOut", shape="page", scope=TEAM_LIST, summary="List invoices"),
    _billing("get_invoice", "GET", "/invoices/{invoice_id}", BILLING_RECORD_READERS, out="InvoiceOut",
             scope=TEAM_RECORD, record="invoice", summary="Get an invoice with its payments"),
    _billing("update_invoice", "PATCH", "/invoices/{invoice_id}", BILLERS, body="InvoiceUpdate", out="InvoiceOut",
             if_match=True, summary="Change a draft invoice"),
    _billing("issue_invoice", "POST", "/invoices/{invoice_id}/issue", BILLERS, out="InvoiceOut", if_match=True,
             summary="Issue a draft invoice (numbers and dates it)"),
    _billing("record_payment", "POST", "/invoices/{invoice_id}/payments", BILLERS, body="PaymentIn",
             out="InvoiceOut", status=201, if_match=True, created_in="/invoices",
             summary="Record a payment against an invoice (answers the invoice)"),
    _billing("invoice_payments", "GET", "/invoices/{invoice_id}/payments", BILLING_RECORD_READERS,
             handler="invoice_payments", out="PaymentOut", shape="list", scope=TEAM_RECORD, record="invoice",
             summary="An invoice's payments"),
    _billing("create_credit_note", "POST", "/invoices/{invoice_id}/credit-notes", BILLERS, body="CreditNoteIn",
             out="CreditNoteOut", status=201, if_match=True, created_in="/credit-notes",
             summary="Credit an issued invoice, in part or in full"),
    _billing("list_credit_notes", "GET", "/credit-notes", BILLING_RECORD_READERS, query="CreditNoteListQuery",
             out="CreditNoteOut", shape="page", scope=TEAM_LIST, summary="List credit notes"),
    _billing("get_credit_note", "GET", "/credit-notes/{credit_note_id}", BILLING_RECORD_READERS,
             out="CreditNoteOut", scope=TEAM_RECORD, record="credit_note", summary="Get a credit note"),
    _billing("report_receivables", "GET", "/reports/receivables", BILLING_READERS, query="ReceivablesQuery",
             out="ReceivablesReportOut", summary="Receivables by age"),
    _billing("report_billed_collected", "GET", "/reports/billed-collected", BILLING_READERS,
             query="BilledCollectedQuery", out="BilledCollectedReportOut", summary="Billed and collected by month"),
    _billing("report_dso", "GET", "/reports/dso", BILLING_READERS, query="DsoQuery", out="DsoReportOut",
             summary="Days sales outstanding"),
    # Subscriptions to the events, and their webhooks (services/subscriptions)
    _op("create_subscription", "subscriptions", "POST", "/subscriptions", EVENT_READERS, "subscriptions",
        handler="create_subscription", body="SubscriptionIn", out="NewSubscriptionOut", status=201,
        summary="Subscribe to event types by webhook, stream or queue (a webhook's signing secret or a queue's "
                "password is shown only in this answer)"),
    _subscriptions("list_subscriptions", "GET", "/subscriptions", query="SubscriptionListQuery",
                   out="SubscriptionOut", shape="page", summary="List the subscriptions"),
    _subscriptions("get_subscription", "GET", "/subscriptions/{subscription_id}", **SUBSCRIPTION,
                   summary="A subscription with its position, lag, last error and counts"),
    _subscriptions("update_subscription", "PATCH", "/subscriptions/{subscription_id}", body="SubscriptionUpdate",
                   if_match=True, **SUBSCRIPTION, summary="Change a subscription's types, filters or URL"),
    _subscriptions("pause_subscription", "POST", "/subscriptions/{subscription_id}/pause", if_match=True,
                   **SUBSCRIPTION, summary="Pause deliveries (the position is kept)"),
    _subscriptions("resume_subscription", "POST", "/subscriptions/{subscription_id}/resume", if_match=True,
                   **SUBSCRIPTION, summary="Resume a paused or disabled subscription where it stopped"),
    _subscriptions("delete_subscription", "DELETE", "/subscriptions/{subscription_id}", if_match=True,
                   **SUBSCRIPTION, summary="Delete a subscription with its delivery log and dead letters"),
    _subscriptions("rotate_subscription_secret", "POST", "/subscriptions/{subscription_id}/rotate-secret",
                   if_match=True, out="NewSubscriptionOut",
                   summary="A new webhook signing secret (shown only in this answer; the old one signs too for "
                           "CRM_WEBHOOKS_SECRET_OVERLAP_SECONDS) or a new queue password (the old one ends now)"),
    _subscriptions("replay_subscription", "POST", "/subscriptions/{subscription_id}/replay", body="Replay",
                   if_match=True, **SUBSCRIPTION,
                   summary="Deliver again from a position (after) or a time (from_time)"),
    _subscriptions("subscription_deliveries", "GET", "/subscriptions/{subscription_id}/deliveries",
                   query="DeliveryListQuery", out="DeliveryOut", shape="page",
                   summary="The delivery log: every attempt, its status, HTTP status and latency"),
    _subscriptions("subscription_dead_letters", "GET", "/subscriptions/{subscription_id}/dead-letters",
                   query="DeadLetterListQuery", out="DeadLetterOut", shape="page",
                   summary="The events whose retries ran out"),
    _subscriptions("redeliver_dead_letter", "POST",
                   "/subscriptions/{subscription_id}/dead-letters/{dead_letter_id}/redeliver", out="DeadLetterOut",
                   summary="Send a dead letter again (once, out of order)"),
    # API tokens
    _op("list_event_types", "gateway", "GET", "/event-types", EVENT_READERS, handler="list_event_types",
        out="EventTypeOut", shape="list",
        summary="The event types the services publish, each with the URL of its JSON Schema"),
    _op("create_token", "gateway", "POST", "/tokens", ADMINS, handler="create_token", body="TokenIn",
        out="NewTokenOut", status=201, summary="Make an API token (its secret is shown only in this answer)"),
    _op("list_tokens", "gateway", "GET", "/tokens", ADMINS, handler="list_tokens", out="TokenOut", shape="list",
        summary="List the API tokens that are not revoked"),
    _op("revoke_token", "gateway", "DELETE", "/tokens/{token_id}", ADMINS, handler="revoke_token", out="TokenOut",
        summary="Revoke an API token"),
]



def _history_of(read: Operation) -> Operation:
    """``GET <record>/history`` beside ``GET <record>``: whoever may read the record may
    read its history, as far (the same roles and scope), a page at a time (crmkit.history)."""
    kind = read.name.removeprefix("get_")
    return dataclasses.replace(
        read, name=f"{kind}_history", rpc=f"{kind}_history", path=f"{read.path}/history", query="HistoryQuery",
        out="RecordChangeOut", shape="page",
        summary=f"Who changed the {kind.replace('_', ' ')}, when, why and how: each version's fields before "
                "and after, newest first (sort=at: oldest first)")


# Every record a user reads by its id has a history.
OPERATIONS += [_history_of(op) for op in list(OPERATIONS) if op.name in (
    "get_lead", "get_organization", "get_contact", "get_pipeline", "get_opportunity", "get_product", "get_quote",
    "get_order", "get_invoice", "get_credit_note")]

BY_NAME = {op.name: op for op in OPERATIONS}
assert len(BY_NAME) == len(OPERATIONS), "operation names must be unique"
