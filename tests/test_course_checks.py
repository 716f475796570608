"""The checks a beginner meets: each message of issue 11 produced by the answer that earns it.

The answers are written as a trainee writes them, on frames shaped like the course's practice
data; none of the checks may raise, whatever it is given.
"""

import numpy as np
import pandas as pd
import pytest

from kamlib.abcxyz import abc_classes, xyz_classes
from kamlib.exercises import Feedback, check, exercise, exercises, show_solution
from kamlib.exercises.abcxyz import (check_abc_classes, check_abc_xyz_matrix, check_xyz,
                                     check_xyz_classes, practice_monthly)
from kamlib.exercises.concentration import (check_gini, check_pareto_table,
                                            check_share_of_accounts, practice_totals,
                                            practice_window)
from kamlib.exercises.feedback import NOT_ANSWERED
from kamlib.exercises.primer import check_filter, check_named, check_top, check_totals
from kamlib.exercises.profiles import practice_months, practice_profiles
from kamlib.exercises.retention import practice_dealer


def hint(feedback, text):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok and text in feedback.message, feedback.message


@pytest.fixture
def cube():
    """12 months, 6 accounts; account f buys from month 7 on, e is one large project."""
    rng = np.random.default_rng(3)
    rows = []
    for acc, base, months in [("a", 900, range(1, 13)), ("b", 400, range(1, 13)),
                              ("c", 200, range(1, 13, 2)), ("d", 60, range(1, 13)),
                              ("e", 3000, [5]), ("f", 30, range(7, 13))]:
        for m in months:
            rows.append((acc, pd.Timestamp(2025, m, 1), float(base * rng.uniform(0.7, 1.3))))
    return pd.DataFrame(rows, columns=["account_id", "period", "revenue"])


@pytest.fixture
def totals(cube):
    return cube.groupby("account_id", as_index=False)["revenue"].sum()


# --- never a traceback, "not answered yet" for None ------------------------------------------

