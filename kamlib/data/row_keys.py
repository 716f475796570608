"""Rows of a database table named by their keys, never by the order they were read in.

A file has lines a person can find; a database table has none, and the order a server (or
Spark) returns rows in may change from one read to the next. A problem found in a table read
here (``compute = "local"``) therefore names its example rows by their keys, as the pushdown
does where the rows live: ``table sales, row invoice_id=A7 line_no=2``.

Examples
--------
>>> import pandas as pd
>>> row_names(pd.DataFrame({"invoice_id": ["A7"], "line_no": [2.0]}), ["invoice_id", "line_no"])
['invoice_id=A7 line_no=2']
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from kamlib.data.contract import TABLES
from kamlib.data.problems import ValidationReport

__all__ = ["row_keys", "row_names", "value_text", "name_rows_by_keys"]


def value_text(value) -> str:
    """A value as a problem quotes it: '' when empty, a date without a time, a whole number
    without '.0'."""
    if pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def row_names(rows: pd.DataFrame, keys) -> list[str]:
    """Each row as 'key=value …'."""
    return [" ".join(f"{c}={value_text(v)}" for c, v in zip(keys, row))
            for row in rows.itertuples(index=False)]


def row_keys(table: str, mapping: dict[str, str]) -> tuple[str, ...]:
    """The columns that name a row of ``table``: an invoice line by invoice and line number
    (or account and date without invoice ids), else the table's key, else its required
    columns (an activity by account, date and activity).

    >>> row_keys("transactions", {"invoice_id": "inv"}), row_keys("accounts", {})
    (('invoice_id',), ('account_id',))
    """
    if table == "transactions":
        if "invoice_id" in mapping:
            return ("invoice_id", "line_no") if "line_no" in mapping else ("invoice_id",)
        return ("account_id", "date")
    spec = TABLES[table]
    return spec.key or spec.required


def name_rows_by_keys(con, raws: dict, report: ValidationReport) -> None:
    """Give the problems of every database table read here its rows by keys instead of
    line numbers (``raw.noun == "table"``: no file behind it)."""
    tables = {name: raw for name, raw in raws.items() if raw.noun == "table"}
    for i, p in enumerate(report.problems):
        raw = tables.get(p.table)
        if raw is None or not p.lines or p.rows:
            continue
        keys = row_keys(p.table, raw.mapping)
        ids = [line - raw.first_line for line in p.lines]  # no skipped lines in a table
        found = con.execute(f"SELECT rowid, {', '.join(keys)} FROM t_{p.table} WHERE rowid "
                            f"IN ({', '.join(map(str, ids))})").df().set_index("rowid")
        named = row_names(found.reindex(ids)[list(keys)], keys)
        report.problems[i] = replace(p, lines=(), rows=tuple(named))
