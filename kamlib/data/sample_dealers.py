"""The sample's dealer columns (module 16): which accounts are dealers, and their criteria.

Drawn from a random stream of their own (``[seed, 16]``), after everything else, so adding
them leaves every other value of the sample as it was.

Examples
--------
>>> import pandas as pd
>>> out = dealer_columns(42, pd.DataFrame({"account_id": [f"{i:03d}" for i in range(60)]}))
>>> sorted(out["channel"].unique()), bool(out.loc[out["channel"] == "direct",
...                                                "service_level"].isna().all())
(['dealer', 'direct'], True)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["dealer_columns"]


def dealer_columns(seed: int, accounts: pd.DataFrame) -> pd.DataFrame:
    """``accounts`` with module 16's dealer columns, from a generator of their own (every
    other value stays as it was): ``channel`` (one in six a dealer) and, for dealers, the
    marketing spend trend, new-product promotion and service level (ratings 1-5)."""
    rng, n = np.random.default_rng([seed, 16]), len(accounts)
    dealer, trend = rng.random(n) < 1 / 6, np.round(rng.normal(0.03, 0.1, n), 2)
    promote, service = rng.integers(1, 6, n).astype(float), np.clip(np.round(rng.normal(
        3.4, 1.0, n)), 1, 5)
    return accounts.assign(
        channel=np.where(dealer, "dealer", "direct"),
        marketing_spend_trend=np.where(dealer, trend, np.nan),
        new_product_promotion=np.where(dealer, promote, np.nan),
        service_level=np.where(dealer, service, np.nan))
