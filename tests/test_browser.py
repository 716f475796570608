"""The report pages in a real browser: Debian's chromium, driven by Playwright for Python.

The pages are built twice (``site_twice`` in conftest.py, hostile account names included)
and opened from disk. Each page must load with no console error and no request other than
to its own files, keep hostile names as text, sort its tables, and print to A4. The browser
is the system's ``chromium`` (``make test`` installs it), never one Playwright downloads:
without it these tests fail, saying so, rather than skip.
"""

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pandas as pd
import pytest
from conftest import HOSTILE_NAME

from kamlib.report import safe_table
from kamlib.report.build import NOTEBOOKS
from kamlib.report.html import notebook_html
from kamlib.report.plans_index import plans_index_html

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).parent / "artifacts"  # git-ignored: screenshots to look at
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# A4 at 96 px per inch, less Chromium's default print margins of 0.4 inch a side
A4_PRINTABLE = {"width": round((210 / 25.4 - 0.8) * 96), "height": round((297 / 25.4 - 0.8) * 96)}
# A4 less the kit's own @page margins (templates/kamkit/print.css: 12 mm a side, 14 + 15 mm)
KIT_PRINTABLE = {"width": round((210 - 24) / 25.4 * 96), "height": round((297 - 29) / 25.4 * 96)}
# a formula in markdown: $$...$$, or $...$ with no space inside its dollars ("$50 or $60" is
# not one); and what shows when one is left unrendered
FORMULA = re.compile(r"\$\$.+?\$\$|(?<![\w$\\])\$(?!\s)[^$\n]+?(?<!\s)\$(?![\w$])", re.S)
RAW_LATEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\$\$|\^\{|_\{|(?<![\w$])\$(?!\s)[^$\n]+?(?<!\s)\$")


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed, so the report pages cannot be tested in a "
                    "browser: `make test` installs Debian's chromium package when run as root; "
                    "otherwise run `sudo apt-get install chromium` (no browser is downloaded)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield launched
        launched.close()


class Visit:
    """A page opened from disk, with everything it tried to do recorded."""

    def __init__(self, browser, path: Path):
        self.errors, self.requests, self.dialogs = [], [], []
        self.context = browser.new_context()
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri(), wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:  # nothing may leave the machine: refused, and recorded as a failure
            self.requests.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def open_(path: Path) -> Visit:
        opened.append(Visit(browser, path))
        return opened[-1]

    yield open_
    for v in opened:
        v.close()


def _pages(out: Path) -> list[Path]:
    return sorted(out.glob("*.html"))


def test_every_page_loads_offline_without_errors_and_keeps_names_as_text(site_twice, visit):
    out, results, _ = site_twice
    built = {o.html for o in results[-1].outcomes if o.ok}
    assert {p.name for p in _pages(out)} == built | {"index.html", "changes.html"}
    for path in _pages(out):
        v = visit(path)
        for th in v.page.locator("table.kamkit-table thead th").all():
            th.click()  # sorting moves rows: no name may turn into markup on the way
        v.page.wait_for_timeout(50)
        assert v.errors == [], (path.name, v.errors)
        assert v.requests == [], (path.name, v.requests)
        assert v.dialogs == [], (path.name, v.dialogs)
        # a name's <img> or <script> never became an element: the kit's one script only
        assert v.page.locator("img[src='x']").count() == 0
        assert v.page.locator("script").count() == 1


def test_hostile_names_show_as_text(site_twice, visit):
    out, _, _ = site_twice
    text = visit(out / "10_concentration.html").page.inner_text("body")
    assert f"Alpha {HOSTILE_NAME}" in text  # the vital-few table shows the name, as text
    changes = visit(out / "changes.html").page
    assert "Delta <img src=x onerror=alert(2)>" in changes.inner_text("section.group >> nth=1")


def test_every_link_on_the_index_and_changes_page_resolves(site_twice, visit):
    out, _, _ = site_twice
    for name in ("index.html", "changes.html"):
        hrefs = visit(out / name).page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        assert hrefs, name
        for href in hrefs:
            url = urlparse(href)
            assert url.scheme == "file" and Path(unquote(url.path)).is_file(), (name, href)


def test_a_table_sorts_on_header_click(site_twice, visit):
    out, _, _ = site_twice
    page = visit(out / "changes.html").page
    rows = "table.totals tbody tr"
    kinds = "rows => rows.map(r => r.cells[0].textContent)"
    effects = "rows => rows.map(r => Number(r.cells[2].dataset.sort))"
    # the totals per kind, in the page's order: lost -70, new +200, entered the vital few
    # +200, left it -70, moved ABC class -70, changed RFM segment -70
    assert page.eval_on_selector_all(rows, kinds) == [
        "lost", "new accounts", "entered the vital few", "left the vital few",
        "moved ABC class", "changed RFM segment"]
    effect = page.locator("table.totals th", has_text="effect")
    effect.click()  # ascending on the raw numbers: the losses before the gains
    assert page.eval_on_selector_all(rows, effects) == [-70, -70, -70, -70, 200, 200]
    assert effect.get_attribute("aria-sort") == "ascending"
    effect.click()
    assert page.eval_on_selector_all(rows, effects) == [200, 200, -70, -70, -70, -70]
    assert effect.get_attribute("aria-sort") == "descending"
    assert "all 2 accounts that moved" in page.inner_text("table.totals tfoot")


def test_report_tables_sort_numbers_as_numbers_and_can_be_searched(tmp_path, visit):
    """A report page with a longer table: formatted numbers sort by value, the search box
    filters rows, and a hostile name typed or shown stays text."""
    frame = pd.DataFrame({"account": [HOSTILE_NAME, "Beta", "=HYPERLINK(\"x\")", "Delta",
                                      "Echo", "Foxtrot", "Golf"],
                          "revenue": [1234.5, 99.0, -10.0, 100000.0, 5.0, 0.0, 12.0]})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": safe_table(frame, formats={"revenue": "{:,.0f}"}).to_html()})]
    (tmp_path / "t.html").write_text(notebook_html(nb, "T", "leadership"))
    v = visit(tmp_path / "t.html")
    page, cells = v.page, "rows => rows.map(r => r.cells[1].textContent)"
    page.locator("table.kamkit-table th", has_text="revenue").click()
    assert page.eval_on_selector_all("tbody tr", cells) == ["-10", "0", "5", "12", "99",
                                                           "1,234", "100,000"]
    page.fill("input.kamkit-search", "<script")
    shown = page.eval_on_selector_all("tbody tr:not([hidden])", "rs => rs.map(r => r.cells[0]"
                                      ".textContent)")
    assert shown == [HOSTILE_NAME] and "1 of 7 rows" in page.inner_text("body")
    page.fill("input.kamkit-search", "")
    assert page.locator("tbody tr:not([hidden])").count() == 7
    assert v.errors == v.requests == v.dialogs == []


def test_pages_print_to_a4_with_no_image_taller_than_a_page(site_twice, visit):
    out, _, _ = site_twice
    for path in _pages(out):
        page = visit(path).page
        assert page.pdf(format="A4")[:5] == b"%PDF-", path.name
        page.emulate_media(media="print")
        page.set_viewport_size(A4_PRINTABLE)
        heights = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => i.getBoundingClientRect().height)")
        assert max(heights, default=0) <= A4_PRINTABLE["height"], (path.name, heights)
        assert page.locator(".kamkit-search").evaluate_all(
            "es => es.every(e => getComputedStyle(e).display === 'none')")


def test_index_screenshot_for_the_test_artifacts(site_twice, visit):
    """The index at 1920 x 1080 (the screenshot shows the first screen): every module card
    within the width, its charts drawn; printed, no card is taller than an A4 page."""
    out, _, _ = site_twice
    page = visit(out / "index.html").page
    page.set_viewport_size({"width": 1920, "height": 1080})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "index.png"))
    text = page.inner_text("body")
    assert "then 250 → now 385" in text and "Which accounts moved since the last build" in text
    assert (ARTIFACTS / "index.png").stat().st_size > 10_000
    boxes = page.eval_on_selector_all(
        "section.module, section.module li, svg.thumb",
        "es => es.map(e => { const r = e.getBoundingClientRect();"
        " return [e.tagName, r.left, r.right, r.top, r.bottom, r.height]; })")
    cards = [b for b in boxes if b[0] == "SECTION"]
    assert len(cards) == 8, cards  # modules 01, 10-16 (13 listed as not built)
    # the brief comes first (its fold is tested below); the cards follow, none wider than the
    # screen, every chart drawn
    assert all(0 <= b[1] and b[2] <= 1920 for b in boxes), boxes
    charts = [b for b in boxes if b[0].lower() == "svg"]
    # drawn, not collapsed: as wide as a thumbnail, and as tall as its rows (one bar: 17 px)
    assert len(charts) == 8 and all(b[2] - b[1] > 200 and b[5] > 12 for b in charts), charts
    assert page.locator("svg.thumb[role=img][aria-label]").count() == 8
    page.emulate_media(media="print")
    page.set_viewport_size(A4_PRINTABLE)
    heights = page.eval_on_selector_all(
        "section.module", "es => es.map(e => e.getBoundingClientRect().height)")
    assert 0 < max(heights) <= A4_PRINTABLE["height"], heights


