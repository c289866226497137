"""The gateway's one core, under both REST and gRPC: who is calling, may they, how far
a sales rep reaches, the calls to the services, and the views composed of several.

A transport turns its request into a ``Call`` and a ``Result`` or ``ApiError`` back
into its own answer; everything an operation means happens here.
"""
from __future__ import annotations

import dataclasses
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from crmkit.context import CallContext
from crmkit.errors import IdempotencyKeyReused, ValidationFailed
from crmkit.exact_json import digest
from crmkit.funnel import COHORT
from crmkit.rpc_client import RemoteError, RpcClient, ServiceUnavailable
from crmkit.schemas import load
from crmkit.settings import DEFAULT_API_URL

from . import errors, eventtypes, schemas
from .arrivals import Arrivals
from .auth import SALES_REP, FailedAuthLimiter, Principal, RateLimiter, TokenStore
from .errors import ApiError
from .operations import BY_NAME, OWN_NEW, OWN_PARENT, OWN_RECORD, OWN_TEAM, TEAM_LIST, TEAM_RECORD, Operation

log = logging.getLogger(__name__)

API = "/api/v1"
# The records whose owner and team decide what a sales rep may do: how to read one.
RECORDS = {
    "lead": ("leads", "get_lead", "lead_id"),
    "opportunity": ("deals", "get_opportunity", "opportunity_id"),
    "quote": ("deals", "get_quote", "quote_id"),
    "order": ("billing", "get_order", "order_id"),
    "invoice": ("billing", "get_invoice", "invoice_id"),
    "credit_note": ("billing", "get_credit_note", "credit_note_id"),
}
# What a record belongs to on its way up to its deal: (the field naming it, its kind).
# A sales rep sees a record it does not own when it sees the one it belongs to.
PARENTS = {
    "quote": ("opportunity_id", "opportunity"),
    "order": ("opportunity_id", "opportunity"),
    "invoice": ("order_id", "order"),
    "credit_note": ("invoice_id", "invoice"),
}
# Lists of such records: a sales rep lists its own, or all of one parent it sees,
# named by this filter. (A list cannot ask the services who sees what, record by record.)
OWNED_LISTS = {
    "list_quotes": ("opportunity_id", "opportunity"),
    "list_orders": ("opportunity_id", "opportunity"),
    "list_invoices": ("opportunity_id", "opportunity"),
    "list_credit_notes": ("invoice_id", "invoice"),
}
# The story's parts and the operation that reads each one by one: a part is in the
# story only for a caller who may call that operation on it.
STORY_PARTS = {"lead": "get_lead", "organization": "get_organization", "contact": "get_contact",
               "quotes": "list_quotes", "orders": "list_orders", "invoices": "list_invoices",
               "payments": "invoice_payments"}
FUNNEL_SOURCES = {"leads": ("leads", "qualified"), "deals": ("opportunities", "quotes_sent", "won"),
                  "billing": ("invoiced", "paid")}
STORY_PAGE = 200
RATE_PLACES = Decimal("0.0001")


def one_page(items: list) -> dict:
    """A short list (pipelines, rules, payments) answers like every other list: one page."""
    return {"items": items, "next_cursor": None}


@dataclass
class Call:
    """One request, whichever transport it came by."""

    operation: Operation
    principal: Principal
    correlation_id: str
    # The W3C trace context: the client's traceparent, or one started for this request.
    traceparent: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: dict | None = None
    # The client's Idempotency-Key; a write without one gets one of ours, so that at
    # least a redelivered RPC (a service that died after its commit) is not done twice.
    idempotency_key: str | None = None
    expected_version: int | None = None
    # Prefer: wait=N, capped (gateway.arrivals): how long to wait for a record that is
    # being made from an event; None: answer at once.
    wait_seconds: float | None = None
    rpcs_made: int = 0
    own_key: str = field(default_factory=lambda: f"gateway:{uuid.uuid4()}")

    def context(self) -> CallContext:
        context = CallContext(correlation_id=self.correlation_id, actor=self.principal.user_id,
                              causation_id=f"api:{self.correlation_id}", traceparent=self.traceparent)
        if not self.operation.writes:
            return context
        # Each RPC of a write its own key, derived from the request's: a retried request
        # (a CSV import: many) replays every one of them, in the same order.
        self.rpcs_made += 1
        base = f"client:{self.idempotency_key}" if self.idempotency_key else self.own_key
        return dataclasses.replace(context, idempotency_key=f"{base}#{self.rpcs_made}")


