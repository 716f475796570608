"""Module 13's practice data: the last year of the window, which the worked example (the
whole window) does not print; re-exported by :mod:`kamlib.exercises.profitability`."""

from __future__ import annotations

import pandas as pd

from kamlib._frames import DateLike, window_mask
from kamlib.concentration import account_totals

__all__ = ["practice_pnl", "practice_activities"]

_ACC = "account_id"


def practice_pnl(account_month: pd.DataFrame, start: DateLike, end: DateLike, *,
                 cost: str | None = "cost") -> pd.DataFrame:
    """One row per account that bought in the window: ``revenue`` and ``gross_margin``.

    Without a cost column (``cost=None``) the gross margin is the revenue.

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [50.0, 30.0, 20.0],
    ...     "cost": [30.0, 20.0, 15.0],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01"])})
    >>> practice_pnl(cube, "2024-02-01", "2024-02-29")
      account_id  revenue  gross_margin
    0          a     30.0          10.0
    1          b     20.0           5.0
    """
    window = {"start": start, "end": end}
    out = account_totals(account_month, **window)
    margin = out["revenue"]
    if cost is not None:
        margin = margin - account_totals(account_month, value=cost, **window)[cost].to_numpy()
    return out.assign(gross_margin=margin).reset_index(drop=True)


def practice_activities(activities: pd.DataFrame, accounts: pd.Series, start: DateLike,
                        end: DateLike) -> pd.DataFrame:
    """The activities logged in the window (whole months) for ``accounts``.

    Examples
    --------
    >>> log = pd.DataFrame({"account_id": ["a", "b", "a"], "activity": ["visit"] * 3,
    ...     "quantity": [1, 2, 3], "date": pd.to_datetime(["2024-01-05", "2024-02-01",
    ...                                                     "2024-02-10"])})
    >>> practice_activities(log, pd.Series(["a"]), "2024-02-01", "2024-02-29")
      account_id       date activity  quantity
    0          a 2024-02-10    visit         3
    """
    rows = activities.loc[window_mask(activities, "date", start, end, "M",
                                      "practice_activities")]
    rows = rows[rows[_ACC].astype(str).isin(set(map(str, accounts)))]
    return rows[[_ACC, "date", "activity", "quantity"]].reset_index(drop=True)
