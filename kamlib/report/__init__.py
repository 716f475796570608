"""Reports: run the notebooks into HTML for leadership, safely and fast.

Notebooks use :func:`headline`, :func:`thumbnail` and :func:`safe_table`; ``kam build`` uses
:func:`build_reports`; lists for spreadsheets go out through :func:`safe_export`.
The heavy machinery (papermill, nbconvert) is imported only when a build starts, so a
notebook importing this package stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kamlib.report.display import (HEADLINE_MIME, LAST_12_MONTHS, THUMBNAIL_MIME, WHOLE_WINDOW,
                                   headline, how_computed, safe_table, thumbnail,
                                   window_label)
from kamlib.report.safe_export import neutralise, safe_export

if TYPE_CHECKING:
    from kamlib.report.build import BuildResult, build_reports

__all__ = ["HEADLINE_MIME", "THUMBNAIL_MIME", "WHOLE_WINDOW", "LAST_12_MONTHS", "headline",
           "thumbnail", "safe_table", "window_label", "how_computed",
           "safe_export", "neutralise", "build_reports", "BuildResult"]


def __getattr__(name: str):
    if name in ("build_reports", "BuildResult"):
        from kamlib.report import build

        return getattr(build, name)
    raise AttributeError(f"module 'kamlib.report' has no attribute {name!r}")
