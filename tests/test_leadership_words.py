"""Leadership pages speak a director's language: headers in words, not code names."""

import re

import pandas as pd

from kamlib.report import safe_table
from kamlib.report.labels import column_label, is_code_name

CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
TAG = re.compile(r"<[^>]+>")


def headers(page: str) -> set[str]:
    return {TAG.sub("", h).strip() for h in CELL.findall(page)}


def test_labels_by_hand():
    assert column_label("revenue_l12m") == "Revenue, last 12 months"
    assert column_label("n_accounts") == "Number of accounts"
    assert column_label("cts_visit") == "Cost to serve visit"
    assert column_label("revenue") == "revenue" and column_label(3) == "3"


def test_every_code_name_becomes_words():
    names = ["account_id", "cum_share", "peak_accounts", "avg_deal_size", "size_band", "x_1"]
    shown = headers(safe_table(pd.DataFrame({n: [1] for n in names})).to_html())
    assert shown and not any(is_code_name(h) for h in shown), shown


def test_no_built_page_has_a_code_name_header(site_twice):
    out, _, _ = site_twice
    for page in sorted(out.glob("*.html")):
        found = {h for h in headers(page.read_text(encoding="utf-8")) if is_code_name(h)}
        assert not found, f"{page.name}: {sorted(found)}"


# what a director never reads outside "How this was computed": settings, commands, code values
SETTINGS = re.compile(r"kam\.toml|\[(analysis|plans|tables|source|format|relationships|retention)"
                      r"[\].]")
COMMANDS = re.compile(r"\bkam (build|plans|validate|sample|course)\b|\bkamlib\.|\bmake "
                      r"(report|test|lab)\b")
PYTHON = re.compile(r"(?<![\w-])(True|False|None|NaN|nan)(?![\w-])|'[^'\s]+'")
# a file offered for download keeps its name (vital_few.csv): a name, not code
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.(?:csv|xlsx|html|ics|pdf)\b)")
MODULE = re.compile(r"\bmodule (\d+)", re.I)


def reader_text(page: str) -> str:
    """The words a leadership page shows, less its collapsed "How this was computed"."""
    page = re.sub(r"<details class=.kamkit-how.*?</details>", " ", page, flags=re.S)
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    import html as h

    return re.sub(r"\s+", " ", h.unescape(TAG.sub(" ", page)))


def test_reader_text_catches_each_kind():
    words = reader_text("<p>set in kam.toml, run kam plans, value False, 'x1', cum_share"
                        "</p><details class='kamkit-how'><summary>s</summary>kam.toml</details>")
    assert SETTINGS.findall(words) and COMMANDS.findall(words) and PYTHON.findall(words)
    assert SNAKE.findall(words) == ["cum_share"] and words.count("kam.toml") == 1
    assert SNAKE.findall("all in vital_few.csv; vital_few") == ["vital_few"]


def test_leadership_pages_speak_a_directors_language(site_twice):
    from kamlib.report.build import NOTEBOOKS

    out, _, _ = site_twice
    known = {int(p.name[:2]) for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    for page in sorted(out.glob("*.html")):
        words = reader_text(page.read_text(encoding="utf-8"))
        found = {"settings": SETTINGS.findall(words), "commands": COMMANDS.findall(words),
                 "python values": PYTHON.findall(words), "code names": SNAKE.findall(words),
                 "missing modules": [m for m in MODULE.findall(words) if int(m) not in known]}
        assert not any(found.values()), (page.name, {k: v for k, v in found.items() if v})
