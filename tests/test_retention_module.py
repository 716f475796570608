"""Module 16 as a trainee and a reader meet it: each check's hint earned by the answer that
earns it, the solutions on practice data, and the page on the bundled data and on sales
data alone (with the parts that need more named)."""

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamlib.exercises import Feedback, exercises
from kamlib.exercises.retention import (check_dealer_ceiling, check_losses_per_quarter,
                                        check_tier_movers, check_winback_rank,
                                        practice_dealer, practice_retention)
from kamlib.report.build import NOTEBOOKS


def hint(feedback, text):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok and text in feedback.message, feedback.message


DAYS = 90


@pytest.fixture
def spells():
    """lost_on = last + 91 days: a 2024-04-10 (Q2), b 2024-04-01 (Q2, came back; + 90 days
    would be 2024-03-31, Q1), c 2024-09-30 (Q3), d 2024-10-01 (Q4; + 90 days: 2024-09-30,
    Q3)."""
    return pd.DataFrame({"account_id": list("abcd"),
                         "last_purchase": pd.to_datetime(["2024-01-10", "2024-01-01",
                                                          "2024-07-01", "2024-07-02"]),
                         "returned_on": pd.to_datetime([None, "2024-06-01", None, None])})


def quarters(counts):
    return pd.DataFrame({"quarter": list(counts), "lost": list(counts.values())})


def test_losses_per_quarter_right(spells):
    right = quarters({"2024Q2": 2, "2024Q3": 1, "2024Q4": 1})
    result = check_losses_per_quarter(right, spells, DAYS)
    assert result.ok and "4 losses; the most in 2024Q2 (2)." == result.message
    as_days = quarters({pd.Timestamp("2024-04-01"): 2, pd.Timestamp("2024-07-01"): 1,
                        pd.Timestamp("2024-10-01"): 1, pd.Timestamp("2025-01-01"): 0})
    assert check_losses_per_quarter(as_days, spells, DAYS).ok  # a quarter at 0 may be listed
    periods = right.assign(quarter=pd.PeriodIndex(right["quarter"], freq="Q"))
    assert check_losses_per_quarter(periods, spells, DAYS).ok


def test_losses_per_quarter_hints(spells):
    hint(check_losses_per_quarter(quarters({"2024Q1": 2, "2024Q3": 2}), spells, DAYS),
         "You counted the quarter of the last purchase")
    hint(check_losses_per_quarter(quarters({"2024Q1": 1, "2024Q2": 1, "2024Q3": 2}), spells,
                                  DAYS), "Off by one day")
    hint(check_losses_per_quarter(quarters({"2024Q2": 1, "2024Q3": 1, "2024Q4": 1}), spells,
                                  DAYS), "You counted only the accounts still lost")
    hint(check_losses_per_quarter(quarters({"2024Q2": 1}), spells, DAYS),
         "add up to 1 losses")
    hint(check_losses_per_quarter(pd.Series([1, 2], name="lost"), spells, DAYS),
         ".reset_index(name='lost')")
    hint(check_losses_per_quarter(quarters({"2024Q2": 1, "2024Q3": 2, "2024Q4": 1}), spells,
                                  DAYS), "Quarter 2024Q2: you have 1 losses, the rule gives 2")
    double = pd.DataFrame({"quarter": ["2024Q2", "2024Q2"], "lost": [1, 1]})
    hint(check_losses_per_quarter(double, spells, DAYS), "more than once")


def test_losses_per_quarter_counted_per_month(spells):
    sp = spells.assign(last_purchase=pd.to_datetime(["2024-01-10", "2024-02-10",
                                                     "2024-07-01", "2024-07-02"]))
    # lost on 2024-04-10, 2024-05-11, 2024-09-30, 2024-10-01: four months, three quarters
    hint(check_losses_per_quarter(quarters({"2024-04": 1, "2024-05": 1, "2024-09": 1,
                                            "2024-10": 1}), sp, DAYS), "did you count per month?")


@pytest.fixture
def candidates():
    return pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [1000.0, 5000.0, 300.0],
                         "profit": [400.0, np.nan, 100.0]})


