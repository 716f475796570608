"""What the build hands to its worker processes, and what they hand back.

Kept free of heavy imports: the parent process only pickles these, while papermill and
nbconvert are imported in the workers (:mod:`kamlib.report.run`), once each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Task", "Outcome"]


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
    name: str = ""  # the page's file stem when one notebook makes many pages (account plans)
    # the kernel's working folder (default: the notebook's): kam build runs the plans in the
    # warm kernels it started in its own notebooks' folder
    cwd: Path | None = None

    @property
    def label(self) -> str:
        """The page's name: ``name``, else the notebook's file stem."""
        return self.name or self.path.stem


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook: its report and headlines, or the one-line error."""

    name: str
    title: str
    ok: bool
    html: str | None = None  # file name inside the staging folder
    headlines: tuple = ()
    thumbnails: tuple = ()  # small charts for the index (kamlib.report.thumbnails)
    notices: tuple = ()  # figures the page could not show, and why (kamlib.data.needs)
    error: str = ""
    failed_html: str | None = None  # rendered failed notebook (in the staging folder)
    seconds: float = 0.0
