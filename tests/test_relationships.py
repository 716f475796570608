"""The relationships module on hand-computed cases: an account that climbs the ladder, one
that falls back, one lost after years, one without events; the bonds, the KAM stages, each
health signal and the score with its reasons, the history seeing no future, the backtest,
the settings, and the bundled sample where every stage and bond occurs."""

import numpy as np
import pandas as pd
import pytest

from kamlib.data.config import ConfigError, load_config
from kamlib.data.relationship_settings import RelationshipSettings, parse_relationships
from kamlib.relationships import relationship_frames
from kamlib.relationships.backtest import backtest_summary, health_backtest
from kamlib.relationships.bonds import relationship_bonds
from kamlib.relationships.health import health_history, health_measures, health_scores
from kamlib.relationships.history import status_history
from kamlib.relationships.kam_stage import kam_stages
from kamlib.relationships.ladder import (ladder_stages, stage_counts, stage_history,
                                         transition_matrix, transitions)
from kamlib.status import account_status

AS_OF = pd.Timestamp("2025-12-31")


def months(account, periods, revenue=100.0, products=1):
    """One cube row per month: bought on the 5th."""
    p = pd.to_datetime(list(periods))
    return pd.DataFrame({"account_id": account, "period": p, "revenue": revenue,
                         "products": products, "first_date": p + pd.Timedelta(days=4),
                         "last_date": p + pd.Timedelta(days=4)})


@pytest.fixture(scope="module")
def cube():
    """climb: every month of 2024-2025. fallback: every month of 2024, then only March and
    August 2025. lost: every month from 2022 to May 2025 (lost after years)."""
    return pd.concat([
        months("climb", pd.date_range("2024-01-01", "2025-12-01", freq="MS")),
        months("fallback", [*pd.date_range("2024-01-01", "2024-12-01", freq="MS"),
                            "2025-03-01", "2025-08-01"]),
        months("lost", pd.date_range("2022-01-01", "2025-05-01", freq="MS")),
    ], ignore_index=True)


@pytest.fixture(scope="module")
def events():
    return pd.DataFrame({"account_id": ["climb", "climb"], "type": ["referral", "joint planning"],
                         "date": pd.to_datetime(["2024-09-10", "2025-06-10"])})


@pytest.fixture(scope="module")
def statuses(cube):
    ends = pd.date_range("2024-01-31", "2025-12-31", freq="ME")
    return status_history(cube, month_ends=ends)


@pytest.fixture(scope="module")
def history(cube, statuses, events):
    return stage_history(cube, statuses, events=events)


def stage_at(history, account, date):
    rows = history[(history["account_id"] == account) & (history["as_of"] == pd.Timestamp(date))]
    return str(rows["stage"].iloc[0])


def test_history_words_only_its_last_month_end(cube, statuses):
    """Past month ends carry the status, not its words (no page shows them); the last one
    is the status frame itself, words included."""
    last = statuses["as_of"] == statuses["as_of"].max()
    assert statuses.loc[~last, ["reasons", "warnings"]].isna().all().all()
    now = account_status(cube, as_of=AS_OF)
    got = statuses[last].drop(columns="as_of").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, now, check_like=False)
    lost = got.set_index("account_id").loc["lost", "reasons"]
    assert lost == "no purchase since 2025-05-05 (240 days; lost after 180)"
    # the statuses at past month ends are still those of the rule, words or not
    june = statuses[statuses["as_of"] == pd.Timestamp("2025-06-30")].set_index("account_id")
    assert june.loc["lost", "status"] == "active"
    assert june.loc["fallback", "status"] in ("at risk", "active")


# --- the ladder ----------------------------------------------------------------------------

@pytest.mark.parametrize("date, stage", [
    ("2024-01-31", "customer"),   # one month bought
    ("2024-02-29", "customer"),   # two: a client needs 3
    ("2024-03-31", "client"),     # three months with a purchase
    ("2024-08-31", "client"),     # no event yet
    ("2024-09-30", "supporter"),  # the referral of 10 September
    ("2025-06-30", "partner"),    # joint planning on 10 June
    ("2025-12-31", "partner"),
])
def test_an_account_that_climbs(history, date, stage):
    assert stage_at(history, "climb", date) == stage


def test_an_account_that_falls_back_from_client_to_customer(history, statuses):
    assert stage_at(history, "fallback", "2024-12-31") == "client"
    # 2025: March and August only, 2 of 12 months; last purchase 5 August, 148 days: not lost
    assert stage_at(history, "fallback", "2025-12-31") == "customer"
    now = statuses[(statuses["as_of"] == AS_OF) & (statuses["account_id"] == "fallback")]
    assert now["status"].iloc[0] != "lost" and now["days_since_purchase"].iloc[0] == 148