def test_every_check_says_not_answered_yet_for_none_and_never_raises(cube, totals):
    abc, xyz = abc_classes(totals), xyz_classes(cube)
    months = practice_months(cube.assign(invoices=2, lines=3, first_date=cube["period"],
                                         last_date=cube["period"] + pd.Timedelta(days=9)),
                             "2025-01-01", "2025-12-31")
    data = {"10": (totals,), "11.1": (totals,), "11.2": (cube,), "11.3": (cube,),
            "11.4": (abc, xyz), "02.1": (pd.DataFrame({"account_id": ["a"],
                                                       "industry": ["Banking"]}),),
            "02.2": (cube,), "02.3": (cube, pd.DataFrame({"account_id": ["a"]})),
            "02.4": (cube, pd.DataFrame({"account_id": ["a"]})),
            "12.1": (months, "2025-12-31"), "12.2": (months,),
            "12.3": (practice_profiles(months, "2025-12-31"),)}
    data["13"] = (pd.DataFrame({"account_id": ["a"], "revenue": [10.0], "gross_margin": [4.0]}),
                  pd.DataFrame({"account_id": ["a"], "activity": ["visit"], "quantity": [1]}),
                  pd.DataFrame({"activity": ["visit"], "unit_cost": [3.0]}))
    kit = {"years": 3, "discount_rate": 0.1, "growth": 0.03, "cost_savings": 0.02,
           "referrals": 0.01, "price_premium": 0.01}
    data.update({"13.1": data["13"][1:], "13.4": (1000.0,), "13.5": (1000.0, 200.0, 0.9, kit),
                 "13.6": (pd.DataFrame({"account_id": ["a"], "frequency": [2],
                                        "monetary_value": [40.0]}),
                          {"p": 6.25, "q": 3.74, "v": 15.44})})
    people = pd.DataFrame({"account_id": ["a"], "contact_name": ["Ann"], "role": ["CIO"],
                           "circle": [1], "last_contact": pd.to_datetime(["2025-12-01"])})
    data.update({"14.1": (cube, pd.DataFrame({"account_id": ["a"], "wallet_estimate": [1e4]}),
                          "2025-12-31"),
                 "14.2": (people, ["a"], "2025-12-31"),
                 "14.3": (totals.assign(need=[8.0, 2.0, 6.0, 9.0, 1.0, 5.0]),),
                 "14.4": (pd.DataFrame({"account_id": ["a"], "quadrant": ["serve"],
                                        "last_contact": pd.to_datetime(["2025-10-01"])}),
                          {"serve": 60}, [], "2025-12-31"),
                 "14.5": (pd.DataFrame({"account_id": ["a", "b", "c"], "product": "x",
                                        "revenue": [0.0, 5.0, 7.0]}), "a", 3.0, {"x": 0.5})})
    status = pd.DataFrame({"account_id": ["a"], "status": ["active"], "revenue_l12m": [5.0],
                           "revenue_p12m": [10.0]})
    stages = pd.DataFrame({"account_id": ["a", "a"], "stage": ["client", "partner"],
                           "as_of": pd.to_datetime(["2024-12-31", "2025-12-31"])})
    signals = pd.DataFrame({"account_id": ["a"], "revenue_trend": [50.0], "breadth": [1.0],
                            "share_of_wallet": [1.0], "rhythm": [1.0],
                            "decision_makers": [1.0], "complaints": [1.0]})
    data.update({"15.1": (cube, status, "2025-12-31"),
                 "15.2": (stages, "2024-12-31", "2025-12-31"), "15.3": (status,),
                 "15.4": (signals, {"rhythm": 1.0}),
                 "15.5": (pd.DataFrame({"accounts": [10], "flagged": [2], "flagged_lost": [1],
                                        "lost": [1]}),)})
    dealer, criteria = practice_dealer()
    data.update({"16.1": (pd.DataFrame({"account_id": ["a"], "last_purchase": pd.to_datetime(
                     ["2025-01-10"]), "returned_on": pd.NaT}), 90),
                 "16.2": (pd.DataFrame({"account_id": ["a"], "revenue": [10.0],
                                        "profit": [np.nan]}), 0.3),
                 "16.3": (totals, {"red": 0, "gold": 1000}, {"red": 0, "gold": 2000}),
                 "16.4": (dealer, criteria)})
    for ex in exercises():
        args = data.get(ex.id, data.get(ex.module))
        assert ex.check(None, *args).message == NOT_ANSWERED, ex.id
        for odd in ("text", 97, [1, 2], {"a": 1}, pd.DataFrame(), pd.Series([1.0]), object()):
            result = ex.check(odd, *args)  # any answer: a hint, never an exception
            assert isinstance(result, Feedback) and not result.ok, (ex.id, odd)
    assert str(check("10.1", None)) == NOT_ANSWERED


def test_a_check_that_cannot_read_an_answer_says_what_it_expected(totals):
    class Weird(pd.DataFrame):  # a frame whose columns break on access
        @property
        def columns(self):
            raise RuntimeError("boom")
    result = check_pareto_table(Weird({"x": [1]}), totals)
    hint(result, "The check could not read your answer: it expected a "
         "DataFrame with one row per account")


# --- the shapes of a half-done table -----------------------------------------------------------

def test_account_id_as_the_index_asks_for_reset_index(cube, totals):
    indexed = totals.set_index("account_id")
    table = indexed.sort_values("revenue", ascending=False)
    table["share"] = table["revenue"] / table["revenue"].sum()
    table["cum_share"] = table["share"].cumsum()
    hint(check_pareto_table(table, totals), "account_id is the index of your table, not a "
         "column: add .reset_index()")
    hint(check_abc_classes(abc_classes(totals).set_index("account_id"), totals),
         ".reset_index()")
    grouped = cube.groupby("account_id")["revenue"]
    cv = (grouped.std(ddof=0) / grouped.mean()).rename("cv").to_frame()
    hint(check_xyz(cv, cube), ".reset_index()")
    hint(check_totals(cube.groupby("account_id")["revenue"].sum(), cube), ".reset_index()")


