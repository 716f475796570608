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
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pandas as pd

if TYPE_CHECKING:  # imported where the cube is built: opening a saved cube never needs it
    import ibis

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
# The same six decimals in 64 bits when every amount is below 1e12, as on nearly all data:
# the engine then adds 64-bit integers, much faster than 128-bit ones; the sums are the same.
MONEY_64, MONEY_64_BELOW = "decimal(18, 6)", 1e12


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


def build_cube(lines: ibis.Table, *, invoices: bool = True, read_only: bool = False,
               fetch=None) -> Cube:
    """Aggregate clean transaction lines (the contract's columns) into a :class:`Cube`.

    Each frame is aggregated from the lines directly, in its own group-by: the account x
    month frame with its distinct invoices and products in one pass, the account x product
    and product x month frames (small: few groups), and account x day totals (kept in the
    engine for the purchase timing and the notable days: only one row per account, and a
    few days each, come back). An earlier account x month x product table to roll the
    three frames up from had about as many rows as lines on real data (most accounts buy a
    product once a month), so it cost more than the passes it saved. ``invoices=False`` (no
    invoice ids in the data) counts each line as an invoice. A month whose lines have no
    cost gets NaN cost, not 0: margins are never computed on invented costs.
    ``read_only=True`` (the lines live on a database server or Spark, see
    :mod:`kamlib.data.pushdown`): no temporary table is created (the account x day totals
    are a subquery of each frame that needs them), and the small frames are put in order on
    the client, in byte order, as DuckDB sorts, whatever collation the server sorts text by.
    ``fetch(expr) -> DataFrame`` (default: ``expr.to_pandas()``) brings each frame back
    (e.g. :func:`kamlib.data.postgres.fetcher`, Arrow-native).
    """
    import ibis

    money = _money_type(lines)
    t = lines.mutate(
        period=lines.date.truncate("M").cast("date"),
        product=lines["product"].fill_null("(no product)"),
        revenue=lines.revenue.cast(money),
        cost=lines.cost.cast(money),
    )
    money = {"revenue": t.revenue.sum(), "cost": t.cost.sum(), "lines": t.count()}
    span = {"first_date": t.date.min(), "last_date": t.date.max()}
    daily = t.group_by(["account_id", "date"]).aggregate(value=t.revenue.sum())
    frame = partial(_frame, on_client=read_only, fetch=fetch)
    with nullcontext(daily) if read_only else _kept(daily, "_kamkit_days") as daily:
        return Cube(
            frame(t.group_by(["account_id", "period"]).aggregate(
                **money, invoices=t.invoice_id.nunique() if invoices else t.count(),
                products=t["product"].nunique(), **span), ["account_id", "period"],
                ["account_id", "period", "revenue", "cost", "lines", "invoices",
                 "products", "first_date", "last_date"]),
            frame(t.group_by(["product", "period"]).aggregate(
                **money, accounts=t.account_id.nunique()), ["product", "period"],
                ["product", "period", "revenue", "cost", "accounts", "lines"]),
            frame(t.group_by(["account_id", "product"]).aggregate(**money, **span),
                   ["account_id", "product"],
                   ["account_id", "product", "revenue", "cost", "lines", "first_date",
                    "last_date"]),
            _timing(daily, on_client=read_only, fetch=fetch),
            frame(_notable(daily), ["account_id", "date"], ["account_id", "date", "revenue"]),
        )


@contextmanager
def _kept(expr: ibis.Table, name: str) -> Iterator[ibis.Table]:
    """``expr`` computed once for several reads, dropped after: a temporary table named
    ``name``, or, on an engine whose Ibis backend refuses temporary tables (Spark), Ibis'
    cache of it (there a cached temporary view of the session). Ibis' cache is not used
    everywhere: on DuckDB 2 it fails to drop its table."""
    import ibis

    backend = ibis.get_backend(expr)
    try:
        # overwrite=False: Ibis then fills the table itself, not a copy of another
        backend.drop_table(name, force=True)
        table = backend.create_table(name, expr, temp=True)
    except NotImplementedError:
        table = None
    if table is None:
        with expr.cache() as cached:
            yield cached
        return
    try:
        yield table
    finally:
        backend.drop_table(name, force=True)


def _money_type(lines: ibis.Table) -> str:
    """:data:`MONEY_64` if every revenue and cost is below :data:`MONEY_64_BELOW` in size
    (one quick pass over two columns), else :data:`MONEY`: exact either way."""
    sizes = lines.aggregate(revenue=lines.revenue.abs().max(),
                            cost=lines.cost.abs().max()).to_pandas().iloc[0]
    largest = max((float(v) for v in sizes if pd.notna(v)), default=0.0)
    return MONEY_64 if largest < MONEY_64_BELOW else MONEY


def _notable(daily: ibis.Table) -> ibis.Table:
    """The largest days of each account and its credit-note days (see :class:`Cube`).

    A window, not DuckDB's ``max_by(..., n)``: that aggregate is faster on few accounts
    but holds every account's top days in memory at once, and ran out of it on 500,000."""
    import ibis

    rank = ibis.row_number().over(group_by=daily.account_id,
                                  order_by=[ibis.desc(daily.value), daily.date])
    ranked = daily.mutate(rank=rank)
    kept = ranked.filter((ranked["rank"] < TOP_DAYS) | (ranked.value < 0))
    return kept.select("account_id", "date", revenue=kept.value)


def _timing(daily: ibis.Table, on_client: bool = False, fetch=None) -> pd.DataFrame:
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
    frame = _ordered(_as_floats(out), ["account_id"], on_client, fetch)
    frame = frame[["account_id", *(f"{scope}{end}" for scope in TIMING_SCOPES for end in (
        "_first", "_last", "", "_first_value", "_value"))]]
    for scope in TIMING_SCOPES:
        frame[scope] = frame[scope].fillna(0).astype("int64")
        for end in ("first", "last"):
            frame[f"{scope}_{end}"] = pd.to_datetime(frame[f"{scope}_{end}"]).astype(
                "datetime64[ns]")
    return frame.reset_index(drop=True)


def _ordered(expr: ibis.Table, order: list[str], on_client: bool, fetch=None
             ) -> pd.DataFrame:
    """``expr`` sorted by ``order`` (unique keys): in the engine, or on the client in byte
    (code point) order, which is DuckDB's and PostgreSQL's COLLATE "C" order of text."""
    if not on_client:
        return expr.order_by(order).to_pandas()
    frame = fetch(expr) if fetch else expr.to_pandas()
    return frame.sort_values(order, kind="stable", ignore_index=True)


def _frame(expr: ibis.Table, order: list[str], columns: list[str], on_client: bool = False,
           fetch=None) -> pd.DataFrame:
    frame = _ordered(_as_floats(expr.select(columns)), order, on_client, fetch)
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
