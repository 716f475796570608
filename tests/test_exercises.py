"""kamlib.exercises: every check accepts the right answer and names each typical mistake."""

import numpy as np
import pandas as pd
import pytest

from kamlib.abcxyz import abc_classes, xyz_classes
from kamlib.concentration import gini, hhi, pareto_table
from kamlib.exercises import Feedback, close
from kamlib.exercises.abcxyz import check_abc_classes, check_abc_xyz_matrix, check_xyz
from kamlib.exercises.concentration import (check_accounts_for_target, check_gini, check_hhi,
                                            check_pareto_table, check_share_of_accounts)


def ok(feedback):
    assert isinstance(feedback, Feedback)
    assert feedback.ok, feedback.message
    return feedback


def hint(feedback, text):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok and text in feedback.message, feedback.message
    return feedback


# --- Feedback -------------------------------------------------------------------------------

def test_feedback_renders_and_escapes():
    good, bad = Feedback.correct("Fine."), Feedback.hint("Account <script> is off & wrong")
    assert bool(good) and not bool(bad)
    assert str(good) == "Correct. Fine." and str(bad).startswith("Not yet: Account")
    assert "Correct." in good._repr_html_() and "#2e7d32" in good._repr_html_()
    page = bad._repr_html_()
    assert "<script>" not in page and "&lt;script&gt; is off &amp; wrong" in page


def test_close_accepts_three_decimals_only_for_numbers():
    assert close(0.143, 919 / 6427) and not close(0.144, 919 / 6427)
    assert not close("0.143", 0.143) and not close(True, 1.0) and not close(np.nan, 0.0)


# --- Pareto table ---------------------------------------------------------------------------

@pytest.fixture
def totals():
    # revenue 10, 60, 25, 3, 2 (total 100); invoices ranked differently on purpose
    return pd.DataFrame({"account_id": list("abcde"), "revenue": [10.0, 60, 25, 3, 2],
                         "invoices": [40, 5, 12, 2, 1]})


def trainee_table(totals, col="revenue"):
    """What a trainee writes: sort, share, cumulative share."""
    t = totals[["account_id", col]].sort_values(col, ascending=False)
    t["share"] = t[col] / t[col].sum()
    t["cum_share"] = t["share"].cumsum()
    return t


def test_pareto_table_right_answers(totals):
    ok(check_pareto_table(pareto_table(totals[["account_id", "revenue"]]), totals))
    assert "60.0%" in ok(check_pareto_table(trainee_table(totals), totals)).message


def test_pareto_table_wrong_shape(totals):
    hint(check_pareto_table(totals.to_dict(), totals), "Give a table (DataFrame) with the columns")
    hint(check_pareto_table(trainee_table(totals).rename(columns={"share": "pct"}), totals),
         "Wrong column names: expected account_id, revenue, share, cum_share; "
         "missing share")
    hint(check_pareto_table(trainee_table(totals).iloc[:3], totals),
         "Your table has 3 accounts, the data 5")
    monthly = pd.concat([trainee_table(totals), trainee_table(totals)])
    hint(check_pareto_table(monthly, totals), "one row per account and month")


def test_pareto_table_wrong_column_ranked(totals):
    hint(check_pareto_table(trainee_table(totals, "invoices"), totals),
         "You have 'invoices': the table ranks revenue, not invoices")
    renamed = trainee_table(totals, "invoices").rename(columns={"invoices": "revenue"})
    hint(check_pareto_table(renamed, totals), "you used the invoices instead of revenue")
    typo = trainee_table(totals)
    typo.loc[typo["account_id"] == "c", "revenue"] = 52.0
    hint(check_pareto_table(typo, totals), "The revenue of account 'c' is 52 in your table "
         "but 25 in the data")


def test_pareto_table_wrong_order(totals):
    hint(check_pareto_table(trainee_table(totals).iloc[::-1], totals), "You sorted ascending")
    unsorted = totals[["account_id", "revenue"]].assign(share=totals["revenue"] / 100)
    unsorted["cum_share"] = unsorted["share"].cumsum()
    hint(check_pareto_table(unsorted, totals), "not sorted by revenue, largest first")


def test_pareto_table_wrong_shares(totals):
    t = trainee_table(totals)
    hint(check_pareto_table(t.assign(share=t["share"] * 100), totals), "sum to 100")
    by_max = t.assign(share=t["revenue"] / t["revenue"].max())
    hint(check_pareto_table(by_max, totals), "Your shares do not sum to 1 (they sum to 1.66667)")
    hint(check_pareto_table(t.assign(share=0.2), totals),
         "share should be each account's revenue / the total revenue")


