"""The worker processes' entry points: start the warm kernel, run one notebook.

Imported by the parent only by name (for pickling); the heavy modules (papermill,
nbconvert, :mod:`kamlib.report.run`) are imported inside the functions, in the workers.

A worker dies with the build: if the build process is killed (even with SIGKILL, which it
cannot handle), each worker shuts its kernel down, removes the staging folder (the copy
of the user's data) and exits.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from kamlib.report.tasks import Outcome, Task

__all__ = ["init_worker", "run_task", "portfolio_task"]


def _remove_if_orphaned(parent: int, staging: Path | None, wait: float = 0.0) -> None:
    """Remove the staging folder if the build is gone (else it still needs it).

    The death signal comes when the build's thread that started this worker ends, which
    may be a moment before the whole process is gone: ``wait`` gives it that moment.
    """
    deadline = time.monotonic() + wait
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.02)
    if staging is None or os.getppid() == parent:
        return
    # the other workers remove it too, and may still be writing into it: try again
    for _ in range(40):
        shutil.rmtree(staging, ignore_errors=True)
        if not staging.exists():
            break
        time.sleep(0.05)


def _leave(parent: int, staging: Path | None) -> None:
    """Kill the kernel and exit at once; if the build is gone, remove its staging folder."""
    try:
        from kamlib.report import kernels

        kernels.kill_now()
        _remove_if_orphaned(parent, staging, wait=2.0)
    finally:
        os._exit(1)


def _die_with(parent: int, staging: Path | None) -> None:
    """Make this process follow ``parent`` out: a signal from the kernel, and a watch."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
        signal.signal(signal.SIGTERM, lambda *_: _leave(parent, staging))

    def watch() -> None:  # also where there is no prctl, or the main thread is busy in C
        while os.getppid() == parent:
            time.sleep(0.5)
        _leave(parent, staging)

    threading.Thread(target=watch, name="kamkit-parent-watch", daemon=True).start()
    # an idle worker may leave first, on its own, when the build's end of its queue closes
    from multiprocessing.util import Finalize

    Finalize(None, _remove_if_orphaned, args=(parent, staging), exitpriority=20)
    if os.getppid() != parent:  # died before the signal was set up
        _leave(parent, staging)


def init_worker(cwd: Path, staging: Path | None = None, parent: int | None = None) -> None:
    """Process-pool initializer: follow the build out, start the kernel, import the rest."""
    if parent is not None:
        _die_with(parent, staging)
    from kamlib.report import kernels

    kernels.start(cwd)  # boots while papermill and nbconvert are imported
    from kamlib.report import run

    run.quiet_logs()


def run_task(task: Task) -> Outcome:
    """Run one notebook in a worker (see :func:`kamlib.report.run.run`)."""
    from kamlib.report import run

    return run.run(task)


def portfolio_task(prepared: Path, config, folder: Path):
    """The plans' portfolio of the prepared data, saved into ``folder``, computed in a worker.

    First the relationship frames, saved with the prepared data (``relationships/``, read
    by module 15 as soon as they are there: computed once per build), then the portfolio,
    which reads the two it needs back from there. In the build process the portfolio held
    250-350 MB (the relationship history of every account) for the rest of the build,
    beside two kernels; here the worker gives it back once the frames are written. Returns
    the :class:`~kamlib.report.plans_portfolio.SavedPortfolio` (the few frames the plans run
    reads itself; each plan reads its rows of the others from ``folder``).
    """
    from kamlib._memory import give_back
    from kamlib.data.dataset import open_dataset
    from kamlib.report.plans_portfolio import save_for_plans, save_relationships_of

    ds = open_dataset(prepared=prepared)
    ds.config = config  # the build's own (a Config object may have no file)
    save_relationships_of(ds, prepared)
    saved = save_for_plans(ds, config, folder)
    del ds
    give_back()  # the data set's heap: this worker runs plans next, beside its kernel
    return saved
