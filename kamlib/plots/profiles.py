"""Charts of profiles and segments: the RFM segment map, revenue by segment, the cohort map.

Segment names and cohort labels are data (a company may name its own segments in
``kam.toml``): they are drawn as plain text, never parsed as matplotlib math, so "$" stays "$".
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from kamlib._frames import require_columns
from kamlib.plots.theme import COLORS, new_axes
from kamlib.segments import SEGMENTS

__all__ = ["rfm_segment_map", "segment_chart", "cohort_heatmap", "SEGMENT_COLORS"]

# Light fills so that black text stays readable on screen and on a grey-scale printout;
# greens and blues = recent purchases, oranges and reds = less recent (darker: buys more),
# greys = least recent and low value. Colours place a cell on the grid; they claim no status.
SEGMENT_COLORS = {
    "Recent, high value": "#74c476", "Middle recency, mid to high value": "#a1d99b",
    "Recent, low to mid value": "#c7e9c0", "Most recent, lowest value": "#9ecae1",
    "Recent, lowest value": "#c6dbef", "Middle recency, low value": "#fdd0a2",
    "Middle recency, lowest value": "#fdae6b", "Less recent, mid to high value": "#fc9272",
    "Least recent, high value": "#ef6548", "Less recent, low value": "#d9d9d9",
    "Least recent, low to mid value": "#bdbdbd",
}
_OTHER = ["#fbb4ae", "#b3cde3", "#ccebc5", "#decbe4", "#fed9a6", "#ffffcc", "#e5d8bd",
          "#fddaec", "#f2f2f2", "#b3e2cd", "#fdcdac", "#cbd5e8"]


def _colour(segment: str, i: int) -> str:
    return SEGMENT_COLORS.get(segment, _OTHER[i % len(_OTHER)])


def rfm_segment_map(segments: pd.DataFrame, table: pd.DataFrame = SEGMENTS, *,
                    bins: int = 5, ax: Axes | None = None) -> Figure:
    """The R x FM grid: each segment a coloured block with its name, each cell its accounts.

    Parameters
    ----------
    segments : DataFrame
        A :func:`kamlib.segments.rfm_segments` (``r``, ``fm``).
    table : DataFrame
        The segment table the segments were read from (``segment``, ``r_from``, ``r_to``,
        ``fm_from``, ``fm_to``).
    bins : int
        Scores run from 1 to ``bins``.

    Returns
    -------
    Figure
        R on the x axis (recent on the right), FM on the y axis (most on top); one text per
        cell with its number of accounts (gid ``count``) and one per segment with its name
        (gid ``segment``).
    """
    require_columns(segments, ["r", "fm"], "rfm_segment_map")
    require_columns(table, ["segment", "r_from", "r_to", "fm_from", "fm_to"], "rfm_segment_map")
    counts = pd.crosstab(segments["fm"], segments["r"]).reindex(
        index=range(1, bins + 1), columns=range(1, bins + 1), fill_value=0)
    own = ax is None
    fig, ax = new_axes(ax)
    if own:  # the theme's 8 x 4.5 is too flat for a square grid
        fig.set_size_inches(8.0, 6.4)
    for i, row in enumerate(table.itertuples()):
        x0, y0 = row.r_from - 0.5, row.fm_from - 0.5
        w, h = row.r_to - row.r_from + 1, row.fm_to - row.fm_from + 1
        ax.add_patch(Rectangle((x0, y0), w, h, facecolor=_colour(row.segment, i),
                               edgecolor="white", linewidth=3))
        lines, size = textwrap.wrap(str(row.segment), 11 * w + 2 * (w - 1)), 9.5
        if len(lines) > 2:  # a long name: smaller and wider, to clear the count of its cell
            lines, size = textwrap.wrap(str(row.segment), 13 * w + 2 * (w - 1)), 8
        ax.text(x0 + w / 2, y0 + h - 0.07, "\n".join(lines), ha="center", va="top",
                fontsize=size,
                fontweight="bold", color="#222222", gid="segment", parse_math=False)
    total = max(int(counts.to_numpy().sum()), 1)
    for fm in counts.index:
        for r in counts.columns:
            n = int(counts.loc[fm, r])
            share = n / total
            ax.text(r, fm - 0.18, f"{n:,}", ha="center", va="center", fontsize=13,
                    color="#222222" if n else "#555555", gid="count")
            ax.text(r, fm - 0.38, "<1%" if 0 < share < 0.005 else f"{share:.0%}",
                    ha="center", va="center", fontsize=8, color="#444444",
                    gid="account_share")
    ax.set_xlim(0.5, bins + 0.5)
    ax.set_ylim(0.5, bins + 0.5)
    ax.set_xticks(range(1, bins + 1))
    ax.set_yticks(range(1, bins + 1))
    ax.grid(False)
    ax.set_aspect("equal")
    ax.set_xlabel(f"R: recency score ({bins} = bought most recently)")
    ax.set_ylabel(f"FM: frequency and monetary score ({bins} = most)")
    ax.set_title("RFM segment map: accounts per cell (and share of all accounts)")
    return fig


def segment_chart(summary: pd.DataFrame, *, by: str = "segment",
                  ax: Axes | None = None) -> Figure:
    """Share of revenue and share of accounts per segment, as paired horizontal bars.

    Parameters
    ----------
    summary : DataFrame
        A :func:`kamlib.segments.segment_summary` (``by``, ``accounts``, ``share``).
    by : str
        The group column.

    Returns
    -------
    Figure
        Bars labelled "share of revenue" and "share of accounts", largest revenue on top.
    """
    require_columns(summary, [by, "accounts", "share"], "segment_chart")
    shown = summary.iloc[::-1].reset_index(drop=True)  # the summary's order, first on top
    fig, ax = new_axes(ax)
    y = np.arange(len(shown))
    accounts = shown["accounts"] / max(int(shown["accounts"].sum()), 1)
    revenue = ax.barh(y + 0.2, shown["share"].to_numpy(), height=0.4, color=COLORS["bar"],
                      label="share of revenue")
    people = ax.barh(y - 0.2, accounts.to_numpy(), height=0.4, color=COLORS["fill"],
                     label="share of accounts")
    ax.bar_label(revenue, labels=["<0.1%" if 0 < s < 0.0005 else f"{s:.1%}"
                                  for s in shown["share"]], padding=3, fontsize=8)
    ax.bar_label(people, labels=[f"{n:,}" for n in shown["accounts"]], padding=3, fontsize=8)
    ax.set_yticks(y, [str(s) for s in shown[by]])
    for label in ax.get_yticklabels():
        label.set_parse_math(False)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(min(0.0, float(shown["share"].min()) * 1.1),
                max(float(shown["share"].max()), float(accounts.max())) * 1.18)
    ax.set_xlabel("share (the accounts bar is labelled with the number of accounts)")
    ax.legend(loc="lower right")
    ax.set_title(f"Revenue and accounts by {by}")
    return fig


def cohort_heatmap(cohorts: pd.DataFrame, *, show: str = "active_share",
                   ax: Axes | None = None) -> Figure:
    """Cohorts (rows, oldest on top) by periods since their first purchase (columns).

    Parameters
    ----------
    cohorts : DataFrame
        A :func:`kamlib.segments.cohort_table` (``cohort``, ``offset``, ``accounts``, ``show``).
    show : {"active_share", "revenue_retained"}
        The share of the cohort still buying, or its revenue against its first period.

    Returns
    -------
    Figure
        One image; each cell labelled with its percentage; the row labels carry the cohort's
        number of accounts.
    """
    if show not in ("active_share", "revenue_retained"):
        raise ValueError(f"cohort_heatmap: show must be 'active_share' or 'revenue_retained', "
                         f"got {show!r}")
    require_columns(cohorts, ["cohort", "offset", "accounts", show], "cohort_heatmap")
    grid = cohorts.pivot(index="cohort", columns="offset", values=show).sort_index()
    sizes = cohorts.drop_duplicates("cohort").set_index("cohort")["accounts"]
    values = grid.to_numpy(dtype=float)
    own = ax is None
    fig, ax = new_axes(ax)
    if own:
        fig.set_size_inches(8.0, max(3.0, 1.2 + 0.42 * len(grid)))
    top = 1.0 if show == "active_share" else max(1.0, float(np.nanmax(values, initial=1.0)))
    image = ax.imshow(np.ma.masked_invalid(values), cmap="Blues", vmin=0, vmax=top,
                      aspect="auto")
    dense = values.shape[1] > 14  # too many columns for a label in each cell
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v) and not dense:
            red, green, blue = to_rgb(image.cmap(image.norm(v)))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.6  # perceived brightness
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(len(grid)), [f"{c} ({int(sizes[c]):,})" for c in grid.index])
    ax.grid(False)
    ax.set_xlabel("quarters since the first purchase" if _quarterly(grid.index)
                  else "months since the first purchase")
    ax.set_ylabel("cohort: first purchase (accounts)")
    bar = fig.colorbar(image, ax=ax, label="share of the cohort buying" if show ==
                       "active_share" else "revenue against the first period")
    bar.formatter = PercentFormatter(1.0)
    bar.update_ticks()
    ax.set_title("Cohorts: share of accounts still buying" if show == "active_share"
                 else "Cohorts: revenue retained")
    return fig


def _quarterly(labels: pd.Index) -> bool:
    return all("Q" in str(c) for c in labels)
