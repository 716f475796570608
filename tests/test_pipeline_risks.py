"""The pipeline of each account and its risks, against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamlib.planning.pipeline import pipeline, pipeline_totals
from kamlib.planning.risks import RISKS, risk_signals

AS_OF = "2025-12-31"
OPPS = pd.DataFrame({
    "account_id": ["a", "a", "a", "a", "a", "b"],
    "opportunity_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
    "stage": ["prospect", "Negotiation", "won", "lost", "proposal", "lost"],
    "product": ["Cloud", "IoT", "Cloud", "IoT", "Security", "Cloud"],
    "value": [1000.0, 2000.0, 500.0, 300.0, np.nan, 50.0],
    "close_date": pd.to_datetime(["2026-02-01", "2025-11-15", "2025-03-01", "2025-05-01",
                                  None, "2024-01-01"])})


def test_pipeline_weights_open_opportunities_by_their_stage():
    p = pipeline(OPPS, as_of=AS_OF)
    a = p[p["account_id"] == "a"]
    # open first (by close date, undated last), then the closed ones
    assert a["opportunity_id"].tolist() == ["o2", "o1", "o5", "o3", "o4"]
    assert a["stage"].tolist()[0] == "negotiation"       # stages read in any case
    # 2000 x 60%, 1000 x 10%; no value, no weighted value
    assert a["weighted_value"].tolist()[:2] == [1200.0, 100.0]
    assert np.isnan(a["weighted_value"].iloc[2]) and a["weighted_value"].iloc[3:].isna().all()
    assert a["overdue"].tolist() == [True, False, False, False, False]  # o2's date passed
    assert "negotiation 60%" in p.attrs["rules"]["weighted_value"]
    own = pipeline(OPPS, as_of=AS_OF, probabilities={"prospect": 0.2, "proposal": 0.5,
                                                     "negotiation": 0.9})
    assert own.loc[own["opportunity_id"] == "o1", "weighted_value"].item() == 200.0


def test_pipeline_totals_per_account_with_history_and_win_rate():
    t = pipeline_totals(pipeline(OPPS, as_of=AS_OF), ["a", "b", "c"]).set_index("account_id")
    assert t.loc["a", ["open", "open_value", "weighted_value", "overdue"]].tolist() == [
        3, 3000.0, 1300.0, 1]
    assert t.loc["a", ["won", "won_value", "lost", "lost_value"]].tolist() == [
        1, 500.0, 1, 300.0]
    assert t.loc["a", "win_rate"] == 0.5 and t.loc["b", "win_rate"] == 0.0
    assert t.loc["c", "open"] == 0 and np.isnan(t.loc["c", "win_rate"])  # no opportunity


@pytest.mark.parametrize("change, match", [
    ({"stage": ["maybe"] + ["won"] * 5}, r"unknown stage\(s\) \['maybe'\]"),
    ({}, "every open stage needs a probability")])
def test_pipeline_errors_name_the_stage(change, match):
    probs = None if change else {"prospect": 0.1, "proposal": 1.5}
    with pytest.raises(ValueError, match=match):
        pipeline(OPPS.assign(**change), as_of=AS_OF, probabilities=probs)


STATUS = pd.DataFrame({
    "account_id": ["a", "b", "c", "d"],
    "revenue_l12m": [1000.0, 500.0, 0.0, 200.0],
    "profit_l12m": [30.0, 100.0, 0.0, np.nan],
    "warnings": ["no purchase for 200 days, 4.0 times its usual 50 days between purchases; "
                 "revenue in the last 12 months 45% below the 12 months before", "", "", ""]})
PRODUCTS = pd.DataFrame({"account_id": ["a", "a", "b", "b"],
                         "product": ["Cloud", "IoT", "Cloud", "IoT"],
                         "revenue": [900.0, 100.0, 790.0, 210.0]})
CONTACTS = pd.DataFrame({
    "account_id": ["a", "a", "b", "b", "d"],
    "influence": ["decision maker", "user", "decision maker", "influencer", "user"],
    "last_contact": pd.to_datetime(["2025-08-01", "2025-12-01", "2025-12-20", "2025-01-01",
                                    "2025-09-01"])})


def test_risks_read_from_the_data_with_their_rules():
    r = risk_signals(STATUS, as_of=AS_OF, products=PRODUCTS, contacts=CONTACTS,
                     pipeline=pipeline(OPPS, as_of=AS_OF))
    got = {a: g[["risk", "evidence"]].values.tolist() for a, g in r.groupby("account_id")}
    # a: the status's two warnings as they are; Cloud 900 of 1000 = 90% >= 80%; the CEO
    # last reached 152 days before (> 90) though the user was reached 30 days before;
    # profit 30 of 1000 = 3.0% < 5%; o2 open past its close date
    assert got["a"] == [
        ["purchase overdue", "no purchase for 200 days, 4.0 times its usual 50 days "
         "between purchases"],
        ["falling revenue", "revenue in the last 12 months 45% below the 12 months before"],
        ["one product", "Cloud: 90% of its revenue"],
        ["decision makers not covered", "no decision maker reached in the last 90 days "
         "(1 known)"],
        ["low margin", "profit 3.0% of revenue in the last 12 months"],
        ["opportunities overdue", "1 open past the close date"]]
    # b: 79% is under 80%; margin 20%; its decision maker reached 11 days before: no risk
    assert "b" not in got
    # c bought nothing (no margin to read) and has no contact; d's only contact is a user,
    # 121 days ago; no cost data for d: no margin risk
    assert got["c"] == [["decision makers not covered", "no contact on record"]]
    assert got["d"] == [["decision makers not covered", "none of its 1 contacts is a "
                         "decision maker"],
                        ["no recent contact", "last contact 2025-09-01, 121 days ago"]]
    assert set(r["risk"]) <= set(RISKS) and r["rule"].str.len().gt(20).all()
    assert "80% or more" in r.attrs["rules"]["one product"]


def test_risks_without_optional_inputs_say_what_was_not_read():
    r = risk_signals(STATUS, as_of=AS_OF, min_margin=0.01)
    assert r["risk"].tolist() == ["purchase overdue", "falling revenue"]
    assert len(r.attrs["notes"]) == 3
