"""``kam build`` end to end on a small hostile data set: publish, fail safely, escape."""

import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import report_notebook

from kamlib.cli import main
from kamlib.report import build_reports
from kamlib.report.build import MANIFEST, NOTEBOOKS
from kamlib.report.changes_page import ASSETS

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
TABLES_JS = (ASSETS / "tables.js").read_text().strip()
ACCOUNTS = f"""account_id,account_name,industry
001,Alpha {SCRIPT},Banking
002,"=HYPERLINK(""http://x"",""y"")",Retail
003,Gamma & Sons,Government
"""
TRANSACTIONS = """account_id,date,revenue,product,cost,invoice_id
001,2024-01-05,100,Cloud,60,I1
001,2024-01-05,50,<b>IoT</b>,20,I1
001,2024-02-11,40,Cloud,25,I4
002,2024-01-20,70,Cloud,30,I2
003,2024-02-10,-10,Cloud,,I3
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    (folder / "accounts.csv").write_text(ACCOUNTS)
    (folder / "transactions.csv").write_text(TRANSACTIONS)
    (folder / "activities.csv").write_text("account_id,date,activity\n001,2024-01-02,visit\n")
    (folder / "activity_rates.csv").write_text("activity,unit_cost\nvisit,100\n")
    (folder / "contacts.csv").write_text("account_id,contact_name,role,circle\n"
                                         f"001,{SCRIPT},CIO,1\n")
    (folder / "kam.toml").write_text('[source]\nfolder = "."\n')
    return folder / "kam.toml"


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    """The kit's report notebooks (a test adds one that fails in its third cell)."""
    folder = tmp_path_factory.mktemp("notebooks")
    for path in NOTEBOOKS.glob("[0-9]*.ipynb"):
        if not path.name.startswith("00"):
            shutil.copy(path, folder)
    return folder


def _add_broken(folder: Path) -> None:
    report_notebook(folder / "99_broken.ipynb", nbformat.v4.new_markdown_cell("# Broken"),
                    "ratio = 1 / 0", title="Broken <i>module</i>")


