"""The effect of a change on yearly revenue, and the changes page's totals and groups.

Each build keeps every account's revenue in the last 12 months to its as-of date and its
status; the effect of a change is yearly revenue now minus before, a lost account counting
0 a year. The figures below are computed by hand.
"""

import re

import numpy as np
import pandas as pd
import pytest

from kamlib.changes import CLASS_COLUMNS, account_changes, account_classes, change_totals
from kamlib.report.changes_page import SHOWN, changes_html
from kamlib.status import account_status


def _snap(rows):
    return pd.DataFrame(rows, columns=CLASS_COLUMNS).astype(
        {"revenue": float, "revenue_l12m": float, "vital_few": bool, "lost": bool})


def _one(before_row, after_row):
    moved = account_changes(_snap([before_row]), _snap([after_row]))
    assert len(moved) == 1
    return moved.iloc[0]


def test_a_lost_account_loses_what_it_bought_in_the_year_before_the_previous_as_of():
    # it still bought 150 in the new last 12 months (before it went quiet), but it is lost
    # now: 0 a year, so the effect is minus its 900 of the 12 months to the previous as-of
    r = _one(("a", 5000.0, 900.0, "active", True, "A", "X", "Loyal", False),
             ("a", 5150.0, 150.0, "lost", True, "A", "X", "Loyal", True))
    assert r["change"] == "lost" and r["effect"] == -900.0
    assert (r["revenue_l12m_before"], r["revenue_l12m_after"]) == (900.0, 150.0)


def test_an_account_gone_from_the_data_is_lost_with_the_same_effect():
    moved = account_changes(_snap([("a", 80.0, 70.0, "at risk", False, "B", "Y", "", False)]),
                            _snap([]))
    assert moved[["change", "effect"]].values.tolist() == [["lost", -70.0]]


def test_a_won_back_account_gains_its_last_12_months():
    # lost at the previous build although it bought 40 in that year: it counted 0 a year
    r = _one(("w", 300.0, 40.0, "lost", False, "C", "Z", "Lost", True),
             ("w", 360.0, 60.0, "won back", False, "C", "Z", "Lost", False))
    assert r["change"] == "won back" and r["effect"] == 60.0


def test_a_won_back_status_counts_even_when_the_spell_fell_between_the_builds():
    r = _one(("w", 300.0, 40.0, "at risk", False, "C", "Z", "", False),
             ("w", 360.0, 25.0, "won back", False, "C", "Z", "", False))
    assert r["change"] == "won back" and r["effect"] == 25.0 - 40.0


def test_a_new_account_gains_its_last_12_months():
    moved = account_changes(_snap([]), _snap([("n", 75.0, 75.0, "new", False, "C", "Z", "New",
                                               False)]))
    assert moved[["change", "effect"]].values.tolist() == [["new", 75.0]]


def test_entering_the_vital_few_counts_the_change_in_yearly_revenue():
    r = _one(("v", 900.0, 250.0, "active", False, "B", "X", "Loyal", False),
             ("v", 1300.0, 410.0, "active", True, "A", "X", "Loyal", False))
    assert r["change"] == "entered the vital few; ABC B → A" and r["effect"] == 160.0


def test_an_account_lost_before_and_still_lost_is_no_change():
    row = ("x", 10.0, 5.0, "lost", False, "C", "Z", "Lost", True)
    assert account_changes(_snap([row]), _snap([row])).empty


def test_a_snapshot_of_an_older_kit_gives_no_effect_rather_than_a_wrong_one():
    old = _snap([("a", 5000.0, 0.0, "", True, "A", "X", "Loyal", False)]).drop(
        columns=["revenue_l12m", "status"])
    moved = account_changes(old, _snap([("a", 5150.0, 150.0, "lost", True, "A", "X",
                                         "Loyal", True)]))
    assert moved["change"].tolist() == ["lost"] and np.isnan(moved["effect"].iloc[0])
    assert moved.attrs["yearly"] is False
    page = changes_html(moved, {}, {"built": "n", "as_of": "2025-12-31"},
                        {"built": "t", "as_of": "2025-09-30"}, currency="EUR")
    assert "older kit" in page and "unknown" in page and "+0" not in page


def test_totals_per_kind_count_an_account_in_each_of_its_kinds():
    ch = pd.DataFrame({"change": ["lost; left the vital few", "lost", "won back", "new",
                                  "segment Loyal → Hibernating"],
                       "effect": [-900.0, -30.0, 60.0, 75.0, -5.0]})
    t = change_totals(ch).set_index("kind")
    assert t.loc["lost", ["accounts", "effect"]].tolist() == [2, -930.0]
    assert t.loc["left the vital few", "effect"] == -900.0
    assert t.loc["changed RFM segment", ["accounts", "effect"]].tolist() == [1, -5.0]
    assert t.loc["moved ABC class", ["accounts", "effect"]].tolist() == [0, 0.0]


def test_the_page_opens_with_totals_then_groups_and_summarises_long_groups():
    n = SHOWN["class"] + 5
    before = _snap([(f"s{i:02d}", 10.0, 10.0 + i, "active", False, "C", "Z", "Loyal", False)
                    for i in range(n)]
                   + [("big", 900.0, 800.0, "active", True, "A", "X", "Loyal", False)])
    after = _snap([(f"s{i:02d}", 10.0, 10.0 + i, "active", False, "C", "Z", "Hibernating",
                    False) for i in range(n)]
                  + [("big", 900.0, 100.0, "lost", True, "A", "X", "Loyal", True)])
    page = changes_html(account_changes(before, after), {"big": "Big Co"},
                        {"built": "n", "as_of": "2025-12-31"},
                        {"built": "t", "as_of": "2025-09-30"}, currency="EUR",
                        managers={"big": "Ann"})
    text = re.sub(r"\s+", " ", page)
    totals = text.index("effect on yearly revenue (EUR a year)")
    assert totals < text.index("Lost: 1 account") < text.index("Changed RFM segment: 15")
    assert "<td>lost</td><td class=\"num\" data-sort=\"1\">1</td>" in text
    assert "-800" in text and "<td>Ann</td>" in text
    assert f"The {SHOWN['class']} largest shown; {n} in all" in text
    assert text.count("<td>segment Loyal → Hibernating</td>") == SHOWN["class"]


