"""Module 16 (retention): every rule on hand-computed accounts, and agreement with the
status frame on which accounts are lost."""

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.data.config import ConfigError, load_config
from kamlib.retention import (assign_tiers, bonus_merge, comebacks, dealer_scores, lost_at,
                              lost_spells, loss_trend, losses_by_period, paid_membership,
                              offer_summary, points_programme, programme_comparison, return_chance,
                              tier_moves, tier_what_if, winback_candidates, winback_list)
from kamlib.retention.dealers import Criterion
from kamlib.retention.frames import dealer_inputs
from kamlib.report.safe_export import safe_export
from kamlib.status import StatusRules, account_status

AS_OF = "2024-12-31"


def months(account: str, days: list[str], revenue: float | list[float] = 100.0,
           cost: float | None = None) -> pd.DataFrame:
    d = pd.to_datetime(days)
    values = revenue if isinstance(revenue, list) else [revenue] * len(days)
    out = pd.DataFrame({"account_id": account, "period": d.to_period("M").to_timestamp(),
                        "revenue": values, "first_date": d, "last_date": d})
    if cost is not None:
        out["cost"] = cost
    return out


def twice_back() -> pd.DataFrame:
    """Lost twice, won back twice: 2023-01-15, 2023-09-01 (229 days later), 2023-09-20,
    2024-06-10 (264 days later), then every month to December 2024."""
    rows = months("twice", ["2023-01-15", "2023-09-01", "2023-09-20", "2024-06-10",
                            "2024-07-10", "2024-08-10", "2024-09-10", "2024-10-10",
                            "2024-11-10", "2024-12-10"])
    return rows.groupby(["account_id", "period"], as_index=False).agg(  # one row a month
        revenue=("revenue", "sum"), first_date=("first_date", "min"),
        last_date=("last_date", "max"))


