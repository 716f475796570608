"""``kam plans``: one account plan per key account, fast, published atomically.

The data is loaded once and every planning frame computed once for the whole portfolio
(:mod:`kamlib.planning.portfolio`, saved as Parquet); the plan notebook then only reads its
account's rows. Plans run in the build's worker processes (one warm kernel and one warm
exporter each, :mod:`kamlib.report.worker`), on every core. A plan that fails is named, the
others are published, and the index marks it. Files are written to a staging folder and
moved into ``out`` only at the end; the kit overwrites and deletes only files it wrote
(:mod:`kamlib._written`, record ``.kamkit-plans.json``).
"""

from __future__ import annotations

import inspect
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kamlib._written import OverwriteError, foreign, read_record, refuse, sha256
from kamlib.data.config import Config, load_config
from kamlib.report.plans_index import plans_index_html, safe_names
from kamlib.report.plans_portfolio import (READ_HERE, SavedPortfolio, _keep_only,
                                           given_portfolio, portfolio_for,
                                           save_for_plans)
from kamlib.report.plans_publish import (RECORD, failed_folder, index_rows, publish,
                                         publish_failures)
from kamlib.report.staging import drop_staging, new_staging, remove_stale
from kamlib.report.tasks import Outcome, Task

__all__ = ["build_plans", "open_plans", "PlansRun", "PlansResult", "PLAN_NOTEBOOK", "RECORD",
           "write_template", "cap_notice", "portfolio_for", "save_for_plans", "SavedPortfolio",
           "given_portfolio"]

PLAN_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "plans" / "account_plan.ipynb"
TEMPLATE_RECORD = ".kamkit-templates.json"


@dataclass
class PlansResult:
    """``ok`` when every plan was written; ``failed``: account id -> one-line error."""

    ok: bool
    out: Path
    plans: dict[str, str] = field(default_factory=dict)  # account id -> file name
    failed: dict[str, str] = field(default_factory=dict)
    calendars: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rows: list[dict] = field(default_factory=list)  # the index's rows (headline figures)
    failed_pages: dict[str, str] = field(default_factory=dict)  # id -> _failed/<stem>.html
    pdf_error: str = ""  # why the PDFs were not printed (the HTML plans are published)
    key_accounts: int = 0  # how many key accounts the data has
    limit: int | None = None  # the cap that chose the plans ([plans] top), if one did

    @property
    def capped(self) -> bool:
        """Whether the cap left key accounts without a plan."""
        return self.limit is not None and self.key_accounts > len(self.rows)

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def write_template(frames: dict, ids: list[str], path: str | Path, *,
                   force: bool = False) -> Path:
    """The blank notes template for ``ids`` (:func:`kamlib.planning.notes.notes_template`)
    via :func:`kamlib.report.safe_export`; refuses a file the kit did not write."""
    from kamlib.planning.notes import notes_template
    from kamlib.report.safe_export import safe_export

    path = Path(path).resolve()
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise OverwriteError(f"--template {path.name}: use a .xlsx or .csv file name")
    record = read_record(path.parent / TEMPLATE_RECORD)
    if not force:
        refuse(path.parent, foreign(path.parent, [path.name], record), "the template")
    info = frames["info"]
    accounts = info[info["account_id"].isin(ids)].set_index("account_id").reindex(ids)
    safe_export(notes_template(accounts.reset_index()), path)
    record[path.name] = sha256(path)
    (path.parent / TEMPLATE_RECORD).write_text(json.dumps({"files": record}, indent=1),
                                               encoding="utf-8")
    return path


@dataclass
class _Run:
    """What a plans run needs that ``kam build`` may already have: data, pool, warm cwd."""

    ds: object = None
    pool: object = None
    workers: int = 0
    cwd: Path | None = None
    frames: object = None  # the portfolio frames, or a Future of a SavedPortfolio (kam build)