def test_print_layout_keeps_charts_and_table_rows_whole(site_twice, visit):
    """In print, every image, SVG and table row avoids a page break inside it, header rows
    repeat, and no image is taller than the printable part of an A4 page."""
    out, _, _ = site_twice
    seen = {"img": 0, "tr": 0}
    for path in _pages(out):
        page = visit(path).page
        page.set_viewport_size(KIT_PRINTABLE)
        page.emulate_media(media="print")
        found = page.eval_on_selector_all("img, svg, tr", """els => els.map(e => [
            e.tagName.toLowerCase(), getComputedStyle(e).breakInside,
            e.getBoundingClientRect().height])""")
        for tag, breaks, height in found:
            seen[tag] = seen.get(tag, 0) + 1
            assert breaks == "avoid", (path.name, tag)
            if tag in ("img", "svg"):
                assert height <= KIT_PRINTABLE["height"], (path.name, tag, height)
        assert page.eval_on_selector_all("thead", "hs => hs.every(h => getComputedStyle(h)"
                                         ".display === 'table-header-group')"), path.name
    assert seen["img"] >= 5 and seen["tr"] >= 20, seen  # the charts and tables were there


def test_pages_have_no_serious_accessibility_violations(site_twice, visit, tmp_path):
    """axe-core (bundled with axe-playwright-python, offline) on every page and on a plans
    index: no violation of impact "serious" or "critical"."""
    from axe_playwright_python.sync_playwright import Axe

    out, _, _ = site_twice
    plans = tmp_path / "plans.html"
    plans.write_text(plans_index_html(
        [{"account_id": "001", "account_name": HOSTILE_NAME, "account_manager": "Ann",
          "quadrant": "key account", "figures": [(1.0, "1")] * 5, "html": "001.html",
          "error": ""},
         {"account_id": "002", "account_name": "Beta", "account_manager": "Bo",
          "quadrant": "develop", "figures": [("", "–")] * 5, "html": None,
          "error": "boom"}], as_of="2024-02-15", currency="EUR",
        calendars=[{"manager": "Ann", "file": "Ann.ics"}]))
    axe, scanned, charts = Axe(), [], 0
    for path in [*_pages(out), plans]:
        v = visit(path)
        result = axe.run(v.page)
        bad = [(x["id"], x["impact"], [n["target"] for n in x["nodes"]][:3])
               for x in result.response["violations"] if x["impact"] in ("serious", "critical")]
        assert bad == [], (path.name, bad)
        assert v.requests == [], v.requests  # the scan itself loads nothing
        # every chart says what it is, beyond nbconvert's "No description has been provided"
        alts = v.page.eval_on_selector_all("img", "is => is.map(i => i.alt)")
        assert all(re.fullmatch(r"Chart: \S.+", a) for a in alts), (path.name, alts)
        charts += len(alts)
        scanned.append(path.name)
    assert {"index.html", "changes.html", "10_concentration.html"} <= set(scanned)
    assert charts >= 5


