"""Running notebooks in the build's worker processes: the pool and the queue.

Shared by ``kam build`` (:mod:`kamlib.report.build`) and ``kam plans``
(:mod:`kamlib.report.plans`): forked workers, each with one warm kernel, fed tasks until all
are done or the time limit passes.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from collections.abc import Callable, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kamlib.report.tasks import Outcome, Task
from kamlib.report.worker import init_worker, run_task

__all__ = ["worker_pool", "execute", "run_info", "console", "WorkerPool", "Then"]


def console():
    """The console on stderr that progress and errors are printed to."""
    from rich.console import Console

    return Console(stderr=True)


def run_info(ds, version: str) -> dict:
    """What every page's footer says about the run: as-of, sources, version."""
    return {"as_of": str(ds.as_of), "start": str(ds.start), "version": version,
            "n_accounts": len(ds.accounts), "validation": ds.report.summary(),
            "sources": [asdict(s) for s in ds.sources]}


class WorkerPool:
    """The build's worker processes, renewed when one dies.

    A worker killed from outside (out of memory, a signal) breaks a
    :class:`~concurrent.futures.ProcessPoolExecutor` as a whole: every notebook still
    queued on it would fail. :func:`execute` then starts a new pool here (same warm-up)
    and tries the notebooks that were running once more.
    """

    def __init__(self, n_workers: int, folder: Path, staging: Path) -> None:
        self.n_workers, self.folder, self.staging = n_workers, folder, staging
        self.renewed = 0
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # Forked while no DuckDB connection is open (before the load, or after it closed its
        # own: fork copies no engine threads then) and inheriting the imported kamlib;
        # "spawn" would import it all again.
        context = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        pool = ProcessPoolExecutor(self.n_workers,
                                   mp_context=multiprocessing.get_context(context),
                                   initializer=init_worker,
                                   initargs=(self.folder, self.staging, os.getpid()))
        for _ in range(self.n_workers):  # start them now: kernels boot meanwhile
            pool.submit(os.getpid)
        return pool

    def submit(self, fn, *args) -> Future:
        return self.executor.submit(fn, *args)

    def renew(self) -> None:
        """Replace a broken pool by a new one (its workers' kernels start now)."""
        for proc in list((getattr(self.executor, "_processes", None) or {}).values()):
            try:  # a live worker left on SIGTERM shuts its kernel down (worker._leave)
                proc.terminate()
            except (OSError, ValueError, AttributeError):
                pass
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()
        self.renewed += 1

    def kill(self) -> None:
        """Kill the workers outright (a hung kernel outlives the cell timeout)."""
        for proc in list((getattr(self.executor, "_processes", None) or {}).values()):
            try:
                proc.kill()
            except (OSError, ValueError, AttributeError):
                pass

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)


@dataclass
class Then:
    """Tasks that join a run once ``ready()`` says so: ``make()`` gives them, and they run
    after every task queued before them, on workers the others leave idle (``kam build``'s
    plans, made as soon as their portfolio is computed). Their outcomes are kept apart in
    ``outcomes``; ``error`` holds what ``make`` raised (then no task joins)."""

    ready: Callable[[], bool]
    make: Callable[[], list[Task]]
    outcomes: list[Outcome] = field(default_factory=list)
    error: Exception | None = None
    made: bool = False


