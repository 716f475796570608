"""Charts of the data overview: revenue per period and per product."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kamlib._frames import require_columns
from kamlib.plots.theme import COLORS, amount_formatter, new_axes, plain, unit

__all__ = ["revenue_trend_chart", "product_chart"]


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
    if by_period.empty:  # an axis limit from no data would be NaN
        raise ValueError("revenue_trend_chart: there are no periods (no transaction lines "
                         "in the analysis window)")
    fig, ax = new_axes(ax)
    x = np.arange(len(by_period))
    ax.bar(x, by_period[value].to_numpy(), color=COLORS["bar"], width=0.8, label=plain(value))
    ax.yaxis.set_major_formatter(amount_formatter(currency))
    ax.set_ylabel(unit(value, currency))
    step = max(1, len(x) // 12)  # at most about a dozen date labels
    ax.set_xticks(x[::step], by_period[period].dt.strftime("%Y-%m").iloc[::step], rotation=45,
                  ha="right")
    line_ax = ax.twinx()
    line_ax.grid(False)
    line_ax.plot(x, by_period["accounts"].to_numpy(), color=COLORS["line"], linewidth=2,
                 label="buying accounts")
    line_ax.set_ylim(0, max(1, int(by_period["accounts"].max())) * 1.1)
    line_ax.set_ylabel("buying accounts")
    ax.set_title(f"{plain(value.capitalize())} per period and buying accounts")
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
    fig, ax = new_axes(ax)
    # product names are data: matplotlib must draw them as text, never parse them as math
    labels = [plain(p) for p in shown[product]]
    bars = ax.barh(labels, shown[value].to_numpy(), color=COLORS["bar"])
    ax.bar_label(bars, labels=[f"{s:.1%}" if pd.notna(s) else "" for s in shown["share"]],
                 padding=3, fontsize=9)
    ax.xaxis.set_major_formatter(amount_formatter(currency))
    ax.set_xlabel(unit(value, currency))
    ax.set_title(f"{plain(value.capitalize())} by product")
    return fig
