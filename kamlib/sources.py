"""Reading one source table (CSV, Excel, Parquet, DuckDB or a database) into DuckDB, raw.

This module finds the file, checks its encoding, delimiter and header, maps the user's column
names onto the contract and loads the rows as they are (text for CSV and Excel, native types
for Parquet and databases) into a DuckDB table; Excel sheets are read by ``sources_excel.py``,
Parquet and databases by ``sources_typed.py``. Parsing values is ``parsing.py``'s job.
Problems are recorded in the report, never raised, so one run reports every file at once.

Examples
--------
>>> import duckdb
>>> from kamlib.config import load_config
>>> from kamlib.problems import ValidationReport
>>> report = ValidationReport()
>>> raw = read_table(duckdb.connect(), "activity_rates", load_config(), report)
>>> raw.mapping["unit_cost"], report.ok
('unit_cost', True)
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kamlib.config import Config
from kamlib.contract import TABLES
from kamlib.file_lines import LineMap, count_lines, text_encoding
from kamlib.problems import ValidationReport

__all__ = ["RawTable", "read_table", "after_scan", "file_sha256"]

EXTENSIONS = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm", ".xls")
DELIMITERS = (",", ";", "\t", "|")
HEAD_BYTES = 1 << 16
# Encodings DuckDB's CSV reader decodes itself; others are transcoded to UTF-8 first.
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
                    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
                    "utf-16": "utf-16"}


@dataclass
class RawTable:
    """A source table loaded into DuckDB table ``name`` with canonical column names."""

    table: str
    file: str
    path: Path | None
    name: str
    mapping: dict[str, str]
    types: dict[str, str]
    rows: int
    sheet: str | None = None
    first_line: int = 2  # line (or row) number of the first data row
    skipped_lines: list[int] = field(default_factory=list)  # rejected lines before data rows
    rejects: str | None = None  # DuckDB's table of lines the CSV reader rejected
    width: int = 0  # columns in the header
    csv_args: str | None = None  # read_csv arguments but columns, for a typed second reader
    positions: dict[str, int] = field(default_factory=dict)  # contract column -> CSV field
    raw_text: bool = True  # t_<table> keeps unparsed text in <column>__raw (parsing.py)
    encoding: str = "utf-8"
    delimiter: str = ","
    _line_map: LineMap | bool | None = field(default=None, repr=False, compare=False)

    def lines(self, rowids) -> list[int]:
        """File line numbers of the given 0-based row ids (rejected lines accounted for)."""
        exact = self._exact_lines()
        if exact:
            return [exact.rows[int(i)] for i in rowids]
        out = []
        for i in rowids:
            line = self.first_line + int(i)
            for r in self.skipped_lines:
                if r <= line:
                    line += 1
                else:
                    break
            out.append(line)
        return out

    def reject_lines(self, numbers) -> list[int]:
        """File lines of the records the CSV reader rejected, from its own line numbers."""
        exact = self._exact_lines()
        return [exact.by_reject.get(n, n) for n in numbers] if exact else list(numbers)

    def _exact_lines(self) -> LineMap | None:
        """A row-to-line map when blank lines or quoted line breaks shift the lines, else None.

        Needs ``rows`` and ``skipped_lines`` (set by :func:`after_scan`); computed once.
        """
        if self.csv_args is None or self.path is None:
            return None
        if self._line_map is None:
            header = self.first_line - 1
            plain = count_lines(self.path, self.encoding) == header + self.rows + len(
                self.skipped_lines)
            self._line_map = plain or LineMap(self.path, self.encoding, self.delimiter, header,
                                              set(self.skipped_lines))
        return self._line_map if isinstance(self._line_map, LineMap) else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalise(name: object) -> str:
    """Column-name form used for matching: no BOM, trimmed, lower case, '_' for blanks."""
    return re.sub(r"[\s\-]+", "_", str(name).replace("\ufeff", "").strip().lower())


def _locate(name: str, config: Config, report: ValidationReport) -> Path | None:
    src = config.tables[name]
    folder = config.folder
    if src.file:
        path = (folder / src.file) if folder else Path(src.file)
        if path.is_file():
            return path
        found = sorted(p.name for p in folder.iterdir()) if folder and folder.is_dir() else []
        report.error(name, str(path), "file-not-found", f"the {name} file does not exist",
                     hint=f"Files in {folder}: {found}" if found else "Check [source] folder.")
        return None
    candidates = [folder / f"{name}{ext}" for ext in EXTENSIONS] if folder else []
    for path in candidates:
        if path.is_file():
            return path
    if TABLES[name].required_table:
        report.error(name, str(folder / name), "file-not-found",
                     f"no file for the {name} table",
                     hint=f"Add {name}.csv (or .xlsx/.parquet) to {folder}, or set "
                          f"[tables.{name}] file = \"...\" in kam.toml.")
    return None


def read_table(con: duckdb.DuckDBPyConnection, name: str, config: Config,
               report: ValidationReport) -> RawTable | None:
    """Load table ``name`` into ``con`` as ``raw_<name>``; ``None`` if it cannot be used."""
    # these build on this module
    from kamlib.sources_excel import read_excel
    from kamlib.sources_typed import read_database, read_parquet

    if config.folder is None:
        return read_database(con, name, config, report)
    path = _locate(name, config, report)
    if path is None:
        return None
    shown = str(path.relative_to(config.folder)) if path.is_relative_to(config.folder) else str(path)
    if path.stat().st_size == 0:
        report.error(name, shown, "empty-file", "the file is empty (0 bytes)",
                     hint="Export the table again, with its header row.")
        return None
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return read_parquet(con, name, path, shown, config, report)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_excel(con, name, path, shown, config, report)
    return _read_csv(con, name, path, shown, config, report)


def _map_columns(name: str, header: list[str], file: str, config: Config,
                 report: ValidationReport, sheet: str | None = None) -> dict[str, int] | None:
    """Positions of the contract's columns in ``header``; errors for missing or duplicates."""
    spec, user = TABLES[name], config.tables[name].columns
    norm = [normalise(h) for h in header]
    # blank names (trailing delimiters of a spreadsheet export) are extra columns, not clashes
    dupes = sorted({h for h, n in zip(header, norm) if n and norm.count(n) > 1})
    if dupes:
        report.error(name, file, "duplicate-column", "the header has duplicate column names",
                     sheet=sheet, lines=(config.tables[name].header_row,), values=dupes,
                     count=len(dupes), hint="Rename or remove the repeated columns.")
        return None
    positions, missing, renamed = {}, [], 0
    for col in spec.columns:
        wanted = user.get(col.name, col.name)
        if normalise(wanted) in norm:
            i = norm.index(normalise(wanted))
            positions[col.name] = i
            renamed += header[i] != wanted
        elif col.required:
            missing.append(wanted)
    if missing:
        report.error(name, file, "missing-column",
                     f"required column(s) missing: {', '.join(missing)}", sheet=sheet,
                     values=missing, count=len(missing),
                     hint=f"Columns found: {header}. Map yours in kam.toml: "
                          f"[tables.{name}] columns = {{ {missing[0]} = \"Your column\" }}.")
        return None
    report.cleaned(name, file, "column names normalised (case, spaces, BOM)", renamed)
    extra = [h or f"(unnamed column {i + 1})" for i, h in enumerate(header)
             if i not in positions.values()]
    if extra:
        report.warn(name, file, "extra-column", "column(s) not in the contract are ignored",
                    sheet=sheet, values=extra, count=len(extra))
    return positions


