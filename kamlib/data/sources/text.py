"""Text sources: CSV, TSV and other delimited text files, read raw into DuckDB.

The file's encoding, delimiter and header are checked here; the rows go to DuckDB's CSV
reader as text, with its rejects table giving line numbers. Parsing values is
:mod:`kamlib.data.parsing`'s job.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from kamlib.data.contract import TABLES
from kamlib.data.file_lines import text_encoding
from kamlib.data.problems import ValidationReport, fragment
from kamlib.data.sources.base import RawTable, header_or_error, map_columns, quote

__all__ = ["read_text"]

DELIMITERS = (",", ";", "\t", "|")
WHITESPACE = "whitespace"  # [format] delimiter for columns aligned with runs of blanks
HEAD_BYTES = 1 << 16
MAX_HEADER_BYTES = 1 << 26  # a "header" longer than 64 MiB is not a header
# Encodings DuckDB's CSV reader decodes itself; others are transcoded to UTF-8 first.
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
                    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
                    "utf-16": "utf-16"}




def _read_head(path: Path, header_row: int) -> bytes:
    """The first 64 KiB, or as much more as it takes to hold the header line whole."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
        while head.count(b"\n") < header_row and len(head) < MAX_HEADER_BYTES:
            more = fh.read(len(head))  # a header of thousands of columns: read on
            if not more:
                return head
            head += more
        if len(head) >= HEAD_BYTES and fh.read(1):  # don't judge a character cut at the edge
            head = head[: head.rfind(b"\n") + 1] or head
    return head


def _decode_head(path: Path, encoding: str, name: str, file: str, header_row: int,
                 report: ValidationReport) -> str | None:
    head = _read_head(path, header_row)
    try:
        return head.decode(text_encoding(encoding))
    except UnicodeDecodeError as err:
        line = head[: err.start].count(b"\n") + 1
        report.error(name, file, "encoding", f"the file is not valid {encoding}: byte "
                     f"{head[err.start]:#04x} cannot be decoded", lines=(line,),
                     hint="Save the file as UTF-8, or set [format] encoding = \"cp1252\" "
                          "(or latin-1) in kam.toml.")
        return None


def _encoding(path: Path, configured: str) -> str:
    """The configured encoding, unless the file starts with a UTF-16 byte-order mark.

    Spreadsheets save "Unicode text" as UTF-16 with a mark that says so; trusting the mark
    lets one such file sit next to UTF-8 ones without a setting per file.
    """
    with open(path, "rb") as fh:
        start = fh.read(2)
    return "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else configured


def _sniff_delimiter(line: str) -> str:
    return max(DELIMITERS, key=lambda d: (line.count(d), -DELIMITERS.index(d)))


def read_text(con, name, path, file, config, report) -> RawTable | None:
    fmt, src = config.format_for(name), config.tables[name]
    encoding = _encoding(path, fmt.encoding)
    text = _decode_head(path, encoding, name, file, src.header_row, report)
    if text is None:
        return None
    lines = text.splitlines()
    h = src.header_row - 1
    if len(lines) <= h or not lines[h].strip():
        report.error(name, file, "no-header", f"no header on line {h + 1}",
                     lines=(h + 1,), hint="The first line must hold the column names.")
        return None
    whitespace = fmt.delimiter == WHITESPACE
    delim = "\t" if whitespace else fmt.delimiter or _sniff_delimiter(lines[h])
    rows = ([line.split() for line in lines[:50]] if whitespace else
            list(csv.reader(io.StringIO("\n".join(lines[:50])), delimiter=delim)))
    if not header_or_error(rows, name, file, config, report):
        return None
    header = rows[h] if h < len(rows) else []
    if len(header) == 1 and len(TABLES[name].required) > 1:
        best = _sniff_delimiter(lines[h])
        known = best != delim and lines[h].count(best)
        report.error(name, file, "delimiter", f"1 column detected with delimiter {delim!r}"
                     + (f"; the header looks {best!r}-separated" if known else ""),
                     lines=(h + 1,), values=[fragment(lines[h])],
                     hint=f"Set [format] delimiter = {best!r} in kam.toml." if known else
                     "Separate the columns with , ; | or a tab (or set [format] delimiter).")
        return None
    positions = map_columns(name, header, file, config, report)
    if positions is None:
        return None
    mixed = _mixed_line_endings(path, encoding)
    source = _transcode(con, path, encoding, mixed, whitespace)
    enc = "utf-8" if source != path else DUCKDB_ENCODINGS.get(encoding.lower(), "utf-8")
    cols = {f"c{i}": "VARCHAR" for i in range(len(header))}
    table, rejects = f"raw_{name}", f"rejects_{name}"
    select = ", ".join(f"c{i} AS {c}" for c, i in positions.items())
    args = (f"{quote(source)}, header=false, skip={h + 1}, delim={quote(delim)}, quote='\"', "
            f"escape='\"', auto_detect=false, strict_mode=true, store_rejects=true, "
            f"encoding='{enc}'")
    # A view, not a table: the rows are read once, by parsing.py's CREATE TABLE ... AS.
    con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT {select} FROM read_csv({args}, "
                f"columns={cols}, rejects_table='{rejects}', rejects_scan='{rejects}_scan')")
    return RawTable(name, file, path, table, {c: header[i] for c, i in positions.items()},
                    {c: "VARCHAR" for c in positions}, rows=0, first_line=h + 2,
                    rejects=rejects, width=len(header), csv_args=args, positions=positions,
                    encoding=encoding, delimiter=" " if whitespace else delim)


