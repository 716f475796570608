"""The account plan as a meeting document (issue 20): summary, relationship map, pipeline,
risks, a win-back plan for a lost account, plain headers; printed on at most three A4 pages."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from kamlib.planning import plan_page
from kamlib.planning.actions import next_actions
from kamlib.planning.pipeline import pipeline

AS_OF = "2025-12-31"


def _frames(status: str = "active") -> dict[str, pd.DataFrame]:
    opps = pd.DataFrame({
        "account_id": ["a"] * 4, "opportunity_id": ["OPP1", "OPP2", "OPP3", "OPP4"],
        "stage": ["proposal", "negotiation", "won", "lost"],
        "product": ["Cloud", "IoT", "Security", "Cloud"],
        "value": [1000.0, 2000.0, 700.0, 300.0],
        "close_date": pd.to_datetime(["2026-02-20", "2025-12-01", "2025-03-01",
                                      "2024-05-01"])})
    schedule = pd.DataFrame({
        "account_manager": ["Sari"] * 4, "account_id": ["a"] * 4,
        "date": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-08"]),
        "kind": ["routine contact"] * 3 + ["top-management visit"]})
    if status == "lost":
        schedule = pd.DataFrame({"account_manager": ["Sari"], "account_id": ["a"],
                                 "date": pd.to_datetime(["2026-01-02"]),
                                 "kind": ["win-back call"]})
    return {
        "info": pd.DataFrame({"account_id": ["a"], "account_name": ["Bank A"],
                              "account_manager": ["Sari"], "industry": ["Banking"]}),
        "status": pd.DataFrame({
            "account_id": ["a"], "status": [status], "reasons": [
                "no purchase since 2023-09-12 (841 days; lost after 180)" if status == "lost"
                else ""], "warnings": [""], "revenue_l12m": [0.0 if status == "lost" else
                                                              500.0],
            "revenue_p12m": [400.0], "profit_l12m": [20.0],
            "last_purchase": pd.to_datetime(["2023-09-12"]),
            "days_since_purchase": [841.0]}),
        "contacts": pd.DataFrame({
            "account_id": ["a"] * 4, "contact_name": ["Ani", "Budi", "Citra", "Dewi"],
            "role": ["CEO", "CFO", "IT Manager", "Office Manager"],
            "influence": ["decision maker", "decision maker", "influencer", "user"],
            "circle": [1, 1, 2, 3],
            "last_contact": pd.to_datetime(["2025-12-20", "2025-06-01", "2025-12-01",
                                            "2024-01-01"]),
            "days_since_contact": [11.0, 213.0, 30.0, 730.0],
            "stale": [False, True, False, True]}),
        "circles": pd.DataFrame({"account_id": ["a"], "contacts": [4], "decision_makers": [2],
                                 "stale_contacts": [2], "uncovered": [""]}),
        "pipeline": pipeline(opps, as_of=AS_OF),
        "schedule": schedule,
        "products": pd.DataFrame({"account_id": ["a"] * 3,
                                  "product": ["Cloud", "Security", "IoT"],
                                  "revenue": [900.0, 500.0, 100.0],
                                  "first_date": pd.to_datetime(["2023-01-08"] * 3),
                                  "last_date": pd.to_datetime(["2023-09-12"] * 3)}),
        "cross_sell": pd.DataFrame({"account_id": ["a"], "product": ["Connectivity"],
                                    "peers_buying": [8], "group_size": [15],
                                    "peer_rate": [0.53], "lift": [3.2],
                                    "median_spend": [700.0], "expected_value": [371.0]}),
        "risks": pd.DataFrame({"account_id": ["a"], "risk": ["opportunities overdue"],
                               "evidence": ["1 open past the close date"]}),
        "notes": pd.DataFrame({"account_id": ["a", "a"], "ifa": ["Imagine", "Action"],
                               "section": ["objectives", "actions"],
                               "text": ["Double the cloud business.", "What to do?"],
                               "written": [True, False]}),
    }


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))


def test_next_actions_of_an_active_account_by_weight_then_date():
    # the open opportunity closing first (IoT, overdue since 1 Dec: due at the first
    # contact, 5 Jan), the visit (8 Jan), the cross-sell proposal (second contact, 12 Jan)
    got = next_actions(_frames()).astype({"date": str}).values.tolist()
    assert got == [
        ["2026-01-05", "Bring the IoT opportunity (negotiation, value 2,000) to a decision",
         "Sari"],
        ["2026-01-08", "Top-management visit", "top management with Sari"],
        ["2026-01-12", "Propose Connectivity (bought by 8 of 15 similar accounts)", "Sari"]]


def test_next_actions_of_a_lost_account_win_it_back():
    got = next_actions(_frames("lost")).astype({"date": str}).values.tolist()
    # the decision maker reached last is Ani (CEO); the offer: its two largest products
    assert got == [
        ["2026-01-02", "Win-back call to Ani (CEO): why it stopped buying (last purchase "
         "2023-09-12)", "Sari"],
        ["2026-01-16", "Send the return offer: Cloud and Security", "Sari"],
        ["2026-01-30", "Decide: routine contacts again if it buys, else release it from the "
         "key accounts", "Sari"]]


def test_plan_lists_every_contact_and_the_pipeline_and_opens_with_the_summary():
    html = plan_page.plan(_frames(), "a", [])
    text = _text(html)
    for name in ("Ani", "Budi", "Citra", "Dewi"):       # recent and lapsed contacts alike
        assert name in text
    assert text.index("Ani") < text.index("Budi") < text.index("Citra")  # by circle, DM first
    assert html.count("class='kamkit-flag'") == 2 + 1   # two lapsed contacts, one overdue deal
    # open ones with weighted value: 1000 x 30%, 2000 x 60%; won and lost history
    assert "OPP1" in text and "300" in text and "1,200" in text and "OPP4" in text
    assert "2 open opportunities, weighted 1,500" in text
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == ["Summary", "Relationship map", "Pipeline", "Risks", "Next quarter",
                        "The account today", "Account manager's notes",
                        "How this was computed"]
    assert "Routine contacts (3, Sari): 05 Jan, 12 Jan, 19 Jan." in text
    assert "Connectivity" in text
    # the notes at the end: written ones, then the empty prompts in one line
    assert "Double the cloud business." in text and "Not written yet: actions." in text
    # links back to the plans' index and the report's index, at the top and the end
    assert html.count("href='index.html'") == 2 and html.count("href='../index.html'") == 2


def test_a_lost_account_gets_a_win_back_plan_without_routine_or_cross_sell():
    html = plan_page.plan(_frames("lost"), "a", [])
    text = _text(html)
    assert "Win-back plan" in text and "Next quarter" not in text
    assert "Routine contact" not in text and "Top-management visit" not in text
    assert "Cross-sell" not in text and "Connectivity" not in text
    assert "It stopped buying on 12 Sep 2023, 841 days ago" in text
    assert "Win-back call by Sari on 02 Jan 2026" in text
    assert "Decision makers: Ani (CEO), Budi (CFO)" in text
    assert "A return offer on what it bought most: Cloud and Security" in text
    assert "Status: lost" in text


def test_the_status_says_why_once_with_the_warnings_of_a_new_account():
    frames = _frames("at risk")
    frames["status"] = frames["status"].assign(reasons=["revenue 35% below"],
                                               warnings=["revenue 35% below"])
    assert "Status: at risk</span> &ndash; revenue 35% below.</p>" in plan_page.plan(
        frames, "a", [])
    frames["status"] = frames["status"].assign(status=["new"], reasons=["first purchase on "
                                               "2025-03-01"], warnings=["revenue 35% below"])
    assert "&ndash; first purchase on 2025-03-01; revenue 35% below.</p>" in plan_page.plan(
        frames, "a", [])


@pytest.mark.parametrize("status", ["active", "lost"])
def test_plan_headers_are_plain_words_and_values_not_python(status):
    html = plan_page.plan(_frames(status), "a", ["A notice."])
    for header in re.findall(r"<th>(.*?)</th>", html):
        assert "_" not in header and header[:1].isupper(), header
    words = set(re.findall(r"[A-Za-z_]+", _text(html)))
    assert not words & {"nan", "NaN", "None", "True", "False", "NaT", "inf"}
    assert not [w for w in words if "_" in w]


# --- printed: the real sample's plans ------------------------------------------------------

@pytest.mark.slow
def test_plans_print_on_at_most_three_a4_pages(tmp_path):
    """The largest account (001334), the accounts with the most contacts and the most
    opportunities (000127 and 000273 in the sample; found, not assumed), and a lost key
    account (000119)."""
    from pypdf import PdfReader

    from kamlib import open_dataset
    from kamlib.cli import main

    pytest.importorskip("playwright")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no chromium")
    ds = open_dataset()

    def most(table: pd.DataFrame) -> str:  # ties: the smallest id
        counts = table["account_id"].value_counts()
        return str(min(counts.index, key=lambda a: (-counts[a], a)))

    ids = list(dict.fromkeys(["001334", most(ds.contacts), most(ds.opportunities), "000119"]))
    assert ids == ["001334", "000127", "000273", "000119"]  # the sample as the docstring says
    out = tmp_path / "plans"
    assert main(["plans", "--accounts", ",".join(ids), "--out", str(out), "--pdf"]) == 0
    for a in ids:
        pages = len(PdfReader(out / f"{a}.pdf").pages)
        assert 1 <= pages <= 3, (a, pages)
        html = (out / f"{a}.html").read_text(encoding="utf-8")
        text = _text(html)
        for name in ds.contacts.loc[ds.contacts["account_id"] == a, "contact_name"]:
            assert name in text, (a, name)
        opps = ds.opportunities[ds.opportunities["account_id"] == a]
        for opp in opps["opportunity_id"]:
            assert opp in text, (a, opp)
        assert re.search(r"href=[\"']index.html", html), a
        assert re.search(r"href=[\"']\.\./index.html", html), a
    lost = _text((out / "000119.html").read_text(encoding="utf-8"))
    assert "Win-back plan" in lost and "Routine contact" not in lost
    assert "Top-management visit" not in lost and "Cross-sell" not in lost
    calendars = "".join(p.read_text() for p in out.glob("*.ics")).replace("\r\n ", "")
    assert "Win-back call: Toba Retail Holdings" in calendars
    assert "Routine contact: Toba Retail Holdings" not in calendars


def test_stage_and_health_section_by_hand():
    from kamlib.planning.plan_page import stage_and_health

    frames = {"relationship": pd.DataFrame([{
        "account_id": "a", "stage": "client", "stage_reason": "bought in 5 of 12 months",
        "kam_stage": "early", "kam_reason": "2 years", "bonds": "financial",
        "financial_only": True, "score": 62.4, "score_year_ago": 80.0,
        "reasons": "revenue 30% below the 12 months before (-20 points)"}]),
        "health_history": pd.DataFrame({"account_id": "a", "as_of": pd.to_datetime(
            ["2025-10-31", "2025-11-30", "2025-12-31"]), "score": [80.0, 55.0, 62.4]})}
    page = stage_and_health(frames)
    assert "62 of 100, a year before 80" in page
    assert "held by price alone" in page and "lowest 55, now 62" in page
    assert page.count("<svg") == 1
    assert stage_and_health({}) == ""


def test_win_back_offer_is_the_retention_modules():
    from kamlib.planning.plan_page import win_back

    frames = {"winback": pd.DataFrame([{
        "account_id": "a", "offer_type": "return price offer",
        "offer": "a time-limited return price or volume bonus on Cloud",
        "reasons": "price", "contact": "Ann (CEO)"}])}
    page = win_back(frames)
    assert ("Return price offer: a time-limited return price or volume bonus on Cloud. Why "
            "it likely left: price. Call Ann (CEO).") in page
    assert "Ask what made it stop" in win_back({"winback": frames["winback"].iloc[:0]})
