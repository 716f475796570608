"""Each headline figure's meaning, declared once: movements coloured by it on every page, and
money on the index's cards compact with the exact value on hover."""

import html
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.brief import compact
from kamlib.report.build import MANIFEST
from kamlib.report.history import with_movements
from kamlib.report.index import index_html
from kamlib.report.measures import MEASURES, cue, meaning, measure

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def significant(number: str) -> int:
    """Significant digits of a shown number: "498.5" 4, "174,951,535" 9, "1,500" 2."""
    digits = re.sub(r"\D", "", number.split(".")[0]) + (
        number.split(".")[1] if "." in number else "")
    digits = digits.lstrip("0")
    return len(digits if "." in number else digits.rstrip("0")) or 1


def test_significant_digits_by_hand():
    assert [significant(t) for t in ("498.5", "174,951,535", "1,500", "0.82", "12.35",
                                     "1.0")] == [4, 9, 2, 2, 4, 2]


def test_meaning_by_hand():
    # "+8 accounts at risk" is worse, "+54 M revenue" better, a count of accounts neither
    assert meaning(8, measure("at_risk_accounts").better) == "worse"
    assert meaning(54e6, measure("revenue_l12m").better) == "better"
    assert meaning(-100, measure("accounts").better) == "neutral"
    assert meaning(0, "down") == "same" and meaning(float("nan"), "up") == "neutral"
    assert meaning(3, None) == "neutral"  # undeclared: never coloured as good or bad
    assert cue(8, "down") == {"meaning": "worse", "arrow": "▲", "word": "worse"}
    assert cue(-0.05, "up") == {"meaning": "worse", "arrow": "▼", "word": "worse"}
    assert cue(0, "up") == {"meaning": "same", "arrow": "=", "word": ""}


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != 0))
def test_up_and_down_always_read_a_movement_the_opposite_way(change):
    assert {meaning(change, "up"), meaning(change, "down")} == {"better", "worse"}
    assert meaning(change, "up") == meaning(-change, "down")
    assert meaning(change, "neutral") == "neutral"
    assert cue(change, "up")["arrow"] == ("▲" if change > 0 else "▼")


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-9.9e10, max_value=9.9e10))
def test_compact_amounts_never_show_more_than_four_digits_and_stay_close(value):
    text = compact(value)
    number, _, suffix = text.partition("\u00a0")
    assert significant(number) <= 4, text
    scale = {"": 1, "k": 1e3, "M": 1e6, "bn": 1e9}[suffix]
    digits = len(number.split(".")[1]) if "." in number else 0
    assert abs(float(number.replace(",", "")) * scale - value) <= 0.5 * 10 ** -digits * scale


def test_every_declaration_says_which_way_and_why():
    for key, m in MEASURES.items():
        assert m.better in ("up", "down", "neutral"), key
        assert len(m.why) > 10 and "_" not in m.why, key
    # the brief's own totals are declared here too: one colour for a figure on every page
    assert {"revenue_l12m", "profit_l12m", "margin_l12m"} <= set(MEASURES)


def _keys_in_notebooks() -> set[str]:
    keys = set()
    for path in NOTEBOOKS.glob("[0-9]*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            keys |= set(re.findall(r"headline\(\s*\"([a-z0-9_]+)\"", source))
    return keys


def test_every_headline_a_notebook_records_is_declared_even_in_branches_not_taken():
    keys = _keys_in_notebooks()
    assert len(keys) >= 25  # the literal keys; the status counts are checked on the build
    assert not [k for k in sorted(keys) if measure(k) is None]


