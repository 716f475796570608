"""The cube: transaction lines aggregated once, in the engine, to small account x month facts.

Written as Ibis expressions, so the same aggregation runs on DuckDB (the embedded default) or
on any backend Ibis supports (a warehouse, Spark) where the lines live. Only the aggregated
frames come back to pandas: for 6,400 accounts over five years that is a few hundred thousand
rows at most, whatever the number of lines.

Examples
--------
>>> import ibis, pandas as pd
>>> lines = ibis.memtable(pd.DataFrame({
...     "account_id": ["A", "A", "B"], "product": ["cloud", "iot", "cloud"],
...     "date": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-01"]),
...     "revenue": [100.0, 50.0, 70.0], "cost": [60.0, 20.0, 30.0],
...     "invoice_id": ["1", "1", "2"], "quantity": [1.0, 2.0, 1.0]}))
>>> cube = build_cube(lines)
>>> cube.account_month[["account_id", "revenue", "invoices", "products"]].to_dict("records")
[{'account_id': 'A', 'revenue': 150.0, 'invoices': 1, 'products': 2}, {'account_id': 'B', 'revenue': 70.0, 'invoices': 1, 'products': 1}]
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd

__all__ = ["Cube", "build_cube"]

FRAMES = ("account_month", "product_month", "account_product", "account_timing",
          "notable_days")
TOP_DAYS = 10  # the largest purchase days kept per account (an account plan's largest deals)
# Purchase timing per account, for two period lengths and two meanings of "bought":
# any line in the period, or a positive net value in it (a credit note alone is no purchase).
TIMING_SCOPES = {"days": ("D", False), "purchase_days": ("D", True),
                 "weeks": ("W", False), "purchase_weeks": ("W", True)}
# Money is summed as exact decimals: a parallel engine adds floats in whatever order its
# threads finish, so the same data gave totals differing in the last bits from run to run,
# enough to flip the order of tied accounts and to show movements between identical builds.
# Six decimals hold every amount the checks let through (|x| <= 1e15) and every currency.
MONEY = "decimal(38, 6)"


@dataclass(frozen=True)
class Cube:
    """Aggregated facts; every analysis after loading starts from these three frames.

    account_month
        account_id, period (first day of the month), revenue, cost (NaN where the data has no
        cost), lines, invoices (distinct invoice ids; lines when there are none), products
        (distinct), first_date, last_date.
    product_month
        product, period, revenue, cost, accounts (distinct), lines.
    account_product
        account_id, product, revenue, cost, lines, first_date, last_date.
    account_timing
        One row per account: for each scope in :data:`TIMING_SCOPES` (``days``,
        ``purchase_days``, ``weeks``, ``purchase_weeks``) the first and last period
        (``<scope>_first``, ``<scope>_last``), their number (``<scope>``), the value of the
        first (``<scope>_first_value``) and of all (``<scope>_value``). Everything that
        purchase-timing models (recency, frequency, T of BG/NBD) and profiles need, without
        a row per account and day (which is most of the lines on a big data set).
    notable_days
        account_id, date, revenue: each account's :data:`TOP_DAYS` largest days and every
        day whose net revenue is negative (credit notes), for account plans; not every day.
    """

    account_month: pd.DataFrame
    product_month: pd.DataFrame
    account_product: pd.DataFrame
    account_timing: pd.DataFrame
    notable_days: pd.DataFrame

    def save(self, folder: Path) -> None:
        for name in FRAMES:
            getattr(self, name).to_parquet(folder / f"{name}.parquet", index=False)

    @classmethod
    def open(cls, folder: Path) -> Cube:
        return cls(*(pd.read_parquet(folder / f"{name}.parquet") for name in FRAMES))

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(n)}</td><td>{len(getattr(self, n)):,}</td></tr>"
                       for n in FRAMES)
        return f"<table><tr><th>frame</th><th>rows</th></tr>{rows}</table>"


def build_cube(lines: ibis.Table, *, invoices: bool = True) -> Cube:
    """Aggregate clean transaction lines (the contract's columns) into a :class:`Cube`.

    The lines are read three times: once to account x month x product facts (a few million
    rows at most, cached in the engine) from which three frames are rolled up, once for
    distinct invoices per account-month (an invoice spans products, so it cannot be rolled
    up), and once to account x day totals, summarised per account in the engine (only one
    row per account comes back). ``invoices=False`` (no invoice ids in the data) counts each
    line as an invoice. A
    month whose lines have no cost gets NaN cost, not 0: margins are never computed on
    invented costs.
    """
    t = lines.mutate(
        period=lines.date.truncate("M").cast("date"),
        product=lines["product"].fill_null("(no product)"),
        revenue=lines.revenue.cast(MONEY),
        cost=lines.cost.cast(MONEY),
    )
    facts = t.group_by(["account_id", "period", "product"]).aggregate(
        revenue=t.revenue.sum(), cost=t.cost.sum(), lines=t.count(),
        first_date=t.date.min(), last_date=t.date.max(),
    )
    keys = ["account_id", "period"]
    counted = t.group_by(keys).aggregate(
        invoices=t.invoice_id.nunique() if invoices else t.count())
    backend = ibis.get_backend(lines)
    # Materialised once; all three frames roll up from it. (Ibis's own .cache() fails to
    # drop its table on DuckDB 2, so the table is named and dropped here.)
    fine = backend.create_table("_kamkit_facts", facts, temp=True, overwrite=True)
    counted = backend.create_table("_kamkit_invoices", counted, temp=True, overwrite=True)
    daily = backend.create_table("_kamkit_days", t.group_by(["account_id", "date"]).aggregate(
        value=t.revenue.sum()), temp=True, overwrite=True)
    try:
        def roll_up(keys: list[str], **extra) -> ibis.Table:
            return fine.group_by(keys).aggregate(
                revenue=fine.revenue.sum(), cost=fine.cost.sum(), lines=fine.lines.sum(),
                first_date=fine.first_date.min(), last_date=fine.last_date.max(), **extra)

        return Cube(
            _frame(roll_up(keys, products=fine.count()).join(counted, keys), keys,
                   ["account_id", "period", "revenue", "cost", "lines", "invoices",
                    "products", "first_date", "last_date"]),
            _frame(roll_up(["product", "period"], accounts=fine.count()),
                   ["product", "period"],
                   ["product", "period", "revenue", "cost", "accounts", "lines"]),
            _frame(roll_up(["account_id", "product"]), ["account_id", "product"],
                   ["account_id", "product", "revenue", "cost", "lines", "first_date",
                    "last_date"]),
            _timing(daily),
            _frame(_notable(daily), ["account_id", "date"], ["account_id", "date", "revenue"]),
        )
    finally:
        for name in ("_kamkit_facts", "_kamkit_invoices", "_kamkit_days"):
            backend.drop_table(name, force=True)


def _notable(daily: ibis.Table) -> ibis.Table:
    """The largest days of each account and its credit-note days (see :class:`Cube`)."""
    rank = ibis.row_number().over(group_by=daily.account_id,
                                  order_by=[ibis.desc(daily.value), daily.date])
    ranked = daily.mutate(rank=rank)
    kept = ranked.filter((ranked["rank"] < TOP_DAYS) | (ranked.value < 0))
    return kept.select("account_id", "date", revenue=kept.value)


def _timing(daily: ibis.Table) -> pd.DataFrame:
    """The account_timing frame from account x day values (see :class:`Cube`)."""
    weekly = daily.group_by(["account_id", daily.date.truncate("W").cast("date").name("date")]
                            ).aggregate(value=daily.value.sum())
    out = None
    # one pass per period length: a purchase scope is the same aggregate over its positive
    # periods only (where=), so the day and week tables are each read once, not twice
    for freq, per in (("D", daily), ("W", weekly)):
        stats = {}
        for scope, (scope_freq, purchases) in TIMING_SCOPES.items():
            if scope_freq != freq:
                continue
            where = per.value > 0 if purchases else None
            stats.update({
                f"{scope}_first": per.date.min(where=where),
                f"{scope}_last": per.date.max(where=where),
                scope: per.count(where=where),
                f"{scope}_first_value": per.value.argmin(per.date, where=where),
                f"{scope}_value": per.value.sum(where=where)})
        part = per.group_by("account_id").aggregate(**stats)
        out = part if out is None else out.join(part, "account_id")
    frame = _as_floats(out.order_by("account_id")).to_pandas()
    frame = frame[["account_id", *(f"{scope}{end}" for scope in TIMING_SCOPES for end in (
        "_first", "_last", "", "_first_value", "_value"))]]
    for scope in TIMING_SCOPES:
        frame[scope] = frame[scope].fillna(0).astype("int64")
        for end in ("first", "last"):
            frame[f"{scope}_{end}"] = pd.to_datetime(frame[f"{scope}_{end}"]).astype(
                "datetime64[ns]")
    return frame.reset_index(drop=True)


def _frame(expr: ibis.Table, order: list[str], columns: list[str]) -> pd.DataFrame:
    frame = _as_floats(expr.order_by(order).select(columns)).to_pandas()
    for col in ("period", "date", "first_date", "last_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("lines", "invoices", "products", "accounts"):
        if col in frame:
            frame[col] = frame[col].astype("int64")
    return frame.reset_index(drop=True)


def _as_floats(expr: ibis.Table) -> ibis.Table:
    """The exact decimal sums as float64, once every sum is done."""
    decimals = {name: expr[name].cast("float64") for name, kind in expr.schema().items()
                if kind.is_decimal()}
    return expr.mutate(**decimals) if decimals else expr
