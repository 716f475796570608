"""Customer lifetime value, formula model, and the churn what-if.

The formula model follows the customer economics of the brief (Reichheld and Sasser's
"Zero defections", HBR 1990): a negative year 0 (acquisition), then each year a base
profit plus profit from revenue growth, operating-cost savings, referrals and a price
premium, the last three growing with tenure; each year weighed by the chance the account is
still there and discounted. The churn what-if applies the same model to the current
accounts under a retention a few points lower and higher. The probabilistic model (BG/NBD
and Gamma-Gamma) is in :mod:`kamlib.btyd`.

Examples
--------
>>> t = clv_formula(1000.0, acquisition_cost=1500.0, years=3, retention=0.5, discount_rate=0.0)
>>> t[["year", "survival", "profit", "present_value"]]
   year  survival  profit  present_value
0     0      1.00 -1500.0        -1500.0
1     1      1.00  1000.0         1000.0
2     2      0.50  1000.0          500.0
3     3      0.25  1000.0          250.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, check_fraction, require_columns, require_numeric

__all__ = ["clv_formula", "clv_by_account", "clv_waterfall", "yearly_retention",
           "churn_what_if", "churn_claims", "COMPONENTS"]

# the order of the waterfall: year 0 first, then what a retained account brings each year
COMPONENTS = ["acquisition", "base_profit", "growth", "cost_savings", "referrals",
              "price_premium"]


def _check(retention: float, discount_rate: float, years: int, where: str) -> None:
    check_fraction(retention, "retention", where, zero_ok=True)
    if not 0 <= discount_rate < 1:
        hint = f" (did you mean {discount_rate / 100:g}?)" if 1 <= discount_rate <= 100 else ""
        raise ValueError(f"{where}: discount_rate must be a yearly rate in [0, 1), got "
                         f"{discount_rate!r}{hint}")
    if int(years) != years or years < 1:
        raise ValueError(f"{where}: years must be a whole number of at least 1, got {years!r}")


def clv_formula(base_profit: float, *, acquisition_cost: float = 0.0, years: int = 5,
                retention: float = 0.9, discount_rate: float = 0.1, growth: float = 0.0,
                cost_savings: float = 0.0, referrals: float = 0.0,
                price_premium: float = 0.0) -> pd.DataFrame:
    """Lifetime value of one account, year by year (the formula model).

    The model, for years t = 1..``years`` with B = ``base_profit`` (profit a year):

    - year 0: ``acquisition`` = -acquisition_cost, certain and not discounted;
    - ``base_profit`` = B;
    - ``growth`` = B x ((1 + growth)^(t-1) - 1): the profit on revenue growth;
    - ``cost_savings``, ``referrals``, ``price_premium`` = B x rate x (t - 1) each: they
      grow with tenure by their rate (a share of B) a year, from 0 in the first year;
    - ``survival`` = retention^(t-1): the account is there in year 1 and each year after
      that it stays with probability ``retention``;
    - ``discount_factor`` = (1 + discount_rate)^-t (profit at the end of year t).

    Returns
    -------
    DataFrame
        ``year`` 0..years, ``survival``, ``discount_factor``, the :data:`COMPONENTS` (money
        in the year if the account is still there, not discounted), ``profit`` (their sum),
        ``present_value`` (profit x survival x discount_factor) and ``cumulative_pv``; the
        last ``cumulative_pv`` is the lifetime value. ``attrs["parameters"]`` holds every
        assumption.

    Examples
    --------
    >>> t = clv_formula(100.0, years=2, retention=1.0, discount_rate=0.0, growth=0.1,
    ...                 referrals=0.05)
    >>> t.loc[2, ["base_profit", "growth", "referrals", "profit"]].round(6).tolist()
    [100.0, 10.0, 5.0, 115.0]
    """
    where = "clv_formula"
    _check(retention, discount_rate, years, where)
    t = np.arange(int(years) + 1, dtype="float64")
    tenure = np.maximum(t - 1, 0)
    alive = t >= 1
    out = pd.DataFrame({"year": t.astype("int64"),
                        "survival": np.where(alive, float(retention) ** tenure, 1.0),
                        "discount_factor": np.where(alive, (1 + discount_rate) ** -t, 1.0)})
    out["acquisition"] = np.where(alive, 0.0, -float(acquisition_cost))
    out["base_profit"] = np.where(alive, float(base_profit), 0.0)
    out["growth"] = np.where(alive, base_profit * ((1 + growth) ** tenure - 1), 0.0)
    for name, rate in (("cost_savings", cost_savings), ("referrals", referrals),
                       ("price_premium", price_premium)):
        out[name] = base_profit * rate * tenure
    out["profit"] = out[COMPONENTS].sum(axis=1)
    out["present_value"] = out["profit"] * out["survival"] * out["discount_factor"]
    out["cumulative_pv"] = out["present_value"].cumsum()
    out.attrs["parameters"] = {
        "base_profit": float(base_profit), "acquisition_cost": float(acquisition_cost),
        "years": int(years), "retention": float(retention),
        "discount_rate": float(discount_rate), "growth": float(growth),
        "cost_savings": float(cost_savings), "referrals": float(referrals),
        "price_premium": float(price_premium)}
    return out


def clv_by_account(frame: pd.DataFrame, *, account: str = "account_id",
                   profit: str = "profit", per_years: float = 1.0,
                   acquisition_cost: str | float = "acquisition_cost", years: int = 5,
                   retention: float = 0.9, discount_rate: float = 0.1, growth: float = 0.0,
                   cost_savings: float = 0.0, referrals: float = 0.0,
                   price_premium: float = 0.0) -> pd.DataFrame:
    """The formula lifetime value of many accounts, by component, in present value.

    Parameters
    ----------
    frame : DataFrame
        One row per account with its ``profit`` over ``per_years`` years (a P&L over a
        3-year window: ``per_years=3``), and the acquisition cost when it is a column name.
    acquisition_cost : str or float
        A column of ``frame`` (the accounts table's ``acquisition_cost``) or one amount for
        every account.
    years, retention, discount_rate, growth, cost_savings, referrals, price_premium
        As in :func:`clv_formula`.

    Returns
    -------
    DataFrame
        ``account``, ``yearly_profit``, the :data:`COMPONENTS` in present value, and
        ``clv`` (their sum), sorted by ``clv`` descending (ties by account). Sum the rows of
        the key accounts and pass them to :func:`clv_waterfall`.

    Examples
    --------
    >>> f = pd.DataFrame({"account_id": ["a", "b"], "profit": [300.0, -30.0],
    ...                   "acquisition_cost": [50.0, 50.0]})
    >>> clv_by_account(f, per_years=3, years=2, retention=1.0, discount_rate=0.0)[
    ...     ["account_id", "yearly_profit", "acquisition", "clv"]]
      account_id  yearly_profit  acquisition    clv
    0          a          100.0        -50.0  150.0
    1          b          -10.0        -50.0  -70.0
    """
    where = "clv_by_account"
    require_columns(frame, [account, profit], where)
    require_numeric(frame, profit, where)
    if per_years <= 0:
        raise ValueError(f"{where}: per_years must be above 0, got {per_years!r}")
    # every component is linear in the base profit: the value of 1 a year, scaled
    unit = clv_formula(1.0, years=years, retention=retention, discount_rate=discount_rate,
                       growth=growth, cost_savings=cost_savings, referrals=referrals,
                       price_premium=price_premium)
    weight = unit["survival"] * unit["discount_factor"]
    pv = {c: float((unit[c] * weight).sum()) for c in COMPONENTS[1:]}
    out = pd.DataFrame({account: frame[account]})
    out["yearly_profit"] = frame[profit].astype("float64") / per_years
    if isinstance(acquisition_cost, str):
        require_columns(frame, [acquisition_cost], where)
        out["acquisition"] = -frame[acquisition_cost].astype("float64")
    else:
        out["acquisition"] = -float(acquisition_cost)
    for c in COMPONENTS[1:]:
        out[c] = out["yearly_profit"] * pv[c]
    out["clv"] = out[COMPONENTS].sum(axis=1, min_count=len(COMPONENTS))
    out.attrs["parameters"] = {**unit.attrs["parameters"], "per_years": float(per_years)}
    del out.attrs["parameters"]["base_profit"], out.attrs["parameters"]["acquisition_cost"]
    return out.sort_values(["clv", account], ascending=[False, True], kind="mergesort",
                           na_position="last").reset_index(drop=True)


def clv_waterfall(table: pd.DataFrame) -> pd.DataFrame:
    """The steps of a lifetime-value waterfall, from acquisition to the total.

    Parameters
    ----------
    table : DataFrame
        A :func:`clv_formula` table (one account, year by year: each component is weighed
        by survival and discounted) or rows of :func:`clv_by_account` (components already in
        present value: the rows are summed, e.g. over the key accounts).

    Returns
    -------
    DataFrame
        ``step`` (the :data:`COMPONENTS`, then "lifetime value"), ``value`` (present
        value), ``start`` and ``end`` (where the bar begins and ends on the cumulative
        scale; the total runs from 0).

    Examples
    --------
    >>> t = clv_formula(100.0, acquisition_cost=80.0, years=2, retention=1.0,
    ...                 discount_rate=0.0, growth=0.1)
    >>> clv_waterfall(t)[["step", "value", "end"]].round(6)
                 step  value    end
    0     acquisition  -80.0  -80.0
    1     base_profit  200.0  120.0
    2          growth   10.0  130.0
    3    cost_savings    0.0  130.0
    4       referrals    0.0  130.0
    5   price_premium    0.0  130.0
    6  lifetime value  130.0  130.0
    """
    require_columns(table, COMPONENTS, "clv_waterfall")
    if "year" in table.columns:
        require_columns(table, ["survival", "discount_factor"], "clv_waterfall")
        weight = table["survival"] * table["discount_factor"]
        values = [float((table[c] * weight).sum()) for c in COMPONENTS]
    else:
        values = [float(table[c].sum()) for c in COMPONENTS]
    end = np.cumsum(values)
    return pd.DataFrame({"step": [*COMPONENTS, "lifetime value"],
                         "value": [*values, end[-1]],
                         "start": [*(end - values), 0.0], "end": [*end, end[-1]]})


def yearly_retention(account_month: pd.DataFrame, *, account: str = "account_id",
                     revenue: str = "revenue", period: str = "period",
                     end: DateLike = None) -> pd.DataFrame:
    """Observed yearly retention: of the accounts that bought in one year, those that bought
    in the next.

    Years are 12-month blocks ending with the month of ``end`` (default: the last month in
    the data); an account "bought" in a block when its net revenue there is above 0.

    Returns
    -------
    DataFrame
        ``year_end`` (last month of the later block), ``accounts_at_start`` (bought in the
        earlier block), ``retained`` (and in the later one) and ``retention``, oldest first:
        one row per pair of whole blocks in the data.

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["a", "b", "c", "a", "c", "d"],
    ...     "period": pd.to_datetime(["2023-01-01"] * 3 + ["2024-12-01"] * 3),
    ...     "revenue": [10.0, 5.0, 8.0, 4.0, 2.0, 9.0]})
    >>> yearly_retention(am)          # a and c of a, b, c came back: 2/3
        year_end  accounts_at_start  retained  retention
    0 2024-12-01                  3         2   0.666667
    """
    where = "yearly_retention"
    require_columns(account_month, [account, revenue, period], where)
    require_numeric(account_month, revenue, where)
    months = account_month[period].dt.to_period("M")
    last = pd.Timestamp(end).to_period("M") if end is not None else months.max()
    block = (last - months).map(lambda d: d.n) // 12  # 0 = the last 12 months
    rows = account_month.assign(_block=block)[block >= 0]
    net = rows.groupby(["_block", account])[revenue].sum()
    buyers = {b: set(s.index[s > 0]) for b, s in
              ((b, net.xs(b, level="_block")) for b in net.index.unique("_block"))}
    first = months.min()
    whole = int((last - first).n + 1) // 12  # blocks fully inside the data
    out = []
    for b in range(whole - 2, -1, -1):
        before, after = buyers.get(b + 1, set()), buyers.get(b, set())
        kept = len(before & after)
        out.append({"year_end": (last - 12 * b).to_timestamp(),
                    "accounts_at_start": len(before), "retained": kept,
                    "retention": kept / len(before) if before else np.nan})
    if not out:
        raise ValueError(f"{where}: the data spans {int((last - first).n) + 1} month(s); "
                         "yearly retention needs two whole years (24 months)")
    return pd.DataFrame(out)


def churn_what_if(yearly_profit: float, retention: float, *, change: float = 0.05,
                  years: int = 5, discount_rate: float = 0.1, growth: float = 0.0,
                  basis: str = "observed") -> pd.DataFrame:
    """What a retention ``change`` points lower or higher does to profit over ``years``.

    The current accounts, who make ``yearly_profit`` together, are a cohort under the
    :func:`clv_formula` model with no acquisition cost: profit in year t is
    yearly_profit x (1 + growth)^(t-1), kept with probability retention^(t-1) and
    discounted at (1 + discount_rate)^-t. Retention is a share: a scenario that would go
    past 100% (or below 0%) is capped there, and then says the change it used: 95.8% + 5
    points is "retention +4.2 pts (capped at 100%)". ``basis`` says where ``retention``
    comes from, and names the middle scenario: "observed" in the data, or "assumed" (a
    parameter, when the data is too short to observe it).

    Returns
    -------
    DataFrame
        Three rows (``scenario`` "retention -5 pts", ``basis``, "retention +5 pts", or the
        capped change used) with every assumption next to the result: ``retention`` (used),
        ``retention_change`` (used, against the observed), ``capped``, ``years``,
        ``discount_rate``, ``growth``, ``yearly_profit``, ``profit_over_years`` (present
        value), ``change`` and ``change_pct`` against the observed (or assumed) retention.

    Examples
    --------
    >>> w = churn_what_if(100.0, 0.9, years=2, discount_rate=0.0)  # 100 + 100 x r
    >>> w[["scenario", "retention", "profit_over_years", "change_pct"]].round(4)
               scenario  retention  profit_over_years  change_pct
    0  retention -5 pts       0.85              185.0     -0.0263
    1          observed       0.90              190.0      0.0000
    2  retention +5 pts       0.95              195.0      0.0263
    >>> churn_what_if(100.0, 0.958, years=2, discount_rate=0.0)["scenario"].iloc[2]
    'retention +4.2 pts (capped at 100%)'
    """
    where = "churn_what_if"
    _check(retention, discount_rate, years, where)
    if basis not in ("observed", "assumed"):
        raise ValueError(f"{where}: basis must be 'observed' or 'assumed', got {basis!r}")
    if not 0 < change <= 1:
        raise ValueError(f"{where}: change must be a share in (0, 1] (5 points = 0.05), got "
                         f"{change!r}")
    rows = []
    for sign in (-1, 0, 1):
        asked = retention + sign * change
        r = float(min(max(asked, 0.0), 1.0))
        capped = bool(sign and r != asked)
        used = change if not capped else abs(r - retention)
        name = (basis if not sign else
                f"retention {'+' if sign > 0 else '-'}{_points(used)} pts"
                + (f" (capped at {r:.0%})" if capped else ""))
        t = clv_formula(yearly_profit, years=years, retention=r, discount_rate=discount_rate,
                        growth=growth)
        rows.append({"scenario": name, "retention": r, "retention_change": r - retention,
                     "capped": capped, "years": int(years),
                     "discount_rate": float(discount_rate), "growth": float(growth),
                     "yearly_profit": float(yearly_profit),
                     "profit_over_years": float(t["present_value"].sum())})
    out = pd.DataFrame(rows)
    base = out.loc[1, "profit_over_years"]
    out["change"] = out["profit_over_years"] - base
    out["change_pct"] = out["change"] / abs(base) if base != 0 else np.nan
    return out


def _points(share: float) -> str:
    """A share as percentage points, one decimal (two digits below 0.1): 0.05 -> "5",
    0.042 -> "4.2", 0.0004 -> "0.04"."""
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return f"{share * 100:.2g}" if text == "0" and share > 0 else text


def churn_claims(what_if: pd.DataFrame) -> pd.DataFrame:
    """The brief's two churn claims checked against a :func:`churn_what_if` of own data.

    "5% churn can cost 20% of profit" holds when the lower retention loses 20% or more;
    "cutting churn by 5% lifts profit by 25% or more" when the higher one gains 25% or more.
    "5%" is read as the what-if's change in points.

    Examples
    --------
    >>> churn_claims(churn_what_if(100.0, 0.9, years=2, discount_rate=0.0))["holds"].tolist()
    [False, False]
    """
    require_columns(what_if, ["scenario", "change_pct"], "churn_claims")
    low, high = what_if["change_pct"].iloc[0], what_if["change_pct"].iloc[2]
    return pd.DataFrame({
        "claim": ["5% more churn can cost 20% of profit",
                  "cutting churn by 5% lifts profit by 25% or more"],
        "scenario": [what_if["scenario"].iloc[0], what_if["scenario"].iloc[2]],
        "threshold": [-0.20, 0.25], "this_company": [low, high],
        "holds": [bool(low <= -0.20), bool(high >= 0.25)]})
