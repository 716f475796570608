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