def test_an_account_lost_and_won_back_twice():
    sp = lost_spells(twice_back(), as_of=AS_OF, lost_after_days=180)
    assert sp["lost_on"].dt.strftime("%Y-%m-%d").tolist() == ["2023-07-15", "2024-03-19"]
    assert sp["returned_on"].dt.strftime("%Y-%m-%d").tolist() == ["2023-09-01", "2024-06-01"]
    assert sp["days_without"].tolist() == [229.0, 264.0]
    # yearly revenue when it left: the 12 months up to the last purchase
    # Feb 2022 - Jan 2023: 100; Oct 2022 - Sep 2023: Jan 100 + Sep (two purchases) 200
    assert sp["revenue_before"].tolist() == [100.0, 300.0]
    # the first 12 months back: Sep 2023 - Aug 2024 = Sep (2 x 100) + Jun, Jul, Aug 2024
    assert sp["revenue_back"].tolist() == [500.0, 700.0]  # Jun - Dec 2024, 7 months seen
    assert sp["months_back"].tolist() == [12.0, 7.0]
    back = comebacks(sp)
    assert back["share_back"].tolist() == pytest.approx([5.0, 700 * 12 / 7 / 300])
    assert lost_at(sp, AS_OF).empty
    # on 2024-04-30 it was lost (second spell open), on 2023-08-31 too (first spell)
    assert lost_at(sp, "2024-04-30")["lost_on"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2024-03-19"]
    assert len(lost_at(sp, "2023-08-31")) == 1 and lost_at(sp, "2023-07-14").empty


def test_the_day_of_loss_is_the_day_after_lost_after_days():
    am = months("a", ["2024-01-10"])
    assert lost_spells(am, as_of="2024-07-08", lost_after_days=180).empty  # 180 days
    sp = lost_spells(am, as_of="2024-07-09", lost_after_days=180)  # 181 days
    assert sp["lost_on"].dt.strftime("%Y-%m-%d").tolist() == ["2024-07-09"]


def test_a_new_account_has_no_spell_and_a_credit_note_account_is_lost():
    am = pd.concat([months("new", ["2024-11-05", "2024-12-05"]),
                    months("credit", ["2024-03-01"], revenue=-50.0)], ignore_index=True)
    sp = lost_spells(am, as_of=AS_OF, lost_after_days=180)
    assert sp["account_id"].tolist() == ["credit"]
    assert sp["last_purchase"].isna().all() and sp["lost_on"].isna().all()
    assert lost_at(sp, AS_OF)["account_id"].tolist() == ["credit"]


def test_profit_before_needs_every_month_costed_and_takes_cost_to_serve_off():
    am = pd.concat([months("a", ["2023-01-10", "2023-02-10"], revenue=100.0, cost=60.0),
                    months("b", ["2023-01-10"], revenue=100.0)], ignore_index=True)
    am.loc[am["account_id"] == "b", "cost"] = np.nan
    service = pd.DataFrame({"account_id": ["a"], "period": pd.to_datetime(["2023-02-01"]),
                            "cost_to_serve": [15.0]})
    sp = lost_spells(am, as_of=AS_OF, lost_after_days=180, service_cost=service)
    assert sp.set_index("account_id")["profit_before"].to_dict() == {"a": 65.0, "b": None} \
        or np.isnan(sp.set_index("account_id").loc["b", "profit_before"])
    assert sp.set_index("account_id").loc["a", "profit_before"] == 80.0 - 15.0


def test_losses_by_quarter_count_and_cost_by_hand():
    am = pd.concat([twice_back(), months("gone", ["2023-10-05"], revenue=300.0)],
                   ignore_index=True)
    sp = lost_spells(am, as_of=AS_OF, lost_after_days=180)
    t = losses_by_period(sp, start="2023-01-01", as_of=AS_OF, freq="Q").set_index("period")
    # lost: 2023-07-15 (Q3 2023), 2024-03-19 (Q1 2024), gone on 2024-04-03 (Q2 2024)
    assert t["lost"].to_dict() == {pd.Timestamp("2023-07-01"): 1, pd.Timestamp("2023-10-01"): 0,
                                   pd.Timestamp("2024-01-01"): 1, pd.Timestamp("2024-04-01"): 1,
                                   pd.Timestamp("2024-07-01"): 0, pd.Timestamp("2024-10-01"): 0}
    assert t.loc["2024-04-01", "revenue_lost"] == 300.0
    assert t["won_back"].tolist() == [1, 0, 0, 1, 0, 0]
    assert t["complete"].all()
    trend = loss_trend(t.reset_index()).iloc[0]
    assert trend["lost_last_four"] == 2.0 and np.isnan(trend["lost_four_before"])


def test_the_first_period_is_the_first_in_which_a_loss_is_possible():
    sp = lost_spells(months("a", ["2024-01-10"]), as_of="2024-10-15", lost_after_days=180)
    t = losses_by_period(sp, start="2024-01-01", as_of="2024-10-15", freq="M")
    # 2024-01-01 + 181 days = 2024-06-30: June is the first month a loss can fall in
    assert t["period"].dt.strftime("%Y-%m").tolist() == ["2024-06", "2024-07", "2024-08",
                                                         "2024-09", "2024-10"]
    assert t["complete"].tolist() == [True, True, True, True, False]
    with pytest.raises(ValueError, match="freq"):
        losses_by_period(sp, start="2024-01-01", as_of="2024-10-15", freq="W")


@st.composite
def account_months(draw):
    rows = []
    for i in range(draw(st.integers(1, 6))):
        days = draw(st.lists(st.integers(0, 900), min_size=1, max_size=8, unique=True))
        for d in days:
            day = pd.Timestamp("2022-07-01") + pd.Timedelta(days=d)
            rows.append((f"a{i}", day, draw(st.sampled_from([100.0, -20.0, 50.0]))))
    frame = pd.DataFrame(rows, columns=["account_id", "date", "revenue"])
    frame["period"] = frame["date"].dt.to_period("M").dt.start_time
    return frame.groupby(["account_id", "period"], as_index=False).agg(
        revenue=("revenue", "sum"), first_date=("date", "min"), last_date=("date", "max"))


@settings(max_examples=60, deadline=None)
@given(account_months(), st.integers(0, 900), st.sampled_from([30, 90, 180]))
def test_lost_at_as_of_is_the_status_frames_lost(am, offset, days):
    """The spells open on the as-of date name exactly the status frame's lost accounts."""
    as_of = pd.Timestamp("2022-07-01") + pd.Timedelta(days=offset)
    status = account_status(am, as_of=as_of, rules=StatusRules(lost_after_days=days))
    sp = lost_spells(am, as_of=as_of, lost_after_days=days)
    assert set(lost_at(sp, as_of)["account_id"]) == \
        set(status.loc[status["status"] == "lost", "account_id"])
    # and an account won back in the status frame has a spell that ended in the last 12 months
    won = set(status.loc[status["status"] == "won back", "account_id"])
    assert won <= set(sp.loc[sp["returned_on"].notna(), "account_id"])


@pytest.fixture(scope="module")
def sample_ds():
    from kamlib import open_dataset

    return open_dataset()


def test_lost_at_agrees_with_the_status_frame_on_the_bundled_data(sample_ds):
    from kamlib.retention.frames import dataset_spells
    from kamlib.status import dataset_status

    status = dataset_status(sample_ds)
    sp = dataset_spells(sample_ds)
    lost = set(status.loc[status["status"] == "lost", "account_id"])
    assert lost and set(lost_at(sp, sample_ds.as_of)["account_id"]) == lost


def test_return_chance_counts_only_losses_old_enough():
    sp = pd.DataFrame({"lost_on": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01",
                                                  "2024-10-01"]),
                       "returned_on": pd.to_datetime(["2023-06-01", "2024-06-01", None,
                                                      "2024-11-01"])})
    # the last is too recent; the second came back after 486 days: not within 365
    assert return_chance(sp, as_of=AS_OF).iloc[0].tolist() == [3.0, 1.0, 1 / 3]
    assert np.isnan(return_chance(sp.iloc[3:], as_of=AS_OF)["chance"].iloc[0])


