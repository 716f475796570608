"""Reading one source table (CSV, Excel, Parquet, DuckDB or a database) into DuckDB, raw.

:func:`read_table` finds the table's source and hands it to the reader for its format: one
module per format (:mod:`.text`, :mod:`.excel`, :mod:`.parquet`, :mod:`.database`), each
depending only on :mod:`.base`, which holds the raw-table type and the column mapping.
Problems are recorded in the report, never raised, so one run reports every file at once.

Examples
--------
>>> import duckdb
>>> from kamlib.data.config import load_config
>>> from kamlib.data.problems import ValidationReport
>>> report = ValidationReport()
>>> raw = read_table(duckdb.connect(), "activity_rates", load_config(), report)
>>> raw.mapping["unit_cost"], report.ok
('unit_cost', True)
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from kamlib.data.config import Config
from kamlib.data.contract import TABLES
from kamlib.data.problems import ValidationReport
from kamlib.data.sources.base import RawTable, after_scan, file_sha256
from kamlib.data.sources.database import read_database
from kamlib.data.sources.excel import read_excel
from kamlib.data.sources.parquet import read_parquet
from kamlib.data.sources.sniff import mismatch
from kamlib.data.sources.text import read_text

__all__ = ["RawTable", "read_table", "after_scan", "file_sha256"]

EXTENSIONS = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm", ".xls")


def _inside(name: str, path: Path, config: Config, report: ValidationReport) -> Path | None:
    """``path`` if it (after following links) lies in the data folder or the config allows it.

    A kam.toml from someone else, or a link dropped into the folder, must not make the kit
    read (and quote in its errors) a file the user never meant to hand over.
    """
    real, folder = path.resolve(), config.folder.resolve()
    if config.allow_outside or real.is_relative_to(folder):
        return path
    given = config.tables[name].file or path.name
    link = (f" (a link to {real})" if path.is_symlink() else
            f" (that is {real})" if str(real) != given else "")
    report.error(name, given, "outside-folder", f"the {name} file {given}{link} is outside the "
                 f"data folder {folder}; files are only read from inside it",
                 hint=f"Copy the file into {folder}, or, if it really is to be read from "
                      "where it is, set [source] allow_outside = true in kam.toml.")
    return None


def _locate(name: str, config: Config, report: ValidationReport) -> Path | None:
    src = config.tables[name]
    folder = config.folder
    if src.file:
        path = (folder / src.file) if folder else Path(src.file)
        if path.is_file():
            return _inside(name, path, config, report)
        found = sorted(p.name for p in folder.iterdir()) if folder and folder.is_dir() else []
        report.error(name, str(path), "file-not-found", f"the {name} file does not exist",
                     hint=f"Files in {folder}: {found}" if found else "Check [source] folder.")
        return None
    candidates = [p for p in (folder / f"{name}{ext}" for ext in EXTENSIONS) if p.is_file()] \
        if folder else []
    if len(candidates) > 1:  # which one is meant is not said: never a silent pick
        names = [p.name for p in candidates]
        report.error(name, names[0], "ambiguous-file", f"{len(names)} files could be the "
                     f"{name} table: {', '.join(names)}", values=names, count=len(names),
                     hint=f"Set [tables.{name}] file = one of {names} in kam.toml, or move "
                          "the others out of the data folder.")
        return None
    if candidates:
        return _inside(name, candidates[0], config, report)
    if TABLES[name].required_table:
        report.error(name, str(folder / name), "file-not-found",
                     f"no file for the {name} table",
                     hint=f"Add {name}.csv (or .xlsx/.parquet) to {folder}, or set "
                          f"[tables.{name}] file = \"...\" in kam.toml.")
    return None


def read_table(con: duckdb.DuckDBPyConnection, name: str, config: Config,
               report: ValidationReport) -> RawTable | None:
    """Load table ``name`` into ``con`` as ``raw_<name>``; ``None`` if it cannot be used."""
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
    wrong = mismatch(path)
    if wrong:
        report.error(name, shown, "file-type", wrong)
        return None
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return read_parquet(con, name, path, shown, config, report)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_excel(con, name, path, shown, config, report)
    return read_text(con, name, path, shown, config, report)


