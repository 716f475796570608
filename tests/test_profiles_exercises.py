"""Module 12's checks: each hint produced by the answer a trainee writes to earn it, on the
practice data the notebook gives out (the last twelve months of the bundled sample)."""

import numpy as np
import pandas as pd
import pytest

import kamlib
from kamlib.exercises import Feedback, exercise, exercises
from kamlib.exercises.concentration import practice_window
from kamlib.exercises.feedback import NOT_ANSWERED
from kamlib.exercises.profiles import (check_frequency, check_recency, check_rfm_scores,
                                       practice_months, practice_profiles)


def hint(feedback, text):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok and text in feedback.message, feedback.message


@pytest.fixture(scope="module")
def practice():
    ds = kamlib.load()
    year = practice_window(ds.start, ds.as_of)
    months = practice_months(ds.cube.account_month, **year)
    return months, pd.Timestamp(year["end"])


@pytest.fixture(scope="module")
def profiles(practice):
    months, as_of = practice
    return practice_profiles(months, as_of)


def solved(ex_id, practice, profiles):
    months, as_of = practice
    ns = {"pd": pd, "np": np, "practice": months, "as_of": as_of, "p_profiles": profiles}
    exec(exercise(ex_id).solution, ns)
    return ns[exercise(ex_id).answer]


def test_practice_is_the_last_year_with_purchases_only(practice):
    months, as_of = practice
    assert as_of == pd.Timestamp("2025-12-31")
    assert months["period"].min() == pd.Timestamp("2025-01-01")
    assert (months["revenue"] > 0).all() and not months.duplicated(["account_id", "period"]).any()


def test_solutions_are_right_and_the_registry_lists_them(practice, profiles):
    assert [ex.id for ex in exercises("12")] == ["12.1", "12.2", "12.3"]
    months, as_of = practice
    assert check_recency(solved("12.1", practice, profiles), months, as_of=as_of).ok
    assert check_frequency(solved("12.2", practice, profiles), months).ok
    assert check_rfm_scores(solved("12.3", practice, profiles), profiles).ok
    assert exercise("12.1").precision == "whole days"


def test_every_check_says_not_answered_for_none_and_never_raises(practice, profiles):
    months, as_of = practice
    args = {"12.1": ((months,), {"as_of": as_of}), "12.2": ((months,), {}),
            "12.3": ((profiles,), {})}
    for ex in exercises("12"):
        data, options = args[ex.id]
        assert ex.check(None, *data, **options).message == NOT_ANSWERED
        for odd in ("text", 97, [1, 2], pd.DataFrame(), pd.Series([1.0]), object()):
            result = ex.check(odd, *data, **options)
            assert isinstance(result, Feedback) and not result.ok, (ex.id, odd)


# --- 12.1 recency ------------------------------------------------------------------------

def test_recency_mistakes(practice):
    months, as_of = practice
    g = months.groupby("account_id")
    last, first = g["last_date"].max(), g["first_date"].min()

    def answer(values):
        return values.rename("recency_days").reset_index()

    hint(check_recency(answer((last - first).dt.days), months, as_of=as_of),
         "You counted from the first purchase: recency is the days from the last purchase "
         "to as_of (2025-12-31)")
    hint(check_recency(answer((as_of - first).dt.days), months, as_of=as_of),
         "That is the days since the first purchase (tenure)")
    hint(check_recency(answer((last - as_of).dt.days), months, as_of=as_of),
         "Your recencies are negative")
    hint(check_recency(answer((as_of - g["period"].max()).dt.days), months, as_of=as_of),
         "You used period, the first day of the month")
    hint(check_recency(answer((as_of - last).dt.days + 1), months, as_of=as_of), "Off by one day")
    hint(check_recency(answer(as_of - last), months, as_of=as_of), "give whole days with .dt.days")
    per_month = months.assign(recency_days=(as_of - months["last_date"]).dt.days)
    hint(check_recency(per_month[["account_id", "recency_days"]], months, as_of=as_of),
         "groupby('account_id')['last_date'].max()")
    hint(check_recency((as_of - last).dt.days.rename("recency_days").to_frame(), months,
                       as_of=as_of), "account_id is the index of your table")
    hint(check_recency(answer((as_of - last).dt.days).iloc[:10], months, as_of=as_of),
         "Your table has 10 accounts")
    wrong = answer((as_of - last).dt.days)
    wrong.loc[3, "recency_days"] = 999
    hint(check_recency(wrong, months, as_of=as_of),
         f"The recency of account {wrong.loc[3, 'account_id']!r} is 999 in your table")


