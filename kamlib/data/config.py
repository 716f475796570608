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

import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from kamlib.data.contract import TABLES
from kamlib.data.readonly_sql import dialect_of, query_problem

__all__ = ["Config", "TableSource", "Formats", "Analysis", "ConfigError", "load_config",
           "SAMPLE_DIR"]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data"


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class TableSource:
    """Where one canonical table comes from and how its columns are named there."""

    file: str | None = None  # a file in the source folder (csv, tsv, txt, xlsx, xls, parquet)
    sheet: str | None = None  # Excel sheet name (default: the first sheet)
    table: str | None = None  # a table or view in the DuckDB file / database
    query: str | None = None  # or a SQL query against the database
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> name in the source
    header_row: int = 1  # line (CSV) or row (Excel) that holds the column names


@dataclass(frozen=True)
class Formats:
    """How values are written in the source files."""

    date_format: str | None = None  # strptime format; None = ISO 8601 or one unambiguous format
    decimal: str = "."
    thousands: str = ""  # "" = none expected; "," or "." or " " when used
    encoding: str = "utf-8"
    delimiter: str | None = None  # None = detect from the header line
    currency: str = "EUR"  # reporting currency (labels only; amounts are not converted)


@dataclass(frozen=True)
class Analysis:
    """Analysis parameters shared by every module."""

    as_of: date | None = None  # None = the last transaction date in the data
    start: date | None = None  # analysis window start (None = from the first transaction)
    end: date | None = None  # analysis window end (None = as_of)
    unknown_accounts: str = "error"  # or "create": add unknown transaction accounts, counted
    target_share: float = 0.8  # the X in "share of accounts that make X% of revenue"
    abc_cutoffs: tuple[float, float] = (0.8, 0.95)
    xyz_cutoffs: tuple[float, float] = (0.5, 1.0)  # coefficient of variation limits for X / Y
    xyz_period: str = "M"  # "M" monthly or "Q" quarterly
    lost_after_days: int = 180


@dataclass(frozen=True)
class Config:
    """Everything ``kam.toml`` says, with defaults filled in. Paths are absolute."""

    path: Path | None
    folder: Path | None = None
    database: str | None = None  # a DuckDB file path or a connection URL for ibis.connect
    allow_outside: bool = False  # True: a table's file may lie outside the folder (or link out)
    tables: dict[str, TableSource] = field(default_factory=dict)
    formats: Formats = field(default_factory=Formats)
    analysis: Analysis = field(default_factory=Analysis)

    @property
    def is_sample(self) -> bool:
        return self.path is None

    def with_analysis(self, **changes: Any) -> Config:
        """A copy with some analysis parameters changed (e.g. ``as_of``)."""
        return replace(self, analysis=replace(self.analysis, **changes))


# A table without a file or table setting is looked up by its canonical name:
# <name>.csv / .parquet / .xlsx in the folder, or table <name> in the database.
_SAMPLE_TABLES = {name: TableSource() for name in TABLES}


def _fail(path: Path | None, key: str, why: str) -> ConfigError:
    where = f"{path}" if path else "config"
    return ConfigError(f"{where}: [{key}] {why}")


def _section(raw: dict, key: str, cls: type, path: Path | None, convert: dict | None = None):
    values = dict(raw.get(key, {}))
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise _fail(path, key, f"unknown setting(s) {unknown}; known: {sorted(known)}")
    for name, fn in (convert or {}).items():
        if values.get(name) is not None:
            try:
                values[name] = fn(values[name])
            except (TypeError, ValueError) as err:
                raise _fail(path, key, f"{name} = {values[name]!r}: {err}") from None
    return cls(**values)


