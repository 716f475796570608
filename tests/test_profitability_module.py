"""Module 13 as a trainee and a reader meet it: each check's hint earned by the answer that
earns it, the solutions on practice data, the practice data, and the page a company without
an activity log gets instead of the report.

The answers are written as a trainee writes them, on frames shaped like the course's
practice data.
"""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamlib import btyd
from kamlib.clv import clv_formula
from kamlib.data.needs import NOTICE_MIME, Notice
from kamlib.exercises import Feedback, exercises
from kamlib.exercises.profitability import (check_clv, check_cost_to_serve, check_whale_peak,
                                            check_whale_table, practice_activities,
                                            practice_pnl)
from kamlib.report.build import NOTEBOOKS

RATES = pd.DataFrame({"activity": ["visit", "ticket", "report"],
                      "unit_cost": [300.0, 40.0, 250.0]})


def hint(feedback, text):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok and text in feedback.message, feedback.message


@pytest.fixture
def practice():
    """Six accounts; e and f lose money; d and f have no activities."""
    return pd.DataFrame({"account_id": list("abcdef"),
                         "revenue": [9000.0, 5000.0, 2000.0, 800.0, 3000.0, 400.0],
                         "gross_margin": [4000.0, 2000.0, 900.0, 300.0, 600.0, -50.0]})


@pytest.fixture
def acts():
    rows = [("a", "visit", 2), ("a", "ticket", 5), ("b", "visit", 1), ("b", "report", 1),
            ("c", "ticket", 3), ("c", "ticket", 2), ("e", "visit", 2), ("e", "ticket", 10),
            ("e", "report", 1)]
    frame = pd.DataFrame(rows, columns=["account_id", "activity", "quantity"])
    return frame.assign(date=pd.Timestamp("2025-03-01"))


def _cts(acts):
    costed = acts.merge(RATES, on="activity")
    costed["cost"] = costed["quantity"] * costed["unit_cost"]
    return costed.groupby("account_id", as_index=False)["cost"].sum().rename(
        columns={"cost": "cost_to_serve"})


def _whale(practice, cts, denominator=None):
    table = practice.merge(cts, on="account_id", how="left").fillna({"cost_to_serve": 0})
    table["profit"] = table["gross_margin"] - table["cost_to_serve"]
    table = table.sort_values("profit", ascending=False)
    total = table["profit"].sum() if denominator is None else denominator(table)
    table["cum_share"] = table["profit"].cumsum() / total
    return table


# --- 13.1 cost to serve ------------------------------------------------------------------

def test_cost_to_serve_right(acts):
    result = check_cost_to_serve(_cts(acts), acts, RATES)
    assert result.ok and "Account e costs the most to serve: 1,250.00." in result.message
    with_idle = pd.concat([_cts(acts), pd.DataFrame({"account_id": ["z"],
                                                     "cost_to_serve": [0.0]})])
    assert check_cost_to_serve(with_idle, acts, RATES).ok  # an account at 0 may be listed


def test_counting_activities_instead_of_costing_them(acts):
    counted = acts.groupby("account_id", as_index=False)["quantity"].sum().rename(
        columns={"quantity": "cost_to_serve"})
    hint(check_cost_to_serve(counted, acts, RATES), "You counted the activities (added up the "
         "quantities) instead of costing them: multiply each quantity by its activity's "
         "unit_cost")
    rows = acts.groupby("account_id").size().rename("cost_to_serve").reset_index()
    hint(check_cost_to_serve(rows, acts, RATES), "You counted the rows of the log")


def test_rates_without_quantities_or_one_average_rate(acts):
    costed = acts.merge(RATES, on="activity")
    no_quantity = costed.groupby("account_id", as_index=False)["unit_cost"].sum().rename(
        columns={"unit_cost": "cost_to_serve"})
    hint(check_cost_to_serve(no_quantity, acts, RATES), "You added up the unit costs and left "
         "out the quantities")
    average = acts.assign(cost_to_serve=acts["quantity"] * RATES["unit_cost"].mean())
    average = average.groupby("account_id", as_index=False)["cost_to_serve"].sum()
    hint(check_cost_to_serve(average, acts, RATES), "You costed every activity at the average "
         "rate")


