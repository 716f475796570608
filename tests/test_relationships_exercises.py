"""Module 15 as a trainee meets it: each check's hint earned by the answer that earns it, on
small frames shaped like the course's practice data, with hand-computed answers."""

import numpy as np
import pandas as pd
import pytest

from kamlib.exercises import Feedback
from kamlib.exercises.relationships import (check_ladder, check_lift, check_moves,
                                            check_score, check_trend)

AS_OF = pd.Timestamp("2025-12-31")
NAN = float("nan")


def hint(feedback, text):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok and text in feedback.message, feedback.message


# --- 15.1 the ladder from orders -----------------------------------------------------------

@pytest.fixture
def ladder_data():
    """a: 3 months bought; b: 2 months and a month of credit notes only; c: 5 months, lost."""
    rows = [("a", "2025-02-01", 10.0), ("a", "2025-05-01", 10.0), ("a", "2025-09-01", 10.0),
            ("b", "2025-03-01", 10.0), ("b", "2025-04-01", 10.0), ("b", "2025-06-01", -4.0)]
    rows += [("c", f"2025-0{m}-01", 10.0) for m in range(1, 6)]
    months = pd.DataFrame(rows, columns=["account_id", "period", "revenue"])
    months["period"] = pd.to_datetime(months["period"])
    status = pd.DataFrame({"account_id": ["a", "b", "c"],
                           "status": ["active", "active", "lost"]})
    return months, status


def stages(values):
    return pd.DataFrame({"account_id": ["a", "b", "c"], "stage": values})


def test_ladder_correct(ladder_data):
    feedback = check_ladder(stages(["client", "customer", "lost"]), *ladder_data, AS_OF)
    assert feedback.ok and "1 of 3 accounts are clients; 1 are lost" in feedback.message


@pytest.mark.parametrize("values, text", [
    (["client", "client", "lost"], "A month counts only when its net revenue is above 0"),
    (["customer", "customer", "lost"], "Purchases in exactly 3 months make a client"),
    (["client", "customer", "client"], "Lost accounts come off the ladder"),
    (["partner", "customer", "lost"], "Account 'a' is 'client', your table says 'partner'"),
    (["client", "customer"], "Your table has 2 accounts, the answer 3"),
])
def test_ladder_hints(ladder_data, values, text):
    answer = stages(values) if len(values) == 3 else stages(values + [None]).head(2)
    hint(check_ladder(answer, *ladder_data, AS_OF), text)


# --- 15.2 the transition matrix ------------------------------------------------------------

@pytest.fixture
def history():
    """start: a, b client, c supporter; end: a client, b customer, c partner, d new."""
    return pd.DataFrame({
        "account_id": ["a", "b", "c", "a", "b", "c", "d"],
        "as_of": pd.to_datetime(["2024-12-31"] * 3 + ["2025-12-31"] * 4),
        "stage": ["client", "client", "supporter", "client", "customer", "partner", "customer"]})


def moves(rows):
    return pd.DataFrame(rows, columns=["from_stage", "to_stage", "accounts"])


START, END = pd.Timestamp("2024-12-31"), pd.Timestamp("2025-12-31")


def test_moves_correct(history):
    answer = moves([("client", "client", 1), ("client", "customer", 1),
                    ("supporter", "partner", 1), ("not yet", "customer", 1)])
    feedback = check_moves(answer, history, START, END)
    assert feedback.ok and feedback.message == "2 accounts moved up, 1 down, 1 stayed."


@pytest.mark.parametrize("rows, text", [
    ([("client", "client", 1), ("customer", "client", 1), ("partner", "supporter", 1),
      ("customer", "not yet", 1)], "From and to are swapped"),
    ([("client", "client", 1), ("client", "customer", 1), ("supporter", "partner", 1)],
     "count them as coming from 'not yet'"),
    ([("client", "client", 1), ("supporter", "partner", 1)], "Your cells add up to 2"),
    ([("client", "client", 2), ("supporter", "partner", 1), ("not yet", "customer", 1)],
     "The cell client -> client has 1 accounts, your table 2"),
])
def test_moves_hints(history, rows, text):
    hint(check_moves(moves(rows), history, START, END), text)


def test_moves_as_shares_and_from_another_month_are_named():
    """110 accounts: customers at start, clients in June and at the end."""
    ids = [f"x{i}" for i in range(110)]
    dates = [START, pd.Timestamp("2025-06-30"), END]
    long = pd.DataFrame({"account_id": ids * 3, "as_of": [d for d in dates for _ in ids],
                         "stage": ["customer"] * 110 + ["client"] * 220})
    assert check_moves(moves([("customer", "client", 110)]), long, START, END).ok
    hint(check_moves(moves([("customer", "client", 1.0)]), long, START, END),
         "Those are shares of the accounts, not counts")
    hint(check_moves(moves([("client", "client", 110)]), long, START, END),
         "You compared June 2025 with the end: the matrix starts at start (December 2024)")