def test_an_account_lost_after_years(history):
    # bought every month for 3 years and 5 months; last purchase 5 May 2025
    assert stage_at(history, "lost", "2025-06-30") == "client"
    assert stage_at(history, "lost", "2025-10-31") == "client"  # 179 days: not yet lost
    assert stage_at(history, "lost", "2025-11-30") == "lost"    # 209 days > 180


def test_without_events_the_ladder_stops_at_client_and_says_why(cube, statuses):
    now = statuses[statuses["as_of"] == AS_OF]
    st = ladder_stages(cube, now, as_of=AS_OF)
    assert st.set_index("account_id")["stage"].astype(str).to_dict() == {
        "climb": "client", "fallback": "customer", "lost": "lost"}
    assert set(st.attrs["not_seen"]) == {"prospect", "supporter", "advocate", "partner"}
    assert "no events table" in st.attrs["not_seen"]["partner"]


def test_an_event_older_than_the_window_no_longer_counts(cube, statuses, events):
    now = statuses[statuses["as_of"] == AS_OF]
    short = RelationshipSettings(signal_months=3)  # joint planning in June: 6 months ago
    st = ladder_stages(cube, now, as_of=AS_OF, events=events, settings=short)
    assert st.set_index("account_id").loc["climb", "stage"] == "client"


def test_a_prospect_has_an_opportunity_and_no_order(cube, statuses):
    now = statuses[statuses["as_of"] == AS_OF]
    opps = pd.DataFrame({"account_id": ["new", "climb"]})
    st = ladder_stages(cube, now, as_of=AS_OF, opportunities=opps).set_index("account_id")
    assert st.loc["new", "stage"] == "prospect" and st.loc["new", "rank"] == 1
    assert st.loc["climb", "stage"] == "client"  # an order outranks the opportunity
    assert st.loc["climb", "reason"].startswith("bought in 12 of the last 12 months")


def test_the_transition_matrix_and_the_accounts_behind_each_cell(history):
    moves = transitions(history, "2024-12-31", "2025-12-31")
    got = {(r.from_stage, r.to_stage): (r.move, r.accounts, r.account_ids)
           for r in moves.itertuples()}
    assert got == {("client", "customer"): ("down", 1, "fallback"),
                   ("client", "lost"): ("down", 1, "lost"),
                   ("supporter", "partner"): ("up", 1, "climb")}
    matrix = transition_matrix(moves)
    assert matrix.loc["client", "lost"] == 1 and matrix.loc["supporter", "partner"] == 1
    assert matrix.to_numpy().sum() == 3


def test_a_new_account_comes_from_not_yet_and_a_won_back_one_moves_up():
    h = pd.DataFrame({"account_id": ["a", "b", "a", "b", "c"],
                      "as_of": pd.to_datetime(["2024-12-31"] * 2 + ["2025-12-31"] * 3),
                      "stage": ["lost", "client", "customer", "client", "customer"]})
    moves = transitions(h, "2024-12-31", "2025-12-31").set_index(["from_stage", "to_stage"])
    assert moves.loc[("lost", "customer"), "move"] == "up"
    assert moves.loc[("not yet", "customer"), "account_ids"] == "c"
    assert moves.loc[("client", "client"), "move"] == "stayed"
    counts = stage_counts(h)
    assert counts.loc["2025-12-31", "customer"] == 2 and counts.loc["2024-12-31", "lost"] == 1


# --- bonds ---------------------------------------------------------------------------------

@pytest.fixture
def bond_data():
    ap = pd.DataFrame({"account_id": ["a", "b", "c"], "product": "x",
                       "revenue": [100.0, 100.0, 100.0], "cost": [50.0, 50.0, 62.5]})
    contacts = pd.DataFrame({"account_id": ["a", "a", "b"], "circle": [1, 2, 3],
                             "last_contact": AS_OF - pd.to_timedelta([10, 80, 5], "D")})
    activities = pd.DataFrame({"account_id": ["b"], "activity": ["custom_report"],
                               "date": pd.to_datetime(["2025-06-01"]), "quantity": [1.0]})
    events = pd.DataFrame({"account_id": ["a"], "type": ["multi-year contract"],
                           "date": pd.to_datetime(["2024-01-01"])})
    return dict(account_product=ap, contacts=contacts, activities=activities, events=events)


