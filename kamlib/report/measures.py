"""Each headline figure's meaning, declared once: which way is better, and whether it is money.

One entry per figure key (the ``key`` a notebook gives :func:`kamlib.report.headline`, and
the brief's own totals): ``better`` says which movement a director welcomes ("up": revenue,
profit; "down": accounts at risk, lost accounts; "neutral": a fact of the portfolio's shape
that is neither good nor bad by itself), ``why`` says the reason in one line, ``money`` marks
an amount (the index shows it compact, 498.5 M, with the exact value on hover). Every page
that colours a movement reads it from here, so a figure never has two colours on two pages.
A headline whose key is not declared here fails the suite (tests/test_measures.py).

Examples
--------
>>> measure("lost_accounts").better, measure("revenue_l12m").money, measure("nope")
('down', True, None)
>>> meaning(+8, "down"), meaning(+54e6, "up"), meaning(-2, "neutral"), meaning(0, "up")
('worse', 'better', 'neutral', 'same')
>>> cue(-3.0, "down")
{'meaning': 'better', 'arrow': '▼', 'word': 'better'}
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

__all__ = ["Measure", "MEASURES", "MEANINGS", "COLOURS", "MEANING_CSS", "measure", "meaning",
           "cue", "better_title"]

UP, DOWN, NEUTRAL = "up", "down", "neutral"
MEANINGS = ("better", "worse", "neutral", "same")
# text colours of a movement by meaning, each at least 4.5:1 on the cards' white and the
# page's grey (tests/test_contrast.py); never the only cue: an arrow and a word go with them
COLOURS = {"better": "#1a6b2f", "worse": "#a4262c", "neutral": "#555555", "same": "#555555"}
MEANING_CSS = Markup("".join(f".move.{m} {{ color: {c}; }} " for m, c in COLOURS.items())
                     + ".move.better, .move.worse { font-weight: 600; }")


@dataclass(frozen=True)
class Measure:
    """One figure's meaning: ``better`` ("up", "down" or "neutral"), ``why``, ``money``."""

    better: str
    why: str
    money: bool = False


_SHAPE = ("the portfolio's shape: it rises when large accounts grow (good) and when small "
          "ones are lost (bad), so its movement alone is neither; the risk of depending on "
          "few accounts is read from the accounts at risk and lost")
MEASURES: dict[str, Measure] = {
    # 01 data overview and the brief's totals
    "accounts": Measure(NEUTRAL, "the accounts in the data: it moves with what the data "
                        "holds; new and lost accounts say which way the business moved"),
    "revenue_l12m": Measure(UP, "more revenue is better", money=True),
    "revenue_total": Measure(UP, "more revenue is better", money=True),
    "months": Measure(NEUTRAL, "the length of the data, not a result"),
    "profit_l12m": Measure(UP, "more profit is better", money=True),
    "margin_l12m": Measure(UP, "a higher profit margin is better"),
    "lost_accounts": Measure(DOWN, "fewer lost accounts is better"),
    "at_risk_accounts": Measure(DOWN, "fewer accounts at risk is better"),
    # 10 concentration, 11 ABC-XYZ: the shape of the portfolio
    "vital_few_share": Measure(NEUTRAL, _SHAPE),
    "vital_few": Measure(NEUTRAL, _SHAPE),
    "gini": Measure(NEUTRAL, _SHAPE),
    "top_n_share": Measure(NEUTRAL, _SHAPE),
    "a_accounts": Measure(NEUTRAL, _SHAPE),
    "a_revenue_share": Measure(NEUTRAL, _SHAPE),
    "ax_accounts": Measure(UP, "more large accounts that buy steadily is more revenue a "
                           "company can plan on"),
    # 12 profiles
    "top_segment_accounts": Measure(NEUTRAL, "the segment with the most revenue, which can be "
                                    "another segment in the next build"),
    "top_segment_revenue_share": Measure(NEUTRAL, "the segment with the most revenue, which "
                                         "can be another segment in the next build"),
    "at_risk_revenue": Measure(DOWN, "less revenue at risk is better", money=True),
    "growing_revenue_share": Measure(UP, "more revenue from growing accounts is better"),
    # 13 profitability
    "loss_making_share": Measure(DOWN, "fewer accounts losing money is better"),
    "whale_peak": Measure(DOWN, "a peak far above 100% means the other accounts destroy "
                          "much of the profit the best ones earn"),
    "vital_few_clv": Measure(UP, "a higher lifetime value of the vital few is better",
                             money=True),
    "churn_what_if": Measure(NEUTRAL, "a what-if of the profit at stake, not a result"),
    # 14 account planning
    "key_accounts": Measure(NEUTRAL, "set by the share of revenue the vital few make: a "
                            "count of the portfolio's shape"),
    "uncovered_circle_share": Measure(DOWN, "fewer key accounts with a circle of contacts "
                                      "nobody covers is better"),
    "stale_contacts": Measure(DOWN, "fewer contacts not reached for too long is better"),
    "cross_sell_yearly_value": Measure(UP, "more expected cross-sell value is more to win",
                                       money=True),
    # 15 relationships
    "flagged_accounts": Measure(DOWN, "fewer accounts with a low health score is better"),
    "flagged_revenue": Measure(DOWN, "less revenue at accounts with a low health score is "
                               "better", money=True),
    "health_lift": Measure(UP, "a higher lift means the health score tells the accounts "
                           "about to be lost apart better"),
    # 16 retention
    "lost_last_quarter": Measure(DOWN, "fewer accounts lost is better"),
    "winback_potential": Measure(NEUTRAL, "grows when more valuable accounts are lost (bad) "
                                 "and when their chance of return rises (good)", money=True),
    # the plans' entry on the index
    "plans": Measure(NEUTRAL, "the plans written: one per key account, up to the cap"),
}


def measure(key: object) -> Measure | None:
    """The declared meaning of the figure ``key``, or None when it has none."""
    return MEASURES.get(key) if isinstance(key, str) else None


def meaning(change: float | None, better: str | None) -> str:
    """What a movement of ``change`` means for a figure whose ``better`` way is "up",
    "down" or "neutral" (None: not declared, shown as neutral): "better", "worse",
    "neutral" (a change that is neither, or not a number) or "same" (no change)."""
    if change is None or isinstance(change, bool) or not math.isfinite(change):
        return "neutral"
    if change == 0:
        return "same"
    if better not in (UP, DOWN):
        return "neutral"
    return "better" if (change > 0) == (better == UP) else "worse"


def cue(change: float | None, better: str | None) -> dict:
    """A movement's ``meaning``, its ``arrow`` (the direction: ▲ up, ▼ down, = none) and
    the ``word`` shown beside the colour ("better", "worse"; "" otherwise), so that colour
    is never the only cue."""
    m = meaning(change, better)
    if m == "same":
        arrow = "="
    elif m == "neutral" and (change is None or not math.isfinite(change)):
        arrow = ""
    else:
        arrow = "▲" if change > 0 else "▼"
    return {"meaning": m, "arrow": arrow, "word": m if m in ("better", "worse") else ""}


def better_title(better: str | None) -> str:
    """The hover text saying which way a figure is better.

    >>> better_title("down"), better_title(None)
    ('lower is better', 'neither higher nor lower is better by itself')
    """
    return {UP: "higher is better", DOWN: "lower is better"}.get(
        better or "", "neither higher nor lower is better by itself")
