"""Leadership pages: headline history and movements, the changes page, sortable tables."""

import json
import re

import openpyxl
import pandas as pd
import pytest
from conftest import HOSTILE_NAME

from kamlib.changes import CLASS_COLUMNS, account_changes, check_classes
from kamlib.report import build_reports, safe_table
from kamlib.report.build import MANIFEST
from kamlib.report.changes_page import ASSETS, changes_html
from kamlib.report.history import HISTORY, movement, read_history, with_movements
from kamlib.report.index import index_html
from kamlib.report.leadership import CHANGES, CHANGES_LIST, SNAPSHOT, account_snapshot

# --- which accounts moved: kamlib.changes ---------------------------------------------------


def _classes(rows):
    return pd.DataFrame(rows, columns=CLASS_COLUMNS)


BEFORE = _classes([  # id, window revenue, last 12 months, status, vital few, ABC, XYZ, segment
    ("a", 500.0, 200.0, "active", True, "A", "X", "Champions", False),  # stays as it is
    ("b", 300.0, 120.0, "active", True, "A", "Y", "Loyal", False),   # leaves the vital few
    ("c", 100.0, 60.0, "at risk", False, "B", "Z", "At risk", False),  # stops buying: lost
    ("d", 80.0, 30.0, "active", False, "C", "X", "New", False),      # gone from the data: lost
    ("e", 50.0, 10.0, "lost", False, "C", "Y", "Lost", True),        # buys again: won back
    ("f", 10.0, 0.0, "lost", False, "C", "", "Lost", True),          # was lost, still lost
])
AFTER = _classes([
    ("a", 520.0, 210.0, "active", True, "A", "X", "Champions", False),
    ("b", 200.0, 90.0, "active", False, "B", "Y", "Loyal", False),
    ("c", 100.0, 25.0, "lost", False, "B", "Z", "At risk", True),
    ("e", 90.0, 40.0, "won back", False, "C", "X", "Lost", False),
    ("f", 10.0, 0.0, "lost", False, "C", "Z", "Lost", True),
    ("g", 400.0, 400.0, "new", True, "A", "Z", "New", False),  # new, enters the vital few
])


def test_account_changes_lists_each_kind_of_move_largest_effect_first():
    moved = account_changes(BEFORE, AFTER)
    # effects on yearly revenue, a lost account counting 0 a year: g 400 - 0; c lost:
    # 0 - 60; e won back: 40 - 0 (lost before: 0 a year); b 90 - 120 = -30; d gone: 0 - 30.
    # a moved by 10 but changed no class; f gained an XYZ class (none before): not a move
    assert moved[["account_id", "change", "effect"]].values.tolist() == [
        ["g", "new; entered the vital few", 400.0],
        ["c", "lost", -60.0],
        ["e", "won back; XYZ Y → X", 40.0],
        ["b", "left the vital few; ABC A → B", -30.0],
        ["d", "lost", -30.0],
    ]
    d = moved.set_index("account_id").loc["d"]
    assert (d["revenue_l12m_before"], d["revenue_l12m_after"], d["abc_before"],
            d["abc_after"]) == (30.0, 0.0, "C", "")


def test_account_changes_ties_by_account_id_and_nothing_moved_gives_no_rows():
    before = _classes([("z", 10.0, 10.0, "active", False, "C", "X", "New", False),
                       ("y", 10.0, 10.0, "active", False, "C", "X", "New", False)])
    after = before.assign(segment="Loyal", revenue_l12m=[20.0, 0.0])
    assert account_changes(before, after)["account_id"].tolist() == ["y", "z"]
    assert account_changes(before, before).empty
    assert list(account_changes(before, before).columns)[:3] == ["account_id", "change",
                                                                  "effect"]


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"account_id": ["a"]}), "missing column"),
    (BEFORE.assign(revenue="lots"), "revenue is not numeric"),
    (BEFORE.assign(lost="no"), "lost is not true/false"),
    (pd.concat([BEFORE, BEFORE.head(1)]), "appears twice"),
])
def test_a_bad_snapshot_is_refused_with_what_is_off(frame, message):
    with pytest.raises(ValueError, match=message):
        check_classes(frame)


def test_classes_that_cannot_be_computed_are_a_note_not_a_failed_build():
    classes, problem = account_snapshot(object())  # no cube, no config: nothing to classify
    assert classes is None and problem.startswith(
        "account classes could not be computed for this data (AttributeError: ")


# --- headline history and movements ---------------------------------------------------------

