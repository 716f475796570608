"""Differentiate: the value x need matrix, the need proxy and the key-account types, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamlib.planning.differentiate import key_account_types, need_proxy, value_need_matrix

AS_OF = "2024-12-31"
# revenue 50 / 25 / 15 / 10: at 80% the vital few are a, b and c (50 + 25 + 15 = 90 >= 80)
VALUES = pd.DataFrame({"account_id": ["d", "c", "b", "a"], "revenue": [10.0, 15.0, 25.0, 50.0]})
ACCOUNTS = pd.DataFrame({
    "account_id": ["a", "b", "c", "d"],
    "need_score": [9.0, 5.0, None, 7.0],
    "customer_since": pd.to_datetime(["2010-01-01", "2018-06-01", "2023-07-01",
                                      "2024-01-01"]),
    "wallet_estimate": [100.0, 900.0, 800.0, 50.0]})
MONTHS = pd.DataFrame({
    "account_id": ["a", "a", "b", "b", "c", "c", "d"],
    "period": pd.to_datetime(["2023-05-01", "2024-05-01"] * 3 + ["2024-05-01"]),
    "revenue": [30.0, 20.0, 10.0, 15.0, 5.0, 10.0, 10.0]})
PRODUCTS = pd.DataFrame({"account_id": ["a", "a", "a", "b", "c", "c", "d"],
                         "product": ["x", "y", "z", "x", "x", "y", "x"],
                         "revenue": [20.0, 20.0, 10.0, 25.0, 10.0, 5.0, 10.0]})


def test_need_proxy_by_hand():
    p = need_proxy(MONTHS, PRODUCTS, as_of=AS_OF).set_index("account_id")
    assert p["breadth"].tolist() == [3, 1, 2, 1]
    assert p.loc[["a", "b", "c"], "growth"].tolist() == pytest.approx([-1 / 3, 0.5, 1.0])
    assert np.isnan(p.loc["d", "growth"])               # no revenue in the 12 months before
    # breadth pct ranks: a 1, b 0.375, c 0.75, d 0.375; growth ranks: a 1/3, b 2/3, c 1
    assert p["need_proxy"].round(4).tolist() == [6.6667, 5.2083, 8.75, 3.75]


def test_matrix_uses_need_score_and_the_proxy_only_where_it_is_missing():
    proxy = need_proxy(MONTHS, PRODUCTS, as_of=AS_OF)
    m = value_need_matrix(VALUES, ACCOUNTS, proxy=proxy).set_index("account_id")
    assert m["high_value"].tolist() == [True, True, True, False]
    assert m["need_source"].tolist() == ["need_score", "need_score", "proxy", "need_score"]
    assert m.loc["c", "need"] == 8.75
    assert m["quadrant"].tolist() == ["key account", "key account", "key account", "develop"]
    assert m["key_account"].sum() == 3
    assert "stands in for 1 account" in m.attrs["notes"][0]
    # need 5 is high at the default threshold, not at 6
    strict = value_need_matrix(VALUES, ACCOUNTS, proxy=proxy, need_threshold=6)
    assert strict.set_index("account_id").loc["b", "quadrant"] == "maintain"


def test_matrix_without_need_score_states_the_proxy_and_without_either_says_unknown():
    proxy = need_proxy(MONTHS, PRODUCTS, as_of=AS_OF)
    m = value_need_matrix(VALUES, None, proxy=proxy, target=0.5)
    assert set(m["need_source"]) == {"proxy"}
    assert m.set_index("account_id")["quadrant"].tolist() == [
        "key account", "develop", "develop", "serve"]
    bare = value_need_matrix(VALUES, ACCOUNTS.drop(columns="need_score"))
    assert set(bare["quadrant"]) == {"unknown"} and not bare["key_account"].any()
    assert "unknown for 4 account(s)" in bare.attrs["notes"][0]


def test_matrix_on_profit_and_bad_target():
    profit = pd.DataFrame({"account_id": ["a", "b"], "profit": [-10.0, 110.0]})
    m = value_need_matrix(profit, ACCOUNTS, value="profit", target=1.0)
    assert m["account_id"].tolist() == ["b", "a"] and m["high_value"].tolist() == [True, False]
    with pytest.raises(ValueError, match="did you mean 0.8"):
        value_need_matrix(VALUES, ACCOUNTS, target=80)


def test_key_account_types_by_hand():
    proxy = need_proxy(MONTHS, PRODUCTS, as_of=AS_OF)
    m = value_need_matrix(VALUES, ACCOUNTS, proxy=proxy)
    pnl = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "revenue": [50.0, 25.0, 15.0, 10.0],
                        "cost_to_serve": [5.0, 10.0, 1.5, 1.0],
                        "profit": [20.0, 2.0, 5.0, 3.0]})
    t = key_account_types(m, ACCOUNTS, as_of=AS_OF, proxy=proxy, pnl=pnl,
                          image_makers=["d", "zz"]).set_index("account_id")
    # a: 14 years, 20 of 30 profit; b: 6.6 years but 2/30 < 10%
    assert t["long-standing"].tolist() == [True, False, False, False]
    # c: 1.5 years, growing (+100%), wallet 800 above the median 450; d new but no growth
    assert t["prospective"].tolist() == [False, False, True, False]
    assert t["image maker"].tolist() == [False, False, False, True]
    # cost to serve per revenue: 0.1, 0.4, 0.1, 0.1 -> 75th percentile 0.175: b
    assert t["demanding"].tolist() == [False, True, False, False]
    assert t.loc["a", "types"] == "long-standing" and t.loc["d", "types"] == "image maker"
    assert "zz" in t.attrs["notes"][0]


def test_key_account_types_left_out_without_their_inputs():
    m = value_need_matrix(VALUES, ACCOUNTS)
    t = key_account_types(m, ACCOUNTS[["account_id"]], as_of=AS_OF)
    assert list(t.columns) == ["account_id", "image maker", "types"]
    assert len(t.attrs["notes"]) == 3
