"""Report building blocks: headlines, escaping, safe exports, parameters cells, index page."""

import math
import re

import nbformat
import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from papermill import inspect_notebook

from kamlib.report import HEADLINE_MIME, neutralise, safe_export, safe_table
from kamlib.report.build import NOTEBOOKS as NOTEBOOK_DIR
from kamlib.report.display import headline_bundle
from kamlib.report.html import run_footer
from kamlib.report.index import index_html
from kamlib.report.notebooks import (
    NotebookError,
    check_parameters,
    parameter_problems,
    recorded_headlines,
    report_notebooks,
)

HOSTILE = ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3",
           "@SUM(A1:A2)", "\tTab", "\rCR", "A&B <i>Ltd</i>"]


# --- headlines ---------------------------------------------------------------------------

def test_headline_bundle_carries_value_and_escaped_card():
    b = headline_bundle("vital_few_share", 0.1432, "of <b>accounts</b>", fmt="{:.1%}")
    assert b[HEADLINE_MIME] == {"key": "vital_few_share", "value": 0.1432, "text": "14.3%",
                                "label": "of <b>accounts</b>", "fmt": "{:.1%}"}
    assert "of &lt;b&gt;accounts&lt;/b&gt;" in b["text/html"] and "<b>acc" not in b["text/html"]


@pytest.mark.parametrize("key", ["Vital", "1x", "a-b", ""])
def test_headline_key_must_be_snake_case(key):
    with pytest.raises(ValueError, match="snake_case"):
        headline_bundle(key, 1, "x")


def test_headline_refuses_nan():
    with pytest.raises(ValueError, match="must not publish"):
        headline_bundle("gini", math.nan, "Gini")


def test_recorded_headlines_read_from_outputs_in_order():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=headline_bundle(
        "a", 1, "first")), nbformat.v4.new_output("stream", name="stdout", text="noise"),
        nbformat.v4.new_output("display_data", data=headline_bundle("b", 2.5, "second"))]
    assert [(h["key"], h["value"]) for h in recorded_headlines(nb)] == [("a", 1), ("b", 2.5)]


# --- escaping in HTML ----------------------------------------------------------------------

def test_safe_table_escapes_cells_labels_and_formatted_columns():
    frame = pd.DataFrame({"name": HOSTILE[:2], "<th>": ["<img src=x>", "y"],
                          "share": [0.5, 0.25]}, index=["<u>i</u>", "j"])
    html = safe_table(frame, formats={"<th>": "{}", "share": "{:.0%}"},
                      hide_index=False).to_html()
    for raw in ["<script>", "<img", "<th>&lt;", "<u>"]:
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x&gt;" in html
    assert "&lt;u&gt;i&lt;/u&gt;" in html and "50%" in html


def test_index_page_escapes_titles_labels_and_file_names():
    modules = [{"name": "m", "title": "<script>t</script>", "html": "m.html",
                "headlines": [{"text": "<b>1</b>", "label": "<i>accounts</i>"}]}]
    info = {"as_of": "<2024>", "sources": [{"table": "accounts", "file": "<x>.csv",
                                            "rows": 3, "sha256": None}]}
    page = index_html(modules, info, "leadership")
    assert "<script>t" not in page and "&lt;script&gt;t&lt;/script&gt;" in page
    assert "&lt;b&gt;1&lt;/b&gt;" in page and "&lt;i&gt;accounts" in page
    assert "&lt;x&gt;.csv" in page and '<a href="m.html">' in page


def test_run_footer_lists_parameters_and_hashes_escaped():
    footer = run_footer({"config": "<k>.toml"}, {"as_of": "2025-12-31", "version": "1.0",
                        "sources": [{"table": "t", "file": "a.csv", "rows": 1200,
                                     "sha256": "ab" * 32}]})
    assert "<td>&lt;k&gt;.toml</td>" in footer and "ab" * 32 in footer
    assert "1,200" in footer and "2025-12-31" in footer
    # the settings in a reader's words, collapsed under "How this was computed"
    plain = run_footer({"config": "", "top": 5, "share": 0.8, "pdf": False, "ids": ["a", "b"]},
                       {"as_of": "2025-12-31"})
    shown = re.findall(r"<td>(.*?)</td>", plain)
    assert shown == ["config", "(not set: the kit default)", "ids", "a, b", "pdf", "no",
                     "share", "0.8", "top", "5"]
    assert plain.index("<details") < plain.index("<td>config") and "&#x27;" not in plain


# --- safe exports -----------------------------------------------------------------------------

def test_neutralise_text_only_numbers_untouched():
    frame = pd.DataFrame({"name": HOSTILE + ["plain", None], "revenue": range(-5, 5)})
    out = neutralise(frame)
    assert out["name"].tolist()[:6] == ["<script>alert(1)</script>", "'=HYPERLINK(\"http://x\",\"y\")",
                                        "'+1", "'-2+3", "'@SUM(A1:A2)", "'\tTab"]
    assert pd.isna(out["name"].iloc[9]) and out["name"].iloc[8] == "plain"
    assert out["revenue"].tolist() == list(range(-5, 5))  # negative numbers stay numbers
    assert frame["name"].iloc[1].startswith("=")  # the input is not modified


