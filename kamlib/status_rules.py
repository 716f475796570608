"""The status rules: their parameters, and the status each account's figures give.

:func:`classify` decides one status per row of the status frame's figures
(:func:`kamlib.status.account_status` computes them), a whole column at a time, and words
the reasons and warnings. The status history classifies every account at each month end,
which at 250,000 accounts is 6 million rows: a loop over rows took most of its time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["STATUSES", "StatusRules", "classify"]

STATUSES = ("active", "at risk", "new", "won back", "lost")


@dataclass(frozen=True)
class StatusRules:
    """The parameters of the status rules (``[analysis]`` in ``kam.toml``).

    lost_after_days
        Days without a purchase after which an account is lost.
    gap_factor, min_gap_days
        At risk when the days since the last purchase exceed both ``gap_factor`` times the
        account's average days between purchases and ``min_gap_days``.
    revenue_drop
        At risk when revenue in the last 12 months is below ``1 - revenue_drop`` times the
        12 months before.
    dropped_products
        At risk when the account stopped buying at least this many products (bought in the
        12 months before, not in the last 12) and its revenue did not grow.
    """

    lost_after_days: int = 180
    gap_factor: float = 3.0
    min_gap_days: int = 60
    revenue_drop: float = 0.3
    dropped_products: int = 2

    def __post_init__(self):
        ranges = {"lost_after_days": (1, None, "a whole number of days, at least 1"),
                  "gap_factor": (1, None, "a number, at least 1"),
                  "min_gap_days": (0, None, "a whole number of days, 0 or more"),
                  "revenue_drop": (0, 1, "a share between 0 and 1, e.g. 0.3"),
                  "dropped_products": (1, None, "a whole number, at least 1")}
        for name, (low, high, what) in ranges.items():
            value = getattr(self, name)
            whole = name in ("lost_after_days", "min_gap_days", "dropped_products")
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
                  and (not whole or float(value).is_integer()) and value >= low
                  and (high is None or low < value < high))
            if not ok:
                raise ValueError(f"status rules: {name} = {value!r}: {what}")

    def describe(self) -> dict[str, str]:
        """Each status's rule in one plain sentence, as the pages state them."""
        return {
            "lost": f"no purchase for more than {self.lost_after_days} days (or never a "
                    "purchase, only credit notes)",
            "won back": f"bought again in the last 12 months after more than "
                        f"{self.lost_after_days} days without a purchase",
            "new": "first purchase in the last 12 months",
            "at risk": (f"no purchase for more than {self.gap_factor:g} times its usual time "
                        f"between purchases (and over {self.min_gap_days} days), revenue in "
                        f"the last 12 months more than {self.revenue_drop:.0%} below the 12 "
                        f"months before, or {self.dropped_products}+ products no longer "
                        "bought while revenue did not grow"),
            "active": "bought within its rhythm, none of the above",
        }

    def as_dict(self) -> dict:
        return asdict(self)


def _texts(mask: np.ndarray, make, *columns) -> np.ndarray:
    """An object array of "" with ``make(*values)`` where ``mask`` holds.

    The words are only formatted for the rows that get them, with Python's own formatting
    (so "12%" and "3.5 times" read the same as anywhere else in the kit); dates as ISO days.
    """
    out = np.full(len(mask), "", dtype=object)
    picked = [np.asarray(c)[mask] for c in columns]
    picked = [np.datetime_as_string(v, unit="D") if v.dtype.kind == "M" else v
              for v in picked]
    picked = [v.tolist() for v in picked]
    out[mask] = [make(*values) for values in zip(*picked)]
    return out