def _formula_notebooks() -> dict[Path, tuple]:
    """The kit's notebooks whose markdown holds formulas, with the notebook and their count."""
    found = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        n = sum(len(FORMULA.findall(c.source)) for c in nb.cells if c.cell_type == "markdown")
        if n:
            found[path] = (nb, n)
    return found


def test_formulas_render_as_math_offline_never_as_latex(tmp_path, visit):
    """Every formula of every notebook (trainee pages show them all) is a rendered <math>
    element with a size, and no LaTeX shows as text."""
    notebooks = _formula_notebooks()
    assert {p.stem for p in notebooks} >= {"10_concentration", "13_profitability"}
    for path, (nb, n) in notebooks.items():
        nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]  # nothing to run
        page_path = tmp_path / f"{path.stem}.html"
        page_path.write_text(notebook_html(nb, path.stem, "trainee"))
        v = visit(page_path)
        boxes = v.page.eval_on_selector_all("math", """ms => ms.map(m => {
            const r = m.getBoundingClientRect(); return [r.width, r.height]; })""")
        assert len(boxes) == n, (path.name, len(boxes), n)
        assert all(w > 0 and h > 0 for w, h in boxes), (path.name, boxes)
        raw = RAW_LATEX.findall(v.page.inner_text("body"))
        assert raw == [], (path.name, raw[:5])
        assert v.errors == v.requests == []


