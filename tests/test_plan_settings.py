"""``[plans]`` in kam.toml: checked when read, and what it says reaches the plans' schedule."""

import pandas as pd
import pytest

from kamlib.data.config import SAMPLE_DIR, ConfigError, load_config
from kamlib.planning.schedule import Cadence, contact_schedule
from kamlib.planning.differentiate import key_account_types


def config(tmp_path, plans: str):
    path = tmp_path / "kam.toml"
    path.write_text(f'{plans}\n\n[source]\nfolder = "{SAMPLE_DIR.as_posix()}"\n')
    return load_config(path)


def test_defaults_without_a_plans_section(tmp_path):
    s = config(tmp_path, "").plans
    assert (s.country, s.subdivision, s.stale_days, s.top, s.long_standing_share) == \
        ("ID", None, 90, 100, 0.10)
    assert s.cadence_map()["key account"] == Cadence(5, 1)
    assert s.portfolio_settings()["role_map"] is None  # the default role map


@pytest.mark.parametrize("plans, message", [
    ('[plans]\ncountry = "XX"', "[plans] country = 'XX': no public holidays known"),
    ('[plans]\ncountry = "DE"\nsubdivision = "ZZ"',
     "[plans] subdivision = 'ZZ': no public holidays known"),
    ('[plans]\ncountry = 49', "[plans] country = 49: expected text in quotes"),
    ('[plans]\nstale_days = "90"', "[plans] stale_days = '90': expected a whole number"),
    ('[plans]\ntop = 0', "[plans] top = 0: at least 1"),
    ('[plans]\nlong_standing_share = 10', "[plans] long_standing_share = 10: a share"),
    ('[plans]\none_product_share = 80', "[plans] one_product_share = 80: a share between"),
    ('[plans]\none_product_share = 0', "[plans] one_product_share = 0: a share between"),
    ('[plans]\nmin_margin = 5', "[plans] min_margin = 5: profit as a share of revenue"),
    ('[plans]\nmin_margin = "5%"', "[plans] min_margin = '5%': expected a number"),
    ('[plans]\ncountri = "DE"', "[plans] unknown setting(s) ['countri']"),
    ('[plans.cadences]\nkey_account = { every = "5" }',
     "[plans.cadences] key_account.every = '5': expected a whole number >= 0"),
    ('[plans.cadences]\nkey_account = { every = 2.5 }',
     "[plans.cadences] key_account.every = 2.5: expected a whole number >= 0"),
    ('[plans.cadences]\nkey_account = 5', "[plans.cadences] key_account = 5: expected a table"),
    ('[plans.cadences]\nvip = { every = 5 }', "[plans.cadences] vip = {'every': 5}: unknown tier"),
    ('[plans.cadences]\nmaintain = { every = 5, visits = 2 }',
     "[plans.cadences] maintain = {'every': 5, 'visits': 2}: expected a table with"),
    ('[plans.roles]\n"ceo" = "boss"', "[plans.roles] 'ceo' = 'boss': expected one of"),
    ('[plans.roles]\n"ceo(" = "decision maker"', "[plans.roles] 'ceo(': not a valid regular"),
    ('plans = 5', "[plans] is a value, not a section"),
    ('[plans.stages]\nwon = 0.5', "[plans.stages] won = 0.5: not an open stage"),
    ('[plans.stages]\nproposal = 30', "[plans.stages] proposal = 30: expected a chance "
     "between 0 and 1"),
    ('[plans.stages]\nproposal = "0.3"', "[plans.stages] proposal = '0.3': expected a chance"),
])
def test_a_bad_setting_names_section_key_value_and_what_was_expected(tmp_path, plans, message):
    with pytest.raises(ConfigError) as err:
        config(tmp_path, plans)
    assert message in str(err.value)
    assert str(tmp_path / "kam.toml") in str(err.value)


def test_stage_chances_reach_the_pipeline(tmp_path):
    from kamlib.planning.pipeline import pipeline

    s = config(tmp_path, "[plans.stages]\nprospect = 0.05\nnegotiation = 1").plans
    chances = s.portfolio_settings()["stage_probabilities"]
    assert chances == {"prospect": 0.05, "proposal": 0.3, "negotiation": 1.0}
    opps = pd.DataFrame({"account_id": ["a", "a"], "opportunity_id": ["1", "2"],
                         "stage": ["prospect", "negotiation"], "value": [1000.0, 80.0]})
    weighted = pipeline(opps, as_of="2025-12-31", probabilities=chances)["weighted_value"]
    assert weighted.tolist() == [50.0, 80.0]