def test_cost_to_serve_shapes(acts):
    costed = acts.merge(RATES, on="activity")
    costed["cost"] = costed["quantity"] * costed["unit_cost"]
    per_activity = costed.groupby(["account_id", "activity"], as_index=False)["cost"].sum()
    hint(check_cost_to_serve(per_activity, acts, RATES), "one row per account and activity: "
         "add them up per account")
    hint(check_cost_to_serve(_cts(acts).set_index("account_id"), acts, RATES),
         "account_id is the index of your table")
    hint(check_cost_to_serve(_cts(acts).iloc[1:], acts, RATES), "1 account(s) with activities "
         "are missing from your table, e.g. 'a'")
    unknown = _cts(acts).assign(cost_to_serve=lambda t: t["cost_to_serve"].where(
        t["account_id"] != "b"))
    hint(check_cost_to_serve(unknown, acts, RATES), "Some accounts have no cost (NaN)")
    off = _cts(acts).assign(cost_to_serve=lambda t: t["cost_to_serve"] + (t["account_id"] == "c"))
    hint(check_cost_to_serve(off, acts, RATES), "The cost to serve of account 'c' is 201 "
         "in your table but 200 from the log")


# --- 13.2 the whale table ----------------------------------------------------------------

def test_whale_table_right(practice, acts):
    result = check_whale_table(_whale(practice, _cts(acts)), practice, acts, RATES)
    assert result.ok, result.message
    # 3200 + 1450 + 700 + 300 = 5650 climbs over a 4950 total: 114% after four accounts
    assert result.message == ("The most profitable 4 account(s) earn 114% of the profit; the "
                              "rest destroy the excess.")


@pytest.mark.parametrize("denominator, text", [
    (lambda t: t["profit"].clip(lower=0).sum(), "You divided by the profit of the profitable "
                                                "accounts only, so the curve ends below 100%"),
    (lambda t: t["revenue"].sum(), "You divided by total revenue: the whale curve shows "
                                   "shares of total profit"),
    (lambda t: t["profit"].abs().sum(), "You divided by the sum of the absolute profits"),
    (lambda t: t["profit"].sum() / 100, "Your shares end at 100: give them as fractions"),
    (lambda t: t["profit"].sum() * 2, "The cumulative share should end at 1.0 (100% of the "
                                      "profit, at the last account); yours ends at 0.5"),
])
def test_profit_shares_that_do_not_end_at_100_percent(practice, acts, denominator, text):
    hint(check_whale_table(_whale(practice, _cts(acts), denominator), practice, acts, RATES),
         text)


def test_whale_table_order_and_running_total(practice, acts):
    right = _whale(practice, _cts(acts))
    hint(check_whale_table(right.iloc[::-1], practice, acts, RATES), "You sorted ascending")
    hint(check_whale_table(right.iloc[[1, 0, 2, 3, 4, 5]], practice, acts, RATES),
         "not sorted by profit")
    before_sorting = right.sort_index().assign(
        cum_share=lambda t: t["profit"].cumsum() / t["profit"].sum()).sort_values(
        "profit", ascending=False)
    hint(check_whale_table(before_sorting, practice, acts, RATES), "You took the running "
         "total in the order of practice, before sorting: sort by profit first")
    jumbled = right.assign(cum_share=right["cum_share"].to_numpy()[[1, 0, 2, 3, 4, 5]])
    hint(check_whale_table(jumbled, practice, acts, RATES), "cum_share should be the running "
         "total of profit down your rows divided by the total profit")


def test_whale_table_wrong_profit(practice, acts):
    cts = _cts(acts)
    base = practice.merge(cts, on="account_id", how="left").fillna({"cost_to_serve": 0})

    def ranked(profit):
        t = base.assign(profit=profit).sort_values("profit", ascending=False)
        return t.assign(cum_share=t["profit"].cumsum() / t["profit"].sum())

    hint(check_whale_table(ranked(base["revenue"] - base["cost_to_serve"]), practice, acts,
                           RATES), "You took the cost to serve off revenue")
    hint(check_whale_table(ranked(base["gross_margin"]), practice, acts, RATES),
         "Your profit is the gross margin: take the cost to serve off it")
    counts = base["account_id"].map(acts.groupby("account_id")["quantity"].sum()).fillna(0)
    hint(check_whale_table(ranked(base["gross_margin"] - counts), practice, acts, RATES),
         "Your cost to serve counts the activities instead of costing them (see 13.1)")


