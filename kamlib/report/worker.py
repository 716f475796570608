"""The worker processes' entry points: start the warm kernel, run one notebook.

Imported by the parent only by name (for pickling); the heavy modules (papermill,
nbconvert, :mod:`kamlib.report.run`) are imported inside the functions, in the workers.
"""

from __future__ import annotations

from pathlib import Path

from kamlib.report.tasks import Outcome, Task

__all__ = ["init_worker", "run_task"]


def init_worker(cwd: Path) -> None:
    """Process-pool initializer: start the worker's kernel, then import the heavy parts."""
    from kamlib.report import kernels

    kernels.start(cwd)  # boots while papermill and nbconvert are imported
    from kamlib.report import run

    run.quiet_logs()


def run_task(task: Task) -> Outcome:
    """Run one notebook in a worker (see :func:`kamlib.report.run.run`)."""
    from kamlib.report import run

    return run.run(task)
