"""If-Match on every write on an existing record, through the gateway against the whole
stack: a write based on a version that is no longer the record's is refused (412
stale_version) and changes nothing, the current version lets it through, and a retry
with the same Idempotency-Key still answers what the first one did."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import requests

from events import query
from flow import LINES, Api, a_lead
from gateway.operations import OPERATIONS

# Writes on a record in the path that do not take If-Match: a team is not a versioned
# record (its members are replaced whole), nor is an API token, nor a dead letter (a
# second redelivery of one already on its way is a 409 of its own).
WITHOUT_IF_MATCH = {"set_team_members", "revoke_token", "redeliver_dead_letter"}


@dataclass
class Target:
    """A record in a state the write allows, and a change that moves it past the version
    read without taking that state away."""

    entity: str                   # as StaleVersion names it
    service: str                  # whose outbox records the events
    read: str                     # the record in the path (its ETag)
    write: str                    # the path of the write
    bump: Callable[[], object]
    body: dict | None = None
    status: int = 200
    also: tuple[str, ...] = ()    # other records the write would change
    method: str = "POST"
    moving: tuple[str, ...] = ()  # fields that move by themselves (a subscription's lag)
    subjects: list[str] = field(init=False)

    def __post_init__(self):
        self.subjects = [path.rsplit("/", 1)[1] for path in (self.read, *self.also)]


def _n() -> str:
    return uuid.uuid4().hex[:8]


# Leads, organizations, contacts, rules
def _lead(api: Api, *commands: str) -> str:
    lead = api.post("/leads", a_lead(), expect=201)
    for command, body in [(c, {"reason": "no budget"} if c == "disqualify" else None) for c in commands]:
        api.post(f"/leads/{lead['id']}/{command}", body)
    return lead["id"]


def _lead_target(api: Api, action: str | None, commands: tuple[str, ...] = (), **kw) -> Target:
    lead_id = _lead(api, *commands)
    path = f"/leads/{lead_id}"
    return Target("lead", "leads", path, f"{path}/{action}" if action else path,
                  lambda: api.patch(path, {"title": f"Head of {_n()}"}), **kw)


def _update_lead(api):
    return _lead_target(api, None, method="PATCH", body={"title": "Chief engine officer", "tags": ["stale"]})


def _merge_leads(api):
    other = _lead(api)
    return _lead_target(api, "merge", body={"other_id": other}, also=(f"/leads/{other}",))


def _contact_lead(api):
    return _lead_target(api, "contact")


def _qualify_lead(api):
    return _lead_target(api, "qualify", ("contact",))


def _disqualify_lead(api):
    return _lead_target(api, "disqualify", body={"reason": "bought elsewhere"})


def _recycle_lead(api):
    return _lead_target(api, "recycle", ("disqualify",))


def _convert_lead(api):
    return _lead_target(api, "convert", ("qualify",), body={})


def _assign_lead(api):
    return _lead_target(api, "assign", body={"owner_id": f"rep-{_n()}", "reason": "territory"})


def _update_assignment_rule(api):
    # Inactive, and for a team nobody is in: it never takes a lead of another test.
    rule = api.post("/assignment-rules", {"position": 900, "name": f"Rule {_n()}", "team": f"team-{_n()}",
                                          "match_source": "other", "active": False}, expect=201)
    path = f"/assignment-rules/{rule['id']}"
    # Rules have no GET of their own: the list is read, and the rule in it compared.
    return Target("assignment_rule", "leads", path, path, lambda: api.patch(path, {"name": f"Rule {_n()}"}),
                  method="PATCH", body={"name": "Renamed", "position": 901})


def _organization_target(api: Api, archive: bool) -> Target:
    organization = api.post("/organizations", {"name": f"Difference Engines {_n()}"}, expect=201)
    path = f"/organizations/{organization['id']}"
    bump = lambda: api.patch(path, {"industry": f"Industry {_n()}"})  # noqa: E731
    if archive:
        return Target("organization", "leads", path, f"{path}/archive", bump)
    return Target("organization", "leads", path, path, bump, method="PATCH", body={"employees": 42})


def _contact_target(api: Api, archive: bool) -> Target:
    contact = api.post("/contacts", {"last_name": f"Babbage {_n()}", "email": f"charles+{_n()}@example.com"},
                       expect=201)
    path = f"/contacts/{contact['id']}"
    bump = lambda: api.patch(path, {"title": f"Title {_n()}"})  # noqa: E731
    if archive:
        return Target("contact", "leads", path, f"{path}/archive", bump)
    return Target("contact", "leads", path, path, bump, method="PATCH", body={"phone": "+44 20 7946 0018"})


# Quotes
def _draft_quote(api: Api) -> tuple[str, str]:
    opportunity = api.post("/opportunities", {"name": f"Deal {_n()}"}, expect=201)
    quote = api.post("/quotes", {"opportunity_id": opportunity["id"], "lines": LINES}, expect=201)
    return f"/quotes/{quote['id']}", f"/opportunities/{opportunity['id']}"


def _send_quote(api):
    path, _opportunity = _draft_quote(api)
    return Target("quote", "deals", path, f"{path}/send", lambda: api.patch(path, {"terms": f"Terms {_n()}"}),
                  body={})


def _accept_quote(api):
    path, opportunity = _draft_quote(api)  # the version read is the draft's; sending it moves it on
    return Target("quote", "deals", path, f"{path}/accept", lambda: api.post(f"{path}/send"), also=(opportunity,))


def _reject_quote(api):
    path, _opportunity = _draft_quote(api)
    return Target("quote", "deals", path, f"{path}/reject", lambda: api.post(f"{path}/send"),
                  body={"reason": "Too expensive"})


# Invoices
def _issued_invoice(api: Api) -> str:
    """The issued invoice of an accepted quote's order (the default policy)."""
    path, _opportunity = _draft_quote(api)
    api.post(f"{path}/send")
    order = api.eventually(f"/orders/{api.post(f'{path}/accept')['order_id']}")
    return f"/invoices/{order['invoice_ids'][0]}"