def _find_header(rows: list[list[str]], name: str, config: Config) -> int | None:
    """Index of the first row that holds every required column (for title-row hints)."""
    user = config.tables[name].columns
    wanted = {normalise(user.get(c, c)) for c in TABLES[name].required}
    for i, row in enumerate(rows):
        if wanted <= {normalise(c) for c in row}:
            return i
    return None


def _header_or_error(rows: list[list[str]], name: str, file: str, config: Config,
                     report: ValidationReport, sheet: str | None = None) -> bool:
    """False (with an error) when the header is not on the configured row but further down."""
    h = config.tables[name].header_row - 1
    found = _find_header(rows, name, config)
    if found is not None and found != h:
        report.error(name, file, "header-row", f"the header is on row {found + 1}, not row "
                     f"{h + 1}: rows above it look like a title", sheet=sheet,
                     lines=(found + 1,), values=[" ".join(map(str, rows[h]))[:80]],
                     hint=f"Set [tables.{name}] header_row = {found + 1} in kam.toml, or "
                          f"delete the title rows.")
        return False
    return True


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


def _read_csv(con, name, path, file, config, report) -> RawTable | None:
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
    if not _header_or_error(rows, name, file, config, report):
        return None
    header = rows[h] if h < len(rows) else []
    if len(header) == 1 and len(TABLES[name].required) > 1:
        best = _sniff_delimiter(lines[h])
        known = best != delim and lines[h].count(best)
        report.error(name, file, "delimiter", f"1 column detected with delimiter {delim!r}"
                     + (f"; the header looks {best!r}-separated" if known else ""),
                     lines=(h + 1,), values=[lines[h][:80]],
                     hint=f"Set [format] delimiter = {best!r} in kam.toml." if known else
                     "Separate the columns with , ; | or a tab (or set [format] delimiter).")
        return None
    positions = _map_columns(name, header, file, config, report)
    if positions is None:
        return None
    source = _transcode(path, encoding)
    enc = DUCKDB_ENCODINGS.get(encoding.lower(), "utf-8")
    cols = {f"c{i}": "VARCHAR" for i in range(len(header))}
    table, rejects = f"raw_{name}", f"rejects_{name}"
    select = ", ".join(f"c{i} AS {c}" for c, i in positions.items())
    args = (f"{_quote(source)}, header=false, skip={h + 1}, delim={_quote(delim)}, quote='\"', "
            f"escape='\"', auto_detect=false, strict_mode=true, store_rejects=true, "
            f"encoding='{enc}'")
    # A view, not a table: the rows are read once, by parsing.py's CREATE TABLE ... AS.
    con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT {select} FROM read_csv({args}, "
                f"columns={cols}, rejects_table='{rejects}', rejects_scan='{rejects}_scan')")
    return RawTable(name, file, path, table, {c: header[i] for c, i in positions.items()},
                    {c: "VARCHAR" for c in positions}, rows=0, first_line=h + 2,
                    rejects=rejects, width=len(header), csv_args=args, positions=positions,
                    encoding=encoding, delimiter=delim)


