"""Loading a company's data: read every source, validate it all in one pass, build the cube.

``load`` is the one entry point from raw files to analysis-ready frames; ``validate`` runs
the same reading and rules and returns the report; ``Dataset.save``/``open_dataset`` let
``kam build`` load once and hand the result to every notebook.

Examples
--------
>>> import kamlib
>>> ds = kamlib.load()                      # the bundled sample
>>> ds.report.ok, len(ds.accounts) > 0
(True, True)
"""

from __future__ import annotations

import html
import json
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pandas as pd

from kamlib.data.config import Config, load_config
from kamlib.data.contract import TABLES
from kamlib.data.cube import Cube
from kamlib.data.masking import mask_secrets
from kamlib.data.needs import Notice, not_shown
from kamlib.data.problems import ValidationError, ValidationReport

if TYPE_CHECKING:
    import duckdb

    from kamlib.data.pushdown import PushedLines
    from kamlib.data.sources import RawTable
# The engine (DuckDB, Ibis), the readers and the checks are imported by load and validate
# only: a notebook kernel opening the prepared data (open_dataset) never needs them, and
# each kernel and worker of kam build is about 50 MB smaller without them.

__all__ = ["Dataset", "Source", "load", "validate", "open_dataset"]

SMALL_TABLES = ("accounts", "activities", "activity_rates", "contacts", "opportunities",
                "account_notes", "events")


@dataclass(frozen=True)
class Source:
    """One input file (or database table) as read: what it held and its fingerprint."""

    table: str
    file: str
    rows: int
    sha256: str | None


