"""The index as a director reads it, at three screen sizes: what is above the fold, and no
page that scrolls sideways on a phone. Screenshots of each size go to tests/artifacts/."""

import pandas as pd
import pytest
from test_browser import ARTIFACTS, browser, visit  # noqa: F401 - fixtures

from kamlib.report.brief_page import brief_data
from kamlib.report.index import index_html

pytestmark = pytest.mark.slow

SIZES = {"desktop": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}


def _status(n: int = 14) -> pd.DataFrame:
    ids = [f"{i:06d}" for i in range(n)]
    status = ["active"] * (n - 3) + ["lost", "at risk", "won back"]
    st = pd.DataFrame({
        "account_id": ids, "status": status,
        "reasons": ["" if s == "active" else f"{s}: a reason in words" for s in status],
        "revenue_l12m": [1e6 * (n - i) + 0.5 for i in range(n - 3)] + [0.0, 2e5, 1e5],
        "revenue_p12m": [9e5 * (n - i) for i in range(n - 3)] + [4e5, 5e5, 0.0],
        "profit_l12m": [1e5 * (n - i) for i in range(n)],
        "profit_p12m": [8e4 * (n - i) for i in range(n)]})
    st.attrs["periods"] = {"last_12_months": ("2025-01-01", "2025-12-31"),
                           "prior_12_months": ("2024-01-01", "2024-12-31")}
    return st


@pytest.fixture(scope="module")
def index_page(tmp_path_factory, site_twice):
    # site_twice (which prints PDFs with its own Playwright) is built before the browser here
    st = _status()
    accounts = pd.DataFrame({"account_id": st["account_id"],
                             "account_name": [f"Account {i} Holdings Group International"
                                              for i in range(len(st))],
                             "account_manager": "Ayu Lestari"})
    modules = [{"name": f"{10 + i}_m", "title": f"Module {10 + i} with a long title",
                "html": f"{10 + i}_m.html",
                "headlines": [{"key": f"k{j}", "value": 1, "text": "498,475,813",
                               "label": "EUR net revenue in the last 12 months (whole window, "
                                        "2023-01-01 to 2025-12-31)"} for j in range(5)]}
               for i in range(8)]
    brief = brief_data(st, accounts, key_accounts=set(st["account_id"]), unit="EUR")
    path = tmp_path_factory.mktemp("layout") / "index.html"
    path.write_text(index_html(modules, {"as_of": "2025-12-31", "start": "2023-01-01",
                                         "n_accounts": 14}, "leadership", brief=brief,
                               history=True), encoding="utf-8")
    return path


def _boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, "es => es.map(e => { const r = "
                                     "e.getBoundingClientRect(); return {text: e.innerText, "
                                     "top: r.top, bottom: r.bottom, right: r.right}; })")


@pytest.mark.parametrize("size", list(SIZES))
def test_index_fold_and_width(index_page, visit, size):
    width, height = SIZES[size]
    page = visit(index_page).page
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"index-{size}.png"))
    # the page never scrolls sideways: a wide table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    figures = _boxes(page, ".figures > div")
    labels = [f["text"] for f in figures]
    assert any("profit" in t for t in labels) and any("revenue" in t for t in labels)
    profit = next(f for f in figures if "profit" in f["text"] and "margin" not in f["text"])
    if size != "phone":  # revenue, profit and margin on the first screen
        assert profit["bottom"] <= height, profit
    if size == "desktop":  # and at least ten account names, with their status
        names = [b for b in _boxes(page, "#brief-largest ~ div tbody tr") if b["bottom"] <= height]
        assert len(names) >= 10, names


def test_no_page_scrolls_sideways_on_a_phone(site_twice, visit):
    out, _, _ = site_twice
    for path in sorted(out.glob("*.html")):
        page = visit(path).page
        page.set_viewport_size({"width": 390, "height": 844})
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"{path.name} is {wide} px wide at 390 px"


def test_index_prints_on_one_a4_page(index_page, visit, tmp_path):
    from pypdf import PdfReader

    page = visit(index_page).page
    page.emulate_media(media="print")
    pdf = tmp_path / "index.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert len(PdfReader(pdf).pages) == 1


# --- the bundled sample's build: the index, the plans' index and the fullest plan ----------

def fullest_plan(out) -> str:
    """The planned account with the most contacts and opportunities together (ties: the
    smallest id): the longest plan, the one most likely to be too wide or too long."""
    from kamlib import open_dataset

    ds = open_dataset()
    planned = {p.stem for p in (out / "plans").glob("*.html") if p.stem != "index"}
    counts = (ds.contacts["account_id"].value_counts()
              .add(ds.opportunities["account_id"].value_counts(), fill_value=0))
    counts = counts[counts.index.isin(planned)]
    return str(min(counts.index, key=lambda a: (-counts[a], a)))


@pytest.mark.parametrize("size", list(SIZES))
def test_sample_index_screenshots_and_width(sample_site, visit, size):
    width, height = SIZES[size]
    page = visit(sample_site / "index.html").page
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sample-index-{size}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_plans_index_and_the_fullest_plan_fit_a_phone(sample_site, visit):
    account = fullest_plan(sample_site)
    ARTIFACTS.mkdir(exist_ok=True)
    for path in (sample_site / "plans" / "index.html", sample_site / "plans" / f"{account}.html"):
        page = visit(path).page
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / f"phone-plans-{path.stem}.png"))
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"{path.name} is {wide} px wide at 390 px"


def test_every_page_links_back_to_the_index(sample_site):
    import re

    pages = [p for p in sample_site.glob("*.html") if p.name != "index.html"]
    plans = sorted((sample_site / "plans").glob("*.html"))
    assert len(pages) >= 9 and len(plans) >= 10
    for path in pages + plans:
        back = "index.html" if path.parent == sample_site else "../index.html"
        text = path.read_text(encoding="utf-8")
        assert re.search(rf'<(nav|p) class="kamkit-nav"[^>]*>.*?<a href="{re.escape(back)}"',
                         text, flags=re.S), path.name
        assert (path.parent / back).resolve() == (sample_site / "index.html").resolve()
