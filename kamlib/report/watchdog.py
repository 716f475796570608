"""``--timeout`` bounds every step of a build, not only each notebook.

The notebooks run in worker processes with a time limit each. The steps the build runs in
its own process (loading the data, the plans' portfolio) get one too: when ``kam`` runs
from the command line (:func:`armed`), a step that outlives the limit ends the run with one
line saying which step, and nothing is published (the previous reports stay; the next build
removes the staging folder, and the system releases the folder's lock). A step stuck in C
code (a regular expression, a query) cannot be interrupted from Python, so the process
ends; in a notebook or a test, where ending the process is not the kit's to do, the bound
is off.

Examples
--------
>>> with time_bound(5, "a quick step"):
...     1 + 1
2
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["armed", "time_bound"]

_ARMED = {"on": False}


@contextmanager
def armed() -> Iterator[None]:
    """Inside the block, :func:`time_bound` may end the process (the ``kam`` command's run)."""
    before, _ARMED["on"] = _ARMED["on"], True
    try:
        yield
    finally:
        _ARMED["on"] = before


@contextmanager
def time_bound(seconds: float, step: str) -> Iterator[None]:
    """Run the block; past ``seconds``, say so in one line and end the process (exit 1)."""
    if not _ARMED["on"]:
        yield
        return

    def expire() -> None:
        sys.stderr.write(f"\nkam: {step} did not finish within the time limit ({seconds:g} s, "
                         "--timeout); nothing was published\n")
        sys.stderr.flush()
        os._exit(1)
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