def test_pareto_table_wrong_cumulative_share(totals):
    t = trainee_table(totals)
    hint(check_pareto_table(t.assign(cum_share=t["revenue"].cumsum()), totals),
         "The cumulative share should end at 1.0; yours ends at 100. You cumulated the revenue")
    # cumulated before sorting: a .10, b .70, c .95, d .98, e 1.0 -> sorted b c a d e
    early = totals[["account_id", "revenue"]].assign(share=totals["revenue"] / 100)
    early["cum_share"] = early["share"].cumsum()
    early = early.sort_values("revenue", ascending=False)
    hint(check_pareto_table(early, totals), "before sorting. Sort first, then cumsum()")
    # the same with the smallest account not last in the data (it ends at e's 0.72): the
    # "sort first" hint must still fire, not "should end at 1.0"
    moved = totals.iloc[[0, 1, 4, 2, 3]]
    early = moved[["account_id", "revenue"]].assign(share=moved["revenue"] / 100)
    early["cum_share"] = early["share"].cumsum()
    hint(check_pareto_table(early.sort_values("revenue", ascending=False), totals),
         "Sort first, then cumsum()")


# --- the vital few --------------------------------------------------------------------------

@pytest.fixture
def forty():
    # 300 200 150 100 80 60 40 30 20 10 and thirty of 1 (total 1,020):
    # cum .294 .490 .637 .735 .814 -> 5 accounts make 80% (12.5% of 40);
    # from the smallest up it takes all 40; the 80/20 rule would say 8
    values = [300, 200, 150, 100, 80, 60, 40, 30, 20, 10] + [1] * 30
    return pd.DataFrame({"account_id": [f"{i:02d}" for i in range(40)],
                         "revenue": [float(v) for v in values]})


def test_accounts_for_target(forty):
    assert "5 of 40 accounts (12.5%)" in ok(check_accounts_for_target(5, forty)).message
    ok(check_accounts_for_target(np.int64(5), forty))
    hint(check_accounts_for_target(4, forty), "Off by one: you counted the accounts strictly "
         "below 80%. The account that crosses 80% belongs to the vital few")
    hint(check_accounts_for_target(6, forty), "One too many")
    hint(check_accounts_for_target(0.125, forty), "That is a share of accounts")
    hint(check_accounts_for_target(12.5, forty), "That is a share of accounts")
    hint(check_accounts_for_target(40, forty), "You counted from the smallest accounts")
    hint(check_accounts_for_target(8, forty), "80/20 rule of thumb")
    hint(check_accounts_for_target("5", forty), "whole number")
    hint(check_accounts_for_target(11, forty), "count the accounts until the cumulative share")
    ok(check_accounts_for_target(6, forty, target=0.85))  # .814, .873


def test_share_of_accounts(forty):
    ok(check_share_of_accounts(0.125, forty))
    ok(check_share_of_accounts(0.1254, forty))  # rounded is fine
    hint(check_share_of_accounts(12.5, forty), "You gave a percentage")
    hint(check_share_of_accounts(5, forty), "That is the number of accounts")
    hint(check_share_of_accounts(0.1, forty), "Off by one")
    hint(check_share_of_accounts(0.875, forty), "share of the other accounts")
    hint(check_share_of_accounts(0.8, forty), "80% is the share of revenue")
    hint(check_share_of_accounts(0.3, forty), "divide by the number of accounts")
    hint(check_share_of_accounts(None, forty), "Not answered yet")
    hint(check_share_of_accounts("0.125", forty), "number between 0 and 1")


def test_share_of_accounts_telecom():
    ids = [f"C{i:05d}" for i in range(6427)]
    totals = pd.DataFrame({"account_id": ids, "revenue": [22032.0] * 919 + [919.0] * 5508})
    ok(check_share_of_accounts(0.143, totals))
    ok(check_accounts_for_target(919, totals))
    hint(check_accounts_for_target(918, totals), "Off by one")


# --- Gini and HHI ---------------------------------------------------------------------------

def test_gini(forty):
    g, n = gini(forty["revenue"]), 40  # 0.8350
    assert ok(check_gini(round(g, 3), forty)).message == "Gini = 0.835."
    hint(check_gini(100 * g, forty), "You gave a percentage")
    hint(check_gini(-g, forty), "you sorted descending")
    hint(check_gini(g * n / (n - 1), forty), "small-sample correction")
    hint(check_gini((1 - g) / 2, forty), "area under the Lorenz curve: Gini = 1 - 2 x area")
    hint(check_gini(1 - g, forty), "1 - Gini")
    hint(check_gini(1.4, forty), "lies in [0, 1)")
    hint(check_gini(0.5, forty), "Sort the totals ascending")
    hint(check_gini([g], forty), "Give a number")


