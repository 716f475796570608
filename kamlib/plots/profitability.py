"""Charts of profitability: the whale curve, the cost-to-serve x net-price grid, the CLV
waterfall."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from kamlib._frames import require_columns
from kamlib.plots.theme import COLORS, amount_formatter, new_axes

__all__ = ["whale_chart", "cost_price_chart", "clv_waterfall_chart"]

QUADRANT_COLORS = {"passive": "#55A868", "carriage trade": "#4C72B0",
                   "aggressive": "#C44E52", "bargain basement": "#DD8452"}


def whale_chart(curve: pd.DataFrame, *, value: str = "profit", currency: str | None = None,
                ax: Axes | None = None) -> Figure:
    """The whale curve: cumulative profit by share of accounts ranked by profit.

    Parameters
    ----------
    curve : DataFrame
        A :func:`kamlib.profitability.whale_curve`. The y axis is the share of total profit
        (100% = the total), or money when the total is zero or negative.

    Returns
    -------
    Figure
        Line "cumulative profit", the 100% line and the peak marker (label "peak").
    """
    require_columns(curve, ["cum_account_share", "cum_share", "cum_value", "peak"],
                    "whale_chart")
    fig, ax = new_axes(ax)
    shares = curve["cum_share"].notna().all()
    y = curve["cum_share" if shares else "cum_value"].to_numpy()
    x = np.concatenate([[0.0], curve["cum_account_share"].to_numpy()])
    y = np.concatenate([[0.0], y])
    ax.plot(x, y, color=COLORS["line"], linewidth=2, label="cumulative profit")
    ax.axhline(1.0 if shares else float(curve["cum_value"].iloc[-1]), color=COLORS["equality"],
               linestyle="--", linewidth=1, label="total profit")
    k = int(np.flatnonzero(curve["peak"].to_numpy())[0]) + 1
    ax.plot([x[k]], [y[k]], marker="o", color=COLORS["marker"], linestyle="none",
            label="peak")
    label = (f"top {x[k]:.0%} of accounts\nearn {y[k]:.0%} of {value}" if shares
             else f"top {x[k]:.0%} of accounts\nearn {y[k]:,.0f}")
    ax.annotate(label, xy=(x[k], y[k]), xytext=(-40, -50), textcoords="offset points",
                fontsize=9, arrowprops={"arrowstyle": "-", "color": COLORS["marker"]},
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85})
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0) if shares
                                 else amount_formatter(currency))
    ax.set_xlabel("share of accounts, most profitable first")
    ax.set_ylabel(f"cumulative {value}" + (" (share of total)" if shares else ""))
    ax.legend(loc="lower right")
    ax.set_title("Whale curve")
    return fig


def cost_price_chart(grid: pd.DataFrame, *, clip: float | None = 0.95,
                     ax: Axes | None = None) -> Figure:
    """Scatter of the cost-to-serve x net-price grid, one colour per quadrant.

    Parameters
    ----------
    grid : DataFrame
        A :func:`kamlib.cost_grid.cost_price_grid`; its split lines are drawn from
        ``attrs["split"]``. Accounts not placed are left out.
    clip : float or None
        The cost-to-serve axis ends a little past this quantile of the placed accounts
        (and past the split): a few tiny accounts whose cost to serve is many times their
        revenue would otherwise squeeze everyone else against the left edge. A note in the
        corner counts the accounts beyond the edge. ``None`` shows every account.

    Returns
    -------
    Figure
        One scatter per quadrant that has accounts, labelled with its name.
    """
    require_columns(grid, ["cost_to_serve_pct", "net_margin", "quadrant", "revenue"],
                    "cost_price_chart")
    fig, ax = new_axes(ax)
    placed = grid[grid["quadrant"].isin(list(QUADRANT_COLORS))]
    size = 10 + 190 * np.sqrt(placed["revenue"] / max(float(placed["revenue"].max()), 1e-9))
    for name, color in QUADRANT_COLORS.items():
        rows = placed["quadrant"] == name
        if rows.any():
            ax.scatter(placed.loc[rows, "cost_to_serve_pct"], placed.loc[rows, "net_margin"],
                       s=size[rows], color=color, alpha=0.6, label=name, edgecolors="none")
    split = grid.attrs.get("split")
    if split:
        ax.axvline(split["cost_to_serve_pct"], color=COLORS["equality"], linestyle="--")
        ax.axhline(split["net_margin"], color=COLORS["equality"], linestyle="--")
    x = placed["cost_to_serve_pct"]
    if clip is not None and len(x):
        edge = 1.1 * max(float(x.quantile(clip)), 2 * (split or {}).get("cost_to_serve_pct", 0))
        beyond = int((x > edge).sum())
        if beyond:
            ax.set_xlim(left=min(0.0, float(x.min())), right=edge)
            ax.annotate(f"{beyond:,} account(s) beyond the edge, cost to serve up to "
                        f"{float(x.max()):.0%} of revenue", xy=(0.99, 0.99),
                        xycoords="axes fraction", ha="right", va="top", fontsize=8,
                        color=COLORS["equality"])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("cost to serve, share of revenue")
    ax.set_ylabel("net margin (gross margin / revenue)")
    ax.legend(loc="best", fontsize=9)
    ax.set_title("Cost to serve x net price")
    return fig


def clv_waterfall_chart(steps: pd.DataFrame, *, currency: str | None = None,
                        ax: Axes | None = None) -> Figure:
    """Waterfall of lifetime value from acquisition to the total.

    Parameters
    ----------
    steps : DataFrame
        A :func:`kamlib.clv.clv_waterfall` (``step``, ``value``, ``start``, ``end``).

    Returns
    -------
    Figure
        One bar per step; negative steps in the line colour, the total in the marker colour.
    """
    require_columns(steps, ["step", "value", "start", "end"], "clv_waterfall_chart")
    fig, ax = new_axes(ax)
    n = len(steps)
    colors = [COLORS["marker"] if i == n - 1 else
              (COLORS["line"] if v < 0 else COLORS["bar"])
              for i, v in enumerate(steps["value"])]
    bottom = np.minimum(steps["start"], steps["end"])
    height = np.abs(steps["end"] - steps["start"])
    ax.bar(range(n), height, bottom=bottom, color=colors, width=0.7)
    ax.set_xticks(range(n), [s.replace("_", " ") for s in steps["step"]], rotation=30,
                  ha="right")
    ax.axhline(0, color=COLORS["equality"], linewidth=1)
    ax.yaxis.set_major_formatter(amount_formatter(currency))
    ax.set_ylabel("present value" + (f" ({currency})" if currency else ""))
    ax.set_title("Lifetime value, step by step")
    return fig
