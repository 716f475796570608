"""Module 16 exercises: losses per quarter, a ranked win-back list, the movers of a tier
threshold, a dealer's co-investment ceiling.

The practice data (:func:`practice_retention`) differ from the worked example: the spells of
a shorter lost rule, another chance of return, a tier threshold set exactly on one account's
revenue, and a practice dealer whose turnover lies exactly on a band edge.

Examples
--------
>>> import pandas as pd
>>> sp = pd.DataFrame({"account_id": ["a", "b"], "last_purchase": pd.to_datetime(
...     ["2024-01-10", "2024-04-10"]), "returned_on": pd.to_datetime([None, "2024-09-01"])})
>>> right = pd.DataFrame({"quarter": pd.to_datetime(["2024-04-01", "2024-07-01"]),
...                       "lost": [1, 1]})
>>> check_losses_per_quarter(right, sp, 90).ok
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib.exercises.answers import describe
from kamlib.exercises.feedback import Feedback, close, friendly
from kamlib.exercises.feedback import is_number as _number
from kamlib.exercises.registry import Exercise
from kamlib.retention.dealers import Criterion, dealer_scores
from kamlib.retention.loyalty import tier_moves

__all__ = ["practice_retention", "practice_dealer", "example_dealer",
           "check_losses_per_quarter", "check_winback_rank", "check_tier_movers", "check_dealer_ceiling", "EXERCISES"]

_ACC = "account_id"


def practice_retention(spells: pd.DataFrame, candidates: pd.DataFrame,
                       status: pd.DataFrame, tiers: dict[str, float]) -> dict:
    """The practice frames of exercises 16.1-16.3 from the data's own frames.

    ``spells`` are :func:`~kamlib.retention.losses.lost_spells` of the practice rule,
    ``candidates`` the win-back candidates, ``status`` the status frame, ``tiers`` the
    current thresholds. Returns ``p_spells`` (account_id, last_purchase, returned_on;
    accounts that never bought left out), ``p_candidates`` (account_id, revenue, profit),
    ``p_yearly`` (account_id, revenue in the last 12 months, buying accounts only) and
    ``p_new_tiers``: the second tier's threshold moved exactly onto the revenue of the
    middle account between it and its neighbours (unchanged with fewer than two tiers).

    >>> st = pd.DataFrame({"account_id": list("abcd"), "revenue_l12m": [5.0, 20, 30, 90]})
    >>> empty = pd.DataFrame(columns=["account_id", "last_purchase", "returned_on",
    ...                               "revenue", "profit"])
    >>> practice_retention(empty, empty, st, {"red": 0, "silver": 10, "gold": 80}
    ...                    )["p_new_tiers"]
    {'red': 0.0, 'silver': 20.0, 'gold': 80.0}
    """
    p_spells = spells.loc[spells["last_purchase"].notna(),
                          [_ACC, "last_purchase", "returned_on"]].reset_index(drop=True)
    p_candidates = candidates[[_ACC, "revenue", "profit"]].reset_index(drop=True)
    yearly = status.loc[status["revenue_l12m"] > 0, [_ACC, "revenue_l12m"]].rename(
        columns={"revenue_l12m": "revenue"}).reset_index(drop=True)
    new = {k: float(v) for k, v in tiers.items()}
    names = list(new)
    if len(names) >= 2:
        low = new[names[0]]
        high = new[names[2]] if len(names) > 2 else np.inf
        between = np.sort(yearly["revenue"][(yearly["revenue"] > low)
                                            & (yearly["revenue"] < high)].to_numpy())
        if len(between):
            new[names[1]] = float(between[len(between) // 2])
    return {"p_spells": p_spells, "p_candidates": p_candidates, "p_yearly": yearly,
            "p_new_tiers": new}


def practice_dealer() -> tuple[pd.Series, pd.DataFrame]:
    """A practice dealer (its value on each criterion) and the criteria table (criterion,
    edges, weight): the brief's five criteria with the kit's default bands."""
    dealer = pd.Series({"turnover": 100_000.0, "years with us": 7.0,
                        "marketing spend trend": 0.02, "promotes new products": 4.0,
                        "service level": 3.0})
    from kamlib.retention.dealers import DEFAULT_CRITERIA

    table = pd.DataFrame({"criterion": list(DEFAULT_CRITERIA),
                          "edges": [list(c.edges) for c in DEFAULT_CRITERIA.values()],
                          "weight": [c.weight for c in DEFAULT_CRITERIA.values()]})
    return dealer, table


def example_dealer(dealers: pd.DataFrame | None) -> pd.Series | None:
    """The worked example's first dealer (highest ceiling) in :func:`practice_dealer`'s
    names, to recognise an answer built from it; None without scored dealers."""
    from kamlib.retention.dealers import DEFAULT_CRITERIA

    if dealers is None or not len(dealers):
        return None
    first = dealers.sort_values(["ceiling", "account_id"], ascending=[False, True]).iloc[0]
    return pd.Series({name: float(first[c.column]) for name, c in DEFAULT_CRITERIA.items()})


# --- 16.1 losses per quarter ------------------------------------------------------------------

def _quarters(values: pd.Series) -> pd.Series:
    """Quarter labels of Timestamps, Periods or text like "2024Q1" / "2024-01-01"."""
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.dt.asfreq("Q").astype(str)
    return pd.Series([str(pd.Period(pd.Timestamp(v), "Q")) if not isinstance(v, str) or
                      "Q" not in v.upper() else str(pd.Period(v, "Q")) for v in values],
                     index=values.index)


def _counts(days: pd.Series) -> dict[str, int]:
    q = days.dropna().dt.to_period("Q").astype(str)
    return {k: int(v) for k, v in q.value_counts().sort_index().items()}


@friendly("a DataFrame with the columns quarter and lost, one row per quarter")
def check_losses_per_quarter(answer: pd.DataFrame, spells: pd.DataFrame,
                             days: int) -> Feedback:
    """Check the accounts lost per quarter: an account is lost on last_purchase + days +
    1 day; every loss counts, also one that came back later.

    Examples
    --------
    >>> sp = pd.DataFrame({"account_id": ["a"], "last_purchase": pd.to_datetime(
    ...     ["2024-01-10"]), "returned_on": pd.to_datetime([None])})
    >>> wrong = pd.DataFrame({"quarter": ["2024Q1"], "lost": [1]})
    >>> check_losses_per_quarter(wrong, sp, 90).message[:38]
    'You counted the quarter of the last pu'
    """
    if not isinstance(answer, pd.DataFrame) or not {"quarter", "lost"} <= set(answer.columns):
        if isinstance(answer, pd.Series):
            return Feedback.hint("Give a DataFrame with the columns quarter and lost: "
                                 ".reset_index(name='lost') turns your single column into one.")
        return Feedback.hint("Give a DataFrame with the columns quarter and lost.")
    if answer["quarter"].duplicated().any():
        return Feedback.hint("A quarter appears more than once: one row per quarter "
                             "(groupby the quarter, then .size()).")
    labels = _quarters(answer["quarter"])
    if labels.duplicated().any():
        return Feedback.hint("Two of your rows fall in the same quarter: did you count per "
                             "month? Use .dt.to_period('Q') for quarters.")
    mine = dict(zip(labels, answer["lost"].astype(int)))
    mine = {k: v for k, v in mine.items() if v}  # quarters with no loss may be left out
    lost_on = spells["last_purchase"] + pd.Timedelta(days=int(days) + 1)
    truth = _counts(lost_on)
    if mine == truth:
        top = max(truth, key=truth.get) if truth else "none"
        return Feedback.correct(f"{sum(truth.values()):,} losses; the most in {top} "
                                f"({truth.get(top, 0):,}).")
    if mine == _counts(spells["last_purchase"]):
        return Feedback.hint("You counted the quarter of the last purchase: an account is lost "
                             "on the day its time without a purchase passes the rule, "
                             f"last_purchase + {days} days + 1 day.")
    if mine == _counts(spells["last_purchase"] + pd.Timedelta(days=int(days))):
        return Feedback.hint(f"Off by one day: after exactly {days} days an account is not "
                             f"lost yet; it is lost the day after (+ {days} + 1 days).")
    if mine == _counts(lost_on[spells["returned_on"].isna()]):
        return Feedback.hint("You counted only the accounts still lost: every loss counts in "
                             "its quarter, also one that came back later.")
    if sum(mine.values()) != sum(truth.values()):
        return Feedback.hint(f"Your counts add up to {sum(mine.values()):,} losses; there are "
                             f"{sum(truth.values()):,} spells, each lost once.")
    wrong = next(q for q in sorted(set(truth) | set(mine)) if truth.get(q) != mine.get(q))
    return Feedback.hint(f"Quarter {wrong}: you have {mine.get(wrong, 0):,} losses, the rule "
                         f"gives {truth.get(wrong, 0):,}.")


# --- 16.2 rank a win-back list ----------------------------------------------------------------

def _value(c: pd.DataFrame, chance: float) -> pd.Series:
    return c["profit"].where(c["profit"].notna(), c["revenue"]).astype(float) * chance


@friendly("a DataFrame with the columns account_id and value_regained, most value first")
def check_winback_rank(answer: pd.DataFrame, candidates: pd.DataFrame,
                       chance: float) -> Feedback:
    """Check the ranked win-back list: value_regained = profit x chance (revenue x chance
    where profit is missing), most value first; to the cent.

    Examples
    --------
    >>> c = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 50.0],
    ...                   "profit": [10.0, None]})
    >>> right = pd.DataFrame({"account_id": ["b", "a"], "value_regained": [25.0, 5.0]})
    >>> check_winback_rank(right, c, 0.5).ok
    True
    >>> check_winback_rank(right.assign(value_regained=[50.0, 10.0]), c, 0.5).message[:24]
    'You left out the chance '
    """
    if not isinstance(answer, pd.DataFrame) or not {_ACC, "value_regained"} <= set(
            answer.columns):
        return Feedback.hint("Give a DataFrame with the columns account_id and "
                             "value_regained.")
    c = candidates.assign(**{_ACC: candidates[_ACC].astype(str)}).set_index(_ACC)
    mine = answer.assign(**{_ACC: answer[_ACC].astype(str)})
    missing = c.index.difference(mine[_ACC])
    if len(missing):
        if c.loc[missing, "profit"].isna().all():
            return Feedback.hint(f"{len(missing):,} account(s) without profit are missing, "
                                 f"e.g. {missing[0]!r}: where profit is missing, value the "
                                 "account by its revenue instead of dropping it.")
        return Feedback.hint(f"{len(missing):,} candidate(s) are missing, e.g. "
                             f"{missing[0]!r}: keep every candidate.")
    if mine[_ACC].duplicated().any():
        return Feedback.hint("An account appears twice: one row per candidate.")
    got = mine.set_index(_ACC)["value_regained"].astype(float)
    truth = _value(c, chance)
    if not np.allclose(got.reindex(truth.index), truth, atol=0.01, rtol=0, equal_nan=False):
        for wrong, message in [
                (_value(c, 1.0), "You left out the chance of return: multiply by it."),
                (c["revenue"].astype(float) * chance, "You valued every account by revenue: "
                 "use profit, and revenue only where profit is missing."),
                (c["profit"].fillna(0.0).astype(float) * chance, "Accounts without profit "
                 "count 0: value them by their revenue instead (profit.fillna(revenue)).")]:
            if np.allclose(got.reindex(truth.index), wrong, atol=0.01, rtol=0):
                return Feedback.hint(message)
        ratio = got.reindex(truth.index) / _value(c, 1.0)
        if ratio.notna().any() and np.allclose(ratio.dropna(), ratio.dropna().iloc[0],
                                               rtol=1e-6, atol=0):
            return Feedback.hint(f"You used a chance of return of {ratio.dropna().iloc[0]:.0%}: "
                                 f"the exercise gives {chance:.0%} (p_chance).")
        return Feedback.hint("value_regained = profit x chance, with revenue in place of "
                             "profit where profit is missing.")
    order = got.to_numpy()
    if len(order) > 1 and (np.diff(order) > 0).any():
        if (np.diff(order) >= 0).all():
            return Feedback.hint("You sorted ascending: the most value comes first "
                                 "(ascending=False).")
        return Feedback.hint("Sort the list by value_regained, most value first.")
    top = truth.idxmax() if len(truth) else "none"
    return Feedback.correct(f"First to call: {top}, worth {truth.max():,.0f} a year in "
                            "expected value regained.")


# --- 16.3 move a tier threshold ---------------------------------------------------------------

@friendly("a tuple of two whole numbers: (accounts moving up, accounts moving down)")
def check_tier_movers(answer: object, yearly: pd.DataFrame, current: dict,
                      new: dict) -> Feedback:
    """Check (up, down): how many accounts move up and down a tier under ``new``; a value
    exactly on a threshold reaches the tier.

    Examples
    --------
    >>> y = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 300.0]})
    >>> check_tier_movers((0, 1), y, {"red": 0, "gold": 100}, {"red": 0, "gold": 200}).ok
    True
    >>> check_tier_movers((1, 0), y, {"red": 0, "gold": 100}, {"red": 0, "gold": 200}
    ...                   ).message[:24]
    'Up and down are swapped:'
    """
    if not isinstance(answer, (tuple, list)) or len(answer) != 2 or \
            not all(_number(a) for a in answer):
        return Feedback.hint("Give two numbers in brackets: (up, down), e.g. (12, 40).")
    up, down = int(answer[0]), int(answer[1])
    moves = tier_moves(yearly, current, new)["move"]
    truth = int((moves == "up").sum()), int((moves == "down").sum())
    if (up, down) == truth:
        return Feedback.correct(f"{truth[0]:,} accounts move up and {truth[1]:,} down.")
    if (down, up) == truth:
        return Feedback.hint("Up and down are swapped: (up, down).")
    strict = {k: np.nextafter(float(v), np.inf) for k, v in new.items()}
    strict_cur = {k: np.nextafter(float(v), np.inf) for k, v in current.items()}
    m2 = tier_moves(yearly, strict_cur, strict)["move"]
    if (up, down) == (int((m2 == "up").sum()), int((m2 == "down").sum())):
        return Feedback.hint("A value exactly on a threshold reaches that tier: compare with "
                             ">=, not >.")
    if up + down == sum(truth):
        return Feedback.hint("The total of movers is right, the split is not: an account "
                             "moves up when its new tier is higher than its current one.")
    return Feedback.hint("Give each account its tier under both sets of thresholds (the "
                         "highest tier whose threshold its revenue reaches) and count those "
                         "whose tier rises and falls.")


# --- 16.4 score a dealer ----------------------------------------------------------------------

def _ceiling(dealer: pd.Series, criteria: pd.DataFrame, low: float, high: float) -> float:
    crit = {r.criterion: Criterion(r.criterion, tuple(r.edges), r.weight)
            for r in criteria.itertuples()}
    return float(dealer_scores(dealer.to_frame().T.astype(float), crit, min_ceiling=low,
                               max_ceiling=high)["ceiling"].iloc[0])


@friendly("a number: the yearly co-investment ceiling in whole money units")
def check_dealer_ceiling(answer: object, dealer: pd.Series, criteria: pd.DataFrame,
                         low: float = 10_000.0, high: float = 50_000.0) -> Feedback:
    """Check a dealer's ceiling: points 1 + edges reached (>=), weighted, scaled from the
    fewest to the most points, between ``low`` and ``high`` (whole units)."""
    if not _number(answer):
        return Feedback.hint(f"Give a number, not {describe(answer)}.")
    truth = _ceiling(dealer, criteria, low, high)
    if close(answer, truth, tol=0.5):
        return Feedback.correct(f"Ceiling {truth:,.0f} a year; the dealer puts in at least "
                                "as much again.")
    points = np.array([1 + sum(dealer[r.criterion] >= e for e in r.edges)
                       for r in criteria.itertuples()], float)
    w = criteria["weight"].to_numpy(float)
    most = np.array([len(e) + 1 for e in criteria["edges"]], float)
    strict = np.array([1 + sum(dealer[r.criterion] > e for e in r.edges)
                       for r in criteria.itertuples()], float)
    least_sum, most_sum = w.sum(), (w * most).sum()
    mistakes = [
        (low + ((w * strict).sum() - least_sum) / (most_sum - least_sum) * (high - low),
         "A value exactly on a band edge reaches it: "
         "count the edges with >=, not >."),
        (low + (w * points).sum() / most_sum * (high - low), "Scale from the fewest possible "
         "points: coefficient = (score - fewest) / (most - fewest), so that the weakest "
         "dealer gets the minimum."),
        (((w * points).sum() - least_sum) / (most_sum - least_sum) * high,
         "You left out the minimum: ceiling = min + coefficient x (max - min)."),
        (low + (points.sum() - len(points)) / (most.sum() - len(points)) * (high - low),
         "You left out the weights: multiply each criterion's points by its weight."),
    ]
    for wrong, message in mistakes:
        if wrong - 0.5 <= float(answer) <= wrong + 0.5 and abs(wrong - truth) > 0.5:
            return Feedback.hint(message)
    if close(answer, truth, tol=max(1.0, abs(truth) * 0.001)):
        return Feedback.hint("Nearly: round to whole money units with round(x).")
    return Feedback.hint("Points per criterion: 1 + the edges its value reaches; score: the "
                         "weighted points; coefficient: (score - fewest) / (most - fewest); "
                         "ceiling: min + coefficient x (max - min).")


EXERCISES = [
    Exercise("16.1", "Losses per quarter", "my_losses", check_losses_per_quarter, """\