def test_one_row_per_account_month_says_add_the_months_up(cube, totals):
    ranked = cube.sort_values("revenue", ascending=False)  # the cube, not the totals
    before = ranked["revenue"].cumsum().shift(fill_value=0) / ranked["revenue"].sum()
    ranked["abc"] = np.select([before < 0.8, before < 0.95], ["A", "B"], "C")
    for result in (check_abc_classes(ranked[["account_id", "abc"]], totals),
                   check_xyz(cube.assign(cv=0.3), cube)):
        hint(result, "has one row per account and month (account ")
        hint(result, "add the months up per account first, e.g. "
             "groupby('account_id')['revenue'].sum()")


# --- the mistakes that used to get the wrong hint ------------------------------------------------

def test_cumsum_before_sorting_says_sort_first(totals):
    early = totals.assign(share=totals["revenue"] / totals["revenue"].sum())
    early["cum_share"] = early["share"].cumsum()
    hint(check_pareto_table(early.sort_values("revenue", ascending=False), totals),
         "Sort first, then cumsum()")


@pytest.mark.parametrize("n, largest", [(200, "B"), (6, "A")])
def test_ascending_abc_says_a_goes_to_the_largest(totals, n, largest):
    if n > len(totals):  # many accounts, none with 20%: the largest end up B, and no C
        revenue = np.random.default_rng(1).lognormal(8, 1.2, n)
        totals = pd.DataFrame({"account_id": [f"{i:03d}" for i in range(n)], "revenue": revenue})
    ranked = totals.sort_values("revenue")  # ascending: the trainee's mistake
    before = ranked["revenue"].cumsum().shift(fill_value=0) / ranked["revenue"].sum()
    ranked["abc"] = np.select([before < 0.8, before < 0.95], ["A", "B"], "C")
    assert "C" not in set(ranked["abc"]) and ranked["abc"].iloc[-1] == largest
    hint(check_abc_classes(ranked[["account_id", "abc"]], totals),
         "A goes to the largest accounts; you gave A to the smallest")


def test_crosstab_of_frames_paired_by_position_says_merge_first(cube, totals):
    abc = abc_classes(totals).sort_values("revenue", ascending=False)  # ranked order
    xyz = xyz_classes(cube)                                             # account order
    by_position = pd.crosstab(abc["abc"].to_numpy(), xyz["xyz"].to_numpy())
    by_position = by_position.reindex(index=list("ABC"), columns=list("XYZ"), fill_value=0)
    hint(check_abc_xyz_matrix(by_position, abc, xyz), "merge them on account_id first")
    both = abc.merge(xyz, on="account_id")
    right = pd.crosstab(both["abc"], both["xyz"]).reindex(index=list("ABC"),
                                                          columns=list("XYZ"), fill_value=0)
    assert check_abc_xyz_matrix(right, abc, xyz).ok


@pytest.mark.parametrize("decimals", [2, 1])
def test_answers_rounded_short_of_three_decimals_say_give_three_decimals(totals, decimals):
    from kamlib.concentration import accounts_for_target, gini

    g = gini(totals["revenue"])
    share = accounts_for_target(totals) / len(totals)
    assert check_gini(round(g, 3), totals).ok
    if round(g, decimals) != round(g, 3):
        hint(check_gini(round(g, decimals), totals), "Give three decimals, as the task asks")
    assert check_share_of_accounts(round(share, 3), totals).ok
    if round(share, decimals) != round(share, 3):
        hint(check_share_of_accounts(round(share, decimals), totals), "Give three decimals")


def test_cv_rounded_to_two_decimals_says_give_three(cube):
    truth = xyz_classes(cube)
    rounded = truth[["account_id", "cv"]].assign(cv=truth["cv"].round(2))
    assert (rounded["cv"] != truth["cv"].round(3)).any()
    hint(check_xyz(rounded, cube), "Give three decimals")
    assert check_xyz(truth[["account_id", "cv"]].round(3), cube).ok


def test_xyz_step_two_asks_for_the_xyz_column(cube):
    truth = xyz_classes(cube)
    hint(check_xyz_classes(truth[["account_id", "cv"]], cube), "Add the column xyz")
    assert check_xyz_classes(truth[["account_id", "cv", "xyz"]], cube).ok


# --- the primer --------------------------------------------------------------------------------

