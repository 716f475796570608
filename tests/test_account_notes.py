"""The optional account_notes table: what account managers write into their plans, read and
validated like every other table (CSV, Excel, Parquet), absent without complaint."""

import pandas as pd
import pytest

import kamlib
from kamlib.data.contract import NOTE_SECTIONS, TABLES
from kamlib.data.dataset import open_dataset
from kamlib.planning.notes import SECTIONS, plan_notes

from test_bad_inputs import BASE, TODAY, check, only, write, xlsx  # noqa: F401 (fixture)

NOTES = ("account_id,section,text\n"
         "001,objectives,Double cloud revenue\n"
         "001,competitors,Telkomsel offers IoT\n"
         "002,threats,\n")


def test_the_contract_sections_are_the_plan_sections():
    assert tuple(SECTIONS) == NOTE_SECTIONS
    assert TABLES["account_notes"].column("section").allowed == NOTE_SECTIONS
    assert not TABLES["account_notes"].required_table


def test_a_notes_csv_loads_and_feeds_the_plan(write):
    ds = kamlib.load(write(**{"account_notes.csv": NOTES}), today=TODAY)
    notes = ds.account_notes
    assert notes[["account_id", "section"]].values.tolist() == [
        ["001", "objectives"], ["001", "competitors"], ["002", "threats"]]
    plan = plan_notes(notes, ["001", "002"]).set_index(["account_id", "section"])
    assert plan.loc[("001", "objectives"), "text"] == "Double cloud revenue"
    assert not plan.loc[("002", "threats"), "written"]   # an empty text is not written yet


def test_notes_from_excel_load(write):
    book = xlsx([["account_id", "section", "text"], ["003", "actions", "Call the CFO"]],
                sheet="Notes")
    ds = kamlib.load(write(**{"account_notes.xlsx": book}), today=TODAY)
    assert ds.account_notes.values.tolist() == [["003", "actions", "Call the CFO"]]


@pytest.mark.parametrize("bad, line", [("Objectivs", 3), ("swot", 2), ("Objectives", 4)])
def test_an_unknown_section_names_line_column_value_and_the_allowed_ones(write, bad, line):
    rows = ["001,objectives,a", "002,threats,b", "003,actions,c"]
    rows[line - 2] = f"001,{bad},x"
    p = only(check(write(**{"account_notes.csv": "account_id,section,text\n"
                            + "\n".join(rows) + "\n"})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "account_notes.csv", (line,), "section", "out-of-range", (bad,))
    assert "objectives, strengths" in p.hint


def test_notes_for_an_unknown_account_are_an_error(write):
    p = only(check(write(**{"account_notes.csv": "account_id,section,text\n"
                            "009,objectives,x\n"})))
    assert (p.file, p.lines, p.column) == ("account_notes.csv", (2,), "account_id")


def test_absent_notes_are_fine_and_empty(write):
    config = write()
    assert check(config).ok
    ds = kamlib.load(config, today=TODAY)
    assert ds.account_notes.empty
    assert list(ds.account_notes.columns) == ["account_id", "section", "text"]
    assert plan_notes(ds.account_notes, ["001"])["written"].sum() == 0


def test_notes_survive_save_and_open(write, tmp_path_factory):
    ds = kamlib.load(write(**{"account_notes.csv": NOTES}), today=TODAY)
    folder = ds.save(tmp_path_factory.mktemp("prepared"))
    again = open_dataset(prepared=folder)
    pd.testing.assert_frame_equal(again.account_notes, ds.account_notes)


def test_a_folder_prepared_without_notes_still_opens(write, tmp_path_factory):
    ds = kamlib.load(write(), today=TODAY)
    folder = ds.save(tmp_path_factory.mktemp("prepared"))
    (folder / "account_notes.parquet").unlink()
    assert open_dataset(prepared=folder).account_notes.empty


def test_notes_from_parquet_load_and_are_checked(write, tmp_path):
    frame = pd.DataFrame({"account_id": ["001", "002"], "section": ["scenarios", "swot"],
                          "text": ["Win the IoT tender", "x"]})
    buffer = tmp_path / "n.parquet"
    frame.to_parquet(buffer, index=False)
    p = only(check(write(**{"account_notes.parquet": buffer.read_bytes()})))
    assert (p.file, p.column, p.rule, p.values) == (
        "account_notes.parquet", "section", "out-of-range", ("swot",))
    frame.loc[1, "section"] = "threats"
    frame.to_parquet(buffer, index=False)
    ds = kamlib.load(write(**{"account_notes.parquet": buffer.read_bytes()}), today=TODAY)
    assert ds.account_notes["section"].tolist() == ["scenarios", "threats"]
