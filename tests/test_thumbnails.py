"""The index's small charts: figures recorded by notebooks, drawn as inline SVG.

Coordinates are computed by hand on small inputs (the viewBox is 240 x 72 with a margin
of 4: x runs from 4 to 236, y from 68 at the lowest value up to 4 at the highest).
"""

import json
import re
import shutil
import xml.etree.ElementTree as ET

import nbformat
import pandas as pd
import pytest

from kamlib.report import THUMBNAIL_MIME, thumbnail
from kamlib.report.build import NOTEBOOKS
from kamlib.report.display import thumbnail_bundle
from kamlib.report.index import MAX_CHARTS, charts, index_html
from kamlib.report.notebooks import recorded_headlines
from kamlib.report.thumbnail_data import cell_matrix, curve_points, monthly_series, share_bars
from kamlib.report.thumbnails import (MAX_POINTS, bars_svg, curve_svg, describe, matrix_svg,
                                      sparkline_svg, thumbnail_problem, thumbnail_svg)

SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def _points(svg: str) -> list[tuple[float, float]]:
    line = _tree(svg).find(f".//{SVG}polyline")
    return [tuple(map(float, p.split(","))) for p in line.get("points").split()]


# --- drawing ------------------------------------------------------------------------------

def test_sparkline_of_three_points_spans_the_box_lowest_at_the_bottom():
    svg = sparkline_svg([10.0, 30.0, 20.0], "Revenue")
    # x: 4, 4 + 232 / 2, 236; y: lowest (10) at 68, highest (30) at 4, 20 halfway: 36
    assert _points(svg) == [(4.0, 68.0), (120.0, 4.0), (236.0, 36.0)]
    dot = _tree(svg).find(f"{SVG}circle")
    assert (float(dot.get("cx")), float(dot.get("cy"))) == (236.0, 36.0)  # the last month


def test_sparkline_flat_single_and_negative_series():
    assert _points(sparkline_svg([5.0, 5.0, 5.0], "f")) == [(4.0, 36.0), (120.0, 36.0),
                                                            (236.0, 36.0)]
    assert _points(sparkline_svg([7.0], "one")) == [(120.0, 36.0)]
    # -10 .. 30: zero sits a quarter of the way up: y = 68 - 64 x 10 / 40 = 52
    zero = _tree(sparkline_svg([-10.0, 30.0], "n")).find(f"{SVG}line")
    assert zero.get("y1") == zero.get("y2") == "52.0"
    assert _tree(sparkline_svg([1.0, 2.0], "p")).find(f"{SVG}line") is None


def test_curve_is_drawn_on_axes_that_hold_one_and_its_peak():
    # x 0..1 over 4..236; y 0..1.6 (the whale's peak) over 68..4: y(1) = 68 - 64 / 1.6 = 28
    svg = curve_svg([0.0, 0.5, 1.0], [0.0, 1.6, 1.0], "w", mark=[0.5, 1.6], reference=1.0)
    assert _points(svg) == [(4.0, 68.0), (120.0, 4.0), (236.0, 28.0)]
    lines = _tree(svg).findall(f"{SVG}line")
    assert [ln.get("y1") for ln in lines] == ["68.0", "28.0"]  # zero, then the dashed 100%
    mark = _tree(svg).find(f"{SVG}circle")
    assert (mark.get("cx"), mark.get("cy")) == ("120.0", "4.0")
    # a curve under 1 still has 1 at the top: 0.5 is halfway, y = 36
    assert _points(curve_svg([0.0, 1.0], [0.0, 0.5], "c")) == [(4.0, 68.0), (236.0, 36.0)]


def test_matrix_cells_by_hand_darkest_for_the_largest_share():
    svg = matrix_svg(["A", "B"], ["X", "Y"], [[3, 1], [0, 6]], [[0.6, 0.1], [0.0, 0.3]], "m")
    rects = _tree(svg).findall(f".//{SVG}rect")
    # left column 18, header 14: cells 111 wide, (96 - 14) / 2 = 41 high
    assert [(r.get("x"), r.get("y"), r.get("width"), r.get("height")) for r in rects] == [
        ("18.0", "14.0", "111.0", "41.0"), ("129.0", "14.0", "111.0", "41.0"),
        ("18.0", "55.0", "111.0", "41.0"), ("129.0", "55.0", "111.0", "41.0")]
    # opacity 0.06 + 0.84 x share / 0.6, drawn as one solid colour over white
    from kamlib.report.contrast import blend

    assert [r.get("fill") for r in rects] == [blend("#1f5f99", o) for o in (0.9, 0.2, 0.06,
                                                                           0.48)]
    text = "".join(_tree(svg).itertext())
    assert "AX3 · 60%" in text and "BY6 · 30%" in text


