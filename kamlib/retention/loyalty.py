"""Loyalty programmes on the accounts' yearly figures: tiers, their what-if, and the two
other models of the brief (cumulative points, paid membership), each costed on the same data.

- **Tiers** (:func:`assign_tiers`): each account gets the highest tier whose threshold its
  yearly value reaches; a value exactly on a threshold is in that tier.
- **What-if** (:func:`tier_moves`, :func:`tier_what_if`): new thresholds against the current
  ones: how many accounts move up and down, what the benefits cost per year before and after,
  and the revenue of the accounts that would move down (the revenue at stake).
- **Points** (:func:`points_programme`): one reward of ``reward_value`` per
  ``spend_per_reward`` spent (whole rewards only).
- **Paid membership** (:func:`paid_membership`): a yearly ``fee`` buys a ``discount``; an
  account joins when the discount is worth more to it than the fee.

Thirteen of thirty programmes stop working within a year (the brief): every rule here is one
sentence, on purpose.

Examples
--------
>>> import pandas as pd
>>> v = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [500.0, 1000.0, 5000.0]})
>>> assign_tiers(v, {"red": 0, "silver": 1000, "gold": 5000})["tier"].tolist()
['red', 'silver', 'gold']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kamlib._frames import require_columns, require_numeric

__all__ = ["assign_tiers", "tier_moves", "tier_what_if", "points_programme",
           "paid_membership", "programme_comparison"]


def _ordered(thresholds: Mapping[str, float], where: str) -> list[tuple[str, float]]:
    """The tiers lowest first; thresholds must rise strictly."""
    if not thresholds:
        raise ValueError(f"{where}: give at least one tier, e.g. {{'red': 0}}")
    items = list(thresholds.items())
    for (a, x), (b, y) in zip(items, items[1:]):
        if not float(y) > float(x):
            raise ValueError(f"{where}: tier thresholds must rise, lowest tier first: "
                             f"{b} ({y:g}) is not above {a} ({x:g})")
    return [(str(k), float(v)) for k, v in items]


def assign_tiers(frame: pd.DataFrame, thresholds: Mapping[str, float], *,
                 value: str = "revenue", below: str = "none") -> pd.DataFrame:
    """``frame`` with a ``tier`` column: the highest tier whose threshold ``value`` reaches.

    A value below the lowest threshold gets ``below``. The tier is an ordered categorical
    (``below``, then the tiers lowest first).

    >>> v = pd.DataFrame({"revenue": [-1.0, 999.99, 1000.0]})
    >>> assign_tiers(v, {"red": 0, "silver": 1000})["tier"].tolist()
    ['none', 'red', 'silver']
    """
    tiers = _ordered(thresholds, "assign_tiers")
    require_columns(frame, [value], "assign_tiers")
    require_numeric(frame, value, "assign_tiers")
    x = frame[value].astype(float).to_numpy()
    edges = np.array([t for _, t in tiers])
    names = np.array([below] + [n for n, _ in tiers], dtype=object)
    idx = np.searchsorted(edges, x, side="right")  # x == edge counts as reaching it
    labels = names[idx]
    labels[np.isnan(x)] = below
    return frame.assign(tier=pd.Categorical(labels, categories=list(dict.fromkeys(names)),
                                            ordered=True))


def tier_moves(frame: pd.DataFrame, current: Mapping[str, float], new: Mapping[str, float],
               *, value: str = "revenue") -> pd.DataFrame:
    """Each account's tier now and under ``new`` thresholds, and its move (up, down, same).

    Both sets must name the same tiers in the same order.

    >>> v = pd.DataFrame({"account_id": ["a", "b"], "revenue": [1000.0, 3000.0]})
    >>> tier_moves(v, {"red": 0, "gold": 2000}, {"red": 0, "gold": 1000})["move"].tolist()
    ['up', 'same']
    """
    if list(current) != list(new):
        raise ValueError(f"tier_moves: the same tiers in the same order, please: "
                         f"{list(current)} against {list(new)}")
    before = assign_tiers(frame, current, value=value)["tier"]
    after = assign_tiers(frame, new, value=value)["tier"]
    a, b = before.cat.codes.to_numpy(), after.cat.codes.to_numpy()
    return frame.assign(tier=before, new_tier=after,
                        move=np.select([b > a, b < a], ["up", "down"], "same"))


def tier_what_if(moves: pd.DataFrame, benefits: Mapping[str, float], *,
                 value: str = "revenue") -> pd.DataFrame:
    """The what-if in two rows (current, new): accounts per tier, yearly benefit cost
    (each account's ``value`` times its tier's benefit rate), accounts moving up and down and
    the ``value`` of those moving down (at stake: they lose privileges).

    >>> m = pd.DataFrame({"revenue": [1000.0, 3000.0],
    ...     "tier": pd.Categorical(["red", "gold"], categories=["none", "red", "gold"]),
    ...     "new_tier": pd.Categorical(["gold", "gold"], categories=["none", "red", "gold"]),
    ...     "move": ["up", "same"]})
    >>> tier_what_if(m, {"red": 0.0, "gold": 0.02})["benefit_cost"].tolist()
    [60.0, 80.0]
    """
    require_columns(moves, [value, "tier", "new_tier", "move"], "tier_what_if")
    rows = []
    for name, col in (("current", "tier"), ("new", "new_tier")):
        rate = moves[col].astype(str).map(lambda t: float(benefits.get(t, 0.0))).astype("float64")
        row = {"thresholds": name}
        for tier in moves[col].cat.categories:
            row[f"accounts_{tier}"] = int((moves[col] == tier).sum())
        row["benefit_cost"] = float((moves[value].astype(float) * rate).sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    down = moves["move"] == "down"
    out["moved_up"] = [0, int((moves["move"] == "up").sum())]
    out["moved_down"] = [0, int(down.sum())]
    out[f"{value}_moving_down"] = [0.0, float(moves.loc[down, value].astype(float).sum())]
    return out


def points_programme(frame: pd.DataFrame, *, value: str = "revenue",
                     spend_per_reward: float = 1000.0, reward_value: float = 10.0
                     ) -> pd.DataFrame:
    """Cumulative points: whole rewards earned per account and their cost per year.

    >>> points_programme(pd.DataFrame({"revenue": [2999.0, 50.0]}))[["rewards", "cost"]
    ...     ].values.tolist()
    [[2.0, 20.0], [0.0, 0.0]]
    """
    if spend_per_reward <= 0 or reward_value < 0:
        raise ValueError("points_programme: spend_per_reward above 0, reward_value 0 or more")
    require_columns(frame, [value], "points_programme")
    rewards = np.floor(frame[value].astype(float).clip(lower=0) / spend_per_reward)
    return frame.assign(rewards=rewards, cost=rewards * float(reward_value))


def paid_membership(frame: pd.DataFrame, *, value: str = "revenue", fee: float = 500.0,
                    discount: float = 0.03) -> pd.DataFrame:
    """Paid membership: an account joins when ``discount`` x its ``value`` exceeds ``fee``;
    the cost to us is the discount given minus the fees received.

    >>> paid_membership(pd.DataFrame({"revenue": [10000.0, 20000.0, 40000.0]}))[
    ...     ["member", "cost"]].values.tolist()
    [[False, 0.0], [True, 100.0], [True, 700.0]]
    """
    if fee < 0 or not 0 <= discount < 1:
        raise ValueError("paid_membership: fee 0 or more, discount between 0 and 1")
    require_columns(frame, [value], "paid_membership")
    x = frame[value].astype(float)
    member = discount * x > fee
    return frame.assign(member=member, cost=np.where(member, discount * x - fee, 0.0))


def programme_comparison(frame: pd.DataFrame, *, value: str = "revenue",
                         thresholds: Mapping[str, float], benefits: Mapping[str, float],
                         spend_per_reward: float = 1000.0, reward_value: float = 10.0,
                         fee: float = 500.0, discount: float = 0.03) -> pd.DataFrame:
    """The three models on the same accounts: programme, accounts (that earn something),
    yearly cost, and cost as a share of their ``value``.

    >>> v = pd.DataFrame({"revenue": [10000.0, 40000.0]})
    >>> programme_comparison(v, thresholds={"red": 0, "gold": 20000},
    ...     benefits={"gold": 0.02})["yearly_cost"].tolist()
    [800.0, 500.0, 700.0]
    """
    tiers = assign_tiers(frame, thresholds, value=value)
    rate = tiers["tier"].astype(str).map(lambda t: float(benefits.get(t, 0.0))).astype("float64")
    tier_cost = frame[value].astype(float) * rate
    points = points_programme(frame, value=value, spend_per_reward=spend_per_reward,
                              reward_value=reward_value)
    paid = paid_membership(frame, value=value, fee=fee, discount=discount)
    total = float(frame[value].astype(float).clip(lower=0).sum())
    rows = [("tiered status", int((rate > 0).sum()), float(tier_cost.sum())),
            ("cumulative points", int((points["rewards"] > 0).sum()),
             float(points["cost"].sum())),
            ("paid membership", int(paid["member"].sum()), float(paid["cost"].sum()))]
    out = pd.DataFrame(rows, columns=["programme", "accounts", "yearly_cost"])
    out["cost_share"] = out["yearly_cost"] / total if total else np.nan
    return out
