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

FRAMES = ("account_month", "product_month", "account_product")


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
    """

    account_month: pd.DataFrame
    product_month: pd.DataFrame
    account_product: pd.DataFrame

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


def _facts(t: ibis.Table, keys: list, *, invoices: bool) -> ibis.Table:
    metrics = dict(
        revenue=t.revenue.sum(),
        cost=t.cost.sum(),
        lines=t.count(),
        first_date=t.date.min(),
        last_date=t.date.max(),
    )
    if invoices:
        metrics["invoices"] = t.invoice_id.nunique()
    return t.group_by(keys).aggregate(**metrics)


def build_cube(lines: ibis.Table) -> Cube:
    """Aggregate clean transaction lines (the contract's columns) into a :class:`Cube`.

    Sums treat a missing ``cost`` as unknown: a month whose lines have no cost gets NaN,
    not 0, so margins are never computed on invented costs.
    """
    has_invoice = lines.invoice_id.count()  # non-null invoice ids
    t = lines.mutate(
        period=lines.date.truncate("M").cast("date"),
        product=lines["product"].fill_null("(no product)"),
        revenue=lines.revenue.cast("float64"),
        cost=lines.cost.cast("float64"),
        invoice_id=lines.invoice_id.fill_null(ibis.literal("line ") + lines.date.cast("string")),
    )
    account_month = _facts(t, ["account_id", "period"], invoices=True).join(
        t.group_by(["account_id", "period"]).aggregate(products=t["product"].nunique()),
        ["account_id", "period"],
    )
    product_month = _facts(t, ["product", "period"], invoices=False).join(
        t.group_by(["product", "period"]).aggregate(accounts=t.account_id.nunique()),
        ["product", "period"],
    )
    account_product = _facts(t, ["account_id", "product"], invoices=False)
    invoiced = has_invoice.execute() > 0
    am = _frame(account_month, ["account_id", "period"], ["account_id", "period", "revenue",
                "cost", "lines", "invoices", "products", "first_date", "last_date"])
    if not invoiced:  # no invoice ids: each line is its own invoice
        am["invoices"] = am["lines"]
    return Cube(
        am,
        _frame(product_month, ["product", "period"], ["product", "period", "revenue", "cost",
               "accounts", "lines"]),
        _frame(account_product, ["account_id", "product"], ["account_id", "product", "revenue",
               "cost", "lines", "first_date", "last_date"]),
    )


def _frame(expr: ibis.Table, order: list[str], columns: list[str]) -> pd.DataFrame:
    frame = expr.order_by(order).select(columns).to_pandas()
    for col in ("period", "first_date", "last_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("lines", "invoices", "products", "accounts"):
        if col in frame:
            frame[col] = frame[col].astype("int64")
    return frame.reset_index(drop=True)
