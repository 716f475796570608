"""Charts of account planning: the value x need matrix.

Account names are data: drawn as plain text, never parsed as matplotlib math.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kamlib._frames import require_columns
from kamlib.plots.theme import COLORS, new_axes, plain

__all__ = ["value_need_chart", "QUADRANT_COLORS"]

# key accounts stand out; the others recede, so the eye finds the priority first
QUADRANT_COLORS = {"key account": "#C44E52", "maintain": "#4C72B0", "develop": "#DD8452",
                   "serve": "#B0B0B0", "unknown": "#E0E0E0"}


def _percent(x: float, _pos: object = None) -> str:
    """A share as a percentage with as many decimals as it needs: 0.001 -> "0.1%"."""
    return f"{x * 100:.10g}%"


def value_need_chart(matrix: pd.DataFrame, *, names: Mapping[str, str] | None = None,
                     label: int = 6, need_threshold: float | None = None,
                     account: str = "account_id",
                     ax: Axes | None = None) -> Figure:
    """The value x need matrix: each account a dot, quadrant lines, the largest key accounts
    labelled.

    Parameters
    ----------
    matrix : DataFrame
        A :func:`kamlib.planning.value_need_matrix` (``share``, ``need``, ``high_value``,
        ``quadrant``).
    names : mapping, optional
        Account id -> the name to print (e.g. the account names).
    label : int
        How many key accounts, largest value first, get a name: more would hide the dots.
    need_threshold : float, optional
        Where high need starts (the matrix's ``need_threshold``); by default the smallest
        need of a high-need account.

    Returns
    -------
    Figure
        Need on x (0-10), share of value on a log y axis; one scatter per quadrant (its
        label the quadrant and its number of accounts), the two quadrant lines (gid
        ``quadrant-line``) and the names, stacked right of the matrix (gid
        ``account-label``).

    Examples
    --------
    >>> m = pd.DataFrame({"account_id": ["a", "b", "c"], "share": [0.6, 0.3, 0.1],
    ...     "need": [8.0, 3.0, 6.0], "high_value": [True, True, False],
    ...     "high_need": [True, False, True],
    ...     "quadrant": ["key account", "maintain", "develop"]})
    >>> fig = value_need_chart(m, names={"a": "Bank A"})
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "account-label"]
    ['Bank A']
    """
    require_columns(matrix, [account, "share", "need", "high_value", "quadrant"],
                    "value_need_chart")
    fig, ax = new_axes(ax)
    shown = matrix[(matrix["share"] > 0) & matrix["need"].notna()]
    for quadrant, colour in QUADRANT_COLORS.items():
        rows = shown[shown["quadrant"] == quadrant]
        if len(rows):
            ax.scatter(rows["need"], rows["share"], s=28 if quadrant == "key account" else 14,
                       color=colour, alpha=0.8, linewidths=0,
                       label=f"{quadrant} ({len(rows):,})")
    high = shown.loc[shown["high_value"], "share"]
    value_line = float(high.min()) if len(high) else None
    need_line = need_threshold
    if need_line is None and "high_need" in matrix and matrix["high_need"].any():
        need_line = float(matrix.loc[matrix["high_need"], "need"].min())
    if value_line is not None:
        ax.axhline(value_line, color=COLORS["marker"], linestyle="--", linewidth=1,
                   gid="quadrant-line")
    if need_line is not None:
        ax.axvline(need_line, color=COLORS["marker"], linestyle="--", linewidth=1,
                   gid="quadrant-line")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(_percent))
    key = shown[shown["quadrant"] == "key account"].nlargest(label, "share")
    # names right of the matrix, stacked top down at least ``gap`` decades apart so that
    # neighbours never print over each other; a thin line leads to each dot
    top = np.log10(shown["share"].max())
    spot, gap = top + 0.1, 0.25
    for acc, x, y in zip(key[account], key["need"], key["share"]):
        spot = min(np.log10(y), spot - gap)
        ax.annotate(plain((names or {}).get(acc, acc)), xy=(x, y), xytext=(10.6, 10 ** spot),
                    textcoords="data", ha="left", va="center", fontsize=8,
                    annotation_clip=False, gid="account-label",
                    arrowprops={"arrowstyle": "-", "color": "#888888", "linewidth": 0.6})
    ax.set_xlim(-0.3, 10.3)
    ax.set_xlabel("need (0-10): need_score, or the breadth-and-growth proxy")
    ax.set_ylabel("share of value (log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncol=4, fontsize=8, frameon=False)
    ax.set_title("Value x need: the key accounts are top right")
    return fig
