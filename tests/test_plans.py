"""Account plans (issue 14): ``kam plans``, the plan page, its index and calendars."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import report_notebook

from kamlib._written import plain_name
from kamlib.cli import main
from kamlib.planning import plan_page
from kamlib.report.plans_index import plans_index_html, safe_names

DATA = Path(__file__).resolve().parents[1] / "data"
HOSTILE = "A<b>&/../1"  # an account id with markup, a path and an entity


@pytest.mark.parametrize("ids", [
    ["a/1", "a:1", "a\\1", "a 1"],          # clean to the same stem
    ["index", "INDEX", "Index"],             # the index page's name, in any case
    ["ACC", "acc", "..", ".hidden", ""],     # case-folding file systems, dots, empty
    ["x" * 300, "x" * 301],                  # too long for a file name, same prefix
])
def test_plan_file_names_are_plain_and_unique(ids):
    stems = safe_names(ids)
    assert len(stems) == len(ids)
    lowered = [s.lower() for s in stems.values()]
    assert len(set(lowered)) == len(ids)
    assert all(plain_name(f"{s}.html") and len(s) < 80 and s.lower() != "index"
               for s in stems.values())


def test_page_escapes_every_text_from_data():
    evil = "<script>alert(1)</script>"
    frames = {
        "info": pd.DataFrame({"account_id": [evil], "account_name": [evil], "industry": [evil],
                              "revenue": [10.0]}),
        "status": pd.DataFrame({"account_id": [evil], "status": ["active"], "reasons": [evil],
                                "warnings": [""], "revenue_l12m": [1.0],
                                "revenue_p12m": [1.0], "profit_l12m": [float("nan")]}),
        "notes": pd.DataFrame({"account_id": [evil], "ifa": ["Imagine"], "section": [evil],
                               "text": [evil], "written": [True]}),
        "products": pd.DataFrame({"account_id": [evil], "product": [evil], "revenue": [1.0]}),
        "schedule": pd.DataFrame({"date": pd.to_datetime(["2026-01-05"]),
                                  "kind": ["routine contact"], "account_manager": [evil]}),
        "risks": pd.DataFrame({"account_id": [evil], "risk": [evil], "evidence": [evil]}),
        "rules": pd.DataFrame({"topic": [evil], "rule": [evil]}),
    }
    html = plan_page.plan(frames, evil, [evil])
    assert "<script" not in html and html.count("&lt;script&gt;") >= 10
    rows = [{"account_id": evil, "account_name": evil, "account_manager": evil,
             "quadrant": evil, "figures": [], "html": None, "error": evil}]
    index = plans_index_html(rows, as_of="2025-12-31", currency=evil,
                             calendars=[{"manager": evil, "file": "x.ics"}], notices=[evil])
    assert "<script>alert" not in index and "FAILED: &lt;script&gt;" in index


def test_page_shows_the_figures_it_is_given():
    frames = {"info": pd.DataFrame({"account_id": ["a"], "account_name": ["Bank A"],
                                    "revenue": [1234567.4]}),
              "status": pd.DataFrame({"account_id": ["a"], "status": ["active"],
                                      "reasons": [""], "warnings": [""],
                                      "revenue_l12m": [1234567.4], "revenue_p12m": [1e6],
                                      "profit_l12m": [61728.37]}),
              "matrix": pd.DataFrame({"account_id": ["a"], "rank": [3], "share": [0.125],
                                      "need": [7.25], "need_source": ["proxy"], "revenue": [1234567.4],
                                      "quadrant": ["key account"], "key_account": [True]})}
    html = plan_page.plan(frames, "a", [], "EUR")
    assert "1,234,567 EUR" in html and "1,000,000 EUR (+23%)" in html
    assert "61,728 (5.0% of revenue)" in html
    assert "Rank 3 by revenue over the whole data (1,234,567, 12.5% of the total)" in html
    assert "need 7.2 of 10 (estimated from purchases)" in html and "a key account" in html
    assert "Status: active</span> &ndash; bought within its rhythm" in html


def _ics_events(path: Path) -> list:
    from icalendar import Calendar

    return [c for c in Calendar.from_ical(path.read_bytes()).walk() if c.name == "VEVENT"]


@pytest.mark.slow
def test_kam_plans_top_5_writes_plans_index_calendars_and_template(tmp_path, capsys):
    from kamlib import open_dataset
    from kamlib.concentration import account_totals

    out, template = tmp_path / "plans", tmp_path / "notes.xlsx"
    assert main(["plans", "--top", "5", "--out", str(out), "--template", str(template)]) == 0
    plans = sorted(p for p in out.glob("*.html") if p.name != "index.html")
    assert len(plans) == 5
    index = (out / "index.html").read_text(encoding="utf-8")
    for p in plans:
        assert f'href="{p.name}"' in index
    ds = open_dataset()
    totals = account_totals(ds.cube.account_month).sort_values("revenue", ascending=False)
    top = totals.iloc[0]
    html = (out / f"{top['account_id']}.html").read_text(encoding="utf-8")
    # no code for leadership: no input cells, no source of the notebook
    assert "load_portfolio" not in html and "from kamlib" not in html
    assert "hl-ipython3" not in html and "jp-InputPrompt\">" not in html  # no code cell input
    assert f"{top['revenue']:,.0f}" in html  # its revenue from the cube, as on the page
    assert f"{top['revenue']:,.0f}" in index
    # the calendars parse back; every event is one of the planned accounts' contacts
    calendars = sorted(out.glob("*.ics"))
    assert calendars
    events = [e for c in calendars for e in _ics_events(c)]
    assert events and all(e.get("DTSTART") for e in events)
    names = set(ds.accounts.set_index("account_id").loc[[p.stem for p in plans],
                                                        "account_name"])
    assert all(any(n in str(e.get("SUMMARY")) for n in names) for e in events)
    # the notes template: every section of the 5 accounts; rewritten, never a foreign file
    notes = pd.read_excel(template, dtype=str)
    assert set(notes["account_id"]) == {p.stem for p in plans}
    assert main(["plans", "--top", "5", "--out", str(out), "--template", str(template)]) == 0
    foreign = tmp_path / "mine.xlsx"
    foreign.write_bytes(b"the analyst's own workbook")
    capsys.readouterr()
    assert main(["plans", "--top", "1", "--out", str(out), "--template", str(foreign)]) == 2
    assert "mine.xlsx" in capsys.readouterr().err
    assert foreign.read_bytes() == b"the analyst's own workbook"
    # a second run with fewer plans removes the plans it wrote before, nothing else
    (out / "notes.txt").write_text("mine")
    assert main(["plans", "--top", "2", "--out", str(out)]) == 0
    assert len([p for p in out.glob("*.html") if p.name != "index.html"]) == 2
    assert (out / "notes.txt").read_text() == "mine"
    record = json.loads((out / ".kamkit-plans.json").read_text())
    assert "notes.txt" not in record["files"]


@pytest.mark.slow
def test_hostile_ids_stay_escaped_and_one_failure_keeps_the_other_plans(tmp_path):
    from kamlib.report.plans import build_plans

    data = tmp_path / "data"
    data.mkdir()
    for csv in DATA.glob("*.csv"):  # account 000001 gets a hostile id and name
        text = csv.read_text(encoding="utf-8").replace("000001", HOSTILE)
        if csv.name == "accounts.csv":
            text = re.sub(r"(A<b>&/\.\./1,)[^,]*", r"\1<script>alert(1)</script>", text)
        (data / csv.name).write_text(text, encoding="utf-8")
    (data / "kam.toml").write_text('[source]\nfolder = "."\n')
    out = tmp_path / "plans"
    result = build_plans(data / "kam.toml", out=out, accounts=[HOSTILE, "000002", "000003"],
                         parameters={"000002": {"portfolio": str(tmp_path / "nowhere")}},
                         show_progress=False)
    assert not result.ok and list(result.failed) == ["000002"]
    assert "000002" in result.failed["000002"]  # the message names the account's page
    assert set(result.plans) == {HOSTILE, "000003"}
    stem = safe_names([HOSTILE])[HOSTILE]
    assert plain_name(f"{stem}.html") and (out / f"{stem}.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    plan = (out / f"{stem}.html").read_text(encoding="utf-8")
    for text in (index, plan):
        assert "<script>alert" not in text and "<b>&" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "FAILED" in index and not (out / "000002.html").exists()
    assert (out / "000003.html").is_file()
    shutil.rmtree(data)


@pytest.mark.slow
def test_kam_build_plans_links_the_plans_index(tmp_path, monkeypatch):
    import kamlib.planning.portfolio as portfolio

    pick = portfolio.select_accounts
    monkeypatch.setattr(portfolio, "select_accounts",  # 3 of the key accounts: quick
                        lambda frames, **kw: pick(frames, **kw)[:3])
    out = tmp_path / "site"
    assert main(["build", "--only", "01_data_overview", "--plans", "--out", str(out)]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="plans/index.html"' in index
    assert len([p for p in (out / "plans").glob("*.html") if p.name != "index.html"]) == 3
    # a rebuild without --plans keeps its own pages and leaves the plans folder alone
    assert main(["build", "--only", "01_data_overview", "--out", str(out)]) == 0
    assert (out / "plans" / "index.html").is_file()


def _plans_folder(folder: Path, fail_for: str | None) -> Path:
    """A tiny report notebook and a plan notebook that fails for ``fail_for``."""
    import nbformat

    from kamlib.report.plans import PLAN_NOTEBOOK

    (folder / "plans").mkdir(parents=True, exist_ok=True)
    report_notebook(folder / "01_tiny.ipynb", nbformat.v4.new_markdown_cell("# Tiny"),
                    title="Tiny")
    plan = nbformat.read(PLAN_NOTEBOOK, as_version=4)
    if fail_for:
        plan.cells.insert(2, nbformat.v4.new_code_cell(
            f"if account_id == {fail_for!r}:\n    raise RuntimeError('no plan for ' + account_id)"))
    nbformat.write(plan, folder / "plans" / "account_plan.ipynb")
    return folder


def _key_rows(index: str) -> list[str]:
    section = index.split('class="key-accounts"')[1].split("</section>")[0]
    return re.findall(r"<tr><td>([^<]*)</td>", section)


@pytest.mark.slow
def test_kam_build_renders_a_failed_plan_and_publishes_the_others(tmp_path):
    from kamlib.report import build_reports

    # [plans] top = 3: the three largest accounts of the sample, 001334, 000127 and 001447
    toml = tmp_path / "kam.toml"
    toml.write_text(f'[source]\nfolder = "{DATA.as_posix()}"\n\n[plans]\ntop = 3\n')
    folder, out = _plans_folder(tmp_path / "notebooks", "000127"), tmp_path / "site"
    result = build_reports(toml, out=out, notebooks=folder, show_progress=False)
    assert result.published and not result.ok
    assert len(result.errors) == 1
    assert "000127" in result.errors[0] and "RuntimeError: no plan for 000127" in result.errors[0]
    plans = out / "plans"
    assert sorted(p.name for p in plans.glob("*.html")) == ["001334.html", "001447.html",
                                                           "index.html"]
    failed = (plans / "_failed" / "000127.html").read_text(encoding="utf-8")
    assert "no plan for 000127" in failed
    assert 'href="_failed/000127.html">FAILED</a>' in (plans / "index.html").read_text()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert _key_rows(index) == ["001334", "000127", "001447"]  # largest first
    for link in ("plans/001334.html", "plans/_failed/000127.html", "plans/001447.html",
                 "plans/index.html"):
        assert f'href="{link}"' in index
    assert 'class="kamkit-table"' in index and "The plan of account 000127 failed" in index
    # the cap ([plans] top) left 169 of the sample's 172 key accounts without a plan: said
    # on both indexes, with how to write more
    for page in (index, (plans / "index.html").read_text(encoding="utf-8")):
        assert "Plans are written for the 3 largest of the 172 key accounts" in page
        assert "your analyst can write a plan for every key account" in page

    # --only: the plans are not rebuilt; the index keeps their table and links
    assert build_reports(toml, out=out, notebooks=folder, only=["01_tiny"],
                         show_progress=False).ok
    index = (out / "index.html").read_text(encoding="utf-8")
    assert _key_rows(index) == ["001334", "000127", "001447"]
    assert 'href="plans/_failed/000127.html"' in index
    assert (plans / "_failed" / "000127.html").is_file()

    # the plan works again: its failure page goes, its plan comes
    _plans_folder(folder, None)
    result = build_reports(toml, out=out, notebooks=folder, show_progress=False)
    assert result.ok and result.published
    assert not (plans / "_failed").exists() and (plans / "000127.html").is_file()
    assert 'href="plans/000127.html"' in (out / "index.html").read_text(encoding="utf-8")

    # --no-plans: the index has no plans and no table; the plans folder stays as it was
    assert build_reports(toml, out=out, notebooks=folder, plans=False,
                         show_progress=False).ok
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<section class="key-accounts"' not in index and "plans/index.html" not in index
    assert (plans / "000127.html").is_file()


@pytest.mark.parametrize("argv, plans", [([], None), (["--plans"], True),
                                         (["--no-plans"], False)])
def test_kam_build_plans_switch(argv, plans):
    from kamlib.cli import _parser

    assert _parser().parse_args(["build", *argv]).plans is plans


def test_kam_plans_all_and_top_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["plans", "--all", "--top", "3"])
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_a_build_plans_the_largest_key_accounts_up_to_the_cap():
    from kamlib.planning.portfolio import select_accounts

    matrix = pd.DataFrame({"account_id": list("abcdef"),  # ranked by value, largest first
                           "key_account": [False, True, True, False, True, True]})
    frames = {"matrix": matrix}
    assert select_accounts(frames, limit=3) == ["b", "c", "e"]  # key accounts only
    assert select_accounts(frames, limit=10) == ["b", "c", "e", "f"]  # fewer than the cap
    assert select_accounts(frames) == ["b", "c", "e", "f"]  # --all
    assert select_accounts(frames, top=2, limit=1) == ["a", "b"]  # --top: any account


def test_a_plan_reads_the_same_rows_from_memory_or_from_the_file(tmp_path, monkeypatch):
    """A kernel keeps a small portfolio's frames in memory between plans: every account's
    rows equal a filtered Parquet read, a rewritten file is read again, and a file over the
    bound is never kept (a kernel's memory stays flat on a large portfolio)."""
    import kamlib.planning.portfolio as P
    from kamlib import open_dataset
    from kamlib.report.plans_portfolio import portfolio_for

    ds = open_dataset()
    folder = P.save_portfolio(portfolio_for(ds, ds.config), tmp_path / "portfolio")
    ids = P.select_accounts(P.load_portfolio(folder)[0], top=5) + ["no-such-account"]
    monkeypatch.setattr(P, "KEEP_BELOW", 0)  # nothing kept: every frame from its file
    read = {a: P.load_portfolio(folder, a)[0] for a in ids}
    monkeypatch.setattr(P, "KEEP_BELOW", 10**9)
    monkeypatch.setattr(P, "KEEP_AT_MOST", 10**10)
    for a in ids:
        kept = P.load_portfolio(folder, a)[0]
        assert kept.keys() == read[a].keys()
        for name in kept:
            pd.testing.assert_frame_equal(kept[name], read[a][name], check_exact=True)
    assert len(P._kept) == len(list(folder.glob("*.parquet")))
    info = pd.read_parquet(folder / "info.parquet")
    info.assign(account_name="renamed").to_parquet(folder / "info.parquet", index=False)
    assert set(P.load_portfolio(folder, ids[0])[0]["info"]["account_name"]) == {"renamed"}
    monkeypatch.setattr(P, "KEEP_AT_MOST", 0)
    P._kept.clear()
    P.load_portfolio(folder, ids[0])
    assert not P._kept