def test_moves_names_missing_columns(history):
    hint(check_moves(pd.DataFrame({"from": ["a"]}), history, START, END), "missing")


# --- 15.3 the revenue trend ----------------------------------------------------------------

@pytest.fixture
def trend():
    """a: -40% (20), b: +50% (100), c: -100% (0), d: nothing the year before (NaN)."""
    return pd.DataFrame({"account_id": list("abcd"), "revenue_l12m": [60.0, 150, 0, 50],
                         "revenue_p12m": [100.0, 100, 100, 0]})


def trend_answer(values):
    return pd.DataFrame({"account_id": list("abcd"), "revenue_trend": values})


def test_trend_correct(trend):
    feedback = check_trend(trend_answer([20.0, 100.0, 0.0, NAN]), trend)
    assert feedback.ok and "2 of 3 accounts" in feedback.message


@pytest.mark.parametrize("values, text", [
    ([20.0, 200.0, 0.0, NAN], "Growth is no warning"),
    ([20.0, 100.0, -100.0, NAN], "scores 0, not less"),
    ([80.0, 0.0, 100.0, NAN], "That is the warning, not the measure"),
    ([20.0, 100.0, 0.0, 0.0], "leave it NaN"),
    ([25.0, 100.0, 0.0, NAN], "Account 'a' scores 20.0, your table 25.0: its change is -40.0%"),
])
def test_trend_hints(trend, values, text):
    hint(check_trend(trend_answer(values), trend), text)


# --- 15.4 the weighted score ----------------------------------------------------------------

WEIGHTS = {"revenue_trend": 3.0, "breadth": 1.0, "share_of_wallet": 1.0, "rhythm": 2.0,
           "decision_makers": 1.0, "complaints": 1.0}


@pytest.fixture
def measures():
    """a: trend 20, rhythm 50, the rest unknown: (3 x 20 + 2 x 50) / 5 = 32.
    b: trend 100, breadth 40, rhythm 100: (300 + 40 + 200) / 6 = 90."""
    return pd.DataFrame({"account_id": ["a", "b"], "revenue_trend": [20.0, 100.0],
                         "breadth": [NAN, 40.0], "share_of_wallet": [NAN, NAN],
                         "rhythm": [50.0, 100.0], "decision_makers": [NAN, NAN],
                         "complaints": [NAN, NAN]})


def score(values):
    return pd.DataFrame({"account_id": ["a", "b"], "score": values})


def test_score_correct(measures):
    feedback = check_score(score([32.0, 90.0]), measures, WEIGHTS)
    assert feedback.ok and "1 of 2 accounts score below 60" in feedback.message


@pytest.mark.parametrize("values, text", [
    ([17.8, 60.0], "An unknown signal (NaN) is left out"),   # 160 / 9, 540 / 9
    ([35.0, 80.0], "Weigh the signals"),                      # plain means
    ([32.0, 85.0], "Account 'b' scores 90.0, your table 85.0"),
    ([160.0, 540.0], "That is the sum of the weighted signals"),   # not divided at all
    ([32.0, 90.4], "Account 'b' scores 90.0, your table 90.4"),
])
def test_score_hints(measures, values, text):
    hint(check_score(score(values), measures, WEIGHTS), text)


def test_score_in_whole_points_is_named(measures):
    """a: (3 x 20 + 36.5 + 2 x 50) / 6 = 32.75 (33 in whole points)."""
    m = measures.assign(breadth=[36.5, 40.0])
    assert check_score(score([32.8, 90.0]), m, WEIGHTS).ok
    hint(check_score(score([33.0, 90.0]), m, WEIGHTS), "Right to whole points")


# --- 15.5 the backtest's lift ---------------------------------------------------------------

@pytest.fixture
def backtest():
    """Pooled: flagged 1 + 1 lost of 2 + 3 = 0.4, base 3 of 20 = 0.15: lift 2.667. The
    monthly lifts are 0.5 / 0.1 = 5 and (1/3) / 0.2 = 1.667, their mean 3.333."""
    bt = pd.DataFrame({"accounts": [10, 10], "flagged": [2, 3], "flagged_lost": [1, 1],
                       "lost": [1, 2]})
    bt["lift"] = (bt["flagged_lost"] / bt["flagged"]) / (bt["lost"] / bt["accounts"])
    return bt


def test_lift_correct(backtest):
    assert check_lift(2.67, backtest).ok


@pytest.mark.parametrize("answer, text", [
    (3.33, "mean of the monthly lifts"),
    (0.4, "That is the flagged accounts' loss rate"),
    (0.375, "Upside down"),
    (2.7, "Right to one decimal"),
    (5.0, "(flagged_lost / flagged) / (lost / accounts)"),
    ("2.67", "Give one number, not the number written as text"),
])
def test_lift_hints(backtest, answer, text):
    hint(check_lift(answer, backtest), text)


def test_unanswered_is_not_a_try(backtest):
    assert not check_lift(None, backtest).answered
    assert not np.isnan(backtest["lift"]).any()