def _invoice_target(api: Api, action: str, body: dict) -> Target:
    path = _issued_invoice(api)
    return Target("invoice", "billing", path, f"{path}/{action}",
                  lambda: api.post(f"{path}/payments", {"amount": "1.00", "reference": f"PART-{_n()}"}, expect=201),
                  body=body, status=201)


def _record_payment(api):
    return _invoice_target(api, "payments", {"amount": "2.50", "reference": f"BANK-{_n()}"})


def _create_credit_note(api):
    return _invoice_target(api, "credit-notes", {"reason": "one licence returned",
                                                 "lines": [{"position": 1, "quantity": "1"}]})


# Subscriptions: to a public address by its literal, for a type no event has (never delivered)
SUBSCRIPTION_PROGRESS = ("position", "lag", "delivered", "failed", "dead_lettered", "last_error", "last_error_at",
                         "last_delivered_at")


def _subscription_target(api: Api, action: str | None, **kw) -> Target:
    subscription = api.post("/subscriptions", {"name": f"if-match {_n()}", "types": ["probe.never"],
                                               "url": "https://8.8.8.8/hook"}, expect=201)
    path = f"/subscriptions/{subscription['id']}"
    return Target("subscription", "subscriptions", path, f"{path}/{action}" if action else path,
                  lambda: api.patch(path, {"name": f"if-match {_n()}"}), moving=SUBSCRIPTION_PROGRESS, **kw)


TARGETS: dict[str, Callable[[Api], Target]] = {
    "update_lead": _update_lead, "merge_leads": _merge_leads, "contact_lead": _contact_lead,
    "qualify_lead": _qualify_lead, "disqualify_lead": _disqualify_lead, "recycle_lead": _recycle_lead,
    "convert_lead": _convert_lead, "assign_lead": _assign_lead, "update_assignment_rule": _update_assignment_rule,
    "update_organization": lambda api: _organization_target(api, archive=False),
    "archive_organization": lambda api: _organization_target(api, archive=True),
    "update_contact": lambda api: _contact_target(api, archive=False),
    "archive_contact": lambda api: _contact_target(api, archive=True),
    "send_quote": _send_quote, "accept_quote": _accept_quote, "reject_quote": _reject_quote,
    "record_payment": _record_payment, "create_credit_note": _create_credit_note,
    "update_subscription": lambda api: _subscription_target(api, None, method="PATCH", body={"types": ["probe.*"]}),
    "pause_subscription": lambda api: _subscription_target(api, "pause"),
    "rotate_subscription_secret": lambda api: _subscription_target(api, "rotate-secret"),
    "replay_subscription": lambda api: _subscription_target(api, "replay", body={"after": 0}),
}


def test_every_write_on_a_record_takes_if_match():
    """A write on a record named in its path says which version it was based on."""
    lacking = {op.name for op in OPERATIONS if op.writes and op.path_params and not op.if_match}
    assert lacking == WITHOUT_IF_MATCH
    taking = {op.name for op in OPERATIONS if op.if_match}
    assert set(TARGETS) <= taking