def candidates() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": ["svc", "price", "quiet", "nocontact"],
        "status": ["lost", "lost", "at risk", "lost"],
        "last_purchase": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-11-10",
                                         "2024-03-01"]),
        "revenue": [1000.0, 8000.0, 500.0, 2000.0], "profit": [300.0, np.nan, 100.0, 900.0],
        "revenue_last_year": [1000.0, 8000.0, 450.0, 2000.0],
        "revenue_year_before": [900.0, 12000.0, 500.0, 2000.0],
        "cost_to_serve": [250.0, 100.0, 10.0, 0.0]})


def contacts() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": ["svc", "svc", "price", "quiet"],
        "contact_name": ["=HYPERLINK(\"http://x\",\"y\")", "Ann", "Bo", "Cy"],
        "role": ["Buyer", "CEO", "CFO", "IT Manager"], "circle": [2, 1, 1, 2],
        "last_contact": pd.to_datetime(["2024-01-01", "2023-12-01", "2023-01-01",
                                        "2024-10-01"])})


def test_winback_list_by_hand():
    accounts = pd.DataFrame({"account_id": ["svc", "price", "quiet", "nocontact"],
                             "account_name": ["S", "P", "Q", "N"],
                             "account_manager": ["m1", "m2", "m3", "m4"]})
    products = pd.DataFrame({"account_id": ["svc", "svc", "price"],
                             "product": ["Cloud", "IoT", "Security"],
                             "revenue": [10.0, 30.0, 5.0]})
    wb = winback_list(candidates(), chance=0.5, products=products, contacts=contacts(),
                      accounts=accounts).set_index("account_id")
    # value: profit x chance, revenue where profit is missing
    assert wb["value_regained"].to_dict() == {"price": 4000.0, "nocontact": 450.0,
                                              "svc": 150.0, "quiet": 50.0}
    assert wb["rank"].tolist() == [1, 2, 3, 4] and wb.loc["price", "value_basis"] == "revenue"
    # svc: cost to serve 25% of revenue -> service; price: 8000 < 0.7 x 12000 and its only
    # contact last reached 2023-01-01, over 180 days before 2024-02-10
    assert wb.loc["svc", "reasons"] == "service"
    assert wb.loc["price", "reasons"] == "contacts lost, price"
    assert wb.loc["price", "offer_type"] == "relationship restart"
    assert wb.loc["nocontact", "reasons"] == "contacts lost"  # no contact on record
    assert wb.loc["quiet", "offer_type"] == "win-back call"  # 10% drop, 2% cost to serve
    assert wb.loc["svc", "offer"].endswith("on IoT")  # its largest product
    assert wb.loc["svc", "contact"] == "Ann (CEO)"  # circle 1 before circle 2
    assert wb.loc["nocontact", "contact"] == "" and wb.loc["quiet", "account_manager"] == "m3"
    with pytest.raises(ValueError, match="chance"):
        winback_list(candidates(), chance=1.5)


