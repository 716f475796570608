"""The config file (``kam.toml``): where a company's data lives, how it is written, and the
analysis parameters. Read with the standard library; with no file the bundled sample is used.

A minimal ``kam.toml``::

    [source]
    folder = "exports"            # CSV / Excel / Parquet files, relative to this file

    [tables.transactions]
    file = "invoices.csv"
    columns = { account_id = "Customer No", date = "Invoice Date", revenue = "Net Amount" }

    [format]
    date_format = "%d.%m.%Y"
    decimal = ","
    thousands = "."

    [analysis]
    as_of = "2025-12-31"

Examples
--------
>>> cfg = load_config()           # the bundled sample
>>> cfg.is_sample, cfg.analysis.target_share
(True, 0.8)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from kamlib.data.config_checks import (ConfigError, check_analysis, check_formats, check_types,
                                       fail, parse_segments)
from kamlib.data.contract import TABLES, normalise
from kamlib.data.database_url import resolve_database
from kamlib.data.masking import mask_secrets, mask_url
from kamlib.data.plan_settings import PlanSettings, parse_plans
from kamlib.data.relationship_settings import RelationshipSettings, parse_relationships
from kamlib.data.retention_settings import RetentionSettings, parse_retention

__all__ = ["Config", "TableSource", "Formats", "Analysis", "PlanSettings", "ConfigError",
           "RelationshipSettings", "RetentionSettings",
           "load_config",
           "SAMPLE_DIR", "mask_url", "mask_secrets"]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class TableSource:
    """Where one canonical table comes from and how its columns are named there."""

    file: str | None = None  # a file in the source folder (csv, tsv, txt, xlsx, xls, parquet)
    sheet: str | None = None  # Excel sheet name (default: the first sheet)
    table: str | None = None  # a table or view in the DuckDB file / database
    query: str | None = None  # or a SQL query against the database
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> name in the source
    header_row: int = 1  # line (CSV) or row (Excel) that holds the column names
    format: dict[str, Any] = field(default_factory=dict)  # [tables.NAME.format]: overrides


@dataclass(frozen=True)
class Formats:
    """How values are written in the source files."""

    date_format: str | None = None  # strptime format; None = ISO 8601 or one unambiguous format
    decimal: str = "."
    thousands: str = ""  # "" = none expected; "," or "." or " " when used
    encoding: str = "utf-8"
    delimiter: str | None = None  # None = detect; "whitespace" = columns split by runs of blanks
    currency: str = "EUR"  # reporting currency (labels only; amounts are not converted)


@dataclass(frozen=True)
class Analysis:
    """Analysis parameters shared by every module."""

    as_of: date | None = None  # None = the last transaction date up to today
    start: date | None = None  # analysis window start (None = from the first transaction)
    end: date | None = None  # analysis window end (None = as_of)
    unknown_accounts: str = "error"  # or "create": add unknown transaction accounts, counted
    target_share: float = 0.8  # the X in "share of accounts that make X% of revenue"
    abc_cutoffs: tuple[float, float] = (0.8, 0.95)
    xyz_cutoffs: tuple[float, float] = (0.5, 1.0)  # coefficient of variation limits for X / Y
    xyz_period: str = "M"  # "M" monthly or "Q" quarterly
    lost_after_days: int = 180
    # the account status's "at risk" rules (kamlib.status.StatusRules): a gap beyond this
    # many times the account's usual days between purchases (and over the minimum), revenue
    # in the last 12 months this share below the 12 before, this many products dropped
    at_risk_gap_factor: float = 3.0
    at_risk_min_gap_days: int = 60
    at_risk_revenue_drop: float = 0.3
    at_risk_dropped_products: int = 2
    # Exact duplicate transaction lines: "auto" drops them only when lines carry an identity
    # (invoice_id), since without one two equal lines may be two real purchases; or "drop"/"keep"
    duplicate_lines: str = "auto"
    # [[analysis.segments]]: the RFM segment table as rows (segment, r_from, r_to, fm_from,
    # fm_to, action); None = kamlib.segments.SEGMENTS. Checked to cover the 5 x 5 grid once.
    segments: tuple[tuple[str, int, int, int, int, str], ...] | None = None


@dataclass(frozen=True)
class Config:
    """Everything ``kam.toml`` says, with defaults filled in. Paths are absolute."""

    path: Path | None
    folder: Path | None = None
    database: str | None = None  # a DuckDB file path or a connection URL for ibis.connect
    allow_outside: bool = False  # True: a table's file may lie outside the folder (or link out)
    # where the transaction rules and the cube run: "local" (the lines are read into the
    # embedded DuckDB) or "database" (on the database server; kamlib.data.pushdown)
    compute: str = "local"
    tables: dict[str, TableSource] = field(default_factory=dict)
    formats: Formats = field(default_factory=Formats)
    analysis: Analysis = field(default_factory=Analysis)
    plans: PlanSettings = field(default_factory=PlanSettings)  # [plans]: the account plans
    # [relationships]: the ladder, bonds, KAM stages and health score (kamlib.relationships)
    relationships: RelationshipSettings = field(default_factory=RelationshipSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)  # [retention]

    @property
    def is_sample(self) -> bool:
        return self.path is None

    @property
    def shown_path(self) -> str:
        """The config file as reports show it: its name only, never the machine's folders."""
        return self.path.name if self.path else "(bundled sample)"

    @property
    def shown_database(self) -> str:
        """The database as messages show it: a file by name, a URL without its password."""
        return mask_url(self.database) if self.database and "://" in self.database else (
            Path(self.database).name if self.database else "")

    def __repr__(self) -> str:
        """The dataclass's repr, with the database's passwords masked."""
        def shown(name: str) -> str:
            value = getattr(self, name)
            return repr(mask_url(value)) if name == "database" and value else repr(value)
        return "Config(" + ", ".join(f"{f.name}={shown(f.name)}" for f in fields(self)) + ")"

    __str__ = __repr__

    def format_for(self, table: str) -> Formats:
        """The formats of one table: ``[format]`` with ``[tables.NAME.format]`` on top."""
        src = self.tables.get(table)
        return replace(self.formats, **src.format) if src and src.format else self.formats

    def with_analysis(self, **changes: Any) -> Config:
        """A copy with some analysis parameters changed (e.g. ``as_of``)."""
        return replace(self, analysis=replace(self.analysis, **changes))