def test_bonds_from_stated_signals(bond_data):
    b = relationship_bonds(["a", "b", "c"], as_of=AS_OF, **bond_data).set_index("account_id")
    # c's cost share 0.625 against the median 0.5: discount 1 - 0.5 / 0.625 = 20%
    assert b["discount_estimate"].round(6).tolist() == [0.0, 0.0, 0.2]
    assert b["bonds"].tolist() == ["social, structural", "customisation", "financial"]
    assert b["financial_only"].tolist() == [False, False, True]
    assert b.loc["a", "recent_contacts"] == 2  # circles 1 and 2 within 90 days


def test_a_bond_the_data_cannot_show_is_named(bond_data):
    no_cost = bond_data["account_product"].drop(columns="cost")
    b = relationship_bonds(["a", "b", "c"], as_of=AS_OF, account_product=no_cost,
                           contacts=bond_data["contacts"])
    assert not b["financial"].any() and not b["financial_only"].any()
    assert set(b.attrs["not_seen"]) == {"financial", "customisation", "structural"}


def test_a_contract_older_than_the_structural_window_no_longer_holds(bond_data):
    short = RelationshipSettings(structural_months=12)
    b = relationship_bonds(["a"], as_of=AS_OF, events=bond_data["events"], settings=short)
    assert not b["structural"].iloc[0]


# --- KAM stages ----------------------------------------------------------------------------

def test_each_kam_stage_from_its_rule():
    ids = ["unc", "pre", "early", "mid", "part", "syn", "esc"]
    first = pd.to_datetime(["2018-01-01", "2025-06-01", "2024-06-01"] + ["2018-01-01"] * 4)
    status = pd.DataFrame({"account_id": ids, "first_purchase": first,
                           "status": ["at risk"] + ["active"] * 6,
                           "revenue_l12m": [100.0, 100, 100, 250, 400, 600, 250]})
    accounts = pd.DataFrame({"account_id": ids, "wallet_estimate": 1000.0})
    ap = pd.DataFrame({"account_id": np.repeat(ids, 2), "product": ["x", "y"] * 7,
                       "last_date": pd.Timestamp("2025-11-01")})
    contacts = pd.DataFrame({"account_id": ids, "circle": 1,
                             "last_contact": pd.Timestamp("2025-12-01")})
    events = pd.DataFrame({"account_id": ["part", "syn", "syn", "esc"],
                           "type": ["joint planning", "joint planning", "joint investment",
                                    "escalation"],
                           "date": pd.to_datetime(["2025-03-01"] * 3 + ["2025-10-01"])})
    k = kam_stages(status, as_of=AS_OF, account_product=ap, accounts=accounts,
                   contacts=contacts, events=events).set_index("account_id")
    assert k["kam_stage"].astype(str).to_dict() == {
        "unc": "uncoupling", "pre": "pre-KAM", "early": "early", "mid": "mid",
        "part": "partnership", "syn": "synergistic", "esc": "uncoupling"}
    assert k.loc["mid", "share_of_wallet"] == 0.25 and k.loc["mid", "products_12m"] == 2
    assert "1 escalation(s)" in k.loc["esc", "reason"]
    # without contacts, the decision-maker condition is left out and named
    k2 = kam_stages(status, as_of=AS_OF, account_product=ap, accounts=accounts,
                    events=events)
    assert "decision makers" in k2.attrs["not_seen"]
    assert k2.set_index("account_id").loc["mid", "kam_stage"] == "mid"


# --- health --------------------------------------------------------------------------------

@pytest.fixture
def one():
    """h1: revenue 60 after 100 (-40%), 40 days since its last purchase, usually 20."""
    return pd.DataFrame({"account_id": ["h1"], "status": ["at risk"], "revenue_l12m": [60.0],
                         "revenue_p12m": [100.0], "days_since_purchase": [40.0],
                         "typical_gap_days": [20.0]})


def test_each_signal_by_hand(one):
    # breadth: 2 products a month the year before, 1 in the last 12 months: 50
    am = pd.concat([months("h1", ["2024-05-01", "2024-09-01"], products=2),
                    months("h1", ["2025-05-01"], products=1)])
    accounts = pd.DataFrame({"account_id": ["h1"], "wallet_estimate": [400.0]})
    contacts = pd.DataFrame({"account_id": ["h1"], "circle": [1],
                             "last_contact": [AS_OF - pd.Timedelta(days=200)]})
    events = pd.DataFrame({"account_id": "h1", "type": ["complaint", "complaint", "escalation"],
                           "date": pd.to_datetime(["2025-02-01", "2025-07-01", "2025-11-01"])})
    m = health_measures(one, as_of=AS_OF, account_month=am, accounts=accounts,
                        contacts=contacts, events=events).iloc[0]
    # trend: -40% of a full drop at -50%: 100 x (1 - 0.8) = 20; rhythm: 2 times its gap,
    # 0 at 3 times: 100 x (3 - 2) / 2 = 50; share of wallet 60 / 400 = 15% of the 30% target;
    # decision maker known but 200 days ago: 50; complaints 100 - 2 x 20 - 50 = 10
    assert m[["revenue_trend", "breadth", "share_of_wallet", "rhythm", "decision_makers",
              "complaints"]].round(6).tolist() == [20.0, 50.0, 50.0, 50.0, 50.0, 10.0]