def classify(out: pd.DataFrame, gap_back: pd.Series, rules: StatusRules,
             l_start: pd.Timestamp, *, words: bool = True) -> None:
    """Add ``status``, ``reasons`` and ``warnings`` to the status frame's figures ``out``.

    ``gap_back`` holds, per won-back account, the days without a purchase before its return;
    ``l_start`` is the first day of the last 12 months. With ``words=False`` the reasons and
    warnings are missing (the status history words only its last month end).

    >>> f = pd.DataFrame({"account_id": ["a", "b"], "typical_gap_days": [10.0, 30.0],
    ...     "days_since_purchase": [200.0, 100.0], "revenue_l12m": [5.0, 50.0],
    ...     "revenue_p12m": [10.0, 40.0], "products_dropped": [np.nan, 0.0],
    ...     "last_purchase": pd.to_datetime(["2024-06-14", "2024-09-22"]),
    ...     "first_purchase": pd.to_datetime(["2020-01-01", "2021-01-01"]),
    ...     "returned_on": pd.NaT})
    >>> classify(f, pd.Series(dtype=float), StatusRules(), pd.Timestamp("2024-01-01"))
    >>> f["status"].tolist()
    ['lost', 'at risk']
    >>> f["reasons"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['no purchase since 2024-06-14 (200 days; lost after 180)',
     'no purchase for 100 days, 3.3 times its usual 30 days between purchases']
    """
    gap = out["typical_gap_days"].to_numpy(dtype="float64")
    since = out["days_since_purchase"].to_numpy(dtype="float64")
    rev_l = out["revenue_l12m"].to_numpy(dtype="float64")
    rev_p = out["revenue_p12m"].to_numpy(dtype="float64")
    dropped = out["products_dropped"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        slow = (~np.isnan(gap) & ~np.isnan(since) & (since > rules.min_gap_days)
                & (since > rules.gap_factor * gap))
        falling = (rev_p > 0) & (rev_l < (1 - rules.revenue_drop) * rev_p)
        stopped = (~np.isnan(dropped) & (dropped >= rules.dropped_products)
                   & (rev_l <= rev_p))
    warned = slow | falling | stopped
    never = out["last_purchase"].isna().to_numpy()
    gone = ~never & (since > rules.lost_after_days)
    back = ~never & ~gone & out["returned_on"].notna().to_numpy()
    new = ~never & ~gone & ~back & (out["first_purchase"] >= l_start).to_numpy()
    risk = ~never & ~gone & ~back & ~new & warned
    status = np.select([never | gone, back, new, risk], ["lost", "won back", "new", "at risk"],
                       default="active")
    out["status"] = pd.Categorical(status, categories=list(STATUSES))
    if not words:
        out["reasons"] = out["warnings"] = pd.Series(np.nan, index=out.index, dtype="str")
        return
    parts = [
        _texts(slow, lambda s, g: f"no purchase for {s:.0f} days, {s / max(g, 1):.1f} times "
                                  f"its usual {g:.0f} days between purchases", since, gap),
        _texts(falling, lambda lt, pt: f"revenue in the last 12 months {1 - lt / pt:.0%}"
                                       " below the 12 months before", rev_l, rev_p),
        _texts(stopped, lambda d: f"stopped buying {d:.0f} products it bought the year "
                                  "before", dropped)]
    warn = np.full(len(out), "", dtype=object)
    warn[warned] = ["; ".join(p for p in texts if p)
                    for texts in zip(*(part[warned].tolist() for part in parts))]
    day = {c: out[c].to_numpy(dtype="datetime64[ns]")
           for c in ("last_purchase", "returned_on", "first_purchase")}
    back_gap = gap_back.reindex(out["account_id"]).to_numpy(dtype="float64")
    limit = rules.lost_after_days
    reasons = np.where(risk, warn, "").astype(object)
    reasons[never] = "never bought (only credit notes)"
    for mask, text in [
            (gone, _texts(gone, lambda d, s: f"no purchase since {d} ({s:.0f} days; lost "
                                             f"after {limit})", day["last_purchase"], since)),
            (back, _texts(back, lambda d, g: f"bought again on {d} after {g:.0f} days "
                                             "without a purchase", day["returned_on"], back_gap)),
            (new, _texts(new, lambda d: f"first purchase on {d}", day["first_purchase"]))]:
        reasons[mask] = text[mask]
    out["reasons"] = reasons
    out["warnings"] = np.where(status == "lost", "", warn).astype(object)