def test_whale_table_accounts_without_activities(practice, acts):
    inner = practice.merge(_cts(acts), on="account_id")
    inner["profit"] = inner["gross_margin"] - inner["cost_to_serve"]
    inner = inner.sort_values("profit", ascending=False)
    inner["cum_share"] = inner["profit"].cumsum() / inner["profit"].sum()
    hint(check_whale_table(inner, practice, acts, RATES), "2 account(s) without activities "
         "are missing, e.g. 'd': they cost 0 to serve. Merge your cost to serve onto practice "
         "with how='left', then fillna(0)")
    nan = practice.merge(_cts(acts), on="account_id", how="left")
    nan["profit"] = nan["gross_margin"] - nan["cost_to_serve"]
    nan["cum_share"] = 0.5
    hint(check_whale_table(nan, practice, acts, RATES), "Some profits are NaN")


# --- 13.3 the peak -----------------------------------------------------------------------

@pytest.mark.parametrize("answer, text", [
    (114.14, "You gave a percentage"),
    (1.0, "That is where the curve ends: 100% of the profit, at the last account"),
    (4, "That is how many accounts earn the peak"),
    (0.67, "That is the share of accounts at the peak"),
    (1.1, "Right to one decimal. Give two decimals"),
    (1.5, "Take the highest value of cum_share"),
    ("1.14", "Give a number such as 1.45, not the number written as text"),
])
def test_whale_peak_hints(practice, acts, answer, text):
    hint(check_whale_peak(answer, practice, acts, RATES), text)


def test_whale_peak_right(practice, acts):
    assert check_whale_peak(1.14, practice, acts, RATES).ok
    assert check_whale_peak(5650 / 4950, practice, acts, RATES).ok


# --- 13.4 discounted lifetime value ------------------------------------------------------

P, R, D, T = 12_000.0, 0.9, 0.1, 5
YEARS = np.arange(1, T + 1)


def _clv(profit=P, retention=R, rate=D, shift=0, power=1):
    return float((profit * retention ** (YEARS - power) / (1 + rate) ** (YEARS - shift)).sum())


def test_clv_right():
    truth = float(clv_formula(P, years=T, retention=R, discount_rate=D)["present_value"].sum())
    assert round(_clv()) == round(truth)
    result = check_clv(round(truth), P, retention=R, discount_rate=D, years=T)
    assert result.ok and "60,000 undiscounted and certain" in result.message


@pytest.mark.parametrize("answer, text", [
    (_clv(rate=0.0), "You did not discount: money in year t is worth 1 / (1 + 0.1)^t today"),
    (_clv(shift=1), "You discounted from year 0"),
    (_clv(retention=1.0), "You left out retention"),
    (_clv(power=0), "weigh year t by retention ** (t - 1), not retention ** t"),
    (P * T, "That is profit x years: neither weighed by retention nor discounted"),
    (_clv(rate=10), "You used the rate as a percentage: 10 is 1000%; use 0.1"),
    (_clv(retention=0.1), "You used the churn rate (0.1) as the retention (0.9)"),
    (_clv() + 20, "Nearly: round to whole money units"),
    (1.0, "Add up, for t = 1 to years"),
])
def test_clv_hints(answer, text):
    hint(check_clv(answer, P, retention=R, discount_rate=D, years=T), text)


# --- practice data and solutions ---------------------------------------------------------

def test_practice_data_is_the_last_year_of_the_named_accounts():
    cube = pd.DataFrame({"account_id": ["a", "a", "b", "c"],
                         "period": pd.to_datetime(["2024-12-01", "2025-01-01", "2025-06-01",
                                                   "2025-07-01"]),
                         "revenue": [100.0, 50.0, 80.0, 20.0], "cost": [60.0, 30.0, 50.0, 5.0]})
    year = {"start": "2025-01-01", "end": "2025-12-31"}
    practice = practice_pnl(cube, **year)
    assert practice.values.tolist() == [["a", 50.0, 20.0], ["b", 80.0, 30.0], ["c", 20.0, 15.0]]
    assert practice_pnl(cube, **year, cost=None)["gross_margin"].tolist() == [50.0, 80.0, 20.0]
    log = pd.DataFrame({"account_id": ["a", "a", "z"], "activity": ["visit"] * 3,
                        "quantity": [1, 2, 3],
                        "date": pd.to_datetime(["2024-12-31", "2025-02-01", "2025-02-01"])})
    acts = practice_activities(log, practice["account_id"], **year)
    assert acts[["account_id", "quantity"]].values.tolist() == [["a", 2]]  # not 2024, not z


