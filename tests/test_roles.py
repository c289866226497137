"""Every operation, called with a token of every role, answers as the table in
gateway/ROLES.md says: refused (403) where it says `-`, let through where it says
`yes`, and for a sales rep (`own`, `team`) let through on its own or its team's
records and refused on another's."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import requests

from flow import LINES, Api, a_lead

ROLES_MD = Path(__file__).parents[1] / "gateway" / "ROLES.md"
REP, OTHER = ("rep-1", "emea"), ("rep-9", "apac")


def read_table() -> tuple[list[str], list[dict]]:
    rows = [line for line in ROLES_MD.read_text().splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    roles = header[2:]
    table = []
    for line in rows[1:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        method, path = cells[1].strip("`").split(" ", 1)
        allowed = dict(zip(roles, cells[2:], strict=True))
        table.append({"operation": cells[0], "method": method, "path": path, **allowed})
    return roles, table


ROLES, TABLE = read_table()


@pytest.fixture(scope="module")
def world(stack):
    """A token per role, and records of the sales rep's own and of another team's."""
    base = stack.base_url
    tokens = {role: stack.token(role, f"{role}-user", REP[1] if role == "sales_rep" else None) for role in ROLES}
    tokens["sales_rep"] = stack.token("sales_rep", REP[0], REP[1])

    def post(path, body, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = requests.post(base + path, json=body, headers=headers, timeout=30)
        assert resp.status_code == 201, f"{path}: {resp.text}"
        return resp.json()

    own_lead = post("/leads", a_lead(), tokens["sales_rep"])
    other_lead = post("/leads", a_lead(owner_id=OTHER[0], team=OTHER[1]))
    own_opp = post("/opportunities", {"name": "Own deal"}, tokens["sales_rep"])
    other_opp = post("/opportunities", {"name": "Their deal", "owner_id": OTHER[0], "team": OTHER[1]})
    line = [{"description": "x", "quantity": "1", "unit_price": "10", "tax_rate": "0"}]
    own_quote = post("/quotes", {"opportunity_id": own_opp["id"], "lines": line}, tokens["sales_rep"])
    other_quote = post("/quotes", {"opportunity_id": other_opp["id"], "lines": line})
    assert (own_lead["owner_id"], own_lead["team"]) == REP
    own = {"lead": own_lead, "opportunity": own_opp, "quote": own_quote,
           **billed_deal(base, tokens["sales_rep"], {"name": "Own billed deal"})}
    other = {"lead": other_lead, "opportunity": other_opp, "quote": other_quote,
             **billed_deal(base, None, {"name": "Their billed deal", "owner_id": OTHER[0], "team": OTHER[1]})}
    return {"tokens": tokens, "own": own, "other": other, "base": base, "stack": stack}


def billed_deal(base: str, token: str | None, opportunity: dict) -> dict:
    """A deal won through its quote, with its order, issued invoice and a credit note
    (the billing records are made with the harness's admin token)."""
    seller = Api(base)
    if token:
        seller.http.headers["Authorization"] = f"Bearer {token}"
    deal = seller.post("/opportunities", opportunity, expect=201)
    quote = seller.post("/quotes", {"opportunity_id": deal["id"], "lines": LINES}, expect=201)
    seller.post(f"/quotes/{quote['id']}/send")
    accepted = seller.post(f"/quotes/{quote['id']}/accept")
    clerk = Api(base)
    order = clerk.eventually(f"/orders/{accepted['order_id']}")
    invoice = clerk.get(f"/invoices/{order['invoice_ids'][0]}")
    credit_note = clerk.post(f"/invoices/{invoice['id']}/credit-notes", {"reason": "Goodwill"}, expect=201)
    return {"billed_opportunity": deal, "order": order, "invoice": invoice, "credit_note": credit_note}


RECORD_PARAMS = {"lead_id": "lead", "opportunity_id": "opportunity", "quote_id": "quote", "order_id": "order",
                 "invoice_id": "invoice", "credit_note_id": "credit_note"}
# Lists a sales rep reads all of only for one parent it sees: the filter naming it.
PARENT_FILTERS = {"list_quotes": ("opportunity_id", "opportunity"),
                  "list_orders": ("opportunity_id", "billed_opportunity"),
                  "list_invoices": ("opportunity_id", "billed_opportunity"),
                  "list_credit_notes": ("invoice_id", "invoice")}


def call(world, row, role, whose="own", query=None, body=None):
    def fill(match):
        name = match.group(1)
        if name in RECORD_PARAMS:
            return world[whose][RECORD_PARAMS[name]]["id"]
        return world[whose]["lead"]["team"] if name == "team" else str(uuid.uuid4())

    path = re.sub(r"{(\w+)}", fill, row["path"])
    kwargs = {"params": query or {}, "timeout": 60,
              "headers": {"Authorization": f"Bearer {world['tokens'][role]}"}}
    if row["method"] in ("POST", "PUT", "PATCH"):
        kwargs["json"] = body if body is not None else {}
    return requests.request(row["method"], world["base"] + path, **kwargs)


def let_through(resp) -> bool:
    assert resp.status_code not in (401, 429, 500), resp.text
    return resp.status_code != 403


# A sales rep's `own` or `team` cell: (what reaches its own, what reaches another's).
def rep_cases(world, row) -> tuple[dict, dict]:
    op = row["operation"]
    if op == "create_lead":
        return {"body": a_lead()}, {"body": a_lead(owner_id=OTHER[0])}
    if op == "create_opportunity":
        return {"body": {"name": "Mine"}}, {"body": {"name": "Theirs", "owner_id": OTHER[0]}}
    if op == "create_quote":
        return ({"body": {"opportunity_id": world["own"]["opportunity"]["id"]}},
                {"body": {"opportunity_id": world["other"]["opportunity"]["id"]}})
    if op in PARENT_FILTERS:
        field, kind = PARENT_FILTERS[op]
        return {"query": {field: world["own"][kind]["id"]}}, {"query": {field: world["other"][kind]["id"]}}
    if "{" not in row["path"] or op == "organization_leads":  # a list or a report
        return {"query": {}}, {"query": {"team": OTHER[1]}}
    return {"whose": "own"}, {"whose": "other"}


@pytest.mark.parametrize("row", TABLE, ids=[row["operation"] for row in TABLE])
def test_each_role_is_let_through_or_refused_as_the_table_says(world, row):
    for role in ROLES:
        cell = row[role]
        if cell in ("own", "team"):
            own, other = rep_cases(world, row)
            assert let_through(call(world, row, role, **own)), f"{role} on its own: refused"
            refused = call(world, row, role, **other)
            assert refused.status_code == 403, f"{role} on another's: {refused.status_code} {refused.text}"
        else:
            assert cell in ("yes", "-"), cell
            resp = call(world, row, role)
            assert let_through(resp) == (cell == "yes"), f"{role}: {resp.status_code} {resp.text}"


def test_the_table_covers_every_operation_of_the_served_document(stack):
    document = requests.get(f"{stack.base_url}/openapi.json", timeout=10).json()
    served = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert {(row["method"], row["path"]) for row in TABLE} == served


# What a sales rep sees, beyond the table: the rule of ROLES.md on records that name others

def rep_api(world, user=REP) -> Api:
    api = Api(world["base"])
    token = world["tokens"]["sales_rep"] if user == REP else world.setdefault("more_tokens", {}).get(user)
    if token is None:
        token = world["more_tokens"][user] = world["stack"].token("sales_rep", *user)
    api.http.headers["Authorization"] = f"Bearer {token}"
    return api


def test_a_merge_needs_both_leads_its_own_and_leaves_another_teams_untouched(world):
    rep, admin = rep_api(world), Api(world["base"])
    own = rep.post("/leads", a_lead(), expect=201)
    for theirs in (admin.post("/leads", a_lead(owner_id=OTHER[0], team=OTHER[1]), expect=201),
                   admin.post("/leads", a_lead(), expect=201),  # the admin's own, of no team
                   admin.post("/leads", a_lead(owner_id="rep-2", team=REP[1]), expect=201)):  # a teammate's
        refused = rep.post(f"/leads/{own['id']}/merge", {"other_id": theirs["id"]}, expect=403)
        assert theirs["id"] in refused["error"]["message"]
        assert admin.get(f"/leads/{theirs['id']}")["version"] == theirs["version"]
    assert admin.get(f"/leads/{own['id']}")["version"] == own["version"]
    mine = rep.post("/leads", a_lead(), expect=201)
    assert rep.post(f"/leads/{own['id']}/merge", {"other_id": mine["id"]})["id"] == own["id"]
    assert admin.get(f"/leads/{mine['id']}")["status"] == "merged"


def test_a_sales_rep_hands_no_record_to_another_owner_or_team(world):
    rep, admin = rep_api(world), Api(world["base"])
    lead = rep.post("/leads", a_lead(), expect=201)
    deal = rep.post("/opportunities", {"name": "Kept"}, expect=201)
    for path, changes in ((f"/leads/{lead['id']}", {"owner_id": OTHER[0]}),
                          (f"/leads/{lead['id']}", {"team": OTHER[1]}), (f"/leads/{lead['id']}", {"owner_id": None}),
                          (f"/opportunities/{deal['id']}", {"team": OTHER[1]})):
        refused = rep.patch(path, changes, expect=403)
        assert refused["error"]["code"] == "forbidden", refused
    assert admin.get(f"/leads/{lead['id']}")["version"] == lead["version"]
    rep.post("/leads", a_lead(team=OTHER[1]), expect=403)
    # Saying what it is anyway is no change.
    kept = rep.patch(f"/leads/{lead['id']}", {"owner_id": REP[0], "team": REP[1], "company": "Kept Ltd"})
    assert kept["company"] == "Kept Ltd"


def test_a_duplicate_of_a_lead_it_may_not_read_is_counted_and_never_named(world):
    rep, admin = rep_api(world), Api(world["base"])
    theirs = admin.post("/leads", a_lead(owner_id=OTHER[0], team=OTHER[1], last_name=f"Secret{uuid.uuid4().hex[:6]}"),
                        expect=201)
    phone = f"+49 30 {uuid.uuid4().int % 10**7:07d}"
    teammates = admin.post("/leads", a_lead(owner_id="rep-2", team=REP[1], phone=phone), expect=201)
    both = a_lead(email=theirs["email"], phone=teammates["phone"])
    resp = requests.post(f"{world['base']}/leads", json=both, timeout=30, headers=rep.http.headers)
    assert resp.status_code == 409, resp.text
    details = resp.json()["error"]["details"]
    assert [match["id"] for match in details["duplicates"]] == [teammates["id"]] and details["withheld"] == 1
    for secret in (theirs["id"], theirs["last_name"], OTHER[0], OTHER[1]):
        assert secret not in resp.text
    # A change to its own lead is told the same.
    own = rep.post("/leads", a_lead(), expect=201)
    changed = rep.patch(f"/leads/{own['id']}", {"email": theirs["email"]}, expect=409)
    assert changed["error"]["details"]["duplicates"] == [] and changed["error"]["details"]["withheld"] == 1
    # A manager is told everything.
    told = admin.post("/leads", both, expect=409)["error"]["details"]
    assert {match["id"] for match in told["duplicates"]} == {theirs["id"], teammates["id"]} and "withheld" not in told


def test_a_sales_rep_reads_the_billing_of_its_teams_deals_and_no_other(world):
    teammate = rep_api(world, ("rep-2", REP[1]))
    theirs = billed_deal(world["base"], None, {"name": "Apac deal", "owner_id": OTHER[0], "team": OTHER[1]})
    ours = billed_deal(world["base"], teammate.http.headers["Authorization"].removeprefix("Bearer "),
                       {"name": "Team deal"})
    rep = rep_api(world)
    for kind, path in (("order", "/orders"), ("invoice", "/invoices"), ("credit_note", "/credit-notes")):
        assert rep.get(f"{path}/{ours[kind]['id']}")["id"] == ours[kind]["id"], kind
        assert rep.get(f"{path}/{ours[kind]['id']}/history")["items"], kind
        refused = rep.get(f"{path}/{theirs[kind]['id']}", expect=403)
        assert refused["error"]["code"] == "forbidden"
        rep.get(f"{path}/{theirs[kind]['id']}/history", expect=403)
    assert rep.get(f"/invoices/{ours['invoice']['id']}/payments")["items"] == []
    rep.get(f"/invoices/{theirs['invoice']['id']}/payments", expect=403)
    # Lists: its own without a filter; all of a deal it sees; none of another's.
    deal = ours["billed_opportunity"]["id"]
    assert [o["id"] for o in rep.get(f"/orders?opportunity_id={deal}")["items"]] == [ours["order"]["id"]]
    assert [i["id"] for i in rep.get(f"/invoices?opportunity_id={deal}")["items"]] == [ours["invoice"]["id"]]
    assert [c["id"] for c in rep.get(f"/credit-notes?invoice_id={ours['invoice']['id']}")["items"]] \
        == [ours["credit_note"]["id"]]
    rep.get(f"/orders?opportunity_id={theirs['billed_opportunity']['id']}", expect=403)
    rep.get(f"/credit-notes?invoice_id={theirs['invoice']['id']}", expect=403)
    rep.get("/invoices?owner_id=rep-2", expect=403)
    own_orders = rep.get("/orders?limit=100")["items"]
    assert own_orders and {order["owner_id"] for order in own_orders} == {REP[0]}
    # The story shows what the single reads show, and nothing of another team's.
    story = rep.get(f"/opportunities/{deal}/story")
    assert [o["id"] for o in story["orders"]] == [ours["order"]["id"]] and story["withheld"] == []
    assert [i["id"] for i in story["invoices"]] == [ours["invoice"]["id"]]
    rep.get(f"/opportunities/{theirs['billed_opportunity']['id']}/story", expect=403)


def test_the_story_withholds_what_the_caller_may_not_read_one_by_one(world):
    admin = Api(world["base"])
    lead = admin.post("/leads", a_lead(owner_id=OTHER[0], team=OTHER[1]), expect=201)
    admin.post(f"/leads/{lead['id']}/qualify")
    converted = admin.post(f"/leads/{lead['id']}/convert", {})
    deal = admin.eventually(f"/opportunities/{converted['converted_opportunity_id']}")
    assert admin.get(f"/opportunities/{deal['id']}/story")["lead"]["id"] == lead["id"]
    # The deal handed to the rep's team; the lead stays the other team's.
    moved = admin.patch(f"/opportunities/{deal['id']}", {"team": REP[1]}, headers={"If-Match": f'"{deal["version"]}"'})
    rep_story = rep_api(world).get(f"/opportunities/{moved['id']}/story")
    assert rep_story["lead"] is None and rep_story["withheld"] == ["lead"]
    assert rep_story["organization"]["id"] == converted["converted_organization_id"]
    rep_api(world).get(f"/leads/{lead['id']}", expect=403)
    clerk = Api(world["base"])
    clerk.http.headers["Authorization"] = f"Bearer {world['tokens']['billing']}"
    clerk_story = clerk.get(f"/opportunities/{deal['id']}/story")
    assert clerk_story["lead"] is None and clerk_story["withheld"] == ["lead"]
    clerk.get(f"/leads/{lead['id']}", expect=403)


def test_an_organizations_leads_take_every_filter_of_the_leads_list_and_a_rep_sees_its_teams(world):
    admin, rep = Api(world["base"]), rep_api(world)
    converted, name = [], f"Filtered{uuid.uuid4().hex[:6]}"
    for owner, team in (("rep-2", REP[1]), OTHER):
        lead = admin.post("/leads", a_lead(owner_id=owner, team=team, last_name=name), expect=201)
        admin.post(f"/leads/{lead['id']}/qualify")
        options = {"organization": {"mode": "link", "id": converted[0]["converted_organization_id"]}} \
            if converted else {}
        converted.append(admin.post(f"/leads/{lead['id']}/convert", options))
    organization = converted[0]["converted_organization_id"]
    assert converted[1]["converted_organization_id"] == organization
    path = f"/organizations/{organization}/leads"
    assert {lead["id"] for lead in admin.get(path)["items"]} == {lead["id"] for lead in converted}
    assert [lead["id"] for lead in rep.get(path)["items"]] == [converted[0]["id"]]
    filters = {"status": "converted", "source": converted[0]["source"], "owner_id": "rep-2", "team": REP[1],
               "created_from": "2000-01-01T00:00:00Z", "created_to": "9000-01-01T00:00:00Z", "score_min": 0,
               "score_max": 100, "rating": converted[0]["rating"], "q": converted[0]["last_name"], "sort": "score",
               "limit": 5}
    assert [lead["id"] for lead in admin.get(path + "?" + "&".join(f"{k}={v}" for k, v in filters.items()))["items"]] \
        == [converted[0]["id"]]
    assert admin.get(f"{path}?status=new")["items"] == []
    refused = requests.get(f"{world['base']}{path}?colour=red", timeout=10)
    assert refused.status_code == 422 and "colour" in refused.text


def test_a_sales_rep_reads_its_own_team_and_no_other(world):
    rep, manager = rep_api(world), Api(world["base"])
    manager.http.headers["Authorization"] = f"Bearer {world['tokens']['manager']}"
    assert rep.get(f"/teams/{REP[1]}")["team"] == REP[1]
    refused = rep.get(f"/teams/{OTHER[1]}", expect=403)
    assert refused["error"]["code"] == "forbidden" and REP[1] in refused["error"]["message"]
    assert manager.get(f"/teams/{OTHER[1]}")["team"] == OTHER[1]
