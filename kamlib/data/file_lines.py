"""Which line of a CSV file a row came from, as a text editor numbers the lines.

DuckDB numbers a table's rows and the lines its reader rejected, but a blank line or a line
break inside a quoted value makes "row n" and "line n" part ways (and DuckDB's own reject
numbers count a multi-line record as one line). A line count tells whether that happened;
only then does one pass with the csv module map every record to the line it starts on. Both
run only when a problem has to name its lines, never on a clean load.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = path.write_text('id,name\\n1,"two\\nlines"\\n\\n2,b\\n')
>>> count_lines(path, "utf-8")
5
>>> scan_records(path, "utf-8", ",")
[(1, 1, True), (2, 2, True), (3, 4, False), (4, 5, True)]
"""

from __future__ import annotations

import csv
from pathlib import Path

__all__ = ["count_lines", "scan_records", "text_encoding", "LineMap", "lone_cr_line"]


def text_encoding(encoding: str) -> str:
    """The codec for reading text: UTF-8 files may start with a byte-order mark."""
    return "utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding


def count_lines(path: Path, encoding: str) -> int:
    """Lines in the file, the last one counted even without a final line break."""
    if encoding.lower().startswith("utf-16"):  # a newline byte is not a newline there
        count, last = 0, "\n"
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            for block in iter(lambda: fh.read(1 << 20), ""):
                count, last = count + block.count("\n"), block[-1:]
        return count + (last != "\n")
    count, last = 0, b"\n"
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def lone_cr_line(path: Path, encoding: str) -> int | None:
    """The first line holding a carriage return that is not part of a CR LF line end (an
    old Mac line end, or a CR pasted into a value), or None. DuckDB's strict reader stops
    at one with no line number.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_bytes(b"a,b\\r\\n1,2\\r\\n3,4\\r,5\\r\\n")
    >>> lone_cr_line(path, "utf-8")
    3
    """
    if encoding.lower().startswith("utf-16"):
        return None
    lines, carry = 1, b""
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            block = carry + block
            carry = block[-1:] if block.endswith(b"\r") else b""
            block = block[:len(block) - len(carry)]
            at = block.replace(b"\r\n", b"\n\n").find(b"\r")  # same offsets
            if at >= 0:
                return lines + block.count(b"\n", 0, at)
            lines += block.count(b"\n")
    return lines if carry else None


def scan_records(path: Path, encoding: str, delimiter: str) -> list[tuple[int, int, bool]]:
    """(DuckDB's line number, first line in the file, holds data) for every record."""
    out, end = [], 0
    # a quote left open runs to the end of the file: one field as long as the file
    limit = csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size + 1))
    try:
        # undecodable bytes are the reader's to report; here they only must not stop the count
        with open(path, encoding=text_encoding(encoding), errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter, quotechar='"', doublequote=True)
            for number, record in enumerate(reader, start=1):
                out.append((number, end + 1, bool(record)))
                end = reader.line_num
    finally:
        csv.field_size_limit(limit)
    return out


class LineMap:
    """File lines of a CSV table's rows and of the reader's rejected records.

    ``header_lines`` lines precede the data; ``rejected`` are DuckDB's line numbers of the
    records it left out; row ``i`` of the table is the ``i``-th data record kept.
    """

    def __init__(self, path: Path, encoding: str, delimiter: str, header_lines: int,
                 rejected: set[int]) -> None:
        records = scan_records(path, encoding, delimiter)
        self.by_reject = {n: first for n, first, _ in records}
        self.rows = [first for n, first, data in records
                     if data and first > header_lines and n not in rejected]