def _still(record: dict, target: Target) -> dict:
    return {name: value for name, value in record.items() if name not in target.moving}


def _read(api: Api, path: str) -> tuple[dict, str]:
    if path.startswith("/assignment-rules/"):
        rule_id = path.rsplit("/", 1)[1]
        return next(rule for rule in api.get("/assignment-rules")["items"] if rule["id"] == rule_id), None
    resp = api._send("GET", path)
    assert resp.status_code == 200, f"GET {path}: {resp.status_code} {resp.text}"
    return resp.json(), resp.headers.get("ETag")


def _etag_of(api: Api, path: str) -> tuple[dict, str]:
    record, etag = _read(api, path)
    if etag is not None:
        assert etag == f'"{record["version"]}"'
    return record, f'"{record["version"]}"'


def _events(databases, target: Target) -> int:
    rows = query(databases.url(target.service), "SELECT count(*) FROM outbox WHERE subject IN :subjects",
                 subjects=tuple(target.subjects))
    return rows[0][0]


def _write(api: Api, target: Target, headers: dict) -> requests.Response:
    kwargs = {"json": target.body} if target.body is not None else {}
    return api._send(target.method, target.write, headers=headers, **kwargs)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_write_based_on_a_stale_version_is_refused_and_changes_nothing(stack, databases, name):
    api = Api(stack.base_url)
    target = TARGETS[name](api)
    read, stale_etag = _etag_of(api, target.read)
    target.bump()
    current, etag = _etag_of(api, target.read)
    assert current["version"] > read["version"]
    before = {path: _still(_read(api, path)[0], target) for path in (target.read, *target.also)}
    events = _events(databases, target)

    stale = _write(api, target, {"If-Match": stale_etag})
    assert stale.status_code == 412, stale.text
    error = stale.json()["error"]
    assert error["code"] == "stale_version"
    assert error["details"] == {"entity": target.entity, "id": current["id"], "expected_version": read["version"],
                                "current_version": current["version"]}
    assert {path: _still(_read(api, path)[0], target) for path in before} == before, \
        "a refused write changed the record"
    assert _events(databases, target) == events, "a refused write published an event"

    # The version the caller read is still the record's: the write goes through, once.
    key = f"if-match-{uuid.uuid4()}"
    done = _write(api, target, {"If-Match": etag, "Idempotency-Key": key})
    assert done.status_code == target.status, done.text
    after, _ = _read(api, target.read)
    assert after["version"] > current["version"]
    # Retried with the same key (its If-Match now stale), it answers what it did.
    again = _write(api, target, {"If-Match": etag, "Idempotency-Key": key})
    assert (again.status_code, again.json()) == (done.status_code, done.json())
    assert _read(api, target.read)[0]["version"] == after["version"]


def test_a_payment_told_again_answers_as_the_first_time_though_its_if_match_is_now_stale(stack):
    """Without an Idempotency-Key a payment is still recorded once per reference: sent
    again, it answers the invoice rather than 412, although recording it moved the
    invoice past the version the caller read."""
    api = Api(stack.base_url)
    path = _issued_invoice(api)
    _, etag = _etag_of(api, path)
    payment = {"amount": "3.00", "reference": f"BANK-{_n()}"}
    first = api.post(f"{path}/payments", payment, expect=201, headers={"If-Match": etag})
    again = api.post(f"{path}/payments", payment, expect=201, headers={"If-Match": etag})
    assert again == first and [p["reference"] for p in again["payments"]].count(payment["reference"]) == 1
    other = api._send("POST", f"{path}/payments", json={**payment, "reference": f"BANK-{_n()}"},
                      headers={"If-Match": etag})
    assert other.status_code == 412 and other.json()["error"]["code"] == "stale_version"


def test_a_subscription_deleted_on_a_stale_read_stays(stack):
    """DELETE takes If-Match too: a delete based on a read from before a change is
    refused and the subscription is still there; on the current version it goes."""
    api = Api(stack.base_url)
    target = _subscription_target(api, None)
    read, stale_etag = _etag_of(api, target.read)
    target.bump()
    current, etag = _etag_of(api, target.read)
    stale = api._send("DELETE", target.read, headers={"If-Match": stale_etag})
    assert stale.status_code == 412, stale.text
    assert stale.json()["error"]["details"]["current_version"] == current["version"]
    assert _read(api, target.read)[0]["name"] == current["name"]
    done = api._send("DELETE", target.read, headers={"If-Match": etag})
    assert done.status_code == 200, done.text
    assert api._send("GET", target.read).status_code == 404
