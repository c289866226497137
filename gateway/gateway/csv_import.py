"""CSV in and out, streamed: neither an import nor an export is ever held in memory.

The gateway knows CSV, not leads: it cuts the file into rows and sends them in chunks
to the service, which knows the columns; it writes what the service's pages hold.
Export cells that a spreadsheet would run as a formula are defused (OWASP: a leading
=, +, -, @, tab or carriage return gets a ' in front).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from . import errors

CHUNK_ROWS = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COUNTS = ("created", "updated", "skipped", "rejected")
MAX_PROBLEMS = 1000


def run(stream: io.TextIOBase, import_chunk: Callable[[list[str], list[list[str]], int], dict]) -> dict:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if not header:
            raise errors.ApiError(422, "validation_failed", "The file is empty.", {"file": ["No header row."]})
        report = {"rows": 0, **dict.fromkeys(COUNTS, 0), "problems": []}
        while True:
            first = report["rows"] + 1
            chunk = list(islice(reader, CHUNK_ROWS))
            if not chunk and first > 1:
                return report
            answer = import_chunk(header, chunk, first)  # the first call checks the header, rows or not
            report["rows"] += len(chunk)
            for count in COUNTS:
                report[count] += answer[count]
            report["problems"].extend(answer["problems"][:MAX_PROBLEMS - len(report["problems"])])
            if not chunk:
                return report
    except csv.Error as exc:
        raise errors.ApiError(422, "validation_failed", "The file is not valid CSV.",
                              {"file": [f"Line {reader.line_num}: {exc}"]}) from None
    except UnicodeDecodeError:
        raise errors.ApiError(422, "validation_failed", "The file is not UTF-8 text.",
                              {"file": [f"Undecodable bytes after line {reader.line_num}."]}) from None


def pages(first: dict, next_page: Callable[[str], dict]) -> Iterator[dict]:
    page = first
    while True:
        yield page
        if not page["next_cursor"]:
            return
        page = next_page(page["next_cursor"])


def defuse(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write(page_iter: Iterable[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for number, page in enumerate(page_iter):
        if number == 0:
            writer.writerow(page["header"])
        for row in page["rows"]:
            writer.writerow([defuse(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
