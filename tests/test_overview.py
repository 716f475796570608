"""Revenue per period and per product, by hand."""

import pandas as pd
import pytest

from kamlib.overview import revenue_by_period, revenue_by_product

AM = pd.DataFrame({
    "account_id": ["a", "b", "a", "c", "b"],
    "period": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-04-01",
                              "2024-04-01"]),
    "revenue": [100.0, 50.0, 40.0, -10.0, 20.0],
})


def test_monthly_totals_accounts_and_gaps():
    out = revenue_by_period(AM)
    assert out["period"].dt.strftime("%Y-%m").tolist() == ["2024-01", "2024-02", "2024-03",
                                                           "2024-04"]
    assert out["revenue"].tolist() == [150.0, 40.0, 0.0, 10.0]  # March missing: a zero, shown
    assert out["accounts"].tolist() == [2, 1, 0, 2]


def test_quarterly_totals():
    out = revenue_by_period(AM, freq="Q")
    assert out["revenue"].tolist() == [190.0, 10.0]
    assert out["accounts"].tolist() == [2, 2]


def test_bad_freq_and_text_values_refused():
    with pytest.raises(ValueError, match="freq must be one of"):
        revenue_by_period(AM, freq="W")
    with pytest.raises(TypeError, match="'revenue' must be numeric"):
        revenue_by_period(AM.assign(revenue=AM["revenue"].astype(str)))


def test_empty_frame_gives_empty_result():
    assert revenue_by_period(AM.iloc[:0]).empty


def test_products_ranked_with_shares_and_missing_product_named():
    pm = pd.DataFrame({"product": ["IoT", "Cloud", None, "Cloud", "Voice"],
                       "revenue": [30.0, 40.0, 10.0, 20.0, 30.0], "accounts": [3, 5, 1, 7, 2]})
    out = revenue_by_product(pm)
    assert out["product"].tolist() == ["Cloud", "IoT", "Voice", "(no product)"]  # tie: by name
    assert out["revenue"].tolist() == [60.0, 30.0, 30.0, 10.0]
    assert out["share"].tolist() == pytest.approx([0.46153846, 0.23076923, 0.23076923,
                                                   0.07692308])
    assert out["peak_accounts"].tolist() == [7, 3, 2, 1]


def test_product_shares_undefined_when_total_not_positive():
    out = revenue_by_product(pd.DataFrame({"product": ["a", "b"], "revenue": [5.0, -5.0]}),
                             accounts=None)
    assert out["share"].isna().all() and out["revenue"].tolist() == [5.0, -5.0]