def test_the_score_weighs_the_known_signals_and_says_why_largest_first(one):
    am = pd.concat([months("h1", ["2024-05-01"], products=2), months("h1", ["2025-05-01"])])
    h = health_scores(one, as_of=AS_OF, account_month=am).iloc[0]
    # known: trend 20 (weight 3), breadth 50 (1), rhythm 50 (2): (60 + 50 + 100) / 6 = 35
    assert h["score"] == pytest.approx(35.0) and h["flagged"]
    assert np.isnan(h["share_of_wallet"]) and np.isnan(h["complaints"])
    # points lost: trend 3/6 x 80 = 40, rhythm 2/6 x 50 = 16.7, breadth 1/6 x 50 = 8.3
    assert h["reasons"] == ("revenue 40% below the 12 months before (-40 points); no purchase "
                            "for 40 days, 2.0 times its usual 20 (-17 points); 50% fewer "
                            "products per purchase month than the year before (-8 points)")


def test_a_lost_account_is_not_flagged_and_a_healthy_one_has_no_reasons(one):
    rows = pd.concat([one.assign(status="lost"),
                      one.assign(account_id="ok", status="active", revenue_l12m=120.0,
                                 days_since_purchase=10.0)])
    h = health_scores(rows, as_of=AS_OF).set_index("account_id")
    assert not h.loc["h1", "flagged"] and h.loc["h1", "score"] < 60
    assert h.loc["ok", "score"] == 100 and h.loc["ok", "reasons"] == ""


def test_the_history_sees_no_future(cube):
    ends = pd.date_range("2024-06-30", "2025-06-30", freq="ME")
    before = health_history(status_history(cube, month_ends=ends), account_month=cube)
    later = pd.concat([cube, months("fallback", ["2025-06-01"], revenue=1e6)])
    after = health_history(status_history(later, month_ends=ends), account_month=later)
    early = before["as_of"] < "2025-06-01"
    pd.testing.assert_frame_equal(before[early].reset_index(drop=True),
                                  after[after["as_of"] < "2025-06-01"].reset_index(drop=True))


def test_the_backtest_by_hand():
    d = pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31"])
    h = pd.DataFrame({"account_id": list("abcd") * 3, "as_of": d.repeat(4),
                      "status": ["active"] * 4 + ["active"] * 4 + ["lost", "active", "lost",
                                                                    "active"],
                      "flagged": [True, False, False, False, True, True, False, False,
                                  False] * 1 + [False] * 3})
    bt = health_backtest(h, months=2)  # only 31 January has two months after it
    assert bt["as_of"].tolist() == [pd.Timestamp("2025-01-31")]
    # 4 not lost; a flagged; a and c lost by 31 March: flagged rate 1, base 0.5, lift 2
    assert bt.iloc[0, 1:].tolist() == [4, 1, 1, 2, 0.5, 1.0, 2.0]
    one_month = health_backtest(h, months=1)
    # 31 Jan: nobody lost by 28 Feb; 28 Feb: a and b flagged, a and c lost in March
    assert one_month["flagged_lost"].tolist() == [0, 1]
    total = backtest_summary(one_month)
    assert total["lift"] == pytest.approx((1 / 3) / (2 / 8))


# --- settings ------------------------------------------------------------------------------

def test_settings_from_kam_toml(tmp_path):
    (tmp_path / "t.csv").write_text("account_id,date,revenue\n1,2025-01-01,5\n")
    toml = tmp_path / "kam.toml"
    toml.write_text('[tables.transactions]\nfile = "t.csv"\n[relationships]\nclient_months = 4\n'
                    "flag_below = 50\n[relationships.weights]\nrhythm = 5\n")
    s = load_config(toml).relationships
    assert (s.client_months, s.flag_below, s.weight_map()["rhythm"]) == (4, 50.0, 5.0)