def _check_analysis(a: Analysis, path: Path | None) -> None:
    """Refuse parameters no analysis can use, before any data is read."""
    def bad(why: str) -> ConfigError:
        return _fail(path, "analysis", why)

    def number(x: object) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if not number(a.target_share) or not 0 < a.target_share <= 1:
        raise bad(f"target_share = {a.target_share}: a share between 0 and 1, e.g. 0.8")
    for key, cuts, top in (("abc_cutoffs", a.abc_cutoffs, 1), ("xyz_cutoffs", a.xyz_cutoffs,
                                                                 float("inf"))):
        if len(cuts) != 2 or not all(map(number, cuts)) or not 0 < cuts[0] < cuts[1] <= top:
            raise bad(f"{key} = {list(cuts)}: two increasing limits, e.g. "
                      f"{list(Analysis.__dataclass_fields__[key].default)}")
    if a.xyz_period not in ("M", "Q"):
        raise bad(f"xyz_period = {a.xyz_period!r}: \"M\" (monthly) or \"Q\" (quarterly)")
    if not isinstance(a.lost_after_days, int) or a.lost_after_days < 1:
        raise bad(f"lost_after_days = {a.lost_after_days}: at least 1")


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
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    unknown = sorted(set(raw) - {"source", "tables", "format", "analysis"})
    if unknown:
        raise _fail(path, ",".join(unknown), "unknown section(s); known: source, tables, format, "
                    "analysis")
    source = raw.get("source", {})
    bad = sorted(set(source) - {"folder", "database", "allow_outside"})
    if bad:
        raise _fail(path, "source", f"unknown setting(s) {bad}; known: folder, database, "
                    "allow_outside")
    allow_outside = source.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        raise _fail(path, "source", f"allow_outside = {allow_outside!r}: true or false")
    folder = (path.parent / source["folder"]).resolve() if "folder" in source else None
    database = source.get("database")
    if database and "://" not in database:
        database = str((path.parent / database).resolve())
    if folder is None and database is None:
        folder = path.parent
    if folder is not None and not folder.is_dir():
        raise _fail(path, "source", f"folder = {source['folder']!r}: {folder} is not a folder")
    if database and "://" not in database and not Path(database).is_file():
        raise _fail(path, "source", f"database = {source['database']!r}: no file {database}")
    tables = {}
    for name, spec in raw.get("tables", {}).items():
        if name not in TABLES:
            raise _fail(path, f"tables.{name}", f"unknown table; known: {sorted(TABLES)}")
        src = _section({f"tables.{name}": spec}, f"tables.{name}", TableSource, path)
        unknown_cols = sorted(set(src.columns) - set(TABLES[name].names))
        if unknown_cols:
            raise _fail(path, f"tables.{name}.columns",
                        f"{unknown_cols} are not columns of {name}; known: "
                        f"{list(TABLES[name].names)}")
        if src.query is not None and (problem := query_problem(src.query, dialect_of(database))):
            raise _fail(path, f"tables.{name}", f"query {problem}; a query must be one "
                        "read-only SELECT over the database's tables")
        tables[name] = src
    for name in TABLES:
        tables.setdefault(name, TableSource())
    formats = _section(raw, "format", Formats, path)
    if formats.decimal == formats.thousands:
        raise _fail(path, "format", "decimal and thousands separators must differ")
    analysis = _section(raw, "analysis", Analysis, path, {
        "as_of": _to_date, "start": _to_date, "end": _to_date,
        "abc_cutoffs": tuple, "xyz_cutoffs": tuple,
    })
    _check_analysis(analysis, path)
    end = analysis.end or analysis.as_of
    if analysis.start and end and analysis.start > end:
        raise _fail(path, "analysis", f"start = {analysis.start} is after the window's end "
                    f"({'end' if analysis.end else 'as_of'} = {end})")
    if analysis.unknown_accounts not in ("error", "create"):
        raise _fail(path, "analysis", "unknown_accounts must be 'error' or 'create'")
    return Config(path=path, folder=folder, database=database, allow_outside=allow_outside,
                  tables=tables, formats=formats, analysis=analysis)