@dataclass
class Result:
    data: Any
    status: int = 200
    location: str | None = None
    # Preference-Applied (RFC 7240): "wait=N" when the record waited for was there in time.
    preference_applied: str | None = None

    @property
    def etag(self) -> str | None:
        if isinstance(self.data, dict) and isinstance(self.data.get("version"), int):
            return f'"{self.data["version"]}"'
        return None


class Gateway:
    def __init__(self, client: RpcClient, tokens: TokenStore, limiter: RateLimiter, fan_out: int = 8,
                 failed_auth: FailedAuthLimiter | None = None, api_url: str = DEFAULT_API_URL):
        self.client = client
        self.api_url = api_url  # where the event types' schemas are served (CRM_API_URL)
        self.tokens = tokens
        self.limiter = limiter
        self.failed_auth = failed_auth or FailedAuthLimiter(0)
        self.pool = ThreadPoolExecutor(max_workers=fan_out, thread_name_prefix="compose")
        self.arrivals: Arrivals | None = None  # Prefer: wait=N is honoured when set (gateway.server sets it)

    # Who, may they, and how often
    def authenticate(self, authorization: str | None, client_address: str = "") -> Principal:
        """The principal of an ``Authorization: Bearer <token>`` value (HTTP header or
        gRPC metadata), within its rate limit; ``client_address`` (the remote address or
        gRPC peer) within its limit of failed attempts."""
        if not authorization:
            raise ApiError(401, "unauthenticated", "Send an API token: Authorization: Bearer <token>.")
        wait = self.failed_auth.take(client_address)
        if wait is not None:
            raise ApiError(429, "rate_limited", f"Too many failed authentications from this address; retry in "
                                                f"{int(wait)} s.", {"retry_after_seconds": int(wait)},
                           retry_after=int(wait))
        scheme, _, secret = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "unauthenticated", "The Authorization header takes the form 'Bearer <token>'.")
        try:
            principal = self.tokens.authenticate(secret.strip())
        except SQLAlchemyError:
            log.exception("the token database is not answering")
            self.failed_auth.give_back(client_address)
            raise ApiError(503, "service_unavailable", "Tokens cannot be checked just now; retry later.",
                           {"service": "gateway"}, retry_after=5) from None
        if principal is None:
            raise ApiError(401, "unauthenticated", "The API token is unknown or revoked.")
        self.failed_auth.give_back(client_address)
        wait = self.limiter.take(principal)
        if wait is not None:
            raise ApiError(429, "rate_limited", f"This token's rate limit is reached; retry in {int(wait)} s.",
                           {"retry_after_seconds": int(wait)}, retry_after=int(wait))
        return principal

    def execute(self, call: Call) -> Result:
        op = call.operation
        if call.wait_seconds and self.arrivals is not None and (op.waits_for or op.reads_one):
            with self.arrivals.place() as may_wait:
                if may_wait:
                    return self._write_then_wait(call) if op.waits_for else self._read_waiting(call)
        return self._execute(call)

    def _execute(self, call: Call) -> Result:
        self.authorize(call)
        op = call.operation
        try:
            result = getattr(self, f"_{op.handler}")(call) if op.handler else self._one_rpc(call)
        except ApiError as exc:
            if exc.code == "duplicate" and self._narrowed(call):
                self._withhold_duplicates(call, exc)
            raise
        if self._narrowed(call) and op.scope == TEAM_RECORD and self._checks_after(op):
            self._check_sees(call, op.record, result.data)
        return result

    # Prefer: wait=N (gateway.arrivals)
    def _read_waiting(self, call: Call) -> Result:
        """A record by its id that may not be there yet: wait for its event, then read it."""
        (record_id,) = call.params.values()
        with self.arrivals.watch(record_id) as arrived:
            try:
                return self._execute(call)
            except ApiError as exc:
                if exc.status != 404:
                    raise
            arrived.wait(call.wait_seconds)
        result = self._execute(call)  # 404 still: it did not come in time
        result.preference_applied = f"wait={call.wait_seconds:g}"
        return result

    def _write_then_wait(self, call: Call) -> Result:
        """The write, then up to the wait for the record another service makes from it;
        Preference-Applied says it is there (else the client reads it later)."""
        result = self._execute(call)
        field, read = call.operation.waits_for
        target = result.data.get(field) if isinstance(result.data, dict) else None
        if not target:
            return result
        op = BY_NAME[read]
        (param,) = op.path_params
        context = CallContext(correlation_id=call.correlation_id, actor=call.principal.user_id,
                              causation_id=f"api:{call.correlation_id}", traceparent=call.traceparent)

        def there() -> bool:
            try:
                self.client.call(op.service, op.rpc, context, **{param: target})
            except RemoteError as exc:
                error = errors.from_remote(exc)
                if error.status == 404:
                    return False
                raise error from None
            except ServiceUnavailable:
                return False
            return True

        with self.arrivals.watch(target) as arrived:
            landed = there()
            if not landed:
                arrived.wait(call.wait_seconds)
                landed = there()  # whatever ended the wait: the record decides
        if landed:
            result.preference_applied = f"wait={call.wait_seconds:g}"
        return result

    def authorize(self, call: Call) -> None:
        """May this principal do this, and with what narrowed (a sales rep's reach)?
        Streaming transports call it before they start; ``execute`` calls it itself."""
        op, principal = call.operation, call.principal
        if principal.role not in op.roles:
            raise ApiError(403, "forbidden", f"The role {principal.role} may not call {op.name}.",
                           {"role": principal.role, "operation": op.name})
        if self._narrowed(call):
            self._narrow_before(call)

    @staticmethod
    def _narrowed(call: Call) -> bool:
        return call.principal.role == SALES_REP and call.operation.scope is not None

    @staticmethod
    def _checks_after(op: Operation) -> bool:
        """A read that answers the record itself is checked on its answer, not read twice."""
        return op.handler is None and op.shape == "one"

    # One operation, one RPC
    def _one_rpc(self, call: Call) -> Result:
        op = call.operation
        kwargs: dict[str, Any] = dict(call.params)
        if op.body:
            kwargs[op.body_arg] = call.body or {}
        if op.query:
            kwargs["query"] = call.query
        if op.if_match:
            kwargs["expected_version"] = call.expected_version
        data = self.rpc(call, op.service, op.rpc, **kwargs)
        if op.shape == "list":
            return Result(one_page(data))
        if op.status == 201:
            return Result(data, 201, f"{API}{op.collection}/{data['id']}")
        if op.name == "update_quote" and data["id"] != call.params["quote_id"]:
            # A sent quote is never changed: the change made its next revision.
            return Result(data, 201, f"{API}/quotes/{data['id']}")
        return Result(data, op.status)

    def rpc(self, call: Call, service: str, method: str, **kwargs) -> Any:
        try:
            return self.client.call(service, method, call.context(), **kwargs)
        except RemoteError as exc:
            raise errors.from_remote(exc) from None
        except ServiceUnavailable as exc:
            log.warning("%s", exc)
            raise ApiError(503, "service_unavailable", f"The {service} service is not answering; retry later.",
                           {"service": service}) from None

    # What a sales rep may do: write what it owns, read what it sees (ROLES.md)
    def _narrow_before(self, call: Call) -> None:
        op, principal = call.operation, call.principal
        body = call.body if isinstance(call.body, dict) else {}  # otherwise the service names what is wrong
        if op.scope in (OWN_NEW, OWN_RECORD):
            self._check_keeps_hands(call, body)
        if op.scope == TEAM_LIST:
            self._narrow_list(call)
        elif op.scope == OWN_NEW:
            call.body = {**body, "owner_id": principal.user_id}
            if principal.team and body.get("team") is None:
                call.body["team"] = principal.team
        elif op.scope == OWN_PARENT:
            opportunity_id = body.get("opportunity_id")
            if isinstance(opportunity_id, str):
                opportunity = self._read_record(call, "opportunity", opportunity_id)
                if opportunity.get("owner_id") != principal.user_id:
                    raise self._not_yours(call, "A sales rep quotes only opportunities it owns.")
        elif op.scope == OWN_RECORD:
            self._check_owns(call, op.record, call.params[RECORDS[op.record][2]])
            if op.second_record and isinstance(body.get(op.second_record[0]), str):
                self._check_owns(call, op.second_record[1], body[op.second_record[0]])
        elif op.scope == OWN_TEAM and call.params["team"] != principal.team:
            raise self._not_yours(call, f"A sales rep sees its own team ({principal.team}) only.")
        elif op.scope == TEAM_RECORD and not self._checks_after(op):
            self._check_sees(call, op.record, self._read_record(call, op.record, call.params[RECORDS[op.record][2]]))

    def _check_owns(self, call: Call, kind: str, record_id: str) -> None:
        if self._read_record(call, kind, record_id).get("owner_id") != call.principal.user_id:
            raise self._not_yours(call, f"A sales rep changes only its own records; {kind} {record_id} is not its own.")

    def _check_keeps_hands(self, call: Call, body: dict) -> None:
        """A sales rep neither hands a record to another owner nor moves it to another team:
        that is an assignment, a manager's (POST /leads/{id}/assign, or PATCH by a manager).
        A new record may leave both out: they are the rep's own."""
        principal, creating = call.principal, call.operation.scope == OWN_NEW

        def keeps(field: str, mine: str | None) -> bool:
            return field not in body or body[field] == mine or (creating and body[field] is None)

        if not keeps("owner_id", principal.user_id):
            raise self._not_yours(call, "A sales rep keeps its records its own; a manager assigns them to others.")
        if not keeps("team", principal.team):
            raise self._not_yours(call, f"A sales rep keeps its records in its own team ({principal.team}); "
                                        "a manager moves them to another.")

    def _narrow_list(self, call: Call) -> None:
        principal, query, name = call.principal, call.query, call.operation.name
        if name in OWNED_LISTS:
            field, parent = OWNED_LISTS[name]
            if query.get(field):
                self._check_sees(call, parent, self._read_record(call, parent, str(query[field])))
            elif query.get("owner_id") not in (None, principal.user_id):
                raise self._not_yours(call, f"A sales rep lists its own records, or those of one {parent} it sees "
                                            f"({field}=...).")
            else:
                query["owner_id"] = principal.user_id
            return
        if query.get("team") not in (None, principal.team):
            raise self._not_yours(call, f"A sales rep sees its own team's records ({principal.team}).")
        query["team"] = principal.team

    def _sees(self, call: Call, kind: str, record: dict) -> bool:
        """The one rule of what a sales rep reads (ROLES.md): what it owns, its team's leads
        and opportunities, and everything that belongs to an opportunity it sees."""
        principal = call.principal
        if record.get("owner_id") == principal.user_id:
            return True
        if kind in PARENTS:
            field, parent = PARENTS[kind]
            return bool(record.get(field)) and self._sees(call, parent, self._read_record(call, parent, record[field]))
        return principal.team is not None and record.get("team") == principal.team

    def _check_sees(self, call: Call, kind: str, record: dict) -> None:
        if not self._sees(call, kind, record):
            raise self._not_yours(call, f"A sales rep sees what it owns and its team's deals; this {kind} is "
                                        "neither.")

    def _withhold_duplicates(self, call: Call, error: ApiError) -> None:
        """A sales rep learns that a lead it may not read exists, and nothing more."""
        matches = error.details.get("duplicates") or []
        shown = [match for match in matches if match.get("type") != "lead" or self._sees(call, "lead", match)]
        error.details = {**error.details, "duplicates": shown, "withheld": len(matches) - len(shown)}

    def _read_record(self, call: Call, kind: str, record_id: str) -> dict:
        service, method, arg = RECORDS[kind]
        read = dataclasses.replace(call, operation=dataclasses.replace(call.operation, method="GET"))
        return self.rpc(read, service, method, **{arg: record_id})

    @staticmethod
    def _not_yours(call: Call, message: str) -> ApiError:
        return ApiError(403, "forbidden", message, {"role": call.principal.role, "operation": call.operation.name})

    # Compositions
    def _opportunity_story(self, call: Call) -> Result:
        """Everything about one deal in two rounds: the opportunity, then the other six
        reads at once. A part whose service does not answer is left empty and named in
        ``incomplete``; a part the caller may not read one by one (STORY_PARTS) is left
        empty and named in ``withheld``."""
        opportunity = self._read_record(call, "opportunity", call.params["opportunity_id"])
        incomplete: list[dict] = []
        withheld = [name for name, op in STORY_PARTS.items() if call.principal.role not in BY_NAME[op].roles]

        def part(name: str, service: str, method: str, empty, **kwargs):
            if name in withheld:
                return None

            def read():
                try:
                    return self.rpc(dataclasses.replace(call), service, method, **kwargs)
                except ApiError as exc:
                    if exc.status not in (404, 503):
                        raise
                    incomplete.append({"part": name, "reason": exc.code})
                    return empty
            return self.pool.submit(read)

        def optional(name, service, method, key, arg):
            return part(name, service, method, None, **{arg: opportunity[key]}) if opportunity.get(key) else None

        def listed(name, service, method):
            return part(name, service, method, {"items": []},
                        query={"opportunity_id": opportunity["id"], "limit": STORY_PAGE, "sort": "created_at"})

        def answer(future, empty=None):
            return future.result() if future else empty

        lead = optional("lead", "leads", "get_lead", "lead_id", "lead_id")
        organization = optional("organization", "leads", "get_organization", "organization_id", "organization_id")
        contact = optional("contact", "leads", "get_contact", "contact_id", "contact_id")
        quotes, orders = listed("quotes", "deals", "list_quotes"), listed("orders", "billing", "list_orders")
        invoices = answer(listed("invoices", "billing", "list_invoices"), {"items": []})["items"]
        lead = answer(lead)
        if lead and self._narrowed(call) and not self._sees(call, "lead", lead):
            lead = None  # a lead of another team turned into this team's deal
            withheld.append("lead")
        # Whoever sees the deal sees its quotes, orders and invoices (Gateway._sees).
        story = {
            "opportunity": opportunity,
            "lead": lead,
            "organization": answer(organization),
            "contact": answer(contact),
            "stage_history": opportunity.get("history", []),
            "quotes": answer(quotes, {"items": []})["items"],
            "orders": answer(orders, {"items": []})["items"],
            "invoices": invoices,
            "payments": [] if "payments" in withheld else
            [payment for invoice in invoices for payment in invoice.get("payments", [])],
            "incomplete": incomplete,
            "withheld": sorted(withheld),
        }
        return Result(story)

    def _report_funnel(self, call: Call) -> Result:
        q = _load(schemas.FunnelQuery(), call.query)
        query = {"from": q["date_from"].isoformat(), "to": q["date_to"].isoformat(), "view": q["view"],
                 "group_by": q["group_by"]}
        answers = {service: self.pool.submit(self.rpc, dataclasses.replace(call), service, "report_funnel",
                                             query=query)
                   for service in FUNNEL_SOURCES}
        answers = {service: answer.result() for service, answer in answers.items()}
        counts: dict[str, int] = {}
        by_source: dict[str | None, dict[str, int]] = {}
        for service, steps in FUNNEL_SOURCES.items():
            counts.update({step: int(answers[service]["steps"][step]) for step in steps})
            for row in answers[service]["by_source"] or []:
                by_source.setdefault(row["source"], {}).update({step: int(row["steps"][step]) for step in steps})
        funnel = {**query, **_funnel_steps(counts), "by_source": None, "unattributed": None}
        if q["group_by"] == "source":
            funnel["by_source"] = [{"source": source, **_funnel_steps(by_source[source])}
                                   for source in sorted(by_source, key=lambda source: (source is None, source or ""))]
        if q["view"] == COHORT:
            funnel["unattributed"] = {"opportunities": answers["deals"]["unattributed"],
                                      "orders": answers["billing"]["unattributed"]}
        return Result(funnel)

    def _invoice_payments(self, call: Call) -> Result:
        invoice = self.rpc(call, "billing", "get_invoice", invoice_id=call.params["invoice_id"])
        return Result(one_page(invoice["payments"]))

    # API tokens
    def _create_token(self, call: Call) -> Result:
        """A retry with the same Idempotency-Key answers the same token, with ``token``
        null: the secret was shown once and only its hash is kept."""
        data = _load(schemas.TokenIn(), call.body or {})
        key = None
        if call.idempotency_key:  # scoped to the caller, as the services scope theirs
            key = f"{call.principal.user_id}:{call.idempotency_key}"
        try:
            secret, record = self.tokens.create(
                created_by=call.principal.user_id, idempotency_key=key,
                request_fingerprint=digest(call.body or {}), **data)
        except IdempotencyKeyReused:
            reused = IdempotencyKeyReused(call.idempotency_key)
            raise ApiError(422, "idempotency_key_reused", reused.message, reused.details) from None
        if secret is not None:
            log.info("token %s (%s) made by %s", record["id"], record["role"], call.principal.user_id)
        return Result({**record, "token": secret}, 201, f"{API}/tokens/{record['id']}")

    def _create_subscription(self, call: Call) -> Result:
        """The subscription remembers its owner's role: it only ever gets the events that
        role may read (subscriptions.visible_to)."""
        data = self.rpc(call, "subscriptions", "create_subscription", data=call.body or {},
                        owner_role=call.principal.role, owner_id=call.principal.user_id)
        return Result(data, 201, f"{API}/subscriptions/{data['id']}")

    def _list_event_types(self, call: Call) -> Result:
        return Result(one_page(eventtypes.listed(self.api_url)))

    def _list_tokens(self, call: Call) -> Result:
        return Result(one_page(self.tokens.list_tokens()))

    def _revoke_token(self, call: Call) -> Result:
        record = self.tokens.revoke(call.params["token_id"])
        if record is None:
            raise ApiError(404, "not_found", f"No token {call.params['token_id']}.")
        log.info("token %s revoked by %s", record["id"], call.principal.user_id)
        return Result(record)


def _load(schema, data: dict) -> dict:
    """The gateway's own input, checked as the services check theirs."""
    try:
        return load(schema, data)
    except ValidationFailed as exc:
        raise errors.invalid(exc.details) from None


def _funnel_steps(counts: dict[str, int]) -> dict:
    """The funnel's steps in order with the conversion between each and the one before
    (a step no service counted, e.g. for a source only some have, is 0)."""
    names = schemas.FUNNEL_STEPS
    steps = [{"step": name, "count": counts.get(name, 0),
              "conversion_from_previous": _rate(counts.get(name, 0), counts.get(names[i - 1], 0)) if i else None}
             for i, name in enumerate(names)]
    return {"steps": steps, "conversion_overall": _rate(counts.get(names[-1], 0), counts.get(names[0], 0))}


def _rate(part: int, whole: int) -> str | None:
    """part / whole to 4 places, as text; None when there is no whole to divide."""
    return str((Decimal(part) / whole).quantize(RATE_PLACES)) if whole else None
