"""kamlib.profitability and kamlib.cost_grid against hand-computed answers and invariants."""

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import kamlib as kl  # noqa: E402
from kamlib import plots  # noqa: E402
from kamlib.concentration import pareto_table  # noqa: E402
from kamlib.cost_grid import NOT_PLACED, QUADRANTS, cost_price_grid, grid_summary  # noqa: E402
from kamlib.profitability import (cost_to_serve, customer_pnl, pnl_by_segment,  # noqa: E402
                                  profit_destroyers, whale_curve, whale_summary)

PROPERTY = settings(max_examples=60, deadline=None)
RATES = pd.DataFrame({"activity": ["visit", "support_ticket", "rush_order"],
                      "unit_cost": [300.0, 40.0, 150.0]})


def acts(rows):
    return pd.DataFrame(rows, columns=["account_id", "date", "activity", "quantity"]).assign(
        date=lambda f: pd.to_datetime(f["date"]), quantity=lambda f: f["quantity"].astype(float))


@pytest.fixture
def log():
    # a: 2 visits (600) + 5 tickets (200) in Jan, 1 visit in Mar (300)
    # b: 10 tickets (400) + 3 rush orders (450) in Feb
    return acts([("a", "2024-01-05", "visit", 2), ("a", "2024-01-20", "support_ticket", 5),
                 ("a", "2024-03-02", "visit", 1), ("b", "2024-02-11", "support_ticket", 10),
                 ("b", "2024-02-12", "rush_order", 3)])


@pytest.fixture
def cube():
    # a: 2,000 revenue / 1,200 cost; b: 500 / 300; c: 800 / 400; d: only a credit note
    return pd.DataFrame({
        "account_id": ["a", "a", "b", "c", "d"],
        "period": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01", "2024-02-01",
                                  "2024-03-01"]),
        "revenue": [1500.0, 500.0, 500.0, 800.0, -120.0],
        "cost": [900.0, 300.0, 300.0, 400.0, -70.0]})


# --- cost to serve ------------------------------------------------------------------------

def test_cost_to_serve_by_hand(log):
    out = cost_to_serve(log, RATES, accounts=["a", "b", "c"])
    assert list(out.columns) == ["account_id", "cts_visit", "cts_support_ticket",
                                 "cts_rush_order", "cost_to_serve"]
    assert out.set_index("account_id").to_dict("index") == {
        "a": {"cts_visit": 900.0, "cts_support_ticket": 200.0, "cts_rush_order": 0.0,
              "cost_to_serve": 1100.0},
        "b": {"cts_visit": 0.0, "cts_support_ticket": 400.0, "cts_rush_order": 450.0,
              "cost_to_serve": 850.0},
        "c": {"cts_visit": 0.0, "cts_support_ticket": 0.0, "cts_rush_order": 0.0,
              "cost_to_serve": 0.0}}
    assert out.attrs["note"].startswith("1 account(s) have no activities in the window: "
                                        "cost to serve 0 (the activities table exists")


@pytest.mark.parametrize("kind", [list, pd.Series, np.array, pd.Index, set])
def test_accounts_may_be_any_iterable(log, kind):
    """A Series of ids (a column of the totals) works like a list; it used to raise
    "the truth value of a Series is ambiguous"."""
    out = cost_to_serve(log, RATES, accounts=kind(["a", "c"]))
    assert out["account_id"].tolist() == ["a", "b", "c"]
    assert cost_to_serve(log, RATES, accounts=kind([]))["account_id"].tolist() == ["a", "b"]


def test_cost_to_serve_window_is_whole_months(log):
    # Feb 15 .. Feb 20 rounds out to February: only b's activities
    out = cost_to_serve(log, RATES, start="2024-02-15", end="2024-02-20")
    assert out["account_id"].tolist() == ["b"] and out["cost_to_serve"].tolist() == [850.0]
    assert out.attrs["note"] == ""  # every account listed has activities: nothing to say


