"""CSV import (streamed, reported row by row, idempotent) and export (filtered, defused)."""
from __future__ import annotations

import csv
import io
import uuid

from flow import Api


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _import(api: Api, body: bytes, policy: str = "skip", expect: int = 200) -> dict:
    resp = api.http.post(f"{api.base_url}/leads/import?duplicates={policy}", data=body,
                         headers={"Content-Type": "text/csv"})
    assert resp.status_code == expect, resp.text
    return resp.json()


def test_an_import_reports_every_rejected_row_and_a_reimport_creates_nothing(stack):
    api, t = Api(stack.base_url), uuid.uuid4().hex[:8]
    existing = api.post("/leads", {"last_name": "Known", "email": f"known.{t}@example.com"}, expect=201)
    header = ["first_name", "last_name", "email", "employees", "tags", "team", "authority"]
    rows = [
        ["Ada", "Lovelace", f"ada.{t}@example.com", "120", "vip;poet", f"csv-{t}", "yes"],
        ["", "", f"nobody.{t}@example.com", "", "", f"csv-{t}", ""],             # 2: no last name
        ["Bad", "Mail", "not-an-email", "-3", "", f"csv-{t}", ""],               # 3: email, employees
        ["K", "Known", f"KNOWN.{t}@example.com", "", "", f"csv-{t}", ""],        # 4: duplicate of a lead
        ["Ada", "Lovelace", f"ada.{t}@example.com", "120", "vip;poet", f"csv-{t}", "yes"],  # 5: row 1 again
        ["Too", "Many", "", "", "", f"csv-{t}", "", "extra"],                     # 6: a cell too many
        ["Charles", "Babbage", f"charles.{t}@example.com", "", "", f"csv-{t}", "no"],
    ]
    report = _import(api, _csv([header, *rows]))
    assert {k: report[k] for k in ("rows", "created", "updated", "skipped", "rejected")} == {
        "rows": 7, "created": 2, "updated": 0, "skipped": 2, "rejected": 3}
    problems = {p["row"]: p for p in report["problems"]}
    assert set(problems[2]["details"]) == {"last_name"}
    assert set(problems[3]["details"]) == {"email", "employees"}
    assert problems[4]["outcome"] == "skipped"
    assert problems[4]["details"]["duplicates"][0]["id"] == existing["id"]
    assert problems[6]["outcome"] == "rejected"
    imported = api.get(f"/leads?team=csv-{t}&sort=last_name")["items"]
    assert [(lead["last_name"], lead["employees"], lead["tags"], lead["authority"]) for lead in imported] == [
        ("Babbage", None, [], False), ("Lovelace", 120, ["poet", "vip"], True)]

    again = _import(api, _csv([header, *rows]))
    assert (again["created"], again["updated"]) == (0, 0)
    assert len(api.get(f"/leads?team=csv-{t}")["items"]) == 2


def test_the_duplicates_policy_updates_or_creates(stack):
    api, t = Api(stack.base_url), uuid.uuid4().hex[:8]
    lead = api.post("/leads", {"last_name": "Hopper", "email": f"grace.{t}@example.com", "tags": ["navy"]},
                    expect=201)
    header = ["last_name", "email", "title", "tags"]
    updated = _import(api, _csv([header, ["Hopper", f"Grace.{t}@example.com", "Rear Admiral", "cobol"]]), "update")
    assert (updated["updated"], updated["created"]) == (1, 0)
    after = api.get(f"/leads/{lead['id']}")
    assert (after["title"], after["tags"]) == ("Rear Admiral", ["cobol", "navy"])
    created = _import(api, _csv([header, ["Hopper", f"grace.{t}@example.com", "Admiral", ""]]), "create")
    assert created["created"] == 1
    assert _import(api, _csv([header]), "sometimes", expect=422)["error"]["details"]["duplicates"]