def test_risk_thresholds_reach_the_plans_risks(tmp_path):
    """[plans] one_product_share and min_margin are the thresholds of two plan risks: the
    accounts flagged are exactly those past each threshold, and the rule says it."""
    from kamlib.planning.risks import risk_signals

    s = config(tmp_path, "[plans]\none_product_share = 0.6\nmin_margin = 0.25").plans
    settings = s.portfolio_settings()
    assert (settings["one_product_share"], settings["min_margin"]) == (0.6, 0.25)
    status = pd.DataFrame({"account_id": ["a", "b", "c"], "warnings": ["", "", ""],
                           "revenue_l12m": [100.0, 100.0, 100.0],
                           "profit_l12m": [30.0, 20.0, 24.0]})
    products = pd.DataFrame({"account_id": ["a", "a", "b", "b", "c"],
                             "product": ["x", "y", "x", "y", "x"],
                             "revenue": [60.0, 40.0, 59.0, 41.0, 100.0]})
    risks = risk_signals(status, as_of="2025-12-31", products=products,
                         one_product_share=settings["one_product_share"],
                         min_margin=settings["min_margin"])
    found = {(r.account_id, r.risk) for r in risks.itertuples() if r.risk in (
        "one product", "low margin")}
    assert found == {("a", "one product"), ("c", "one product"), ("b", "low margin"),
                     ("c", "low margin")}
    rules = risks.attrs["rules"]
    assert "60%" in rules["one product"] and "25%" in rules["low margin"]
    defaults = config(tmp_path, "").plans.portfolio_settings()
    assert (defaults["one_product_share"], defaults["min_margin"]) == (0.8, 0.05)


TIERS = pd.DataFrame({"account_id": ["a"], "account_manager": ["Sari"],
                      "quadrant": ["key account"]})


@pytest.mark.parametrize("country, days", [
    ("DE", ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-29", "2025-12-30",
            "2025-12-31"]),                        # 25 and 26 December are holidays
    ("ID", ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-26", "2025-12-29",
            "2025-12-30", "2025-12-31"]),          # 25 December only
    ("", ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-25", "2025-12-26",
          "2025-12-29", "2025-12-30", "2025-12-31"]),  # weekends only
])
def test_country_and_cadence_reach_the_schedule(tmp_path, country, days):
    s = config(tmp_path, f'[plans]\ncountry = "{country}"\n\n[plans.cadences]\n'
                         '"key account" = { every = 1 }').plans
    settings = s.portfolio_settings()
    plan = contact_schedule(TIERS, start="2025-12-22", end="2025-12-31",
                            cadences=settings["cadences"], country=settings["country"],
                            subdivision=settings["subdivision"])
    assert plan["date"].dt.strftime("%Y-%m-%d").tolist() == days
    # top_management not given: the tier's default is replaced as a whole, not merged
    assert set(plan["kind"]) == {"routine contact"}


@pytest.mark.slow
def test_subdivision_reaches_the_plans_portfolio(tmp_path):
    """The plans' schedule covers the quarter after as-of (Q1 2026: 64 weekdays); in
    Germany 1 January is off (63), in Bavaria 6 January too (62)."""
    from kamlib.data.dataset import load
    from kamlib.planning.portfolio import portfolio_frames

    ds = load(None)
    counts = []
    for where in ('country = "DE"', 'country = "DE"\nsubdivision = "BY"'):
        s = config(tmp_path, f'[plans]\n{where}\n\n[plans.cadences]\n'
                             'key_account = { every = 1 }').plans
        frames = portfolio_frames(ds, **s.portfolio_settings())
        sched = frames["schedule"]
        days = sched.loc[sched["account_id"] == "001334", "date"]
        counts.append(len(days))
        assert pd.Timestamp("2026-01-01") not in set(days)
    assert counts == [63, 62]


def test_why_no_account_is_long_standing():
    """Three customers of 6 years bring 20%, 30% and 50% of the profit; one of 1 year none."""
    m = pd.DataFrame({"account_id": ["a", "b", "c", "d"]})
    acc = m.assign(customer_since=pd.to_datetime(["2019-01-01"] * 3 + ["2024-01-01"]))
    pnl = m.assign(profit=[20.0, 30.0, 50.0, 0.0], revenue=100.0)
    at_60 = key_account_types(m, acc, as_of="2025-06-30", pnl=pnl, profit_share=0.6)
    assert not at_60["long-standing"].any()
    assert ("long-standing: none qualifies: no customer of 5+ years brings 60% of the total "
            "profit; the largest brings 50.0%") in " ".join(at_60.attrs["notes"])
    at_50 = key_account_types(m, acc, as_of="2025-06-30", pnl=pnl, profit_share=0.5)
    assert at_50["long-standing"].tolist() == [False, False, True, False]
    assert not any("none qualifies" in n for n in at_50.attrs["notes"])
