"""Text sources: CSV, TSV and other delimited text files, read raw into DuckDB.

The file's encoding, delimiter and header are checked here; the rows go to DuckDB's CSV
reader as text, with its rejects table giving line numbers. Parsing values is
:mod:`kamlib.data.parsing`'s job.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kamlib.data.contract import TABLES
from kamlib.data.file_lines import text_encoding
from kamlib.data.problems import ValidationReport, fragment
from kamlib.data.sources.base import RawTable, header_or_error, map_columns, quote

__all__ = ["read_text"]

DELIMITERS = (",", ";", "\t", "|")
HEAD_BYTES = 1 << 16
# Encodings DuckDB's CSV reader decodes itself; others are transcoded to UTF-8 first.
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
                    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
                    "utf-16": "utf-16"}




def _decode_head(path: Path, encoding: str, name: str, file: str,
                 report: ValidationReport) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if len(head) == HEAD_BYTES:  # don't judge a character cut at the block edge
        head = head[: head.rfind(b"\n") + 1] or head
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
    fmt, src = config.formats, config.tables[name]
    encoding = _encoding(path, fmt.encoding)
    text = _decode_head(path, encoding, name, file, report)
    if text is None:
        return None
    lines = text.splitlines()
    h = src.header_row - 1
    if len(lines) <= h or not lines[h].strip():
        report.error(name, file, "no-header", f"no header on line {h + 1}",
                     lines=(h + 1,), hint="The first line must hold the column names.")
        return None
    delim = fmt.delimiter or _sniff_delimiter(lines[h])
    rows = list(csv.reader(io.StringIO("\n".join(lines[:50])), delimiter=delim))
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
    source = _transcode(path, encoding, _scratch(con))
    enc = DUCKDB_ENCODINGS.get(encoding.lower(), "utf-8")
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
                    encoding=encoding, delimiter=delim)


def _scratch(con) -> Path:
    """The load's own working folder: DuckDB's temporary directory, which the load creates
    and removes (:func:`kamlib.data.dataset.load`); a private folder removed at exit else."""
    setting = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    if setting and Path(setting).is_absolute() and Path(setting).is_dir():
        return Path(setting)
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="kamkit-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return Path(folder)


def _transcode(path: Path, encoding: str, scratch: Path) -> Path:
    """A UTF-8 copy for encodings DuckDB does not decode itself (e.g. cp1252), in ``scratch``
    so that the copy of the data goes when the load ends."""
    if encoding.lower() in DUCKDB_ENCODINGS:
        return path
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="transcoded-", dir=scratch)) / path.name
    with open(path, encoding=encoding, newline="") as src, open(out, "w", encoding="utf-8",
                                                                newline="") as dst:
        for block in iter(lambda: src.read(1 << 20), ""):
            dst.write(block)
    return out