def build_plans(config: str | Path | Config | None = None, *, out: str | Path = "plans",
                top: int | None = None, accounts: Iterable[str] | None = None,
                every_key_account: bool = False, workers: int | None = None, timeout: int = 300,
                force: bool = False,
                notebook: str | Path = PLAN_NOTEBOOK, template: str | Path | None = None,
                parameters: dict[str, dict] | None = None, show_progress: bool = True,
                dataset=None, pool: tuple | None = None, pdf: bool = False,
                frames=None) -> PlansResult:
    """Write one HTML plan per account, an index of the plans, and a calendar per manager.

    Parameters
    ----------
    top, accounts, every_key_account
        The ``top`` accounts by value, these ids, or every key account of the value x need
        matrix; by default the key accounts, largest first, at most ``[plans] top`` of
        ``kam.toml`` (:data:`~kamlib.data.plan_settings.DEFAULT_TOP`).
    parameters : dict, optional
        Extra notebook parameters per account id (checked against the parameters cell).
    template : path, optional
        Also write the blank notes template for these accounts (``.xlsx`` or ``.csv``).
    dataset : Dataset, optional
        The data, already loaded and validated (``kam build``): not loaded again; its
        config is used.
    pool : (executor, workers, cwd), optional
        Warm worker processes to run the plans on (``kam build``'s), left running; the
        plan notebook runs in their kernels' folder ``cwd``.
    pdf : bool
        Also print each plan and the index to PDF beside them (:mod:`kamlib.report.pdf`).
    frames : dict or Future, optional
        The portfolio frames of ``dataset`` (:func:`portfolio_for`), or a Future of them
        saved (:class:`SavedPortfolio`: ``kam build`` computes them on a worker while its
        report notebooks run).

    Settings come from ``[plans]`` of ``kam.toml``
    (:class:`~kamlib.data.plan_settings.PlanSettings`).

    Raises
    ------
    ConfigError, NotebookError, OverwriteError, ValueError
        Before any plan runs: bad config, parameter, unknown account id, or files in
        ``out`` the kit did not write (unless ``force``).
    PrinterMissing
        Before anything runs, with ``pdf`` when chromium or Playwright is not installed.
    """
    options = dict(locals())  # the arguments as called: first, before any other name
    run = open_plans(**options)
    try:
        from kamlib.report.execute import execute as _execute

        tasks = run.tasks()
        outcomes = _execute(tasks, run.pool, run.workers, timeout, run.console,
                            show_progress) if tasks else []
        return run.finish(outcomes)
    finally:
        run.close()


def open_plans(config: str | Path | Config | None = None, **options) -> PlansRun:
    """The checks of :func:`build_plans` (its keywords and their defaults, the same errors)
    and its staging folder: the run, ready for its phases (:class:`PlansRun`)."""
    from kamlib.report.notebooks import check_parameters
    from kamlib.report.pdf import check_printer

    # build_plans' signature is the one list of the options and their defaults
    bound = inspect.signature(build_plans).bind(config, **options)
    bound.apply_defaults()
    o = bound.arguments
    if o["pdf"]:
        check_printer()
    dataset = o["dataset"]
    cfg = dataset.config if dataset is not None else (
        config if isinstance(config, Config) else load_config(config))
    out, notebook = Path(o["out"]).resolve(), Path(o["notebook"]).resolve()
    if out.exists() and not out.is_dir():
        raise OverwriteError(f"--out {out}: is a file, not a folder; give a folder for the "
                             "plans")
    failed_folder(out)
    base = {"config": str(cfg.path) if cfg.path else "", "portfolio": "", "account_id": "",
            "currency": ""}
    check_parameters(notebook, base)
    for values in (o["parameters"] or {}).values():
        check_parameters(notebook, {**base, **values})
    chosen = o["top"] is not None or o["accounts"] is not None or o["every_key_account"]
    return PlansRun(cfg, out, notebook, base, workers=o["workers"], dataset=dataset,
                    pool=o["pool"], frames=o["frames"], options=dict(
                        top=o["top"], accounts=o["accounts"],
                        limit=None if chosen else cfg.plans.top, timeout=o["timeout"],
                        force=o["force"], template=o["template"],
                        parameters=o["parameters"] or {},
                        show_progress=o["show_progress"], pdf=o["pdf"]))


