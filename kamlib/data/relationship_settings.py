"""The ``[relationships]`` section of ``kam.toml``: the rules of the relationships module.

Every rule of the ladder, the bonds, the KAM stages and the health score is a number here,
stated on the page that uses it (:mod:`kamlib.relationships`)::

    [relationships]
    client_months = 3            # months with a purchase in the last 12 to be a client
    signal_months = 24           # an event counts for a stage for this many months
    flag_below = 60              # a health score below this flags the account
    backtest_months = 6          # the backtest: lost within this many months of the flag

    [relationships.weights]      # the health score's weights (signals left out keep theirs)
    revenue_trend = 3
    rhythm = 2

Examples
--------
>>> s = parse_relationships({"client_months": 4, "weights": {"rhythm": 5}}, None)
>>> s.client_months, s.weight_map()["rhythm"], s.weight_map()["complaints"]
(4, 5.0, 1.0)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from kamlib.data.config_checks import check_section, check_types, fail

__all__ = ["RelationshipSettings", "parse_relationships", "SIGNALS", "DEFAULT_WEIGHTS"]

# The health score's signals, each a 0-100 measure (100 = no warning), in words
SIGNALS = {
    "revenue_trend": "revenue of the last 12 months against the 12 before",
    "breadth": "products per purchase month, last 12 months against the 12 before",
    "share_of_wallet": "share of wallet against the target share",
    "rhythm": "days since the last purchase against the account's own rhythm",
    "decision_makers": "decision makers (circle 1) reached recently",
    "complaints": "complaints and escalations in the last 12 months",
}
DEFAULT_WEIGHTS = {"revenue_trend": 3.0, "breadth": 1.0, "share_of_wallet": 1.0,
                   "rhythm": 2.0, "decision_makers": 1.0, "complaints": 1.0}

# name -> (lowest, highest or None, whole number?)
_RANGES = {
    "client_months": (2, 12, True), "signal_months": (1, None, True),
    "discount_share": (0, 1, False), "social_contacts": (1, None, True),
    "social_days": (1, None, True), "structural_months": (1, None, True),
    "pre_kam_years": (0, None, False), "mid_years": (0, None, False),
    "mid_products": (1, None, True), "mid_wallet": (0, 1, False),
    "partnership_wallet": (0, 1, False), "synergistic_wallet": (0, 1, False),
    "trend_full_drop": (0.01, 1, False), "wallet_target": (0.01, 1, False),
    "complaint_points": (0, 100, False), "escalation_points": (0, 100, False),
    "stale_days": (1, None, True), "flag_below": (1, 100, False),
    "backtest_months": (1, 24, True),
}


@dataclass(frozen=True)
class RelationshipSettings:
    """``[relationships]``: the ladder, bond, KAM-stage and health-score rules."""

    # ladder
    client_months: int = 3  # months with a purchase in the last 12 months: a client
    signal_months: int = 24  # an event lifts the ladder stage for this many months
    # bonds
    discount_share: float = 0.10  # estimated discount of this share of revenue: financial
    social_contacts: int = 2  # people in circles 1-2 reached within social_days: social
    social_days: int = 90
    structural_months: int = 36  # a multi-year contract or joint investment holds this long
    # KAM stages
    pre_kam_years: float = 1.0  # customer for less than this: pre-KAM
    mid_years: float = 2.0  # mid KAM from this tenure, with
    mid_products: int = 2  # this many products in the last 12 months,
    mid_wallet: float = 0.2  # this share of wallet and a decision maker reached
    partnership_wallet: float = 0.35  # partnership: this share and joint planning
    synergistic_wallet: float = 0.5  # synergistic: this share and a joint investment or
    # co-development
    # health score
    trend_full_drop: float = 0.5  # a revenue drop of this share scores 0 on the trend
    wallet_target: float = 0.3  # a share of wallet at or above this scores 100
    complaint_points: float = 20.0  # points off the complaints measure per complaint
    escalation_points: float = 50.0  # and per escalation, in the last 12 months
    stale_days: int = 90  # a decision maker not reached for longer is not reached
    flag_below: float = 60.0  # a health score below this flags the account
    backtest_months: int = 6  # the backtest: lost within this many months of the flag
    weights: dict[str, float] = field(default_factory=dict)  # signal -> weight

    def weight_map(self) -> dict[str, float]:
        """Every signal's weight: the kit's, with those given in ``weights`` on top."""
        return {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in self.weights.items()}}

    def as_dict(self) -> dict:
        return {**asdict(self), "weights": self.weight_map()}


def parse_relationships(raw: object, path: Path | None) -> RelationshipSettings:
    """``[relationships]`` as :class:`RelationshipSettings`; a :class:`ConfigError` names
    the section, the key, the value and what was expected."""
    key = "relationships"
    check_section(raw, RelationshipSettings, path, key)
    values = dict(raw)
    check_types({k: v for k, v in values.items() if k != "weights"}, RelationshipSettings,
                path, key)
    for name, value in values.items():
        if name == "weights":
            continue
        low, high, whole = _RANGES[name]
        if (whole and not float(value).is_integer()) or value < low or (
                high is not None and value > high):
            span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            raise fail(path, key, f"{name} = {value!r}: expected "
                       f"{'a whole number' if whole else 'a number'} {span}")
    weights = values.get("weights", {})
    if not isinstance(weights, dict):
        raise fail(path, f"{key}.weights", f"= {weights!r}: expected a table of signal = "
                   "weight, e.g. revenue_trend = 3")
    for name, weight in weights.items():
        if name not in SIGNALS:
            raise fail(path, f"{key}.weights", f"{name} = {weight!r}: unknown signal; known: "
                       f"{sorted(SIGNALS)}")
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            raise fail(path, f"{key}.weights", f"{name} = {weight!r}: expected a number, 0 "
                       "or more")
    settings = RelationshipSettings(**values)
    if sum(settings.weight_map().values()) <= 0:
        raise fail(path, f"{key}.weights", "every weight is 0: give at least one signal a "
                   "weight above 0")
    if not settings.mid_wallet <= settings.partnership_wallet <= settings.synergistic_wallet:
        raise fail(path, key, "mid_wallet, partnership_wallet and synergistic_wallet must "
                   "rise (or stay equal) from stage to stage")
    return settings
