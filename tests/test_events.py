"""The optional events table: read and validated like every other table, its types checked
against the contract (one meaning each), absent without complaint."""

import pytest

import kamlib
from kamlib.data.contract import EVENT_TYPES, TABLES

from test_bad_inputs import BASE, TODAY, check, only, write  # noqa: F401 (fixture)

EVENTS = ("account_id,date,type,note\n"
          "001,2024-01-10,referral,Recommended us\n"
          "002,2024-01-20,joint planning,\n")


def test_the_contract_names_every_event_type_and_the_table_is_optional():
    spec = TABLES["events"]
    assert spec.column("type").allowed == tuple(EVENT_TYPES) and not spec.required_table
    assert spec.required == ("account_id", "date", "type")
    assert {"referral", "joint planning", "co-development", "complaint",
            "escalation"} <= set(EVENT_TYPES)


def test_an_events_csv_loads(write):
    ds = kamlib.load(write(**{"events.csv": EVENTS}), today=TODAY)
    assert ds.events[["account_id", "type"]].values.tolist() == [["001", "referral"],
                                                                 ["002", "joint planning"]]
    assert str(ds.events["date"].dtype).startswith("datetime64")
    assert ds.tables["events"] == ["account_id", "date", "type", "note"]


@pytest.mark.parametrize("bad, line", [("referal", 2), ("Joint Planning", 3)])
def test_an_unknown_event_type_names_file_line_column_and_value(write, bad, line):
    rows = ["001,2024-01-10,referral,", "002,2024-01-20,complaint,"]
    rows[line - 2] = f"001,2024-01-10,{bad},x"
    p = only(check(write(**{"events.csv": "account_id,date,type,note\n"
                            + "\n".join(rows) + "\n"})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "events.csv", (line,), "type", "out-of-range", (bad,))
    assert "referral" in p.hint


def test_absent_events_are_fine_and_empty(write):
    ds = kamlib.load(write(), today=TODAY)
    assert "events" not in ds.tables and ds.events.empty
    assert list(ds.events.columns) == ["account_id", "date", "type", "note"]
