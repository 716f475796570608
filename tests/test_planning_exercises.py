"""Module 14 as a trainee meets it: each check's hint earned by the answer that earns it,
the solutions on practice data, the practice data, and the value x need chart.

The answers are written as a trainee writes them, on small frames shaped like the course's
practice data, with hand-computed answers.
"""

import numpy as np
import pandas as pd
import pytest

from kamlib.exercises import Feedback, exercise
from kamlib.exercises.planning import (check_circle_gaps, check_quadrants,
                                       check_share_of_wallet, circle_gaps, practice_contacts,
                                       practice_industry, practice_matrix, practice_wallet)
from kamlib.plots import set_theme, value_need_chart

AS_OF = pd.Timestamp("2025-12-31")


def hint(feedback, text):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok and text in feedback.message, feedback.message


# --- 14.1 share of wallet ------------------------------------------------------------------

@pytest.fixture
def months():
    """a: 100 + 300 in the last 12 months, 200 before; b: 50 before only; c: 1,000."""
    rows = [("a", "2024-03-01", 200.0), ("a", "2025-02-01", 100.0), ("a", "2025-12-01", 300.0),
            ("b", "2024-06-01", 50.0), ("c", "2025-05-01", 1000.0)]
    frame = pd.DataFrame(rows, columns=["account_id", "period", "revenue"])
    return frame.assign(period=pd.to_datetime(frame["period"]))


@pytest.fixture
def wallets():
    return pd.DataFrame({"account_id": ["a", "b", "c"],
                         "wallet_estimate": [1600.0, 500.0, 3000.0]})


def wallet_answer(values):
    return pd.DataFrame({"account_id": ["a", "b", "c"], "share_of_wallet": values})


def test_share_of_wallet_is_last_12_months_over_wallet(months, wallets):
    # a: 400 / 1600 = 0.25; b: nothing in the 12 months = 0; c: 1000 / 3000 = 0.333
    assert check_share_of_wallet(wallet_answer([0.25, 0.0, 0.333]), months, wallets, AS_OF).ok


@pytest.mark.parametrize("values, text", [
    ([0.375, 0.1, 0.333], "You used all the months"),           # a: 600 / 1600; b: 50 / 500
    ([25.0, 0.0, 33.3], "Those are percentages"),
    ([0.125, 0.1, 0.0], "That is the 12 months before"),         # a: 200 / 1600
    ([0.25, 0.0, 0.33], "Give three decimals"),
    ([0.25, 0.0, 0.5], "The share of account 'c' is 0.5 in your table but 0.333"),
])
def test_share_of_wallet_hints(months, wallets, values, text):
    hint(check_share_of_wallet(wallet_answer(values), months, wallets, AS_OF), text)


def test_share_of_wallet_upside_down_and_missing_accounts(months, wallets):
    c_only = wallets.iloc[[0, 2]]
    upside = pd.DataFrame({"account_id": ["a", "c"], "share_of_wallet": [4.0, 3.0]})
    hint(check_share_of_wallet(upside, months, c_only, AS_OF), "Upside down")
    # b bought nothing in the 12 months: upside down its share is empty, still upside down
    empty = wallet_answer([4.0, np.nan, 3.0])
    hint(check_share_of_wallet(empty, months, wallets, AS_OF), "Upside down")
    hint(check_share_of_wallet(wallet_answer([0.25, np.nan, 0.333]), months, wallets, AS_OF),
         "1 account(s) have no share (empty), e.g. 'b'")
    two = wallet_answer([0.25, 0.0, 0.333]).iloc[[0, 2]]
    hint(check_share_of_wallet(two, months, wallets, AS_OF), "missing e.g. 'b'")


# --- 14.2 uncovered circles ----------------------------------------------------------------

@pytest.fixture
def people():
    """a: circle 1 fresh (30 days) and stale (200), circle 2 stale only, no circle 3;
    b: circles 1, 2 and 3 fresh (circle 3 exactly 90 days: still reached); c: nobody."""
    rows = [("a", "Ann", "CIO", 1, 30), ("a", "Budi", "CEO", 1, 200), ("a", "Citra", "CFO", 2, 200),
            ("b", "Dewi", "CIO", 1, 10), ("b", "Eko", "Accountant", 2, 60),
            ("b", "Fajar", "Security", 3, 90), ("b", "Gita", "Engineer", 3, 5)]
    frame = pd.DataFrame(rows, columns=["account_id", "contact_name", "role", "circle", "days"])
    frame["last_contact"] = AS_OF - pd.to_timedelta(frame.pop("days"), unit="D")
    return frame


def gaps(values):
    return pd.DataFrame({"account_id": ["a", "b", "c"], "gaps": values})


def test_circle_gaps_count_stale_circles_and_accounts_without_contacts(people):
    # a: circle 2 lapsed, circle 3 empty = 2; b: 0; c: 3
    assert circle_gaps(people, ["a", "b", "c"], AS_OF).tolist() == [2, 0, 3]
    assert check_circle_gaps(gaps([2, 0, 3]), people, ["a", "b", "c"], AS_OF).ok