class PlansRun:
    """A plans run in its three phases, so ``kam build`` can run its plans between its
    report notebooks: the checks and the staging folder (made here), the plan tasks once
    the portfolio is computed (:meth:`tasks`), the published plans from their outcomes
    (:meth:`finish`); :meth:`close` drops the staging folder (and a pool started here)."""

    def __init__(self, cfg: Config, out: Path, notebook: Path, base: dict, *,
                 workers: int | None, dataset, pool: tuple | None, frames, options: dict):
        from kamlib.report.execute import console as _console
        from kamlib.report.execute import worker_pool

        self.cfg, self.out, self.notebook, self.base = cfg, out, notebook, base
        self.options, self.console = options, _console()
        self.started = time.perf_counter()
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out)
        self.staging = new_staging(out)
        self.run = _Run(ds=dataset, frames=frames)
        self.own_pool = pool is None
        if pool is None:  # started now: the kernels boot while the data loads
            self.run.workers = max(1, workers or os.cpu_count() or 1)
            self.run.pool = worker_pool(self.run.workers, notebook.parent, self.staging)
        else:
            self.run.pool, self.run.workers, self.run.cwd = pool
        self.planned: dict | None = None

    @property
    def pool(self):
        return self.run.pool

    @property
    def workers(self) -> int:
        return self.run.workers

    def tasks(self, quiet: bool = False) -> list[Task]:
        """The plan notebooks to run (the portfolio computed or read first); ``quiet``: no
        spinner (inside the build's progress display)."""
        self.planned = _plans(self.cfg, self.run, self.out, self.staging, self.notebook,
                              self.base, quiet=quiet, console=self.console, **{
                                  k: v for k, v in self.options.items()
                                  if k != "show_progress"})
        return self.planned["tasks"]

    def finish(self, outcomes: list[Outcome]) -> PlansResult:
        """Publish the plans that ran (and the index, the calendars, the failed pages)."""
        return _finish(self.planned, outcomes, self.out, self.staging, self.console,
                       started=self.started, force=self.options["force"],
                       show_progress=self.options["show_progress"],
                       pdf=self.options["pdf"])

    def close(self) -> None:
        if self.own_pool:
            self.run.pool.shutdown(wait=True, cancel_futures=True)
        drop_staging(self.staging)


def _plans(cfg: Config, run: _Run, out: Path, staging: Path, notebook: Path, base: dict, *,
           top: int | None, accounts: Iterable[str] | None, limit: int | None,
           timeout: int, force: bool, template: str | Path | None,
           parameters: dict[str, dict], pdf: bool, quiet: bool, console) -> dict:
    """The plan tasks of a plans run (in its staging folder, for its pool), and what
    :func:`_finish` needs of the portfolio; the portfolio is computed or read first."""
    from contextlib import nullcontext

    from kamlib import __version__
    from kamlib.data.dataset import load
    from kamlib.planning.portfolio import save_portfolio, select_accounts
    from kamlib.planning.schedule import calendars
    from kamlib.report.execute import run_info as _run_info
    from kamlib.report.pdf import pdf_names
    from kamlib.report.watchdog import time_bound

    what = "computing the portfolio for the account plans"
    with nullcontext() if quiet else console.status(what), time_bound(timeout, what):
        ds = run.ds if run.ds is not None else load(cfg)
        frames = given_portfolio(run.frames, ds, cfg)
        saved = frames if isinstance(frames, SavedPortfolio) else None
        frames = saved.frames if saved else frames
        ids = select_accounts(frames, top=top, accounts=accounts, limit=limit)
        known = set(frames["info"]["account_id"].astype(str))
        unknown = [a for a in ids if a not in known]
        if unknown:
            raise ValueError(f"--accounts: not in the data: {', '.join(unknown[:10])}")
        if saved:
            folder = saved.folder
        else:
            folder = save_portfolio(frames, staging / "_portfolio")
            if run.frames is None:  # computed here: the frames a plan reads leave memory
                _keep_only(frames, READ_HERE)
    stems = safe_names(ids)
    schedule = frames["schedule"][frames["schedule"]["account_id"].isin(ids)]
    names = dict(zip(frames["info"]["account_id"], frames["info"]["account_name"])) \
        if "account_name" in frames["info"] else None
    ics = calendars(schedule, names=names) if len(schedule) else {}
    ics_names = safe_names(ics)
    planned = [f"{s}.html" for s in stems.values()] + [f"{s}.ics" for s in ics_names.values()]
    if not force:
        pages = ["index.html", *planned]
        refuse(out, foreign(out, pages + (pdf_names(pages) if pdf else []),
                            read_record(out / RECORD)), "kam plans")
    if template is not None:
        write_template(frames, ids, template, force=force)
    run_info = _run_info(ds, __version__)
    tasks = [Task(notebook, f"Account plan {a}",
                  {**base, "portfolio": str(folder), "account_id": a,
                   "currency": ds.currency, **parameters.get(a, {})},
                  staging, "leadership", timeout, run_info, name=stems[a], cwd=run.cwd)
             for a in ids]
    return {"tasks": tasks, "ds": ds, "frames": frames, "ids": ids, "stems": stems,
            "ics": ics, "ics_names": ics_names, "limit": limit}


