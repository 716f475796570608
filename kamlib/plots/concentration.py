"""Charts of the concentration analysis: the Pareto chart and the Lorenz curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from kamlib._frames import accounts_for, check_fraction, require_columns
from kamlib.plots.theme import COLORS, MAX_BARS, amount_formatter, new_axes, plain, unit

__all__ = ["pareto_chart", "lorenz_chart"]


def pareto_chart(table: pd.DataFrame, *, value: str = "revenue", target: float = 0.8,
                 top: int | None = None, currency: str | None = None,
                 ax: Axes | None = None) -> Figure:
    """Pareto chart: value per account by rank, cumulative share on a second axis.

    Parameters
    ----------
    table : DataFrame
        A :func:`kamlib.concentration.pareto_table` (``rank``, ``value``, ``cum_share``).
    value : str
        The value column.
    target : float
        Draws the target line and marks the k accounts that reach it (same rule as the table).
    top : int, optional
        Show only the ``top`` largest accounts (the line then ends below 1).
    currency : str, optional
        Unit on the value axis.
    ax : Axes, optional
        Draw into this Axes instead of a new figure.

    Returns
    -------
    Figure
        ``fig.axes[0]`` holds the values, ``fig.axes[1]`` the cumulative-share line (label
        "cumulative share") and the marker at k (label "vital few").
    """
    require_columns(table, ["rank", value, "cum_share"], "pareto_chart")
    target = check_fraction(target, "target", "pareto_chart")
    k = accounts_for(table["cum_share"].to_numpy(), target)
    shown = table.iloc[:top] if top is not None else table
    fig, ax = new_axes(ax)
    ranks, values = shown["rank"].to_numpy(), shown[value].to_numpy()
    name = plain(value)
    if len(shown) <= MAX_BARS:
        ax.bar(ranks, values, width=0.8, color=COLORS["bar"], label=name)
    else:
        ax.fill_between(ranks, values, step="mid", color=COLORS["bar"], label=name)
    ax.set_xlabel("accounts, largest first (rank)")
    ax.set_ylabel(unit(value, currency))
    ax.yaxis.set_major_formatter(amount_formatter(currency))
    ax.set_xlim(0.5 - 0.02 * len(shown), len(shown) + 0.5)
    line_ax = ax.twinx()
    line_ax.grid(False)
    cum = shown["cum_share"].to_numpy()
    line_ax.plot(ranks, cum, color=COLORS["line"], linewidth=2, label="cumulative share")
    line_ax.axhline(target, color=COLORS["equality"], linestyle="--", linewidth=1)
    line_ax.set_ylim(0, max(1.05, float(np.max(cum)) * 1.05))  # a whale curve rises past 1
    line_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    line_ax.set_ylabel(f"cumulative share of {name}")
    n = len(table)
    if k <= len(shown):
        y = table["cum_share"].iloc[k - 1]
        line_ax.plot([k], [y], marker="o", color=COLORS["marker"], linestyle="none",
                     label="vital few")
        line_ax.axvline(k, color=COLORS["marker"], linestyle=":", linewidth=1)
        line_ax.annotate(f"{k:,} of {n:,} accounts ({k / n:.1%})\nmake {target:.0%} of {name}",
                         xy=(k, y), xytext=(12, -36), textcoords="offset points",
                         fontsize=9, arrowprops={"arrowstyle": "-", "color": COLORS["marker"]},
                         bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85})
    ax.set_title(f"Pareto chart of {name}")
    return fig


def lorenz_chart(lorenz: pd.DataFrame, *, gini: float | None = None,
                 ax: Axes | None = None) -> Figure:
    """Lorenz curve with the line of equality; the Gini coefficient in the title if given.

    Parameters
    ----------
    lorenz : DataFrame
        A :func:`kamlib.concentration.lorenz_curve` (``cum_account_share``, ``cum_share``).
    gini : float, optional
        Shown in the title.
    ax : Axes, optional
        Draw into this Axes instead of a new figure.

    Returns
    -------
    Figure
        Lines labelled "Lorenz curve" and "equality".
    """
    require_columns(lorenz, ["cum_account_share", "cum_share"], "lorenz_chart")
    fig, ax = new_axes(ax)
    x, y = lorenz["cum_account_share"].to_numpy(), lorenz["cum_share"].to_numpy()
    ax.plot([0, 1], [0, 1], color=COLORS["equality"], linestyle="--", label="equality")
    ax.plot(x, y, color=COLORS["line"], linewidth=2, label="Lorenz curve")
    ax.fill_between(x, y, x, color=COLORS["fill"], alpha=0.25)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("share of accounts, smallest first")
    ax.set_ylabel("cumulative share of the total")
    ax.legend(loc="upper left")
    ax.set_title("Lorenz curve" + (f" (Gini {gini:.2f})" if gini is not None else ""))
    return fig