# A table without a file or table setting is looked up by its canonical name:
# <name>.csv / .parquet / .xlsx in the folder, or table <name> in the database.
_SAMPLE_TABLES = {name: TableSource() for name in TABLES}
COMPUTE = ("local", "database")
COMPUTE_HELP = ("\"local\" (the default: the lines are read into the kit's own engine) or "
                "\"database\" (the rules and the cube run on the database server; only "
                "results come back)")


def _query_problem(query: str, database: str | None) -> str | None:
    """Why ``query`` is refused (:mod:`kamlib.data.readonly_sql`), or None; the SQL parsers
    (DuckDB, sqlglot) are imported only for a config that has a query."""
    from kamlib.data.readonly_sql import dialect_of, query_problem

    return query_problem(query, dialect_of(database))


def _section(raw: dict, key: str, cls: type, path: Path | None, convert: dict | None = None,
             checked: tuple[str, ...] = ()):
    """``cls`` from section ``key``; ``checked`` fields get a more specific check later."""
    values = dict(raw.get(key, {}))
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise fail(path, key, f"unknown setting(s) {unknown}; known: {sorted(known)}")
    check_types({k: v for k, v in values.items() if k not in checked}, cls, path, key)
    for name, fn in (convert or {}).items():
        if values.get(name) is not None:
            try:
                values[name] = fn(values[name])
            except ConfigError:
                raise
            except (TypeError, ValueError) as err:
                raise fail(path, key, f"{name} = {values[name]!r}: {err}") from None
    return cls(**values)


