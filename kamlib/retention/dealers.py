"""The brief's dealer programme: score each dealer on stated criteria, turn the score into a
yearly co-investment ceiling, and the bonus-merge what-if.

- **Points** per criterion: 1, plus one for every band edge the dealer's value reaches (a
  value exactly on an edge reaches it): with four edges, 1 to 5 points.
- **Coefficient**: the weighted points, scaled so that the fewest possible points give 0 and
  the most give 1.
- **Ceiling**: ``min_ceiling + coefficient x (max_ceiling - min_ceiling)`` a year (10,000 to
  50,000 EUR in the brief), matched by the dealer: at a dealer share of at least
  ``dealer_share`` of the joint budget, the dealer puts in at least
  ``ceiling x dealer_share / (1 - dealer_share)`` (as much again at 50%).
- **Bonus merge**: several small bonuses (1-2% of shipments each) replaced by one bonus paid
  only when the dealer meets its plan; the cost before and after per dealer.

Examples
--------
>>> import pandas as pd
>>> crit = {"turnover": Criterion("turnover", (100.0, 200.0), 1.0)}
>>> d = pd.DataFrame({"account_id": ["x", "y", "z"], "turnover": [50.0, 100.0, 250.0]})
>>> dealer_scores(d, crit)[["points_turnover", "coefficient", "ceiling"]].values.tolist()
[[1.0, 0.0, 10000.0], [2.0, 0.5, 30000.0], [3.0, 1.0, 50000.0]]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlib._frames import require_columns, require_numeric

__all__ = ["Criterion", "DEFAULT_CRITERIA", "DEFAULT_BONUSES", "dealer_scores", "bonus_merge"]


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion: the column it reads, its band edges (rising) and its weight."""

    column: str
    edges: tuple[float, ...]
    weight: float = 1.0

    def __post_init__(self):
        if not self.edges or any(b <= a for a, b in zip(self.edges, self.edges[1:])):
            raise ValueError(f"Criterion {self.column}: edges must rise, e.g. (2, 5, 10)")
        if not self.weight > 0:
            raise ValueError(f"Criterion {self.column}: weight {self.weight!r} must be above 0")

    @property
    def most(self) -> int:
        return len(self.edges) + 1


# The brief's five criteria, 1 to 5 points each (the ratings are 1-5 already)
DEFAULT_CRITERIA: dict[str, Criterion] = {
    "turnover": Criterion("turnover", (25_000, 50_000, 100_000, 250_000), 0.30),
    "years with us": Criterion("years_with_us", (2, 5, 10, 15), 0.15),
    "marketing spend trend": Criterion("marketing_spend_trend", (-0.05, 0.0, 0.05, 0.15), 0.20),
    "promotes new products": Criterion("new_product_promotion", (2, 3, 4, 5), 0.20),
    "service level": Criterion("service_level", (2, 3, 4, 5), 0.15),
}
# The small bonuses a merge replaces, as shares of shipments (the brief: 1-2% each)
DEFAULT_BONUSES: dict[str, float] = {"volume": 0.02, "assortment": 0.01, "payment terms": 0.01,
                                     "promotion": 0.015}


def _key(name: str) -> str:
    return name.replace(" ", "_")


def dealer_scores(dealers: pd.DataFrame, criteria: Mapping[str, Criterion] = DEFAULT_CRITERIA,
                  *, min_ceiling: float = 10_000.0, max_ceiling: float = 50_000.0,
                  dealer_share: float = 0.5) -> pd.DataFrame:
    """Points per criterion, the coefficient, the yearly co-investment ceiling and the
    dealer's matching contribution, one row per dealer (in the order given).

    Returns ``dealers`` with ``points_<criterion>`` (spaces as underscores), score (the
    weighted points), coefficient (0 to 1), ceiling, dealer_contribution (the least the
    dealer puts in) and budget (the two together). A missing value is an error naming the
    dealer and the column: a dealer is never scored on an invented value.
    """
    where = "dealer_scores"
    if not 0 < min_ceiling <= max_ceiling:
        raise ValueError(f"{where}: need 0 < min_ceiling <= max_ceiling, got {min_ceiling:g} "
                         f"and {max_ceiling:g}")
    if not 0.5 <= dealer_share < 1:
        raise ValueError(f"{where}: dealer_share = {dealer_share!r}: at least 0.5 (the "
                         "dealer pays at least half) and below 1")
    require_columns(dealers, [c.column for c in criteria.values()], where)
    out = dealers.copy()
    score = np.zeros(len(out))
    least = most = 0.0
    for name, c in criteria.items():
        require_numeric(out, c.column, where)
        x = out[c.column].astype(float)
        if x.isna().any():
            row = x.index[x.isna()][0]
            who = out.loc[row, "account_id"] if "account_id" in out else row
            raise ValueError(f"{where}: dealer {who!r} has no {c.column}: give every dealer "
                             "a value, or leave the criterion out")
        points = 1 + np.searchsorted(np.asarray(c.edges, float), x.to_numpy(), side="right")
        out[f"points_{_key(name)}"] = points.astype(float)
        score += c.weight * points
        least += c.weight
        most += c.weight * c.most
    out["score"] = score
    out["coefficient"] = (score - least) / (most - least)
    out["ceiling"] = min_ceiling + out["coefficient"] * (max_ceiling - min_ceiling)
    out["dealer_contribution"] = out["ceiling"] * dealer_share / (1 - dealer_share)
    out["budget"] = out["ceiling"] + out["dealer_contribution"]
    return out


def bonus_merge(dealers: pd.DataFrame, *, shipments: str = "shipments", plan: str = "plan",
                bonuses: Mapping[str, float] = DEFAULT_BONUSES, plan_bonus: float = 0.04,
                fulfilment: float = 1.0) -> pd.DataFrame:
    """The small bonuses (every rate paid on all shipments) against one bonus of
    ``plan_bonus`` paid only when shipments reach ``fulfilment`` x plan.

    Returns ``dealers`` with plan_met, cost_before, cost_after and change (after - before).

    >>> d = pd.DataFrame({"shipments": [100_000.0, 80_000.0], "plan": [90_000.0, 90_000.0]})
    >>> bonus_merge(d, bonuses={"a": 0.02, "b": 0.01}, plan_bonus=0.04)[
    ...     ["plan_met", "cost_before", "cost_after"]].values.tolist()
    [[True, 3000.0, 4000.0], [False, 2400.0, 0.0]]
    """
    where = "bonus_merge"
    require_columns(dealers, [shipments, plan], where)
    if any(not 0 <= r < 1 for r in bonuses.values()) or not 0 <= plan_bonus < 1:
        raise ValueError(f"{where}: bonus rates are shares of shipments between 0 and 1")
    x = dealers[shipments].astype(float)
    met = x >= fulfilment * dealers[plan].astype(float)
    before = x * float(sum(bonuses.values()))
    after = np.where(met, x * plan_bonus, 0.0)
    return dealers.assign(plan_met=met, cost_before=before, cost_after=after,
                          change=after - before)
