"""Executing one report notebook in a worker process: papermill on a pre-warmed kernel.

A naive ``papermill`` + ``jupyter nbconvert`` loop pays a new process, a new kernel and the
same imports for every notebook. Here each worker process imports papermill and nbconvert
once, and keeps the next kernel started and its imports done while the current notebook
runs, so a notebook costs little more than its own cells. Every notebook still gets a
fresh kernel: no state leaks from one report into the next.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.exceptions import PapermillExecutionError

from kamlib.report.html import failed_html, notebook_html, run_footer
from kamlib.report.notebooks import recorded_headlines

__all__ = ["Task", "Outcome", "init_worker", "run_task"]

# The imports every report notebook makes; done while the previous notebook runs.
WARM_UP = ("import matplotlib; matplotlib.use('module://matplotlib_inline.backend_inline')\n"
           "import pandas, numpy, matplotlib.pyplot, seaborn\n"
           "import kamlib, kamlib.plots, kamlib.report, kamlib.concentration, kamlib.abcxyz")


@dataclass(frozen=True)
class Task:
    """One notebook to run and export; everything a worker needs, picklable."""

    path: Path
    title: str
    parameters: dict
    out_dir: Path  # the build's staging folder
    audience: str
    timeout: int
    run_info: dict = field(default_factory=dict)  # as-of, sources, version for the footer
    prewarm: bool = False  # start a kernel for a later notebook while this one runs


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook: its report and headlines, or the one-line error."""

    name: str
    title: str
    ok: bool
    html: str | None = None  # file name inside the staging folder
    headlines: tuple = ()
    error: str = ""
    failed_html: str | None = None  # rendered failed notebook (in the staging folder)
    seconds: float = 0.0


class _Kernel:
    """A kernel started ahead of time, with the warm-up imports sent."""

    def __init__(self, cwd: Path) -> None:
        # IPC sockets where possible: no open TCP ports (ipykernel warns about them), the
        # socket files in a private temporary folder rather than the working directory
        if os.name == "posix":
            self.km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                         ip=os.path.join(_socket_dir(), "kernel"))
        else:
            self.km = AsyncKernelManager(kernel_name="python3")
        run_sync(self.km.start_kernel)(cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        # silent: the notebook's own execution counts still start at 1
        self.msg_id = self.kc.execute(WARM_UP, silent=True)

    def ready(self, timeout: float = 120) -> AsyncKernelManager:
        """Wait for the warm-up to finish and hand the kernel over; a failed warm-up is
        harmless (the notebook makes the same imports and reports any error itself)."""
        async def wait() -> None:
            while True:
                reply = await self.kc.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == self.msg_id:
                    return

        run_sync(wait)()
        self.kc.stop_channels()
        return self.km


_next: dict[Path, _Kernel] = {}


_sockets: list[str] = []  # this worker's private folder for kernel IPC sockets


def _socket_dir() -> str:
    if not _sockets:
        _sockets.append(tempfile.mkdtemp(prefix="kamkit-kernels-"))
    return _sockets[0]


def _shutdown_spare() -> None:
    for kernel in _next.values():
        kernel.kc.stop_channels()
        run_sync(kernel.km.shutdown_kernel)(now=True)
    _next.clear()
    for folder in _sockets:
        shutil.rmtree(folder, ignore_errors=True)


def init_worker(cwd: Path) -> None:
    """Process-pool initializer: quiet logs and start this worker's first kernel."""
    from multiprocessing.util import Finalize

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    _next[cwd] = _Kernel(cwd)
    # pool workers leave through os._exit, which skips atexit: finalizers still run
    Finalize(None, _shutdown_spare, exitpriority=10)


def _kernel(cwd: Path, prewarm: bool) -> AsyncKernelManager:
    kernel = _next.pop(cwd, None) or _Kernel(cwd)
    km = kernel.ready()
    if prewarm:  # only when notebooks remain: a spare kernel's imports cost a core
        _next[cwd] = _Kernel(cwd)
    return km


def _source_cell(nb: nbformat.NotebookNode, index: int) -> int:
    """1-based cell number in the notebook as written (papermill inserts a cell)."""
    injected = sum(1 for c in nb.cells[:index]
                   if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return index - injected + 1


def run_task(task: Task) -> Outcome:
    """Execute ``task.path`` with its parameters and export the report HTML."""
    name, started = task.path.stem, time.perf_counter()
    executed = task.out_dir / "_executed" / f"{name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    km = _kernel(task.path.parent, task.prewarm)
    try:
        nb = papermill.execute_notebook(
            str(task.path), str(executed), parameters=task.parameters, km=km,
            progress_bar=False, execution_timeout=task.timeout, cwd=str(task.path.parent))
    except Exception as err:  # noqa: BLE001 - any failure must become a one-line message
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
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    footer = run_footer(task.parameters, task.run_info)
    html_name = f"{name}.html"
    (task.out_dir / html_name).write_text(
        notebook_html(nb, task.title, task.audience, footer), encoding="utf-8")
    return Outcome(name, task.title, True, html=html_name,
                   headlines=tuple(recorded_headlines(nb)),
                   seconds=time.perf_counter() - started)
