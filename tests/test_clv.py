"""kamlib.clv and kamlib.btyd: hand-computed lifetime values, the churn what-if, and the
published CDNOW figures of the BG/NBD and Gamma-Gamma models."""

import importlib
from importlib import resources

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kamlib import btyd, plots  # noqa: E402
from kamlib.clv import (COMPONENTS, churn_claims, churn_what_if, clv_by_account,  # noqa: E402
                        clv_formula, clv_waterfall, yearly_retention)

PROPERTY = settings(max_examples=60, deadline=None)
ASSUMPTIONS = dict(years=3, retention=0.8, discount_rate=0.1, growth=0.1, cost_savings=0.02,
                   referrals=0.01, price_premium=0.03)


# --- formula model -------------------------------------------------------------------------

def test_clv_formula_by_hand():
    t = clv_formula(1000.0, acquisition_cost=1500.0, **ASSUMPTIONS)
    # year 1: 1000; year 2: 1000 + growth 100 + savings 20 + referrals 10 + premium 30;
    # year 3: 1000 + 210 (1000 x (1.1^2 - 1)) + 40 + 20 + 60; survival 1, .8, .64
    assert t["profit"].tolist() == pytest.approx([-1500, 1000, 1160, 1330])
    assert t["survival"].tolist() == pytest.approx([1, 1, 0.8, 0.64])
    assert t["discount_factor"].tolist() == pytest.approx([1, 1 / 1.1, 1 / 1.21, 1 / 1.331])
    clv = -1500 + 1000 / 1.1 + 1160 * 0.8 / 1.1**2 + 1330 * 0.64 / 1.1**3
    assert t["cumulative_pv"].iloc[-1] == pytest.approx(clv)          # 815.55
    assert t.attrs["parameters"]["retention"] == 0.8
    steps = clv_waterfall(t).set_index("step")
    assert steps.loc["acquisition", "value"] == -1500
    assert steps.loc["base_profit", "value"] == pytest.approx(
        1000 / 1.1 + 800 / 1.21 + 640 / 1.331)
    assert steps.loc["growth", "value"] == pytest.approx(100 * 0.8 / 1.21 + 210 * 0.64 / 1.331)
    assert steps.loc["price_premium", "value"] == pytest.approx(
        30 * 0.8 / 1.21 + 60 * 0.64 / 1.331)
    assert steps.loc["lifetime value", ["value", "start", "end"]].tolist() == \
        pytest.approx([clv, 0, clv])
    assert steps["end"].iloc[-2] == pytest.approx(clv)


def test_clv_by_account_scales_the_same_model_and_reads_acquisition_costs():
    f = pd.DataFrame({"account_id": ["a", "b", "c"], "profit": [3000.0, 3000.0, -600.0],
                      "acquisition_cost": [1500.0, 0.0, 100.0]})
    out = clv_by_account(f, per_years=3, **ASSUMPTIONS).set_index("account_id")
    one = clv_formula(1000.0, acquisition_cost=1500.0, **ASSUMPTIONS)
    assert out.loc["a", "clv"] == pytest.approx(one["cumulative_pv"].iloc[-1])
    assert out.loc["b", "clv"] - out.loc["a", "clv"] == pytest.approx(1500)
    assert out.index.tolist() == ["b", "a", "c"]                  # by value
    assert out.loc["c", "yearly_profit"] == -200
    # the sum over accounts gives the same waterfall as the accounts' own
    both = clv_waterfall(out.loc[["a", "b"]]).set_index("step")["value"]
    assert both["lifetime value"] == pytest.approx(out.loc[["a", "b"], "clv"].sum())
    fixed = clv_by_account(f, acquisition_cost=10.0, years=1, retention=1.0,
                           discount_rate=0.0)
    assert fixed.set_index("account_id")["clv"].to_dict() == {"a": 2990.0, "b": 2990.0,
                                                              "c": -610.0}


@pytest.mark.parametrize("kwargs, message", [
    (dict(retention=90), r"retention must be a share \[0, 1\], got 90 \(did you mean 0.9\?\)"),
    (dict(discount_rate=10), r"discount_rate must be a yearly rate in \[0, 1\), got 10 "
                             r"\(did you mean 0.1\?\)"),
    (dict(years=0), "years must be a whole number of at least 1"),
    (dict(years=2.5), "years must be a whole number"),
])
def test_formula_assumptions_are_checked(kwargs, message):
    with pytest.raises(ValueError, match="clv_formula: " + message):
        clv_formula(100.0, **kwargs)


