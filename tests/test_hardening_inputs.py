"""Hostile input the kit must survive: a clear error (file, line, column, rule, values) or a
counted cleaning step naming real values, never a traceback or a silent wrong number.

Same style as ``test_bad_inputs.py``: each test writes the small valid data set with one file
replaced and states what a user must see. Lines are lines of the file (header = line 1).
"""

import io
import zipfile
from datetime import date

import duckdb
import pandas as pd
import pytest
from test_bad_inputs import ACCOUNTS, HEADER, TODAY, TX, check, cleaned, only, write, xlsx  # noqa: F401

import kamlib
from kamlib.cli import main
from kamlib.data.config import ConfigError, load_config


# --- 10: kam.toml values of the wrong type or form -------------------------------------------

@pytest.mark.parametrize("toml, says", [
    ('[tables.accounts]\nheader_row = "1"\n', "[tables.accounts] header_row = '1': expected a "
                                              "whole number"),
    ("[tables.accounts]\nheader_row = 0\n", "header_row = 0"),
    ("[tables.accounts]\ncolumns = { account_id = 5 }\n", "columns = {'account_id': 5}: "
                                                          "expected a table of names"),
    ("[source]\nfolder = 5\n", "[source] folder = 5: expected text"),
    ('[format]\ndelimiter = ";;"\n', "[format] delimiter = ';;': one character"),
    ("[format]\ndelimiter = 9\n", "[format] delimiter = 9: expected text"),
    ('[format]\nencoding = "klingon"\n', "[format] encoding = 'klingon': not an encoding"),
    ('[format]\ndate_format = "%Q-%d"\n', "[format] date_format = '%Q-%d': unknown "
                                          "directive(s) %Q"),
    ('[format]\ndate_format = "%d.%m"\n', "needs at least a year and a month"),
    ('[format]\ndecimal = ",,"\n', "[format] decimal = ',,': one character"),
    ('[analysis]\ntarget_share = "0.8"\n', "target_share = 0.8: a share between 0 and 1, e.g. 0.8 (a number, without quotes)"),
    ('[analysis]\nabc_cutoffs = ["a", 1]\n', "abc_cutoffs = ['a', 1]: two increasing limits"),
    ('[analysis]\nxyz_period = 1\n', "[analysis] xyz_period = 1: expected text"),
    ('[tables.transactions]\nsheet = 2\n', "[tables.transactions] sheet = 2: expected text"),
    ("[analysis]\nas_of = 5\n", "[analysis] as_of = 5: expected a date"),
    ("[analysis]\nlost_after_days = 1.5\n", "lost_after_days = 1.5: at least 1"),
])
def test_config_values_of_the_wrong_type_name_section_key_value_and_type(tmp_path, toml, says):
    (tmp_path / "kam.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "kam.toml")
    assert says in str(err.value) and str(tmp_path / "kam.toml") in str(err.value)


def test_config_errors_reach_the_cli_as_one_line(tmp_path, capsys):
    (tmp_path / "kam.toml").write_text('[format]\nencoding = "klingon"\n')
    assert main(["validate", "--config", str(tmp_path / "kam.toml")]) == 2
    err = capsys.readouterr().err
    assert "encoding = 'klingon'" in err and "Traceback" not in err


@pytest.mark.parametrize("encode", [
    lambda t: b"\xef\xbb\xbf" + t.encode(),  # Notepad's "UTF-8 with BOM"
    lambda t: t.encode("utf-16"),            # Notepad's "Unicode"
    lambda t: t.encode("utf-16-be"),         # no mark: refused with what to do
])
def test_config_saved_with_a_byte_order_mark_or_as_utf16(tmp_path, encode):
    data = encode('[source]\nfolder = "."\n[format]\ncurrency = "€"\n')
    (tmp_path / "kam.toml").write_bytes(data)
    if data[:2] == b"\x00[":
        with pytest.raises(ConfigError, match="save kam.toml as UTF-8"):
            load_config(tmp_path / "kam.toml")
    else:
        assert load_config(tmp_path / "kam.toml").formats.currency == "€"


def test_config_in_a_legacy_encoding_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "kam.toml").write_bytes('[format]\ncurrency = "€"\n'.encode("cp1252"))
    with pytest.raises(ConfigError, match=r"byte 0x80 .*save kam.toml as UTF-8"):
        load_config(tmp_path / "kam.toml")


