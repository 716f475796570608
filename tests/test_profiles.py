"""Account profiles and the peer-compatible purchase summary, against hand-computed answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.data.cube import build_cube
from kamlib.profiles import account_profiles, peer_summary, peer_summary_from_cube, product_mix

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = "2024-06-30"


def cube_of(lines: list[tuple]) -> object:
    """A cube from (account, date, revenue, product, cost, invoice) lines, as the loader makes it."""
    import ibis

    frame = pd.DataFrame(lines, columns=["account_id", "date", "revenue", "product", "cost",
                                         "invoice_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["quantity"] = 1.0
    return build_cube(ibis.memtable(frame))


# a: steady buyer, two products; b: one purchase only; c: only a credit note;
# d: starts inside the window (March); e: stops inside the window (January)
LINES = [
    ("a", "2024-01-10", 100.0, "Cloud", 60.0, "I1"),
    ("a", "2024-01-10", 50.0, "IoT", 20.0, "I1"),
    ("a", "2024-03-05", 100.0, "Cloud", 60.0, "I2"),
    ("a", "2024-06-20", 150.0, "Cloud", 90.0, "I3"),
    ("b", "2024-02-01", 80.0, "IoT", 30.0, "I4"),
    ("c", "2024-04-01", -40.0, "Cloud", -20.0, "CN1"),
    ("d", "2024-03-15", 30.0, "Cloud", 10.0, "I5"),
    ("d", "2024-05-15", 30.0, "Cloud", 10.0, "I6"),
    ("e", "2024-01-05", 200.0, "IoT", 100.0, "I7"),
]
ACCOUNTS = pd.DataFrame({"account_id": list("abcde"), "account_name": list("ABCDE"),
                         "industry": ["Bank", "Bank", "Retail", None, "Retail"],
                         "wallet_estimate": [800.0, None, 100.0, 0.0, 400.0]})


@pytest.fixture(scope="module")
def profiles() -> pd.DataFrame:
    cube = cube_of(LINES)
    return account_profiles(cube.account_month, cube.account_product, cube.account_timing,
                            ACCOUNTS, as_of=AS_OF).set_index("account_id")


def test_recency_tenure_and_frequency_by_hand(profiles):
    a = profiles.loc["a"]
    assert (a.first_purchase, a.last_purchase) == (pd.Timestamp("2024-01-10"),
                                                   pd.Timestamp("2024-06-20"))
    assert (a.tenure_days, a.recency_days) == (172, 10)  # from as_of, not from first purchase
    assert (a.frequency, a.invoices, a.purchase_days, a.active_months) == (3, 3, 3, 3)
    assert a.monetary == 400 and a.revenue_per_active_month == pytest.approx(400 / 3)
    assert a.avg_deal_size == pytest.approx(400 / 3)


def test_one_purchase_and_accounts_that_start_or_stop_inside_the_window(profiles):
    b, d, e = profiles.loc["b"], profiles.loc["d"], profiles.loc["e"]
    assert (b.frequency, b.recency_days, b.tenure_days) == (1, 150, 150)
    assert (d.tenure_days, d.recency_days, d.active_months) == (107, 46, 2)
    assert (e.recency_days, e.tenure_days) == (177, 177)


def test_an_account_with_only_credit_notes_has_no_purchase(profiles):
    c = profiles.loc["c"]
    assert pd.isna(c.first_purchase) and pd.isna(c.recency_days)
    assert (c.active_months, c.breadth, c.monetary) == (0, 0, -40)
    assert pd.isna(c.main_product) and pd.isna(c.revenue_per_active_month)


def test_products_breadth_main_product_and_buying_months(profiles):
    a = profiles.loc["a"]
    assert (a.breadth, a.main_product) == (2, "Cloud")
    assert a.main_product_share == pytest.approx(350 / 400)
    assert a.buying_months == "Jan Mar Jun"


def test_trend_slope_by_hand():
    # d buys 30 in March and May of a 12-month window ending June: x centred on 5.5
    cube = cube_of(LINES)
    p = account_profiles(cube.account_month, cube.account_product, cube.account_timing,
                         as_of=AS_OF, trend_months=4).set_index("account_id")
    # last 4 months Mar..Jun: d = [30, 0, 30, 0], x = [-1.5, -.5, .5, 1.5]: slope = -30/5
    assert p.loc["d", "trend"] == pytest.approx(-6.0)
    assert p.loc["a", "trend"] == pytest.approx((100 * -1.5 + 150 * 1.5) / 5)


def test_trend_year_on_year():
    lines = [("x", "2023-03-01", 100.0, "p", 1.0, "1"), ("x", "2024-03-01", 150.0, "p", 1.0, "2"),
             ("y", "2024-03-01", 50.0, "p", 1.0, "3")]
    cube = cube_of(lines)
    p = account_profiles(cube.account_month, cube.account_product, cube.account_timing,
                         as_of=AS_OF, trend="yoy").set_index("account_id")
    assert p.loc["x", "trend"] == pytest.approx(0.5)
    assert np.isnan(p.loc["y", "trend"])  # nothing in the 12 months before: not "infinite"
    assert "12 before" in p.attrs["rules"]["trend"]


def test_share_of_wallet_and_uses_only_where_the_data_has_them(profiles):
    assert profiles.loc["a", "share_of_wallet"] == pytest.approx(400 / 800)
    assert np.isnan(profiles.loc["b", "share_of_wallet"])  # no estimate
    assert np.isnan(profiles.loc["d", "share_of_wallet"])  # an estimate of 0 is no estimate
    assert profiles.loc["a", "industry"] == "Bank"
    assert "region" not in profiles and "account_manager" not in profiles
    assert any(n.startswith("region: left out") for n in profiles.attrs["notes"])


def test_without_accounts_or_cost_columns_are_left_out_with_a_note():
    lines = [(a, d, r, p, np.nan, i) for a, d, r, p, _, i in LINES]
    cube = cube_of(lines)
    p = account_profiles(cube.account_month, cube.account_product, cube.account_timing,
                         as_of=AS_OF)
    assert not {"cost", "share_of_wallet", "industry"} & set(p.columns)
    notes = " ".join(p.attrs["notes"])
    assert "cost: left out" in notes and "no accounts table" in notes


def test_bad_parameters_are_refused():
    cube = cube_of(LINES)
    args = (cube.account_month, cube.account_product, cube.account_timing)
    with pytest.raises(ValueError, match="trend must be one of"):
        account_profiles(*args, as_of=AS_OF, trend="linear")
    with pytest.raises(ValueError, match="frequency must be one of"):
        account_profiles(*args, as_of=AS_OF, frequency="lines")


def test_product_mix_shares_sum_to_one():
    cube = cube_of(LINES)
    mix = product_mix(cube.account_product)
    assert mix.loc["a"].to_dict() == {"Cloud": pytest.approx(0.875), "IoT": pytest.approx(0.125)}
    assert np.allclose(mix.sum(axis=1), 1.0)


# --- the peer-compatible summary -------------------------------------------------------

@pytest.mark.parametrize("freq", ["D", "W"])
def test_peer_summary_equals_the_reference_output(freq):
    """peer_reference_*.csv is lifetimes' own output (make_peer_reference.py)."""
    lines = pd.read_csv(FIXTURES / "peer_lines.csv", dtype={"account_id": str},
                        parse_dates=["date"])
    ref = pd.read_csv(FIXTURES / f"peer_reference_{freq}.csv", dtype={"account_id": str},
                      index_col="account_id")
    ours = peer_summary(lines, observation_end="2024-06-30", freq=freq)
    pd.testing.assert_frame_equal(ours, ref.astype(float), check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("freq", ["D", "W"])
@pytest.mark.parametrize("purchases_only", [False, True])
def test_peer_summary_from_the_cube_equals_from_lines(freq, purchases_only):
    lines = pd.read_csv(FIXTURES / "peer_lines.csv", dtype={"account_id": str},
                        parse_dates=["date"])
    lines.loc[lines.index[::7], "revenue"] *= -1  # credit notes, some on days of their own
    lines = lines[lines["date"] <= "2024-06-30"]  # the cube holds the analysis window
    cube = cube_of([(a, d, r, "p", 1.0, str(i)) for i, (a, d, r) in
                    enumerate(lines[["account_id", "date", "revenue"]].itertuples(index=False))])
    args = dict(observation_end="2024-06-30", freq=freq, purchases_only=purchases_only)
    pd.testing.assert_frame_equal(peer_summary_from_cube(cube.account_timing, **args),
                                  peer_summary(lines, **args), check_exact=False, rtol=1e-12)


def test_peer_summary_from_the_cube_refuses_an_end_before_its_data():
    cube = cube_of(LINES)
    with pytest.raises(ValueError, match="before the last purchase"):
        peer_summary_from_cube(cube.account_timing, observation_end="2024-03-01")


def test_peer_summary_from_daily_totals_equals_from_lines():
    lines = pd.read_csv(FIXTURES / "peer_lines.csv", dtype={"account_id": str},
                        parse_dates=["date"])
    daily = lines.groupby(["account_id", "date"], as_index=False)["revenue"].sum()
    pd.testing.assert_frame_equal(peer_summary(daily, observation_end="2024-06-30"),
                                  peer_summary(lines, observation_end="2024-06-30"))


def test_peer_summary_purchases_only_ignores_credit_note_days():
    lines = pd.DataFrame({"account_id": ["a"] * 3, "revenue": [10.0, -5.0, 20.0],
                          "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-08"])})
    kept = peer_summary(lines, observation_end="2024-01-31").loc["a"]
    assert kept.tolist() == [2.0, 7.0, 30.0, 7.5]  # the reference counts the credit day
    only = peer_summary(lines, observation_end="2024-01-31", purchases_only=True).loc["a"]
    assert only.tolist() == [1.0, 7.0, 30.0, 20.0]