def _finish(planned: dict, outcomes: list[Outcome], out: Path, staging: Path, console, *,
            started: float, force: bool, show_progress: bool, pdf: bool) -> PlansResult:
    """Publish the plans of ``planned`` (:func:`_plans`) that ran, from their outcomes."""
    from kamlib.planning.portfolio import key_account_count
    from kamlib.report.pdf import publish_pdfs_or_say

    ds, frames, ids, stems = (planned[k] for k in ("ds", "frames", "ids", "stems"))
    ics, ics_names, limit = planned["ics"], planned["ics_names"], planned["limit"]
    by_stem = {s: a for a, s in stems.items()}
    failed = {by_stem[o.name]: o.error for o in outcomes if not o.ok}
    for a, error in failed.items():
        console.print(f"FAILED plan of account {a!r}: {error}", markup=False,
                      highlight=False, soft_wrap=True)
    for manager, data in ics.items():
        (staging / f"{ics_names[manager]}.ics").write_bytes(data)
    cals = [{"manager": m, "file": f"{ics_names[m]}.ics"} for m in ics]
    failed_pages = publish_failures(staging, out, failed, stems, force)
    rows = index_rows(frames, ids, stems, failed, failed_pages)
    n_key = key_account_count(frames)
    capped = [cap_notice(len(ids), n_key)] if limit is not None and n_key > len(ids) else []
    (staging / "index.html").write_text(plans_index_html(
        rows, as_of=str(ds.as_of), currency=ds.currency, calendars=cals,
        notices=capped + frames["info"].attrs.get("notices", [])), encoding="utf-8")
    written = [f"{stems[a]}.html" for a in ids if a not in failed] + \
        [c["file"] for c in cals] + ["index.html"]
    publish(staging, out, written)
    pdf_error = publish_pdfs_or_say(staging, out, RECORD, "plans", force=force,
                                    console=console, show_progress=show_progress) if pdf else ""
    return PlansResult(not failed and not pdf_error, out,
                       {a: f"{stems[a]}.html" for a in ids if a not in failed}, failed,
                       [c["file"] for c in cals], time.perf_counter() - started,
                       rows=rows, failed_pages=failed_pages, pdf_error=pdf_error,
                       key_accounts=n_key, limit=limit)


def cap_notice(planned: int, key_accounts: int) -> str:
    """What the index says when the cap left key accounts without a plan, and how to write
    more.

    >>> cap_notice(100, 5883)[:62]
    'Plans are written for the 100 largest of the 5,883 key account'
    """
    return (f"Plans are written for the {planned:,} largest of the {key_accounts:,} key "
            f"accounts, the number a build writes by default. More on request: your analyst "
            f"can write a plan for every key account, or for the largest N accounts (the "
            f"README's account plans section says how).")