@pytest.mark.parametrize("toml", ['[format]\ndelimiter = "whitespace"\n',
                                  '[format]\ndelimiter = "\\t"\n',
                                  '[format]\ndate_format = "%Y-%m"\n',
                                  '[format]\nencoding = "CP1252"\n'])
def test_config_values_of_the_right_form_are_kept(tmp_path, toml):
    (tmp_path / "kam.toml").write_text(toml)
    load_config(tmp_path / "kam.toml")


# --- 12: source column names that are not plain words ----------------------------------------

@pytest.mark.parametrize("column", ['Net "amount"', "Net\namount", "Net\\amount", "Net 'amount'"])
def test_parquet_columns_with_quotes_newlines_or_backslashes_are_read(write, tmp_path, column):
    toml = "[tables.transactions]\ncolumns = { revenue = " + \
        '"' + column.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '" }\n'
    config = write(toml, **{"transactions.csv": None})
    pd.DataFrame({"account_id": ["001", "002"], "date": pd.to_datetime(["2024-01-05",
                                                                         "2024-02-05"]),
                  column: [100.0, 70.0]}).to_parquet(tmp_path / "transactions.parquet")
    ds = kamlib.load(config, today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == 170.0 and not ds.report.errors


# --- 9: a header longer than the block the kit reads first -----------------------------------

def test_a_header_of_5000_columns_is_read_whole(write):
    extra = [f"extra_column_{i:05d}" for i in range(5000)]
    text = ",".join(["account_id", "account_name", *extra]) + "\n" + "".join(
        f"00{i},{name}," + ",".join("x" * len(extra)) + "\n"
        for i, name in ((1, "Alpha"), (2, "Beta"), (3, "Gamma")))
    report = check(write(**{"accounts.csv": text}))
    p = only(report, "warning")
    assert report.ok and (p.rule, p.count) == ("extra-column", 5000)


# --- 6: mixed line endings ---------------------------------------------------------------------

@pytest.mark.parametrize("endings", [("\r\n", "\n"), ("\n", "\r\n")])
def test_mixed_line_endings_are_read_and_lines_still_named(write, endings):
    first, rest = endings
    rows = TX.splitlines()
    rows[3] = rows[3].replace("40", "forty")  # line 4
    text = rows[0] + first + rows[1] + first + rest.join(rows[2:]) + rest
    p = only(check(write(**{"transactions.csv": text.encode()})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.csv", (4,), "revenue", "non-numeric", ("forty",))


def test_mixed_line_endings_in_a_cp1252_file(write):
    text = "account_id,account_name\r\n001,Caf\xe9\n002,Beta\r\n003,Gamma\n"
    ds = kamlib.load(write('[format]\nencoding = "cp1252"\n',
                           **{"accounts.csv": text.encode("cp1252")}), today=TODAY)
    assert ds.accounts["account_name"].tolist() == ["Café", "Beta", "Gamma"]


def test_mixed_line_endings_at_the_end_of_a_long_file(write):
    lines = [f"00{i % 3 + 1},2024-01-{i % 28 + 1:02d},{i},Cloud,1,I{i}" for i in range(4000)]
    text = HEADER + "\n".join(lines) + "\n" + "001,2024-02-01,1,Cloud,1,J1\r\n"
    ds = kamlib.load(write(**{"transactions.csv": text}), today=TODAY)
    assert ds.cube.account_month["lines"].sum() == 4001


# --- 11: a file that is not what its name says -------------------------------------------------

def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
BOOK = xlsx([["account_id", "account_name"], ["001", "Alpha"], ["002", "Beta"],
             ["003", "Gamma"]])


@pytest.mark.parametrize("file, content, says", [
    ("accounts.xlsx", ACCOUNTS, "accounts.xlsx is really a CSV text file, not an Excel "
                                "workbook: rename it to accounts.csv"),
    ("accounts.xls", "<html><body><table><tr><td>account_id</td></tr></table></body></html>",
     "accounts.xls is really an HTML web page, not an Excel 97-2003 workbook: open it in "
     "Excel and save it as .xlsx"),
    ("accounts.xlsx", "<!DOCTYPE html>\n<html>", "is really an HTML web page"),
    ("accounts.xls", OLE2, "accounts.xls is an old Excel 97-2003 workbook (.xls), which this "
                           "installation cannot read: open it in Excel and save it as .xlsx"),
    ("accounts.xlsx", OLE2 + "EncryptedPackage".encode("utf-16-le"),
     "accounts.xlsx is really a password-protected workbook, not an Excel workbook: remove "
     "the password"),
    ("accounts.csv", BOOK, "accounts.csv is really an Excel workbook (.xlsx), not a text "
                           "file: rename it to accounts.xlsx"),
    ("accounts.csv", _zip({"accounts.csv": ACCOUNTS.encode()}),
     "accounts.csv is really a zip archive, not a text file: unpack it"),
    ("accounts.xlsx", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
     "is really an OpenDocument spreadsheet (.ods)"),
    ("accounts.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is really a PDF document"),
    ("accounts.xls", BOOK, "accounts.xls is really an Excel workbook (.xlsx), not an Excel "
                           "97-2003 workbook: rename it to accounts.xlsx"),
])
def test_a_file_that_is_not_what_its_name_says(write, file, content, says):
    report = check(write(**{"accounts.csv": None, file: content}))
    p = only(report)
    assert (p.file, p.rule) == (file, "file-type") and says in p.message


def test_a_csv_named_parquet_and_a_parquet_named_csv(write, tmp_path):
    report = check(write(**{"transactions.csv": None, "transactions.parquet": TX}))
    p = only(report)
    assert (p.file, p.rule) == ("transactions.parquet", "file-type")
    assert "is really a CSV text file, not a Parquet file: rename it to transactions.csv" \
        in p.message


# --- 19: Excel formulas without a stored value -------------------------------------------------

ACCOUNT_ROWS = [["account_id", "account_name", "industry"], ["001", "Alpha", "Banking"],
                ["002", "Beta", "Retail"], ["003", "Gamma", "Energy"]]


def test_formula_without_a_computed_value_in_a_required_column(write):
    rows = [*ACCOUNT_ROWS[:3], ["003", "=UPPER(\"gamma\")", "Energy"]]
    p = only(check(write(**{"accounts.csv": None, "accounts.xlsx": xlsx(rows)})))
    assert (p.file, p.sheet, p.lines, p.column, p.rule, p.values) == (
        "accounts.xlsx", "Accounts", (4,), "account_name", "formula-without-value",
        ('=UPPER("gamma")',))
    assert "open the file in excel and save it" in p.hint.lower()


def test_formula_without_a_computed_value_in_an_optional_number_column(write):
    rows = [["account_id", "date", "revenue", "cost"], ["001", "2024-01-05", 100, 60],
            ["002", "2024-01-20", 70, "=C3*0.4"], ["003", "2024-02-10", 20, None],
            ["001", "2024-02-11", "=SUM(C2:C3)", 5]]
    report = check(write(**{"transactions.csv": None,
                            "transactions.xlsx": xlsx(rows, "Lines")}))
    found = {(p.column, p.lines, p.rule, p.values) for p in report.problems}
    assert found == {("cost", (3,), "formula-without-value", ("=C3*0.4",)),
                     ("revenue", (5,), "formula-without-value", ("=SUM(C2:C3)",))}


# --- 7 / 17: dates no later step can hold, or no business has ----------------------------------

@pytest.mark.parametrize("value", ["0000-01-01", "1202-03-04", "1850-06-01", "1899-12-31",
                                   "2302-03-04", "9999-12-31"])
def test_implausible_dates_are_errors_in_every_date_column(write, value):
    report = check(write(**{
        "transactions.csv": TX + f"002,{value},5,Cloud,1,I9\n",
        "contacts.csv": f"account_id,contact_name,role,last_contact\n001,Ann,CIO,{value}\n"}))
    found = {(p.file, p.lines, p.column, p.rule, p.values) for p in report.errors}
    assert found == {("transactions.csv", (7,), "date", "implausible-date", (value,)),
                     ("contacts.csv", (2,), "last_contact", "implausible-date", (value,))}
    assert "1900-01-01 to 2100-12-31" in report.errors[0].message


def test_implausible_dates_in_parquet_are_errors_and_load_does_not_crash(write, tmp_path):
    config = write(**{"transactions.csv": None})
    duckdb.execute(f"COPY (SELECT * FROM (VALUES ('001', DATE '2024-01-05', 100.0), "
                   f"('002', DATE '0001-01-01', 5.0), ('003', DATE '2302-03-04', 1.0)) "
                   f"t(account_id, date, revenue)) TO '{tmp_path / 'transactions.parquet'}' "
                   f"(FORMAT parquet)")
    p = only(check(config))
    assert (p.lines, p.rule, p.values) == ((2, 3), "implausible-date",
                                           ("0001-01-01", "2302-03-04"))
    with pytest.raises(kamlib.ValidationError):
        kamlib.load(config, today=TODAY)


def test_the_plausible_range_is_stated_in_the_data_dictionary():
    from kamlib.data.contract import DATE_MAX, DATE_MIN, data_dictionary
    assert f"between {DATE_MIN} and {DATE_MAX}" in data_dictionary()


# --- 18: amounts too large to be real, and sums that overflow ----------------------------------

@pytest.mark.parametrize("values", [("1e308", "1e308"), ("1e308", "-1e308"), ("1e16", "5"),
                                    ("-1e16", "5")])
def test_implausible_amounts_are_errors(write, values):
    text = HEADER + f"001,2024-01-05,{values[0]},Cloud,60,I1\n" \
                    f"002,2024-01-06,{values[1]},Cloud,60,I2\n"
    report = check(write(**{"transactions.csv": text}))
    p = only(report)
    big = tuple(v for v in values if abs(float(v)) > 1e15)
    assert (p.file, p.column, p.rule, p.values) == ("transactions.csv", "revenue",
                                                    "implausible-amount", big)
    assert p.lines == tuple(2 + i for i, v in enumerate(values) if v in big)
    assert not report.warnings  # no "nets to zero" echo


def test_implausible_costs_in_parquet_are_errors(write, tmp_path):
    config = write(**{"transactions.csv": None})
    pd.DataFrame({"account_id": ["001", "002"], "date": pd.to_datetime(["2024-01-05"] * 2),
                  "revenue": [100.0, 70.0], "cost": [1e300, 5.0]}).to_parquet(
        tmp_path / "transactions.parquet")
    p = only(check(config))
    assert (p.lines, p.column, p.rule) == ((1,), "cost", "implausible-amount")  # row 1


# --- 21: numbers written in ways no setting reads ----------------------------------------------

@pytest.mark.parametrize("amount", ["1_000", "1'000", "1 000", "1_000.50", "1’000"])
def test_digit_groups_with_unconfigured_separators_are_errors(write, amount):
    text = HEADER + f"001,2024-01-05,{amount},Cloud,60,I1\n002,2024-01-06,5,Cloud,1,I2\n"
    p = only(check(write(**{"transactions.csv": text})))
    assert (p.lines, p.column, p.rule, p.values) == ((2,), "revenue", "number-format",
                                                     (amount,))


def test_underscores_are_errors_with_separators_configured_too(write):
    text = HEADER + '001,2024-01-05,"1_000,5",Cloud,60,I1\n'
    p = only(check(write('[format]\ndecimal = ","\nthousands = "."\n',
                         **{"transactions.csv": text})))
    assert (p.lines, p.rule, p.values) == ((2,), "number-format", ("1_000,5",))


# --- 15: a column is read one way ----------------------------------------------------------------

@pytest.mark.parametrize("odd", ["10045", "45296", "45296.5", "05/01/2024", "13.02.2024",
                                 "Jan 5, 2024"])
def test_a_minority_of_dates_written_another_way_is_an_error_listing_them(write, odd):
    text = TX + f"002,\"{odd}\",5,Cloud,1,I9\n"
    p = only(check(write(**{"transactions.csv": text})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.csv", (7,), "date", "mixed-dates", (odd,))
    assert "written differently from the other 5, which are ISO 8601" in p.message


def test_a_serial_among_iso_dates_says_what_it_would_be(write):
    p = only(check(write(**{"transactions.csv": TX + "002,10045,5,Cloud,1,I9\n"})))
    assert "(10045 would be the Excel serial date 1927-07-02)" in p.message


def test_a_minority_of_iso_dates_among_serials_is_listed(write):
    text = HEADER + "".join(f"001,{45290 + i},1,Cloud,1,I{i}\n" for i in range(4)) + \
        "002,2024-01-06,2,Cloud,1,I9\n"
    p = only(check(write(**{"transactions.csv": text})))
    assert (p.lines, p.rule, p.values) == ((6,), "mixed-dates", ("2024-01-06",))


def test_a_configured_format_with_a_few_iso_dates_is_an_error(write):
    text = HEADER + "001,05.01.2024,1,Cloud,1,I1\n002,06.01.2024,2,Cloud,1,I2\n" \
                    "003,2024-01-07,3,Cloud,1,I3\n"
    p = only(check(write('[format]\ndate_format = "%d.%m.%Y"\n',
                         **{"transactions.csv": text,
                            "activities.csv": "account_id,date,activity\n"
                                              "001,02.01.2024,visit\n"})))
    assert (p.lines, p.rule, p.values) == ((4,), "mixed-dates", ("2024-01-07",))


def test_cleaning_messages_quote_the_values_found(write):
    text = HEADER + "001,45301,1,Cloud,1,I1\n002,45302,2,Cloud,1,I2\n"
    [step] = check(write(**{"transactions.csv": text})).cleaning
    assert step.detail == "e.g. 45301 read as 2024-01-10"
    text = HEADER + "001,25/01/2024,1,Cloud,1,I1\n002,06/02/2024,2,Cloud,1,I2\n"
    [step] = check(write(**{"transactions.csv": text})).cleaning
    assert step.detail.startswith("e.g. '25/01/2024' read as 2024-01-25")


def test_an_excel_sheet_with_one_number_among_date_cells(write):
    rows = [["account_id", "date", "revenue"], ["001", date(2024, 1, 5), 100],
            ["002", date(2024, 1, 20), 70], ["003", 10045, 20]]
    p = only(check(write(**{"transactions.csv": None,
                            "transactions.xlsx": xlsx(rows, "Lines")})))
    assert (p.sheet, p.lines, p.column, p.rule, p.values) == ("Lines", (4,), "date",
                                                              "mixed-dates", ("10045",))


# --- 16 / 17: the as-of date and the window start are not taken from outliers --------------------

YEAR = HEADER + "".join(f"00{m % 3 + 1},2024-{m:02d}-10,{100 + m},Cloud,1,I{m}\n"
                        for m in range(1, 13))


@pytest.mark.parametrize("typo", ["2099-01-10", "2030-01-10", "2025-01-02"])
def test_a_line_dated_after_today_does_not_move_the_as_of_date(write, typo):
    config = write(**{"transactions.csv": YEAR + f"001,{typo},5,Cloud,1,X1\n"})
    ds = kamlib.load(config, today=TODAY)
    p = only(ds.report, "warning")
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.csv", (14,), "date", "future-date", (typo,))
    assert p.message == "1 line(s) dated after today (2025-01-01), left out of the analysis"
    assert "they count only inside the window" not in p.hint
    assert ds.as_of == date(2024, 12, 10) and ds.start == date(2024, 1, 10)
    assert ds.cube.account_month["revenue"].sum() == sum(100 + m for m in range(1, 13))
    assert cleaned(ds.report) == {"transactions.csv: lines outside the analysis window left out":
                                  1}


def test_future_lines_inside_a_configured_window_are_kept_and_said_so(write):
    config = write("[analysis]\nend = 2030-12-31\n",
                   **{"transactions.csv": YEAR + "001,2030-01-10,5,Cloud,1,X1\n"})
    ds = kamlib.load(config, today=TODAY)
    p = only(ds.report, "warning")
    assert p.rule == "future-date" and "1 of them inside the configured window" in p.message
    assert ds.as_of == date(2030, 1, 10)


@pytest.mark.parametrize("old", ["1902-03-10", "1950-01-01", "1999-12-31"])
def test_lines_decades_before_the_rest_warn_and_do_not_set_the_window_start(write, old):
    config = write(**{"transactions.csv": YEAR + f"002,{old},5,Cloud,1,X1\n"})
    ds = kamlib.load(config, today=TODAY)
    p = only(ds.report, "warning")
    assert (p.lines, p.column, p.rule, p.values) == ((14,), "date", "date-outlier", (old,))
    assert "left out of the analysis" in p.message and f"start = {old}" in p.hint
    assert ds.start == date(2024, 1, 10)
    assert ds.cube.account_month["first_date"].min() == pd.Timestamp("2024-01-10")


def test_an_old_line_is_kept_when_the_configured_start_includes_it(write):
    config = write("[analysis]\nstart = 1950-01-01\n",
                   **{"transactions.csv": YEAR + "002,1950-01-01,5,Cloud,1,X1\n"})
    ds = kamlib.load(config, today=TODAY)
    assert not ds.report.problems and ds.start == date(1950, 1, 1)
    assert ds.cube.account_month["revenue"].sum() == sum(100 + m for m in range(1, 13)) + 5


def test_twenty_years_of_history_is_not_an_outlier(write):
    text = HEADER + "".join(f"001,{y}-06-01,10,Cloud,1,I{y}\n" for y in range(2000, 2025))
    ds = kamlib.load(write(**{"transactions.csv": text}), today=TODAY)
    assert not ds.report.problems and ds.start == date(2000, 6, 1)


# --- 8: an analysis window with no transactions -------------------------------------------------

@pytest.mark.parametrize("toml", ["[analysis]\nstart = 2023-01-01\nend = 2023-06-30\n",
                                  "[analysis]\nstart = 2024-06-01\n",
                                  "[analysis]\nas_of = 2023-12-31\n"])
def test_a_window_with_no_transactions_is_a_validation_error(write, toml):
    report = check(write(toml))
    p = only(report)
    assert (p.file, p.rule) == ("transactions.csv", "empty-window")
    assert p.message.startswith("no transaction lines in the analysis window")
    assert p.message.endswith("the data runs from 2024-01-05 to 2024-02-11")
    assert not report.warnings  # no "zero revenue" echo


def test_a_window_with_no_transactions_stops_kam_build_with_one_message(write, tmp_path,
                                                                          capsys):
    config = write("[analysis]\nstart = 2023-01-01\nend = 2023-06-30\n")
    with pytest.raises(kamlib.ValidationError, match="empty-window"):
        kamlib.load(config, today=TODAY)


def test_analyses_of_an_empty_cube_return_empty_frames_or_say_why():
    import ibis

    from kamlib.abcxyz import abc_classes, xyz_classes
    from kamlib.concentration import account_totals, concentration_summary, pareto_table
    from kamlib.data.cube import build_cube
    from kamlib.overview import revenue_by_period, revenue_by_product
    from kamlib.plots import revenue_trend_chart

    empty = pd.DataFrame({"account_id": pd.Series(dtype=str), "product": pd.Series(dtype=str),
                          "date": pd.Series(dtype="datetime64[ns]"),
                          "revenue": pd.Series(dtype=float), "cost": pd.Series(dtype=float),
                          "invoice_id": pd.Series(dtype=str),
                          "quantity": pd.Series(dtype=float)})
    cube = build_cube(ibis.memtable(empty))
    assert revenue_by_period(cube.account_month).empty
    assert revenue_by_product(cube.product_month).empty
    totals = account_totals(cube.account_month)
    for fn, arg in ((pareto_table, totals), (concentration_summary, totals),
                    (abc_classes, totals), (xyz_classes, cube.account_month),
                    (revenue_trend_chart, revenue_by_period(cube.account_month))):
        with pytest.raises(ValueError, match="no (accounts|rows|values|periods)"):
            fn(arg)


# --- 21: ids that look equal but are not ----------------------------------------------------------

@pytest.mark.parametrize("unknown, says", [
    ("1.0", "'1.0' vs '001': a '.0' suffix"),
    ("002\u200b", "'002\\u200b' vs '002': an invisible character"),
    ("\ufeff003", "'\\ufeff003' vs '003': an invisible character"),
    ("CAFE\u0301-1", "'CAFE\\u0301-1' vs 'CAF\\xc9-1': the Unicode form of an accented letter"),
    ("\uff10\uff10\uff11", "a compatibility character"),
])
def test_unknown_ids_that_look_like_known_ones_say_how_they_differ(write, unknown, says):
    accounts = ACCOUNTS + "CAF\u00c9-1,Cafe,Food\n"
    p = only(check(write(**{"accounts.csv": accounts,
                            "transactions.csv": TX + f"{unknown},2024-02-01,5,Cloud,1,I9\n"})))
    assert (p.rule, p.lines, p.values) == ("unknown-account", (7,), (unknown,))
    assert says in p.hint and "look like a known id" in p.hint


def test_lookalike_references_from_other_tables_say_so_too(write):
    contacts = "account_id,contact_name,role\n001,Ann,CIO\n002.0,Bob,CFO\n"
    p = only(check(write(**{"contacts.csv": contacts})))
    assert (p.rule, p.lines, p.values) == ("unknown-reference", (3,), ("002.0",))
    assert "'002.0' vs '002': a '.0' suffix" in p.hint
