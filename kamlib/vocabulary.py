"""One vocabulary: each term the pages use, with its one definition, from the actual settings.

A term means the same set of accounts or the same number on every page, the index, the
plans and the exports. The index shows this glossary; pages take their wording from it.

- **vital few**: Pareto, the largest accounts that make ``target_share`` of revenue over
  the analysis window (module 10);
- **A class**: ABC, the largest accounts up to the first ABC cut-off (module 11);
- **key accounts**: value x need, in the vital few and with high need (module 14 and the
  plans); not a synonym of the vital few;
- **lost**, **at risk**, **won back**, **new**: the account status frame's rules
  (:mod:`kamlib.status`), the only place a status is decided;
- **lifetime value**: :mod:`kamlib.lifetime`, one model and one set of assumptions;
- **last 12 months** and **whole window**: the periods a figure covers.

Examples
--------
>>> d = definitions()
>>> d["vital few"]
'the largest accounts that together make 80% of revenue over the analysis window (Pareto; the account that crosses 80% is one of them)'
>>> d["key accounts"].startswith("high value and high need")
True
"""

from __future__ import annotations

from kamlib.lifetime import LifetimeAssumptions

__all__ = ["definitions", "glossary_rows", "TERMS", "NEED_THRESHOLD"]

NEED_THRESHOLD = 5.0  # the value x need matrix's high need (module 14 and the plans)
TERMS = ("vital few", "A class", "key accounts", "lost", "at risk", "won back", "new",
         "lifetime value", "last 12 months", "whole window")


def definitions(analysis=None, *, need_threshold: float = NEED_THRESHOLD,
                lifetime: LifetimeAssumptions = LifetimeAssumptions()) -> dict[str, str]:
    """Each term of :data:`TERMS` -> its one-line definition, with the settings' numbers.

    Parameters
    ----------
    analysis : Analysis, optional
        ``kam.toml``'s ``[analysis]`` (:class:`kamlib.data.config.Analysis`); None: the
        defaults.
    need_threshold : float
        High need in the value x need matrix.
    lifetime : LifetimeAssumptions
        The lifetime value's assumptions.

    >>> from kamlib.data.config import Analysis
    >>> definitions(Analysis(lost_after_days=90))["lost"]
    'no purchase for more than 90 days before the as-of date (or never a purchase, only credit notes)'
    """
    from kamlib.data.config import Analysis
    from kamlib.status import rules_of

    a = analysis if analysis is not None else Analysis()
    said = rules_of(a).describe()
    target, (cut_a, cut_b) = a.target_share, a.abc_cutoffs
    lv = lifetime
    return {
        "vital few": (f"the largest accounts that together make {target:.0%} of revenue over "
                      f"the analysis window (Pareto; the account that crosses {target:.0%} is "
                      "one of them)"),
        "A class": (f"the largest accounts that together make the first {cut_a:.0%} of "
                    f"revenue over the analysis window (B: up to {cut_b:.0%}, C: the rest)"),
        "key accounts": (f"high value and high need: in the vital few and with a need of "
                         f"{need_threshold:g} or more out of 10 (value x need; the accounts "
                         "with an account plan)"),
        "lost": said["lost"].replace("days (", "days before the as-of date (", 1),
        "at risk": f"not lost, won back or new, and {said['at risk']}",
        "won back": said["won back"],
        "new": said["new"],
        "lifetime value": (f"the present value of an account's profit over the next "
                           f"{lv.years} years: its yearly profit over the analysis window, "
                           f"growing {lv.growth:.0%} a year, plus cost savings, referrals "
                           "and price premium, weighed by the observed yearly retention and "
                           f"discounted at {lv.discount_rate:.0%} a year; one value per "
                           "account on every page"),
        "last 12 months": ("the as-of month and the 11 whole months before it; a movement "
                           "compares it with the last 12 months at the previous build"),
        "whole window": ("the analysis window from its start to the as-of date; a total over "
                         "it is labelled so and never shown as a movement (its length grows "
                         "from build to build)"),
    }


def glossary_rows(analysis=None, **kwargs) -> list[dict[str, str]]:
    """The glossary as the index lists it: ``term`` and ``definition``, in :data:`TERMS` order.

    >>> glossary_rows()[0]["term"]
    'vital few'
    """
    said = definitions(analysis, **kwargs)
    return [{"term": t, "definition": said[t]} for t in TERMS]
