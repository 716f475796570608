"""Charts of the relationships module: stages over time, the health-score distribution and
one account's score history. Each takes the frames :mod:`kamlib.relationships` returns.

Examples
--------
>>> import pandas as pd
>>> from kamlib.plots import set_theme
>>> set_theme()
>>> counts = pd.DataFrame({"customer": [3, 2], "client": [1, 2]},
...                       index=pd.to_datetime(["2025-01-31", "2025-02-28"]))
>>> stage_chart(counts).axes[0].get_ylabel()
'accounts'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kamlib._frames import require_columns
from kamlib.plots.theme import COLORS, new_axes

__all__ = ["stage_chart", "health_chart", "score_trend_chart", "STAGE_COLORS"]

# the ladder from pale to strong; off the ladder in grey
STAGE_COLORS = {"not yet": "#E0E0E0", "prospect": "#C6DBEF", "customer": "#9ECAE1",
                "client": "#6BAED6", "supporter": "#3182BD", "advocate": "#08519C",
                "partner": "#08306B", "lost": "#C44E52"}


def stage_chart(counts: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Accounts per ladder stage at each month end, stacked (``counts`` from
    :func:`kamlib.relationships.ladder.stage_counts`); stages nobody held are left out."""
    fig, ax = new_axes(ax)
    shown = [c for c in counts.columns if counts[c].sum() > 0]
    bottom = np.zeros(len(counts))
    labels = [pd.Timestamp(d).strftime("%b %y") for d in counts.index]
    x = np.arange(len(counts))
    for stage in shown:
        ax.bar(x, counts[stage], bottom=bottom, width=0.85,
               color=STAGE_COLORS.get(stage, COLORS["bar"]), label=stage)
        bottom += counts[stage].to_numpy()
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
    ax.set_ylabel("accounts")
    ax.set_title("Accounts by ladder stage at each month end")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


def health_chart(health: pd.DataFrame, *, flag_below: float, ax: Axes | None = None
                 ) -> Figure:
    """How many accounts (not lost) score in each band of 10 points, with the flag line
    (``health`` from :func:`kamlib.relationships.health.health_scores`)."""
    require_columns(health, ["score", "status"], "health_chart")
    fig, ax = new_axes(ax)
    scores = health.loc[health["status"] != "lost", "score"].dropna()
    bins = np.arange(0, 101, 10)
    counts, _ = np.histogram(scores, bins=bins)
    colors = [COLORS["line"] if b < flag_below else COLORS["bar"] for b in bins[:-1]]
    ax.bar(bins[:-1] + 5, counts, width=9, color=colors)
    ax.axvline(flag_below, color=COLORS["marker"], linestyle="--", linewidth=1)
    ax.text(flag_below, max(counts.max(), 1) * 0.95, f" flagged below {flag_below:g}",
            ha="left", va="top")
    ax.set_xlabel("health score (0 strong warning, 100 no warning)")
    ax.set_ylabel("accounts (not lost)")
    ax.set_title("Health score of the accounts not lost")
    ax.set_xlim(0, 100)
    return fig


def score_trend_chart(history: pd.DataFrame, account_id: str, *, flag_below: float,
                      ax: Axes | None = None) -> Figure:
    """One account's health score at each month end, with the flag line (``history`` from
    :func:`kamlib.relationships.health.health_history`): for an account plan.

    >>> h = pd.DataFrame({"account_id": ["a", "a"], "score": [90.0, 55.0],
    ...                   "as_of": pd.to_datetime(["2025-11-30", "2025-12-31"])})
    >>> [float(y) for y in score_trend_chart(h, "a", flag_below=60).axes[0].get_ylim()]
    [0.0, 100.0]
    """
    require_columns(history, ["account_id", "as_of", "score"], "score_trend_chart")
    fig, ax = new_axes(ax)
    rows = history[history["account_id"] == account_id].sort_values("as_of")
    ax.plot(pd.to_datetime(rows["as_of"]), rows["score"], color=COLORS["bar"], marker="o",
            markersize=3)
    ax.axhline(flag_below, color=COLORS["line"], linestyle="--", linewidth=1)
    ax.set_ylim(0, 100)
    ax.set_ylabel("health score")
    ax.set_title("Health score at each month end (dashed: the flag line)")
    return fig
