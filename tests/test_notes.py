"""The written plan inputs: text where written, a prompt where not, never an error."""

from __future__ import annotations

import pandas as pd

from kamlib.planning.notes import SECTIONS, notes_template, plan_notes


def test_missing_sections_become_prompts_and_written_ones_are_kept():
    notes = pd.DataFrame({"account_id": ["a", "a", "a", "b", "zz"],
                          "section": ["Objectives", "competitors", "competitors", "threats",
                                      "objectives"],
                          "text": ["Grow 20%", "Telkom (network)", "Lintas (cloud)", "  ",
                                   "not planned"]})
    plan = plan_notes(notes, ["b", "a"])
    assert plan["account_id"].tolist() == ["b"] * len(SECTIONS) + ["a"] * len(SECTIONS)
    a = plan[plan.account_id == "a"].set_index("section")
    assert a.loc["objectives", "text"] == "Grow 20%" and a.loc["objectives", "written"]
    assert a.loc["competitors", "text"] == "Telkom (network)\n\nLintas (cloud)"
    assert not a.loc["threats", "written"]
    assert a.loc["threats", "text"] == SECTIONS["threats"][1]
    b = plan[plan.account_id == "b"]
    assert not b["written"].any()                     # a blank text is not written
    assert list(a["ifa"].unique()) == ["Imagine", "Focus", "Action"]


def test_no_notes_table_gives_every_prompt_and_extra_sections_are_kept():
    assert not plan_notes(None, ["a"])["written"].any()
    extra = pd.DataFrame({"account_id": ["a"], "section": ["it master plan"],
                          "text": ["Joint session in March"]})
    plan = plan_notes(extra, ["a"])
    assert plan.iloc[-1][["section", "written"]].tolist() == ["it master plan", True]


def test_template_has_one_row_per_account_and_section():
    acc = pd.DataFrame({"account_id": ["a", "b"], "account_name": ["A", "B"]})
    t = notes_template(acc)
    assert len(t) == 2 * len(SECTIONS) and (t["text"] == "").all()