def test_bars_are_as_long_as_their_share_of_the_largest():
    rects = _tree(bars_svg(["a", "b", "c"], [0.5, 0.25, 0.0], "s")).findall(f".//{SVG}rect")
    assert [(r.get("y"), r.get("width")) for r in rects] == [("2.0", "100.0"), ("14.0", "50.0"),
                                                             ("26.0", "0.0")]


def test_every_thumbnail_is_an_image_named_by_what_it_shows():
    thumb = {"kind": "sparkline", "label": "Monthly revenue (EUR)",
             "data": {"values": [1.0e6, 0.9e6, 1.234e6],
                      "periods": ["Jan 2024", "Feb 2024", "Mar 2024"]}}
    root = _tree(thumbnail_svg(thumb))
    name = "Monthly revenue (EUR), Jan 2024 to Mar 2024, last 1.2\u00a0M"
    assert root.get("role") == "img" and root.get("aria-label") == name
    assert root.find(f"{SVG}title").text == name
    matrix = {"kind": "matrix", "label": "ABC-XYZ", "data": {
        "rows": ["A"], "columns": ["X", "Y"], "counts": [[1, 2]], "shares": [[0.2, 0.8]]}}
    assert describe(matrix) == "ABC-XYZ; largest: AY, 80%"


# --- hostile and broken data --------------------------------------------------------------

@pytest.mark.parametrize("kind, data", [
    ("sparkline", {"values": [1.0, float("nan")]}),
    ("sparkline", {"values": [1.0, float("inf")]}),
    ("sparkline", {"values": [-1e308, 1e308]}),  # finite, but their difference is not
    ("sparkline", {"values": [1.0, "2"]}),
    ("sparkline", {"values": [True, 2.0]}),
    ("sparkline", {"values": []}),
    ("sparkline", {"values": "123"}),
    ("sparkline", {"values": list(range(MAX_POINTS + 1))}),
    ("sparkline", {"values": [1.0, 2.0], "periods": ["Jan"]}),
    ("sparkline", {"values": [1.0, 2.0], "periods": [1, 2]}),
    ("curve", {"x": [0, 1], "y": [0]}),
    ("curve", {"x": [0, 1], "y": [0, 1], "mark": [0.5]}),
    ("curve", {"x": [0, 1], "y": [0, 1], "reference": "1"}),
    ("curve", {"x": [0, 1], "y": [0, None]}),
    ("matrix", {"rows": ["A"], "columns": ["X"], "counts": [[1, 2]], "shares": [[1]]}),
    ("matrix", {"rows": list("ABCDEF"), "columns": ["X"], "counts": [[1]] * 6,
                "shares": [[0.1]] * 6}),
    ("matrix", {"rows": ["A"], "columns": ["X"], "counts": [[1]], "shares": [[{"a": 1}]]}),
    ("matrix", {"rows": ["A"], "columns": ["X"], "counts": [[1]], "shares": [[1]],
                "names": "AX"}),
    ("bars", {"labels": ["a"], "values": [0.1, 0.2]}),
    ("bars", {"labels": [f"s{i}" for i in range(9)], "values": [0.1] * 9}),
    ("pie", {"values": [1]}),
])
def test_data_that_cannot_be_drawn_draws_nothing_and_cannot_be_recorded(kind, data):
    thumb = {"kind": kind, "label": "x", "data": data}
    assert thumbnail_problem(thumb) and thumbnail_svg(thumb) == ""
    with pytest.raises(ValueError, match="thumbnail 'x': "):
        thumbnail_bundle(kind, data, "x")


@pytest.mark.parametrize("thumb", [None, "svg", [1, 2], {"kind": "bars"},
                                   {"kind": "bars", "label": 3, "data": {}},
                                   {"kind": "bars", "label": "x", "data": [1]}])
def test_a_record_that_is_not_a_thumbnail_draws_nothing(thumb):
    assert thumbnail_problem(thumb) and thumbnail_svg(thumb) == ""


