"""The cost-to-serve x net-price grid (Shapiro, Rangan, Moriarty and Ross, 1987).

"Manage customers for profits (not just sales)", Harvard Business Review 65(5), places each
account by what it pays (net price) and what it costs to serve. Four kinds come out:
carriage trade (pays well, costs a lot), passive (pays well, costs little), aggressive (pays
little, costs a lot) and bargain basement (pays little, costs little). Here net price is the
gross margin as a share of revenue (the price realised above the cost of what was sold) and
cost to serve is a share of revenue too, so large and small accounts compare.

Examples
--------
>>> import pandas as pd
>>> pnl = pd.DataFrame({"account_id": list("abcd"), "revenue": [100.0] * 4,
...     "gross_margin": [50.0, 50.0, 20.0, 20.0], "cost_to_serve": [30.0, 5.0, 30.0, 5.0],
...     "profit": [20.0, 45.0, -10.0, 15.0]})
>>> cost_price_grid(pnl)["quadrant"].tolist()
['carriage trade', 'passive', 'aggressive', 'bargain basement']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import require_columns

__all__ = ["cost_price_grid", "grid_summary", "QUADRANTS", "NOT_PLACED"]

QUADRANTS: dict[str, str] = {
    "passive": "Protect quietly: the most profitable kind. Keep quality and delivery steady, "
               "watch for competitors' price offers, and add no costly service they did not "
               "ask for.",
    "carriage trade": "Keep the premium paid for: price or contract the extra service "
                      "(dedicated support, custom work) so its cost stays below what the "
                      "account pays for it.",
    "aggressive": "Renegotiate: unbundle and charge for the costly service, move routine "
                  "work to self-service, set minimum orders and fees for rush orders; if "
                  "neither price nor cost moves, lower the account's priority.",
    "bargain basement": "Serve at low cost: standard offer, inside sales or the web shop, no "
                        "frills; the low price pays as long as the cost to serve stays low.",
}
NOT_PLACED = "not placed (revenue <= 0)"


def cost_price_grid(pnl: pd.DataFrame, *, account: str = "account_id",
                    split: str | tuple[float, float] = "median") -> pd.DataFrame:
    """Place each account in the cost-to-serve x net-price grid.

    Parameters
    ----------
    pnl : DataFrame
        A :func:`kamlib.profitability.customer_pnl` result (``revenue``, ``gross_margin``,
        ``cost_to_serve``, ``profit``).
    split : "median" or (float, float)
        Where high begins: the medians of the placed accounts, or (cost-to-serve share,
        net-margin share), e.g. ``(0.05, 0.35)``. High means strictly above the split.

    Returns
    -------
    DataFrame
        ``account``, ``revenue``, ``profit``, ``cost_to_serve_pct`` (cost to serve /
        revenue), ``net_margin`` (gross margin / revenue), ``high_cost``, ``high_price``,
        ``quadrant`` and ``action`` (see :data:`QUADRANTS`). Accounts with revenue of 0 or
        below (only credit notes) or an unknown margin have no ratios: their quadrant is
        :data:`NOT_PLACED`. ``attrs["split"]`` holds the two split values used.

    Examples
    --------
    >>> pnl = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [100.0, 200.0, -5.0],
    ...     "gross_margin": [50.0, 40.0, -2.0], "cost_to_serve": [10.0, 2.0, 0.0],
    ...     "profit": [40.0, 38.0, -2.0]})
    >>> g = cost_price_grid(pnl, split=(0.05, 0.3))
    >>> g[["account_id", "cost_to_serve_pct", "net_margin", "quadrant"]]
      account_id  cost_to_serve_pct  net_margin                   quadrant
    0          a               0.10         0.5             carriage trade
    1          b               0.01         0.2           bargain basement
    2          c                NaN         NaN  not placed (revenue <= 0)
    """
    where = "cost_price_grid"
    require_columns(pnl, [account, "revenue", "gross_margin", "cost_to_serve", "profit"],
                    where)
    out = pnl[[account, "revenue", "profit"]].copy()
    revenue = pnl["revenue"].astype("float64")
    placed = (revenue > 0) & pnl["gross_margin"].notna()
    out["cost_to_serve_pct"] = (pnl["cost_to_serve"] / revenue).where(placed)
    out["net_margin"] = (pnl["gross_margin"] / revenue).where(placed)
    if isinstance(split, str):
        if split != "median":
            raise ValueError(f"{where}: split must be 'median' or (cost share, margin "
                             f"share), got {split!r}")
        if not placed.any():
            raise ValueError(f"{where}: no account has revenue above 0 and a known margin; "
                             "there is nothing to place")
        cost_split = float(out["cost_to_serve_pct"].median())
        price_split = float(out["net_margin"].median())
    else:
        cost_split, price_split = (float(s) for s in split)
    out["high_cost"] = out["cost_to_serve_pct"] > cost_split
    out["high_price"] = out["net_margin"] > price_split
    names = np.select(
        [out["high_price"] & out["high_cost"], out["high_price"], out["high_cost"]],
        ["carriage trade", "passive", "aggressive"], default="bargain basement")
    out["quadrant"] = np.where(placed, names, NOT_PLACED)
    out["action"] = out["quadrant"].map(QUADRANTS).fillna(
        "Check the credit notes and the cost data; no price or cost share can be computed.")
    out.attrs["split"] = {"cost_to_serve_pct": cost_split, "net_margin": price_split}
    return out.reset_index(drop=True)


def grid_summary(grid: pd.DataFrame) -> pd.DataFrame:
    """Counts, revenue and profit per quadrant of a :func:`cost_price_grid`.

    Returns
    -------
    DataFrame
        One row per quadrant, the four always there, then :data:`NOT_PLACED` when some
        accounts are: ``quadrant``, ``accounts``, ``revenue``, ``profit``, ``revenue_share``
        and ``profit_share`` (of the net totals; NaN when a total is 0 or below),
        ``profit_margin`` and ``action``.

    Examples
    --------
    >>> pnl = pd.DataFrame({"account_id": list("abcd"), "revenue": [100.0] * 4,
    ...     "gross_margin": [50.0, 50.0, 20.0, 20.0], "cost_to_serve": [30.0, 5.0, 30.0, 5.0],
    ...     "profit": [20.0, 45.0, -10.0, 15.0]})
    >>> s = grid_summary(cost_price_grid(pnl))         # total profit 70
    >>> s[["quadrant", "accounts", "profit", "profit_share"]].round(3)
               quadrant  accounts  profit  profit_share
    0           passive         1    45.0         0.643
    1    carriage trade         1    20.0         0.286
    2        aggressive         1   -10.0        -0.143
    3  bargain basement         1    15.0         0.214
    """
    require_columns(grid, ["quadrant", "revenue", "profit"], "grid_summary")
    order = list(QUADRANTS) + ([NOT_PLACED] if (grid["quadrant"] == NOT_PLACED).any() else [])
    grouped = grid.groupby("quadrant")
    # an unknown profit (no cost) leaves its quadrant's sum unknown, not smaller
    unknown = grid["profit"].isna().groupby(grid["quadrant"]).any()
    out = pd.DataFrame({"accounts": grouped.size(), "revenue": grouped["revenue"].sum(),
                        "profit": grouped["profit"].sum().mask(unknown)}).reindex(order)
    out["accounts"] = out["accounts"].fillna(0).astype("int64")
    empty = out["accounts"] == 0
    out.loc[empty, ["revenue", "profit"]] = 0.0
    for col in ("revenue", "profit"):
        total = out[col].sum(skipna=False)  # an unknown quadrant leaves the total unknown
        out[f"{col}_share"] = out[col] / total if total > 0 else np.nan
    out["profit_margin"] = (out["profit"] / out["revenue"]).where(out["revenue"] > 0)
    out["action"] = [QUADRANTS.get(q, "") for q in out.index]
    return out.rename_axis("quadrant").reset_index()