def test_no_report_page_shows_latex(site_twice, visit):
    out, _, _ = site_twice
    for path in _pages(out):
        raw = RAW_LATEX.findall(visit(path).page.inner_text("body"))
        assert raw == [], (path.name, raw[:5])


@pytest.mark.parametrize("media, width", [("screen", 1920), ("screen", 1000),
                                          ("print", A4_PRINTABLE["width"])])
def test_long_figures_and_their_movements_stay_inside_their_cards(tmp_path, visit, media,
                                                                 width):
    """A large company's figures are long ("then 398,475,813,000,000 -> now ..."): on screen and
    on paper every line of a card wraps inside it, none reaches past its border."""
    from kamlib.report.history import with_movements
    from kamlib.report.index import index_html

    big = [{"key": f"k{i}", "value": 498_475_813_000_000 + i, "text": f"{498_475_813_000_000 + i:,}",
            "label": "EUR net revenue from 2023-01-01 to 2025-12-31 " * (i % 2 + 1),
            "fmt": "{:,}"} for i in range(4)]
    modules = [{"name": f"m{j}", "title": "Profitability: cost to serve, whale curve, "
                "lifetime value", "html": f"m{j}.html", "headlines": big} for j in range(4)]
    previous = {"built": "2025-01-01 00:00 UTC", "as_of": "2024-12-31", "figures": [
        {"module": f"m{j}", "key": h["key"], "value": 398_475_813_000_000, "fmt": "{:,}",
         "text": "398,475,813,000,000", "label": "x"} for j in range(4) for h in big]}
    path = tmp_path / "index.html"
    path.write_text(index_html(with_movements(modules, previous), {}, "leadership",
                               history=True, previous=previous), encoding="utf-8")
    page = visit(path).page
    page.emulate_media(media=media)
    page.set_viewport_size({"width": width, "height": 1000})
    assert "then 398,475,813,000,000" in page.inner_text("body")
    # nothing wider than the screen or the paper: unbreakable lines widen the whole grid
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # a box whose content is wider than the box spills its text over the card's border
    overflow = page.eval_on_selector_all("section.module", """cards => cards.flatMap(c =>
        [c, ...c.querySelectorAll('*')].filter(e => e.clientWidth > 0
                                                 && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.className + ': ' + e.textContent.trim().slice(0, 40)))""")
    assert overflow == [], overflow