@pytest.fixture(scope="module")
def built(data, notebooks, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "reports"
    result = build_reports(data, out=out, notebooks=notebooks, show_progress=False)
    return result, out


def test_build_publishes_index_and_report(built):
    result, out = built
    assert result.ok, result.errors
    pages = ["01_data_overview.html", "10_concentration.html", "11_abc_xyz.html",
             "12_profiles.html",
             "13_profitability.html", "14_account_planning.html", "15_relationships.html",
             "16_retention.html"]
    # first build: the changes page says there is no earlier build, and lists nothing
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST] + pages + [
        "changes.html", "index.html", "kamkit-accounts.parquet", "kamkit-history.jsonl"]
    index = (out / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', index)
    assert links == ["changes.html"] + pages and all((out / h).exists() for h in links)


def test_index_headlines_are_the_hand_computed_figures(built):
    result, out = built
    figures = {o.name: {h["key"]: h["value"] for h in o.headlines} for o in result.outcomes}
    # 3 accounts; revenue 100 + 50 + 40 + 70 - 10 = 250 over January and February 2024
    # the last 12 months to 2024-02-11 hold every line: 250 too. Status: 001 and 002 bought
    # first in the last 12 months (new), 003 only a credit note (lost); no account at risk
    assert figures["01_data_overview"] == {
        "accounts": 3, "revenue_l12m": 250.0, "revenue_total": 250.0, "months": 2,
        "lost_accounts": 1, "at_risk_accounts": 0}
    # net revenue 001: 190, 002: 70, 003: -10; cumulative 190/250 = 0.76 < 0.8, then 1.04:
    # 2 of 3 accounts make 80%. Gini of the non-negative [70, 190]: (190 - 70) / (2 x 260).
    conc = figures["10_concentration"]
    assert conc == pytest.approx({"vital_few_share": 2 / 3, "vital_few": 2,
                                  "gini": 120 / 520, "top_n_share": 1.0})
    # A: accounts reached before 80% (0 and 0.76) -> 001 and 002, 260 of 250 = 104%;
    # every account has under 3 months, so all are Z and no account is AX.
    assert figures["11_abc_xyz"] == pytest.approx({"a_accounts": 2, "a_revenue_share": 1.04,
                                                   "ax_accounts": 0})
    # profit: 001 190 - 105 - one visit (no quantity column: one a row) 100 = -15; 002 40;
    # 003 has a line without cost, so its profit is unknown and it is left out: 1 of 2 lose
    # money, and the curve peaks at 40 of 25 = 160%
    profit = figures["13_profitability"]
    assert profit["loss_making_share"] == 0.5 and profit["whale_peak"] == pytest.approx(1.6)
    index = (out / "index.html").read_text()
    for text in ("66.7%", "0.23", "104.0%"):
        assert f'<span class="figure">{text}</span>' in index


@pytest.mark.parametrize("page", ["01_data_overview", "10_concentration", "11_abc_xyz",
                                  "12_profiles",
                                  "13_profitability", "14_account_planning",
                                  "15_relationships", "16_retention"])
def test_leadership_report_has_no_code_and_ends_with_run_metadata(built, data, page):
    _, out = built
    page = (out / f"{page}.html").read_text()
    assert "open_dataset(" not in page and 'class="highlight' not in page
    assert "jp-InputPrompt" not in page.split("<body")[1]
    for course_only in ('id="Exercises"', 'id="Theory"', "your answer", "Not yet", "Correct.",
                        "Not answered yet", "show_solution", "kamkit-solution", "Solution"):
        assert course_only not in page
    # no external script; the one inline script is the kit's table sorter
    assert "<script src" not in page
    assert [s.strip() for s in re.findall(r"<script>(.*?)</script>", page, re.S)] == [TABLES_JS]
    about = page.split("About this run")[1]
    sha = __import__("hashlib").sha256((data.parent / "accounts.csv").read_bytes()).hexdigest()
    assert sha in about and "2024-02-11" in about and "config" in about
    assert "prepared" not in about and "-build-" not in page  # no staging paths


def test_hostile_names_stay_escaped_in_every_page(built):
    _, out = built
    for page in out.glob("*.html"):
        text = page.read_text()
        assert SCRIPT not in text and "<b>IoT</b>" not in text, page.name
    overview = (out / "01_data_overview.html").read_text()
    assert "&lt;b&gt;IoT&lt;/b&gt;" in overview  # shown, as text


def test_broken_notebook_fails_the_build_and_keeps_published_reports(built, data, notebooks,
                                                                     capsys):
    _, out = built
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    _add_broken(notebooks)
    code = main(["build", "--config", str(data), "--out", str(out), "--notebooks",
                 str(notebooks)])
    (notebooks / "99_broken.ipynb").unlink()
    assert code == 1
    err = capsys.readouterr().err
    assert "FAILED 99_broken: cell 3: ZeroDivisionError: division by zero" in err
    assert "the reports in" in err and "are unchanged" in err
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before  # nothing published, nothing removed
    failed = (out / "_failed" / "99_broken.html").read_text()
    assert "ZeroDivisionError" in failed and "<i>module</i>" not in failed


def test_unknown_notebook_or_parameter_is_refused_before_anything_runs(data, notebooks,
                                                                       tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(["build", "--config", str(data), "--out", str(out), "--only", "nope"])
    assert code == 2 and "not a report notebook: nope" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown parameter.*target_share"):
        build_reports(data, out=out, notebooks=notebooks,
                      parameters={"01_data_overview": {"target_share": 0.5}})
    assert not out.exists() and not list(tmp_path.glob(".reports-build-*"))


def test_data_errors_stop_the_build_and_publish_nothing(tmp_path, notebooks, data):
    shutil.copytree(data.parent, tmp_path / "bad")
    (tmp_path / "bad" / "transactions.csv").write_text(
        TRANSACTIONS + "001,2024-03-01,n/a,Cloud,1,I9\n")
    result = build_reports(tmp_path / "bad" / "kam.toml", out=tmp_path / "reports",
                           notebooks=notebooks, show_progress=False)
    assert not result.ok and "validation failed" in result.errors[0]
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_trainee_build_shows_code(data, notebooks, tmp_path):
    result = build_reports(data, out=tmp_path / "t", notebooks=notebooks,
                           audience="trainee", show_progress=False)
    assert result.ok
    page = (tmp_path / "t" / "01_data_overview.html").read_text()
    assert "open_dataset" in page and SCRIPT not in page
    # solutions shown collapsed, as escaped text, never run; formulas as MathML, no MathJax
    page = (tmp_path / "t" / "10_concentration.html").read_text()
    solutions = re.findall(r"<details class=\"kamkit-solution\"><summary>Solution (10\.\d)",
                           page)
    assert solutions == ["10.1", "10.2", "10.3", "10.4", "10.5"]
    assert 'my_table = practice[["account_id", "revenue"]]' in page
    assert "(cum_share &lt; 0.8)" in page  # code is text, escaped
    # five exercises and three self-checks, none answered
    assert "Correct." not in page and page.count("Not answered yet") == 5 + 3
    assert "<math" in page and "<mfrac>" in page and "$$" not in page and "\\sum" not in page
    assert "mathjax" not in page.lower()


def test_a_reused_kernel_shows_the_next_report_nothing_of_the_last(data, tmp_path):
    """One worker runs both notebooks on one kernel: the second must start clean."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    params = "config = ''  # kam.toml\nprepared = ''  # data folder"
    for name, code in [("a_leaves_state", "leak = 42\nimport pandas\n"
                        "pandas.set_option('display.max_rows', 3)"),
                       ("b_checks_state", "import pandas\nassert 'leak' not in globals()\n"
                        "assert pandas.get_option('display.max_rows') == 60")]:
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(code)])
        nb.metadata.update(kernelspec={"name": "python3", "display_name": "Python 3",
                                       "language": "python"},
                           kamkit={"report": True, "title": name})
        nbformat.write(nb, folder / f"{name}.ipynb")
    result = build_reports(data, out=tmp_path / "out", notebooks=folder, workers=1,
                           audience="trainee", show_progress=False)
    assert result.ok, result.errors
    page = (tmp_path / "out" / "b_checks_state.html").read_text()
    assert "[1]:" in page  # execution counts restart with every notebook


def test_a_notebook_over_the_time_limit_fails_the_build(data, tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    report_notebook(folder / "slow.ipynb", "import time\ntime.sleep(60)", title="S")
    result = build_reports(data, out=tmp_path / "out", notebooks=folder, timeout=2,
                           show_progress=False)
    assert not result.ok and result.errors[0].startswith("slow: ")
    assert "timed out" in result.errors[0].lower() or "time limit" in result.errors[0]


def test_relationships_page_without_events_names_the_stages_it_cannot_see(built):
    """The fixture has no events and no opportunities: the module still builds, says which
    ladder stages and bonds it cannot see, and has no month end to backtest."""
    _, out = built
    page = html.unescape(re.sub(r"<[^>]+>", " ", (out / "15_relationships.html").read_text()))
    page = re.sub(r"\s+", " ", page)
    for stage in ("prospect", "supporter", "advocate", "partner"):
        assert f"Not shown: {stage}," in page
    assert "so the ladder stops at client" in page
    assert "Not shown: the structural bond, which needs events" in page
    assert "The data is too short for a backtest" in page