def test_text_from_a_notebook_stays_text_in_every_kind():
    evil = '"><script>alert(1)</script><svg onload="x'
    thumbs = [
        {"kind": "sparkline", "label": evil, "data": {"values": [1, 2], "periods": [evil, evil]}},
        {"kind": "curve", "label": evil, "data": {"x": [0, 1], "y": [0, 1]}},
        {"kind": "matrix", "label": evil, "data": {"rows": [evil], "columns": [evil],
                                                   "counts": [[1]], "shares": [[1]],
                                                   "names": [[evil]]}},
        {"kind": "bars", "label": evil, "data": {"labels": [evil], "values": [1]}}]
    for thumb in thumbs:
        svg = thumbnail_svg(thumb)
        root = _tree(svg)  # still one well-formed <svg>: nothing closed it early
        assert "<script" not in svg and "onload" not in {a for e in root.iter() for a in e.attrib}
        assert [e.tag for e in root.iter() if "script" in e.tag] == []
        assert root.get("aria-label").startswith(evil[:30])  # shown as the text it is


def test_index_draws_the_good_thumbnails_and_skips_the_rest():
    good = {"kind": "bars", "label": "Share", "data": {"labels": ["a", "b"], "values": [.6, .4]}}
    module = {"name": "m", "title": "M", "html": "m.html", "headlines": [],
              "thumbnails": ["<script>", {"kind": "bars", "label": "<i>", "data": {
                  "labels": ["a"], "values": [float("nan")]}}, good, good, good]}
    shown = charts(module)
    assert len(shown) == MAX_CHARTS and shown[0]["caption"] == "Share; largest: a, 60%"
    page = index_html([module, {"name": "n", "title": "N", "html": None, "headlines": [],
                                "thumbnails": "not a list"}], {}, "leadership")
    assert page.count('<svg class="thumb" role="img"') == MAX_CHARTS
    assert page.count("<script") == 1  # the kit's table script, nothing from the data
    assert "&lt;i&gt;" not in page  # the broken one is not drawn at all


# --- recording ----------------------------------------------------------------------------

def test_recorded_thumbnails_read_back_from_an_executed_notebook_and_junk_skipped():
    bundle = thumbnail_bundle("sparkline", {"values": [1.0, 2.0]}, "Revenue")
    assert bundle["text/html"] == ""  # nothing on the report page itself
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=bundle),
                           nbformat.v4.new_output("display_data",
                                                  data={THUMBNAIL_MIME: "not a dict"})]
    assert recorded_headlines(nb, THUMBNAIL_MIME) == [bundle[THUMBNAIL_MIME]]
    assert callable(thumbnail)


def test_thumbnail_data_from_the_analyses_frames_by_hand():
    months = pd.DataFrame({"period": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01"]),
                           "revenue": [3.0, 1.0, 2.0]})
    assert monthly_series(months, months=2) == {"values": [2.0, 3.0],
                                                "periods": ["Feb 2024", "Mar 2024"]}
    # kamlib.whale_curve's example: profits 100, 60, -20, -40 -> cum shares 1, 1.6, 1.4, 1
    whale = pd.DataFrame({"cum_account_share": [.25, .5, .75, 1.0],
                          "cum_share": [1.0, 1.6, 1.4, 1.0]})
    assert curve_points(whale, points=5, mark="peak", reference=1.0) == {
        "x": [0.0, 0.25, 0.5, 0.75, 1.0], "y": [0.0, 1.0, 1.6, 1.4, 1.0],
        "mark": [0.5, 1.6], "reference": 1.0}
    # between rows the curve is interpolated: x = 0.125 is half of the first step
    assert curve_points(whale, points=9)["y"][1] == 0.5
    with pytest.raises(ValueError, match="finite"):
        curve_points(whale.assign(cum_share=float("nan")))
    per_account = pd.DataFrame({"v": [True, True, False], "n": [True, False, True],
                                "share": [.5, .3, .2], "q": ["key", "keep", "grow"]})
    cells = cell_matrix(per_account, row="v", column="n", share="share", rows=[True, False],
                        columns=[True, False], names="q", row_names=["hi", "lo"],
                        column_names=["need", "none"])
    assert cells == {"rows": ["hi", "lo"], "columns": ["need", "none"],
                     "counts": [[1.0, 1.0], [1.0, 0.0]], "shares": [[0.5, 0.3], [0.2, 0.0]],
                     "names": [["key", "keep"], ["grow", ""]]}
    segments = pd.DataFrame({"segment": ["a", "b", "c"], "share": [0.2, float("nan"), 0.8]})
    assert share_bars(segments, label="segment") == {"labels": ["c", "a"], "values": [0.8, 0.2]}
    assert thumbnail_problem({"kind": "matrix", "label": "m", "data": cells}) == ""