def test_no_activities_table_means_the_module_is_unavailable():
    with pytest.raises(ValueError, match="the data has no activities table, so cost to serve "
                                         r"\(and the profitability module\) is unavailable"):
        cost_to_serve(None, RATES, accounts=["a"])


@pytest.mark.parametrize("empty", [
    pd.DataFrame({"account_id": [], "activity": [], "quantity": []}),
    pd.DataFrame({"account_id": pd.Series([], dtype=str), "activity": pd.Series([], dtype=str),
                  "quantity": pd.Series([], dtype=float),
                  "date": pd.Series([], dtype="datetime64[ns]")}),
])
def test_an_empty_activities_table_costs_zero_and_says_so(empty):
    out = cost_to_serve(empty, RATES, accounts=["x", "y"], end="2024-12-31")
    assert out["cost_to_serve"].tolist() == [0.0, 0.0]
    assert out.attrs["note"].startswith("2 account(s) have no activities")


def test_cost_to_serve_refuses_what_it_cannot_cost(log):
    with pytest.raises(ValueError, match=r"activity type\(s\) \['call'\] have no rate"):
        cost_to_serve(pd.concat([log, acts([("a", "2024-01-01", "call", 1)])]), RATES)
    with pytest.raises(ValueError, match="appear twice in the rates table"):
        cost_to_serve(log, pd.concat([RATES, RATES.iloc[:1]]))
    with pytest.raises(ValueError, match=r"1 activity row\(s\) have no quantity.*'b'"):
        cost_to_serve(log.assign(quantity=[1, 1, 1, np.nan, 1]), RATES)
    with pytest.raises(ValueError, match=r"column\(s\) \['qty'\] not found"):
        cost_to_serve(log, RATES, quantity="qty")
    with pytest.raises(TypeError, match="'unit_cost' must be numeric"):
        cost_to_serve(log, RATES.assign(unit_cost="300"))


# --- customer P&L -------------------------------------------------------------------------

def test_customer_pnl_by_hand(cube, log):
    pnl = customer_pnl(cube, cost_to_serve(log, RATES)).set_index("account_id")
    # a: 2000 - 1200 = 800 gross (40%); - 1100 to serve = -300 (-15%)
    assert pnl.loc["a", ["revenue", "cost_of_goods", "gross_margin", "gross_margin_pct",
                         "cost_to_serve", "profit", "profit_margin"]].tolist() == \
        pytest.approx([2000, 1200, 800, 0.4, 1100, -300, -0.15])
    # b: 500 - 300 - 850 = -650; c: no activities, 800 - 400 = 400 profit (50%)
    assert pnl.loc["b", "profit"] == -650.0 and pnl.loc["c", "profit"] == 400.0
    assert pnl.loc["c", "cts_visit"] == 0.0 and pnl.loc["c", "profit_margin"] == 0.5
    # d: only a credit note: negative revenue and margin, margins undefined
    assert pnl.loc["d", ["revenue", "gross_margin", "profit"]].tolist() == [-120, -50, -50]
    assert np.isnan(pnl.loc["d", "gross_margin_pct"]) and np.isnan(pnl.loc["d", "profit_margin"])


def test_activity_without_sales_is_a_pure_cost(cube, log):
    extra = pd.concat([log, acts([("e", "2024-02-01", "visit", 1)])])
    pnl = customer_pnl(cube, cost_to_serve(extra, RATES)).set_index("account_id")
    assert pnl.loc["e", ["revenue", "cost_of_goods", "cost_to_serve", "profit"]].tolist() == \
        [0.0, 0.0, 300.0, -300.0]


