"""The one lifetime value of the kit: one model, one set of assumptions, shown with it.

Every page that shows an account's lifetime value (the profitability module, the index's
key accounts, the plans, the exports) takes it from :func:`account_lifetime_value` with
:class:`LifetimeAssumptions`, so an account has one lifetime value everywhere. The model is
the formula model of :mod:`kamlib.clv` (Reichheld and Sasser): the account's yearly profit
(its profit over the analysis window divided by the window's years), growing with revenue
growth, cost savings, referrals and a price premium, weighed each year by the chance the
account is still there (the observed yearly retention) and discounted; the cost of winning
it (``acquisition_cost`` of the accounts table) in year 0 where the data has it.

Examples
--------
>>> import pandas as pd
>>> pnl = pd.DataFrame({"account_id": ["a"], "profit": [300.0]})
>>> am = pd.DataFrame({"account_id": ["a"], "revenue": [1.0],
...                    "period": pd.to_datetime(["2024-01-01"])})
>>> lv = account_lifetime_value(pnl, am, start="2022-01-01", end="2024-12-31",
...      assumptions=LifetimeAssumptions(years=1, discount_rate=0.0, growth=0.0,
...                                      cost_savings=0.0, referrals=0.0, price_premium=0.0))
>>> lv[["account_id", "yearly_profit", "clv"]].values.tolist()
[['a', 100.0, 100.0]]
>>> lv.attrs["assumptions"]["retention_source"]
'assumed (the data spans under two years)'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from kamlib._frames import DateLike, require_columns

__all__ = ["LifetimeAssumptions", "account_lifetime_value", "dataset_lifetime_value",
           "describe_assumptions"]


@dataclass(frozen=True)
class LifetimeAssumptions:
    """The assumptions of the lifetime value (the defaults are the kit's, used everywhere).

    years
        Years of future profit counted.
    discount_rate
        Yearly rate that discounts future profit (0.1 is 10%).
    growth
        Yearly growth of an account's profit from buying more.
    cost_savings, referrals, price_premium
        Profit from cheaper serving, from referred customers and from paying closer to list
        price, per year of tenure, as a share of the yearly profit.
    retention_if_unknown
        Yearly retention assumed when the data spans under two years (else it is observed).
    count_acquisition
        Start with the cost of winning the account (year 0) where the accounts table has it.
    """

    years: int = 5
    discount_rate: float = 0.1
    growth: float = 0.03
    cost_savings: float = 0.02
    referrals: float = 0.01
    price_premium: float = 0.01
    retention_if_unknown: float = 0.85
    count_acquisition: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def _retention(account_month: pd.DataFrame, end: DateLike,
               assumptions: LifetimeAssumptions) -> tuple[float, str]:
    from kamlib.clv import yearly_retention

    try:
        table = yearly_retention(account_month, end=end)
    except ValueError:  # under two years of data: no year-on-year retention to observe
        return assumptions.retention_if_unknown, "assumed (the data spans under two years)"
    last = table.iloc[-1]
    return float(last["retention"]), (f"observed: {int(last['retained']):,} of the "
                                      f"{int(last['accounts_at_start']):,} accounts that bought "
                                      "in the year before the last also bought in the last")


def account_lifetime_value(pnl: pd.DataFrame, account_month: pd.DataFrame,
                           accounts: pd.DataFrame | None = None, *, start: DateLike,
                           end: DateLike,
                           assumptions: LifetimeAssumptions = LifetimeAssumptions()
                           ) -> pd.DataFrame:
    """Every account's lifetime value under the kit's one model and ``assumptions``.

    Parameters
    ----------
    pnl : DataFrame
        ``account_id`` and ``profit`` over the analysis window ``start`` to ``end``
        (:func:`kamlib.profitability.customer_pnl`); accounts without a profit are left out.
    account_month : DataFrame
        The cube's account x month facts, for the observed yearly retention.
    accounts : DataFrame, optional
        The accounts table; its ``acquisition_cost`` is year 0 when
        ``assumptions.count_acquisition``.

    Returns
    -------
    DataFrame
        :func:`kamlib.clv.clv_by_account`'s columns (``account_id``, ``yearly_profit``, the
        components in present value, ``clv``), largest first. ``attrs["assumptions"]``:
        every assumption with the retention used and where it comes from; ``attrs["text"]``
        says them in one paragraph (:func:`describe_assumptions`).
    """
    from kamlib.clv import clv_by_account

    require_columns(pnl, ["account_id", "profit"], "account_lifetime_value")
    known = pnl[pnl["profit"].notna()]
    months = (pd.Period(pd.Timestamp(end), "M") - pd.Period(pd.Timestamp(start), "M")).n + 1
    retention, source = _retention(account_month, end, assumptions)
    acquisition = (assumptions.count_acquisition and accounts is not None
                   and "acquisition_cost" in accounts.columns)
    if acquisition:
        known = known.merge(accounts.drop_duplicates("account_id")[
            ["account_id", "acquisition_cost"]], on="account_id", how="left")
    a = assumptions
    out = clv_by_account(known, per_years=months / 12,
                         acquisition_cost="acquisition_cost" if acquisition else 0.0,
                         years=a.years, retention=retention, discount_rate=a.discount_rate,
                         growth=a.growth, cost_savings=a.cost_savings, referrals=a.referrals,
                         price_premium=a.price_premium)
    out.attrs["assumptions"] = {**a.as_dict(), "retention": retention,
                                "retention_source": source, "months": months,
                                "acquisition_counted": bool(acquisition)}
    out.attrs["text"] = describe_assumptions(out.attrs["assumptions"])
    return out


def describe_assumptions(used: dict) -> str:
    """The assumptions of a lifetime value in one paragraph, as the pages show them.

    >>> print(describe_assumptions({**LifetimeAssumptions().as_dict(), "retention": 0.8,
    ...     "retention_source": "observed", "months": 36, "acquisition_counted": False}))
    ... # doctest: +NORMALIZE_WHITESPACE
    Lifetime value: yearly profit = profit in the analysis window / 3 years; retention 80.0%
    a year (observed); discount rate 10%; 5 years; profit growth 3% a year; cost savings 2%,
    referrals 1% and price premium 1% of the yearly profit per year of tenure; acquisition
    cost not counted.
    """
    return (f"Lifetime value: yearly profit = profit in the analysis window / "
            f"{used['months'] / 12:g} years; retention {used['retention']:.1%} a year "
            f"({used['retention_source']}); discount rate {used['discount_rate']:.0%}; "
            f"{used['years']} years; profit growth {used['growth']:.0%} a year; cost savings "
            f"{used['cost_savings']:.0%}, referrals {used['referrals']:.0%} and price premium "
            f"{used['price_premium']:.0%} of the yearly profit per year of tenure; "
            "acquisition cost " + ("from the accounts table (year 0)."
                                   if used["acquisition_counted"] else "not counted."))


def dataset_lifetime_value(ds, pnl: pd.DataFrame,
                           assumptions: LifetimeAssumptions = LifetimeAssumptions()
                           ) -> pd.DataFrame:
    """:func:`account_lifetime_value` of a loaded data set over its analysis window."""
    a = ds.config.analysis
    accounts = ds.accounts if "acquisition_cost" in ds.tables.get("accounts", []) else None
    return account_lifetime_value(pnl, ds.cube.account_month, accounts,
                                  start=a.start or ds.start, end=a.end or ds.as_of,
                                  assumptions=assumptions)
