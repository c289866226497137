"""CSV in and out, streamed: neither an import nor an export is ever held in memory.

The gateway knows CSV, not leads: it reads the whole file once to refuse a file it cannot
read (nothing is committed then), then cuts it into rows and sends them in chunks to the
service, which knows the columns; it writes what the service's pages hold.
Export cells that a spreadsheet would run as a formula are defused (OWASP: a leading
=, +, -, @, tab or carriage return gets a ' in front).
"""
from __future__ import annotations

import codecs
import collections
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import BinaryIO

from . import errors

CHUNK_ROWS = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COUNTS = ("created", "updated", "skipped", "rejected")
MAX_PROBLEMS = 1000
BLOCK_BYTES = 64 * 1024
# A file-level limit: no row of a lead comes near it, and it bounds what one line holds
# in memory. Cells are limited by csv's field_size_limit (128 KiB), also file-level.
MAX_LINE_BYTES = 1024 * 1024


def run(file: BinaryIO, import_chunk: Callable[[list[str], list[list[str]], int], dict]) -> dict:
    """Import a whole CSV file: first read it through to decide whether it is a file we
    can import at all (decoding, CSV structure, line and cell sizes), so a fault of the
    file commits nothing; then send its rows in chunks. ``file`` must be seekable."""
    collections.deque(_records(file), maxlen=0)  # read through: the file's first fault raises
    file.seek(0)
    records = _records(file)
    header = next(records, None)
    if header is None:
        raise errors.ApiError(422, "validation_failed", "The file is empty.", {"file": ["No header row."]})
    report = {"rows": 0, **dict.fromkeys(COUNTS, 0), "problems": []}
    while True:
        first = report["rows"] + 1
        chunk = list(islice(records, CHUNK_ROWS))
        if not chunk and first > 1:
            return report
        answer = import_chunk(header[1], [cells for _, cells in chunk], first)  # the first call checks the header
        report["rows"] += len(chunk)
        for count in COUNTS:
            report[count] += answer[count]
        room = MAX_PROBLEMS - len(report["problems"])
        report["problems"].extend({**problem, "line": chunk[problem["row"] - first][0]}
                                  for problem in answer["problems"][:room])
        if not chunk:
            return report


def _records(file: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """The file's records with the physical line each starts on (a quoted cell may span
    lines); blank lines are no records. A fault of the file is a 422 naming its line."""
    reader = csv.reader(_lines(file), strict=True)
    line = 0
    try:
        for cells in reader:
            if cells:
                yield line + 1, cells
            line = reader.line_num
    except csv.Error as exc:  # named by the line its record starts on: where an unclosed quote opened
        raise errors.ApiError(422, "validation_failed", "The file is not valid CSV.",
                              {"file": [f"Line {line + 1}: {exc}."]}) from None


def _lines(file: BinaryIO) -> Iterator[str]:
    """The file's physical lines (ended by LF, CRLF or CR), each decoded on its own so
    that an undecodable byte is named by its line, not by where a read-ahead found it."""
    if file.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
        file.seek(0)
    pending, number = b"", 0
    for block in iter(lambda: file.read(BLOCK_BYTES), b""):
        pieces = (pending + block).splitlines(keepends=True)
        # The last piece may go on in the next block (the CR of a CRLF too).
        pending = pieces.pop() if pieces and not pieces[-1].endswith(b"\n") else b""
        if len(pending) > MAX_LINE_BYTES:
            raise _too_long(number + 1)
        for piece in pieces:
            number += 1
            if len(piece) > MAX_LINE_BYTES:
                raise _too_long(number)
            yield _decode(piece, number)
    if pending:
        yield _decode(pending, number + 1)


def _decode(piece: bytes, number: int) -> str:
    try:
        return piece.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.ApiError(422, "validation_failed", "The file is not UTF-8 text.", {"file": [
            f"Line {number}: byte 0x{piece[exc.start]:02x} at position {exc.start + 1} is not UTF-8."]}) from None


def _too_long(number: int) -> errors.ApiError:
    return errors.ApiError(422, "validation_failed", "The file has a line that is too long.",
                           {"file": [f"Line {number} is longer than {MAX_LINE_BYTES} bytes."]})


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
