"""Hostile inputs, part 2: what the kit writes. Spreadsheet exports carry no formulas in any
cell, charts draw data and config text as text, and the build and ``kam sample`` delete or
overwrite only files they wrote.
"""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamlib.report import safe_export
from kamlib.report.safe_export import FORMULA_STARTS

# --- 3. safe_export: every text cell, index and headers included ----------------------------

SIGNS = "=+-@\t\r\n\0\x01\uff1d"
text = st.text(alphabet=st.sampled_from(SIGNS + "ab1 ("), min_size=1, max_size=6)


def _index(draw, n: int) -> pd.Index:
    if draw(st.booleans()):
        return pd.MultiIndex.from_arrays([draw(st.lists(text, min_size=n, max_size=n))
                                          for _ in range(2)], names=[draw(text), draw(text)])
    return pd.Index(draw(st.lists(text, min_size=n, max_size=n)), name=draw(text))


@st.composite
def frames(draw) -> pd.DataFrame:
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    values = [draw(st.lists(text, min_size=cols, max_size=cols)) for _ in range(rows)]
    frame = pd.DataFrame(values, index=_index(draw, rows), columns=_index(draw, cols))
    if draw(st.booleans()):  # categorical text is text too
        frame.isetitem(0, frame.iloc[:, 0].astype("category"))
    return frame


def _no_formula(value) -> bool:
    return not (isinstance(value, str) and value.startswith(FORMULA_STARTS[:6]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames())
def test_no_cell_of_an_export_is_a_formula(tmp_path, frame):
    sheet = openpyxl.load_workbook(safe_export(frame, tmp_path / "x.xlsx", index=True)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" and _no_formula(c.value) for c in cells), \
        [c.value for c in cells]
    for index in (True, False):
        with open(safe_export(frame, tmp_path / "x.csv", index=index), newline="",
                  encoding="utf-8") as fh:
            fields = [f for row in csv.reader(fh) for f in row]
        assert all(map(_no_formula, fields)), fields


def test_index_names_and_multiindex_rows_are_neutralised(tmp_path):
    frame = pd.DataFrame({"revenue": [1.0, -2.0]},
                         index=pd.Index(["a", "b"], name="=idx"))
    sheet = openpyxl.load_workbook(safe_export(frame, tmp_path / "a.xlsx", index=True)).active
    assert sheet["A1"].value == "'=idx" and sheet["A1"].data_type == "s"
    assert sheet["B3"].value == -2  # numbers stay numbers
    multi = pd.DataFrame({"revenue": [1.0, 2.0]}, index=pd.MultiIndex.from_tuples(
        [("x", '=HYPERLINK("http://evil","y")'), ("@z", "w")], names=["+a", "b"]))
    sheet = openpyxl.load_workbook(safe_export(multi, tmp_path / "m.xlsx", index=True)).active
    assert sheet["B2"].value == "'=HYPERLINK(\"http://evil\",\"y\")"
    assert sheet["A3"].value == "'@z" and sheet["A1"].value == "'+a"
    rows = list(csv.reader(open(safe_export(multi, tmp_path / "m.csv", index=True),
                                encoding="utf-8")))
    assert rows[0][0] == "'+a" and rows[1][1].startswith("'=HYPERLINK")


def test_a_control_character_cannot_hide_a_formula_or_break_the_workbook(tmp_path):
    frame = pd.DataFrame({"name": ["\x01=1+1", "Acme\x02"]})
    sheet = openpyxl.load_workbook(safe_export(frame, tmp_path / "c.xlsx")).active
    assert [c.value for c in sheet["A"]] == ["name", "'=1+1", "Acme"]


def test_a_line_break_inside_a_value_cannot_start_a_new_csv_cell(tmp_path):
    frame = pd.DataFrame({"name": ["x\r=HYPERLINK(\"http://evil\")", "y\n@SUM(A1)"]})
    with open(safe_export(frame, tmp_path / "b.csv"), newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["name"], ["x\r=HYPERLINK(\"http://evil\")"], ["y\n@SUM(A1)"]]
