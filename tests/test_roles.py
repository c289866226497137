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

from flow import a_lead

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
    return {"tokens": tokens, "own": {"lead": own_lead, "opportunity": own_opp, "quote": own_quote},
            "other": {"lead": other_lead, "opportunity": other_opp, "quote": other_quote}, "base": base}


RECORD_PARAMS = {"lead_id": "lead", "opportunity_id": "opportunity", "quote_id": "quote"}


def call(world, row, role, whose="own", query=None, body=None):
    def fill(match):
        name = match.group(1)
        if name in RECORD_PARAMS:
            return world[whose][RECORD_PARAMS[name]]["id"]
        return "nobody" if name == "team" else str(uuid.uuid4())

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
    if op == "list_quotes":
        return ({"query": {"opportunity_id": world["own"]["opportunity"]["id"]}},
                {"query": {"opportunity_id": world["other"]["opportunity"]["id"]}})
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
