"""The director's brief: totals, largest accounts, accounts to act on and next steps."""

import numpy as np
import pandas as pd
import pytest

from kamlib.brief import act_on, compact, largest_accounts, next_steps, totals

STATUS = pd.DataFrame({
    "account_id": ["a", "b", "c", "d", "e"],
    "status": ["active", "lost", "at risk", "active", "won back"],
    "reasons": ["", "no purchase since 2025-01-02 (271 days; lost after 180)",
                "revenue in the last 12 months 40% below the 12 months before", "",
                "bought again on 2025-08-01 after 200 days without a purchase"],
    "revenue_l12m": [900.0, 0.0, 60.0, 500.0, 40.0],
    "revenue_p12m": [800.0, 300.0, 100.0, 0.0, 10.0],
    "profit_l12m": [90.0, 0.0, -20.0, -50.0, 4.0],
    "profit_p12m": [70.0, 30.0, 5.0, 0.0, 1.0]})
ACCOUNTS = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "account_name": ["A", "B", "C", "D"],
                         "account_manager": ["Ann", "Bo", "Cy", None]})


def test_totals_by_hand():
    t = totals(STATUS)
    assert (t["revenue_l12m"], t["revenue_p12m"], t["revenue_change"]) == (1500.0, 1210.0, 290.0)
    assert (t["profit_l12m"], t["profit_p12m"]) == (24.0, 106.0)
    assert t["margin_l12m"] == pytest.approx(24 / 1500)
    assert t["margin_change"] == pytest.approx(24 / 1500 - 106 / 1210)
    no_cost = totals(STATUS.assign(profit_l12m=np.nan, profit_p12m=np.nan))
    assert np.isnan(no_cost["profit_l12m"]) and np.isnan(no_cost["margin_change"])


def test_largest_accounts_with_change_status_and_names():
    top = largest_accounts(STATUS, ACCOUNTS, n=3)
    assert top["account_id"].tolist() == ["a", "d", "c"]
    assert top["change"].iloc[0] == pytest.approx(900 / 800 - 1)
    assert np.isnan(top["change"].iloc[1])  # nothing the year before: no percentage
    assert top[["account_name", "account_manager", "status"]].values.tolist() == [
        ["A", "Ann", "active"], ["D", "", "active"], ["C", "Cy", "at risk"]]


def test_act_on_lost_and_at_risk_key_accounts_and_loss_makers():
    got = act_on(STATUS, ACCOUNTS, key_accounts={"b", "c", "a"}, large_share=0.2)
    # b lost (stake 300 a year before), d makes a loss of 50 and has a third of revenue,
    # c at risk (stake 60); c's small loss does not list it twice; a is fine
    assert got[["account_id", "kind", "stake"]].values.tolist() == [
        ["b", "lost key account", 300.0], ["c", "key account at risk", 60.0],
        ["d", "large account making a loss", 50.0]]
    assert got.loc[2, "why"] == "large account making a loss: a loss of 50 in the last 12 months"
    assert got.loc[0, "account_manager"] == "Bo"
    assert act_on(STATUS, key_accounts=(), large_share=0.5).empty


def test_next_steps_say_counts_and_stakes():
    actions = act_on(STATUS, ACCOUNTS, key_accounts={"b", "c"}, large_share=0.2)
    # amounts keep number and unit together (no-break spaces, shown here as spaces)
    assert [s.replace("\u00a0", " ") for s in next_steps(actions, STATUS, "EUR")] == [
        "Win back 1 lost key account: 300 EUR bought in the 12 months before the last 12.",
        "Visit 1 key account at risk: 60 EUR bought in the last 12 months.",
        "Review the cost to serve of 1 large account making a loss: 50 EUR lost in the last "
        "12 months.",
        "Welcome back 1 account that bought again after a lost spell: a contact plan keeps "
        "them."]


@pytest.mark.parametrize("value, text", [(0, "0"), (999.4, "999"), (1000, "1.0 k"),
                                         (-2_500_000, "-2.5 M"), (3e9, "3.00 bn"),
                                         (9.5, "9.5"), (0.0123, "0.012"), (0.004, "0"),
                                         (-7.25, "-7.2"), (7.0, "7"),
                                         (float("nan"), "n/a")])
def test_compact(value, text):
    assert compact(value) == text.replace(" ", "\u00a0")
    assert " " not in compact(value, "EUR")  # never broken between number, scale, unit
