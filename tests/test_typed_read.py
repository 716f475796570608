"""The typed fast path gives the same table and report as the text path, or stands aside.

Each case loads one transactions file twice, once as it comes and once with the fast path
switched off, and compares the contract's columns row by row and the whole report.
"""

import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kamlib
from kamlib.data import dataset, parsing
from kamlib.data.config import load_config
from kamlib.data.contract import TABLES


# (clean cells, cells the fast path must hand to the text path) per column
IDS = (["001", "002", "Müller", "nan", ""], [" 001", "001 ", "\u00a0002", "Müller\u00a0"])
NUMBERS = (["12", " 12.5", "12.5 ", "-3", "1e3", ""], ["nan", "Infinity", "€5", "1,5", "n/a",
                                                      "\u00a07"])
DATES = (["2024-01-05", " 2024-01-05", "2024-1-5", ""], ["05/01/2024", "45292", "2024-02-30"])
TEXTS = (["Cloud", "Data centre", "Café", ""], [" Cloud", "IoT ", "Café\u00a0"])
COLUMNS = ("account_id", "date", "revenue", "product")
CLEAN_ROW = ("001", "2024-01-05", "12", "Cloud")


def _write_small_tables(folder) -> None:
    (folder / "accounts.csv").write_text("account_id,account_name\n001,A\n002,B\n")
    (folder / "activities.csv").write_text("account_id,date,activity\n001,2024-01-02,v\n")
    (folder / "activity_rates.csv").write_text("activity,unit_cost\nv,1\n")
    (folder / "contacts.csv").write_text("account_id,contact_name,role\n001,Ann,CIO\n")
    (folder / "kam.toml").write_text('[source]\nfolder = "."\n')


def _write(folder, rows) -> None:
    _write_small_tables(folder)
    lines = "".join(f'"{a}",{d},"{r}",{p}\n' for a, d, r, p in rows)  # ids, amounts quoted
    (folder / "transactions.csv").write_text(",".join(COLUMNS) + "\n" + lines, encoding="utf-8")


def _both_paths(folder) -> tuple[bool, tuple, tuple]:
    """Whether the typed path took the file, and (table, report) by each path."""
    fast, taken, out = parsing.typed_read, [], []
    for typed in (True, False):
        def spy(con, raw, *args, typed=typed):
            ok = typed and fast(con, raw, *args)
            if raw.table == "transactions":
                taken.append(ok)
            return ok
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(parsing, "typed_read", spy)
            con = dataset._connect(tempfile.mkdtemp())
            report, *_ = dataset._read_all(con, load_config(folder / "kam.toml"), None,
                                          lambda s: None)
            out.append((con.execute(f"SELECT {', '.join(TABLES['transactions'].names)} FROM "
                                    "t_transactions ORDER BY rowid").fetchall(),
                        report.to_dict()))
    return taken[0], out[0], out[1]


@pytest.mark.parametrize("column, cell, typed", [
    (col, cell, typed) for col, (clean, dirty) in zip(COLUMNS, (IDS, DATES, NUMBERS, TEXTS))
    for typed, cells in ((True, clean), (False, dirty)) for cell in cells])
def test_typed_csv_path_takes_clean_cells_and_hands_the_rest_over(tmp_path, column, cell, typed):
    row = list(CLEAN_ROW)
    row[COLUMNS.index(column)] = cell
    _write(tmp_path, [CLEAN_ROW, tuple(row)])
    taken, by_type, by_text = _both_paths(tmp_path)
    assert taken is typed
    assert by_type == by_text


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(*(st.sampled_from(clean * 3 + dirty)
                            for clean, dirty in (IDS, DATES, NUMBERS, TEXTS))),
                min_size=1, max_size=6))
def test_typed_csv_path_matches_the_text_path(rows):
    with tempfile.TemporaryDirectory() as folder:
        _write(Path(folder), rows)
        _, by_type, by_text = _both_paths(Path(folder))
        assert by_type == by_text


def test_typed_csv_path_is_taken_on_the_bundled_sample(monkeypatch):
    taken, fast = {}, parsing.typed_read
    monkeypatch.setattr(parsing, "typed_read", lambda con, raw, *a: taken.setdefault(
        raw.table, fast(con, raw, *a)))
    assert kamlib.validate().ok
    assert taken == dict.fromkeys(["accounts", "transactions", "activities", "activity_rates",
                                   "contacts", "opportunities", "events"], True)


PARQUET_CASES = [  # (SQL for the one odd row's columns, whether the fast path takes the file)
    ("'002' AS account_id, DATE '2024-02-01' AS date, 7.5 AS revenue", True),
    ("'002', TIMESTAMP '2024-02-01 10:00', 7.5", True),
    ("'002', DATE '2024-02-01', 7.5::DECIMAL(10, 2)", True),
    ("'002', DATE '2024-02-01', NULL::DOUBLE", True),          # a missing amount: an error
    ("NULL::VARCHAR, DATE '2024-02-01', 7.5", True),            # a missing id: an error
    ("'002 ', DATE '2024-02-01', 7.5", False),                  # blanks to trim: counted
    ("'', DATE '2024-02-01', 7.5", False),
    ("'002', DATE '2024-02-01', 'nan'::DOUBLE", False),
    ("'002', DATE '2024-02-01', 'inf'::DOUBLE", False),
    ("'002', DATE '2024-02-01', '7.5'", False),                 # amounts stored as text
]


@pytest.mark.parametrize("odd, typed", PARQUET_CASES)
def test_typed_parquet_path_matches_the_text_path(tmp_path, odd, typed):
    _write_small_tables(tmp_path)
    rows = f"SELECT '001' AS account_id, DATE '2024-01-05' AS date, 12.0 AS revenue UNION ALL " \
           f"SELECT {odd}"
    duckdb.execute(f"COPY ({rows}) TO '{tmp_path / 'transactions.parquet'}' (FORMAT parquet)")
    taken, by_type, by_text = _both_paths(tmp_path)
    assert taken is typed
    assert by_type == by_text