def ranked(values):
    return pd.DataFrame({"account_id": list(values), "value_regained": list(values.values())})


def test_winback_rank_right_and_hints(candidates):
    right = ranked({"b": 1500.0, "a": 120.0, "c": 30.0})
    result = check_winback_rank(right, candidates, 0.3)
    assert result.ok and result.message.startswith("First to call: b, worth 1,500")
    hint(check_winback_rank(ranked({"b": 5000.0, "a": 400.0, "c": 100.0}), candidates, 0.3),
         "You left out the chance of return")
    hint(check_winback_rank(ranked({"b": 1500.0, "a": 300.0, "c": 90.0}), candidates, 0.3),
         "You valued every account by revenue")
    hint(check_winback_rank(ranked({"a": 120.0, "c": 30.0, "b": 0.0}), candidates, 0.3),
         "Accounts without profit count 0")
    hint(check_winback_rank(ranked({"a": 120.0, "c": 30.0}), candidates, 0.3),
         "account(s) without profit are missing, e.g. 'b'")
    hint(check_winback_rank(ranked({"b": 1500.0, "c": 30.0}), candidates, 0.3),
         "candidate(s) are missing, e.g. 'a'")
    hint(check_winback_rank(ranked({"c": 30.0, "a": 120.0, "b": 1500.0}), candidates, 0.3),
         "You sorted ascending")
    hint(check_winback_rank(ranked({"a": 120.0, "b": 1500.0, "c": 30.0}), candidates, 0.3),
         "Sort the list by value_regained")
    hint(check_winback_rank(ranked({"b": 1250.0, "a": 100.0, "c": 25.0}), candidates, 0.3),
         "You used a chance of return of 25%: the exercise gives 30%")
    hint(check_winback_rank(ranked({"b": 1.0, "a": 2.0, "c": 3.0}), candidates, 0.3),
         "value_regained = profit x chance")
    hint(check_winback_rank(pd.DataFrame({"id": ["a"]}), candidates, 0.3),
         "columns account_id and value_regained")
    twice = pd.concat([right, right.head(1)])
    hint(check_winback_rank(twice, candidates, 0.3), "appears twice")


YEARLY = pd.DataFrame({"account_id": list("abcde"),
                       "revenue": [500.0, 1000.0, 1500.0, 2000.0, 6000.0]})
NOW = {"red": 0.0, "silver": 1200.0, "gold": 5000.0}
NEW = {"red": 0.0, "silver": 1000.0, "gold": 2000.0}  # b on silver's edge, d on gold's


def test_tier_movers_right_and_hints():
    # a red-red, b red->silver (exactly on 1000), c silver-silver, d silver->gold (on 2000),
    # e gold-gold: (2, 0)
    assert check_tier_movers((2, 0), YEARLY, NOW, NEW).ok
    hint(check_tier_movers((0, 2), YEARLY, NOW, NEW), "Up and down are swapped")
    hint(check_tier_movers((0, 0), YEARLY, NOW, NEW), "compare with >=, not >")
    hint(check_tier_movers((1, 1), YEARLY, NOW, NEW), "The total of movers is right")
    hint(check_tier_movers((5, 3), YEARLY, NOW, NEW), "highest tier whose threshold")
    hint(check_tier_movers(2, YEARLY, NOW, NEW), "Give two numbers in brackets")


def test_dealer_ceiling_right_and_hints():
    dealer, criteria = practice_dealer()
    # points 4, 3, 3, 4, 3 (turnover exactly on the 100,000 edge); score 3.5 of 1 to 5:
    # coefficient 0.625, ceiling 10,000 + 0.625 x 40,000
    assert check_dealer_ceiling(35_000, dealer, criteria).ok
    # with > instead of >=: turnover 3, promotion 3, service 2 points: score 2.85, 28,500
    hint(check_dealer_ceiling(28_500, dealer, criteria), "count the edges with >=, not >")
    hint(check_dealer_ceiling(38_000, dealer, criteria), "Scale from the fewest possible")
    hint(check_dealer_ceiling(31_250, dealer, criteria), "You left out the minimum")
    hint(check_dealer_ceiling(10_000 + 12 / 20 * 40_000, dealer, criteria),
         "You left out the weights")
    hint(check_dealer_ceiling(35_020, dealer, criteria), "Nearly: round")
    hint(check_dealer_ceiling(1, dealer, criteria), "Points per criterion")
    hint(check_dealer_ceiling("35000", dealer, criteria), "Give a number")