def test_unknown_cost_stays_unknown_and_without_cost_column_profit_is_before_cogs(cube, log):
    costs = cost_to_serve(log, RATES)
    pnl = customer_pnl(cube.assign(cost=[900.0, np.nan, 300, 400, -70]), costs)
    a = pnl.set_index("account_id").loc["a"]
    assert np.isnan(a["cost_of_goods"]) and np.isnan(a["profit"]) and a["revenue"] == 2000
    assert "1 account(s) have a month without cost" in pnl.attrs["note"]
    with pytest.raises(ValueError, match=r"1 account\(s\) have no profit \(NaN\), e.g. 'a'"):
        whale_curve(pnl)
    bare = customer_pnl(cube.drop(columns="cost"), costs, cost=None).set_index("account_id")
    assert bare.loc["a", "profit"] == 2000 - 1100
    assert "profit is before cost of goods" in bare.attrs["note"]


def test_pnl_by_segment_by_hand(cube, log):
    pnl = customer_pnl(cube, cost_to_serve(log, RATES))
    seg = pd.DataFrame({"account_id": ["a", "b", "c"], "region": ["N", "N", "S"]})
    out = pnl_by_segment(pnl, seg, by="region").set_index("region")
    # N: a + b = -300 - 650 = -950; S: 400; d has no region: -50; total -600 -> no shares
    assert out.index.tolist() == ["S", "(none)", "N"]
    assert out.loc["N", ["accounts", "loss_making", "revenue", "cost_to_serve", "profit"]
                   ].tolist() == [2, 2, 2500.0, 1950.0, -950.0]
    assert out.loc["N", "profit_margin"] == pytest.approx(-950 / 2500)
    assert out["profit_share"].isna().all()
    abc = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "abc": ["A", "B", "B", "C"]})
    by_abc = pnl_by_segment(pnl.iloc[[0, 2]], abc, by="abc").set_index("abc")   # a and c
    assert by_abc["profit_share"].to_dict() == {"B": 4.0, "A": -3.0}          # of 100


# --- whale curve --------------------------------------------------------------------------

def test_whale_curve_by_hand():
    pnl = pd.DataFrame({"account_id": list("abcdef"),
                        "profit": [-10.0, 80.0, 0.0, 50.0, -20.0, 0.0]})
    w = whale_curve(pnl)
    # ranked b 80, d 50, c 0, f 0, a -10, e -20: total 100, cum 80 130 130 130 120 100
    assert w["account_id"].tolist() == ["b", "d", "c", "f", "a", "e"]
    assert w["cum_value"].tolist() == [80, 130, 130, 130, 120, 100]
    assert w["cum_share"].tolist() == pytest.approx([0.8, 1.3, 1.3, 1.3, 1.2, 1.0])
    assert w["peak"].tolist() == [False, True, False, False, False, False]
    assert w["destroys_profit"].tolist() == [False] * 4 + [True, True]
    # the ranking and shares are pareto_table's, not a second implementation
    p = pareto_table(pnl, value="profit")
    assert (w[["rank", "account_id", "share", "cum_share"]].to_numpy() ==
            p[["rank", "account_id", "share", "cum_share"]].to_numpy()).all()
    s = whale_summary(w)
    assert (s.peak_accounts, s.peak_account_share, s.peak_share, s.n_destroyers,
            s.destroyed) == (2, 2 / 6, 1.3, 2, -30.0)
    assert s.headline == ("The top 33% of accounts (2 of 6) earn 130% of profit; 2 accounts "
                          "destroy 30% of it.")


@pytest.mark.parametrize("profits, total", [([50.0, -50.0], 0.0), ([30.0, -80.0, 10.0], -40.0)])
def test_zero_or_negative_total_profit_is_shown_in_money(profits, total):
    pnl = pd.DataFrame({"account_id": list("abc")[:len(profits)], "profit": profits})
    w = whale_curve(pnl)
    assert w["cum_share"].isna().all() and w["cum_value"].iloc[-1] == total
    assert "zero or negative" in w.attrs["note"]
    s = whale_summary(w)
    assert np.isnan(s.peak_share) and s.peak_value == max(np.cumsum(sorted(profits)[::-1]))
    assert s.headline.startswith(f"Total profit is {total:,.0f}: The top")
    assert f"lose {-sum(p for p in profits if p < 0):,.0f}" in s.headline
    fig = plots.whale_chart(w)
    assert fig.axes[0].get_ylabel() == "cumulative profit"
    plt.close("all")


