"""kamlib.concentration against hand-computed answers, edge cases and invariants."""

import html

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.concentration import (ConcentrationSummary, account_totals, accounts_for_target,
                                  concentration_summary, gini, hhi, lorenz_curve, pareto_table,
                                  top_n_share)

PROPERTY = settings(max_examples=100, deadline=None)


def frame(values, ids=None, value="revenue", account="account_id"):
    ids = ids if ids is not None else [chr(ord("a") + i) for i in range(len(values))]
    return pd.DataFrame({account: ids, value: [float(v) for v in values]})


@pytest.fixture
def cube():
    # a: Jan 100, Feb 50 (cost unknown in Feb); b: Jan 30, Mar 20; c: Mar 0
    return pd.DataFrame({
        "account_id": ["a", "a", "b", "b", "c"],
        "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-03-01",
                                  "2024-03-01"]),
        "revenue": [100.0, 50.0, 30.0, 20.0, 0.0],
        "cost": [60.0, np.nan, 10.0, 5.0, 1.0],
    })


def telecom():
    """6,427 accounts of which exactly 919 make exactly 80% of revenue.

    919 accounts of 22,032 and 5,508 of 919: the top 919 make 919 x 22,032 = 20,247,408 of
    20,247,408 + 5,508 x 919 = 25,309,260, which is 0.8 exactly (0.8 x 25,309,260).
    """
    ids = [f"C{i:05d}" for i in range(6427)]
    values = [22032.0] * 919 + [919.0] * 5508
    shuffled = np.random.default_rng(7).permutation(6427)  # input order must not matter
    return frame(np.array(values)[shuffled], list(np.array(ids)[shuffled]))


# --- account_totals ---------------------------------------------------------------------

def test_account_totals_sums_per_account(cube):
    # a: 100 + 50 = 150; b: 30 + 20 = 50; c: 0
    out = account_totals(cube)
    assert out.to_dict("list") == {"account_id": ["a", "b", "c"], "revenue": [150.0, 50.0, 0.0]}


def test_account_totals_window_is_inclusive_and_whole_months(cube):
    # Feb 15 .. Mar 1: February (rounded out to the whole month) and March
    out = account_totals(cube, start="2024-02-15", end="2024-03-01")
    assert out.to_dict("list") == {"account_id": ["a", "b", "c"], "revenue": [50.0, 20.0, 0.0]}
    assert account_totals(cube, end="2024-01-31")["revenue"].tolist() == [100.0, 30.0]


def test_account_totals_keeps_unknown_cost_unknown(cube):
    # a's February cost is missing: its total is unknown, not 60; b: 10 + 5; c: 1
    out = account_totals(cube, value="cost").set_index("account_id")["cost"]
    assert np.isnan(out["a"]) and out["b"] == 15.0 and out["c"] == 1.0


def test_account_totals_other_column_names():
    f = pd.DataFrame({"acct": ["x", "x"], "profit": [3.0, -1.0]})
    assert account_totals(f, account="acct", value="profit").to_dict("list") == \
        {"acct": ["x"], "profit": [2.0]}


def test_account_totals_clear_errors(cube):
    with pytest.raises(ValueError, match=r"column\(s\) \['sales'\] not found"):
        account_totals(cube, value="sales")
    with pytest.raises(ValueError, match="starts .* after it ends"):
        account_totals(cube, start="2024-03-01", end="2024-01-01")
    with pytest.raises(TypeError, match="must hold dates"):
        account_totals(cube.assign(period="2024-01"), start="2024-01-01")
    with pytest.raises(TypeError, match="'revenue' must be numeric"):
        account_totals(cube.assign(revenue="1.234,50"))


# --- pareto_table -------------------------------------------------------------------------

