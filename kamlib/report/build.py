"""``kam build``: load the data once, run the report notebooks in parallel, publish atomically.

The data set is loaded and validated once, saved to a private folder, and handed to every
notebook as the ``prepared`` parameter. Notebooks run in worker processes, each with one warm
kernel reused from notebook to notebook (see :mod:`kamlib.report.kernels`). Everything is written to a staging folder next to
``out``; only when every notebook succeeded do the new pages replace the old ones. A
failure names the notebook, cell and error, renders the failed notebook under
``out/_failed/`` and leaves the published reports as they were. The key accounts' plans
run on the same warm workers with the same data, between the report notebooks as soon as
their portfolio is computed, and are written into ``out/plans`` once every notebook
succeeded (:mod:`kamlib.report.plans_entry`); a failed plan is marked, the others are
published.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text

from kamlib._memory import give_back
from kamlib._written import OverwriteError, foreign, owned, read_record, refuse, sha256
from kamlib.data.config import Config, load_config
from kamlib.data.needs import needs_sentence, revenue_gap, unmet
from kamlib.data.problems import ValidationError
from kamlib.exercises.tracking import PROGRESS_FILE
from kamlib.report.execute import console as _console
from kamlib.report.execute import execute as _execute
from kamlib.report.execute import run_info as _run_info
from kamlib.report.execute import worker_pool
from kamlib.report.history import figure_settings
from kamlib.report.index import AUDIENCES, index_html
from kamlib.report.leadership import FILES as LEADERSHIP_FILES
from kamlib.report.leadership import account_snapshot, write_files
from kamlib.report.nav import with_navigation
from kamlib.report.notebooks import (NotebookError, changed_kit_copies, check_parameters,
                                     report_notebooks)
from kamlib.report.pdf import check_printer, pdf_names, publish_pdfs_or_say
from kamlib.report.worker import portfolio_task
from kamlib.report.plans_entry import BuildPlans, key_accounts, plan_notebook, plans_kept
from kamlib.report.staging import drop_staging, new_staging, remove_stale
from kamlib.report.tasks import Outcome, Task
from kamlib.report.watchdog import time_bound

__all__ = ["build_reports", "BuildResult", "NOTEBOOKS", "MANIFEST", "OverwriteError"]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MANIFEST = ".kamkit-build.json"  # what the last successful build published


@dataclass
class BuildResult:
    """The outcome of a build: ``ok`` only if every notebook ran and was published."""

    ok: bool
    out: Path
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    published: bool = False  # the pages were published (a failed plan alone: ok is False)

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def _previous(out: Path) -> tuple[list[dict], dict[str, str]]:
    """The modules the previous build published that are still its pages, and its record.

    The manifest lies in a folder anyone may write to: only entries naming a page the build
    wrote (a plain file name whose content still has the recorded hash) count.
    """
    record = read_record(out / MANIFEST)
    try:
        modules = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("modules", [])
    except (OSError, ValueError, AttributeError):
        modules = []
    keys = {"name": str, "title": str, "html": str, "headlines": list}
    modules = [m for m in modules if isinstance(m, dict)
               and all(isinstance(m.get(k), t) for k, t in keys.items())
               and (owned(out, m["html"], record) or plans_kept(out, m["html"]))
               ] if isinstance(modules, list) else []
    return modules, record


def _failed_dir(out: Path) -> Path | None:
    """``out/_failed`` unless something other than a folder (a link, a file) holds the name."""
    failed = out / "_failed"
    return None if failed.is_symlink() or (failed.exists() and not failed.is_dir()) else failed


def _navigate(page: Path, modules: list[dict], current: str) -> None:
    """Give a page of this build the bar of links to every page and, if long, contents."""
    page.write_text(with_navigation(page.read_text(encoding="utf-8"), modules, current),
                    encoding="utf-8")


def _publish(staging: Path, out: Path, modules: list[dict], run_info: dict,
             audience: str, rebuilt_all: bool, leadership: dict) -> None:
    """Move the new pages into ``out``; drop pages the previous build made and this one not.

    Each page is replaced in one rename, the index last, so a reader never opens a page
    half written; the set of pages changes only after every notebook succeeded.
    """
    previous, record = _previous(out)
    names = {m["name"] for m in modules}
    if not rebuilt_all:  # --only: keep the other modules' pages and headlines
        modules = [m for m in previous if m["name"] not in names] + modules
        modules.sort(key=lambda m: m["name"])
    # history, account classes and the changes page (see kamlib.report.leadership)
    leadership = dict(leadership)
    brief = leadership.pop("brief", None)
    glossary = leadership.pop("glossary", None)
    plans = next((m for m in modules if m["name"] == "plans"), None)
    table = key_accounts(plans, leadership.get("currency", ""))
    links = {r["account_id"]: r["html"] for r in (table or {}).get("rows", []) if r["html"]}
    lead = write_files(staging, out, record, modules, run_info, plans=links, **leadership)
    if brief:  # the accounts to act on link their plans where the build wrote one
        brief = {**brief, "act": [{**r, "plan": links.get(r["id"])} for r in brief["act"]]}
    (staging / "index.html").write_text(
        index_html(lead.modules, run_info, audience, history=True, previous=lead.previous,
                   changes=lead.changes, key_accounts=table, brief=brief, glossary=glossary),
        encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for m in modules:
        if not m.get("html") or "/" in m["html"]:  # no page, or the plans' own folder
            continue
        if (staging / m["html"]).exists():
            _navigate(staging / m["html"], modules, m["name"])
            files[m["html"]] = sha256(staging / m["html"])
            os.replace(staging / m["html"], out / m["html"])
        else:  # kept from the previous build (--only), unchanged
            files[m["html"]] = record[m["html"]]
    for name in lead.written:
        if name.endswith(".html"):
            _navigate(staging / name, modules, Path(name).stem)
        files[name] = sha256(staging / name)
        os.replace(staging / name, out / name)
    files["index.html"] = sha256(staging / "index.html")
    os.replace(staging / "index.html", out / "index.html")
    for old in record:  # only a page it wrote, as it wrote it
        # a PDF of an earlier build describes old pages: this build prints anew or drops it
        if (old not in files and (old.endswith((".html", ".pdf")) or old in LEADERSHIP_FILES)
                and owned(out, old, record)):
            (out / old).unlink()
    failed = _failed_dir(out)
    if failed is not None and failed.is_dir():
        for name in names:  # a notebook that works again has no failed page any more
            (failed / f"{name}.html").unlink(missing_ok=True)
        if not any(failed.iterdir()):
            failed.rmdir()
    manifest = {"modules": modules, "files": files, "run": run_info, "audience": audience}
    # written beside and renamed: a link planted under the manifest's name is replaced,
    # never written through
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(staging / MANIFEST, out / MANIFEST)


def _check_out(out: Path, pages: list[str], force: bool) -> None:
    """Refuse an ``out`` the build cannot or must not write into, before anything runs."""
    if out.exists() and not out.is_dir():
        raise OverwriteError(f"--out {out}: is a file, not a folder; give a folder for the "
                             "reports")
    if _failed_dir(out) is None:
        raise OverwriteError(f"--out {out}: _failed there is not a folder the kit made (a link "
                             "or a file); remove it or choose another folder")
    if not force and out.is_dir():
        found = foreign(out, ["index.html", *pages], read_record(out / MANIFEST))
        manifest = out / MANIFEST
        if (manifest.exists() or manifest.is_symlink()) and not _is_manifest(manifest):
            found.append(MANIFEST)
        refuse(out, found, "the build")


def _is_manifest(path: Path) -> bool:
    """Whether ``path`` is a build manifest (a file, not a link; what it lists is checked
    entry by entry when it is used)."""
    try:
        return not path.is_symlink() and "modules" in json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def _saved(prepared: Path, reads: tuple[str, ...], frames):
    """The gate of a notebook reading frames the build saves with the prepared data: open
    once they are saved there, or once the worker saving them is done (a failure: the
    notebook then computes them itself)."""
    return lambda: frames.done() or all((prepared / name).is_dir() for name in reads)


def _publish_failures(staging: Path, out: Path, outcomes: list[Outcome]) -> None:
    if _failed_dir(out) is None:
        return  # checked before the build; something replaced the folder since
    (out / "_failed").mkdir(parents=True, exist_ok=True)
    for o in outcomes:
        if o.failed_html:
            os.replace(staging / o.failed_html, out / o.failed_html)


def build_reports(config: str | Path | Config | None = None, *, out: str | Path = "reports",
                  only: list[str] | None = None, audience: str = "leadership",
                  timeout: int = 600, notebooks: str | Path = NOTEBOOKS,
                  parameters: dict[str, dict] | None = None, workers: int | None = None,
                  show_progress: bool = True, force: bool = False,
                  plans: bool | None = None, pdf: bool = False) -> BuildResult:
    """Run every report notebook on the configured data and publish the HTML reports.

    Parameters
    ----------
    config : path or Config, optional
        ``kam.toml``; None builds from the bundled sample.
    out : path
        Where the reports are published (``index.html`` and one page per notebook).
    only : list of str, optional
        Notebook names (file stems) to rebuild; the index keeps the other modules.
    audience : {"leadership", "trainee"}
        Leadership pages have no code and no exercises; trainee pages show the code.
    timeout : int
        Seconds a notebook (and each of its cells) may take.
    notebooks : path
        The folder of notebooks; a notebook is a report if its metadata says so.
    parameters : dict, optional
        Extra parameters per notebook name; checked against its parameters cell.
    workers : int, optional
        Parallel notebooks (default: the number of CPUs, at most the number of notebooks).
    force : bool
        Overwrite files in ``out`` the kit did not write (by default the build refuses).
    plans : bool, optional
        Write the key accounts' plans into ``out/plans`` (:mod:`kamlib.report.plans`), linked
        from the index with a table of the key accounts, once every notebook succeeded.
        Default: when ``notebooks`` has the plan notebook (``plans/account_plan.ipynb``, as
        the kit's folder has), except with ``only`` (the index keeps the last plans).
    pdf : bool
        Also print every published page to a PDF beside it (A4, :mod:`kamlib.report.pdf`),
        the plans included; needs Debian's ``chromium`` and Playwright. A failed print
        leaves the HTML published.

    Raises
    ------
    ConfigError, NotebookError
        Before anything runs, for a bad config, notebook name or parameter.
    PrinterMissing
        Before anything runs, with ``pdf`` when chromium or Playwright is not installed.
    OverwriteError
        Before anything runs, if ``out`` is a file or holds files the kit did not write
        where the build would write (unless ``force``).

    Examples
    --------
    >>> result = build_reports(out="reports")          # doctest: +SKIP
    >>> result.ok, result.index.name                    # doctest: +SKIP
    (True, 'index.html')
    """
    from kamlib import __version__
    from kamlib.data.dataset import load

    started, console = time.perf_counter(), _console()
    if pdf:
        check_printer()
    if audience not in AUDIENCES:
        raise NotebookError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    cfg = config if isinstance(config, Config) else load_config(config)
    out, folder = Path(out).resolve(), Path(notebooks).resolve()
    if (folder / PROGRESS_FILE).exists():
        raise NotebookError(f"{folder} is a trainee's course work folder: kam build runs the "
                            "kit's own notebooks, never a trainee's copies")
    changed = changed_kit_copies(folder, NOTEBOOKS)
    if changed:
        raise NotebookError(f"{folder}: {', '.join(changed)} differ from the kit's notebooks of "
                            "the same name or title (a trainee's copies?): kam build runs the "
                            "kit's own notebooks, never a trainee's copies")
    selected = report_notebooks(folder, only)
    if not selected:
        raise NotebookError(f"no report notebooks in {folder}")
    params = {nb.name: {"config": str(cfg.path) if cfg.path else "", "prepared": "",
                        **(parameters or {}).get(nb.name, {})} for nb in selected}
    for nb in selected:  # refuse a bad parameter before anything runs or is written
        check_parameters(nb.path, params[nb.name])
    pages = [f"{nb.name}.html" for nb in selected] + list(LEADERSHIP_FILES)
    _check_out(out, pages + (pdf_names(["index.html", *pages]) if pdf else []), force)
    remove_stale(out)  # what a killed build left: a copy of the data
    staging = new_staging(out)
    prepared = staging / "_prepared"
    for values in params.values():
        values["prepared"] = str(prepared)
    plan_nb = plan_notebook(folder)
    plans = (not only and plan_nb is not None) if plans is None else plans
    plan_nb = plan_nb or plan_notebook(NOTEBOOKS)  # asked for: the kit's own
    n_workers = max(1, workers or os.cpu_count() or 1)
    if not plans:  # the plans are many notebooks: every core; else no more than notebooks
        n_workers = min(n_workers, len(selected))
    pool = worker_pool(n_workers, folder, staging)
    try:
        try:
            with console.status("loading and validating the data"), \
                    time_bound(timeout, "loading and validating the data"):
                ds = load(cfg)
        except ValidationError as err:
            console.print(str(err.report), markup=False, highlight=False, soft_wrap=True)
            return BuildResult(False, out, errors=["data: validation failed; nothing was "
                                                   "built (run kam validate for details)"])
        from kamlib.status import dataset_status

        dataset_status(ds)  # once per build: saved with the data, read by every page and plan
        ds.save(prepared)
        give_back()  # what loading freed (the engine's buffers), while the kernels work
        run_info = _run_info(ds, __version__)
        run_info["settings"] = figure_settings(cfg.analysis, ds.currency)  # history: meaning
        classes, problem = account_snapshot(ds)  # for the changes page
        people = ds.accounts.drop_duplicates("account_id").set_index("account_id")
        names, managers = ({} if column not in people.columns
                           else people[column].dropna().astype(str).to_dict()
                           for column in ("account_name", "account_manager"))
        from kamlib.report.brief_page import dataset_brief
        from kamlib.vocabulary import glossary_rows

        leadership = {"classes": classes, "problem": problem, "names": names,
                      "brief": dataset_brief(ds)[0],
                      "glossary": glossary_rows(cfg.analysis),
                      "managers": managers,
                      "currency": ds.currency,
                      "lost_after_days": cfg.analysis.lost_after_days}
        missing = {nb.name: unmet(nb.needs, ds.tables)
                   + (revenue_gap(ds.cube.account_month) if nb.ranks else []) for nb in selected}
        unavailable = [{"name": nb.name, "title": nb.title, "html": None, "headlines": [],
                        "missing": needs_sentence(nb.title, missing[nb.name])}
                       for nb in selected if missing[nb.name]]
        for m in unavailable:
            console.print(Text.assemble(("not built ", "yellow"), m["missing"]), soft_wrap=True)
        tasks = [Task(nb.path, nb.title, params[nb.name], staging, audience, timeout, run_info)
                 for nb in selected if not missing[nb.name]]
        # the plans' portfolio is computed on a worker, first, while the other runs the
        # report notebooks, and saved there: the build process never holds its hundreds of
        # MB (kamlib.report.worker.portfolio_task); an error surfaces in the plans. It
        # saves the relationship frames with the prepared data first: module 15 waits for
        # them and reads them (computed once per build); without plans it computes them
        frames = pool.submit(portfolio_task, prepared, cfg, staging / "_portfolio") \
            if plans else None
        gates = {nb.name: _saved(prepared, nb.reads, frames) for nb in selected
                 if nb.reads and frames is not None}
        # the plans join the queue once the portfolio is there, behind the reports: they
        # fill a worker the reports leave idle (the same data, the same warm workers)
        step = BuildPlans(ds, out, (pool, n_workers, folder), notebook=plan_nb, force=force,
                          show_progress=show_progress, pdf=pdf, frames=frames) \
            if plans else None
        try:
            outcomes = _execute(tasks, pool, n_workers, timeout, console, show_progress,
                                gates=gates, then=step.then if step else None)
            failed = [o for o in outcomes if not o.ok]
            if failed:
                _publish_failures(staging, out, failed)
                errors = [o.error for o in failed]
                for line in errors:
                    # error text is data: never let rich read it as markup
                    console.print(Text.assemble(("FAILED ", "bold red"), line), soft_wrap=True)
                console.print(f"Nothing published; the reports in {out} are unchanged. Failed "
                              f"notebooks rendered in {out / '_failed'}.", soft_wrap=True)
                return BuildResult(False, out, outcomes, errors, time.perf_counter() - started)
            extra, plan_errors = [], []
            if step:
                entry, plan_errors = step.entry()
                extra.append(entry)
                if entry.get("missing"):
                    console.print(Text.assemble(("not built ", "yellow"), entry["missing"]),
                                  soft_wrap=True)
        finally:
            if step:
                step.close()
        modules = sorted(extra + [{"name": o.name, "title": o.title, "html": o.html,
                           "headlines": list(o.headlines), "notices": list(o.notices),
                           "thumbnails": list(o.thumbnails)}
                          for o in outcomes] + unavailable,
                         key=lambda m: m["name"])
        _publish(staging, out, modules, run_info, audience, rebuilt_all=not only,
                 leadership=leadership)
        if pdf and (line := publish_pdfs_or_say(staging, out, MANIFEST, "reports",
                                                force=force, console=console,
                                                show_progress=show_progress)):
            plan_errors.append(line)
        return BuildResult(not plan_errors, out, outcomes, plan_errors,
                           time.perf_counter() - started, published=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        drop_staging(staging)