def test_snapshot_takes_status_and_yearly_revenue_from_the_status_frame():
    import ibis

    from kamlib.data.cube import build_cube

    lines = pd.DataFrame({"account_id": ["a", "a", "b"], "product": ["p", "p", "p"],
                          "date": pd.to_datetime(["2024-01-05", "2025-03-05", "2025-11-05"]),
                          "revenue": [100.0, 40.0, 50.0], "cost": [50.0, 20.0, 25.0],
                          "invoice_id": ["1", "2", "3"], "quantity": [1.0] * 3})
    cube = build_cube(ibis.memtable(lines))
    status = account_status(cube.account_month, cube.account_timing, cube.account_product,
                            as_of="2025-12-31")
    snap = account_classes(cube, status=status, as_of="2025-12-31").set_index("account_id")
    # a: last purchase 2025-03-05, 301 days before: lost; 40 in the last 12 months
    assert snap.loc["a", ["status", "lost", "revenue_l12m", "revenue"]].tolist() == \
        ["lost", True, 40.0, 140.0]
    assert snap.loc["b", ["status", "lost", "revenue_l12m"]].tolist() == ["new", False, 50.0]


@pytest.mark.parametrize("kind", ["lost", "won back", "new"])
def test_kinds_read_in_the_totals_are_the_words_of_the_changes(kind):
    assert change_totals(pd.DataFrame({"change": [kind], "effect": [1.0]})).set_index(
        "word").loc[kind, "accounts"] == 1


# --- the bundled data cut at 2025-09-30, then the full data: the two builds ----------

@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory):
    """The account snapshots two builds keep: the sample cut at 2025-09-30, then in full."""
    from kamlib.changes import dataset_classes
    from kamlib.data import load
    from kamlib.data.sample import SAMPLE_TABLES
    from kamlib.report.build import NOTEBOOKS

    data = NOTEBOOKS.parent / "data"
    cut = tmp_path_factory.mktemp("cut")
    for name in SAMPLE_TABLES:
        if (data / f"{name}.csv").exists():
            frame = pd.read_csv(data / f"{name}.csv", dtype=str)
            if name in ("transactions", "activities"):
                frame = frame[frame["date"] <= "2025-09-30"]
            frame.to_csv(cut / f"{name}.csv", index=False)
    (cut / "kam.toml").write_text('[source]\nfolder = "."\n')
    before, after = load(cut / "kam.toml"), load()
    lines = pd.read_csv(cut / "transactions.csv", dtype={"account_id": str},
                        parse_dates=["date"])
    return dataset_classes(before), dataset_classes(after), lines, before


@pytest.mark.slow
def test_every_account_lost_between_the_builds_loses_its_yearly_revenue(two_snapshots):
    before, after, lines, ds = two_snapshots
    assert str(ds.as_of) == "2025-09-30"
    moved = account_changes(before, after)
    lost = moved[moved["change"].str.split("; ").map(lambda kinds: "lost" in kinds)]
    # the revenue of the 12 months before the first as-of date, from the raw lines
    year = lines[(lines["date"] >= "2024-10-01") & (lines["date"] <= "2025-09-30")]
    yearly = year.groupby("account_id")["revenue"].sum()
    assert len(lost) == 31 and (lost["effect"] < 0).all()
    assert lost["effect"].to_numpy() == pytest.approx(
        -lost["account_id"].map(yearly).to_numpy(), abs=0.01)
    # Pacific Academy & Co, lost this quarter: minus its 12 months to 2025-09-30
    assert lost.set_index("account_id").loc["000002", "effect"] == pytest.approx(
        -yearly["000002"], abs=0.01)
    # the lost of the snapshot are the status frame's lost, the count every page shows
    assert int(after["lost"].sum()) == 161 == int((after["status"] == "lost").sum())


@pytest.mark.slow
def test_no_recent_growing_buyer_is_at_risk_and_every_at_risk_or_lost_has_reasons():
    from kamlib.data import load
    from kamlib.status import dataset_status

    status = dataset_status(load())
    recent = (status["days_since_purchase"] <= 30) & (status["revenue_change"] > 0)
    assert recent.sum() > 100 and not (status.loc[recent, "status"] == "at risk").any()
    flagged = status[status["status"].isin(["at risk", "lost"])]
    assert len(flagged) == 211 and (flagged["reasons"].str.len() > 0).all()


def test_the_status_is_computed_once_and_saved_with_the_prepared_data(tmp_path):
    from kamlib.data import load, open_dataset
    from kamlib.status import dataset_status

    ds = load()
    first = dataset_status(ds)
    assert dataset_status(ds) is first  # computed once per data set
    marked = first.assign(reasons="read back, not recomputed")
    ds.status = marked
    ds.save(tmp_path)
    again = open_dataset(prepared=tmp_path)
    read = dataset_status(again)
    assert (read["reasons"] == "read back, not recomputed").all()
    assert read.attrs["rules"] == first.attrs["rules"] and str(read["status"].dtype) == "category"
    pd.testing.assert_frame_equal(read.drop(columns="reasons"), first.drop(columns="reasons"))
