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

import codecs
import os
import re
import tomllib
import types
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from kamlib.data.contract import TABLES
from kamlib.data.readonly_sql import dialect_of, query_problem

__all__ = ["Config", "TableSource", "Formats", "Analysis", "ConfigError", "load_config",
           "SAMPLE_DIR", "mask_url", "mask_secrets"]

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
    tables: dict[str, TableSource] = field(default_factory=dict)
    formats: Formats = field(default_factory=Formats)
    analysis: Analysis = field(default_factory=Analysis)

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


def mask_url(url: str) -> str:
    """A connection URL with its password replaced by ``***``, safe to print.

    Examples
    --------
    >>> mask_url("postgres://kam:s3cret@db.local:5432/crm")
    'postgres://kam:***@db.local:5432/crm'
    >>> mask_url("sqlite:///crm.db")
    'sqlite:///crm.db'
    """
    return re.sub(r"(?<=://)([^/@:]*):[^/@]*@", r"\1:***@", url)


def mask_secrets(text: str, url: str | None) -> str:
    """``text`` (e.g. a driver's error message) with ``url``'s password masked wherever it
    appears, alone or inside a URL.

    Examples
    --------
    >>> mask_secrets("login failed for kam:pw@db (password pw)", "postgres://kam:pw@db/crm")
    'login failed for kam:***@db (password ***)'
    """
    from urllib.parse import unquote, urlsplit

    text = mask_url(text)
    try:
        password = urlsplit(url or "").password
    except ValueError:
        password = None
    for secret in {password, unquote(password or "")} - {None, ""}:
        text = text.replace(secret, "***")
    return text


def _fail(path: Path | None, key: str, why: str) -> ConfigError:
    where = f"{path}" if path else "config"
    return ConfigError(f"{where}: [{key}] {why}")


def _type_ok(value: object, hint: Any) -> bool:
    """Whether a TOML ``value`` fits the annotation ``hint`` (dates may still be text)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return any(_type_ok(value, a) for a in args)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is date:  # text is converted (and its format checked) afterwards
        return isinstance(value, (date, str))
    if hint in (str, bool):
        return isinstance(value, hint)
    if origin is tuple:  # the length is the analysis check's to explain
        return isinstance(value, (list, tuple)) and all(_type_ok(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            _type_ok(k, args[0]) and _type_ok(v, args[1]) for k, v in value.items())
    return True  # a type this table does not know (e.g. a nested section) is checked elsewhere


def _type_name(hint: Any) -> str:
    """What a user must write for ``hint``, e.g. "a whole number" or "a list of 2 numbers"."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is tuple:
        return "a list of numbers, e.g. [0.8, 0.95]"
    if origin is dict:
        return 'a table of names, e.g. { revenue = "Net Amount" }'
    return {str: 'text in quotes, e.g. "..."', int: "a whole number", float: "a number",
            bool: "true or false", date: "a date, e.g. 2025-12-31"}.get(hint, str(hint))


def _check_types(values: dict, cls: type, path: Path | None, key: str) -> None:
    """Refuse a value of the wrong type, naming section, key, value and expected type."""
    hints = get_type_hints(cls)
    for name, value in values.items():
        if name in hints and not _type_ok(value, hints[name]):
            raise _fail(path, key, f"{name} = {value!r}: expected {_type_name(hints[name])}")


def _section(raw: dict, key: str, cls: type, path: Path | None, convert: dict | None = None,
             checked: tuple[str, ...] = ()):
    """``cls`` from section ``key``; ``checked`` fields get a more specific check later."""
    values = dict(raw.get(key, {}))
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise _fail(path, key, f"unknown setting(s) {unknown}; known: {sorted(known)}")
    _check_types({k: v for k, v in values.items() if k not in checked}, cls, path, key)
    for name, fn in (convert or {}).items():
        if values.get(name) is not None:
            try:
                values[name] = fn(values[name])
            except ConfigError:
                raise
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
        raise bad(f"target_share = {a.target_share}: a share between 0 and 1, e.g. 0.8"
                  + (" (a number, without quotes)" if isinstance(a.target_share, str) else ""))
    for key, cuts, top in (("abc_cutoffs", a.abc_cutoffs, 1), ("xyz_cutoffs", a.xyz_cutoffs,
                                                                 float("inf"))):
        if len(cuts) != 2 or not all(map(number, cuts)) or not 0 < cuts[0] < cuts[1] <= top:
            raise bad(f"{key} = {list(cuts)}: two increasing limits, e.g. "
                      f"{list(Analysis.__dataclass_fields__[key].default)}")
    if a.xyz_period not in ("M", "Q"):
        raise bad(f"xyz_period = {a.xyz_period!r}: \"M\" (monthly) or \"Q\" (quarterly)")
    if not isinstance(a.lost_after_days, int) or a.lost_after_days < 1:
        raise bad(f"lost_after_days = {a.lost_after_days}: at least 1")