def test_history_reader_keeps_build_records_and_drops_the_rest():
    good = {"built": "2025-01-01T00:00:00+00:00", "as_of": "2024-12-31", "figures": [
        {"module": "m", "key": "k", "value": 1, "text": "1", "label": "x", "fmt": "{:,}"},
        {"module": "m", "key": "bad", "value": {"a": 1}, "text": "1", "label": "x"},
        {"module": "m", "key": 3, "value": 1, "text": "1", "label": "x"}]}
    text = "\n".join([json.dumps(good), "{oops", json.dumps([1]),
                      json.dumps({"built": 1, "figures": []}), ""])
    entries = read_history(text)
    assert len(entries) == 1 and [f["key"] for f in entries[0]["figures"]] == ["k"]


@pytest.mark.parametrize("now, then, expected", [
    ({"value": 385.0, "text": "385", "fmt": "{:,.0f}"}, {"value": 250.0, "text": "250"},
     ("250", "up", "▲", "+135")),
    ({"value": 0.5, "text": "50.0%", "fmt": "{:.1%}"}, {"value": 2 / 3, "text": "66.7%"},
     ("66.7%", "down", "▼", "-16.7 pts")),
    ({"value": 1200, "text": "1,200", "fmt": "{:,}"}, {"value": 1200, "text": "1,200"},
     ("1,200", "same", "=", "")),
    ({"value": 0.329, "text": "0.33", "fmt": "{:.2f}"}, {"value": 0.2308, "text": "0.23"},
     ("0.23", "up", "▲", "+0.10")),
    # a format that reaches into the value is never used: a plain number instead
    ({"value": 5.0, "text": "5", "fmt": "{0.__class__}"}, {"value": 2.0, "text": "2"},
     ("2", "up", "▲", "+3")),
    ({"value": "EUR", "text": "EUR", "fmt": "{}"}, {"value": "USD", "text": "USD"},
     ("USD", "changed", "≠", "")),
])
def test_movement_in_the_figures_own_format(now, then, expected):
    m = movement(now, then)
    assert (m["then"], m["direction"], m["arrow"], m["delta"]) == expected


def test_index_shows_movements_escaped_and_says_when_there_is_no_earlier_build():
    modules = [{"name": "m", "title": "M", "html": "m.html", "headlines": [
        {"key": "lost_accounts", "value": 12, "text": "12", "label": "<i>accounts</i>",
         "fmt": "{:,}"},
        {"key": "new", "value": 1, "text": "1", "label": "new one", "fmt": "{:,}"}]}]
    previous = {"built": "2025-01-01 00:00 UTC", "as_of": "<2024>", "figures": [
        {"module": "m", "key": "lost_accounts", "value": 10, "text": "<b>10</b>", "label": "x"}]}
    page = index_html(with_movements(modules, previous), {}, "leadership", history=True,
                      previous=previous, changes={"html": "changes.html", "count": 3})
    text = re.sub(r"\s+", " ", page)
    assert "then &lt;b&gt;10&lt;/b&gt; &rarr; now 12" in text and "&lt;2024&gt;" in text
    # two more lost accounts: up, and worse, said in colour, an arrow and a word
    assert ('<span class="move worse"><span class="arrow" aria-hidden="true">▲</span> +2 '
            '(worse)</span>') in text and "new figure" in text
    assert '<a href="changes.html">Which accounts moved since the last build (3)</a>' in text
    assert "<i>accounts" not in page and "No earlier build" not in page
    first = index_html(with_movements(modules, None), {}, "leadership", history=True,
                       changes={"html": "changes.html", "count": None})
    assert "No earlier build to compare with" in first and "then " not in first


def test_changes_page_escapes_names_and_sorts_on_raw_numbers():
    moved = account_changes(BEFORE, AFTER)
    names = {"g": HOSTILE_NAME, "b": "=HYPERLINK(\"http://x\")", "d": "A&B <i>Ltd</i>"}
    page = changes_html(moved, names, {"built": "now", "as_of": "2025"},
                        {"built": "then", "as_of": "2024"}, currency="EUR",
                        managers={"c": "<b>Ann</b>"}, plans={"g": "plans/g.html"})
    body = page.split("<body>")[1].split("<script>")[0]
    assert HOSTILE_NAME not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "A&amp;B &lt;i&gt;Ltd&lt;/i&gt;" in body and "<i>Ltd" not in page
    assert "&lt;b&gt;Ann&lt;/b&gt;" in body and '<a href="plans/g.html">plan</a>' in body
    assert '<td class="num gain" data-sort="400.0">+400</td>' in body
    assert '<table class="kamkit-table">' in body
    assert "<b>+320</b>" in body  # 400 - 60 + 40 - 30 - 30
    first = changes_html(None, {}, {"built": "now", "as_of": "2025"}, None)
    assert "No earlier build to compare with" in first and "<table" not in first