def test_neutralise_strips_nul_and_guards_labels():
    out = neutralise(pd.DataFrame({"=cmd": ["\0=1"]}, index=pd.Index(["@x"])))
    assert out.columns.tolist() == ["'=cmd"] and out.index.tolist() == ["'@x"]
    assert out.iloc[0, 0] == "'=1"


def test_safe_export_csv_and_excel_read_back(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1", "@A1", "Acme"], "revenue": [-5.5, 0.0, 3.0]})
    csv = pd.read_csv(safe_export(frame, tmp_path / "list.csv"))
    assert csv["name"].tolist() == ["'=1+1", "'@A1", "Acme"]
    assert csv["revenue"].tolist() == [-5.5, 0.0, 3.0]
    sheet = openpyxl.load_workbook(safe_export(frame, tmp_path / "list.xlsx")).active
    assert [c.value for c in sheet["A"]] == ["name", "'=1+1", "'@A1", "Acme"]
    assert [c.data_type for c in sheet["A"]][1:] == ["s", "s", "s"]  # text, not formulas
    assert [c.value for c in sheet["B"]][1:] == [-5.5, 0, 3]


def test_safe_export_refuses_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="list.json: use a .csv or .xlsx"):
        safe_export(pd.DataFrame({"a": [1]}), tmp_path / "list.json")


# --- parameters cells -------------------------------------------------------------------------

@pytest.mark.parametrize("source, problem", [
    ("x = 1  # one\n", None),
    ("x = [1, 2]  # list\ny = {'a': None}  # dict\n", None),
    ("x = 1\n", "needs a trailing comment"),
    ("x = len('a')  # call\n", "not a plain literal"),
    ("x = 'a=b'  # second equals\n", "no '='"),
    ("import os  # no\n", "is not 'name = value'"),
    ("x, y = 1, 2  # tuple\n", "is not 'name = value'"),
    ("x = (  # open\n", "line 1"),
])
def test_parameter_problems(source, problem):
    found = parameter_problems(source)
    assert (found == []) if problem is None else any(problem in p for p in found)


def _notebook(tmp_path, source, name="nb.ipynb"):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        source, metadata={"tags": ["parameters"]})])
    nb.metadata["kamkit"] = {"report": True, "title": "T"}
    nbformat.write(nb, tmp_path / name)
    return tmp_path / name


def test_check_parameters_refuses_undeclared_and_non_identifiers(tmp_path):
    path = _notebook(tmp_path, "config = ''  # kam.toml\nprepared = ''  # folder\n")
    check_parameters(path, {"config": "a.toml"})
    with pytest.raises(NotebookError, match="nb.ipynb: unknown parameter.*target.*declares "
                                            "config, prepared"):
        check_parameters(path, {"target": 0.5})
    with pytest.raises(NotebookError, match="identifiers.*'x; import os'"):
        check_parameters(path, {"x; import os": 1})
    with pytest.raises(NotebookError, match="identifiers"):
        check_parameters(path, {"class": 1})


def test_report_notebooks_selects_by_metadata_and_name(tmp_path):
    _notebook(tmp_path, "a = 1  # a", "01_a.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "00_course_only.ipynb")
    assert [nb.name for nb in report_notebooks(tmp_path)] == ["01_a"]
    with pytest.raises(NotebookError, match="not a report notebook: 00_course_only"):
        report_notebooks(tmp_path, only=["00_course_only"])


# --- the shipped notebooks keep the house rules -------------------------------------------------

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_shipped_notebooks_are_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") and not c.get("execution_count")
               for c in nb.cells if c.cell_type == "code"), "strip the outputs"
    runs_code = any(c.cell_type == "code" for c in nb.cells)  # the glossary is text only
    if not path.name.startswith("00") and runs_code:
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and parameter_problems(tagged[0].source) == []
        # papermill (--help-notebook) reads the same names we check against
        assert list(inspect_notebook(str(path))) == \
            [line.split("=")[0].strip() for line in tagged[0].source.splitlines()]


@pytest.mark.parametrize("path", [nb.path for nb in report_notebooks(NOTEBOOK_DIR)],
                         ids=lambda p: p.name)
def test_report_notebooks_take_config_and_prepared(path):
    check_parameters(path, {"config": "", "prepared": ""})


@given(st.lists(st.text(max_size=12), min_size=1, max_size=20),
       st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
@example([",=", "a; +b", "=x"], [0.0, 1.0, 2.0])  # found by hypothesis: a sign after a separator
def test_neutralised_text_never_starts_a_formula(texts, numbers):
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"name": texts[:n], "amount": numbers[:n]})
    out = neutralise(frame)
    assert not out["name"].str.startswith(("=", "+", "-", "@", "\t", "\r", "\0")).any()
    assert out["amount"].tolist() == numbers[:n]
    # a sign after a list separator is guarded where the spreadsheet splits the cell
    # (",=" becomes ",'="), so a changed value need not start with the quote
    from kamlib.report.safe_export import SEPARATORS
    signs = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    for value in out["name"]:
        pieces = re.split("[" + re.escape(SEPARATORS) + "]", value)[1:]
        assert not any(p.lstrip(" \u00a0\u3000").startswith(signs) for p in pieces), value
    changed = out["name"] != frame["name"]
    assert out["name"][changed].str.contains("'", regex=False).all()
    assert (out["name"][~changed] == frame["name"][~changed]).all()
