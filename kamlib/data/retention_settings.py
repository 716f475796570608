"""The ``[retention]`` section of ``kam.toml``: the settings of module 16 (retention).

The rule for "lost" itself is ``[analysis] lost_after_days`` (the status frame's); this
section holds what the win-back list, the loyalty tiers and the dealer programme need::

    [retention]
    loss_period = "Q"                 # losses counted per quarter ("M": per month)
    winback_within_days = 365         # a loss counts as won back if it returns this soon
    return_chance_if_unknown = 0.2    # the chance of return when no loss is old enough
    tiers = { red = 0, silver = 25000, gold = 100000 }      # yearly revenue, lowest first
    tier_benefits = { silver = 0.01, gold = 0.02 }          # share of revenue given back
    min_ceiling = 10000               # dealer co-investment ceiling, per year
    max_ceiling = 50000

Examples
--------
>>> s = parse_retention({"tiers": {"red": 0, "gold": 5000}, "tier_benefits": {"gold": 0.02}},
...                     None)
>>> s.tiers, s.loss_period
({'red': 0.0, 'gold': 5000.0}, 'Q')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kamlib.data.config_checks import check_section, check_types, fail

__all__ = ["RetentionSettings", "parse_retention"]


@dataclass(frozen=True)
class RetentionSettings:
    """``[retention]``: losses, win-back, loyalty tiers and the dealer programme."""

    loss_period: str = "Q"  # "M" months or "Q" quarters
    winback_within_days: int = 365  # a loss that returns within this many days is won back
    return_chance_if_unknown: float = 0.2  # used when no loss is old enough to count
    service_share: float = 0.2  # cost to serve at least this share of revenue: "service"
    contact_days: int = 180  # no contact reached this long before the last purchase
    price_drop: float = 0.3  # revenue fell by more than this in the last year: "price"
    p_alive_threshold: float = 0.5  # P(alive) below this: "unlikely alive", shown beside
    tiers: dict[str, float] = field(default_factory=lambda: {
        "red": 0.0, "silver": 25_000.0, "gold": 100_000.0})  # yearly revenue, lowest first
    tier_benefits: dict[str, float] = field(default_factory=lambda: {
        "red": 0.0, "silver": 0.01, "gold": 0.02})  # share of the tier's revenue given back
    spend_per_reward: float = 1000.0  # cumulative points: one reward per this much spent
    reward_value: float = 10.0  # what one reward costs us
    membership_fee: float = 500.0  # paid membership: the yearly fee
    membership_discount: float = 0.03  # paid membership: the discount it buys
    min_ceiling: float = 10_000.0  # dealer co-investment ceiling per year, lowest score
    max_ceiling: float = 50_000.0  # and highest score
    dealer_share: float = 0.5  # the dealer's least share of the joint budget
    plan_growth: float = 0.05  # a dealer's plan: last year's shipments plus this growth
    plan_bonus: float = 0.04  # the one bonus paid on plan fulfilment, share of shipments


_SHARES = ("return_chance_if_unknown", "service_share", "price_drop", "p_alive_threshold",
           "membership_discount", "plan_bonus")


def parse_retention(raw: dict, path: Path | None) -> RetentionSettings:
    """Checked ``[retention]`` settings; an error names the key and what it must be."""
    key = "retention"
    check_section(raw, RetentionSettings, path, key)
    check_types(raw, RetentionSettings, path, key)
    values = dict(raw)
    for name in ("tiers", "tier_benefits"):
        if name in values:
            values[name] = {str(k): float(v) for k, v in values[name].items()}
    s = RetentionSettings(**values)
    if s.loss_period not in ("M", "Q"):
        raise fail(path, key, f"loss_period = {s.loss_period!r}: \"M\" (months) or \"Q\" "
                   "(quarters)")
    for name in _SHARES:
        if not 0 <= getattr(s, name) <= 1:
            raise fail(path, key, f"{name} = {getattr(s, name)!r}: a share between 0 and 1, "
                       "e.g. 0.2")
    for name in ("winback_within_days", "contact_days"):
        if getattr(s, name) < 1:
            raise fail(path, key, f"{name} = {getattr(s, name)!r}: a whole number of days, "
                       "at least 1")
    if not s.tiers:
        raise fail(path, key, "tiers: give at least one tier, e.g. { red = 0 }")
    levels = list(s.tiers.items())
    for (a, x), (b, y) in zip(levels, levels[1:]):
        if not y > x:
            raise fail(path, key, f"tiers: thresholds must rise, lowest tier first: {b} = "
                       f"{y:g} is not above {a} = {x:g}")
    extra = sorted(set(s.tier_benefits) - set(s.tiers))
    if extra:
        raise fail(path, key, f"tier_benefits: {extra} are not tiers; tiers: {list(s.tiers)}")
    if any(not 0 <= v < 1 for v in s.tier_benefits.values()):
        raise fail(path, key, "tier_benefits: shares of revenue between 0 and 1, e.g. 0.02")
    if s.spend_per_reward <= 0 or s.reward_value < 0 or s.membership_fee < 0:
        raise fail(path, key, "spend_per_reward above 0; reward_value and membership_fee 0 "
                   "or more")
    if not 0 < s.min_ceiling <= s.max_ceiling:
        raise fail(path, key, f"min_ceiling = {s.min_ceiling:g}, max_ceiling = "
                   f"{s.max_ceiling:g}: need 0 < min_ceiling <= max_ceiling")
    if not 0.5 <= s.dealer_share < 1:
        raise fail(path, key, f"dealer_share = {s.dealer_share!r}: at least 0.5 (the dealer "
                   "pays at least half) and below 1")
    return s
