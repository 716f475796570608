"""What every source reader shares: the raw-table type, column mapping and header checks.

A reader loads a source's rows as they are into a DuckDB relation ``raw_<table>`` with the
contract's column names and returns a :class:`RawTable` describing it. This module depends on
no reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kamlib._written import sha256 as file_sha256
from kamlib.data.config import Config
from kamlib.data.contract import TABLES, normalise
from kamlib.data.file_lines import LineMap, count_lines
from kamlib.data.problems import ValidationReport, fragment

__all__ = ["RawTable", "after_scan", "file_sha256", "normalise", "map_columns",
           "header_or_error", "find_header", "quote", "ident", "typed_source"]


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
    explained_blanks: dict[str, list[int]] = field(default_factory=dict)  # reported already
    noun: str = "file"  # what messages call the source: a "file", or a database's "table"
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


def map_columns(name: str, header: list[str], file: str, config: Config,
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
    clash = False
    for i in sorted(set(positions.values())):  # one column cannot be two things
        both = [c for c, j in positions.items() if j == i]
        if len(both) > 1:
            report.error(name, file, "column-mapped-twice", f"the column {header[i]!r} is read "
                         f"as {' and as '.join(both)}", sheet=sheet, values=both,
                         count=len(both), hint=f"Map each of {both} to a column of its own in "
                         f"[tables.{name}] columns (or leave the optional one out).")
            clash = True
    if missing:
        report.error(name, file, "missing-column",
                     f"required column(s) missing: {', '.join(missing)}", sheet=sheet,
                     values=missing, count=len(missing),
                     hint=f"Columns found: {_names(header)}. Map yours in kam.toml: "
                          f"[tables.{name}] columns = {{ {missing[0]} = \"Your column\" }}.")
    if missing or clash:
        return None
    report.cleaned(name, file, "column names normalised (case, spaces, BOM)", renamed)
    extra = [h or f"(unnamed column {i + 1})" for i, h in enumerate(header)
             if i not in positions.values()]
    if extra:
        report.warn(name, file, "extra-column", "column(s) not in the contract are ignored",
                    sheet=sheet, values=extra, count=len(extra))
    return positions


def _names(header: list[str], most: int = 12) -> list[str]:
    """Header names as shown in a hint: short, printable, a dozen at most."""
    return [fragment(h, 40) for h in header[:most]] + (["…"] if len(header) > most else [])


def find_header(rows: list[list[str]], name: str, config: Config) -> int | None:
    """Index of the first row that holds every required column (for title-row hints)."""
    user = config.tables[name].columns
    wanted = {normalise(user.get(c, c)) for c in TABLES[name].required}
    for i, row in enumerate(rows):
        if wanted <= {normalise(c) for c in row}:
            return i
    return None


def header_or_error(rows: list[list[str]], name: str, file: str, config: Config,
                     report: ValidationReport, sheet: str | None = None) -> bool:
    """False (with an error) when the header is not on the configured row but further down."""
    h = config.tables[name].header_row - 1
    found = find_header(rows, name, config)
    if found is not None and found != h:
        report.error(name, file, "header-row", f"the header is on row {found + 1}, not row "
                     f"{h + 1}: rows above it look like a title", sheet=sheet,
                     lines=(found + 1,), values=[fragment(" ".join(map(str, rows[h])), 40)],
                     hint=f"Set [tables.{name}] header_row = {found + 1} in kam.toml, or "
                          f"delete the title rows.")
        return False
    return True


def quote(text: object) -> str:
    """A SQL string literal.

    >>> quote("O'Neil")
    "'O''Neil'"
    """
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: object) -> str:
    """A SQL identifier for any source column or table name (quotes, newlines, backslashes).

    >>> ident('Net "net" amount')
    '"Net ""net"" amount"'
    """
    return '"' + str(name).replace('"', '""') + '"'


def after_scan(con: duckdb.DuckDBPyConnection, raw: RawTable, table: str,
               report: ValidationReport) -> bool:
    """Count the rows read into ``table`` and report lines the reader rejected.

    Returns False when the table cannot be used (no rows and nothing rejected).
    """
    raw.rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
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
        what = "the file has a header but" if raw.noun == "file" else "the table has"
        lines = (raw.first_line - 1,) if raw.noun == "file" else ()
        if not TABLES[raw.table].required_table:
            # an optional table with a header and no rows: the company has none of these
            report.warn(raw.table, raw.file, "no-data", f"{what} no data rows: read as an "
                        f"empty {raw.table} table", sheet=raw.sheet, lines=lines,
                        hint="Fine if there are none; otherwise " + (
                            "export the rows too." if raw.noun == "file" else
                            "check [tables] in kam.toml (the right table or query?)."))
            return True
        report.error(raw.table, raw.file, "no-data", f"{what} no data rows",
                     sheet=raw.sheet, lines=lines,
                     hint="Export the data rows too." if raw.noun == "file" else
                     f"Check that [tables.{raw.table}] names the table (or query) that "
                     "holds the rows.")
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


def typed_source(con, name, relation: str, file: str, config, report, path=None,
                 mapped: dict[str, str] | None = None):
    """Map a typed relation's columns (Parquet, database) onto the contract as ``raw_<name>``.

    ``mapped`` (contract column -> source column): the mapping made already (a database
    table, mapped on its schema before only those columns were read)."""
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as err:  # a query naming a missing table or column, say
        report.error(name, file, "unreadable", f"cannot read {name}: {err}".splitlines()[0],
                     hint=f"Check [tables.{name}] in kam.toml.")
        return None
    header = [d[0] for d in described]
    positions = {c: header.index(s) for c, s in mapped.items()} if mapped else \
        map_columns(name, header, file, config, report)
    if positions is None:
        return None
    select = ", ".join(f"{ident(header[i])} AS {c}" for c, i in positions.items())
    con.execute(f"CREATE OR REPLACE VIEW raw_{name} AS SELECT {select} FROM {relation}")
    return RawTable(name, file, path, f"raw_{name}", {c: header[i] for c, i in positions.items()},
                    {c: str(described[i][1]) for c, i in positions.items()}, rows=0,
                    first_line=1, noun="file" if path else "table")