# --- sortable, searchable tables --------------------------------------------------------------

def test_safe_tables_are_marked_for_the_table_script_and_stay_escaped():
    html = safe_table(pd.DataFrame({"name": [HOSTILE_NAME], "n": [1]})).to_html()
    assert 'class="kamkit-table"' in html and HOSTILE_NAME not in html
    styled = pd.DataFrame({"a": [1]}).style.set_table_attributes('data-x="1"')
    assert 'data-x="1" class="kamkit-table"' in safe_table(styled).to_html()


def test_table_script_never_writes_markup():
    script = re.sub(r"/\*.*?\*/", "", (ASSETS / "tables.js").read_text(), flags=re.S)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "Function(", "http:", "https:", "</script"):
        assert sink not in script, sink
    assert "textContent" in script


# --- two builds on known data: the movers against a hand-made list ------------------------------


@pytest.mark.slow
def test_first_build_has_no_earlier_build_to_compare_with(site_twice):
    _, _, (index1, changes1) = site_twice
    assert "No earlier build to compare with" in index1 and 'class="change' not in index1
    assert "No earlier build to compare with" in changes1 and "<table" not in changes1
    assert '<a href="changes.html">' in index1


@pytest.mark.slow
def test_second_build_shows_hand_computed_movements(site_twice):
    out, _, _ = site_twice
    text = re.sub(r"\s+", " ", (out / "index.html").read_text())
    # revenue in the last 12 months: to 2024-02-11 190 + 70 - 10 = 250, to 2024-02-15
    # 190 + 5 - 10 + 200 = 385 (the same 12-month period at each as-of date)
    assert ('then 250 &rarr; now 385 <span class="move better"><span class="arrow" '
            'aria-hidden="true">▲</span> +135 (better)</span>') in text
    # the whole-window figures (revenue over the window, vital few, Gini, A class) are never
    # a movement: their windows differ in length
    assert "then 66.7%" not in text and "then 0.23" not in text and "then 104.0%" not in text
    assert text.count("not compared: a whole-window total") >= 8
    assert ('then 4 &rarr; now 4 <span class="move same"><span class="arrow" '
            'aria-hidden="true">=</span> unchanged</span>') in text
    assert "Which accounts moved since the last build (2)" in text
    # no movement on the index compares figures over periods of different length
    previous, now = [read_history(line)[0] for line in
                     (out / HISTORY).read_text().splitlines(keepends=True)]
    periods = {(f["module"], f["key"]): f.get("period", "") for f in previous["figures"]}
    moved = re.findall(r'<span class="label">([^<]*)</span> <span class="change (?:up|down|same)',
                       text)
    assert moved and all("whole window" not in label for label in moved)
    for f in now["figures"]:
        if f.get("period") == "whole window":
            assert periods[(f["module"], f["key"])] == "whole window"


@pytest.mark.slow
def test_second_build_lists_the_hand_made_movers(site_twice):
    out, _, _ = site_twice
    # 004 is new (200 in the last 12 months: 52% of 385, vital few). 002's last purchase is 26
    # days before the new as-of day (22 before): lost after lost_after_days = 25, so its
    # effect is minus its 70 of the 12 months to the previous as-of day (not 5 - 70). After
    # 004 and 001 (98.7%) it is outside the vital few and past 95%: A -> C. RFM
    # (score = floor((average rank - 0.5) x 5 / accounts) + 1, worst first): R 3 -> 2 (rank 2
    # of 3: floor(2.5) + 1; rank 2 of 4: floor(1.875) + 1); F 2 both times (one invoice, tied
    # with 003 (and 004): average rank 1.5 of 3, 2 of 4); M 3 -> 2 (70 rank 2 of 3, 5 rank 2
    # of 4); FM (2+3+1)//2 = 3 -> (2+2+1)//2 = 2: "Middle recency, mid to high value" ->
    # "Less recent, low value". 001 and 003 keep every class. On the page the lost come
    # first, then the new.
    lost = ["002", "lost; left the vital few; ABC A → C; segment Middle recency, mid to high "
                   "value → Less recent, low value", -70.0]
    new = ["004", "new; entered the vital few", 200.0]
    page = (out / CHANGES).read_text()
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>\s*<td>(.*?)</td>", page)
    assert [[i, c] for _, i, _, c in cells] == [lost[:2], new[:2]]
    assert cells[1][0] == "Delta &lt;img src=x onerror=alert(2)&gt;" and "<img" not in page
    flat = re.sub(r"\s+", " ", page)
    assert '<td>lost</td><td class="num" data-sort="1">1</td>' in flat
    assert '<td>new accounts</td><td class="num" data-sort="1">1</td>' in flat
    assert '<td class="num loss" data-sort="-70.0">-70</td>' in flat and "<b>+130</b>" in flat
    sheet = openpyxl.load_workbook(out / CHANGES_LIST).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    head = rows[0]
    picked = [[r[head.index(c)] for c in ("account_id", "account_name", "change", "effect")]
              for r in rows[1:]]
    assert picked == [["004", "Delta <img src=x onerror=alert(2)>", *new[1:]],
                      ["002", "'=HYPERLINK(\"http://x\",\"y\")", *lost[1:]]]