def test_practice_data_moves_a_threshold_onto_an_account():
    status = pd.DataFrame({"account_id": list("abcde"),
                           "revenue_l12m": [0.0, 20_000.0, 30_000.0, 40_000.0, 200_000.0]})
    spells = pd.DataFrame({"account_id": ["x", "y"], "last_purchase": pd.to_datetime(
        ["2024-01-01", None]), "returned_on": pd.NaT, "lost_on": pd.NaT})
    cand = pd.DataFrame({"account_id": ["x"], "revenue": [1.0], "profit": [np.nan],
                         "status": ["lost"]})
    p = practice_retention(spells, cand, status, {"red": 0, "silver": 25_000,
                                                  "gold": 100_000})
    assert p["p_spells"]["account_id"].tolist() == ["x"]  # never bought: left out
    assert list(p["p_candidates"].columns) == ["account_id", "revenue", "profit"]
    assert p["p_yearly"]["account_id"].tolist() == ["b", "c", "d", "e"]
    assert p["p_new_tiers"] == {"red": 0.0, "silver": 30_000.0, "gold": 100_000.0}


def test_solutions_solve_their_exercises_on_practice_data(spells, candidates):
    dealer, criteria = practice_dealer()
    ns = {"np": np, "pd": pd, "p_spells": spells, "p_days": DAYS, "p_candidates": candidates,
          "p_chance": 0.3, "p_yearly": YEARLY, "p_tiers": NOW, "p_new_tiers": NEW,
          "p_dealer": dealer, "p_criteria": criteria, "p_min": 10_000.0, "p_max": 50_000.0}
    args = {"16.1": (spells, DAYS), "16.2": (candidates, 0.3), "16.3": (YEARLY, NOW, NEW),
            "16.4": (dealer, criteria)}
    for ex in exercises("16"):
        exec(ex.solution, ns)
        result = ex.check(ns[ex.answer], *args[ex.id])
        assert result.ok, (ex.id, result.message)


# --- the page --------------------------------------------------------------------------------

def _build(tmp_path: Path, data: Path) -> Path:
    from kamlib.report import build_reports

    (data / "kam.toml").write_text('[source]\nfolder = "."\n')
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "16_retention.ipynb", notebooks)
    out = tmp_path / "site"
    result = build_reports(data / "kam.toml", out=out, notebooks=notebooks,
                           show_progress=False)
    assert result.ok, result.errors
    return out


def _leadership_text(page: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    body = re.sub(r'href="data:[^"]*"', "", body)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.slow
def test_the_page_on_sales_data_alone_names_what_needs_more(tmp_path):
    from kamlib.data.config import SAMPLE_DIR

    data = tmp_path / "data"
    data.mkdir()
    sales = pd.read_csv(SAMPLE_DIR / "transactions.csv", dtype={"account_id": str},
                        usecols=["account_id", "date", "revenue"])
    sales.to_csv(data / "transactions.csv", index=False)
    out = _build(tmp_path, data)
    page = (out / "16_retention.html").read_text()
    index = (out / "index.html").read_text()
    assert "accounts lost in 2025 Q4" in index and "from winning back the" in index
    text = _leadership_text(page)
    assert "Profit lost is not shown: it needs the cost of goods" in text
    assert "Not tested on this data: the service reason" in text
    notice = "Dealer scoring is not shown: the data has no accounts"
    assert notice in text and "Dealer scoring" in index
    assert "Download the full win-back list" in page
    assert ">yearly profit<" not in page.replace(" ", "")  # no empty profit column
    # no snake_case outside the kit's notices, which name the missing table and columns
    words = re.sub(re.escape(notice) + r"[^.]*\.", "", text)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", words), re.findall(r"\b[a-z]+_[a-z_]+\b",
                                                                    words)