@pytest.mark.parametrize("raw, text", [
    ({"client_month": 3}, "unknown setting(s) ['client_month']"),
    ({"client_months": 1}, "client_months = 1: expected a whole number between 2 and 12"),
    ({"client_months": "3"}, "client_months"),
    ({"weights": {"loyalty": 1}}, "loyalty = 1: unknown signal"),
    ({"weights": {"rhythm": -1}}, "rhythm = -1: expected a number, 0 or more"),
    ({"weights": {k: 0 for k in ("revenue_trend", "breadth", "share_of_wallet", "rhythm",
                                 "decision_makers", "complaints")}}, "every weight is 0"),
    ({"mid_wallet": 0.5, "partnership_wallet": 0.3}, "must rise"),
])
def test_a_bad_setting_names_section_key_and_value(raw, text):
    with pytest.raises(ConfigError, match="relationships") as err:
        parse_relationships(raw, None)
    assert text in str(err.value)


# --- the bundled sample ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_frames():
    import kamlib
    from kamlib.relationships import dataset_relationships

    ds = kamlib.load()
    return ds, dataset_relationships(ds)


def test_every_stage_and_bond_occurs_in_the_sample(sample_frames):
    ds, f = sample_frames
    now = set(f["ladder"]["stage"].astype(str))
    assert {"customer", "client", "supporter", "advocate", "partner", "lost"} <= now
    assert "prospect" in set(f["ladder_history"]["stage"].astype(str))
    assert f["bonds"][["financial", "social", "customisation", "structural",
                       "financial_only"]].any().all()
    assert set(f["kam"]["kam_stage"].astype(str)) == {"pre-KAM", "early", "mid", "partnership",
                                                      "synergistic", "uncoupling"}


def test_the_sample_backtest_beats_the_base_rate(sample_frames):
    ds, f = sample_frames
    total = backtest_summary(f["backtest"])
    assert total["dates"] == 19 and total["lift"] > 3
    assert round(total["lift"], 2) == 8.16  # the figure of the page, for the record
    # the last history point is the score of today, and "lost" is the status frame's
    from kamlib.status import dataset_status

    status = dataset_status(ds).set_index("account_id")["status"].astype(str)
    last = f["health_history"][f["health_history"]["as_of"] == pd.Timestamp(ds.as_of)]
    assert last.set_index("account_id")["status"].astype(str).equals(status)
    pd.testing.assert_series_equal(last.set_index("account_id")["score"],
                                   f["health"].set_index("account_id")["score"])


def test_a_sample_without_events_names_what_it_cannot_see(sample_frames):
    ds, _ = sample_frames
    c = ds.cube
    f = relationship_frames(c.account_month, c.account_timing, c.account_product,
                            as_of=ds.as_of, start=ds.start, accounts=ds.accounts)
    assert set(f["ladder"]["stage"].astype(str)) <= {"customer", "client", "lost", "not yet"}
    assert {"supporter", "advocate", "partner", "prospect"} <= set(f["ladder"].attrs["not_seen"])
    assert "structural" in f["bonds"].attrs["not_seen"]
    assert not f["kam"]["kam_stage"].isin(["partnership", "synergistic"]).any()
    assert np.isnan(f["health"]["complaints"]).all()
    assert set(f["accounts"].columns) >= {"stage", "bonds", "kam_stage", "score", "reasons"}


# --- charts --------------------------------------------------------------------------------

def test_charts_draw_what_the_frames_hold(history):
    from kamlib.plots import health_chart, score_trend_chart, set_theme, stage_chart

    set_theme()
    counts = stage_counts(history)
    ax = stage_chart(counts).axes[0]
    shown = [c for c in counts.columns if counts[c].sum() > 0]  # customer ... lost: 5
    assert len(ax.patches) == len(shown) * len(counts) == 5 * 24
    assert [t.get_text() for t in ax.get_legend().get_texts()] == shown
    health = pd.DataFrame({"score": [15.0, 55.0, 65.0, 95.0, 10.0],
                           "status": ["active"] * 4 + ["lost"]})
    bars = health_chart(health, flag_below=60).axes[0].patches
    # bands of 10: one account in 10-20, 50-60, 60-70, 90-100; the lost one is left out
    assert [b.get_height() for b in bars] == [0, 1, 0, 0, 0, 1, 1, 0, 0, 1]
    assert bars[5].get_facecolor() != bars[6].get_facecolor()  # red below the flag line
    h = pd.DataFrame({"account_id": ["a", "a", "b"], "score": [90.0, 55.0, 20.0],
                      "as_of": pd.to_datetime(["2025-11-30", "2025-12-31", "2025-12-31"])})
    line = score_trend_chart(h, "a", flag_below=60).axes[0].lines[0]
    assert list(line.get_ydata()) == [90.0, 55.0]