def test_hhi(forty):
    h = hhi(forty["revenue"])  # 0.16871
    ok(check_hhi(round(h, 4), forty))
    assert "points" in ok(check_hhi(round(h * 10_000), forty)).message
    hint(check_hhi(1.0, forty), "without squaring")
    hint(check_hhi(float((forty["revenue"] ** 2).sum()), forty), "Square the shares, not")
    hint(check_hhi(1 / h, forty), "effective number of accounts")
    hint(check_hhi(0.3, forty), "square the shares, add them up")


# --- ABC --------------------------------------------------------------------------------------

@pytest.fixture
def ten():
    # 40 20 15 10 | 6 4 | 2 1.5 1 .5 (total 100): cum .40 .60 .75 .85 | .91 .95 | ...
    # A = a-d (d crosses 80%), B = e-f (f reaches 95%), C = g-j
    return pd.DataFrame({"account_id": list("abcdefghij"),
                         "revenue": [40.0, 20, 15, 10, 6, 4, 2, 1.5, 1, 0.5]})


def answer(labels, ids="abcdefghij"):
    return pd.DataFrame({"account_id": list(ids), "abc": list(labels)})


def test_abc_right_answers(ten):
    assert ok(check_abc_classes(answer("AAAABBCCCC"), ten)).message == "4 A, 2 B, 4 C accounts."
    ok(check_abc_classes(abc_classes(ten), ten))
    ok(check_abc_classes(dict(zip("abcdefghij", "AAAABBCCCC")), ten))
    ok(check_abc_classes(answer("AAAABBCCCC").set_index("account_id")["abc"], ten))


def test_abc_ties_may_be_split_either_way():
    # five of 10: cum .2 .4 .6 .8 | 1.0: any four are A
    five = pd.DataFrame({"account_id": list("abcde"), "revenue": [10.0] * 5})
    ok(check_abc_classes(answer("BAAAA", "abcde"), five))
    hint(check_abc_classes(answer("BBAAA", "abcde"), five), "wrong class")


def test_abc_typical_mistakes(ten):
    hint(check_abc_classes(answer("CCCCBBAAAA"), ten), "A goes to the largest accounts; you gave A to the smallest")
    hint(check_abc_classes(answer("AAABBBCCCC"), ten),
         "The account that crosses 80% belongs to A")
    hint(check_abc_classes(answer("AAAABCCCCC"), ten),
         "The account that crosses 95% belongs to B")
    hint(check_abc_classes(answer("AABBBCCCCC"), ten), "You cut by the share of accounts")
    hint(check_abc_classes(answer("AAAABBCCBC"), ten), "1 account(s) are in the wrong class, "
         "e.g. 'i'")


def test_abc_malformed_answers(ten):
    hint(check_abc_classes(answer("aaaabbcccc"), ten), "Use capital letters")
    hint(check_abc_classes(answer("1111223333"), ten), "Classes must be A, B, C")
    hint(check_abc_classes(answer("AAAABBCCC", "abcdefghi"), ten), "1 account(s) have no "
         "class, e.g. 'j'")
    hint(check_abc_classes(answer("AAAABBCCCC").replace({"abc": {"C": None}}), ten),
         "4 account(s) have an empty class")
    hint(check_abc_classes(answer("AAAABBCCCC").rename(columns={"abc": "class"}), ten),
         "Wrong column names: expected account_id, abc; missing abc")
    hint(check_abc_classes(["A"] * 10, ten), "Give a table (DataFrame)")


# --- XYZ --------------------------------------------------------------------------------------

@pytest.fixture
def cube():
    # Jan-Mar 2024, as in test_abcxyz: a 10 12 8 (X); b 30 - 30 (Y); c - - 5 (too few);
    # e 5 - 40 (Z); f - 10 10 (too few; cv 0)
    rows = [("a", 1, 10), ("a", 2, 12), ("a", 3, 8), ("b", 1, 30), ("b", 3, 30), ("c", 3, 5),
            ("e", 1, 5), ("e", 3, 40), ("f", 2, 10), ("f", 3, 10)]
    return pd.DataFrame({"account_id": [r[0] for r in rows],
                         "period": pd.to_datetime([f"2024-{r[1]:02d}-01" for r in rows]),
                         "revenue": [float(r[2]) for r in rows]})


def cv_answer(cv: pd.Series):
    return cv.rename("cv").rename_axis("account_id").reset_index()


