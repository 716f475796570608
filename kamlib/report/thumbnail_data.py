"""The figures behind the index's small charts, from the analyses' frames.

Each function takes a frame an analysis returned and gives the ``data`` of one
:func:`kamlib.report.display.thumbnail`: aggregated numbers only (monthly totals, a
curve's points at fixed steps, a matrix's cells, shares per group), never an account's
name or id, so what the index carries cannot expose a client row. Plain floats and
strings: the data travels as JSON inside the executed notebook.

Examples
--------
>>> import pandas as pd
>>> by_month = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]),
...                          "revenue": [10.0, 12.5]})
>>> monthly_series(by_month)
{'values': [10.0, 12.5], 'periods': ['Jan 2024', 'Feb 2024']}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import require_columns

__all__ = ["monthly_series", "curve_points", "cell_matrix", "share_bars"]


def monthly_series(frame: pd.DataFrame, *, period: str = "period", value: str = "revenue",
                   months: int = 36) -> dict:
    """The last ``months`` periods' totals and their names ("Jan 2024"), oldest first."""
    require_columns(frame, [period, value], "monthly_series")
    last = frame.sort_values(period).tail(months)
    return {"values": [float(v) for v in last[value]],
            "periods": [pd.Timestamp(p).strftime("%b %Y") for p in last[period]]}


def curve_points(frame: pd.DataFrame, *, x: str = "cum_account_share", y: str = "cum_share",
                 points: int = 41, mark: float | str | None = None,
                 reference: float | None = None) -> dict:
    """A cumulative curve at ``points`` evenly spaced x from 0 to 1, starting at (0, 0).

    The curve is interpolated between its rows, so its shape shows and no row does.
    ``mark``: ``"peak"`` marks its highest point exactly (the whale curve's top), a number
    the first row whose y reaches it (the vital few at 0.8); ``reference``: a y the index
    draws as a dashed line.

    >>> t = pd.DataFrame({"cum_account_share": [0.25, 0.5, 1.0], "cum_share": [0.6, 0.8, 1.0]})
    >>> curve_points(t, points=3, mark=0.8)
    {'x': [0.0, 0.5, 1.0], 'y': [0.0, 0.8, 1.0], 'mark': [0.5, 0.8]}
    """
    require_columns(frame, [x, y], "curve_points")
    xs = np.concatenate([[0.0], frame[x].to_numpy(dtype=float)])
    ys = np.concatenate([[0.0], frame[y].to_numpy(dtype=float)])
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise ValueError(f"curve_points: {x} and {y} must be finite numbers")
    grid = np.linspace(0.0, 1.0, points)
    out = {"x": [round(float(v), 6) for v in grid],
           "y": [round(float(v), 6) for v in np.interp(grid, xs, ys)]}
    if mark is not None:
        at = int(np.argmax(ys)) if mark == "peak" else int(np.argmax(ys >= float(mark) - 1e-12))
        out["mark"] = [round(float(xs[at]), 6), round(float(ys[at]), 6)]
    if reference is not None:
        out["reference"] = float(reference)
    return out


def cell_matrix(frame: pd.DataFrame, *, row: str, column: str, share: str, rows: list,
                columns: list, count: str | None = None, names: str | None = None,
                row_names: list[str] | None = None, column_names: list[str] | None = None
                ) -> dict:
    """The cells of a small matrix in the order ``rows`` x ``columns``; a missing cell is 0.

    ``frame`` holds one row per cell or per account: ``count`` and ``share`` are summed per
    cell (without ``count``, rows are counted); ``names`` is a column naming each cell;
    ``row_names`` and ``column_names`` show ``rows`` and ``columns`` in words.

    >>> m = pd.DataFrame({"abc": ["A", "B"], "xyz": ["X", "X"], "count": [2, 5],
    ...                   "value_share": [0.7, 0.3]})
    >>> cell_matrix(m, row="abc", column="xyz", count="count", share="value_share",
    ...             rows=["A", "B"], columns=["X", "Y"])["counts"]
    [[2.0, 0.0], [5.0, 0.0]]
    """
    require_columns(frame, [row, column, share] + [c for c in (count, names) if c],
                    "cell_matrix")
    cells = frame.assign(_n=1 if count is None else frame[count]).set_index([row, column])
    full = pd.MultiIndex.from_product([rows, columns])
    counts = cells["_n"].groupby(level=[0, 1]).sum().reindex(full, fill_value=0)
    shares = cells[share].groupby(level=[0, 1]).sum().reindex(full, fill_value=0)
    out = {"rows": [str(r) for r in (row_names or rows)],
           "columns": [str(c) for c in (column_names or columns)],
           "counts": [[float(counts[(r, c)]) for c in columns] for r in rows],
           "shares": [[round(float(shares[(r, c)]), 6) for c in columns] for r in rows]}
    if names:
        named = cells[names].groupby(level=[0, 1]).first().reindex(full)
        out["names"] = [["" if pd.isna(named[(r, c)]) else str(named[(r, c)])
                         for c in columns] for r in rows]
    return out


def share_bars(frame: pd.DataFrame, *, label: str, share: str = "share", top: int = 6
               ) -> dict:
    """The ``top`` groups by share, largest first: a group's name and its share.

    >>> s = pd.DataFrame({"segment": ["a", "b", "c"], "share": [0.2, 0.5, 0.3]})
    >>> share_bars(s, label="segment", top=2)
    {'labels': ['b', 'c'], 'values': [0.5, 0.3]}
    """
    require_columns(frame, [label, share], "share_bars")
    largest = frame[frame[share].notna()].nlargest(top, share)
    return {"labels": [str(v) for v in largest[label]],
            "values": [round(float(v), 6) for v in largest[share]]}