def test_profit_destroyers_name_their_costliest_activities(cube, log):
    pnl = customer_pnl(cube, cost_to_serve(log, RATES))
    d = profit_destroyers(whale_curve(pnl), pnl, top=1)
    # destroyers by rank: d (-50: no activities), a (-300), b (-650)
    assert d[["account_id", "activity", "cost"]].values.tolist() == [
        ["a", "visit", 900.0], ["b", "rush_order", 450.0]]
    assert d["share_of_cost_to_serve"].tolist() == pytest.approx([900 / 1100, 450 / 850])
    both = profit_destroyers(whale_curve(pnl), pnl, top=5)
    assert both.loc[both["account_id"] == "b", "activity"].tolist() == ["rush_order",
                                                                       "support_ticket"]
    with pytest.raises(ValueError, match="top must be at least 1"):
        profit_destroyers(whale_curve(pnl), pnl, top=0)


@PROPERTY
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=40))
def test_whale_curve_invariants(values):
    pnl = pd.DataFrame({"account_id": [f"{i:03d}" for i in range(len(values))],
                        "profit": [float(v) for v in values]})
    if not any(values):
        return
    w = whale_curve(pnl)
    cum = w["cum_value"].to_numpy()
    assert cum[-1] == pytest.approx(sum(values))
    assert w["peak"].sum() == 1 and cum[w["peak"].to_numpy()][0] == cum.max()
    assert (np.diff(w["profit"]) <= 0).all()                       # ranked
    assert w["destroys_profit"].sum() == sum(v < 0 for v in values)
    # nothing after the peak adds profit
    k = int(np.flatnonzero(w["peak"])[0])
    assert (w["profit"].iloc[k + 1:] <= 0).all()


# --- cost-to-serve x net-price grid -------------------------------------------------------

def test_grid_by_hand():
    pnl = pd.DataFrame({"account_id": list("abcdef"),
                        "revenue": [100.0, 200.0, 100.0, 400.0, -10.0, 50.0],
                        "gross_margin": [50.0, 100.0, 20.0, 80.0, -5.0, np.nan],
                        "cost_to_serve": [20.0, 4.0, 25.0, 8.0, 3.0, 1.0],
                        "profit": [30.0, 96.0, -5.0, 72.0, -8.0, np.nan]})
    g = cost_price_grid(pnl).set_index("account_id")
    # placed a-d: cts share .2 .02 .25 .02 (median .11); margin .5 .5 .2 .2 (median .35)
    assert g.attrs["split"] == pytest.approx({"cost_to_serve_pct": 0.11, "net_margin": 0.35})
    assert g["quadrant"].to_dict() == {"a": "carriage trade", "b": "passive",
                                       "c": "aggressive", "d": "bargain basement",
                                       "e": NOT_PLACED, "f": NOT_PLACED}
    assert g.loc["b", "action"] == QUADRANTS["passive"]
    s = grid_summary(cost_price_grid(pnl)).set_index("quadrant")
    assert s.index.tolist() == [*QUADRANTS, NOT_PLACED]
    assert s.loc["passive", ["accounts", "revenue", "profit"]].tolist() == [1, 200.0, 96.0]
    # the unplaced quadrant holds f's unknown profit: its sum is unknown, so are the shares
    assert np.isnan(s.loc[NOT_PLACED, "profit"]) and s["profit_share"].isna().all()
    assert s.loc["passive", "revenue_share"] == pytest.approx(200 / 840)