def test_cards_show_money_compact_exact_on_hover_and_movements_by_meaning():
    modules = [{"name": "m", "title": "M", "html": "m.html", "headlines": [
        {"key": "revenue_l12m", "value": 498_475_813.0, "text": "498,475,813",
         "label": "EUR revenue", "fmt": "{:,.0f}", "period": "last 12 months"},
        {"key": "at_risk_accounts", "value": 58, "text": "58", "label": "at risk",
         "fmt": "{:,}"},
        {"key": "accounts", "value": 1400, "text": "1,400", "label": "accounts", "fmt": "{:,}"},
        {"key": "gini", "value": 0.5, "text": "0.50", "label": "Gini", "fmt": "{:.2f}"}]}]
    previous = {"built": "2025-01-01 00:00 UTC", "as_of": "2024-12-31", "figures": [
        {"module": "m", "key": "revenue_l12m", "value": 444_475_813.0, "text": "444,475,813",
         "label": "x", "period": "last 12 months"},
        {"module": "m", "key": "at_risk_accounts", "value": 50, "text": "50", "label": "x"},
        {"module": "m", "key": "accounts", "value": 1500, "text": "1,500", "label": "x"},
        {"module": "m", "key": "gini", "value": 0.5, "text": "0.50", "label": "x"}]}
    page = index_html(with_movements(modules, previous), {}, "leadership", history=True,
                      previous=previous)
    text = " ".join(page.split())
    arrow = '<span class="arrow" aria-hidden="true">{}</span>'.format
    assert '<span class="figure" title="498,475,813">498.5 M</span>' in text
    assert (f'then 444.5 M &rarr; now 498.5 M <span class="move better">{arrow("▲")} +54.0 M '
            '(better)</span>') in text
    assert 'title="then 444,475,813, now 498,475,813: +54,000,000; higher is better"' in text
    assert (f'then 50 &rarr; now 58 <span class="move worse">{arrow("▲")} +8 (worse)</span>'
            in text)
    assert (f'then 1,500 &rarr; now 1,400 <span class="move neutral">{arrow("▼")} -100</span>'
            in text)
    assert f'<span class="move same">{arrow("=")} unchanged</span>' in text
    assert '<span class="figure">58</span>' in text  # a count is not money: no hover


# --- on the bundled sample's build ---------------------------------------------------------


def _manifest(out: Path) -> list[dict]:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))["modules"]


@pytest.mark.slow
def test_a_headline_over_the_last_12_months_declares_that_period(sample_site):
    """A figure whose words say "last 12 months" is compared only with the previous build's
    last 12 months: its record says so, or the history compares it as a point-in-time count
    (module 15's revenue of flagged accounts did)."""
    said = [(m["name"], h["key"], h.get("period")) for m in _manifest(sample_site)
            for h in m["headlines"] if "last 12 months" in h["label"].lower()]
    assert len(said) >= 3, said
    assert [s for s in said if s[2] != "last 12 months"] == []


@pytest.mark.slow
def test_every_headline_on_the_bundled_build_declares_which_way_is_better(sample_site):
    modules = _manifest(sample_site)
    shown = [(m["name"], h["key"]) for m in modules for h in m["headlines"]]
    assert len({name for name, _ in shown}) >= 8 and len(shown) >= 30
    assert not [s for s in shown if measure(s[1]) is None]


def _card_text(card: str) -> str:
    """What a reader sees on a card: no title attribute (hover), no markup."""
    card = re.sub(r'\stitle="[^"]*"', " ", card)
    card = re.sub(r"<(svg|script|style)\b.*?</\1>", " ", card, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())


@pytest.mark.slow
def test_no_card_shows_a_money_amount_of_more_than_four_digits_but_on_hover(sample_site):
    page = (sample_site / "index.html").read_text(encoding="utf-8")
    cards = [_card_text(c) for c in re.findall(r'<section class="module.*?</section>', page,
                                                  flags=re.S)]
    assert len(cards) >= 8
    amount = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)(?: (?:k|M|bn))? EUR\b")
    found = [a for card in cards for a in amount.findall(card)]
    assert len(found) >= 8, found  # the figures (before their label) and amounts in labels
    assert not [a for a in found if significant(a) > 4], found
    money = [h for m in _manifest(sample_site) for h in m["headlines"]
             if measure(h["key"]).money]
    assert len(money) >= 6
    for h in money:  # the exact value on hover, and only there
        assert f'title="{h["text"]}"' in page, h["key"]
        assert not any(re.search(rf"(?<![\d,.]){re.escape(h['text'])}(?![\d,])", c)
                       for c in cards), h["key"]
