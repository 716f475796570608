"""The status frame at each month end: the one status rule, seen at past dates.

Each month end sees only the months up to it: the cube's rows after it are left out before
:func:`kamlib.status.account_status` runs, so an account first bought later is not yet
known there, and "lost" is always the status frame's rule.

Examples
--------
>>> import pandas as pd
>>> am = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [10.0, 10.0, 5.0],
...     "period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
...     "first_date": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-03-09"]),
...     "last_date": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-03-09"])})
>>> h = status_history(am, month_ends=["2025-02-28", "2025-03-31"])
>>> h[["as_of", "account_id", "status"]].astype(str).values.tolist()
[['2025-02-28', 'a', 'new'], ['2025-03-31', 'a', 'new'], ['2025-03-31', 'b', 'new']]
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.status import StatusRules, account_status

__all__ = ["status_history"]


def status_history(account_month: pd.DataFrame, account_timing: pd.DataFrame | None = None,
                   account_product: pd.DataFrame | None = None, *,
                   month_ends: Iterable[DateLike], rules: StatusRules = StatusRules()
                   ) -> pd.DataFrame:
    """The status frames at ``month_ends``, stacked with an ``as_of`` column first.

    The last date's frame equals :func:`~kamlib.status.account_status` on the whole cube at
    that date (rows after it are left out only where there are any). Only that frame has
    reasons and warnings in words (missing before): no page shows past ones, and at 250,000
    accounts the words of every month end held about 400 MB.
    """
    require_columns(account_month, ["account_id", "period", "revenue", "first_date",
                                    "last_date"], "status_history")
    period = account_month["period"].astype("datetime64[ns]")
    parts = []
    ends = sorted(pd.Timestamp(d).normalize() for d in month_ends)
    for end in ends:
        upto = account_month[period <= end]
        if upto.empty:
            continue
        st = account_status(upto, account_timing, account_product, as_of=end, rules=rules,
                            words=end == ends[-1])
        st.insert(0, "as_of", end)
        parts.append(st)
    if not parts:
        raise ValueError("status_history: no purchase up to any of the month ends")
    out = pd.concat(parts, ignore_index=True)
    out.attrs["rules"] = parts[-1].attrs["rules"]
    return out