def test_grid_fixed_split_and_empty_quadrants():
    pnl = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 100.0],
                        "gross_margin": [40.0, 30.0], "cost_to_serve": [5.0, 5.0],
                        "profit": [35.0, 25.0]})
    g = cost_price_grid(pnl, split=(0.05, 0.3))      # 5% is not above 5%: low cost
    assert g["quadrant"].tolist() == ["passive", "bargain basement"]
    s = grid_summary(g).set_index("quadrant")
    assert s.loc["aggressive", ["accounts", "revenue", "profit"]].tolist() == [0, 0.0, 0.0]
    assert NOT_PLACED not in s.index
    with pytest.raises(ValueError, match="split must be 'median'"):
        cost_price_grid(pnl, split="mean")


# --- the bundled sample, end to end -------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    return kl.load()


def test_sample_pnl_adds_up(sample):
    am = sample.cube.account_month
    costs = kl.cost_to_serve(sample.activities, sample.activity_rates,
                             accounts=am["account_id"].unique())
    pnl = kl.customer_pnl(am, costs)
    assert len(pnl) == sample.accounts.shape[0] == 1500
    rates = sample.activity_rates.set_index("activity")["unit_cost"]
    logged = (sample.activities["quantity"] * sample.activities["activity"].map(rates)).sum()
    assert pnl["cost_to_serve"].sum() == pytest.approx(logged)
    assert pnl["revenue"].sum() == pytest.approx(am["revenue"].sum())
    assert pnl["profit"].sum() == pytest.approx(am["revenue"].sum() - am["cost"].sum() - logged)
    s = whale_summary(kl.whale_curve(pnl))
    assert s.n_destroyers == 474 and round(s.peak_share, 2) == 1.69  # as data/SAMPLE.md says
    by_manager = pnl_by_segment(pnl, sample.accounts, by="account_manager")
    assert by_manager["accounts"].sum() == 1500
    assert by_manager["profit"].sum() == pytest.approx(pnl["profit"].sum())


def test_profitability_charts(cube, log):
    plots.set_theme()
    pnl = customer_pnl(cube, cost_to_serve(log, RATES)).query("account_id != 'd'")
    pnl = pd.concat([pnl, pnl.iloc[:1].assign(account_id="z", profit=2000.0)])
    w = whale_curve(pnl)
    fig = plots.whale_chart(w)
    ax = fig.axes[0]
    assert {ln.get_label() for ln in ax.get_lines()} >= {"cumulative profit", "peak"}
    assert ax.get_xlabel() == "share of accounts, most profitable first"
    grid = cost_price_grid(pnl)
    fig = plots.cost_price_chart(grid)
    assert {t.get_text() for t in fig.axes[0].get_legend().get_texts()} <= set(QUADRANTS)
    plt.close("all")


def test_cost_price_chart_keeps_the_crowd_readable():
    """One tiny account costing 60x its revenue must not squeeze 99 others into a line."""
    plots.set_theme()
    n = 100
    pnl = pd.DataFrame({"account_id": [f"a{i}" for i in range(n)],
                        "revenue": np.linspace(1000.0, 100000.0, n),
                        "gross_margin_pct": np.linspace(0.1, 0.5, n)})
    pnl["gross_margin"] = pnl["revenue"] * pnl["gross_margin_pct"]
    pnl["cost_to_serve"] = pnl["revenue"] * np.linspace(0.02, 0.3, n)
    pnl.loc[0, "cost_to_serve"] = 60 * pnl.loc[0, "revenue"]
    pnl["profit"] = pnl["gross_margin"] - pnl["cost_to_serve"]
    ax = plots.cost_price_chart(cost_price_grid(pnl)).axes[0]
    assert ax.get_xlim()[1] < 1.0  # not 60 (6,000%)
    assert [t.get_text() for t in ax.texts] == [
        "1 account(s) beyond the edge, cost to serve up to 6000% of revenue"]
    ax = plots.cost_price_chart(cost_price_grid(pnl), clip=None).axes[0]
    assert ax.get_xlim()[1] > 60 and not ax.texts
    plt.close("all")