def test_a_loss_making_account_is_offered_new_terms_and_ranks_last():
    c = candidates()
    c.loc[0, "profit"] = -200.0  # svc lost money: service, but a return at old terms costs
    wb = winback_list(c, chance=0.5, contacts=contacts()).set_index("account_id")
    assert wb.loc["svc", "reasons"] == "loss-making, service"
    assert wb.loc["svc", "offer_type"] == "new terms or let go"
    assert wb.loc["svc", "value_regained"] == -100.0 and wb.loc["svc", "rank"] == 4
    summary = offer_summary(wb.reset_index()).set_index("offer_type")
    assert summary.loc["new terms or let go", "accounts"] == 1
    assert summary["accounts"].sum() == 4


def test_exported_winback_list_has_no_formula_cell(tmp_path):
    wb = winback_list(candidates().assign(account_id=["=1+1", "+A1", "-2", "@SUM(A1)"]),
                      chance=0.5, contacts=contacts())
    wb["contact"] = "=HYPERLINK(\"http://x\",\"y\")"
    path = safe_export(wb, tmp_path / "win_back.xlsx")
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert cells and not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))
                   for c in cells)
    text = safe_export(wb, tmp_path / "win_back.csv").read_text(encoding="utf-8")
    assert all(not cell.startswith(("=", "+", "-", "@"))
               for line in text.splitlines() for cell in line.split(","))


def test_winback_candidates_take_lost_from_spells_and_lapsing_from_the_status():
    am = pd.concat([months("gone", ["2023-06-10", "2024-02-10"], revenue=[400.0, 600.0]),
                    months("risk", ["2023-03-10", "2024-12-10"])], ignore_index=True)
    status = account_status(am, as_of=AS_OF).assign(
        status=lambda f: np.where(f["account_id"] == "risk", "at risk", f["status"]))
    sp = lost_spells(am, as_of=AS_OF, lost_after_days=180)
    c = winback_candidates(status, sp, am).set_index("account_id")
    assert c.loc["gone", "revenue"] == 1000.0  # Mar 2023 - Feb 2024
    assert c.loc["gone", "revenue_year_before"] == 0.0
    assert c.loc["risk", "revenue"] == 100.0 and c.loc["risk", "revenue_last_year"] == 100.0


def test_a_tier_threshold_exactly_on_a_value():
    v = pd.DataFrame({"account_id": list("abcd"), "revenue": [0.0, 24_999.99, 25_000.0,
                                                              100_000.0]})
    tiers = {"red": 0, "silver": 25_000, "gold": 100_000}
    assert assign_tiers(v, tiers)["tier"].astype(str).tolist() == ["red", "red", "silver",
                                                                   "gold"]
    with pytest.raises(ValueError, match="rise"):
        assign_tiers(v, {"red": 0, "silver": 0})


def test_tier_what_if_by_hand():
    v = pd.DataFrame({"account_id": list("abcd"), "revenue": [10_000.0, 30_000.0, 60_000.0,
                                                              120_000.0]})
    moves = tier_moves(v, {"red": 0, "silver": 25_000, "gold": 100_000},
                       {"red": 0, "silver": 50_000, "gold": 50_001})
    assert moves["move"].tolist() == ["same", "down", "up", "same"]
    w = tier_what_if(moves, {"silver": 0.01, "gold": 0.02}).set_index("thresholds")
    assert w.loc["current", "benefit_cost"] == 300 + 600 + 2400
    assert w.loc["new", "benefit_cost"] == 1200 + 2400
    assert w.loc["new", ["moved_up", "moved_down", "revenue_moving_down"]].tolist() == \
        [1, 1, 30_000.0]
    assert w.loc["new", ["accounts_red", "accounts_silver", "accounts_gold"]].tolist() == \
        [2, 0, 2]


def test_points_and_membership_by_hand():
    v = pd.DataFrame({"revenue": [49.0, 50.0, 20_000.0]})
    p = points_programme(v, spend_per_reward=50, reward_value=5)
    assert p["rewards"].tolist() == [0, 1, 400] and p["cost"].sum() == 2005
    m = paid_membership(v, fee=500, discount=0.025)  # 20,000 x 2.5% = 500: not above the fee
    assert not m["member"].any()
    c = programme_comparison(v, thresholds={"red": 0, "gold": 50}, benefits={"gold": 0.1},
                             spend_per_reward=50, reward_value=5, fee=100, discount=0.01)
    assert c["yearly_cost"].tolist() == [2005.0, 2005.0, 100.0]
    assert c["accounts"].tolist() == [2, 2, 1]