lost_on = p_spells["last_purchase"] + pd.Timedelta(days=p_days + 1)
my_losses = (lost_on.dt.to_period("Q").dt.start_time.value_counts().sort_index()
             .rename_axis("quarter").reset_index(name="lost"))"""),
    Exercise("16.2", "Rank a win-back list", "my_ranked", check_winback_rank, """\
my_ranked = p_candidates.copy()
my_ranked["value_regained"] = my_ranked["profit"].fillna(my_ranked["revenue"]) * p_chance
my_ranked = my_ranked.sort_values("value_regained", ascending=False)""",
             precision="to the cent"),
    Exercise("16.3", "Move a tier threshold, count the movers", "my_movers", check_tier_movers,
             """\
def tier(revenue, thresholds):
    reached = [name for name, edge in thresholds.items() if revenue >= edge]
    return list(thresholds).index(reached[-1]) if reached else -1

now = p_yearly["revenue"].map(lambda r: tier(r, p_tiers))
new = p_yearly["revenue"].map(lambda r: tier(r, p_new_tiers))
my_movers = (int((new > now).sum()), int((new < now).sum()))"""),
    Exercise("16.4", "Score a dealer", "my_ceiling", check_dealer_ceiling, """\
c = p_criteria.set_index("criterion")
points = pd.Series({k: 1 + sum(p_dealer[k] >= e for e in c.loc[k, "edges"]) for k in c.index})
most = c["edges"].map(len) + 1
score, fewest, best = (points * c["weight"]).sum(), c["weight"].sum(), (most * c["weight"]).sum()
coefficient = (score - fewest) / (best - fewest)
my_ceiling = round(p_min + coefficient * (p_max - p_min))""", precision="whole money units"),
]