@pytest.mark.slow
def test_history_and_snapshot_hold_figures_and_classes_only(site_twice):
    out, results, _ = site_twice
    lines = (out / HISTORY).read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["as_of"] for e in entries] == ["2024-02-11", "2024-02-15"]
    keys = {k for e in entries for f in e["figures"] for k in f}
    assert keys == {"module", "key", "value", "text", "label", "fmt", "period"}
    assert [f["value"] for f in entries[1]["figures"]] == \
        [h["value"] for o in results[1].outcomes for h in o.headlines]
    text = (out / HISTORY).read_text()
    assert "Alpha" not in text and "HYPERLINK" not in text and "Gamma" not in text
    snapshot = pd.read_parquet(out / SNAPSHOT)
    assert list(snapshot.columns) == CLASS_COLUMNS
    assert snapshot["account_id"].tolist() == ["001", "002", "003", "004"]
    files = json.loads((out / MANIFEST).read_text())["files"]
    assert {HISTORY, SNAPSHOT, CHANGES, CHANGES_LIST} <= set(files)


@pytest.mark.slow
def test_a_changed_history_is_not_the_kits_and_is_not_overwritten(site_twice):
    out, _, _ = site_twice
    history = out / HISTORY
    kept = history.read_bytes()
    try:
        history.write_bytes(kept + b'{"built": "forged", "figures": []}\n')
        with pytest.raises(ValueError, match="would overwrite 1 file.*kamkit-history.jsonl"):
            build_reports(out.parent / "data" / "kam.toml", out=out,
                          notebooks=out.parent / "notebooks", show_progress=False)
    finally:
        history.write_bytes(kept)


def test_movements_only_between_equal_periods_at_two_as_of_dates():
    """Two builds at different as-of dates: a whole-window total never moves, a
    last-12-months figure moves against the previous build's last 12 months, a figure
    whose period changed (an older kit's whole-window figure under the same key) does not."""
    previous = {"built": "b1", "as_of": "2025-09-30", "figures": [
        {"module": "m", "key": "total", "value": 444.0, "text": "444", "label": "x",
         "fmt": "{:,.0f}", "period": "whole window"},
        {"module": "m", "key": "l12m", "value": 160.0, "text": "160", "label": "x",
         "fmt": "{:,.0f}", "period": "last 12 months"},
        {"module": "m", "key": "risk_revenue", "value": 44.0, "text": "44", "label": "x",
         "fmt": "{:,.0f}"},
        {"module": "m", "key": "lost", "value": 158, "text": "158", "label": "x", "fmt": "{:,}"}]}
    now = [{"name": "m", "title": "M", "html": "m.html", "headlines": [
        {"key": "total", "value": 498.0, "text": "498", "label": "t", "fmt": "{:,.0f}",
         "period": "whole window"},
        {"key": "l12m", "value": 175.0, "text": "175", "label": "l", "fmt": "{:,.0f}",
         "period": "last 12 months"},
        {"key": "risk_revenue", "value": 2.0, "text": "2", "label": "r", "fmt": "{:,.0f}",
         "period": "last 12 months"},
        {"key": "lost", "value": 161, "text": "161", "label": "c", "fmt": "{:,}"}]}]
    heads = {h["key"]: h for h in with_movements(now, previous)[0]["headlines"]}
    assert heads["total"]["change"] is None and "whole-window" in \
        heads["total"]["not_compared"]
    assert heads["l12m"]["change"]["delta"] == "+15"
    assert heads["risk_revenue"]["change"] is None and "another period" in \
        heads["risk_revenue"]["not_compared"]
    assert heads["lost"]["change"]["delta"] == "+3"
    page = re.sub(r"\s+", " ", index_html(with_movements(now, previous), {}, "leadership",
                                          history=True, previous=previous))
    assert "then 444" not in page and "then 44 " not in page and "then 160 &rarr; now 175" in page