@PROPERTY
@given(st.floats(-1e6, 1e6), st.floats(0, 1), st.floats(0, 0.5), st.integers(1, 15),
       st.floats(-0.2, 0.3))
def test_formula_invariants(profit, retention, rate, years, growth):
    t = clv_formula(profit, years=years, retention=retention, discount_rate=rate,
                    growth=growth)
    one = clv_by_account(pd.DataFrame({"account_id": ["x"], "profit": [profit]}),
                         acquisition_cost=0.0, years=years, retention=retention,
                         discount_rate=rate, growth=growth)
    assert one["clv"].iloc[0] == pytest.approx(t["cumulative_pv"].iloc[-1], rel=1e-9,
                                               abs=1e-6)
    assert clv_waterfall(t)["value"].iloc[-1] == pytest.approx(t["present_value"].sum(),
                                                               rel=1e-9, abs=1e-6)
    if profit > 0 and retention < 1:
        more = clv_formula(profit, years=years, retention=min(retention + 0.05, 1.0),
                           discount_rate=rate, growth=growth)
        assert more["cumulative_pv"].iloc[-1] >= t["cumulative_pv"].iloc[-1]


# --- retention and the churn what-if -------------------------------------------------------

def test_yearly_retention_by_hand():
    # 2023: a b c e buy; 2024: a c buy, e only has a credit note; 2025: c d
    am = pd.DataFrame({
        "account_id": ["a", "b", "c", "e", "a", "c", "e", "c", "d"],
        "period": pd.to_datetime(["2023-01-01", "2023-05-01", "2023-12-01", "2023-07-01",
                                  "2024-03-01", "2024-11-01", "2024-08-01", "2025-12-01",
                                  "2025-01-01"]),
        "revenue": [10.0, 5.0, 8.0, 4.0, 3.0, 2.0, -1.0, 7.0, 9.0]})
    r = yearly_retention(am)
    assert r["year_end"].dt.strftime("%Y-%m").tolist() == ["2024-12", "2025-12"]
    assert r[["accounts_at_start", "retained"]].values.tolist() == [[4, 2], [2, 1]]
    assert r["retention"].tolist() == [0.5, 0.5]
    # years end with the month given: Feb 2024..Jan 2025 (a c d) against Feb 2023..Jan 2024
    # (b c e; a bought in Jan 2023, before it)
    shifted = yearly_retention(am, end="2025-01-31")
    assert shifted[["accounts_at_start", "retained"]].values.tolist() == [[3, 1]]
    with pytest.raises(ValueError, match="needs two whole years"):
        yearly_retention(am, end="2024-06-30")


def test_churn_what_if_by_hand():
    w = churn_what_if(100.0, 0.9, years=3, discount_rate=0.0)
    # 100 x (1 + r + r^2): .85 -> 257.25, .9 -> 271, .95 -> 285.25
    assert w["scenario"].tolist() == ["retention -5 pts", "observed", "retention +5 pts"]
    assert w["profit_over_years"].tolist() == pytest.approx([257.25, 271.0, 285.25])
    assert w["change"].tolist() == pytest.approx([-13.75, 0.0, 14.25])
    assert w["change_pct"].tolist() == pytest.approx([-13.75 / 271, 0, 14.25 / 271])
    assert set(w.columns) >= {"retention", "years", "discount_rate", "growth", "yearly_profit"}
    # retention is a share: 0.98 + 10 pts is 1, not 1.08, and the scenario says so
    top = churn_what_if(100.0, 0.98, years=2, discount_rate=0.0, change=0.1)
    assert top["retention"].tolist() == pytest.approx([0.88, 0.98, 1.0])
    assert top["scenario"].tolist() == ["retention -10 pts", "observed",
                                        "retention +2 pts (capped at 100%)"]
    assert top["retention_change"].tolist() == pytest.approx([-0.1, 0.0, 0.02])
    assert top["capped"].tolist() == [False, False, True]
    # the case: 95.8% + 5 points used 4.2; 3% - 5 points used 3
    assert churn_what_if(100.0, 0.958)["scenario"].iloc[2] == \
        "retention +4.2 pts (capped at 100%)"
    assert churn_what_if(100.0, 0.03)["scenario"].iloc[0] == "retention -3 pts (capped at 0%)"
    with pytest.raises(ValueError, match=r"change must be a share in \(0, 1\]"):
        churn_what_if(100.0, 0.9, change=5)