def test_a_bad_header_imports_nothing_and_says_why(stack):
    api = Api(stack.base_url)
    refused = _import(api, _csv([["surname", "email", "email"], ["x", "y", "z"]]), expect=422)["error"]
    assert "surname" in refused["details"]["header"][0] and len(refused["details"]["header"]) == 3
    assert _import(api, b"", expect=422)["error"]["details"]["file"]
    assert _import(api, b"last_name\n\xff\xfe\n", expect=422)["error"]["message"] == "The file is not UTF-8 text."


def test_a_large_file_streams_in_chunks_and_a_multipart_upload_works(stack):
    api, t = Api(stack.base_url), uuid.uuid4().hex[:8]
    rows = [["last_name", "email", "team"]] + [[f"Row{i}", f"row{i}.{t}@example.com", f"bulk-{t}"]
                                               for i in range(1, 1201)]
    resp = api.http.post(f"{stack.base_url}/leads/import", files={"file": ("leads.csv", _csv(rows), "text/csv")})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["rows"], resp.json()["created"]) == (1200, 1200)
    exported = list(csv.reader(io.StringIO(api.http.get(f"{stack.base_url}/leads/export?team=bulk-{t}").text)))
    assert len(exported) == 1201 and exported[0][:3] == ["id", "status", "first_name"]


def test_an_export_follows_the_filters_and_defuses_formulas(stack):
    api, t = Api(stack.base_url), uuid.uuid4().hex[:8]
    api.post("/leads", {"last_name": "=HYPERLINK(\"http://evil.example\")", "company": "@SUM(1)", "team": f"x-{t}",
                        "phone": "+44 20 7946 0958", "tags": ["a", "b"]}, expect=201)
    api.post("/leads", {"last_name": "Other", "team": f"y-{t}"}, expect=201)
    resp = api.http.get(f"{stack.base_url}/leads/export?team=x-{t}")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(resp.text)))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["last_name"] == "'=HYPERLINK(\"http://evil.example\")" and row["company"] == "'@SUM(1)"
    assert row["phone"] == "'+44 20 7946 0958" and row["tags"] == "a;b"
    assert api.http.get(f"{stack.base_url}/leads/export?status=nope").status_code == 422


def _bulk(t: str, count: int) -> list[list[str]]:
    return [[f"Row{i}", f"row{i}.{t}@example.com", f"whole-{t}"] for i in range(1, count + 1)]


def test_a_fault_of_the_file_commits_nothing_and_names_the_files_line(stack):
    """Undecodable bytes, a cell over the limit or an unclosed quote, however far down the
    file: the whole import is refused before anything is committed."""
    api, t = Api(stack.base_url), uuid.uuid4().hex[:8]
    header = [["last_name", "email", "team"]]
    not_utf8 = _csv(header + _bulk(t, 600)) + b"Caf\xe9,cafe@example.com,x\n"
    refused = _import(api, not_utf8, expect=422)["error"]
    assert refused["message"] == "The file is not UTF-8 text."
    assert refused["details"]["file"][0].startswith("Line 602:"), refused
    huge_cell = _csv(header + _bulk(t, 700) + [["Big", "big@example.com", "x" * 200_000]])
    refused = _import(api, huge_cell, expect=422)["error"]
    assert refused["details"]["file"][0].startswith("Line 702:"), refused
    unclosed_quote = _csv(header + _bulk(t, 600)) + b'"Open,never closed\n' + _csv(_bulk(t, 3))
    refused = _import(api, unclosed_quote, expect=422)["error"]
    assert refused["message"] == "The file is not valid CSV."
    assert api.get(f"/leads?team=whole-{t}")["items"] == []


def test_a_problem_names_the_line_its_row_starts_on(stack):
    api, t = Api(stack.base_url), uuid.uuid4().hex[:8]
    body = (f"last_name,email,team\n"
            f'"Two\nLines",two.{t}@example.com,lines-{t}\n'      # lines 2-3: a quoted cell on two lines
            f"\n"                                               # line 4: blank, not a row
            f"Bad,not-an-email,lines-{t}\n").encode()            # line 5: the second row
    report = _import(api, body)
    assert (report["rows"], report["created"], report["rejected"]) == (2, 1, 1)
    assert [(p["row"], p["line"]) for p in report["problems"]] == [(2, 5)]
