"""Text in the kit's SVG charts meets WCAG AA contrast (4.5:1) against what it is drawn on."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.report.contrast import AA, blend, contrast, ink_on, luminance
from kamlib.report.thumbnails import bars_svg, matrix_svg

SVG = "{http://www.w3.org/2000/svg}"


def text_contrasts(svg: str, page: str = "#ffffff") -> list[tuple[str, float]]:
    """Every text of ``svg`` with its contrast against the rectangle it sits in (the last
    one drawn there), or the page's colour."""
    root = ET.fromstring(svg)
    rects = [(float(r.get("x", 0)), float(r.get("y", 0)), float(r.get("width", 0)),
              float(r.get("height", 0)), r.get("fill")) for r in root.iter(f"{SVG}rect")]
    out = []
    for parent in root.iter():
        inherited = parent.get("fill")
        for t in parent.findall(f"{SVG}text"):
            ink = t.get("fill") or inherited or "#000000"
            x, y = float(t.get("x")), float(t.get("y"))
            under = [fill for rx, ry, w, h, fill in rects
                     if rx <= x <= rx + w and ry <= y <= ry + h and fill]
            out.append(("".join(t.itertext()), contrast(ink, under[-1] if under else page)))
    return out


def test_wcag_figures_by_hand():
    assert luminance("#fff") == 1 and luminance("#000") == 0
    assert contrast("#fff", "#000") == pytest.approx(21)
    assert contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert blend("#000000", 0.5) == "#808080"


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1))
def test_some_ink_always_reaches_aa_on_the_chart_colour(opacity):
    assert contrast(ink_on(blend("#1f5f99", opacity)), blend("#1f5f99", opacity)) >= AA


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=9, max_size=9))
def test_every_matrix_text_meets_aa(shares):
    grid = [shares[i:i + 3] for i in (0, 3, 6)]
    svg = matrix_svg(["A", "B", "C"], ["X", "Y", "Z"], [[1] * 3] * 3, grid, "m")
    texts = text_contrasts(svg)
    assert len(texts) == 3 + 3 + 18  # headers, row names, two lines per cell
    assert all(ratio >= AA for _, ratio in texts), texts


def test_bar_texts_meet_aa():
    assert all(r >= AA for _, r in text_contrasts(bars_svg(["a", "b"], [0.5, 0.2], "b")))


def test_the_built_index_svg_texts_meet_aa(site_twice):
    out, _, _ = site_twice
    page = (out / "index.html").read_text(encoding="utf-8")
    svgs = [page[i:page.index("</svg>", i) + 6] for i in range(len(page))
            if page.startswith("<svg", i)]
    assert svgs, "the index draws its charts as inline SVG"
    checked = [t for svg in svgs for t in text_contrasts(svg)]
    assert checked and all(ratio >= AA for _, ratio in checked), checked


def test_movement_colours_meet_aa_on_the_cards_and_the_page():
    """Every colour the index gives a movement by meaning (better, worse, neutral, same), as
    its stylesheet has it, against the cards' white and the page's grey."""
    import re

    from kamlib.report.index import index_html
    from kamlib.report.measures import MEANINGS

    page = index_html([], {}, "leadership")
    rules = dict(re.findall(r"\.move\.(\w+) \{ color: (#[0-9a-f]{6}); \}", page))
    assert set(rules) == set(MEANINGS), rules
    assert rules["better"] != rules["worse"]
    for background in ("#ffffff", "#f4f5f7"):
        assert all(contrast(c, background) >= AA for c in rules.values()), (background, rules)
