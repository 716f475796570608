"""Is the health score worth watching on this data? A backtest on the data itself.

At each past month end, the accounts not lost are split into flagged and not flagged; an
account is *lost within N months* when the status frame calls it lost at any month end in the
N months after (the one status rule). The table compares the flagged accounts' loss rate with
the base rate of all accounts not lost then; the lift is their ratio (1 = the flag tells
nothing; 3 = flagged accounts are lost three times as often).

Examples
--------
>>> import pandas as pd
>>> d = pd.to_datetime(["2025-01-31", "2025-02-28"])
>>> h = pd.DataFrame({"account_id": ["a", "b", "c", "d"] * 2, "as_of": d.repeat(4),
...     "status": ["active"] * 4 + ["lost", "active", "active", "active"],
...     "flagged": [True, True, False, False] + [False] * 4})
>>> bt = health_backtest(h, months=1)
>>> bt.iloc[0, 1:].tolist()
[4.0, 2.0, 1.0, 1.0, 0.25, 0.5, 2.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import require_columns

__all__ = ["health_backtest", "backtest_summary"]


def health_backtest(history: pd.DataFrame, *, months: int = 6) -> pd.DataFrame:
    """Per month end with ``months`` months of data after it: accounts not lost, flagged,
    lost within the months (all and flagged), the base rate, the flagged rate and the lift.

    ``history`` has account_id, as_of (month ends), status (the status frame's) and flagged
    (:func:`~kamlib.relationships.health.health_history`).
    """
    require_columns(history, ["account_id", "as_of", "status", "flagged"], "health_backtest")
    dates = sorted(pd.to_datetime(history["as_of"].unique()))
    # plain arrays and integer account codes: 25 month ends x 250,000 accounts is 6M rows,
    # and comparing ids as text at every month end took most of the backtest's time
    when = pd.to_datetime(history["as_of"]).to_numpy(dtype="datetime64[ns]")
    codes, ids = pd.factorize(history["account_id"])
    is_lost = (history["status"] == "lost").to_numpy(dtype=bool)
    flagged = history["flagged"].astype(bool).to_numpy()
    rows = []
    for d in dates:
        horizon = d + pd.DateOffset(months=months)
        if horizon > dates[-1] + pd.Timedelta(days=3):  # the future is not in the data yet
            continue
        now = (when == np.datetime64(d)) & ~is_lost
        later = is_lost & (when > np.datetime64(d)) & (
            when <= np.datetime64(horizon + pd.Timedelta(days=3)))
        lost_later = np.zeros(len(ids), dtype=bool)
        lost_later[codes[later]] = True
        gone, flag = lost_later[codes[now]], flagged[now]
        rows.append({"as_of": d, "accounts": int(now.sum()), "flagged": int(flag.sum()),
                     "flagged_lost": int((gone & flag).sum()), "lost": int(gone.sum())})
    out = pd.DataFrame(rows, columns=["as_of", "accounts", "flagged", "flagged_lost", "lost"])
    return _rates(out)


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["base_rate"] = (out["lost"] / out["accounts"].replace(0, np.nan)).astype("float64")
    out["flagged_rate"] = (out["flagged_lost"] / out["flagged"].replace(0, np.nan)
                           ).astype("float64")
    out["lift"] = (out["flagged_rate"] / out["base_rate"].replace(0, np.nan)).astype("float64")
    return out


def backtest_summary(backtest: pd.DataFrame) -> pd.Series:
    """All month ends of :func:`health_backtest` pooled: accounts (account-months), flagged,
    flagged_lost, lost, base_rate, flagged_rate, lift, dates (how many month ends).

    >>> bt = pd.DataFrame({"accounts": [10, 10], "flagged": [2, 3], "flagged_lost": [1, 1],
    ...                    "lost": [1, 2]})
    >>> backtest_summary(bt)[["base_rate", "flagged_rate", "lift"]].round(3).tolist()
    [0.15, 0.4, 2.667]
    """
    total = backtest[["accounts", "flagged", "flagged_lost", "lost"]].sum().to_frame().T
    out = _rates(total).iloc[0]
    out["dates"] = len(backtest)
    return out