# --- 12.2 frequency ----------------------------------------------------------------------

def test_frequency_mistakes(practice):
    months, _ = practice
    g = months.groupby("account_id")

    def answer(values):
        return values.rename("frequency").reset_index()

    assert (g["lines"].sum() != g["invoices"].sum()).any()  # the sample has multi-line invoices
    hint(check_frequency(answer(g["lines"].sum()), months), "You counted invoice lines")
    hint(check_frequency(answer(g.size()), months), "You counted the months with a purchase")
    hint(check_frequency(answer(g["invoices"].mean()), months), "sum, not mean")
    hint(check_frequency(months[["account_id", "invoices"]].rename(
        columns={"invoices": "frequency"}), months), "groupby('account_id')['invoices'].sum()")
    hint(check_frequency(answer(g["invoices"].sum() * 2), months), "in your table but it has")


# --- 12.3 RFM scores ---------------------------------------------------------------------

def quintile(values, method="average"):
    rank = values.rank(method=method)
    return (np.floor((rank - 0.5) * 5 / len(values)) + 1).astype(int)


def scores(profiles, r_sign=-1, method="average"):
    out = profiles[["account_id"]].copy()
    r = quintile(profiles["recency_days"], method)
    out["r"] = 6 - r if r_sign < 0 else r
    out["f"] = quintile(profiles["frequency"], method)
    out["m"] = quintile(profiles["monetary"], method)
    return out


def test_rfm_scores_ties_must_share_a_score(profiles):
    assert profiles["frequency"].duplicated().any()  # invoices per year: many ties
    split = scores(profiles).assign(f=quintile(profiles["frequency"], "first"))
    hint(check_rfm_scores(split, profiles), "got different f scores: equal values must get "
         "equal scores. Rank with .rank(method='average')")
    hint(check_rfm_scores(scores(profiles, method="first"), profiles),
         "Accounts with the same recency_days")
    # ties kept together but the wrong bin: the group's lowest position instead of its middle
    low = scores(profiles).assign(f=quintile(profiles["frequency"], "min"))
    assert (low["f"] != scores(profiles)["f"]).any()
    hint(check_rfm_scores(low, profiles), "accounts have another f than the rule gives")


def test_rfm_scores_right_in_any_row_order(profiles):
    right = scores(profiles)
    assert check_rfm_scores(right, profiles).ok
    assert check_rfm_scores(right.sample(frac=1, random_state=1), profiles).ok
    assert 'the segment "Recent, high value"' in check_rfm_scores(right, profiles).message


def test_rfm_scores_in_the_wrong_direction(profiles):
    hint(check_rfm_scores(scores(profiles, r_sign=+1), profiles),
         "R is the wrong way round: you gave 5 to the accounts that bought longest ago. The "
         "most recent buyers (smallest recency_days) get 5.")
    for col, name in (("f", "frequency"), ("m", "monetary")):
        wrong = scores(profiles)
        wrong[col] = 6 - wrong[col]
        hint(check_rfm_scores(wrong, profiles), f"{col.upper()} is the wrong way round: you "
             f"gave 5 to the accounts that have the smallest {name}")


def test_rfm_scores_other_mistakes(profiles):
    zero_based = scores(profiles).assign(m=lambda t: t["m"] - 1)
    hint(check_rfm_scores(zero_based, profiles), "Your m scores run from 0 to 4")
    ten = scores(profiles).assign(f=lambda t: t["f"] * 2)
    hint(check_rfm_scores(ten, profiles), "Your f scores run from 2 to 10")
    widths = scores(profiles)
    widths["m"] = pd.cut(profiles["monetary"], 5, labels=False) + 1  # equal widths
    hint(check_rfm_scores(widths, profiles), "(pd.cut cuts the values into equal widths)")
    shuffled = scores(profiles)
    shuffled["f"] = shuffled["f"].sample(frac=1, random_state=2).to_numpy()
    hint(check_rfm_scores(shuffled, profiles), "f does not follow frequency")
    halves = scores(profiles).assign(r=lambda t: t["r"] - 0.5)
    hint(check_rfm_scores(halves, profiles), "r must hold whole scores from 1 to 5")
    hint(check_rfm_scores(scores(profiles).drop(columns="m"), profiles),
         "Wrong column names: expected account_id, r, f, m")
