"""Checks and ranking shared by the analysis modules (private: not part of the API).

Every analysis takes a DataFrame plus the names of its columns, so a wrong name or a bad value
is reported with the function and the column, never as a KeyError deep inside pandas.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

__all__ = ["TOL", "DateLike", "require_columns", "require_numeric", "clean_values",
           "rank_accounts", "net_total", "accounts_for", "check_fraction", "window_mask"]

# Shares are sums of floats: 0.8 * total can come out as 0.7999999999999999 of it. A share
# this close to the target counts as reaching it, so "exactly 80%" is never missed.
TOL = 1e-12

DateLike = str | date | pd.Timestamp | None


def require_columns(frame: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise a ValueError naming the missing columns and the ones the frame has."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: column(s) {missing} not found; the frame has "
                         f"{list(frame.columns)}. Name yours with account=, value=, period=.")


def _examples(ids: pd.Series) -> str:
    shown = ", ".join(repr(str(i)) for i in ids.iloc[:5])
    return shown + (f" (+{len(ids) - 5} more)" if len(ids) > 5 else "")


def require_numeric(frame: pd.DataFrame, value: str, where: str) -> None:
    """Refuse text (e.g. amounts read as "1.234,50") and booleans in a value column."""
    dtype = frame[value].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise TypeError(f"{where}: column '{value}' must be numeric, not {dtype}")


def clean_values(frame: pd.DataFrame, account: str, value: str, where: str) -> pd.DataFrame:
    """Return ``frame[[account, value]]`` with float values: one row per account, no NaN."""
    require_columns(frame, [account, value], where)
    require_numeric(frame, value, where)
    out = frame[[account, value]].copy()
    out[value] = out[value].astype("float64")
    dup = out[account].duplicated(keep=False)
    if dup.any():
        raise ValueError(f"{where}: {int(dup.sum())} rows share an account id, e.g. "
                         f"{_examples(out.loc[dup, account].drop_duplicates())}; pass one row "
                         "per account (see account_totals).")
    nan = out[value].isna()
    if nan.any():
        raise ValueError(f"{where}: {int(nan.sum())} account(s) have no {value} (NaN), e.g. "
                         f"{_examples(out.loc[nan, account])}; a missing value is unknown, "
                         "not zero: fill or drop those accounts first.")
    if np.isinf(out[value]).any():
        raise ValueError(f"{where}: column '{value}' holds infinite values")
    return out


def rank_accounts(frame: pd.DataFrame, account: str, value: str, where: str) -> pd.DataFrame:
    """Accounts ranked by value descending, ties by account id ascending; adds ``rank`` 1..n.

    The stable sort on both keys makes the order, and so every cumulative figure, the same on
    every run and platform whatever order the rows came in.
    """
    out = clean_values(frame, account, value, where)
    if out.empty:
        raise ValueError(f"{where}: there are no accounts")
    out = out.sort_values([value, account], ascending=[False, True], kind="mergesort")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)


def net_total(values: np.ndarray, name: str, where: str) -> float:
    """The net total of ``values``, refusing totals that make shares meaningless.

    A net total below a billionth of the gross amount counts as zero: it is round-off (profits
    of 0.1, 0.2 and -0.3 sum to 5.6e-17) or a cancellation so deep that shares would be huge.
    """
    total = float(np.cumsum(values)[-1])  # the same sum the cumulative shares end on
    gross = float(np.abs(values).sum())
    if gross == 0:
        raise ValueError(f"{where}: total {name} is zero: nothing to concentrate "
                         f"(all {len(values)} accounts have zero {name}).")
    if abs(total) <= 1e-9 * gross:
        raise ValueError(f"{where}: total {name} nets to zero (positive {gross / 2:,.2f}, "
                         f"negative {-gross / 2:,.2f}): shares of a zero total are undefined.")
    if total < 0:
        raise ValueError(f"{where}: total {name} is negative ({total:,.2f}): shares of a "
                         "negative total are meaningless (the largest account would get a "
                         "negative share). Analyse the positive and negative accounts apart.")
    return total


def accounts_for(cum_share: np.ndarray, target: float) -> int:
    """The smallest k whose cumulative share reaches ``target`` (within ``TOL``)."""
    hits = np.flatnonzero(np.asarray(cum_share) >= target - TOL)
    # cum_share ends at exactly 1 and target <= 1, so there is always a hit
    return int(hits[0]) + 1


def check_fraction(x: float, name: str, where: str, *, zero_ok: bool = False) -> float:
    """Refuse a share outside (0, 1] (or [0, 1]); 80 instead of 0.8 is the usual slip."""
    ok = (0 <= x <= 1) if zero_ok else (0 < x <= 1)
    if not ok:
        hint = f" (did you mean {x / 100:g}?)" if 1 < x <= 100 else ""
        raise ValueError(f"{where}: {name} must be a share {'[0, 1]' if zero_ok else '(0, 1]'}"
                         f", got {x!r}{hint}")
    return float(x)


def window_mask(frame: pd.DataFrame, period: str, start: DateLike, end: DateLike,
                freq: str, where: str) -> pd.Series:
    """Rows whose period overlaps [start, end], the window rounded out to whole periods.

    Without a window every row is in, and ``period`` is not read.
    """
    mask = pd.Series(True, index=frame.index)
    if start is None and end is None:
        return mask
    require_columns(frame, [period], where)
    if not pd.api.types.is_datetime64_any_dtype(frame[period]):
        raise TypeError(f"{where}: column '{period}' must hold dates (datetime64), not "
                        f"{frame[period].dtype}")
    periods = frame[period].dt.to_period(freq)
    first = pd.Timestamp(start).to_period(freq) if start is not None else None
    last = pd.Timestamp(end).to_period(freq) if end is not None else None
    if first is not None and last is not None and first > last:
        raise ValueError(f"{where}: the window starts ({start}) after it ends ({end})")
    if first is not None:
        mask &= periods >= first
    if last is not None:
        mask &= periods <= last
    return mask
