"""The checks of 13.5, 13.6, 14.4 and 14.5 on small hand-computed cases (the course harness
runs them on the sample, as a trainee meets them)."""

import pandas as pd

from kamlib.exercises.lifetime import check_lifetime
from kamlib.exercises.planning_interact import check_due
from kamlib.exercises.proposals import check_proposals
from kamlib.exercises.spend import check_spend

KIT = {"years": 2, "discount_rate": 0.0, "growth": 0.0, "cost_savings": 0.1, "referrals": 0.0,
       "price_premium": 0.0}


def test_lifetime_by_hand():
    # year 1: 100; year 2: 100 x (1 + 0.1 x 1) = 110, there with chance 0.5: 55; less 50
    assert check_lifetime(105, 100.0, 50.0, 0.5, KIT).ok
    assert "cost of winning" in check_lifetime(155, 100.0, 50.0, 0.5, KIT).message
    # rates from year 1: 110 + 120 x 0.5 - 50
    assert "from 0 in the first year" in check_lifetime(120, 100.0, 50.0, 0.5, KIT).message


def test_spend_by_hand():
    s = pd.DataFrame({"account_id": ["a", "b", "c"], "frequency": [0, 4, 2],
                      "monetary_value": [0.0, 50.0, -10.0]})
    params = {"p": 2.0, "q": 3.0, "v": 20.0}  # mean 2 x 20 / 2 = 20; b: 2 x 220 / 10 = 44
    right = pd.DataFrame({"account_id": ["a", "b", "c"], "expected_spend": [20.0, 44.0, 20.0]})
    assert check_spend(right, s, params).ok
    raw = right.assign(expected_spend=[20.0, 44.0, 2 * (20 - 20) / 6])  # c's credit notes
    assert "credit notes" in check_spend(raw, s, params).message


def test_due_by_hand():
    # as of Wednesday 31 December 2025, the 25th a holiday: after Thursday the 18th come
    # 19, 22, 23, 24, 26, 29, 30, 31 (8); after the 22nd: 23, 24, 26, 29, 30, 31 (6)
    v = pd.DataFrame({"account_id": ["a", "b", "c"], "quadrant": ["maintain", "key account",
                                                                  "maintain"],
                      "last_contact": pd.to_datetime(["2025-12-18", "2025-12-22", None])})
    cad = {"key account": 5, "maintain": 8}
    truth = pd.DataFrame({"account_id": ["a", "b", "c"], "due": [True, True, True]})
    assert check_due(truth, v, cad, [pd.Timestamp("2025-12-25").date()], "2025-12-31").ok
    late = pd.DataFrame({"account_id": ["a", "b", "c", "d"],
                         "quadrant": ["maintain", "key account", "maintain", "key account"],
                         "last_contact": pd.to_datetime(["2025-12-19", "2025-12-24", None,
                                                         "2025-12-26"])})
    # a: 22, 23, 24, 26, 29, 30, 31 = 7 < 8; b: 26, 29, 30, 31 = 4 < 5; d: 29, 30, 31 = 3;
    # counting the 25th, a and b are due (8, 5); in calendar days d is too (5)
    holiday = [pd.Timestamp("2025-12-25").date()]
    assert check_due(pd.DataFrame({"account_id": list("abcd"), "due": [0, 0, 1, 0]}), late,
                     cad, holiday, "2025-12-31").ok
    said = check_due(pd.DataFrame({"account_id": list("abcd"), "due": [1, 1, 1, 0]}), late,
                     cad, holiday, "2025-12-31")
    assert not said.ok and "public holidays" in said.message
    said = check_due(pd.DataFrame({"account_id": list("abcd"), "due": [1, 1, 1, 1]}), late,
                     cad, holiday, "2025-12-31")
    assert "calendar days" in said.message


def test_proposals_by_hand():
    # a owns x; b and c buy y (30, 50 over 2 years: median 40, 20 a year); a's y is a credit
    # note (not bought); z is bought by b alone
    p = pd.DataFrame({"account_id": ["a", "b", "c", "a", "b", "c", "b"],
                      "product": ["x", "x", "x", "y", "y", "y", "z"],
                      "revenue": [10.0, 30, 50, -5, 30, 50, 9]})
    right = pd.DataFrame({"product": ["y"], "peer_yearly_value": [20.0],
                          "expected_yearly_value": [5.0]})
    assert check_proposals(right, p, "a", 2.0, {"x": 0.25, "y": 0.25, "z": 0.25}).ok
    with_z = pd.concat([right, pd.DataFrame({"product": ["z"], "peer_yearly_value": [4.5],
                                             "expected_yearly_value": [1.1]})])
    assert "1 peer(s) only" in check_proposals(with_z, p, "a", 2.0, {"y": 0.25, "z": 0.25}
                                               ).message
    empty = right.iloc[:0]
    assert "only credit notes for 'y'" in check_proposals(empty, p, "a", 2.0, {"y": 0.25}
                                                          ).message