def test_pareto_table_by_hand():
    # total 100; ranked b 50, d 25, a 15, c 10: cum 0.5, 0.75, 0.9, 1.0 -> 80% needs 3
    t = pareto_table(frame([15, 50, 10, 25]))
    assert t["account_id"].tolist() == ["b", "d", "a", "c"]
    assert t["rank"].tolist() == [1, 2, 3, 4]
    assert t["share"].tolist() == [0.5, 0.25, 0.15, 0.1]
    assert t["cum_share"].tolist() == pytest.approx([0.5, 0.75, 0.9, 1.0])
    assert t["account_share"].tolist() == [0.25] * 4
    assert t["cum_account_share"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert t["vital_few"].tolist() == [True, True, True, False]
    assert list(t.columns) == ["rank", "account_id", "revenue", "share", "cum_share",
                               "account_share", "cum_account_share", "vital_few"]


def test_ties_are_broken_by_account_id_whatever_the_input_order():
    # three accounts of 10: order z, y, x in, x, y, z out
    t = pareto_table(frame([10, 10, 10, 5], ids=["z", "y", "x", "w"]))
    assert t["account_id"].tolist() == ["x", "y", "z", "w"]


def test_account_that_crosses_the_target_is_in_the_vital_few():
    # 60 + 25 = 85 of 100 crosses 80%: both accounts are needed
    assert pareto_table(frame([60, 25, 10, 5]))["vital_few"].tolist() == [True, True, False, False]


def test_exact_target_survives_float_round_off():
    # (0.9 + 0.3) / 1.5 is 0.7999999999999999 in floats, but is 80%: 2 accounts, not 3
    t = pareto_table(frame([0.9, 0.3, 0.3]))
    assert t["cum_share"].iloc[1] < 0.8
    assert t["vital_few"].sum() == 2


def test_negative_values_make_a_whale_curve():
    # profit 100, 60, -20, -40: net 100; cum 1.0, 1.6, 1.4, 1.0
    t = pareto_table(frame([-20, 100, -40, 60], value="profit"), value="profit")
    assert t["profit"].tolist() == [100.0, 60.0, -20.0, -40.0]
    assert t["cum_share"].tolist() == pytest.approx([1.0, 1.6, 1.4, 1.0])
    assert t["cum_share"].iloc[-1] == 1.0
    assert t["vital_few"].tolist() == [True, False, False, False]


def test_one_account():
    t = pareto_table(frame([42]))
    assert t[["rank", "share", "cum_share", "vital_few"]].iloc[0].tolist() == [1, 1.0, 1.0, True]


def test_zero_value_accounts_are_never_vital_even_at_target_one():
    # 3 + 1 = 4 reaches 100%; the zero account adds nothing
    assert pareto_table(frame([3, 0, 1]), target=1.0)["vital_few"].tolist() == [True, True, False]


@pytest.mark.parametrize("values, message", [
    ([0, 0], "total revenue is zero: nothing to concentrate"),
    ([10, -30], r"total revenue is negative \(-20.00\): shares of a negative total are "
                "meaningless"),
    ([0.1, 0.2, -0.3], "nets to zero"),
])
def test_totals_without_meaningful_shares_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        pareto_table(frame(values))


def test_bad_totals_are_refused_by_name():
    with pytest.raises(ValueError, match=r"1 account\(s\) have no revenue \(NaN\), e.g. 'b'"):
        pareto_table(frame([1, np.nan]))
    with pytest.raises(ValueError, match="2 rows share an account id, e.g. 'a'"):
        pareto_table(frame([1, 2], ids=["a", "a"]))
    with pytest.raises(ValueError, match="no accounts"):
        pareto_table(frame([]))
    with pytest.raises(ValueError, match=r"did you mean 0.8\?"):
        pareto_table(frame([1, 2]), target=80)
    with pytest.raises(TypeError, match="must be numeric"):
        pareto_table(pd.DataFrame({"account_id": ["a"], "revenue": ["1"]}))


def test_pareto_table_keeps_other_column_names():
    t = pareto_table(frame([1, 3], value="profit", account="acct"), account="acct",
                     value="profit")
    assert t["acct"].tolist() == ["b", "a"] and "profit" in t


# --- accounts making X% ---------------------------------------------------------------------

def test_telecom_case_919_accounts_make_80_percent():
    totals = telecom()
    assert len(totals) == 6427
    k = accounts_for_target(totals, target=0.8)
    assert k == 919
    assert round(k / len(totals), 3) == 0.143
    s = concentration_summary(totals)
    assert (s.accounts_for_target, round(s.share_of_accounts_for_target, 3)) == (919, 0.143)
    assert s.headline == "919 of 6,427 accounts (14.3%) make 80% of revenue."


def test_accounts_for_target_other_targets():
    # cum 0.6, 0.85, 0.95, 0.98, 1.0
    totals = frame([60, 25, 10, 3, 2])
    assert [accounts_for_target(totals, target=t) for t in (0.5, 0.8, 0.9, 0.96, 1.0)] == \
        [1, 2, 3, 4, 5]


# --- summary --------------------------------------------------------------------------------

def test_summary_by_hand():
    # 60, 25, 10, 3, 2 (total 100): 2 accounts make 80%; top 2 = 85%;
    # Gini: ascending 2, 3, 10, 25, 60 with weights -4, -2, 0, 2, 4 -> 276 / 500 = 0.552;
    # HHI: .36 + .0625 + .01 + .0009 + .0004 = .4338
    s = concentration_summary(frame([60, 25, 10, 3, 2]), top_n=2)
    assert isinstance(s, ConcentrationSummary)
    assert (s.n_accounts, s.total, s.accounts_for_target, s.share_of_accounts_for_target) == \
        (5, 100.0, 2, 0.4)
    assert (s.top_n, s.top_n_share) == (2, pytest.approx(0.85))
    assert s.gini == pytest.approx(0.552) and s.hhi == pytest.approx(0.4338)
    assert (s.n_negative, s.negative_total) == (0, 0.0)


def test_summary_of_profit_with_losses():
    # 100, 60, -20, -40: Gini and HHI are not defined; two losses of 60 in all
    s = concentration_summary(frame([100, 60, -20, -40], value="profit"), value="profit")
    assert np.isnan(s.gini) and np.isnan(s.hhi)
    assert (s.n_negative, s.negative_total, s.total, s.accounts_for_target) == (2, -60.0, 100.0, 1)
    assert "n/a (negative values)" in s._repr_html_()


def test_summary_frame_and_html():
    s = concentration_summary(frame([3, 1], value="<b>rev</b>"), value="<b>rev</b>")
    row = s.to_frame()
    assert row.index.tolist() == ["<b>rev</b>"] and row.loc["<b>rev</b>", "n_accounts"] == 2
    page = s._repr_html_()
    assert "<b>rev</b>" not in page and html.escape("<b>rev</b>") in page


# --- Lorenz, Gini, HHI, top n -----------------------------------------------------------------

def test_lorenz_curve_by_hand():
    # ascending 10, 30, 60 of 100: (0, 0), (1/3, .1), (2/3, .4), (1, 1)
    lc = lorenz_curve(frame([60, 10, 30]))
    assert lc["cum_account_share"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert lc["cum_share"].tolist() == pytest.approx([0, 0.1, 0.4, 1.0])


def test_gini_by_hand_and_by_definition():
    # weights -2, 0, 2 on 10, 30, 60: 100 / (3 x 100) = 1/3
    assert gini([60, 10, 30]) == pytest.approx(1 / 3)
    # the definition: mean absolute difference over all pairs / (2 x mean)
    x = np.array([60.0, 10.0, 30.0])
    assert gini(x) == pytest.approx(np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean()))
    # 1 - 2 x area under the Lorenz curve (trapezoids)
    lc = lorenz_curve(frame(x))
    area = np.sum(np.diff(lc["cum_account_share"]) * (lc["cum_share"].iloc[1:].to_numpy()
                                                      + lc["cum_share"].iloc[:-1].to_numpy()) / 2)
    assert gini(x) == pytest.approx(1 - 2 * area)


def test_gini_extremes():
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 8]) == pytest.approx(0.75)  # one has all: 1 - 1/n
    assert gini([7]) == 0.0
    assert gini([1, 2, 3]) == pytest.approx(gini([100, 200, 300]))  # scale does not matter


