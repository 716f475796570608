"""The ``[plans]`` section of ``kam.toml``: how the account plans are made.

Holidays come from the ``holidays`` package: an unknown country or subdivision is refused when
the config is read, not when the first plan's schedule is drawn. Cadences override the
tiers of :data:`kamlib.planning.schedule.DEFAULT_CADENCES` one by one::

    [plans]
    country = "DE"                # public holidays skipped by the contact schedule
    subdivision = "BY"            # optional: a state or province of that country
    stale_days = 60               # a contact not reached for longer is flagged
    top = 50                      # at most 50 plans by default: the largest key accounts
    long_standing_share = 0.05    # share of total profit a long-standing key account brings
    one_product_share = 0.8       # a risk: one product brings this share of revenue or more
    min_margin = 0.05             # a risk: profit below this share of revenue (last 12 months)

    [plans.cadences]
    "key account" = { every = 5, top_management = 1 }
    maintain = { every = 10 }

    [plans.roles]                 # job-title pattern -> influence (replaces the default map)
    "ceo|director" = "decision maker"
    "buyer|it manager" = "influencer"

    [plans.stages]                # chance an open opportunity of each stage is won
    prospect = 0.05               # (the others keep DEFAULT_STAGE_PROBABILITY)
    negotiation = 0.7

Examples
--------
>>> s = parse_plans({"country": "DE", "cadences": {"key_account": {"every": 3}}}, None)
>>> s.country, s.cadence_map()["key account"], s.cadence_map()["serve"].every
('DE', Cadence(every=3, top_management=0), 60)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kamlib.data.config_checks import check_types, fail

__all__ = ["PlanSettings", "parse_plans", "DEFAULT_TOP"]

# A build writes at most this many plans (the largest key accounts): a log with thousands of
# key accounts would otherwise spend most of the build, and most of the reader's patience,
# on plans nobody asked for. ``kam plans --all`` or ``--top N`` writes any number.
DEFAULT_TOP = 100

_CADENCE_KEYS = ("every", "top_management")


@dataclass(frozen=True)
class PlanSettings:
    """``[plans]``: holidays, contact cadences, role map and how many plans ``kam build``
    writes."""

    country: str = "ID"  # ISO code for the holidays package; "" = weekends only
    subdivision: str | None = None  # e.g. "BY" for Bavaria with country "DE"
    stale_days: int = 90  # a contact not reached for longer is flagged in the plan
    top: int = DEFAULT_TOP  # at most this many plans by default: the largest key accounts
    long_standing_share: float = 0.10  # the brief's "10%+ of profit", per account
    one_product_share: float = 0.8  # a risk: one product brings this share of revenue or more
    min_margin: float = 0.05  # a risk: profit below this share of revenue, last 12 months
    # tier -> {every, top_management}; tiers not given keep DEFAULT_CADENCES
    cadences: dict[str, dict[str, int]] = field(default_factory=dict)
    # job-title pattern -> influence; empty = kamlib.planning.contacts.DEFAULT_ROLE_MAP
    roles: dict[str, str] = field(default_factory=dict)
    # open stage -> chance of winning (0-1); stages not given keep DEFAULT_STAGE_PROBABILITY
    stages: dict[str, float] = field(default_factory=dict)

    def cadence_map(self) -> dict:
        """Tier -> :class:`~kamlib.planning.schedule.Cadence`: the defaults, then ours."""
        from kamlib.planning.schedule import DEFAULT_CADENCES, Cadence

        return {**DEFAULT_CADENCES, **{t: Cadence(**c) for t, c in self.cadences.items()}}

    def portfolio_settings(self) -> dict[str, Any]:
        """The keywords of :func:`kamlib.planning.portfolio.portfolio_frames`."""
        return {"cadences": self.cadence_map(), "country": self.country or None,
                "subdivision": self.subdivision, "stale_days": self.stale_days,
                "role_map": dict(self.roles) or None,
                "long_standing_share": self.long_standing_share,
                "stage_probabilities": self.stage_map(),
                "one_product_share": self.one_product_share, "min_margin": self.min_margin}

    def stage_map(self) -> dict[str, float]:
        """Open stage -> chance of winning: the defaults, then ours."""
        from kamlib.planning.pipeline import DEFAULT_STAGE_PROBABILITY

        return {**DEFAULT_STAGE_PROBABILITY, **self.stages}


def _cadences(raw: dict, path: Path | None) -> dict[str, dict[str, int]]:
    """Checked ``[plans.cadences]``: known tiers (``key_account`` = "key account"), each
    ``{ every = N, top_management = M }`` of whole numbers >= 0."""
    from kamlib.planning.schedule import DEFAULT_CADENCES

    key = "plans.cadences"
    if not isinstance(raw, dict):
        raise fail(path, key, f"= {raw!r}: expected a table of tiers, e.g. "
                   '"key account" = { every = 5, top_management = 1 }')
    out, spelled = {}, {}
    for name, spec in raw.items():
        tier = re.sub(r"[\s_-]+", " ", str(name)).strip().lower()
        if tier in spelled:  # two spellings of one tier: which line wins is not said
            raise fail(path, key, f"{spelled[tier]!r} and {name!r} are the same tier "
                       f"({tier!r}); keep one of the two lines")
        spelled[tier] = name
        if tier not in DEFAULT_CADENCES:
            raise fail(path, key, f"{name} = {spec!r}: unknown tier; known: "
                       f"{sorted(DEFAULT_CADENCES)}")
        if not isinstance(spec, dict) or set(spec) - set(_CADENCE_KEYS):
            raise fail(path, key, f"{name} = {spec!r}: expected a table with {_CADENCE_KEYS}"
                       ", e.g. { every = 5, top_management = 1 }")
        for k, v in spec.items():
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise fail(path, key, f"{name}.{k} = {v!r}: expected a whole number >= 0 "
                           "(working days between contacts, visits per quarter)")
        out[tier] = {"every": spec.get("every", DEFAULT_CADENCES[tier].every), **spec}
    return out


def _roles(raw: dict, path: Path | None) -> dict[str, str]:
    from kamlib.planning.contacts import INFLUENCE
    from kamlib.planning.role_patterns import pattern_problem

    key = "plans.roles"
    if not isinstance(raw, dict):
        raise fail(path, key, f"= {raw!r}: expected a table of job-title patterns, e.g. "
                   '"ceo|director" = "decision maker"')
    for pattern, influence in raw.items():
        if influence not in INFLUENCE:
            raise fail(path, key, f"{pattern!r} = {influence!r}: expected one of "
                       f"{list(INFLUENCE)}")
        problem = pattern_problem(pattern)
        if problem:
            raise fail(path, key, f"{pattern!r}: {problem}")
    return dict(raw)


def _stages(raw: dict, path: Path | None) -> dict[str, float]:
    """Checked ``[plans.stages]``: open stages, each a chance between 0 and 1."""
    from kamlib.planning.pipeline import OPEN_STAGES

    key = "plans.stages"
    if not isinstance(raw, dict):
        raise fail(path, key, f"= {raw!r}: expected a table of stages, e.g. proposal = 0.3")
    for stage, chance in raw.items():
        if stage not in OPEN_STAGES:
            raise fail(path, key, f"{stage} = {chance!r}: not an open stage; known: "
                       f"{list(OPEN_STAGES)}")
        if isinstance(chance, bool) or not isinstance(chance, (int, float)) \
                or not 0 <= chance <= 1:
            raise fail(path, key, f"{stage} = {chance!r}: expected a chance between 0 and 1, "
                       "e.g. 0.3")
    return {str(k): float(v) for k, v in raw.items()}


def _check_holidays(country: str, subdivision: str | None, path: Path | None) -> None:
    if not country:
        if subdivision:
            raise fail(path, "plans", f"subdivision = {subdivision!r}: needs a country")
        return
    import holidays

    known = holidays.list_supported_countries()
    if country not in known:
        raise fail(path, "plans", f"country = {country!r}: no public holidays known; use an "
                   "ISO code such as \"ID\", \"DE\" or \"US\", or \"\" for weekends only")
    if subdivision is not None and subdivision not in known[country]:
        listed = ", ".join(known[country][:12]) or "none"
        raise fail(path, "plans", f"subdivision = {subdivision!r}: no public holidays known "
                   f"for it in {country}; known: {listed}"
                   + (" ..." if len(known[country]) > 12 else ""))


def parse_plans(raw: object, path: Path | None) -> PlanSettings:
    """``[plans]`` as :class:`PlanSettings`; a :class:`ConfigError` names section, key,
    value and what was expected."""
    if not isinstance(raw, dict):
        raise fail(path, "plans", "is a value, not a section: write [plans] on a line of "
                   "its own, then its settings")
    known = {f.name for f in fields(PlanSettings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise fail(path, "plans", f"unknown setting(s) {unknown}; known: {sorted(known)}")
    values = dict(raw)
    check_types({k: v for k, v in values.items() if k not in ("cadences", "roles", "stages")},
                PlanSettings, path, "plans")
    if "cadences" in values:
        values["cadences"] = _cadences(values["cadences"], path)
    if "roles" in values:
        values["roles"] = _roles(values["roles"], path)
    if "stages" in values:
        values["stages"] = _stages(values["stages"], path)
    for name in ("stale_days", "top"):
        if values.get(name) is not None and values[name] < 1:
            raise fail(path, "plans", f"{name} = {values[name]}: at least 1")
    for name, example in (("long_standing_share", 0.1), ("one_product_share", 0.8)):
        share = values.get(name, example)
        if not 0 < share <= 1:
            raise fail(path, "plans", f"{name} = {share}: a share between 0 and 1, "
                       f"e.g. {example}")
    margin = values.get("min_margin", 0.05)
    if not -1 < margin < 1:
        raise fail(path, "plans", f"min_margin = {margin}: profit as a share of revenue, "
                   "between -1 and 1, e.g. 0.05")
    settings = PlanSettings(**values)
    _check_holidays(settings.country, settings.subdivision, path)
    return settings