def test_peer_summary_in_weeks_of_days():
    # days 2024-01-01, 01-11 (10 days later), end 01-29 (28 days after the first): weeks of 7
    # days give recency 10 / 7 and T 4; whole weeks (Mondays 01-01, 01-08, 01-29) 1 and 4
    lines = pd.DataFrame({"account_id": ["a", "a"], "revenue": [10.0, 30.0],
                          "date": pd.to_datetime(["2024-01-01", "2024-01-11"])})
    days7 = peer_summary(lines, observation_end="2024-01-29", unit="W").loc["a"]
    assert days7.tolist() == pytest.approx([1.0, 10 / 7, 4.0, 30.0])
    whole = peer_summary(lines, observation_end="2024-01-29", freq="W").loc["a"]
    assert whole.tolist() == [1.0, 1.0, 4.0, 30.0]
    cube = cube_of([("a", "2024-01-01", 10.0, "p", 1.0, "1"),
                    ("a", "2024-01-11", 30.0, "p", 1.0, "2")])
    from_cube = peer_summary_from_cube(cube.account_timing, observation_end="2024-01-29",
                                       unit="W")
    pd.testing.assert_frame_equal(from_cube, peer_summary(lines, observation_end="2024-01-29",
                                                          unit="W"))
    with pytest.raises(ValueError, match="unit must be None, 'D'"):
        peer_summary(lines, observation_end="2024-01-29", freq="W", unit="D")
    with pytest.raises(ValueError, match="unit must be None"):
        peer_summary_from_cube(cube.account_timing, observation_end="2024-01-29", unit="M")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 60),
                          st.floats(1, 500).map(lambda x: round(x, 2))), min_size=1,
                max_size=30))
def test_peer_summary_matches_lifetimes_on_random_lines(rows):
    utils = pytest.importorskip("lifetimes.utils")
    lines = pd.DataFrame(rows, columns=["account_id", "day", "revenue"])
    lines["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(lines["day"], "D")
    ref = utils.summary_data_from_transaction_data(lines, "account_id", "date", "revenue",
                                                   observation_period_end="2024-02-15")
    ours = peer_summary(lines, observation_end="2024-02-15")
    pd.testing.assert_frame_equal(ours, ref, check_names=False, check_exact=False)