def test_a_dealer_at_the_minimum_and_the_maximum_ceiling():
    d = pd.DataFrame({"account_id": ["low", "mid", "top"],
                      "turnover": [0.0, 50_000.0, 250_000.0], "years_with_us": [0, 5, 15],
                      "marketing_spend_trend": [-0.5, 0.0, 0.15],
                      "new_product_promotion": [1, 3, 5], "service_level": [1, 3, 5]})
    s = dealer_scores(d).set_index("account_id")
    assert s.loc["low", "ceiling"] == 10_000 and s.loc["low", "coefficient"] == 0
    assert s.loc["top", "ceiling"] == 50_000 and s.loc["top", "coefficient"] == 1
    # mid: 3 points on every criterion = half way: 30,000; the dealer matches 1:1 at 50%
    assert s.loc["mid", "ceiling"] == pytest.approx(30_000)
    assert s.loc["mid", "dealer_contribution"] == pytest.approx(30_000)
    assert s.loc["top", "points_turnover"] == 5 and s.loc["low", "points_service_level"] == 1
    share = dealer_scores(d, dealer_share=0.6).set_index("account_id")
    assert share.loc["top", "dealer_contribution"] == pytest.approx(75_000)  # 60% of 125k
    with pytest.raises(ValueError, match="at least 0.5"):
        dealer_scores(d, dealer_share=0.4)
    with pytest.raises(ValueError, match="'low' has no turnover"):
        dealer_scores(d.assign(turnover=[np.nan, 1.0, 2.0]))


def test_weights_move_the_coefficient():
    crit = {"a": Criterion("a", (1.0,), 3.0), "b": Criterion("b", (1.0,), 1.0)}
    d = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 1.0]})
    assert dealer_scores(d, crit)["coefficient"].tolist() == [0.75, 0.25]


def test_bonus_merge_by_hand():
    d = pd.DataFrame({"shipments": [100_000.0, 50_000.0], "plan": [100_000.0, 60_000.0]})
    out = bonus_merge(d, bonuses={"volume": 0.02, "promo": 0.01}, plan_bonus=0.04)
    assert out["plan_met"].tolist() == [True, False]  # exactly on plan counts as met
    assert out["cost_before"].tolist() == [3000.0, 1500.0]
    assert out["cost_after"].tolist() == [4000.0, 0.0]
    assert out["change"].sum() == -500.0


def test_dealer_inputs_from_accounts_and_status():
    acc = pd.DataFrame({"account_id": ["1", "2", "3"], "channel": ["Dealer", "direct", None],
                        "customer_since": pd.to_datetime(["2020-06-30", "2019-01-01",
                                                          "2019-01-01"])})
    status = pd.DataFrame({"account_id": ["1", "2", "3"], "revenue_l12m": [5.0, 1.0, 1.0],
                           "revenue_p12m": [10.0, 1.0, 1.0]})
    d = dealer_inputs(acc, status, as_of="2025-06-30", plan_growth=0.1)
    assert d["account_id"].tolist() == ["1"]
    assert d[["turnover", "shipments", "plan", "years_with_us"]].iloc[0].tolist() == \
        [5.0, 5.0, 11.0, 5.0]


def test_retention_settings_are_read_and_checked(tmp_path):
    path = tmp_path / "kam.toml"
    path.write_text("[retention]\nloss_period = \"M\"\ntiers = { bronze = 0, gold = 5000 }\n"
                    "tier_benefits = { gold = 0.02 }\nmax_ceiling = 60000\n")
    s = load_config(path).retention
    assert (s.loss_period, s.tiers, s.max_ceiling) == ("M", {"bronze": 0.0, "gold": 5000.0},
                                                       60000)
    for bad, match in [("loss_period = \"W\"", "loss_period"),
                       ("tiers = { red = 10, gold = 5 }", "must rise"),
                       ("tier_benefits = { platinum = 0.1 }", "not tiers"),
                       ("dealer_share = 0.3", "dealer_share"),
                       ("price_drop = 2", "price_drop"),
                       ("min_ceiling = 60000", "min_ceiling"),
                       ("winback_within = 3", "unknown setting"),
                       ("contact_days = \"x\"", "contact_days")]:
        path.write_text(f"[retention]\n{bad}\n")
        with pytest.raises(ConfigError, match=match):
            load_config(path)