def test_hhi_and_top_n_by_hand():
    assert hhi([60, 30, 10]) == pytest.approx(0.46)  # .36 + .09 + .01
    assert hhi([1, 1, 1, 1]) == pytest.approx(0.25) and hhi([0, 9]) == 1.0
    assert top_n_share([5, 60, 25, 10], n=2) == pytest.approx(0.85)
    assert top_n_share([5, 60], n=10) == 1.0
    assert top_n_share([100, 60, -60], n=1) == 1.0  # 100 of net 100


@pytest.mark.parametrize("fn", [gini, hhi, lambda v: lorenz_curve(frame(v))])
def test_inequality_measures_refuse_negative_and_zero_totals(fn):
    with pytest.raises(ValueError, match="negative"):
        fn([5.0, -1.0])
    with pytest.raises(ValueError, match="nothing to concentrate"):
        fn([0.0, 0.0])


def test_measures_refuse_nan_and_empty():
    with pytest.raises(ValueError, match="NaN"):
        gini([1.0, np.nan])
    with pytest.raises(ValueError, match="no values"):
        hhi([])
    with pytest.raises(ValueError, match="at least 1"):
        top_n_share([1.0], n=0)


# --- invariants -------------------------------------------------------------------------------

amounts = st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=60).filter(
    lambda v: sum(v) > 0)


@PROPERTY
@given(amounts, st.floats(0.01, 1.0))
def test_cum_share_rises_to_one_and_vital_few_is_minimal(values, target):
    t = pareto_table(frame(values, ids=[f"{i:03d}" for i in range(len(values))]), target=target)
    cum = t["cum_share"].to_numpy()
    assert (np.diff(cum) >= -1e-12).all()
    assert cum[-1] == 1.0
    k = int(t["vital_few"].sum())
    assert t["vital_few"].tolist() == [True] * k + [False] * (len(t) - k)
    assert cum[k - 1] >= target - 1e-12 and (k == 1 or cum[k - 2] < target - 1e-12)
    assert (t["revenue"].diff().dropna() <= 0).all()


@PROPERTY
@given(amounts)
def test_gini_and_hhi_bounds(values):
    n = len(values)
    assert 0 <= gini(values) < 1
    assert 1 / n - 1e-12 <= hhi(values) <= 1 + 1e-12


@PROPERTY
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_any_values_give_shares_or_a_clear_error(values):
    try:
        t = pareto_table(frame(values, ids=[f"{i:03d}" for i in range(len(values))]))
    except ValueError as err:
        assert "total revenue" in str(err)
    else:
        # round-off in the share sum grows with how much positives and negatives cancel
        cancel = np.abs(values).sum() / abs(sum(values))
        assert t["cum_share"].iloc[-1] == 1.0
        assert abs(t["share"].sum() - 1) <= 1e-12 * len(values) * cancel