def _mixed_line_endings(path: Path, encoding: str) -> bool:
    """Whether the file mixes Windows (CRLF) and Unix (LF) line ends, anywhere in it.

    DuckDB's strict CSV reader refuses such a file outright, with no line number. Two
    exports appended one after the other put the other kind anywhere, so the whole file
    is scanned, in blocks, stopping at the first block that shows both kinds: a file
    without a carriage return costs one fast byte search per block.
    """
    if encoding.lower().startswith("utf-16"):  # a line end is two bytes there
        return False
    kinds, carry = set(), b""
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 23), b""):
            block = carry + block
            carry = block[-1:] if block.endswith(b"\r") else b""  # a CR LF cut apart
            block = block[:len(block) - len(carry)]
            crlf = block.count(b"\r\n") if b"\r" in block else 0
            if crlf:
                kinds.add("crlf")
            if block.count(b"\n") > crlf:
                kinds.add("lf")
            if len(kinds) > 1:
                return True
    return False


def _workdir(con) -> Path:
    """A folder for copies of the user's data, removed when the load ends: inside the load's
    working folder (DuckDB's temporary directory, :func:`kamlib.data.dataset.load`), or a
    private folder removed at exit when the connection has none."""
    folder = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0] or "")
    if folder.is_absolute() and folder.is_dir():
        return Path(tempfile.mkdtemp(prefix="kamkit-", dir=folder))
    import atexit
    import shutil

    private = tempfile.mkdtemp(prefix="kamkit-")
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    return Path(private)


def _transcode(con, path: Path, encoding: str, mixed: bool, whitespace: bool = False) -> Path:
    """A UTF-8 copy for encodings DuckDB does not decode itself (e.g. cp1252), one with
    Unix line ends for a file that mixes them, and a tab-separated one for a
    whitespace-aligned export (DuckDB splits on one delimiter only); else ``path`` itself.

    Only CRLF becomes LF, so every line keeps its number (line numbers are counted on the
    original file). The bytes of a UTF-8 file are copied as they are, so that invalid ones
    are still reported by the reader, with their lines.
    """
    if encoding.lower() in DUCKDB_ENCODINGS and not mixed and not whitespace:
        return path
    out = _workdir(con) / path.name
    if whitespace:
        with open(path, encoding=text_encoding(encoding), newline="") as src, \
                open(out, "w", encoding="utf-8", newline="") as dst:
            for line in src:
                ended = line.endswith(("\n", "\r"))
                dst.write("\t".join(line.split()) + ("\n" if ended else ""))
        return out
    binary = encoding.lower() in DUCKDB_ENCODINGS  # only the line ends change: keep the bytes
    text = (None, None) if binary else (encoding, "")
    with open(path, "rb" if binary else "r", encoding=text[0], newline=text[1]) as src, \
            open(out, "wb" if binary else "w", encoding=text[0] and "utf-8",
                 newline=text[1]) as dst:
        cr, crlf, lf = (b"\r", b"\r\n", b"\n") if binary else ("\r", "\r\n", "\n")
        carry = cr[:0]
        for block in iter(lambda: src.read(1 << 22), cr[:0]):
            block = carry + block
            carry = cr if mixed and block.endswith(cr) else cr[:0]  # a CR LF cut apart
            block = block[:len(block) - len(carry)]
            dst.write(block.replace(crlf, lf) if mixed else block)
        dst.write(carry)
    return out