_SEGMENT_KEYS = ("segment", "r_from", "r_to", "fm_from", "fm_to", "action")


def _segments(rows: object, path: Path | None) -> tuple[tuple, ...]:
    """``[[analysis.segments]]`` as checked rows: every key there, scores whole numbers,
    and every cell of the R x FM grid in exactly one segment."""
    import pandas as pd

    from kamlib.segments import check_segment_table

    key = "analysis.segments"
    example = ('[[analysis.segments]] segment = "Champions", r_from = 4, r_to = 5, '
               'fm_from = 4, fm_to = 5, action = "..."')
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise _fail(path, key, f"must be a list of segments, one [[analysis.segments]] table "
                    f"each: {example}")
    out = []
    for i, row in enumerate(rows, start=1):
        name = row.get("segment", f"segment {i}")
        wrong = sorted(set(row) - set(_SEGMENT_KEYS))
        missing = [k for k in _SEGMENT_KEYS if k not in row]
        if wrong or missing:
            raise _fail(path, key, f"{name!r} (segment {i}): "
                        + (f"unknown key(s) {wrong}; " if wrong else "")
                        + (f"missing {missing}; " if missing else "")
                        + f"each segment has {list(_SEGMENT_KEYS)}")
        scores = [row[k] for k in _SEGMENT_KEYS[1:5]]
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in scores):
            raise _fail(path, key, f"{name!r}: r_from, r_to, fm_from, fm_to are whole scores "
                        f"from 1 to 5, not {scores}")
        if not isinstance(row["segment"], str) or not row["segment"].strip():
            raise _fail(path, key, f"segment {i}: the name must be a non-empty text")
        out.append((row["segment"].strip(), *scores, str(row["action"])))
    names = [r[0] for r in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _fail(path, key, f"segment names must differ; {twice} appear more than once")
    try:
        check_segment_table(pd.DataFrame(out, columns=list(_SEGMENT_KEYS)))
    except ValueError as err:
        raise _fail(path, key, str(err).removeprefix("segments: ")) from None
    return tuple(out)


def _table_format(values: dict, table: str, path: Path | None) -> dict[str, Any]:
    """Checked ``[tables.NAME.format]`` overrides (currency is one per report, not per table)."""
    key = f"tables.{table}.format"
    if not isinstance(values, dict):
        raise _fail(path, key, "must be a table of format settings, e.g. "
                    f"[tables.{table}.format] delimiter = \";\"")
    known = {f.name for f in fields(Formats)} - {"currency"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise _fail(path, key, f"unknown setting(s) {unknown}; known: {sorted(known)}"
                    + (" (currency is set once, in [format])" if "currency" in unknown else ""))
    _section({key: values}, key, Formats, path)  # the same type checks as [format]
    return dict(values)


def _database(source: dict, path: Path) -> str | None:
    """The database setting: a file relative to kam.toml, a URL, or a URL from the environment.

    ``database_env`` names an environment variable holding the URL, so that a password never
    has to be written into ``kam.toml``.
    """
    if "database" in source and "database_env" in source:
        raise _fail(path, "source", "set database or database_env, not both")
    if "database_env" in source:
        var = source["database_env"]
        database = os.environ.get(str(var))
        if not database:
            raise _fail(path, "source", f"database_env = {var!r}: the environment variable "
                        f"{var} is not set; export it with the connection URL, e.g. "
                        f"export {var}='postgres://user:password@host/db'")
    else:
        database = source.get("database")
    if database and "://" not in database:
        return str((path.parent / database).resolve())
    return database


# strptime directives that both Python and DuckDB's strptime read the same way
_DATE_DIRECTIVES = set("aAwdbBmyYHIpMSfzZjUWcxX%")


def _check_formats(f: Formats, path: Path | None, key: str = "format") -> None:
    """Refuse separators, encodings and date formats no reader can use."""
    def bad(why: str) -> ConfigError:
        return _fail(path, key, why)

    # "whitespace" is the one named delimiter (runs of blanks); any other is one character
    if f.delimiter is not None and f.delimiter != "whitespace" and (
            len(f.delimiter) != 1 or f.delimiter in '"\r\n'):
        raise bad(f"delimiter = {f.delimiter!r}: one character, e.g. \";\" or \"\\t\" "
                  f"(or leave it out to detect it)")
    if len(f.decimal) != 1:
        raise bad(f"decimal = {f.decimal!r}: one character, \".\" or \",\"")
    if len(f.thousands) > 1:
        raise bad(f"thousands = {f.thousands!r}: one character, or \"\" for none")
    try:
        codecs.lookup(f.encoding)
    except LookupError:
        raise bad(f"encoding = {f.encoding!r}: not an encoding Python knows; e.g. \"utf-8\", "
                  f"\"cp1252\" or \"latin-1\"") from None
    if f.date_format is not None:
        _check_date_format(f.date_format, bad)


def _check_date_format(fmt: str, bad) -> None:
    """A date written with ``fmt`` must read back the same, with known directives only."""
    used = [fmt[i + 1:i + 2] for i, c in enumerate(fmt) if c == "%" and fmt[i - 1:i] != "%"]
    unknown = sorted({f"%{d}" for d in used if d not in _DATE_DIRECTIVES})
    example = date(2024, 1, 31)
    if unknown or not used:
        why = f"unknown directive(s) {', '.join(unknown)}" if unknown else "no % directive"
        raise bad(f"date_format = {fmt!r}: {why}; e.g. \"%d.%m.%Y\" for 31.01.2024 "
                  "(see Python's strptime)")
    try:
        back = datetime.strptime(example.strftime(fmt), fmt).date()
    except ValueError as err:
        raise bad(f"date_format = {fmt!r}: cannot read back a date written with it ({err})"
                  ) from None
    if (back.year, back.month) != (example.year, example.month):  # monthly dates may do
        raise bad(f"date_format = {fmt!r}: 2024-01-31 written with it reads back as {back}; "
                  "a date format needs at least a year and a month")


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
    unknown = sorted(set(raw) - {"source", "tables", "format", "analysis"})
    if unknown:
        raise _fail(path, ",".join(unknown), "unknown section(s); known: source, tables, format, "
                    "analysis")
    for section in ("source", "tables", "format", "analysis"):
        if not isinstance(raw.get(section, {}), dict):
            raise _fail(path, section, f"is a value, not a section: write [{section}] on a "
                        "line of its own, then its settings")
    source = raw.get("source", {})
    known = {"folder", "database", "database_env", "allow_outside"}
    bad = sorted(set(source) - known)
    if bad:
        raise _fail(path, "source", f"unknown setting(s) {bad}; known: {sorted(known)}")
    for key in ("folder", "database", "database_env"):
        if key in source and not isinstance(source[key], str):
            raise _fail(path, "source", f"{key} = {source[key]!r}: expected text in quotes, "
                        f"e.g. \"exports\"")
    allow_outside = source.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        raise _fail(path, "source", f"allow_outside = {allow_outside!r}: true or false")
    folder = (path.parent / source["folder"]).resolve() if "folder" in source else None
    database = _database(source, path)
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
        if not isinstance(spec, dict):
            raise _fail(path, f"tables.{name}", f"= {spec!r}: expected a section of settings")
        src = _section({f"tables.{name}": spec}, f"tables.{name}", TableSource, path)
        if src.format:
            src = replace(src, format=_table_format(src.format, name, path))
        unknown_cols = sorted(set(src.columns) - set(TABLES[name].names))
        if unknown_cols:
            raise _fail(path, f"tables.{name}.columns",
                        f"{unknown_cols} are not columns of {name}; known: "
                        f"{list(TABLES[name].names)}")
        if src.header_row < 1:
            raise _fail(path, f"tables.{name}", f"header_row = {src.header_row}: the line or "
                        "row of the column names, 1 or more")
        if src.query is not None and (problem := query_problem(src.query, dialect_of(database))):
            raise _fail(path, f"tables.{name}", f"query {problem}; a query must be one "
                        "read-only SELECT over the database's tables")
        tables[name] = src
    for name in TABLES:
        tables.setdefault(name, TableSource())
    formats = _section(raw, "format", Formats, path)
    _check_formats(formats, path)
    if formats.decimal == formats.thousands:
        raise _fail(path, "format", "decimal and thousands separators must differ")
    for name, src in tables.items():
        merged = replace(formats, **src.format)
        if src.format:
            _check_formats(merged, path, f"tables.{name}.format")
        if merged.decimal == merged.thousands:
            raise _fail(path, f"tables.{name}.format", "decimal and thousands separators "
                        "must differ (after [format] is applied)")
    analysis = _section(raw, "analysis", Analysis, path, {
        "as_of": _to_date, "start": _to_date, "end": _to_date,
        "abc_cutoffs": tuple, "xyz_cutoffs": tuple,
        "segments": lambda rows: _segments(rows, path),
    }, checked=("target_share", "abc_cutoffs", "xyz_cutoffs", "lost_after_days", "segments"))
    _check_analysis(analysis, path)
    end = analysis.end or analysis.as_of
    if analysis.start and end and analysis.start > end:
        raise _fail(path, "analysis", f"start = {analysis.start} is after the window's end "
                    f"({'end' if analysis.end else 'as_of'} = {end})")
    if analysis.unknown_accounts not in ("error", "create"):
        raise _fail(path, "analysis", "unknown_accounts must be 'error' or 'create'")
    if analysis.duplicate_lines not in ("auto", "drop", "keep"):
        raise _fail(path, "analysis", f"duplicate_lines = {analysis.duplicate_lines!r}: 'auto' "
                    "(drop exact duplicates only when lines carry an invoice id), 'drop' or 'keep'")
    return Config(path=path, folder=folder, database=database, allow_outside=allow_outside,
                  tables=tables, formats=formats, analysis=analysis)
