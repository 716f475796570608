"""Executing one report notebook in a worker process: papermill on the worker's warm kernel.

A naive ``papermill`` + ``jupyter nbconvert`` loop pays a new process, a new kernel and the
same imports for every notebook. Here each worker process imports papermill and nbconvert
once and keeps one warm kernel (:mod:`kamlib.report.kernels`), reset between notebooks, so
a notebook costs little more than its own cells.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import nbformat
import papermill
from nbclient.exceptions import DeadKernelError
from papermill.exceptions import PapermillExecutionError

from kamlib.data.needs import NOTICE_MIME
from kamlib.report import kernels
from kamlib.report.html import failed_html, notebook_html, run_footer
from kamlib.report.display import THUMBNAIL_MIME
from kamlib.report.notebooks import recorded_headlines
from kamlib.report.tasks import Outcome, Task

__all__ = ["run", "quiet_logs", "TRIES"]

TRIES = 2  # a notebook whose kernel died under it is run once more, on a new kernel


def quiet_logs() -> None:
    """Papermill logs every cell at INFO; the build shows its own progress."""
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)


def _source_cell(nb: nbformat.NotebookNode, index: int) -> int:
    """1-based cell number in the notebook as written (papermill inserts a cell)."""
    injected = sum(1 for c in nb.cells[:index]
                   if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return index - injected + 1


def _failure(task: Task, err: Exception, executed, started: float) -> Outcome:
    """The one-line message, and the failed notebook rendered for the analyst."""
    name = task.label
    nb = nbformat.read(executed, as_version=4) if executed.exists() else None
    if isinstance(err, PapermillExecutionError) and nb is not None:
        where = f"cell {_source_cell(nb, err.cell_index)}: {err.ename}: {err.evalue}"
    else:
        where = f"{type(err).__name__}: {err}"
    failed = None
    if nb is not None:
        failed = f"_failed/{name}.html"
        path = task.out_dir / failed
        path.parent.mkdir(exist_ok=True)
        path.write_text(failed_html(nb, task.title), encoding="utf-8")
    return Outcome(name, task.title, False, error=f"{name}: {where}".splitlines()[0],
                   failed_html=failed, seconds=time.perf_counter() - started)


def run(task: Task) -> Outcome:
    """Execute ``task.path`` with its parameters and export the report HTML."""
    name, started, cwd = task.label, time.perf_counter(), task.cwd or task.path.parent
    executed = task.out_dir / "_executed" / f"{name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(TRIES):
        try:
            nb = papermill.execute_notebook(
                str(task.path), str(executed), parameters=task.parameters,
                km=kernels.get(cwd), progress_bar=False, execution_timeout=task.timeout,
                cwd=str(cwd),
                # saved when it ends (or fails), not at every cell: nobody reads it meanwhile
                request_save_on_cell_execute=False)
            break
        except DeadKernelError as err:  # killed from outside: once more on a new kernel
            kernels.discard(cwd)
            if attempt + 1 == TRIES:
                return _failure(task, err, executed, started)
        except Exception as err:  # noqa: BLE001 - any failure must become a one-line message
            kernels.discard(cwd)  # whatever state it was left in, the next one starts fresh
            return _failure(task, err, executed, started)
    # papermill leaves its client open on a kernel it does not own: close it (and any other)
    kernels.close_clients(cwd)
    resetting = kernels.begin_reset(cwd)  # the kernel clears itself while the page exports
    html_name = f"{name}.html"
    # "prepared" is the build's own staging folder, deleted once published: not worth showing
    shown = {k: v for k, v in task.parameters.items() if k not in ("prepared", "portfolio")}
    if shown.get("config"):  # the file's name, not the analyst's folders
        shown["config"] = Path(shown["config"]).name
    try:
        (task.out_dir / html_name).write_text(
            notebook_html(nb, task.title, task.audience, run_footer(shown, task.run_info)),
            encoding="utf-8")
    finally:
        kernels.finish_reset(cwd, resetting)
        kernels.recycle_if_large(cwd)
    return Outcome(name, task.title, True, html=html_name,
                   headlines=tuple(recorded_headlines(nb)),
                   thumbnails=tuple(recorded_headlines(nb, THUMBNAIL_MIME)),
                   notices=tuple(n["text"] for n in recorded_headlines(nb, NOTICE_MIME)),
                   seconds=time.perf_counter() - started)
