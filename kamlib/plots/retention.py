"""Charts of module 16 (retention): losses over time and the loyalty-tier what-if."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kamlib._frames import require_columns
from kamlib.plots.theme import COLORS, amount_formatter, new_axes, plain, unit

__all__ = ["losses_chart", "tier_what_if_chart"]


def losses_chart(by_period: pd.DataFrame, *, currency: str | None = None,
                 ax: Axes | None = None) -> Figure:
    """Accounts lost (bars up) and won back (bars down) per period, with the yearly revenue
    the lost accounts took with them as a line on a second axis.

    Parameters
    ----------
    by_period : DataFrame
        A :func:`kamlib.retention.losses_by_period`; a period cut short by the as-of date
        is drawn lighter.
    """
    require_columns(by_period, ["period", "lost", "won_back", "revenue_lost", "complete"],
                    "losses_chart")
    if by_period.empty:
        raise ValueError("losses_chart: no periods (the data is shorter than the lost rule)")
    fig, ax = new_axes(ax)
    x = np.arange(len(by_period))
    alpha = np.where(by_period["complete"], 1.0, 0.45)
    for i in x:
        ax.bar(i, by_period["lost"].iloc[i], color=COLORS["line"], alpha=alpha[i], width=0.7,
               label="accounts lost" if i == 0 else None)
        ax.bar(i, -by_period["won_back"].iloc[i], color=COLORS["bar"], alpha=alpha[i],
               width=0.7, label="accounts won back" if i == 0 else None)
    ax.axhline(0, color=COLORS["marker"], linewidth=0.8)
    ax.set_ylabel("accounts (won back below the line)")
    freq = by_period.attrs.get("freq", "Q")
    labels = (by_period["period"].dt.to_period("Q").astype(str) if freq == "Q"
              else by_period["period"].dt.strftime("%Y-%m"))
    ax.set_xticks(x, labels, rotation=45, ha="right")
    line_ax = ax.twinx()
    line_ax.grid(False)
    line_ax.plot(x, by_period["revenue_lost"].to_numpy(), color=COLORS["marker"], marker="o",
                 linewidth=1.5, label="yearly revenue of the accounts lost")
    line_ax.yaxis.set_major_formatter(amount_formatter(currency))
    line_ax.set_ylabel(unit("yearly revenue lost", currency))
    line_ax.set_ylim(bottom=0)
    handles = ax.get_legend_handles_labels()[0] + line_ax.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3,
              fontsize=8, frameon=False)
    ax.set_title("Accounts lost and won back per period, and the revenue lost")
    return fig


def tier_what_if_chart(moves: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Accounts per tier under the current and the new thresholds, side by side.

    Parameters
    ----------
    moves : DataFrame
        A :func:`kamlib.retention.tier_moves` (``tier``, ``new_tier``).
    """
    require_columns(moves, ["tier", "new_tier"], "tier_what_if_chart")
    tiers = list(moves["tier"].cat.categories)
    now = moves["tier"].value_counts().reindex(tiers).fillna(0)
    new = moves["new_tier"].value_counts().reindex(tiers).fillna(0)
    kept = [t for t in tiers if now[t] or new[t]]  # a tier nobody is in, either way: left out
    tiers, now, new = kept, now[kept].to_numpy(), new[kept].to_numpy()
    fig, ax = new_axes(ax)
    x = np.arange(len(tiers))
    ax.bar(x - 0.2, now, width=0.4, color=COLORS["bar"], label="current thresholds")
    ax.bar(x + 0.2, new, width=0.4, color=COLORS["line"], label="new thresholds")
    ax.set_xticks(x, [plain(t) for t in tiers])
    ax.set_ylabel("accounts")
    ax.legend(fontsize=8)
    ax.set_title("Accounts per loyalty tier: current and new thresholds")
    return fig
