"""Running notebooks in the build's worker processes: the pool and the queue.

Shared by ``kam build`` (:mod:`kamlib.report.build`) and ``kam plans``
(:mod:`kamlib.report.plans`): forked workers, each with one warm kernel, fed tasks until all
are done or the time limit passes.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict
from pathlib import Path

from kamlib.report.tasks import Outcome, Task
from kamlib.report.worker import init_worker, run_task

__all__ = ["worker_pool", "execute", "run_info", "console"]


def console():
    """The console on stderr that progress and errors are printed to."""
    from rich.console import Console

    return Console(stderr=True)


def run_info(ds, version: str) -> dict:
    """What every page's footer says about the run: as-of, sources, version."""
    return {"as_of": str(ds.as_of), "start": str(ds.start), "version": version,
            "n_accounts": len(ds.accounts), "validation": ds.report.summary(),
            "sources": [asdict(s) for s in ds.sources]}


def execute(tasks: list[Task], pool: ProcessPoolExecutor, workers: int, timeout: int,
            console, show_progress: bool) -> list[Outcome]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    futures = {pool.submit(run_task, t): t for t in tasks}
    outcomes: list[Outcome] = []
    # a notebook may take `timeout` seconds; the workers take turns on the queue
    deadline = time.monotonic() + timeout * -(-len(tasks) // workers) + 60
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True, disable=not show_progress) as bar:
        job = bar.add_task("notebooks", total=len(tasks))
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=max(deadline - time.monotonic(), 0),
                                 return_when=FIRST_COMPLETED)
            if not done:  # the deadline passed: stop the workers, report what is left
                # (a hung kernel outlives the cell timeout; the executor has no public kill)
                for proc in pool._processes.values():
                    proc.kill()
                outcomes += [Outcome(futures[f].label, futures[f].title, False,
                                     error=f"{futures[f].label}: did not finish within "
                                     f"the time limit ({timeout} s per notebook)")
                             for f in pending]
                break
            for f in done:
                try:
                    outcome = f.result()
                except Exception as err:  # noqa: BLE001 - a dead worker is a failed notebook
                    t = futures[f]
                    outcome = Outcome(t.label, t.title, False,
                                      error=f"{t.label}: {type(err).__name__}: {err}")
                outcomes.append(outcome)
                bar.update(job, advance=1, description=outcome.name)
    return sorted(outcomes, key=lambda o: o.name)


def worker_pool(n_workers: int, folder: Path, staging: Path) -> ProcessPoolExecutor:
    """Worker processes, each with a warm kernel in ``folder``, started now (their kernels
    boot while the caller loads the data)."""
    # The workers are forked before any DuckDB connection exists (fork copies no engine
    # threads then) and inherit the imported kamlib; "spawn" would import it all again.
    context = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context(context),
                               initializer=init_worker,
                               initargs=(folder, staging, os.getpid()))
    for _ in range(n_workers):
        pool.submit(os.getpid)
    return pool