def _quote(text: object) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def after_scan(con: duckdb.DuckDBPyConnection, raw: RawTable, table: str,
               report: ValidationReport) -> bool:
    """Count the rows read into ``table`` and report lines the reader rejected.

    Returns False when the table cannot be used (no rows and nothing rejected).
    """
    raw.rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    bad = []
    if raw.rejects:
        bad = con.execute(f"SELECT line, error_type::VARCHAR, csv_line FROM {raw.rejects} "
                          f"ORDER BY line").fetchall()
        raw.skipped_lines = sorted(set(raw.skipped_lines) | {int(b[0]) for b in bad})
        if bad:
            bad = [(line, *rest) for line, (_, *rest) in zip(raw.reject_lines(
                [int(b[0]) for b in bad]), bad)]
        _report_rejects(bad, raw.table, raw.file, raw.width, report)
    if raw.rows == 0 and not bad:
        report.error(raw.table, raw.file, "no-data", "the file has a header but no data rows",
                     sheet=raw.sheet, lines=(raw.first_line - 1,),
                     hint="Export the data rows too.")
        return False
    return True


def _report_rejects(bad: list[tuple], name: str, file: str, width: int,
                    report: ValidationReport) -> None:
    kinds = {"TOO MANY COLUMNS": ("ragged-row", f"more fields than the {width} header columns"),
             "MISSING COLUMNS": ("ragged-row", f"fewer fields than the {width} header columns"),
             "INVALID ENCODING": ("encoding", "bytes that are not valid in the file's encoding"),
             "UNQUOTED VALUE": ("quoting", "a quote character inside an unquoted value")}
    for kind, (rule, what) in kinds.items():
        # DuckDB may log one line twice (once per missing field): one entry per line
        hits = list({b[0]: b for b in bad if b[1] == kind}.values())
        if hits:
            report.error(name, file, rule, f"{len(hits)} line(s) with {what}",
                         lines=[b[0] for b in hits], values=[str(b[2])[:60] for b in hits],
                         count=len(hits), hint="Fix those lines (a stray delimiter or quote?) "
                         "or set [format] encoding / delimiter.")
    other = [b for b in bad if b[1] not in kinds]
    if other:
        report.error(name, file, "unreadable-line", f"{len(other)} line(s) could not be read",
                     lines=[b[0] for b in other], values=[b[1] for b in other],
                     count=len(other))


def _transcode(path: Path, encoding: str) -> Path:
    """A UTF-8 copy for encodings DuckDB does not decode itself (e.g. cp1252)."""
    if encoding.lower() in DUCKDB_ENCODINGS:
        return path
    import tempfile
    out = Path(tempfile.mkdtemp(prefix="kamkit-")) / path.name
    with open(path, encoding=encoding, newline="") as src, open(out, "w", encoding="utf-8",
                                                                newline="") as dst:
        for block in iter(lambda: src.read(1 << 20), ""):
            dst.write(block)
    return out