@pytest.fixture
def accounts():
    return pd.DataFrame({"account_id": list("abcdef"), "account_name": list("ABCDEF"),
                         "industry": ["Banking", "Retail", "Banking", "Energy", "Retail",
                                      "Banking"]})


def test_primer_filter(accounts):
    assert check_filter(accounts[accounts["industry"] == "Banking"], accounts).ok
    hint(check_filter(accounts["industry"] == "Banking", accounts), "True/False column")
    hint(check_filter(accounts[accounts["industry"] != "Banking"], accounts),
         "keep only 'Banking'")
    hint(check_filter(accounts[accounts["industry"] == "Banking"].head(2), accounts),
         "Your table has 2 rows; accounts has 3")


def test_primer_group_and_sum(cube):
    g = cube.groupby("account_id")["revenue"]
    assert check_totals(g.sum().reset_index(), cube).ok
    hint(check_totals(g.size().rename("revenue").reset_index(), cube), "You counted the months")
    hint(check_totals(g.mean().reset_index(), cube), "average per month")
    hint(check_totals(cube, cube), "one row per account and month")


def test_primer_merge_and_top(cube, accounts):
    totals = cube.groupby("account_id", as_index=False)["revenue"].sum()
    named = totals.merge(accounts, on="account_id")
    assert check_named(named, cube, accounts).ok
    side_by_side = pd.concat([totals, accounts.iloc[::-1].reset_index(drop=True)
                              .drop(columns="account_id")], axis=1)
    hint(check_named(side_by_side, cube, accounts), "instead of merging on account_id")
    hint(check_named(totals.merge(accounts, left_index=True, right_index=True), cube, accounts),
         "account_id_x and account_id_y")
    top = named.sort_values("revenue", ascending=False).head(5)
    assert check_top(top, cube, accounts).ok
    hint(check_top(named.sort_values("revenue").head(5), cube, accounts), "smallest accounts")
    hint(check_top(named.sort_values("revenue", ascending=False), cube, accounts), "Give 5 rows")


# --- registry and solutions -----------------------------------------------------------------------

def test_every_exercise_has_a_solution_and_solutions_are_shown_not_run():
    ids = [ex.id for ex in exercises()]
    assert ids == ["02.1", "02.2", "02.3", "02.4", "10.1", "10.2", "10.3", "10.4", "10.5",
                   "11.1", "11.2", "11.3", "11.4", "12.1", "12.2", "12.3",
                   "13.1", "13.2", "13.3", "13.4", "13.5", "13.6", "14.1", "14.2", "14.3",
                   "14.4", "14.5",
                   "15.1", "15.2", "15.3", "15.4", "15.5", "16.1", "16.2", "16.3", "16.4"]
    shown = show_solution("10.1")
    assert "my_table = practice" in str(shown)
    assert shown._repr_markdown_().count("```python") == 1
    with pytest.raises(KeyError, match="no exercise '9.9'; the course has 02.1"):
        exercise("9.9")


def test_solutions_solve_their_exercises_on_practice_data(cube):
    window = practice_window("2025-01-01", "2025-12-31", months=9)
    assert window == {"start": "2025-04-01", "end": "2025-12-31"}
    practice = practice_totals(cube.assign(invoices=1), **window)
    monthly = practice_monthly(cube, **window)
    # a, b, d from April (9 months each), c and e from May (8), f from July (6)
    assert len(monthly) == 3 * 9 + 2 * 8 + 6
    p_abc, p_xyz = abc_classes(practice), xyz_classes(cube, **window)
    ns = {"np": np, "pd": pd, "practice": practice, "monthly": monthly, "p_abc": p_abc,
          "p_xyz": p_xyz}
    args = {"10": (practice,), "11.1": (practice,), "11.2": (cube,), "11.3": (cube,),
            "11.4": (p_abc, p_xyz)}
    for ex in exercises("10") + exercises("11"):
        exec(ex.solution, ns)
        options = window if ex.id in ("11.2", "11.3") else {}
        result = ex.check(ns[ex.answer], *args.get(ex.id, args.get(ex.module)), **options)
        assert result.ok, (ex.id, result.message)
