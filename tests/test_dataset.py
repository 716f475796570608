"""Loading end to end on a small hand-made data set: the cube's numbers by hand."""

import json
from datetime import date

import pandas as pd
import pytest

import kamlib
from kamlib.data.dataset import open_dataset

ACCOUNTS = """account_id,account_name,industry,need_score
001,Alpha,Banking,8
002,Beta,Retail,3
003,Gamma,Government,5
"""
# 001: Jan 150 over two products on one invoice, Feb 40; 002: Jan 70; 003: a credit note only
TRANSACTIONS = """account_id,date,revenue,product,cost,invoice_id
001,2024-01-05,100,cloud,60,I1
001,2024-01-05,50,iot,20,I1
001,2024-02-11,40,cloud,25,I4
002,2024-01-20,70,cloud,30,I2
003,2024-02-10,-10,cloud,,I3
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "accounts.csv").write_text(ACCOUNTS)
    (tmp_path / "transactions.csv").write_text(TRANSACTIONS)
    (tmp_path / "activities.csv").write_text("account_id,date,activity\n001,2024-01-02,visit\n")
    (tmp_path / "activity_rates.csv").write_text("activity,unit_cost\nvisit,100\n")
    (tmp_path / "contacts.csv").write_text("account_id,contact_name,role,circle\n001,Ann,CIO,1\n")
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    return tmp_path


def test_cube_account_month_by_hand(folder):
    ds = kamlib.load(folder / "kam.toml", today=date(2025, 1, 1))
    am = ds.cube.account_month.set_index(["account_id", "period"])
    jan, feb = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")
    assert am.loc[("001", jan), ["revenue", "cost", "lines", "invoices", "products"]].tolist() \
        == [150.0, 80.0, 2, 1, 2]
    assert am.loc[("001", feb), "revenue"] == 40.0
    assert am.loc[("002", jan), "revenue"] == 70.0
    assert am.loc[("003", feb), "revenue"] == -10.0 and pd.isna(am.loc[("003", feb), "cost"])
    assert am["revenue"].sum() == 250.0  # 100 + 50 + 40 + 70 - 10
    assert list(am.index.get_level_values(0).unique()) == ["001", "002", "003"]


def test_cube_product_and_account_product_by_hand(folder):
    ds = kamlib.load(folder / "kam.toml", today=date(2025, 1, 1))
    pm = ds.cube.product_month.set_index(["product", "period"])
    assert pm.loc[("cloud", pd.Timestamp("2024-01-01")), ["revenue", "accounts"]].tolist() \
        == [170.0, 2]
    ap = ds.cube.account_product.set_index(["account_id", "product"])
    assert ap.loc[("001", "cloud"), ["revenue", "lines"]].tolist() == [140.0, 2]
    assert ap.loc[("001", "cloud"), "first_date"] == pd.Timestamp("2024-01-05")
    assert ap.loc[("001", "cloud"), "last_date"] == pd.Timestamp("2024-02-11")


def test_as_of_and_start_default_to_the_data(folder):
    ds = kamlib.load(folder / "kam.toml", today=date(2025, 1, 1))
    assert (ds.start, ds.as_of) == (date(2024, 1, 5), date(2024, 2, 11))
    assert ds.accounts["account_id"].tolist() == ["001", "002", "003"]
    assert ds.accounts["need_score"].tolist() == [8.0, 3.0, 5.0]
    assert ds.contacts["circle"].tolist() == [1]


def test_saved_and_reopened_dataset_is_identical(folder, tmp_path_factory):
    ds = kamlib.load(folder / "kam.toml", today=date(2025, 1, 1))
    prepared = ds.save(tmp_path_factory.mktemp("prepared"))
    manifest = json.loads((prepared / "manifest.json").read_text())
    assert {s["table"] for s in manifest["sources"]} >= {"accounts", "transactions"}
    assert all(len(s["sha256"]) == 64 for s in manifest["sources"])
    again = open_dataset(prepared=prepared)
    pd.testing.assert_frame_equal(again.cube.account_month, ds.cube.account_month)
    pd.testing.assert_frame_equal(again.accounts, ds.accounts)
    assert again.as_of == ds.as_of and again.report.summary() == ds.report.summary()


def test_load_raises_with_the_whole_report(folder):
    (folder / "transactions.csv").write_text(TRANSACTIONS + "004,2024-03-01,n/a,cloud,1,I9\n")
    with pytest.raises(kamlib.ValidationError) as err:
        kamlib.load(folder / "kam.toml")
    rules = {p.rule for p in err.value.report.errors}
    assert rules == {"non-numeric", "unknown-account"}
    problem = next(p for p in err.value.report.errors if p.rule == "non-numeric")
    assert (problem.file, problem.lines, problem.column, problem.values) == (
        "transactions.csv", (7,), "revenue", ("n/a",))


def test_window_from_config_leaves_lines_out_and_counts_them(folder):
    (folder / "kam.toml").write_text('[source]\nfolder = "."\n[analysis]\nstart = 2024-02-01\n')
    ds = kamlib.load(folder / "kam.toml", today=date(2025, 1, 1))
    assert ds.cube.account_month["revenue"].sum() == 30.0  # 40 - 10
    assert ds.report.cleaning_counts()[
        "transactions.lines outside the analysis window left out"] == 3


def test_cube_sums_do_not_depend_on_the_order_of_the_lines():
    """Float sums depend on their order (0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1), and a parallel
    engine adds in whatever order its threads finish: identical data gave totals differing in
    the last bits between builds, enough to show movements and reorder tied accounts."""
    import ibis

    from kamlib.data.cube import FRAMES, build_cube

    lines = pd.DataFrame({
        "account_id": ["A"] * 3 + ["B"], "product": ["p", "q", "p", "p"],
        "date": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-09", "2024-01-09"]),
        "revenue": [0.1, 0.2, 0.3, 0.6], "cost": [0.3, 0.2, 0.1, 0.6],
        "invoice_id": ["1", "1", "2", "3"], "quantity": [1.0] * 4})
    forward, backward = build_cube(ibis.memtable(lines)), build_cube(ibis.memtable(lines[::-1]))
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(forward, name), getattr(backward, name),
                                      check_exact=True, obj=name)
    month = forward.account_month.set_index("account_id")
    # exactly the decimal sum, and A's equals B's single line of 0.6 (ties stay ties)
    assert month.at["A", "revenue"] == 0.6 == month.at["B", "revenue"]
    assert forward.account_timing.set_index("account_id").at["A", "weeks_value"] == 0.6


@pytest.mark.parametrize("large", [0.0, 5e14])
def test_cube_sums_are_exact_with_64_bit_and_with_128_bit_decimals(large):
    """Amounts below 1e12 are summed as 64-bit decimals (fast), larger ones as 128-bit: the
    same exact six-decimal sums either way, whatever the order of the lines."""
    import ibis

    from kamlib.data.cube import MONEY, MONEY_64, _money_type, build_cube

    lines = pd.DataFrame({
        "account_id": ["A"] * 4, "product": ["p"] * 4,
        "date": pd.to_datetime(["2024-01-02"] * 2 + ["2024-01-09"] * 2),
        "revenue": [0.1, 0.2, 0.3, large], "cost": [0.000001, 0.2, 0.1, 0.0],
        "invoice_id": ["1", "1", "2", "2"], "quantity": [1.0] * 4})
    assert _money_type(ibis.memtable(lines)) == (MONEY if large else MONEY_64)
    for frame in (lines, lines[::-1]):
        cube = build_cube(ibis.memtable(frame))
        month = cube.account_month.iloc[0]
        assert month["revenue"] == (500000000000000.6 if large else 0.6)
        assert month["cost"] == 0.300001
        timing = cube.account_timing.iloc[0]
        # the first day's value is 0.1 + 0.2 summed exactly: 0.3, not 0.30000000000000004
        assert timing["days"] == 2 and timing["days_first_value"] == 0.3
