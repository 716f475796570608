"""The ABC-XYZ matrix as a heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from kamlib._frames import require_columns
from kamlib.plots.theme import new_axes, plain

__all__ = ["abc_xyz_heatmap"]


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
    fig, ax = new_axes(ax)
    value = plain(value)
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