# --- a real build -------------------------------------------------------------------------

def _thumbnails(out) -> dict[str, list[dict]]:
    modules = json.loads((out / ".kamkit-build.json").read_text())["modules"]
    return {m["name"]: m.get("thumbnails", []) for m in modules}


@pytest.mark.slow
def test_site_build_carries_hand_computed_thumbnails_into_the_index(site_twice):
    out, _, _ = site_twice
    thumbs = _thumbnails(out)
    # second build: January 100 + 50 + 5 = 155, February 40 - 10 + 200 = 230
    assert thumbs["01_data_overview"][0]["data"] == {"values": [155.0, 230.0],
                                                     "periods": ["Jan 2024", "Feb 2024"]}
    pareto = thumbs["10_concentration"][0]["data"]
    # 004 200, 001 190, 002 5, 003 -10 of 385: the vital few end at 001 (x 0.5, 390 / 385)
    assert pareto["y"][10] == round(200 / 385, 6) and pareto["y"][20] == round(390 / 385, 6)
    assert pareto["mark"] == [0.5, round(390 / 385, 6)] and pareto["y"][-1] == 1.0
    matrix = thumbs["11_abc_xyz"][0]["data"]
    # two months are too few to judge variability: every account is Z; A makes 390 / 385
    assert matrix["rows"] == ["A", "B", "C"] and matrix["columns"] == ["X", "Y", "Z"]
    assert sum(map(sum, matrix["counts"])) == 4 and matrix["counts"][0] == [0, 0, 2]
    assert matrix["shares"][0][2] == round(390 / 385, 6)
    page = re.sub(r"\s+", " ", (out / "index.html").read_text())
    assert ('aria-label="Monthly revenue (EUR), Jan 2024 to Feb 2024, last 230"' in page
            and 'points="4.0,68.0 236.0,4.0"' in page)
    assert page.count('<svg class="thumb" role="img"') == sum(map(len, thumbs.values()))
    assert {n for n, t in thumbs.items() if t} >= {"01_data_overview", "10_concentration",
                                                   "11_abc_xyz", "12_profiles",
                                                   "14_account_planning"}
    history = (out / "kamkit-history.jsonl").read_text()
    assert "thumbnail" not in history and "Jan 2024" not in history  # figures only


@pytest.mark.slow
def test_sample_build_draws_the_four_named_charts_and_names_no_account(tmp_path):
    from kamlib import open_dataset
    from kamlib.report import build_reports

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("01_data_overview", "10_concentration", "11_abc_xyz", "13_profitability"):
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", notebooks)
    result = build_reports(out=tmp_path / "site", notebooks=notebooks, show_progress=False)
    assert result.ok, result.errors
    thumbs = _thumbnails(tmp_path / "site")
    assert {n: [t["kind"] for t in ts] for n, ts in thumbs.items()} == {
        "01_data_overview": ["sparkline"], "10_concentration": ["curve"],
        "11_abc_xyz": ["matrix"], "13_profitability": ["curve"]}
    assert len(thumbs["01_data_overview"][0]["data"]["values"]) == 36  # 2023-2025 by month
    whale = thumbs["13_profitability"][0]["data"]
    # the peak is kept exactly: no interpolated point above it, and above 100% of the profit
    assert whale["reference"] == 1.0 and max(whale["y"]) <= whale["mark"][1]
    assert whale["mark"][1] > 1.0
    page = (tmp_path / "site" / "index.html").read_text()
    labels = re.findall(r'<svg class="thumb" role="img" aria-label="([^"]*)"', page)
    assert [label.split(":")[0].split(",")[0] for label in labels] == [
        "Monthly revenue (EUR)", "Pareto curve", "ABC-XYZ matrix", "Whale curve"]
    ds = open_dataset()
    names = set(ds.accounts["account_id"].astype(str)) | set(ds.accounts["account_name"])
    texts = {s for ts in thumbs.values() for t in ts for s in re.findall(
        r'"([^"]+)"', json.dumps(t["data"]))}
    assert texts and not texts & names  # no account's id or name in what the index carries
