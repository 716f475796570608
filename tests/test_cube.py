"""The cube's frames against their definitions, computed by hand on small tables."""

from __future__ import annotations

import ibis
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.data.cube import TOP_DAYS, _notable, build_cube

# few values, so that ties fall on the cut between the top days and the rest
days = st.lists(
    st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 30),
              st.sampled_from([-5.0, 0.0, 5.0, 10.0])),
    min_size=1, max_size=60, unique_by=lambda row: row[:2])


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(date=pd.to_datetime(frame["date"]),
                         revenue=frame["revenue"].astype(float))
    return frame.sort_values(["account_id", "date"], ignore_index=True)


@settings(max_examples=60, deadline=None)
@given(days)
def test_notable_days_are_the_top_days_and_every_negative_day(rows):
    """Ties on value (the earlier day wins), negative days inside and outside the top
    days, accounts with fewer days than TOP_DAYS."""
    frame = pd.DataFrame(rows, columns=["account_id", "day", "value"])
    frame["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.pop("day"), "D")
    daily = frame.groupby(["account_id", "date"], as_index=False)["value"].sum()
    con = ibis.duckdb.connect()
    table = con.create_table("_days", daily, temp=True)
    notable = _sorted(_notable(table).to_pandas())
    # by hand: each account's TOP_DAYS largest (earlier day first on ties) + negatives
    ranked = daily.sort_values(["account_id", "value", "date"], ascending=[True, False, True])
    top = ranked.groupby("account_id").head(TOP_DAYS)
    expected = pd.concat([top, daily[daily.value < 0]]).drop_duplicates(
        ["account_id", "date"]).rename(columns={"value": "revenue"})
    pd.testing.assert_frame_equal(notable, _sorted(expected[["account_id", "date",
                                                             "revenue"]]))


def test_invoices_count_distinct_ids_and_a_blank_id_is_no_invoice():
    lines = pd.DataFrame({
        "account_id": ["A", "A", "A", "A", "B", "B"],
        "product": ["x", "y", "x", None, "x", "x"],
        "date": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-20", "2024-01-21",
                                "2024-01-05", "2024-02-05"]),
        "revenue": [10.0, 20.0, 5.0, 1.0, 7.0, 8.0],
        "cost": [1.0, None, None, None, None, None],
        "invoice_id": ["1", "1", "2", None, None, "9"],
        "quantity": [1.0] * 6})
    cube = build_cube(ibis.memtable(lines))
    month = cube.account_month.set_index(["account_id", cube.account_month.period.dt.month])
    assert month.loc[("A", 1), ["invoices", "products", "lines"]].tolist() == [2, 3, 4]
    assert month.loc[("A", 1), "revenue"] == 36.0
    assert month.loc[("A", 1), "cost"] == 1.0  # the lines without a cost add nothing
    assert month.loc[("B", 1), "invoices"] == 0  # its one line has no invoice id
    assert pd.isna(month.loc[("B", 1), "cost"])  # no line has a cost: NaN, never 0
    pm = cube.product_month.set_index(["product", cube.product_month.period.dt.month])
    assert pm.loc[("x", 1), ["accounts", "lines"]].tolist() == [2, 3]
    assert pm.loc[("(no product)", 1), "revenue"] == 1.0