def execute(tasks: list[Task], pool: WorkerPool, workers: int, timeout: int,
            console, show_progress: bool, *, gates: Mapping[str, Callable[[], bool]] | None = None,
            then: Then | None = None) -> list[Outcome]:
    """Run ``tasks`` on ``pool``, at most ``workers`` at a time; their outcomes by name.

    Only running notebooks are on the pool, so a worker that dies breaks no queued one.
    The notebooks that were running then are suspects: each is run once more on a renewed
    pool, alone, so one that kills its worker again is known and fails with that error
    while the others, and the rest of the queue, run on.

    ``gates`` holds a task back (by label) until its gate says it may start (module 15
    until the relationship frames are saved); the next task in the queue runs meanwhile.
    ``then``'s tasks join the queue once it is ready, unless a task of ``tasks`` failed
    (the build then publishes nothing: they are not started).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    gates = dict(gates or {})
    queue = [(t, False, False) for t in reversed(tasks)]  # (task, suspect, then's), from the end
    running: dict[Future, tuple[Task, bool, bool]] = {}
    outcomes: list[Outcome] = []
    # a notebook may take `timeout` seconds; the workers take turns on the queue
    deadline = time.monotonic() + timeout * -(-len(tasks) // workers) + 60

    def startable() -> int | None:  # the queue's next task free to start, if any
        if any(s for _, s, _ in running.values()) or (queue[-1][1] and running):
            return None
        return next((i for i in range(len(queue) - 1, -1, -1)
                     if queue[i][0].label not in gates or queue[i][2]
                     or gates[queue[i][0].label]()), None)

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True, disable=not show_progress) as bar:
        total = len(tasks)
        job = bar.add_task("notebooks", total=total)
        while queue or running or (then and not then.made):
            if then and not then.made and any(not o.ok for o in outcomes):
                then.made = True  # a report failed: nothing is published, no plan needed
                queue = [q for q in queue if not q[2]]
            if then and not then.made and then.ready():
                then.made = True
                try:
                    more = then.make()
                except Exception as err:  # noqa: BLE001 - reported by the caller
                    then.error, more = err, []
                queue[:0] = [(t, False, True) for t in reversed(more)]
                deadline += timeout * -(-len(more) // workers)
                total += len(more)
                bar.update(job, total=total)
            while queue and len(running) < workers and (i := startable()) is not None:
                task, suspect, later = queue.pop(i)
                running[pool.submit(run_task, task)] = (task, suspect, later)
            # a held task or a coming `then` is looked at again every half second
            poll = 0.5 if (then and not then.made) or len(running) < min(workers, len(
                running) + len(queue)) else None
            left = max(deadline - time.monotonic(), 0)
            if running:
                done, _ = wait(set(running), timeout=min(left, poll) if poll else left,
                               return_when=FIRST_COMPLETED)
            else:  # only held tasks, or the coming `then`: wait for them
                time.sleep(min(left, poll or left))
                done = set()
            if not done and (left <= 0 or poll is None):
                # the deadline passed: stop the workers, report what is left
                pool.kill()
                for t, _, later in [*running.values(), *queue]:
                    (then.outcomes if later else outcomes).append(Outcome(
                        t.label, t.title, False, error=f"{t.label}: did not finish within "
                        f"the time limit ({timeout} s per notebook)"))
                break
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                # what finished before the break stands; the rest were on the dead pool
                lost = {f: running.pop(f) for f in list(running)
                        if f not in done or isinstance(f.exception(), BrokenProcessPool)}
                for (task, suspect, later) in lost.values():
                    if len(lost) == 1 and suspect:  # it killed its worker again, alone
                        (then.outcomes if later else outcomes).append(Outcome(
                            task.label, task.title, False, error=(
                                f"{task.label}: its worker process died twice (out of "
                                f"memory or killed from outside)")))
                        bar.update(job, advance=1, description=task.label)
                    else:
                        queue.append((task, True, later))
                pool.renew()
                done = {f for f in done if f in running}
            for f in done:
                task, _, later = running.pop(f)
                try:
                    outcome = f.result()
                except Exception as err:  # noqa: BLE001 - any failure is a failed notebook
                    outcome = Outcome(task.label, task.title, False,
                                      error=f"{task.label}: {type(err).__name__}: {err}")
                (then.outcomes if later else outcomes).append(outcome)
                bar.update(job, advance=1, description=outcome.name)
    if then:
        then.outcomes.sort(key=lambda o: o.name)
    return sorted(outcomes, key=lambda o: o.name)


def worker_pool(n_workers: int, folder: Path, staging: Path) -> WorkerPool:
    """Worker processes, each with a warm kernel in ``folder``, started now (their kernels
    boot while the caller loads the data)."""
    return WorkerPool(n_workers, folder, staging)