@PROPERTY
@given(st.floats(0, 1), st.floats(0.001, 1), st.floats(-1000, 1000))
def test_a_capped_scenario_says_the_change_it_used(retention, change, profit):
    w = churn_what_if(profit, retention, change=change, years=3, discount_rate=0.05)
    for sign, row in zip((-1, 0, 1), w.itertuples()):
        asked = retention + sign * change
        used = min(max(asked, 0.0), 1.0)
        assert row.retention == used and 0 <= row.retention <= 1
        assert row.retention_change == pytest.approx(used - retention, abs=1e-12)
        assert row.capped == (sign != 0 and used != asked)
        if row.capped:  # the label carries the change used, not the one asked
            bound = "100%" if sign > 0 else "0%"
            assert row.scenario.endswith(f" pts (capped at {bound})")
            shown = float(row.scenario.split(" ")[1])
            assert shown == pytest.approx((used - retention) * 100, abs=0.05 + 1e-9)
        elif sign:
            assert float(row.scenario.split(" ")[1]) == pytest.approx(sign * change * 100,
                                                                       abs=0.05 + 1e-9)
        expected = clv_formula(profit, years=3, retention=used, discount_rate=0.05)
        assert row.profit_over_years == pytest.approx(expected["present_value"].sum())


def test_churn_claims_verdicts():
    # 10 years of growing profit at a low retention: losing 5 points costs > 20%
    w = churn_what_if(1000.0, 0.6, years=10, discount_rate=0.0, growth=0.3)
    c = churn_claims(w)
    low = sum(1.3 ** (t - 1) * 0.55 ** (t - 1) for t in range(1, 11))
    mid = sum(1.3 ** (t - 1) * 0.6 ** (t - 1) for t in range(1, 11))
    assert c["this_company"].iloc[0] == pytest.approx(low / mid - 1)          # -0.2...
    assert c["holds"].tolist() == [low / mid - 1 <= -0.2, c["this_company"].iloc[1] >= 0.25]
    assert churn_claims(churn_what_if(100.0, 0.9))["holds"].tolist() == [False, False]


# --- probabilistic model: the published CDNOW figures --------------------------------------

def cdnow_summary():
    """The 1/10 CDNOW sample as Fader, Hardie and Lee summarise it: 39-week calibration to
    1997-09-30, purchases on one day count once, recency and T in weeks."""
    path = resources.files("lifetimes.datasets") / "CDNOW_sample.txt"
    raw = pd.read_csv(path, sep=r"\s+", header=None, dtype={"date": str},
                      names=["master_id", "id", "date", "cds", "spend"])
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    end = pd.Timestamp("1997-09-30")
    days = raw[raw["date"] <= end].groupby(["id", "date"], as_index=False)["spend"].sum()
    first = days.groupby("id")["date"].min()
    last = days.groupby("id")["date"].max()
    summary = pd.DataFrame({"frequency": days.groupby("id").size() - 1,
                            "recency": (last - first).dt.days / 7,
                            "T": (end - first).dt.days / 7})
    repeat = days[days.groupby("id").cumcount() > 0]
    summary["monetary_value"] = repeat.groupby("id")["spend"].mean().reindex(
        summary.index).fillna(0.0)
    return summary.rename_axis("customer_id").reset_index()


@pytest.fixture(scope="module")
def cdnow():
    pytest.importorskip("lifetimes", reason="the clv extra (in dev) is not installed")
    return cdnow_summary()


@pytest.fixture(scope="module")
def fits(cdnow):
    return (btyd.fit_bgnbd(cdnow, account="customer_id"),
            btyd.fit_gamma_gamma(cdnow, account="customer_id"))


def test_cdnow_summary_is_the_published_one(cdnow):
    assert len(cdnow) == 2357 and (cdnow["frequency"] > 0).sum() == 946
    shipped = pd.read_csv(resources.files("lifetimes.datasets") / "cdnow_customers_summary.csv")
    assert (cdnow["frequency"].to_numpy() == shipped["frequency"].to_numpy()).all()
    for col in ("recency", "T"):           # shipped rounded to 2 decimals
        assert np.abs(cdnow[col].to_numpy() - shipped[col].to_numpy()).max() < 0.005


def test_bgnbd_reproduces_fader_hardie_lee_2005(fits):
    bg, _ = fits
    est = bg.parameters.set_index("parameter")
    # r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 (Fader, Hardie and Lee 2005)
    assert est.loc[["r", "alpha", "a", "b"], "estimate"].tolist() == pytest.approx(
        [0.243, 4.414, 0.793, 2.426], abs=0.005)
    assert (est["lower_95"] < est["estimate"]).all() and (est["estimate"] < est["upper_95"]).all()
    assert est["se"].gt(0).all() and bg.n_accounts == 2357 and bg.backend == "lifetimes"


