"""The brief on the index: escaped names, movements coloured by meaning and said in words."""

import pandas as pd

from kamlib.report.brief_page import ACT_ROWS, brief_data, brief_html
from kamlib.report.measures import meaning

from tests.test_brief import STATUS


def test_tone_by_meaning():
    assert [meaning(1, "up"), meaning(1, "down"), meaning(-1, "down"), meaning(1, None),
            meaning(float("nan"), "up"), meaning(0, "down")] == [
        "better", "worse", "better", "neutral", "neutral", "same"]


def test_brief_by_hand_names_escaped():
    st = STATUS.copy()
    st.attrs["periods"] = {"last_12_months": ("2024-10-01", "2025-09-30"),
                           "prior_12_months": ("2023-10-01", "2024-09-30")}
    accounts = pd.DataFrame({"account_id": ["a", "b", "c"],
                             "account_name": ["<script>x</script>", "B & Co", "C"],
                             "account_manager": ["Ann", "Bo", "Cy"]})
    data = brief_data(st, accounts, key_accounts={"b", "c"}, unit="EUR",
                      plans={"b": "plans/b.html"})
    revenue, profit, margin, risk = data["figures"]
    assert (revenue["text"], revenue["move"], revenue["tone"]) == ("1.5\u00a0k\u00a0EUR",
                                                                  "290\u00a0EUR (+24.0%)", "better")
    assert (profit["text"], profit["tone"]) == ("24\u00a0EUR", "worse")
    assert margin["move"] == f"{(24 / 1500 - 106 / 1210) * 100:+.1f} pts"
    assert (risk["text"], risk["label"]) == ("1", "accounts at risk; 1 lost")
    assert [r["name"] for r in data["largest"]][:2] == ["<script>x</script>", "d"]
    assert data["largest"][1]["change"] == "new"
    assert [a["name"] for a in data["act"]] == ["B & Co", "C", "d"]  # d: a large loss-maker
    page = str(brief_html(data))
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert '<a href="plans/b.html">B &amp; Co</a>' in page
    assert "2024-10-01 to 2025-09-30" in page and "2023-10-01 to 2024-09-30" in page
    assert 'class="move worse"' in page and "▼" in page  # colour and a symbol


def test_act_list_says_how_many_are_shown():
    many = pd.concat([STATUS.assign(account_id=STATUS["account_id"] + str(i))
                      for i in range(ACT_ROWS)], ignore_index=True)
    keys = set(many["account_id"])
    data = brief_data(many, key_accounts=keys)
    assert len(data["act"]) == ACT_ROWS and data["n_act"] > ACT_ROWS
    assert f"({ACT_ROWS} of {data['n_act']})" in str(brief_html(data))