def test_xyz_right_answers(cube):
    assert ok(check_xyz(xyz_classes(cube), cube)).message == "1 X, 1 Y, 3 Z accounts."
    truth = xyz_classes(cube)
    ok(check_xyz(truth[["account_id", "cv"]].round(3), cube))
    ok(check_xyz(truth[["account_id", "xyz"]], cube))


def test_xyz_typical_cv_mistakes(cube):
    truth = xyz_classes(cube).set_index("account_id")
    n = truth["n_periods"]
    sample = truth["cv"] * np.sqrt(n / (n - 1))
    hint(check_xyz(cv_answer(sample), cube), "You used the sample standard deviation (ddof=1")
    rows = cube.groupby("account_id")["revenue"]
    hint(check_xyz(cv_answer(rows.std(ddof=0) / rows.mean()), cube),
         "You ignored months with no purchase")
    hint(check_xyz(cv_answer(rows.std() / rows.mean()), cube),  # the pandas one-liner
         "You ignored months with no purchase (they count as 0) and used the sample std")
    grid = cube.pivot_table(index="account_id", columns="period", values="revenue",
                            aggfunc="sum", fill_value=0)
    hint(check_xyz(cv_answer(grid.std(axis=1, ddof=0) / grid.mean(axis=1)), cube),
         "You counted the months before an account's first purchase as 0")
    hint(check_xyz(cv_answer(1 / truth["cv"]), cube), "cv is the standard deviation divided by")
    hint(check_xyz(cv_answer(truth["cv"] + 0.1), cube), "The cv of account 'a' is 0.263")


def test_xyz_typical_class_mistakes(cube):
    truth = xyz_classes(cube)
    by_cv = truth.assign(xyz=np.select([truth["cv"] <= 0.5, truth["cv"] <= 1.0], ["X", "Y"],
                                       "Z"))
    hint(check_xyz(by_cv[["account_id", "xyz"]], cube), "fewer than 3 periods are Z")
    hint(check_xyz(truth.assign(xyz=truth["xyz"].where(truth["n_periods"] >= 3)), cube),
         "have an empty class")
    hint(check_xyz(truth.assign(xyz="X"), cube), "4 account(s) are in the wrong class, e.g. 'b'")
    hint(check_xyz(truth.assign(xyz=truth["xyz"].str.lower()), cube), "Use capital letters")


def test_xyz_malformed_answers(cube):
    hint(check_xyz(xyz_classes(cube).iloc[1:], cube), "1 account(s) are missing, e.g. 'a'")
    hint(check_xyz(xyz_classes(cube)[["account_id", "mean"]], cube), "the columns account_id and cv (and xyz)")
    hint(check_xyz([0.1, 0.2], cube), "yours is a list")


# --- matrix -----------------------------------------------------------------------------------

@pytest.fixture
def classes():
    # a AX, b AX, c BX, d CZ, e CX: no Y at all
    abc = pd.DataFrame({"account_id": list("abcde"), "abc": list("AABCC")})
    xyz = pd.DataFrame({"account_id": list("abcde"), "xyz": list("XXXZX")})
    return abc, xyz


def test_matrix_right_answer(classes):
    abc, xyz = classes
    right = pd.crosstab(abc["abc"], xyz["xyz"]).reindex(index=list("ABC"), columns=list("XYZ"),
                                                        fill_value=0)
    assert ok(check_abc_xyz_matrix(right, abc, xyz)).message == "The fullest cell is AX."


def test_matrix_typical_mistakes(classes):
    abc, xyz = classes
    hint(check_abc_xyz_matrix(pd.crosstab(abc["abc"], xyz["xyz"]), abc, xyz),
         "all nine cells are needed, empty ones as 0")
    full = pd.crosstab(abc["abc"], xyz["xyz"]).reindex(index=list("ABC"), columns=list("XYZ"),
                                                       fill_value=0)
    hint(check_abc_xyz_matrix(full.T, abc, xyz), "Your matrix is transposed")
    hint(check_abc_xyz_matrix(full / 5, abc, xyz), "Your cells are shares")
    dropped = full.copy()
    dropped.loc["C", "Z"] = 0
    hint(check_abc_xyz_matrix(dropped, abc, xyz), "Your counts add up to 4, but there are 5")
    swapped = full.copy()
    swapped.loc["A", "X"], swapped.loc["A", "Y"] = 1, 1
    hint(check_abc_xyz_matrix(swapped, abc, xyz), "Cell AX should hold 2 accounts, yours 1")
    hint(check_abc_xyz_matrix(full.rename(index={"A": "1"}), abc, xyz), "Rows must be A, B, C")
    hint(check_abc_xyz_matrix(full.to_numpy(), abc, xyz), "Give a table (DataFrame, e.g.")