def cdnow_cube(end: str = "1997-09-30"):
    """The CDNOW calibration lines as the kit's cube. The paper counts every transaction as
    a purchase, also the 8 of zero spend; the report counts days of positive net revenue, so
    those 8 get a token 0.01 (spend is not in the BG/NBD fit)."""
    import ibis

    from kamlib.data.cube import build_cube

    path = resources.files("lifetimes.datasets") / "CDNOW_sample.txt"
    raw = pd.read_csv(path, sep=r"\s+", header=None, dtype={"date": str},
                      names=["master_id", "id", "date", "cds", "spend"])
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    raw = raw[raw["date"] <= end]
    lines = pd.DataFrame({"account_id": raw["id"].astype(str), "date": raw["date"],
                          "revenue": raw["spend"].where(raw["spend"] > 0, 0.01),
                          "product": "cd", "cost": np.nan,
                          "invoice_id": pd.Series(pd.NA, index=raw.index, dtype="string"),
                          "quantity": raw["cds"].astype("float64")})
    return build_cube(ibis.memtable(lines), invoices=False)


def test_the_reports_path_reproduces_fader_hardie_lee_2005(cdnow):
    from kamlib.profiles import peer_summary_from_cube

    cube = cdnow_cube()
    # model_summary is what notebook 13 fits: days with a purchase, time in days / 7
    ours = btyd.model_summary(cube.account_timing, observation_end="1997-09-30")
    ref = cdnow.assign(customer_id=cdnow["customer_id"].astype(str)).set_index("customer_id")
    pd.testing.assert_frame_equal(ours.sort_index(), ref.sort_index().rename_axis("account_id"),
                                  check_exact=False, rtol=1e-9, check_dtype=False)
    est = btyd.fit_bgnbd(ours).parameters.set_index("parameter")["estimate"]
    assert est[["r", "alpha", "a", "b"]].tolist() == pytest.approx(
        [0.243, 4.414, 0.793, 2.426], abs=0.005)
    # whole weeks, the report's old path, do not: r 0.283, alpha 6.591
    weeks = peer_summary_from_cube(cube.account_timing, observation_end="1997-09-30",
                                   freq="W", purchases_only=True)
    off = btyd.fit_bgnbd(weeks).parameters.set_index("parameter")["estimate"]
    assert off["r"] == pytest.approx(0.283, abs=0.005)
    assert off["alpha"] == pytest.approx(6.591, abs=0.005)


def test_gamma_gamma_reproduces_the_published_spend_model(fits):
    _, gg = fits
    est = gg.parameters.set_index("parameter")["estimate"]
    # p = 6.25, q = 3.74, v = 15.44 on the 946 repeat buyers
    assert est[["p", "q", "v"]].tolist() == pytest.approx([6.25, 3.74, 15.44], abs=0.01)
    assert gg.n_accounts == 946


def test_predictions_match_the_closed_forms(fits, cdnow):
    from scipy.special import hyp2f1

    bg, gg = fits
    r, alpha, a, b = bg.parameters.set_index("parameter")["estimate"][["r", "alpha", "a", "b"]]
    first = cdnow.iloc[:3]       # (2, 30.43, 38.86), (1, 1.71, 38.86), (0, 0, 38.86)
    pred = btyd.predict_purchases(bg, first, horizon=39, account="customer_id")
    for (_, row), (_, p) in zip(first.iterrows(), pred.iterrows()):
        x, tx, T, t = row["frequency"], row["recency"], row["T"], 39.0
        odds = (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)
        # eq. (10) of "Counting your customers the easy way"
        ey = ((a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
              * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)))) / (1 + odds)
        assert p["expected_purchases"] == pytest.approx(ey, rel=1e-6)
        if x > 0:
            assert p["p_alive"] == pytest.approx(1 / (1 + odds), rel=1e-6) and p["judged"]
        else:  # alive by the model's assumption: nothing it can judge
            assert np.isnan(p["p_alive"]) and not p["judged"]
    assert pred["customer_id"].tolist() == [1, 2, 3]
    p_, q, v = gg.parameters.set_index("parameter")["estimate"][["p", "q", "v"]]
    spend = btyd.expected_spend(gg, first, account="customer_id")["expected_spend"]
    mean = v * p_ / (q - 1)                                      # no repeat purchase: the mean
    x, m = 2, first["monetary_value"].iloc[0]                    # 22.345
    assert spend.iloc[0] == pytest.approx((q - 1) / (p_ * x + q - 1) * mean
                                          + p_ * x / (p_ * x + q - 1) * m)
    assert spend.iloc[2] == pytest.approx(mean)


