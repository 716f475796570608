"""Silent wrong numbers, round 3 (issue 25): never a silent pick among candidates, numbers
that cannot be what they seem, one column read as two, dates that depend on the machine's
zone, a year typo that moves the as-of date, look-alike ids, and movements across changed
settings. Same style as ``test_bad_inputs.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from test_bad_inputs import HEADER, TODAY, check, only, write, xlsx  # noqa: F401

import kamlib
from kamlib.data.config import Analysis, ConfigError, load_config
from kamlib.report.history import (figure_settings, history_entry, settings_change,
                                   with_movements)
from kamlib.report.index import index_html

ROOT = Path(__file__).resolve().parents[1]


# --- never a silent pick among candidates ----------------------------------------------------

def _book(sheets: dict[str, list[list]]) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


H = ["account_id", "date", "revenue"]
H1 = [H, ["001", "2024-01-05", 100], ["002", "2024-02-05", 70]]
H2 = [H, ["001", "2024-07-05", 40], ["003", "2024-08-05", 20]]


@pytest.mark.parametrize("sheets, named", [
    ({"H1 2024": H1, "H2 2024": H2}, ["H1 2024", "H2 2024"]),
    ({"Notes": [["read me"]], "Q1": H1, "Q2": H2, "Q3": H2}, ["Q1", "Q2", "Q3"]),
    ({"Title": [["Sales"]], "2023": [["Sales export"], H, ["001", "2023-05-01", 5]],
      "2024": [["Sales export"], H, ["001", "2024-05-01", 6]]}, ["2023", "2024"]),
])
def test_a_workbook_with_several_sheets_of_one_table_is_an_error_naming_them(write, sheets,
                                                                           named):
    toml = "" if "Title" not in sheets else "[tables.transactions]\nheader_row = 2\n"
    config = write(toml, **{"transactions.csv": None, "transactions.xlsx": _book(sheets)})
    p = only(check(config))
    assert (p.table, p.rule, list(p.values)) == ("transactions", "ambiguous-sheet", named)
    assert "sheet = one of" in p.hint


def test_one_sheet_of_the_table_among_others_is_read_and_a_named_sheet_rules(write):
    config = write(**{"transactions.csv": None,
                      "transactions.xlsx": _book({"Read me": [["notes"]], "Data": H1})})
    ds = kamlib.load(config, today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == 170
    both = write('[tables.transactions]\nsheet = "H2 2024"\n', **{
        "transactions.csv": None, "transactions.xlsx": _book({"H1 2024": H1, "H2 2024": H2})})
    assert kamlib.load(both, today=TODAY).cube.account_month["revenue"].sum() == 60


@pytest.mark.parametrize("other", ["transactions.xlsx", "transactions.parquet",
                                   "transactions.tsv"])
def test_two_files_for_one_table_are_an_error_naming_both(write, tmp_path, other):
    data = {"transactions.xlsx": _book({"Data": H1}), "transactions.tsv":
            "account_id\tdate\trevenue\n001\t2024-01-05\t1\n"}.get(other)
    if other.endswith(".parquet"):
        pd.DataFrame({"account_id": ["001"], "date": ["2024-01-05"], "revenue": [1.0]}
                     ).to_parquet(tmp_path / other)
    config = write(**({other: data} if data else {}))
    p = only(check(config))
    assert p.rule == "ambiguous-file" and set(p.values) == {"transactions.csv", other}


@pytest.mark.parametrize("first, second", [("key_account", "key account"),
                                           ("key account", "Key Account"),
                                           ("serve", "SERVE"), ("key-account", "key_account")])
def test_two_spellings_of_one_cadence_tier_are_an_error_naming_both(tmp_path, first, second):
    (tmp_path / "kam.toml").write_text(f'[plans.cadences]\n"{first}" = {{ every = 3 }}\n'
                                       f'"{second}" = {{ every = 9 }}\n')
    with pytest.raises(ConfigError, match=f"'{first}' and '{second}' are the same tier"):
        load_config(tmp_path / "kam.toml")


@pytest.mark.parametrize("columns, says", [
    ('{ quantity = "Qty", line_no = "Qty" }', "line_no and quantity"),
    ('{ quantity = "qty", line_no = " QTY" }', "line_no and quantity"),
    ('{ cost = "revenue" }', "revenue and cost"),  # the default name of another column
    ('{ product = "Account ID" }', "account_id and product"),
])
def test_one_source_column_read_as_two_is_a_config_error(tmp_path, columns, says):
    (tmp_path / "kam.toml").write_text(f"[tables.transactions]\ncolumns = {columns}\n")
    with pytest.raises(ConfigError, match=says):
        load_config(tmp_path / "kam.toml")


def test_one_source_column_read_as_two_in_a_config_built_in_code_is_a_file_error(write):
    config = load_config(write())
    tables = {**config.tables, "transactions": replace(config.tables["transactions"],
                                                       columns={"cost": "revenue"})}
    p = only(check(replace(config, tables=tables)))
    assert (p.rule, list(p.values)) == ("column-mapped-twice", ["revenue", "cost"])


# --- numbers that cannot be what they seem ----------------------------------------------------

@pytest.mark.parametrize("value", ["0.001", "00.500", "-0.500", "0.000,5", "000.001.000"])
def test_a_grouped_number_cannot_start_with_a_zero_group(write, value):
    text = HEADER + f'001,2024-01-05,"{value}",Cloud,1,I1\n002,2024-01-20,"1.234,5",Cloud,1,I2\n'
    p = only(check(write('[format]\ndecimal = ","\nthousands = "."\n',
                         **{"transactions.csv": text})))
    assert (p.rule, list(p.lines), list(p.values)) == ("number-format", [2], [value])


def test_grouped_numbers_that_are_what_they_seem_still_read(write):
    text = HEADER + ('001,2024-01-05,"1.000",Cloud,1,I1\n002,2024-01-20,"0,5",Cloud,1,I2\n'
                     '003,2024-01-21,"12.345.678,9",Cloud,1,I3\n')
    ds = kamlib.load(write('[format]\ndecimal = ","\nthousands = "."\n',
                           **{"transactions.csv": text}), today=TODAY)
    assert sorted(ds.cube.account_month["revenue"]) == [0.5, 1000.0, 12345678.9]


@pytest.mark.parametrize("amounts, currency, found", [
    (["€ 100", "$ 100", "JPY 100", "Rp 100"], "EUR", "EUR, IDR, JPY, USD"),
    (["$ 100", "100"], "EUR", "EUR, USD"),  # an amount without a mark is in [format] currency
    (["£5", "GBP 5", "€5"], "GBP", "EUR, GBP"),
    (["100 EUR", "100 CHF"], "EUR", "CHF, EUR"),
    (["¥ 100", "JPY 5"], "CNY", "CNY, JPY"),  # the sign is the yuan in a CNY report
    (["$ 100", "USD 5"], "AUD", "AUD, USD"),
])
def test_several_currencies_in_one_column_are_an_error(write, amounts, currency, found):
    text = HEADER + "".join(f"00{i % 3 + 1},2024-01-0{i + 1},{a},Cloud,1,I{i}\n"
                            for i, a in enumerate(amounts))
    p = only(check(write(f'[format]\ncurrency = "{currency}"\n', **{"transactions.csv": text})))
    assert p.rule == "mixed-currencies" and f"({found})" in p.message
    assert p.column == "revenue" and list(p.lines) == list(range(2, 2 + len(amounts)))


@pytest.mark.parametrize("amounts, currency", [(["$ 100", "USD 5", "7"], "USD"),
                                               (["€ 100", "100"], "EUR"),
                                               (["Rp 100", "IDR 5"], "IDR"),
                                               # a sign several currencies write
                                               (["¥ 100", "CNY 5", "7"], "CNY"),
                                               (["¥ 100", "JPY 5"], "JPY"),
                                               (["$ 100", "AUD 5", "7"], "AUD"),
                                               (["$ 100", "7"], "cad")])
def test_one_currency_written_several_ways_is_read(write, amounts, currency):
    text = HEADER + "".join(f"00{i % 3 + 1},2024-01-0{i + 1},{a},Cloud,1,I{i}\n"
                            for i, a in enumerate(amounts))
    report = check(write(f'[format]\ncurrency = "{currency}"\n', **{"transactions.csv": text}))
    assert report.ok, str(report)


# --- a date never depends on the machine's time zone ------------------------------------------

_PROBE = """
import sys, kamlib
from datetime import date
ds = kamlib.load(sys.argv[1], today=date(2025, 1, 1))
am = ds.cube.account_month
print(sorted((a, str(p)[:7]) for a, p in zip(am["account_id"], am[am.columns[1]])), ds.as_of)
"""


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_date_with_an_offset_lands_in_one_month_in_every_zone(tmp_path, kind):
    stamps = ["2024-01-31T23:30:00-05:00", "2024-02-01T00:30:00+09:00", "2024-03-31T23:59:59Z"]
    frame = pd.DataFrame({"account_id": ["001", "002", "003"], "date": stamps,
                          "revenue": [1.0, 2.0, 3.0]})
    if kind == "csv":
        frame.to_csv(tmp_path / "transactions.csv", index=False)
    else:
        frame["date"] = pd.to_datetime(frame["date"], utc=True, format="ISO8601")
        frame.to_parquet(tmp_path / "transactions.parquet")
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    seen = set()
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"):
        env = {**os.environ, "TZ": zone, "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "kam.toml")],
                             env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        seen.add(run.stdout.strip())
    assert len(seen) == 1, seen
    months = {"csv": "('001', '2024-01'), ('002', '2024-02'), ('003', '2024-03')",  # as written
              "parquet": "('001', '2024-02'), ('002', '2024-01'), ('003', '2024-03')"}  # UTC
    assert months[kind] in seen.pop()


# --- a year typo does not move the as-of date -------------------------------------------------

def _weekly(tmp_path, extra: list[str], accounts=("001", "002", "003")) -> Path:
    rows = [f"{a},{(pd.Timestamp('2024-01-03') + pd.Timedelta(days=7 * w)).date()},10"
            for w in range(52) for a in accounts]
    (tmp_path / "transactions.csv").write_text("account_id,date,revenue\n"
                                               + "\n".join(rows + extra) + "\n")
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    return tmp_path / "kam.toml"


@pytest.mark.parametrize("extra", [["002,2026-11-30,10"],
                                   ["002,2026-11-30,10", "001,2026-10-01,5"],
                                   ["003,2025-12-24,10"]])  # one year on, 2024 -> 2025
def test_a_last_date_far_beyond_the_rest_is_warned_and_not_the_as_of_date(tmp_path, extra):
    ds = kamlib.load(_weekly(tmp_path, extra), today=date(2026, 12, 5))
    assert ds.as_of == date(2024, 12, 25)
    warning = only(ds.report, "warning")
    assert warning.rule == "date-outlier" and warning.count == len(extra)
    assert sorted(warning.values) == sorted(e.split(",")[1] for e in extra)
    assert list(warning.lines) == [156 + 2 + i for i in range(len(extra))]


def test_a_configured_as_of_includes_the_far_line_and_sparse_data_is_not_flagged(tmp_path):
    config = _weekly(tmp_path, ["002,2026-11-30,10"])
    config.write_text(config.read_text() + '[analysis]\nas_of = 2026-11-30\n')
    ds = kamlib.load(config, today=date(2026, 12, 5))
    assert ds.as_of == date(2026, 11, 30) and not ds.report.warnings
    # an account that buys once a year: yearly gaps are the rhythm, not a typo
    (tmp_path / "transactions.csv").write_text("account_id,date,revenue\n" + "".join(
        f"00{a},{y}-06-30,10\n" for a in range(1, 4) for y in range(2019, 2025)))
    config.write_text('[source]\nfolder = "."\n')
    ds = kamlib.load(config, today=date(2025, 1, 1))
    assert ds.as_of == date(2024, 6, 30) and not ds.report.warnings


# --- look-alike ids without an accounts table -------------------------------------------------

@pytest.mark.parametrize("ids, groups", [
    (["001", "1", "1.0", "A1", "a1", "B7"], "'001', '1', '1.0'; 'A1', 'a1'"),
    (["K-01", "k-01", "K-02"], "'K-01', 'k-01'"),
    (["0042", "42", "43"], "'0042', '42'"),
])
def test_look_alike_ids_without_an_accounts_table_are_warned(write, ids, groups):
    text = HEADER + "".join(f"{a},2024-01-05,10,Cloud,1,I{i}\n" for i, a in enumerate(ids))
    report = check(write(**{"transactions.csv": text, "accounts.csv": None}))
    w = only(report, "warning")
    assert w.rule == "lookalike-ids" and groups in w.message


def test_look_alike_ids_created_for_unknown_accounts_are_warned(write):
    text = HEADER + "001,2024-01-05,10,Cloud,1,I1\n1,2024-01-06,5,Cloud,1,I2\n"
    report = check(write('[analysis]\nunknown_accounts = "create"\n',
                         **{"transactions.csv": text}))
    assert [p.rule for p in report.warnings] == ["lookalike-ids"]
    assert "'001', '1'" in report.warnings[0].message


# --- movements only between builds whose settings give a figure the same meaning -------------

MODULES = [{"name": "m", "title": "M", "html": "m.html", "headlines": [
    {"key": "revenue", "value": 5065783, "text": "5,065,783", "label": "revenue",
     "fmt": "{:,.0f}"}]}]


def _entry(**analysis):
    currency = analysis.pop("currency", "EUR")
    run = {"as_of": "2025-06-30", "settings": figure_settings(Analysis(**analysis), currency)}
    return history_entry([{**MODULES[0], "headlines": [{**MODULES[0]["headlines"][0],
                                                        "value": 4690540, "text": "4,690,540"}]}],
                         run, "2025-07-01T00:00:00+00:00")


@pytest.mark.parametrize("before, now, says", [
    ({"currency": "EUR"}, {"currency": "USD"}, "currency EUR → USD"),
    ({}, {"abc_cutoffs": (0.7, 0.9)}, "ABC class limits 80% / 95% → 70% / 90%"),
    ({}, {"xyz_period": "Q"}, "XYZ period month → quarter"),
    ({}, {"as_of": date(2025, 6, 30)}, "as-of date the last purchase date → fixed at"),
    ({}, {"lost_after_days": 90}, "lost 180 → 90"),
    ({}, {"target_share": 0.9}, "vital few make 80% → 90%"),
])
def test_no_movement_across_a_changed_setting_and_the_page_says_what_changed(before, now,
                                                                               says):
    previous = _entry(**before)
    settings = _entry(**now)["settings"]
    changed = settings_change(settings, previous["settings"])
    assert says in changed
    moved = with_movements(MODULES, previous, changed)
    assert moved[0]["headlines"][0]["change"] is None
    page = index_html(moved, {}, "leadership", history=True,
                      previous={**previous, "built": "2025-07-01 00:00 UTC", "changed": changed})
    text = " ".join(page.split())
    assert "not compared" in text and "4,690,540" not in text and "new figure" not in text
    assert says.replace("→", "→") in text.replace("&gt;", ">")


def test_same_settings_still_move_and_fixed_as_of_dates_are_two_points_in_time():
    previous = _entry(as_of=date(2024, 12, 31))
    settings = _entry(as_of=date(2025, 6, 30))["settings"]
    assert settings_change(settings, previous["settings"]) == ""
    change = with_movements(MODULES, previous, "")[0]["headlines"][0]["change"]
    assert (change["then"], change["delta"]) == ("4,690,540", "+375,243")
    assert settings_change(settings, None) != ""  # an older kit's line: not compared