@pytest.mark.parametrize("values, text", [
    ([1, 0, 3], "forgot the stale contacts"),        # only circles with nobody at all
    ([2, 0, 0], "You counted contacts"),             # stale contacts: a 2 (Budi, Citra), b 0
    ([2, -1, 3], "You counted contacts"),            # 3 - fresh contacts (a 1, b 4, c 0)
    ([2, 1, 3], "Account 'b' has 0 gap(s)"),
    ([1, 3, 0], "Those are the covered circles"),
])
def test_circle_gap_hints(people, values, text):
    hint(check_circle_gaps(gaps(values), people, ["a", "b", "c"], AS_OF), text)


def test_missing_account_without_contacts_is_named(people):
    hint(check_circle_gaps(gaps([2, 0, 3]).iloc[:2], people, ["a", "b", "c"], AS_OF),
         "an account with no contacts has 3 gaps")


# --- 14.3 value x need ---------------------------------------------------------------------

@pytest.fixture
def matrix():
    """Revenue 50/20/15/10/5 (cum 50, 70, 85: 3 accounts reach 80%); need 8, 3, 5, 9, 2."""
    return pd.DataFrame({"account_id": list("abcde"),
                         "revenue": [500.0, 200.0, 150.0, 100.0, 50.0],
                         "need": [8.0, 3.0, 5.0, 9.0, 2.0]})


def quads(values):
    return pd.DataFrame({"account_id": list("abcde"), "quadrant": values})


RIGHT = ["key account", "maintain", "key account", "develop", "serve"]


def test_quadrants_by_the_80_percent_rule_and_need_5_or_more(matrix):
    assert check_quadrants(quads(RIGHT), matrix).ok
    assert check_quadrants(quads([q.upper() for q in RIGHT]), matrix).ok  # case is forgiven


@pytest.mark.parametrize("values, text", [
    (["key account", "develop", "key account", "maintain", "serve"], "swapped"),
    # median revenue 150: a, b, c high value (same as 80% here), so use need 5 as boundary:
    (["key account", "maintain", "maintain", "develop", "serve"], "Need of exactly 5"),
    # cum share < 0.8 leaves c (50% + 20% + 15% = 85% reached with c) out
    (["key account", "maintain", "develop", "develop", "serve"], None),
    (["key", "maintain", "key", "develop", "serve"], "Unknown quadrant name"),
])
def test_quadrant_hints(matrix, values, text):
    result = check_quadrants(quads(values), matrix)
    if text is None:  # c both just past 80% and at need 5: two readings of one mistake
        assert not result.ok and ("Almost" in result.message or "exactly" in result.message)
    else:
        hint(result, text)


def test_median_split_and_crossing_account_hints():
    # revenue 60/25/10/5: 80% is reached with b (85%); the median (17.5) also splits a, b
    # from c, d, so make the median differ: 6 accounts, 80% reached with the 2nd
    m = pd.DataFrame({"account_id": list("abcdef"),
                      "revenue": [700.0, 150.0, 60.0, 40.0, 30.0, 20.0],
                      "need": [8.0, 8.0, 8.0, 2.0, 2.0, 2.0]})
    # cum: 70%, 85% -> a, b high value; median 50 -> a, b, c high value
    right = ["key account", "key account", "develop", "serve", "serve", "serve"]
    assert check_quadrants(pd.DataFrame({"account_id": list("abcdef"), "quadrant": right}), m).ok
    median = ["key account", "key account", "key account", "serve", "serve", "serve"]
    hint(check_quadrants(pd.DataFrame({"account_id": list("abcdef"), "quadrant": median}), m),
         "You split value at the median")
    short = ["key account", "develop", "develop", "serve", "serve", "serve"]
    hint(check_quadrants(pd.DataFrame({"account_id": list("abcdef"), "quadrant": short}), m),
         "Almost: the account whose revenue takes the running total past 80%")


# --- practice data and solutions -------------------------------------------------------------

@pytest.fixture
def portfolio():
    accounts = pd.DataFrame({"account_id": ["a", "b", "c", "d"],
                             "industry": ["Bank", "Bank", "Retail", "Bank"],
                             "wallet_estimate": [1000.0, 0.0, 500.0, 800.0],
                             "need_score": [7.0, None, 3.0, 2.0]})
    periods = pd.to_datetime(["2023-06-01", "2024-06-01", "2025-06-01"])
    am = pd.DataFrame([(a, p, r) for a, r in (("a", 100.0), ("b", 50.0), ("c", 80.0),
                                              ("d", 10.0)) for p in periods],
                      columns=["account_id", "period", "revenue"])
    return accounts, am