def _table_format(values: dict, table: str, path: Path | None) -> dict[str, Any]:
    """Checked ``[tables.NAME.format]`` overrides (currency is one per report, not per table)."""
    key = f"tables.{table}.format"
    if not isinstance(values, dict):
        raise fail(path, key, "must be a table of format settings, e.g. "
                    f"[tables.{table}.format] delimiter = \";\"")
    known = {f.name for f in fields(Formats)} - {"currency"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise fail(path, key, f"unknown setting(s) {unknown}; known: {sorted(known)}"
                    + (" (currency is set once, in [format])" if "currency" in unknown else ""))
    _section({key: values}, key, Formats, path)  # the same type checks as [format]
    return dict(values)


def _database(source: dict, path: Path) -> str | None:
    """The database setting: a file relative to kam.toml, a URL, or a URL from the environment.

    ``database_env`` names an environment variable holding the URL, so that a password never
    has to be written into ``kam.toml``.
    """
    if "database" in source and "database_env" in source:
        raise fail(path, "source", "set database or database_env, not both")
    if "database_env" in source:
        var = source["database_env"]
        database = os.environ.get(str(var))
        if not database:
            raise fail(path, "source", f"database_env = {var!r}: the environment variable "
                        f"{var} is not set; export it with the connection URL, e.g. "
                        f"export {var}='postgres://user:password@host/db'")
    else:
        database = source.get("database")
    if not database:
        return None
    try:
        return resolve_database(database, path.parent)
    except FileNotFoundError as err:
        key = "database_env" if "database_env" in source else "database"
        raise fail(path, "source", f"{key} = {mask_url(source[key])!r}: "
                   f"{mask_url(str(err))}") from None


# strptime directives that both Python and DuckDB's strptime read the same way
def _read_toml(path: Path) -> dict:
    """The parsed file; a byte-order mark (Notepad's UTF-8 or UTF-16) is accepted."""
    data = path.read_bytes()
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not UTF-8 text (byte {data[err.start]:#04x} at position "
                          f"{err.start}): save kam.toml as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None


def _to_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_config(path: str | Path | None = None) -> Config:
    """Read ``kam.toml``; ``None`` (or "") gives the bundled sample data set.

    Errors name the file and the section: unknown sections, tables or settings are refused
    rather than ignored, because a typo there would silently fall back to a default.
    """
    if path in (None, ""):
        return Config(path=None, folder=SAMPLE_DIR, tables=_SAMPLE_TABLES)
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    raw = _read_toml(path)
    unknown = sorted(set(raw) - {"source", "tables", "format", "analysis", "plans",
                                 "relationships", "retention"})
    if unknown:
        raise fail(path, ",".join(unknown), "unknown section(s); known: source, tables, format, "
                    "analysis, plans, relationships, retention")
    for section in ("source", "tables", "format", "analysis"):
        if not isinstance(raw.get(section, {}), dict):
            raise fail(path, section, f"is a value, not a section: write [{section}] on a "
                        "line of its own, then its settings")
    source = raw.get("source", {})
    known = {"folder", "database", "database_env", "allow_outside", "compute"}
    bad = sorted(set(source) - known)
    if bad:
        raise fail(path, "source", f"unknown setting(s) {bad}; known: {sorted(known)}")
    for key in ("folder", "database", "database_env"):
        if key in source and not isinstance(source[key], str):
            raise fail(path, "source", f"{key} = {source[key]!r}: expected text in quotes, "
                        f"e.g. \"exports\"")
    allow_outside = source.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        raise fail(path, "source", f"allow_outside = {allow_outside!r}: true or false")
    folder = (path.parent / source["folder"]).resolve() if "folder" in source else None
    database = _database(source, path)
    compute = source.get("compute", "local")
    if compute not in COMPUTE:
        raise fail(path, "source", f"compute = {compute!r}: {COMPUTE_HELP}")
    if compute == "database" and (database is None or "://" not in database
                                  or database.startswith(("duckdb://", "sqlite://"))):
        raise fail(path, "source", "compute = \"database\" needs a database server: set "
                   "[source] database (or database_env) to its URL, e.g. postgres://…; files, "
                   "DuckDB and SQLite are computed locally")
    if folder is None and database is None:
        folder = path.parent
    if folder is not None and not folder.is_dir():
        raise fail(path, "source", f"folder = {source['folder']!r}: {folder} is not a folder")
    tables = {}
    for name, spec in raw.get("tables", {}).items():
        if name not in TABLES:
            raise fail(path, f"tables.{name}", f"unknown table; known: {sorted(TABLES)}")
        if not isinstance(spec, dict):
            raise fail(path, f"tables.{name}", f"= {spec!r}: expected a section of settings")
        src = _section({f"tables.{name}": spec}, f"tables.{name}", TableSource, path)
        if src.format:
            src = replace(src, format=_table_format(src.format, name, path))
        unknown_cols = sorted(set(src.columns) - set(TABLES[name].names))
        if unknown_cols:
            raise fail(path, f"tables.{name}.columns",
                        f"{unknown_cols} are not columns of {name}; known: "
                        f"{list(TABLES[name].names)}")
        by_source: dict[str, list[str]] = {}
        for col in TABLES[name].names:  # a source column read as two canonical columns
            by_source.setdefault(normalise(src.columns.get(col, col)), []).append(col)
        twice = [cols for cols in by_source.values() if len(cols) > 1]
        if twice:
            raise fail(path, f"tables.{name}.columns", f"{' and '.join(twice[0])} are both "
                       f"read from the column {src.columns.get(twice[0][0], twice[0][0])!r}; "
                       "one source column can only be one of them")
        if src.header_row < 1:
            raise fail(path, f"tables.{name}", f"header_row = {src.header_row}: the line or "
                        "row of the column names, 1 or more")
        if src.query is not None and (problem := _query_problem(src.query, database)):
            raise fail(path, f"tables.{name}", f"query {problem}; a query must be one "
                        "read-only SELECT over the database's tables")
        tables[name] = src
    for name in TABLES:
        tables.setdefault(name, TableSource())
    formats = _section(raw, "format", Formats, path)
    check_formats(formats, path)
    if formats.decimal == formats.thousands:
        raise fail(path, "format", "decimal and thousands separators must differ")
    for name, src in tables.items():
        merged = replace(formats, **src.format)
        if src.format:
            check_formats(merged, path, f"tables.{name}.format")
        if merged.decimal == merged.thousands:
            raise fail(path, f"tables.{name}.format", "decimal and thousands separators "
                        "must differ (after [format] is applied)")
    analysis = _section(raw, "analysis", Analysis, path, {
        "as_of": _to_date, "start": _to_date, "end": _to_date,
        "abc_cutoffs": tuple, "xyz_cutoffs": tuple,
        "segments": lambda rows: parse_segments(rows, path),
    }, checked=("target_share", "abc_cutoffs", "xyz_cutoffs", "lost_after_days", "segments"))
    check_analysis(analysis, path)
    end = analysis.end or analysis.as_of
    if analysis.start and end and analysis.start > end:
        raise fail(path, "analysis", f"start = {analysis.start} is after the window's end "
                    f"({'end' if analysis.end else 'as_of'} = {end})")
    if analysis.unknown_accounts not in ("error", "create"):
        raise fail(path, "analysis", "unknown_accounts must be 'error' or 'create'")
    if analysis.duplicate_lines not in ("auto", "drop", "keep"):
        raise fail(path, "analysis", f"duplicate_lines = {analysis.duplicate_lines!r}: 'auto' "
                    "(drop exact duplicates only when lines carry an invoice id), 'drop' or 'keep'")
    plans = parse_plans(raw.get("plans", {}), path)
    relationships = parse_relationships(raw.get("relationships", {}), path)
    retention = parse_retention(raw.get("retention", {}), path)
    return Config(path=path, folder=folder, database=database, allow_outside=allow_outside,
                  compute=compute,
                  tables=tables, formats=formats, analysis=analysis, plans=plans,
                  relationships=relationships, retention=retention)