def test_solutions_solve_their_exercises_on_practice_data(practice, acts):
    ns = {"np": np, "pd": pd, "practice": practice, "p_acts": acts, "rates": RATES,
          "p_profit": P, "p_retention": R, "p_rate": D, "p_years": T}
    args = {"13.1": (acts, RATES), "13.2": (practice, acts, RATES),
            "13.3": (practice, acts, RATES), "13.4": (P,)}
    for ex in exercises("13")[:4]:  # 13.5 and 13.6 have their own inputs (course harness)
        exec(ex.solution, ns)
        options = {"retention": R, "discount_rate": D, "years": T} if ex.id == "13.4" else {}
        result = ex.check(ns[ex.answer], *args[ex.id], **options)
        assert result.ok, (ex.id, result.message)
    assert [ex.precision for ex in exercises("13")] == [
        "to the cent", "three decimals", "two decimals", "whole money units",
        "whole money units", ""]


# --- the probabilistic model without its package ----------------------------------------

def test_a_missing_model_package_is_a_notice_naming_the_extra(monkeypatch):
    assert btyd.not_installed("Expected purchases") is None  # dev installs lifetimes
    real = btyd.importlib.import_module

    def no_lifetimes(name, *args):
        if name == "lifetimes":
            raise ImportError("No module named 'lifetimes'")
        return real(name, *args)

    monkeypatch.setattr(btyd.importlib, "import_module", no_lifetimes)
    notice = btyd.not_installed("Expected purchases <BG/NBD>")
    assert isinstance(notice, Notice)
    assert str(notice) == ("Expected purchases <BG/NBD> is not shown: the probabilistic model "
                           "needs the 'lifetimes' package (pip install 'kamkit[clv]').")
    bundle = notice._repr_mimebundle_()
    assert "Expected purchases &lt;BG/NBD&gt; is not shown" in bundle["text/html"]
    assert "pip install &#x27;kamkit[clv]&#x27;" in bundle["text/html"]
    assert bundle[NOTICE_MIME]["text"] == str(notice)  # the index lists it


# --- a company without an activity log ---------------------------------------------------

def _build_module_13(tmp_path: Path) -> Path:
    """Build module 13 alone on the data in ``tmp_path/data``; the site folder."""
    from kamlib.report import build_reports

    (tmp_path / "data" / "kam.toml").write_text('[source]\nfolder = "."\n')
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "13_profitability.ipynb", notebooks)
    out = tmp_path / "site"
    result = build_reports(tmp_path / "data" / "kam.toml", out=out, notebooks=notebooks,
                           show_progress=False)
    assert result.ok, result.errors
    return out


@pytest.mark.slow
def test_data_without_activities_lists_profitability_as_not_built(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "transactions.csv").write_text(
        "account_id,date,revenue\nA1,2025-01-05,100.00\nA2,2025-02-05,50.00\n")
    out = _build_module_13(tmp_path)
    index = (out / "index.html").read_text()
    # the card says what is missing in words; how to add it (files, settings) is collapsed
    assert ("Not built for this data: Profitability: cost to serve, whale curve, lifetime "
            "value needs activities; and activity rates.") in index
    how = index.split("How to add it</summary>")[1].split("</details>")[0]
    assert "activities (add activities.csv, .xlsx or .parquet to the data folder" in how
    assert "activity_rates (add activity_rates.csv" in how
    assert not (out / "13_profitability.html").exists()


@pytest.mark.slow
def test_the_report_runs_on_own_data_without_cost_accounts_or_two_years(tmp_path):
    """Sales without cost, no accounts table, one year: what is not shown says why, and the
    lifetime value states the retention it assumed."""
    from kamlib.data.sample import generate_sample, write_sample

    tables = generate_sample(n_accounts=60, years=1, seed=3)
    tables["transactions"] = tables["transactions"].drop(columns=["cost"])
    for name in ("accounts", "contacts", "opportunities"):
        del tables[name]
    write_sample(tables, tmp_path / "data")
    out = _build_module_13(tmp_path)
    page = (out / "13_profitability.html").read_text()
    assert "profit is before cost of goods" in page
    assert "The cost-to-serve x net-price grid is not shown: the data has no transactions " \
           "column cost" in page
    assert "Profit by industry is not shown: the data has no accounts column industry" in page
    assert "retention 85.0% a year (assumed (the data spans under two years))" in page
    assert "acquisition cost not counted" in page
