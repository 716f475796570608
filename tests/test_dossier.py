"""The dossier (Identify): general information, history, wallet share and the contact map,
against hand-computed answers on small fixtures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamlib.planning.contacts import circle_coverage, decision_map, influence_of
from kamlib.planning.dossier import (general_information, largest_deals, product_history,
                                     wallet_share, yearly_history)

AS_OF = "2024-06-30"
MONTHS = pd.DataFrame({
    "account_id": ["a", "a", "a", "a", "b", "c"],
    "period": pd.to_datetime(["2022-05-01", "2023-03-01", "2023-09-01", "2024-02-01",
                              "2024-01-01", "2023-07-01"]),
    "revenue": [50.0, 100.0, 200.0, 150.0, 30.0, 80.0]})
DAYS = pd.DataFrame({
    "account_id": ["a", "a", "a", "a", "a", "b", "c"],
    "date": pd.to_datetime(["2022-05-03", "2023-03-10", "2023-09-02", "2023-09-20",
                            "2024-02-05", "2024-01-15", "2023-07-07"]),
    "revenue": [50.0, 100.0, 260.0, -60.0, 150.0, 30.0, 80.0]})
ACCOUNTS = pd.DataFrame({
    "account_id": ["a", "b", "c", "d"], "account_name": ["A", "B", "C", "D"],
    "industry": ["Bank", "Bank", "Retail", "Retail"],
    "customer_since": pd.to_datetime(["2014-06-30", "2023-12-30", None, "2020-01-01"]),
    "wallet_estimate": [1000.0, 0.0, None, 500.0]})


def test_yearly_history_growth_against_the_same_months_and_credit_notes():
    h = yearly_history(MONTHS, DAYS, as_of=AS_OF, start="2022-01-01").set_index(
        ["account_id", "year"])
    a = h.loc["a"]
    assert a["revenue"].tolist() == [50.0, 300.0, 150.0]
    # 2023 (whole year) against 2022: 300 / 50 - 1; 2024 (Jan-Jun) against Jan-Jun 2023: 100
    assert a["growth"].tolist()[1:] == [5.0, 0.5]
    assert np.isnan(a.loc[2022, "growth"]) and np.isnan(a.loc[2022, "change"])
    assert a["months"].tolist() == [12, 12, 6]
    assert (a.loc[2023, "credit_notes"], a.loc[2023, "credit_days"]) == (-60.0, 1)
    # c bought in 2023 only: 2024 is listed with 0 and no Jan-Jun 2023 purchases to compare
    assert h.loc[("c", 2024), "revenue"] == 0.0 and np.isnan(h.loc[("c", 2024), "growth"])
    assert h.loc[("c", 2024), "change"] == 0.0
    # a loss: the whole year is compared, so a drop to zero is -100%
    lost = yearly_history(MONTHS, as_of="2024-12-31", start="2022-01-01").set_index(
        ["account_id", "year"])
    assert lost.loc[("c", 2024), "growth"] == -1.0
    assert "credit_notes" not in lost and "credit_notes" in lost.attrs["notes"][0]


def test_yearly_history_compares_a_part_year_with_the_same_months_only():
    # data from 2022-05 to 2024-06: 2022 covers May-Dec, 2024 Jan-Jun
    h = yearly_history(MONTHS, as_of=AS_OF).set_index(["account_id", "year"])
    a = h.loc["a"]
    assert a["months"].tolist() == [8, 12, 6]
    assert a["period"].tolist() == ["May-Dec", "Jan-Dec", "Jan-Jun"]
    assert a["compared"].tolist() == ["", "2023 (May-Dec) vs 2022 (May-Dec)",
                                      "2024 (Jan-Jun) vs 2023 (Jan-Jun)"]
    # 2023 May-Dec: 200 (September; March is before May) vs 2022 May-Dec: 50 -> +150, x3
    assert (a.loc[2023, "revenue_compared"], a.loc[2023, "revenue_before"]) == (200.0, 50.0)
    assert (a.loc[2023, "change"], a.loc[2023, "growth"]) == (150.0, 3.0)
    assert a.loc[2023, "revenue"] == 300.0  # the year's own revenue stays whole
    # 2024 Jan-Jun: 150 vs 2023 Jan-Jun: 100 (March), not the whole 2023 (300)
    assert (a.loc[2024, "change"], a.loc[2024, "growth"]) == (50.0, 0.5)
    # a month alone, and whole years on both sides say so plainly
    one = yearly_history(MONTHS, as_of="2024-01-31", start="2022-01-01")
    row = one[(one["account_id"] == "b") & (one["year"] == 2024)].iloc[0]
    assert (row["period"], row["months"], row["compared"]) == ("Jan", 1, "")
    row = one[(one["account_id"] == "a") & (one["year"] == 2024)].iloc[0]
    assert row["compared"] == "2024 (Jan) vs 2023 (Jan)" and row["revenue_before"] == 0.0
    assert np.isnan(row["growth"]) and row["change"] == 0.0
    full = yearly_history(MONTHS, as_of="2024-12-31", start="2022-01-01")
    assert full.loc[(full["account_id"] == "a") & (full["year"] == 2024),
                    "compared"].item() == "2024 vs 2023"
    with pytest.raises(ValueError, match="starts .2025-01-01. after as_of"):
        yearly_history(MONTHS, as_of=AS_OF, start="2025-01-01")


def test_general_information_size_bands_and_missing_columns():
    totals = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [500.0, 30.0, 80.0]})
    info = general_information(ACCOUNTS, totals, as_of=AS_OF, shares=(0.4,),
                               labels=("large", "small")).set_index("account_id")
    assert info["size_band"].tolist()[:3] == ["large", "small", "small"]
    assert pd.isna(info.loc["d", "size_band"]) and info.loc["d", "revenue"] == 0.0
    assert info.loc["a", "years_as_customer"] == 10.0
    assert pd.isna(info.loc["c", "years_as_customer"])
    assert "region" not in info and any("region" in n for n in info.attrs["notes"])


def test_product_history_status_and_largest_deals():
    ap = pd.DataFrame({"account_id": ["a", "a"], "product": ["x", "y"],
                       "revenue": [100.0, 100.0],
                       "first_date": pd.to_datetime(["2022-01-01", "2024-01-01"]),
                       "last_date": pd.to_datetime(["2023-06-29", "2024-06-01"])})
    hist = product_history(ap, as_of=AS_OF)
    assert hist[["product", "status"]].values.tolist() == [["x", "lost"], ["y", "new"]]
    # 2023-06-30 is exactly 366 days before 2024-06-30 (leap year): one more day and it is lost
    assert product_history(ap, as_of=AS_OF, lost_after_days=367)["status"].tolist() == [
        "active", "new"]
    deals = largest_deals(DAYS, n=2)
    assert deals.loc[deals.account_id == "a", "revenue"].tolist() == [260.0, 150.0]
    assert (deals.revenue > 0).all() and deals.groupby("account_id").size().max() == 2
    with pytest.raises(ValueError, match="n must be"):
        largest_deals(DAYS, n=0)


def test_wallet_share_trend_and_unknown_wallets():
    w = wallet_share(MONTHS, ACCOUNTS, as_of=AS_OF).set_index("account_id")
    # a: Jul 2023-Jun 2024 = 200 + 150; Jul 2022-Jun 2023 = 100
    assert (w.loc["a", "revenue_12m"], w.loc["a", "revenue_prior_12m"]) == (350.0, 100.0)
    assert w.loc["a", "share_of_wallet"] == 0.35 and w.loc["a", "share_prior"] == 0.1
    assert w.loc["a", "share_change"] == pytest.approx(0.25)
    assert w.loc["a", "headroom"] == 650.0
    # wallet 0 (b) or missing (c): unknown, not 0%; d bought nothing: 0% of a known wallet
    assert w.loc[["b", "c"], "share_of_wallet"].isna().all()
    assert w.loc["d", "share_of_wallet"] == 0.0
    assert "2 account(s)" in w.attrs["notes"][0]


def test_wallet_share_without_wallet_column_leaves_shares_out():
    w = wallet_share(MONTHS, ACCOUNTS.drop(columns="wallet_estimate"), as_of=AS_OF)
    assert "share_of_wallet" not in w and "revenue_12m" in w
    assert "no wallet_estimate" in w.attrs["notes"][0]


CONTACTS = pd.DataFrame({
    "account_id": ["a", "a", "a", "b"],
    "contact_name": ["Ani", "Budi", "Citra", "Dewi"],
    "role": ["CFO", "Procurement", "Network Engineer", "Office Manager"],
    "circle": [1, 2, 2, 3],
    "last_contact": pd.to_datetime(["2024-06-01", "2024-01-01", None, "2024-04-01"])})


@pytest.mark.parametrize("role, expected", [
    ("CEO", "decision maker"), ("Chief Financial Officer", "decision maker"),
    ("Finance Director", "decision maker"), ("IT Manager", "influencer"),
    ("Head of IT Security", "influencer"), ("Purchasing", "influencer"),
    ("accounting", "influencer"), ("Office Manager", "user"),
    ("Network Engineer", "user"), ("Sales Assistant", "user"), ("Gardener", "unmapped")])
def test_default_role_map(role, expected):
    assert influence_of(pd.Series([role])) == [expected]


def test_role_map_is_a_parameter_and_bad_patterns_are_named():
    assert influence_of(pd.Series(["Kepala Divisi TI"]), {"kepala": "decision maker"}) == [
        "decision maker"]
    with pytest.raises(ValueError, match="not a valid regular expression"):
        influence_of(pd.Series(["x"]), {"(": "user"})


def test_decision_map_stale_contacts():
    m = decision_map(CONTACTS, as_of=AS_OF, stale_days=90).set_index("contact_name")
    assert m.loc["Ani", "days_since_contact"] == 29 and not m.loc["Ani", "stale"]
    assert m.loc["Budi", "days_since_contact"] == 181 and m.loc["Budi", "stale"]
    assert m.loc["Citra", "stale"]  # never reached
    assert m.loc["Dewi", "days_since_contact"] == 90 and not m.loc["Dewi", "stale"]  # not more
    assert decision_map(CONTACTS, as_of=AS_OF, stale_days=89).set_index(
        "contact_name").loc["Dewi", "stale"]


def test_coverage_uncovered_and_lapsed_circles_and_an_account_without_contacts():
    m = decision_map(CONTACTS, as_of=AS_OF, stale_days=90)
    cov = circle_coverage(m, ["a", "b", "c"]).set_index("account_id")
    assert cov.loc["a", ["circle_1", "circle_2", "circle_3"]].tolist() == [1, 2, 0]
    assert cov.loc["a", "uncovered"] == "3"           # the circle the brief says is left out
    assert cov.loc["a", "lapsed"] == "2"              # Budi stale, Citra never reached
    assert cov.loc["a", "decision_makers"] == 1 and cov.loc["a", "stale_contacts"] == 2
    assert cov.loc["b", "uncovered"] == "1, 2"
    assert cov.loc["c", "contacts"] == 0 and cov.loc["c", "uncovered"] == "1, 2, 3"


def test_contacts_without_circle_or_dates_leave_those_out():
    bare = CONTACTS.drop(columns=["circle", "last_contact"])
    m = decision_map(bare, as_of=AS_OF)
    assert "stale" not in m and len(m.attrs["notes"]) == 2
    cov = circle_coverage(m, ["a"])
    assert "uncovered" not in cov and cov["contacts"].tolist() == [3]
