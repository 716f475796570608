"""Charts for the concentration and ABC-XYZ analyses.

Each function takes the frame an analysis returned and gives back a matplotlib Figure
(shown when it is a cell's last value; ``fig.savefig`` for files); call :func:`set_theme`
once first, so every chart looks the same on every run. Charts compute nothing the analyses
did not, except the k of the target marker, by the same rule: each traces back to a frame.

Examples
--------
>>> import pandas as pd
>>> from kamlib.concentration import pareto_table
>>> set_theme()
>>> totals = pd.DataFrame({"account_id": list("abc"), "revenue": [60.0, 30.0, 10.0]})
>>> fig = pareto_chart(pareto_table(totals))
>>> fig.axes[0].get_xlabel()
'accounts, largest first (rank)'
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from kamlib._frames import accounts_for, check_fraction, require_columns

__all__ = ["set_theme", "pareto_chart", "lorenz_chart", "abc_xyz_heatmap", "revenue_trend_chart",
           "product_chart", "COLORS"]

COLORS = {"bar": "#4C72B0", "line": "#C44E52", "marker": "#222222", "equality": "#8C8C8C",
          "fill": "#DD8452"}
MAX_BARS = 150  # beyond this, bars thinner than a pixel: the values are drawn as an area


def set_theme() -> None:
    """A fixed look for every kamkit chart: seaborn whitegrid, fixed size, fonts and hashes.

    The SVG hash salt and the absence of dates in metadata keep re-rendered reports identical.
    """
    sns.set_theme(style="whitegrid", context="notebook", palette="deep", font="DejaVu Sans")
    mpl.rcParams.update({"figure.figsize": (8.0, 4.5), "figure.dpi": 100,
                         "savefig.dpi": 100, "savefig.bbox": "tight",
                         "svg.hashsalt": "kamkit", "axes.titleweight": "bold"})


def _new_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(layout="constrained")
    # Closed in pyplot but fully usable: a notebook then shows the returned figure once,
    # not a second time when pyplot flushes its open figures at the end of the cell.
    plt.close(fig)
    return fig, ax


def _amount(currency: str | None) -> FuncFormatter:
    unit = f" {currency}" if currency else ""

    def fmt(x: float, _pos: int) -> str:
        for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if abs(x) >= size:
                return f"{x / size:,.3g}{suffix}{unit}"
        return f"{x:,.0f}{unit}"

    return FuncFormatter(fmt)


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
    fig, ax = _new_axes(ax)
    ranks, values = shown["rank"].to_numpy(), shown[value].to_numpy()
    if len(shown) <= MAX_BARS:
        ax.bar(ranks, values, width=0.8, color=COLORS["bar"], label=value)
    else:
        ax.fill_between(ranks, values, step="mid", color=COLORS["bar"], label=value)
    ax.set_xlabel("accounts, largest first (rank)")
    ax.set_ylabel(value + (f" ({currency})" if currency else ""))
    ax.yaxis.set_major_formatter(_amount(currency))
    ax.set_xlim(0.5 - 0.02 * len(shown), len(shown) + 0.5)
    line_ax = ax.twinx()
    line_ax.grid(False)
    cum = shown["cum_share"].to_numpy()
    line_ax.plot(ranks, cum, color=COLORS["line"], linewidth=2, label="cumulative share")
    line_ax.axhline(target, color=COLORS["equality"], linestyle="--", linewidth=1)
    line_ax.set_ylim(0, max(1.05, float(np.max(cum)) * 1.05))  # a whale curve rises past 1
    line_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    line_ax.set_ylabel(f"cumulative share of {value}")
    n = len(table)
    if k <= len(shown):
        y = table["cum_share"].iloc[k - 1]
        line_ax.plot([k], [y], marker="o", color=COLORS["marker"], linestyle="none",
                     label="vital few")
        line_ax.axvline(k, color=COLORS["marker"], linestyle=":", linewidth=1)
        line_ax.annotate(f"{k:,} of {n:,} accounts ({k / n:.1%})\nmake {target:.0%} of {value}",
                         xy=(k, y), xytext=(12, -36), textcoords="offset points",
                         fontsize=9, arrowprops={"arrowstyle": "-", "color": COLORS["marker"]},
                         bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85})
    ax.set_title(f"Pareto chart of {value}")
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
    fig, ax = _new_axes(ax)
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


def abc_xyz_heatmap(matrix: pd.DataFrame, *, show: str = "share", value: str = "revenue",
                    ax: Axes | None = None) -> Figure:
    """The 3x3 ABC-XYZ matrix as a heatmap: rows A, B, C; columns X, Y, Z.

    Parameters
    ----------
    matrix : DataFrame
        A :func:`kamlib.abcxyz.abc_xyz_matrix`.
    show : {"share", "count"}
        Colour by the cell's share of ``value`` or by its number of accounts; each cell's
        text gives both.
    value : str
        The value column of the matrix (for the labels).
    ax : Axes, optional
        Draw into this Axes instead of a new figure.
    """
    if show not in ("share", "count"):
        raise ValueError(f"abc_xyz_heatmap: show must be 'share' or 'count', got {show!r}")
    require_columns(matrix, ["abc", "xyz", "count", "value_share"], "abc_xyz_heatmap")
    grid = matrix.set_index(["abc", "xyz"]).reindex(
        pd.MultiIndex.from_product([list("ABC"), list("XYZ")]))
    counts = grid["count"].fillna(0).to_numpy().reshape(3, 3)
    shares = grid["value_share"].fillna(0).to_numpy().reshape(3, 3)
    colour = shares if show == "share" else counts
    fig, ax = _new_axes(ax)
    image = ax.imshow(colour, cmap="Blues", vmin=0, vmax=max(float(colour.max()), 1e-9))
    for (i, j), c in np.ndenumerate(counts):
        dark = colour[i, j] > 0.6 * colour.max()  # white text on the darkest cells
        accounts = f"{int(c):,} account" + ("" if c == 1 else "s")
        ax.text(j, i, f"{accounts}\n{shares[i, j]:.1%} of {value}", ha="center", va="center",
                fontsize=9, color="white" if dark else "black")
    ax.set_xticks(range(3), ["X (steady)", "Y (fluctuating)", "Z (irregular)"])
    ax.set_yticks(range(3), ["A", "B", "C"])
    ax.grid(False)
    label = f"share of {value}" if show == "share" else "accounts"
    bar = fig.colorbar(image, ax=ax, label=label)
    if show == "share":
        bar.formatter = PercentFormatter(1.0)
        bar.update_ticks()
    ax.set_title("ABC-XYZ matrix")
    return fig


def revenue_trend_chart(by_period: pd.DataFrame, *, value: str = "revenue",
                        period: str = "period", currency: str | None = None,
                        ax: Axes | None = None) -> Figure:
    """Revenue per period as bars, buying accounts as a line on a second axis.

    Parameters
    ----------
    by_period : DataFrame
        A :func:`kamlib.overview.revenue_by_period` (``period``, ``value``, ``accounts``).
    """
    require_columns(by_period, [period, value, "accounts"], "revenue_trend_chart")
    fig, ax = _new_axes(ax)
    x = np.arange(len(by_period))
    ax.bar(x, by_period[value].to_numpy(), color=COLORS["bar"], width=0.8, label=value)
    ax.yaxis.set_major_formatter(_amount(currency))
    ax.set_ylabel(value + (f" ({currency})" if currency else ""))
    step = max(1, len(x) // 12)  # at most about a dozen date labels
    ax.set_xticks(x[::step], by_period[period].dt.strftime("%Y-%m").iloc[::step], rotation=45,
                  ha="right")
    line_ax = ax.twinx()
    line_ax.grid(False)
    line_ax.plot(x, by_period["accounts"].to_numpy(), color=COLORS["line"], linewidth=2,
                 label="buying accounts")
    line_ax.set_ylim(0, max(1, int(by_period["accounts"].max())) * 1.1)
    line_ax.set_ylabel("buying accounts")
    ax.set_title(f"{value.capitalize()} per period and buying accounts")
    return fig


def product_chart(by_product: pd.DataFrame, *, value: str = "revenue", product: str = "product",
                  currency: str | None = None, top: int = 15, ax: Axes | None = None) -> Figure:
    """Horizontal bars of ``value`` per product, largest on top, labelled with the share.

    Parameters
    ----------
    by_product : DataFrame
        A :func:`kamlib.overview.revenue_by_product` (``product``, ``value``, ``share``).
    top : int
        Show the ``top`` largest products.
    """
    require_columns(by_product, [product, value, "share"], "product_chart")
    shown = by_product.iloc[:top].iloc[::-1]
    fig, ax = _new_axes(ax)
    # product names are data: matplotlib must draw them as text, never parse them as math
    labels = [str(p).replace("$", r"\$") for p in shown[product]]
    bars = ax.barh(labels, shown[value].to_numpy(), color=COLORS["bar"])
    ax.bar_label(bars, labels=[f"{s:.1%}" if pd.notna(s) else "" for s in shown["share"]],
                 padding=3, fontsize=9)
    ax.xaxis.set_major_formatter(_amount(currency))
    ax.set_xlabel(value + (f" ({currency})" if currency else ""))
    ax.set_title(f"{value.capitalize()} by product")
    return fig
