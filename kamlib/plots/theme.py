"""The look every kamkit chart shares: theme, colours, axes and amount labels."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

__all__ = ["set_theme", "new_axes", "amount_formatter", "plain", "unit", "COLORS", "MAX_BARS"]

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


def new_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(layout="constrained")
    # Closed in pyplot but fully usable: a notebook then shows the returned figure once,
    # not a second time when pyplot flushes its open figures at the end of the cell.
    plt.close(fig)
    return fig, ax


def plain(text: object) -> str:
    r"""``text`` as matplotlib must draw it: literally, never parsed as math.

    Every text from data or config (names, labels, currencies) goes through this before it
    reaches a chart, as it goes through ``html.escape`` before a page: matplotlib reads text
    between two dollar signs as mathtext, so ``$ / US$`` would come out as `` /US``.

    >>> plain("$ / US$")
    '\\$ / US\\$'
    """
    return str(text).replace("$", r"\$")


def unit(value: str, currency: str | None) -> str:
    """An axis label: the value's name and its currency, both drawn as written."""
    return plain(value) + (f" ({plain(currency)})" if currency else "")


def amount_formatter(currency: str | None) -> FuncFormatter:
    label = f" {plain(currency)}" if currency else ""

    def fmt(x: float, _pos: int) -> str:
        for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if abs(x) >= size:
                return f"{x / size:,.3g}{suffix}{label}"
        return f"{x:,.0f}{label}"

    return FuncFormatter(fmt)