def test_practice_data_are_the_largest_industry(portfolio):
    accounts, am = portfolio
    assert practice_industry(accounts) == "Bank"
    assert practice_industry(accounts.drop(columns="industry")) is None
    months, wallets = practice_wallet(am, accounts, "Bank", AS_OF)
    # b's wallet is 0: left out; 24 months back from December 2025 is January 2024
    assert wallets["account_id"].tolist() == ["a", "d"]
    assert months["period"].min() == pd.Timestamp("2024-06-01") and len(months) == 4
    proxy = pd.DataFrame({"account_id": ["b"], "need_proxy": [6.5]})
    m = practice_matrix(am, accounts, "Bank", "2025-01-01", "2025-12-31", proxy=proxy)
    assert m.values.tolist() == [["a", 100.0, 7.0], ["b", 50.0, 6.5], ["d", 10.0, 2.0]]
    people = pd.DataFrame({"account_id": ["c", "a"], "contact_name": ["X", "Y"],
                           "role": ["CIO", "CFO"], "circle": [1, 2],
                           "last_contact": pd.to_datetime(["2025-01-01"] * 2)})
    p_contacts, p_accounts = practice_contacts(people, accounts, "Bank")
    assert p_accounts.tolist() == ["a", "b", "d"]
    assert set(p_contacts["account_id"]) <= {"a", "b", "d"}  # c is Retail
    # the real contact (Y at a) stays; added ones make every case occur: a (the first) gets
    # all three circles, b (the second) a circle-3 contact not reached for 200 days, d (the
    # third) circles 1 and 2
    real = p_contacts[~p_contacts["contact_name"].str.startswith("Practice contact")]
    assert real["contact_name"].tolist() == ["Y"]
    added = p_contacts[p_contacts["contact_name"].str.startswith("Practice contact")]
    assert added.groupby("account_id")["circle"].apply(sorted).to_dict() == {
        "a": [1, 2, 3], "b": [3], "d": [1, 2]}
    assert (pd.Timestamp("2025-01-01") - added["last_contact"]).dt.days.tolist() == [
        15, 30, 45, 200, 20, 25]


def test_solutions_solve_their_exercises(months, wallets, people, matrix):
    ns = {"np": np, "pd": pd, "as_of": AS_OF, "wallet_months": months, "wallets": wallets,
          "p_contacts": people, "p_accounts": pd.Series(["a", "b", "c"]), "p_matrix": matrix}
    exec(exercise("14.1").solution, ns)
    assert check_share_of_wallet(ns["my_wallet"], months, wallets, AS_OF).ok
    exec(exercise("14.2").solution, ns)
    assert check_circle_gaps(ns["my_gaps"], people, ["a", "b", "c"], AS_OF).ok
    exec(exercise("14.3").solution, ns)
    assert check_quadrants(ns["my_quadrants"], matrix).ok


# --- the chart -------------------------------------------------------------------------------

def test_value_need_chart_draws_quadrants_lines_and_few_names():
    set_theme()
    m = pd.DataFrame({"account_id": list("abcdefgh"),
                      "share": [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02],
                      "need": [8.0, 7.0, 6.0, 9.0, 3.0, 5.0, 8.0, 1.0],
                      "high_value": [True] * 6 + [False] * 2,
                      "quadrant": ["key account"] * 4 + ["maintain", "key account", "develop",
                                                         "serve"]})
    fig = value_need_chart(m, names={"a": "$Bank$ A"}, label=3, need_threshold=5.0)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "account-label"]
    assert labels == ["\\$Bank\\$ A", "b", "c"]  # the three largest key accounts, drawn as written
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == "quadrant-line"]
    assert [ln.get_ydata()[0] for ln in lines][0] == 0.08  # the smallest high-value share
    assert lines[1].get_xdata()[0] == 5.0
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == [
        "develop (1)", "key account (5)", "maintain (1)", "serve (1)"]
    # names never overlap: at least 0.25 decades apart
    ys = sorted(np.log10(t.get_position()[1]) for t in ax.texts
                if t.get_gid() == "account-label")
    assert min(np.diff(ys)) >= 0.25 - 1e-9


def test_quadrant_any_other_mistake_names_one_account(matrix):
    wrong = ["key account", "maintain", "key account", "serve", "serve"]  # d is develop
    hint(check_quadrants(quads(wrong), matrix), "Account 'd' is 'develop', your table says "
         "'serve'")


def test_a_column_of_text_is_named_not_compared(months, wallets, people):
    """Numbers typed as text ("25%", "2") are the one thing a trainee's column can hold that
    the comparison cannot read: the check names the column and what it holds."""
    wallet = check_share_of_wallet(wallet_answer(["25%", "0%", "33%"]), months, wallets, AS_OF)
    hint(wallet, "Your share_of_wallet column holds ")  # str or object, by pandas version
    hint(wallet, ", not numbers.")
    circles = check_circle_gaps(gaps(["2", "0", "3"]), people, ["a", "b", "c"], AS_OF)
    hint(circles, "Your gaps column holds ")
    hint(circles, ", not numbers.")
