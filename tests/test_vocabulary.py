"""One vocabulary: each term's one definition, from the settings, shown on the index."""

import re

from kamlib.data.config import Analysis
from kamlib.report.index import index_html
from kamlib.vocabulary import TERMS, definitions, glossary_rows


def test_definitions_carry_the_settings_numbers():
    said = definitions(Analysis(target_share=0.7, abc_cutoffs=(0.75, 0.9), lost_after_days=90,
                                at_risk_gap_factor=2.5, at_risk_min_gap_days=45,
                                at_risk_revenue_drop=0.25, at_risk_dropped_products=3))
    assert said["vital few"].startswith("the largest accounts that together make 70% of")
    assert "first 75% of revenue" in said["A class"] and "up to 90%" in said["A class"]
    assert said["lost"].startswith("no purchase for more than 90 days before the as-of date")
    assert "2.5 times" in said["at risk"] and "over 45 days" in said["at risk"]
    assert "25% below" in said["at risk"] and "3+ products" in said["at risk"]
    assert "after more than 90 days" in said["won back"]


def test_key_accounts_are_value_x_need_not_the_vital_few():
    said = definitions()
    assert said["key accounts"].startswith("high value and high need: in the vital few and "
                                           "with a need of 5 or more")
    assert said["key accounts"] != said["vital few"]
    assert "5 years" in said["lifetime value"] and "10% a year" in said["lifetime value"]


def test_the_index_shows_the_glossary_once_each_term_escaped():
    rows = glossary_rows(Analysis(lost_after_days=90))
    assert [r["term"] for r in rows] == list(TERMS)
    page = index_html([], {}, "leadership", glossary=rows + [
        {"term": "<b>x</b>", "definition": "<i>y</i>"}])
    text = re.sub(r"\s+", " ", page)
    assert "What the words mean" in text and "<dt>lost</dt><dd>no purchase for more than 90 " \
        "days" in text
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "<i>y</i>" not in page
    assert "What the words mean" not in index_html([], {}, "leadership")