@dataclass
class Dataset:
    """The canonical small tables, the cube of transactions, and how they were obtained."""

    config: Config
    accounts: pd.DataFrame
    activities: pd.DataFrame
    activity_rates: pd.DataFrame
    contacts: pd.DataFrame
    opportunities: pd.DataFrame | None
    cube: Cube
    report: ValidationReport
    sources: list[Source] = field(default_factory=list)
    as_of: date | None = None
    start: date | None = None
    # optional, after the defaults: datasets prepared before the table existed open without it
    account_notes: pd.DataFrame | None = None
    events: pd.DataFrame | None = None  # relationship events (kamlib.relationships)
    # the build's account status frame (kamlib.status.dataset_status), computed once and
    # saved with the prepared data; None until asked for
    status: pd.DataFrame | None = None
    # the relationship frames (kamlib.relationships.dataset_relationships), computed once
    # per build and saved with the prepared data; read lazily from there, None until asked
    relationships: Mapping[str, pd.DataFrame] | None = None

    def __post_init__(self):
        for name in ("account_notes", "events"):
            if getattr(self, name) is None:
                setattr(self, name, pd.DataFrame(columns=list(TABLES[name].names)))

    @property
    def currency(self) -> str:
        return self.config.formats.currency

    @property
    def tables(self) -> dict[str, list[str]]:
        """The tables the data has, with the contract columns found in each."""
        return self.report.tables

    def not_shown(self, what: str, table: str, *columns: str) -> Notice | None:
        """A notice saying ``what`` is not shown when ``table``/``columns`` are missing, else
        None: ``ds.not_shown("Revenue by product", "transactions", "product") or chart``."""
        return not_shown(self.tables, what, table, *columns)

    def source_table(self) -> pd.DataFrame:
        """The inputs as read: table, file, rows and SHA-256 fingerprint, one row each."""
        return pd.DataFrame([asdict(s) for s in self.sources],
                            columns=["table", "file", "rows", "sha256"])

    def save(self, folder: str | Path) -> Path:
        """Write the dataset as Parquet plus ``manifest.json`` (sources, hashes, report)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in SMALL_TABLES:
            frame = getattr(self, name)
            if frame is not None:
                frame.to_parquet(folder / f"{name}.parquet", index=False)
        self.cube.save(folder)
        if self.status is not None:
            self.status.to_parquet(folder / "status.parquet", index=False)
        if self.relationships is not None and not _saved_in(self.relationships, folder):
            from kamlib.relationships.saved import FOLDER, save_relationships

            save_relationships(self.relationships, folder / FOLDER)
        manifest = {
            "config": str(self.config.path) if self.config.path else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "start": self.start.isoformat() if self.start else None,
            "sources": [asdict(s) for s in self.sources],
            "report": self.report.to_dict(),
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        return folder

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(s.table)}</td><td>{html.escape(s.file)}</td>"
                       f"<td>{s.rows:,}</td></tr>" for s in self.sources)
        return (f"<p><b>kamkit data set</b>: {html.escape(str(self.start))} to "
                f"{html.escape(str(self.as_of))}, {len(self.accounts):,} accounts. "
                f"{html.escape(self.report.summary())}.</p><table><tr><th>table</th>"
                f"<th>source</th><th>rows</th></tr>{rows}</table>")


def _connect(workdir: str) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    # Spill to disk rather than exceed a laptop's memory on tens of millions of lines.
    con.execute(f"SET memory_limit = '1500MB'; SET temp_directory = '{workdir}'; "
                "SET preserve_insertion_order = true")
    # A date never depends on the machine's zone: a time stamp stored with a zone (Parquet,
    # a database) counts on its UTC date; text with an offset, on the date as written.
    con.execute("SET TimeZone = 'UTC'")
    # Inside Jupyter, DuckDB refuses to touch this setting without ipywidgets (it is off
    # there already); elsewhere it would draw bars over kamkit's own progress display.
    if con.execute("SELECT current_setting('enable_progress_bar')").fetchall()[0][0]:
        con.execute("SET enable_progress_bar = false")
    return con


Progress = Callable[[str], None]


def _quiet(step: str) -> None:
    pass


def _read_all(con, config: Config, today: date | None, progress: Progress
              ) -> tuple[ValidationReport, dict[str, RawTable], PushedLines | None]:
    from kamlib.data.checks import check_tables
    from kamlib.data.parsing import parse_table
    from kamlib.data.pushdown import check_pushed
    from kamlib.data.row_keys import name_rows_by_keys
    from kamlib.data.sources import read_table
    from kamlib.data.sources.database import read_pushed

    report = ValidationReport()
    raws, pushed = {}, None
    for name in TABLES:
        if name == "transactions" and config.compute == "database":
            progress("checking transactions on the database")
            pushed = read_pushed(name, config, report)
            if pushed is not None:
                report.tables[name] = [c for c in TABLES[name].names if c in pushed.mapping]
            continue
        progress(f"reading {name}")
        raw = read_table(con, name, config, report)
        if raw is not None and parse_table(con, raw, config, report):
            raws[name] = raw
            report.tables[name] = [c for c in TABLES[name].names if c in raw.mapping]
    # Cross-table rules run even after errors, on the tables that could be read, so one run
    # reports every problem (unreadable values are NULL there and excluded by the rules).
    progress("checking keys, references and duplicates")
    check_tables(con, raws, config, report, today)
    name_rows_by_keys(con, raws, report)  # a database table has no lines to point to
    if pushed is not None:  # the transaction rules where the lines are (pushdown.py)
        try:
            check_pushed(con, pushed, raws, config, report, today)
        except Exception as err:  # noqa: BLE001 - each backend its own error types
            pushed.backend.disconnect()
            report.error("transactions", pushed.file, "unreadable", "the rules could not run "
                         f"on the database: {mask_secrets(str(err), config.database)}")
            pushed = None
        except BaseException:
            pushed.backend.disconnect()
            raise
    return report, raws, pushed


def validate(config: str | Path | Config | None = None, *, today: date | None = None,
             progress: Progress = _quiet) -> ValidationReport:
    """Every problem in every source at once, without building anything.

    Examples
    --------
    >>> print(validate().summary())
    0 error(s), 0 warning(s), 0 cleaning step(s)
    """
    config = config if isinstance(config, Config) else load_config(config)
    with tempfile.TemporaryDirectory(prefix="kamkit-") as workdir:
        con = _connect(workdir)
        try:
            report, _, pushed = _read_all(con, config, today, progress)
            if pushed is not None:
                pushed.backend.disconnect()
        finally:
            con.close()
    return report


def load(config: str | Path | Config | None = None, *, today: date | None = None,
         progress: Progress = _quiet) -> Dataset:
    """Read, validate and aggregate; raise :class:`ValidationError` if anything is wrong.

    ``today`` (default: the real date) only decides which dates count as "in the future"
    for a warning; analyses use the as-of date (config, or the last transaction date).
    ``progress`` is called with the name of each step (the CLI shows it as a spinner).
    """
    import ibis

    from kamlib.data.cube import build_cube
    from kamlib.data.pushdown import clean_lines
    from kamlib.data.sources import file_sha256

    config = config if isinstance(config, Config) else load_config(config)
    with tempfile.TemporaryDirectory(prefix="kamkit-") as workdir:
        con = _connect(workdir)
        try:
            report, raws, pushed = _read_all(con, config, today, progress)
            try:
                if not report.ok:
                    raise ValidationError(report)
                # the files' fingerprints on a thread while the engine aggregates (hashlib
                # lets go of the GIL): 0.5 s of one core for a 560 MB CSV, else added at the end
                hashing = ThreadPoolExecutor(1, thread_name_prefix="kamkit-sha256")
                digests = {n: hashing.submit(file_sha256, r.path) for n, r in raws.items()
                           if r.path}
                hashing.shutdown(wait=False)
                progress("aggregating transactions to the cube")
                if pushed is not None:
                    raws["transactions"] = pushed
                    cube = build_cube(clean_lines(pushed), read_only=True,
                                      invoices="invoice_id" in pushed.mapping,
                                      fetch=pushed.fetch)
                else:
                    cube = build_cube(ibis.duckdb.from_connection(con).table("tx"),
                                      invoices="invoice_id" in raws["transactions"].mapping)
            finally:
                if pushed is not None:
                    pushed.backend.disconnect()
            frames = {name: _small(con, name) if name in report.tables else None
                      for name in SMALL_TABLES}
        finally:
            con.close()
    sources = [Source(n, r.file, r.rows, digests[n].result() if n in digests else None)
               for n, r in raws.items()]
    am = cube.account_month
    first = am["first_date"].min() if len(am) else None
    last = am["last_date"].max() if len(am) else None
    an = config.analysis
    as_of = an.as_of or (last.date() if last is not None else None)
    start = an.start or (first.date() if first is not None else None)
    empty = {n: pd.DataFrame(columns=list(TABLES[n].names)) for n in SMALL_TABLES}
    return Dataset(config=config, cube=cube, report=report, sources=sources, as_of=as_of,
                   start=start, **{n: frames[n] if frames[n] is not None else (
                       None if n == "opportunities" else empty[n]) for n in SMALL_TABLES})


def _small(con, name: str) -> pd.DataFrame:
    cols = ", ".join(TABLES[name].names)
    # Exact duplicate rows were counted as cleaned by checks.py; keep each first occurrence.
    frame = con.execute(f"SELECT {cols} FROM (SELECT min(rowid) AS _row, {cols} FROM t_{name} "
                        f"GROUP BY ALL) ORDER BY _row").df()
    for col in TABLES[name].columns:
        if col.kind == "date":
            frame[col.name] = pd.to_datetime(frame[col.name]).astype("datetime64[ns]")
        elif col.kind == "integer":
            frame[col.name] = frame[col.name].astype("Int64")
    return frame


def open_dataset(config: str | Path | None = "", prepared: str | Path | None = "") -> Dataset:
    """The dataset for a notebook: the prepared folder if given (``kam build``), else load.

    Examples
    --------
    >>> ds = open_dataset()          # a trainee's notebook: the bundled sample
    >>> ds.cube.account_month.columns[:3].tolist()
    ['account_id', 'period', 'revenue']
    """
    if not prepared:
        return load(config or None)
    folder = Path(prepared)
    manifest = json.loads((folder / "manifest.json").read_text())
    frames = {n: pd.read_parquet(folder / f"{n}.parquet")
              if (folder / f"{n}.parquet").exists() else None for n in SMALL_TABLES}
    status = (pd.read_parquet(folder / "status.parquet")
              if (folder / "status.parquet").exists() else None)
    from kamlib.relationships.saved import FOLDER, SavedRelationships

    saved = SavedRelationships(folder / FOLDER) if (folder / FOLDER).is_dir() else None
    return Dataset(
        config=load_config(manifest["config"]),
        cube=Cube.open(folder),
        report=ValidationReport.from_dict(manifest["report"]),
        sources=[Source(**s) for s in manifest["sources"]],
        as_of=date.fromisoformat(manifest["as_of"]) if manifest["as_of"] else None,
        start=date.fromisoformat(manifest["start"]) if manifest["start"] else None,
        status=status, relationships=saved, **frames,
    )


def _saved_in(frames, folder: Path) -> bool:
    """Whether ``frames`` are the relationship frames saved in ``folder`` already."""
    from kamlib.relationships.saved import FOLDER

    return getattr(frames, "folder", None) == folder / FOLDER