def test_probabilistic_clv_discounts_monthly_purchases(fits, cdnow):
    bg, gg = fits
    one = cdnow.iloc[:1]
    out = btyd.probabilistic_clv(bg, gg, one, months=3, yearly_discount_rate=0.1, margin=0.3,
                                 account="customer_id")
    spend = btyd.expected_spend(gg, one)["expected_spend"].iloc[0]
    rate = 1.1 ** (1 / 12) - 1
    weeks = 4.345                                   # lifetimes' weeks per month
    cum = [btyd.predict_purchases(bg, one, horizon=weeks * i)["expected_purchases"].iloc[0]
           if i else 0.0 for i in range(4)]
    hand = sum((cum[i] - cum[i - 1]) * spend / (1 + rate) ** i for i in range(1, 4))
    assert out["clv"].iloc[0] == pytest.approx(0.3 * hand, rel=1e-6)
    assert out[["months", "yearly_discount_rate", "margin"]].iloc[0].tolist() == [3, 0.1, 0.3]


def test_summary_errors_name_the_accounts(cdnow):
    bad = cdnow.iloc[:4].copy()
    bad.loc[1, "recency"] = 50.0                      # after T (38.86)
    with pytest.raises(ValueError, match=r"fit_bgnbd: 1 account\(s\) have recency after T: "
                                         "'2'"):
        btyd.fit_bgnbd(bad, account="customer_id")
    bad = cdnow.iloc[:4].assign(frequency=[1.5, 1, 0, 0])
    with pytest.raises(ValueError, match="frequency not a whole number"):
        btyd.fit_bgnbd(bad)
    with pytest.raises(ValueError, match="no account has a repeat purchase of positive value"):
        btyd.fit_gamma_gamma(cdnow.assign(monetary_value=-5.0))
    with pytest.raises(ValueError, match="backend must be one of"):
        btyd.fit_bgnbd(cdnow, backend="stan")


def test_credit_note_only_repeat_buyers_are_left_out_of_the_spend_fit(cdnow, fits):
    _, gg = fits
    odd = cdnow.copy()
    odd.loc[odd.index[:5], ["frequency", "monetary_value"]] = [[2, -40.0]] * 5
    refit = btyd.fit_gamma_gamma(odd)
    assert refit.n_accounts == 946 - int((cdnow["frequency"].iloc[:5] > 0).sum())


def test_missing_library_is_named(monkeypatch):
    real = importlib.import_module

    def no_lifetimes(name, *args):
        if name == "lifetimes":
            raise ImportError("No module named 'lifetimes'")
        return real(name, *args)

    monkeypatch.setattr(btyd.importlib, "import_module", no_lifetimes)
    summary = pd.DataFrame({"frequency": [1, 0], "recency": [2.0, 0.0], "T": [5.0, 3.0]})
    with pytest.raises(ImportError, match=r"pip install 'kamkit\[clv\]'"):
        btyd.fit_bgnbd(summary)


def test_clv_waterfall_chart():
    plots.set_theme()
    steps = clv_waterfall(clv_formula(1000.0, acquisition_cost=1500.0, **ASSUMPTIONS))
    fig = plots.clv_waterfall_chart(steps, currency="EUR")
    ax = fig.axes[0]
    assert len(ax.patches) == len(COMPONENTS) + 1
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "lifetime value"
    assert ax.patches[0].get_y() == pytest.approx(-1500)     # acquisition hangs below 0
    plt.close("all")


def test_gamma_gamma_spend_written_out_is_the_fitted_models(fits, cdnow):
    """The formula the course teaches gives the backend's expected spend on CDNOW, for
    repeat buyers and one-time buyers alike."""
    _, gg = fits
    p_, q, v = gg.parameters.set_index("parameter")["estimate"][["p", "q", "v"]]
    mine = btyd.gamma_gamma_spend(cdnow, p=p_, q=q, v=v)
    theirs = btyd.expected_spend(gg, cdnow)["expected_spend"]
    assert np.allclose(mine.to_numpy(), theirs.to_numpy(), rtol=1e-9)
    credit = pd.DataFrame({"frequency": [3], "monetary_value": [-5.0]})  # no repeat purchase
    assert btyd.gamma_gamma_spend(credit, p=p_, q=q, v=v).iloc[0] == pytest.approx(
        p_ * v / (q - 1))
    with pytest.raises(ValueError, match="q must be above 1"):
        btyd.gamma_gamma_spend(credit, p=1.0, q=1.0, v=1.0)
