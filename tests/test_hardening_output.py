"""Hostile inputs, part 2: what the kit writes. Spreadsheet exports carry no formulas in any
cell, charts draw data and config text as text, and the build and ``kam sample`` delete or
overwrite only files they wrote.
"""

from __future__ import annotations

import csv
import re

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamlib.report import safe_export
from kamlib.report.safe_export import FORMULA_STARTS, SEPARATORS, neutralise

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
    # one cell each (quoted), and the sign after the break guarded for a paste that splits
    assert rows == [["name"], ["x\r'=HYPERLINK(\"http://evil\")"], ["y\n'@SUM(A1)"]]


# --- issue 25: a sign after any separator a spreadsheet may split on --------------------------

SPLITS = ["\t", ",", ";", "|", "\r\n", "\u060c", "\uff0c", "\uff1b"]


@pytest.mark.parametrize("sep", SPLITS)
@pytest.mark.parametrize("sign", ["=", "+", "-", "@", "\uff1d"])
def test_a_formula_after_any_separator_is_neutralised(tmp_path, sep, sign):
    value = f"Acme{sep} {sign}1+1"
    frame = pd.DataFrame({"name": [value], "revenue": [-5.0]})
    with open(safe_export(frame, tmp_path / "s.csv"), newline="", encoding="utf-8") as fh:
        cell = list(csv.reader(fh))[1][0]
    for part in re.split("[" + re.escape(SEPARATORS) + "]", cell):
        assert not part.strip(" ").startswith(FORMULA_STARTS), (value, cell)
    assert cell.replace("'", "") == value  # only apostrophes added
    assert neutralise(frame)["revenue"].tolist() == [-5.0]


def test_text_without_a_sign_after_a_separator_is_left_alone():
    frame = pd.DataFrame({"name": ["Smith - Jones", "A, B; C", "Acme\tLtd"]})
    assert neutralise(frame)["name"].tolist() == ["Smith - Jones", "A, B; C", "Acme\tLtd"]


def _download(link: str) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of a download link."""
    import base64

    name, kind, data = re.fullmatch(r'<a download="([^"]+)" href="data:([^;]+);base64,'
                                    r'([^"]+)">.*</a>', link, flags=re.S).groups()
    return name, kind, base64.b64decode(data)


@pytest.mark.parametrize("rows", [10, 100_000])
def test_a_download_holds_the_whole_neutralised_list_small_or_zipped(rows):
    """Up to ZIP_ABOVE bytes the page carries the CSV; above, a .zip holding the same CSV
    (the link says so): a list of 250,000 accounts made a 38 MB page."""
    import io
    import zipfile

    from kamlib.report.safe_export import ZIP_ABOVE, download_link

    frame = pd.DataFrame({"account": [f"=HYPERLINK({i})" for i in range(rows)],
                          "revenue": [float(i) - 5 for i in range(rows)]})
    link = download_link(frame, "list.csv", "the list")
    name, kind, data = _download(link)
    if rows == 10:
        assert (name, kind) == ("list.csv", "text/csv") and "zip" not in link
    else:
        assert (name, kind) == ("list.zip", "application/zip")
        assert re.search(r"the list: a \.zip file of 0\.\d MB holding list\.csv</a>$", link)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.namelist() == ["list.csv"]
            inner = archive.read("list.csv")
        assert len(inner) > ZIP_ABOVE and len(data) * 4 < len(inner)
        data = inner
    back = pd.read_csv(io.BytesIO(data))
    assert len(back) == rows and back["account"].str.startswith("'=").all()
    assert back["revenue"].tolist() == frame["revenue"].tolist()


# --- 20. chart text from data or config is drawn as written ---------------------------------

def _drawn(text) -> str:
    """The string matplotlib draws for a Text, failing if it would parse it as math."""
    shown, is_math = text._preprocess_math(text.get_text())
    assert not is_math, text.get_text()
    return shown


def _texts(fig):
    from matplotlib.text import Text

    fig.canvas.draw()
    ticks = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return [_drawn(t) for t in fig.findobj(Text) + ticks if t.get_text()]


CURRENCY = "$ / US$"


def test_a_currency_with_dollar_signs_is_drawn_as_written():
    from kamlib.concentration import pareto_table
    from kamlib.plots import pareto_chart, set_theme

    set_theme()
    totals = pd.DataFrame({"account_id": list("abc"), "revenue": [200.0, 30.0, 10.0]})
    fig = pareto_chart(pareto_table(totals), currency=CURRENCY)
    drawn = _texts(fig)
    ax = fig.axes[0]
    assert _drawn(ax.yaxis.label) == f"revenue ({CURRENCY})"
    ticks = [_drawn(t) for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith(f" {CURRENCY}") for t in ticks), ticks
    assert f"200 {CURRENCY}" in drawn


@pytest.mark.parametrize("chart", ["pareto", "trend", "product", "matrix"])
def test_every_chart_draws_data_and_config_text_literally(chart):
    import kamlib.plots as plots
    from kamlib.concentration import pareto_table

    value, name = "$rev$", "Cash $$ & $Co$"
    if chart == "pareto":
        totals = pd.DataFrame({"account_id": list("ab"), value: [60.0, 40.0]})
        fig = plots.pareto_chart(pareto_table(totals, value=value), value=value,
                                 currency=CURRENCY)
    elif chart == "trend":
        frame = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                              value: [1.0, 2.0], "accounts": [1, 2]})
        fig = plots.revenue_trend_chart(frame, value=value, currency=CURRENCY)
    elif chart == "product":
        frame = pd.DataFrame({"product": [name, "IoT"], value: [3.0, 1.0], "share": [.75, .25]})
        fig = plots.product_chart(frame, value=value, currency=CURRENCY)
    else:
        frame = pd.DataFrame({"abc": ["A"], "xyz": ["X"], "count": [1], "value_share": [1.0]})
        fig = plots.abc_xyz_heatmap(frame, value=value)
    drawn = _texts(fig)  # fails on any text matplotlib would read as math
    assert any(value in t for t in drawn), drawn
    if chart != "matrix":
        assert any(CURRENCY in t for t in drawn), drawn
    if chart == "product":
        assert name in drawn
