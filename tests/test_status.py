"""The account status frame: every rule on hand-computed accounts, and its invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.status import (STATUSES, StatusRules, account_status, status_counts,
                           status_periods, yearly_profit)

AS_OF = "2025-09-30"  # last 12 months: Oct 2024 - Sep 2025; the 12 before: Oct 2023 - Sep 2024


def months(account: str, days: list[str], revenue: float | list[float] = 100.0
           ) -> pd.DataFrame:
    """Account x month rows, one purchase on each day (a month per day)."""
    d = pd.to_datetime(days)
    values = revenue if isinstance(revenue, list) else [revenue] * len(days)
    return pd.DataFrame({"account_id": account, "period": d.to_period("M").to_timestamp(),
                         "revenue": values, "first_date": d, "last_date": d})


def status_of(*frames, **kw) -> pd.DataFrame:
    return account_status(pd.concat(frames, ignore_index=True), as_of=AS_OF,
                          **kw).set_index("account_id")


def monthly(start: str, end: str) -> list[str]:
    return [d.strftime("%Y-%m-15") for d in pd.date_range(start, end, freq="MS")]


def test_periods_are_twelve_whole_months_each():
    p = status_periods("2025-12-28")
    assert [d.date().isoformat() for d in p["last_12_months"]] == ["2025-01-01", "2025-12-28"]
    assert [d.date().isoformat() for d in p["prior_12_months"]] == ["2024-01-01", "2024-12-31"]


def test_each_status_rule_by_hand():
    st_ = status_of(
        months("steady", monthly("2023-10-01", "2025-09-01")),           # 24 months
        months("gone", monthly("2023-10-01", "2025-03-01")),             # last 2025-03-15
        months("fresh", ["2025-02-10", "2025-06-10"]),                     # first this year
        # bought Oct 2023 - Mar 2024, silent 2024-03-15 .. 2024-11-20 (250 days), back
        months("back", monthly("2023-10-01", "2024-03-01") + monthly("2024-11-01", "2025-09-01")
               ).assign(first_date=lambda f: f["first_date"].where(
                   f["first_date"] != pd.Timestamp("2024-11-15"), pd.Timestamp("2024-11-20"))),
        months("halved", monthly("2023-10-01", "2025-09-01"), [100.0] * 12 + [40.0] * 12),
        # monthly buyer silent since 2025-06-15: 107 days, over 3 x 30 and over 60
        months("quiet", monthly("2023-10-01", "2025-06-01")),
    )
    assert st_["status"].to_dict() == {"back": "won back", "fresh": "new", "gone": "lost",
                                       "halved": "at risk", "quiet": "at risk",
                                       "steady": "active"}
    assert st_.loc["gone", "reasons"] == "no purchase since 2025-03-15 (199 days; lost after 180)"
    assert st_.loc["back", "reasons"] == ("bought again on 2024-11-20 after 250 days without a "
                                          "purchase")
    assert st_.loc["fresh", "reasons"] == "first purchase on 2025-02-10"
    assert st_.loc["halved", "reasons"] == ("revenue in the last 12 months 60% below the 12 "
                                            "months before")
    assert st_.loc["quiet", "reasons"].startswith("no purchase for 107 days")
    assert st_.loc["steady", "reasons"] == ""
    assert st_.loc["halved", ["revenue_l12m", "revenue_p12m", "revenue_change"]].tolist() == [
        480.0, 1200.0, -720.0]
    # the rhythm: 24 purchases over 2023-10-15 .. 2025-09-15 (701 days): 701 / 23
    assert st_.loc["steady", "typical_gap_days"] == pytest.approx(701 / 23)
    assert st_.loc["steady", "days_since_purchase"] == 15


def test_lost_after_years_then_won_back_after_being_lost():
    # a customer for years, lost (no purchase for 200 days), then back: the return counts
    years = months("x", monthly("2021-01-01", "2024-06-01"))
    assert status_of(years).loc["x", "status"] == "lost"
    back = pd.concat([years, months("x", ["2025-08-05"])])
    assert status_of(back).loc["x", "status"] == "won back"
    # a return more than 12 months ago is history: the account is simply active (or at risk)
    old_return = pd.concat([months("y", ["2022-01-10"]),
                            months("y", monthly("2023-01-01", "2025-09-01"))])
    assert status_of(old_return).loc["y", "status"] == "active"


def test_lost_is_the_days_rule_and_nothing_else():
    # one day over, exactly on, never bought (a credit note only)
    rows = [months("over", ["2025-04-02"]), months("on", ["2025-04-03"]),
            months("credit", ["2024-01-10"], -50.0)]
    st_ = status_of(*rows)
    assert st_.loc["over", "status"] == "lost" and st_.loc["over", "days_since_purchase"] == 181
    assert st_.loc["on", "status"] == "new"   # 180 days: not lost; first purchase this year
    assert st_.loc["credit", "status"] == "lost"
    assert st_.loc["credit", "reasons"] == "never bought (only credit notes)"
    assert status_of(*rows, rules=StatusRules(lost_after_days=200)).loc["over", "status"] == "new"


def test_products_dropped_only_count_when_revenue_did_not_grow():
    am = months("a", monthly("2023-10-01", "2025-09-01"))
    ap = pd.DataFrame({"account_id": "a", "product": ["p", "q", "r"],
                       "revenue": [100.0, 50.0, 50.0],
                       "first_date": pd.to_datetime(["2023-10-15"] * 3),
                       "last_date": pd.to_datetime(["2025-09-15", "2024-03-01", "2024-05-01"])})
    st_ = account_status(am, account_product=ap, as_of=AS_OF).iloc[0]
    assert st_["products_dropped"] == 2
    assert (st_["status"], st_["reasons"]) == ("at risk", "stopped buying 2 products it bought "
                                                          "the year before")
    grew = months("a", monthly("2023-10-01", "2025-09-01"), [100.0] * 12 + [150.0] * 12)
    assert account_status(grew, account_product=ap, as_of=AS_OF).iloc[0]["status"] == "active"


def test_data_past_as_of_is_not_read():
    am = months("a", monthly("2023-10-01", "2025-12-01"))
    st_ = account_status(am, as_of=AS_OF).iloc[0]
    assert st_["last_purchase"] == pd.Timestamp("2025-09-15")
    assert st_["revenue_l12m"] == 1200.0


def test_yearly_profit_by_hand():
    am = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [100.0, 300.0, 80.0],
                       "cost": [50.0, 100.0, 20.0],
                       "period": pd.to_datetime(["2024-05-01", "2025-05-01", "2025-01-01"])})
    acts = pd.DataFrame({"account_id": ["a", "b"], "activity": ["visit", "visit"],
                         "quantity": [1.0, 2.0], "date": pd.to_datetime(["2025-06-03",
                                                                          "2023-01-01"])})
    rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [20.0]})
    got = yearly_profit(am, acts, rates, as_of=AS_OF).set_index("account_id")
    assert got.loc["a"].tolist() == [180.0, 50.0]
    assert got.loc["b", "profit_l12m"] == 60.0


def test_counts_list_every_status():
    st_ = status_of(months("a", monthly("2023-10-01", "2025-09-01")))
    counts = status_counts(st_.reset_index())
    assert list(counts.index) == list(STATUSES)
    assert counts.loc["active", "accounts"] == 1 and counts.loc["lost", "accounts"] == 0


@pytest.mark.parametrize("bad", [{"gap_factor": 0.5}, {"revenue_drop": 1.0},
                                 {"lost_after_days": 0}, {"min_gap_days": "60"},
                                 {"dropped_products": 1.5}])
def test_rules_out_of_range_are_refused(bad):
    name = next(iter(bad))
    with pytest.raises(ValueError, match=f"status rules: {name} = "):
        StatusRules(**bad)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 900), st.floats(-50, 500)), min_size=1, max_size=30))
def test_invariants(purchases):
    base = pd.Timestamp("2023-04-01")
    days = [base + pd.Timedelta(days=d) for d, _ in purchases]
    am = pd.DataFrame({"account_id": "a", "revenue": [v for _, v in purchases],
                       "first_date": days, "last_date": days})
    am["period"] = am["first_date"].dt.to_period("M").dt.to_timestamp()
    am = am.groupby(["account_id", "period"], as_index=False).agg(
        revenue=("revenue", "sum"), first_date=("first_date", "min"),
        last_date=("last_date", "max"))
    r = account_status(am, as_of=AS_OF).iloc[0]
    since = r["days_since_purchase"]
    # lost exactly by the days rule
    assert (r["status"] == "lost") == (np.isnan(since) or since > 180)
    # a recent buyer whose yearly revenue rose is never at risk
    if since <= 30 and r["revenue_l12m"] > r["revenue_p12m"]:
        assert r["status"] != "at risk"
    assert (r["reasons"] == "") == (r["status"] == "active")


@pytest.mark.parametrize("line, said", [
    ("at_risk_gap_factor = 0.5", "at_risk_gap_factor = 0.5: a number, at least 1"),
    ("at_risk_revenue_drop = 1.5", "at_risk_revenue_drop = 1.5: a share between 0 and 1"),
    ("at_risk_min_gap_days = -1", "at_risk_min_gap_days = -1: a whole number of days"),
    ("at_risk_dropped_products = 0", "at_risk_dropped_products = 0: a whole number")])
def test_config_rules_are_checked_when_read(tmp_path, line, said):
    from kamlib import ConfigError, load_config

    (tmp_path / "kam.toml").write_text(f"[analysis]\n{line}\n")
    with pytest.raises(ConfigError, match=f"\\[analysis\\] {said}".replace("(", "\\(")):
        load_config(tmp_path / "kam.toml")


def test_config_rules_reach_the_status(tmp_path):
    from kamlib import load_config
    from kamlib.status import rules_of

    (tmp_path / "kam.toml").write_text("[analysis]\nlost_after_days = 90\n"
                                       "at_risk_gap_factor = 2\nat_risk_min_gap_days = 30\n")
    rules = rules_of(load_config(tmp_path / "kam.toml").analysis)
    assert (rules.lost_after_days, rules.gap_factor, rules.min_gap_days) == (90, 2, 30)
