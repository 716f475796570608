"""Bad input, case by case: a clear error (file, line, column, rule), a counted cleaning step,
or a warning; never a silent wrong number.

Each test writes a small valid data set, replaces one file, and states what a user must see.
Lines are lines of the file: the header is line 1, the first data row line 2.
"""

import csv
import io
from datetime import date

import duckdb
import openpyxl
import pandas as pd
import pytest

import kamlib
from kamlib.cli import main
from kamlib.concentration import account_totals, pareto_table

HEADER = "account_id,date,revenue,product,cost,invoice_id\n"
TX = HEADER + """001,2024-01-05,100,Cloud,60,I1
001,2024-01-05,50,IoT,20,I1
001,2024-02-11,40,Cloud,25,I4
002,2024-01-20,70,Cloud,30,I2
003,2024-02-10,20,Cloud,5,I3
"""
ACCOUNTS = "account_id,account_name,industry\n001,Alpha,Banking\n002,Beta,Retail\n003,Gamma,Energy\n"
BASE = {
    "accounts.csv": ACCOUNTS,
    "transactions.csv": TX,
    "activities.csv": "account_id,date,activity\n001,2024-01-02,visit\n",
    "activity_rates.csv": "activity,unit_cost\nvisit,100\n",
    "contacts.csv": "account_id,contact_name,role,circle\n001,Ann,CIO,1\n",
}
TODAY = date(2025, 1, 1)


@pytest.fixture
def write(tmp_path):
    """Write the base data set with some files replaced (None removes one); return kam.toml."""
    def _write(toml: str = "", **files: str | bytes | None):
        for name, content in {**BASE, **files}.items():
            if content is not None:
                data = content if isinstance(content, bytes) else content.encode()
                (tmp_path / name).write_bytes(data)
        (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n' + toml)
        return tmp_path / "kam.toml"
    return _write


def check(config):
    return kamlib.validate(config, today=TODAY)


def only(report, severity="error"):
    """The one problem of this severity; fails listing all of them if there are more."""
    found = [p for p in report.problems if p.severity == severity]
    assert len(found) == 1, "\n".join(map(str, report.problems))
    return found[0]


def cleaned(report) -> dict[str, int]:
    return {f"{c.file}: {c.step}": c.count for c in report.cleaning}


def xlsx(rows, sheet="Accounts") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- files and headers ------------------------------------------------------------------------

def test_empty_file(write):
    p = only(check(write(**{"transactions.csv": ""})))
    assert (p.file, p.rule) == ("transactions.csv", "empty-file")


def test_header_only(write):
    p = only(check(write(**{"transactions.csv": HEADER})))
    assert (p.file, p.line, p.rule) == ("transactions.csv", 1, "no-data")


def test_missing_required_columns_are_all_listed(write):
    p = only(check(write(**{"transactions.csv": "account_id,product\n001,Cloud\n"})))
    assert (p.file, p.rule, p.values) == ("transactions.csv", "missing-column",
                                          ("date", "revenue"))


def test_extra_column_is_ignored_with_a_warning(write):
    text = "".join(line + (",North\n" if i else ",region\n")
                   for i, line in enumerate(TX.splitlines()))
    report = check(write(**{"transactions.csv": text}))
    p = only(report, "warning")
    assert report.ok and (p.file, p.rule, p.values) == ("transactions.csv", "extra-column",
                                                        ("region",))


def test_unnamed_trailing_columns_are_ignored_with_a_warning(write):
    accounts = "account_id,account_name,,\n001,Alpha,,\n002,Beta,,\n003,Gamma,,\n"
    report = check(write(**{"accounts.csv": accounts}))
    p = only(report, "warning")
    assert (p.file, p.rule, p.values) == ("accounts.csv", "extra-column",
                                          ("(unnamed column 3)", "(unnamed column 4)"))
    assert report.ok


def test_column_names_differing_in_case_spaces_and_bom_are_normalised(write, tmp_path):
    text = "\ufeff" + TX.replace("account_id,date,revenue", " Account_ID ,DATE,Revenue")
    config = write(**{"transactions.csv": text})
    report = check(config)
    assert report.ok and not report.warnings
    assert cleaned(report) == {"transactions.csv: column names normalised (case, spaces, BOM)": 3}
    assert kamlib.load(config, today=TODAY).cube.account_month["revenue"].sum() == 280.0


def test_duplicate_column_names(write):
    p = only(check(write(**{"transactions.csv": TX.replace("cost,invoice_id", "cost,cost")})))
    assert (p.file, p.line, p.rule, p.values) == ("transactions.csv", 1, "duplicate-column",
                                                  ("cost",))


def test_wrong_delimiter_says_one_column_detected(write):
    config = write('[format]\ndelimiter = ","\n',
                   **{"accounts.csv": ACCOUNTS.replace(",", ";")})
    p = only(check(config))
    assert (p.file, p.line, p.rule) == ("accounts.csv", 1, "delimiter")
    assert "1 column detected with delimiter ','" in p.message and "';'" in p.message


def test_semicolons_are_detected_when_no_delimiter_is_configured(write):
    report = check(write(**{"accounts.csv": ACCOUNTS.replace(",", ";")}))
    assert report.ok and not report.problems


def test_ragged_rows_name_their_lines(write):
    text = TX + "001,2024-03-01,5,Cloud\n002,2024-03-02,5,Cloud,1,I9,extra\n"
    report = check(write(**{"transactions.csv": text}))
    ragged = sorted((p.lines, p.message) for p in report.errors if p.rule == "ragged-row")
    assert [lines for lines, _ in ragged] == [(7,), (8,)]
    assert "fewer fields" in ragged[0][1] and "more fields" in ragged[1][1]


def test_lines_are_file_lines_despite_blank_lines_and_quoted_line_breaks(write):
    text = HEADER + ('001,2024-01-05,100,"Cloud\nplus",60,I1\n'     # lines 2-3
                     "\n"                                               # line 4
                     "002,2024-01-05,5,Cloud,1,I2,EXTRA\n"             # line 5: ragged
                     "003,2024-01-05,x,Cloud,1,I3\n"                   # line 6: not a number
                     '003,2024-01-05,5,"a\nb",1,I5,EXTRA\n'           # lines 7-8: ragged
                     "001,2024-01-07,y,Cloud,1,I4\n"                   # line 9: not a number
                     "\n\n")
    report = check(write(**{"transactions.csv": text}))
    assert {(p.rule, p.lines) for p in report.errors} == {
        ("ragged-row", (5, 7)), ("non-numeric", (6, 9))}


def test_lines_are_file_lines_on_a_clean_file_too(write):
    # clean values take the typed path; a warning must still name the right line
    text = HEADER + ('001,2024-01-05,100,"Cloud\nplus",60,I1\n\n'       # lines 2-3, 4
                     "002,2024-01-05,5,Cloud,1,I2\n003,2030-01-05,7,Cloud,1,I3\n")
    p = only(check(write(**{"transactions.csv": text})), "warning")
    assert (p.rule, p.lines) == ("future-date", (6,))


def test_non_utf8_file_names_the_encoding_problem_and_line(write):
    latin = "account_id,account_name\n001,Alpha\n002,Bêta Müller\n003,Gamma\n".encode("latin-1")
    p = only(check(write(**{"accounts.csv": latin})))
    assert (p.file, p.line, p.rule) == ("accounts.csv", 3, "encoding")
    assert "utf-8" in p.message and "0xea" in p.message


def test_configured_encoding_reads_latin1(write):
    latin = "account_id,account_name\n001,Alpha\n002,Bêta Müller\n003,Gamma\n".encode("latin-1")
    config = write('[format]\nencoding = "latin-1"\n', **{"accounts.csv": latin})
    assert kamlib.load(config, today=TODAY).accounts["account_name"].tolist()[1] == "Bêta Müller"


# --- Excel ----------------------------------------------------------------------------------

ACCOUNT_ROWS = [["account_id", "account_name"], ["001", "Alpha"], ["002", "Beta"],
                ["003", "Gamma"]]


def test_utf16_unicode_text_export_is_read_by_its_byte_order_mark(write):
    # what Excel's "Unicode text" gives: UTF-16 with a byte-order mark, tab-separated
    text = "account_id\taccount_name\n001\tCafé Ünal\n002\tBeta\n003\tGamma\n"
    ds = kamlib.load(write(**{"accounts.csv": text.encode("utf-16")}), today=TODAY)
    assert ds.accounts["account_name"].tolist() == ["Café Ünal", "Beta", "Gamma"]
    p = only(check(write(**{"accounts.csv": (text + "001\tAlpha\n").encode("utf-16")})))
    assert (p.file, p.lines, p.rule) == ("accounts.csv", (2, 5), "conflicting-duplicate")


def test_excel_title_rows_above_the_header(write):
    book = xlsx([["Account list 2025"], [], *ACCOUNT_ROWS])
    p = only(check(write(**{"accounts.csv": None, "accounts.xlsx": book})))
    assert (p.file, p.line, p.rule) == ("accounts.xlsx", 3, "header-row")
    config = write("[tables.accounts]\nheader_row = 3\n",
                   **{"accounts.csv": None, "accounts.xlsx": book})
    assert kamlib.load(config, today=TODAY).accounts["account_id"].tolist() == ["001", "002",
                                                                                 "003"]


def test_missing_sheet_lists_the_sheets(write):
    config = write('[tables.accounts]\nsheet = "Kunden"\n',
                   **{"accounts.csv": None, "accounts.xlsx": xlsx(ACCOUNT_ROWS)})
    p = only(check(config))
    assert (p.file, p.rule, p.sheet, p.values) == ("accounts.xlsx", "missing-sheet", "Kunden",
                                                   ("Accounts",))


# --- ids ------------------------------------------------------------------------------------

def test_empty_or_nan_account_ids_name_their_lines(write):
    text = TX + ",2024-01-06,5,Cloud,1,I9\nNaN,2024-01-07,5,Cloud,1,I8\n"
    p = only(check(write(**{"transactions.csv": text})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.csv", (7, 8), "account_id", "missing-value", ("", "NaN"))


def test_ids_differing_only_by_whitespace_are_merged_and_logged(write):
    text = HEADER + " 001,2024-01-05,100,Cloud,60,I1\n001 ,2024-01-06,5,Cloud,1,I9\n"
    config = write(**{"transactions.csv": text})
    report = check(config)
    assert report.ok
    [step] = report.cleaning
    assert (step.file, step.step, step.count) == ("transactions.csv",
                                                  "whitespace trimmed from account_id", 2)
    assert "' 001', '001 '] -> '001'" in step.detail
    am = kamlib.load(config, today=TODAY).cube.account_month
    assert am.loc[am["account_id"] == "001", "revenue"].sum() == 105.0


# every kind of blank a file or a database can carry at either end of an id: tab, carriage
# return, vertical tab, no-break space, thin space, ideographic space, line separator
BLANK_IDS = ["001\t", "\r001", "001\x0b", "001\u00a0", "\u2009001", "001\u3000",
             "\u2028001 \t"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("padded", BLANK_IDS, ids=ascii)
def test_ids_with_any_blank_around_them_are_the_same_account(tmp_path, fmt, padded):
    """The id reads as 001, so it is 001: trimmed and counted like a space on the text path
    (CSV) and on the typed path (Parquet), in transactions and accounts alike; never an
    unknown account, never a second account beside 001."""
    tx = pd.DataFrame({"account_id": ["001", padded, "002"], "date": pd.to_datetime(
        ["2024-01-05", "2024-01-06", "2024-01-07"]), "revenue": [100.0, 5.0, 7.0]})
    accounts = pd.DataFrame({"account_id": [padded.replace("001", "002"), "001"],
                             "account_name": ["Beta", "Alpha"]})
    for name, frame in (("transactions", tx), ("accounts", accounts)):
        if fmt == "csv":
            frame.to_csv(tmp_path / f"{name}.csv", index=False, quoting=csv.QUOTE_NONNUMERIC)
        else:
            frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    ds = kamlib.load(tmp_path / "kam.toml", today=TODAY)
    assert ds.report.ok, str(ds.report)
    trimmed = {(c.file.split(".")[0], c.count) for c in ds.report.cleaning
               if c.step == "whitespace trimmed from account_id"}
    assert trimmed == {("transactions", 1), ("accounts", 1)}
    totals = ds.cube.account_month.groupby("account_id")["revenue"].sum().to_dict()
    assert totals == {"001": 105.0, "002": 7.0}
    assert sorted(ds.accounts["account_id"]) == ["001", "002"]


def test_an_unknown_id_with_a_blank_inside_is_not_called_leading_zeros(write):
    p = only(check(write(**{"transactions.csv": TX + "0\u200901,2024-03-01,5,Cloud,1,I9\n"})))
    assert p.rule == "unknown-account"
    assert "leading zeros" not in p.hint


def test_leading_zeros_in_ids_survive(write):
    ds = kamlib.load(write(), today=TODAY)
    assert ds.accounts["account_id"].tolist() == ["001", "002", "003"]
    assert set(ds.cube.account_month["account_id"]) == {"001", "002", "003"}


def test_same_id_with_conflicting_names(write):
    text = "account_id,account_name\n001,Alpha\n001,Alfa\n002,Beta\n003,Gamma\n"
    p = only(check(write(**{"accounts.csv": text})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "accounts.csv", (2, 3), "account_id", "conflicting-duplicate", ("001",))


def test_unknown_accounts_in_transactions(write):
    p = only(check(write(**{"transactions.csv": TX + "009,2024-03-01,5,Cloud,1,I9\n"})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.csv", (7,), "account_id", "unknown-account", ("009",))


def test_unknown_accounts_list_the_first_five_lines_of_each(write):
    extra = ["009,2024-03-01,5,Cloud,1,I9\n"] * 3 + ["008,2024-03-02,5,Cloud,1,I8\n"] + \
        [f"009,2024-03-0{d},5,Cloud,1,I9{d}\n" for d in range(3, 7)]
    p = only(check(write(**{"transactions.csv": TX + "".join(extra)})))
    # lines 8-9 repeat line 7 (dropped, counted); 009 then lives on 7 and 11-14, 008 on 10;
    # a problem quotes its first five lines, the count says how many in all
    assert (p.rule, p.values, p.count, p.lines) == (
        "unknown-account", ("008", "009"), 6, (7, 10, 11, 12, 13))


def test_unknown_ids_that_lost_their_leading_zeros_are_pointed_out(write):
    p = only(check(write(**{"transactions.csv": TX + "1,2024-03-01,5,Cloud,1,I9\n"
                                                    "9,2024-03-01,5,Cloud,1,I8\n"})))
    assert (p.rule, p.values, p.lines) == ("unknown-account", ("1", "9"), (7, 8))
    assert p.hint.startswith("1 of them differ from a known id only by leading zeros (e.g. "
                             "'1' and '001')")


def test_references_to_unknown_accounts_and_activities(write):
    report = check(write(**{
        "contacts.csv": "account_id,contact_name,role\n001,Ann,CIO\n1,Bob,CFO\n999,Cy,CEO\n",
        "activities.csv": "account_id,date,activity\n001,2024-01-02,visit\n"
                          "002,2024-01-03,lunch\n"}))
    found = {p.file: p for p in report.errors}
    assert set(found) == {"contacts.csv", "activities.csv"}
    p = found["contacts.csv"]
    assert (p.rule, p.lines, p.column, p.values) == ("unknown-reference", (3, 4), "account_id",
                                                    ("1", "999"))
    assert "leading zeros (e.g. '1' and '001')" in p.hint
    p = found["activities.csv"]
    assert (p.rule, p.lines, p.column, p.values) == ("unknown-reference", (3,), "activity",
                                                    ("lunch",))
    assert "leading zeros" not in p.hint


def test_unknown_accounts_created_when_configured(write):
    config = write('[analysis]\nunknown_accounts = "create"\n',
                   **{"transactions.csv": TX + "009,2024-03-01,5,Cloud,1,I9\n"})
    ds = kamlib.load(config, today=TODAY)
    assert cleaned(ds.report) == {
        "accounts.csv: accounts created for unknown transaction accounts": 1}
    assert ds.accounts.set_index("account_id").loc["009", "account_name"] == "009"


# --- amounts --------------------------------------------------------------------------------

def test_exact_duplicate_lines_are_dropped_and_counted(write):
    config = write(**{"transactions.csv": TX + "002,2024-01-20,70,Cloud,30,I2\n"})
    ds = kamlib.load(config, today=TODAY)
    assert cleaned(ds.report) == {"transactions.csv: exact duplicate lines dropped": 1}
    assert ds.cube.account_month["revenue"].sum() == 280.0  # not 350


def test_credit_notes_are_valid_negative_revenue(write):
    config = write(**{"transactions.csv": TX + "001,2024-02-20,-30,Cloud,-10,CN1\n"})
    ds = kamlib.load(config, today=TODAY)
    assert not ds.report.problems and not ds.report.cleaning
    assert ds.cube.account_month["revenue"].sum() == 250.0


def test_account_with_negative_net_revenue_is_a_warning(write):
    config = write(**{"transactions.csv": TX + "003,2024-02-12,-50,Cloud,-5,CN1\n"})
    report = check(config)
    p = only(report, "warning")
    assert report.ok and (p.file, p.rule, p.values) == ("transactions.csv", "negative-account",
                                                        ("003",))


def test_zero_revenue_account_is_kept(write):
    config = write(**{"transactions.csv": TX + "003,2024-02-12,-20,Cloud,-5,CN1\n"})
    ds = kamlib.load(config, today=TODAY)
    totals = account_totals(ds.cube.account_month).set_index("account_id")["revenue"]
    assert not ds.report.problems and totals["003"] == 0.0 and len(totals) == 3


def test_all_zero_revenue_warns_and_analyses_refuse_clearly(write):
    text = HEADER + "001,2024-01-05,0,Cloud,0,I1\n002,2024-01-05,0,Cloud,0,I2\n"
    config = write(**{"transactions.csv": text})
    report = check(config)
    p = only(report, "warning")
    assert report.ok and (p.file, p.rule) == ("transactions.csv", "zero-revenue")
    totals = account_totals(kamlib.load(config, today=TODAY).cube.account_month)
    with pytest.raises(ValueError, match="total revenue is zero: nothing to concentrate"):
        pareto_table(totals)


def test_a_single_account(write):
    config = write(**{"accounts.csv": "account_id,account_name\n001,Alpha\n",
                      "transactions.csv": HEADER + "001,2024-01-05,100,Cloud,60,I1\n"})
    ds = kamlib.load(config, today=TODAY)
    table = pareto_table(account_totals(ds.cube.account_month))
    assert table[["account_id", "cum_share", "vital_few"]].values.tolist() == [["001", 1.0, True]]


@pytest.mark.parametrize("toml, amount", [
    ('[format]\ndecimal = ","\nthousands = "."\n', '"1.234,56"'),
    ('[format]\nthousands = ","\n', '"1,234.56"'),
])
def test_number_formats_per_config(write, toml, amount):
    text = HEADER + f"001,2024-01-05,{amount},Cloud,60,I1\n"
    ds = kamlib.load(write(toml, **{"transactions.csv": text}), today=TODAY)
    assert ds.cube.account_month["revenue"].tolist() == [1234.56]


def test_numbers_not_matching_the_separators_are_errors(write):
    text = HEADER + '001,2024-01-05,"1,234",Cloud,60,I1\n002,2024-01-05,"1.234,56",Cloud,1,I2\n'
    report = check(write(**{"transactions.csv": text}))
    p = only(report)
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.csv", (2, 3), "revenue", "number-format", ("1,234", "1.234,56"))
    assert not report.warnings  # no "zero revenue" echo of the unreadable values


def test_currency_symbols_are_removed_and_counted(write):
    text = HEADER + ("001,2024-01-05,€1234.50,Cloud,60,I1\n002,2024-01-05,1234.50 EUR,Cloud,1,I2"
                     "\n003,2024-01-05,€ 5,Cloud,1,I3\n")
    ds = kamlib.load(write(**{"transactions.csv": text}), today=TODAY)
    assert cleaned(ds.report) == {"transactions.csv: currency symbols removed from revenue": 3}
    assert "'€1234.50' read as 1234.5" in ds.report.cleaning[0].detail
    assert sorted(ds.cube.account_month["revenue"]) == [5.0, 1234.5, 1234.5]


def test_blank_padded_amounts_and_dates_are_read_as_written(write):
    # spaces and the no-break spaces spreadsheets pad cells with: read, nothing to report
    text = HEADER + ("001, 2024-01-05 ,\u00a0100.5\u00a0,Cloud, 60 ,I1\n"
                     "002,\u00a02024-02-05,70 ,Cloud,30,I2\n")
    ds = kamlib.load(write(**{"transactions.csv": text}), today=TODAY)
    am = ds.cube.account_month
    assert am[["revenue", "cost"]].values.tolist() == [[100.5, 60.0], [70.0, 30.0]]
    assert am["period"].dt.month.tolist() == [1, 2]
    assert not ds.report.problems and not cleaned(ds.report)


def test_non_numeric_amounts_list_their_values(write):
    text = HEADER + "001,2024-01-05,n/a,Cloud,60,I1\n002,2024-01-05,-,Cloud,30,I2\n" \
                    "003,2024-01-05,12,Cloud,1,I3\n"
    p = only(check(write(**{"transactions.csv": text})))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.csv", (2, 3), "revenue", "non-numeric", ("n/a", "-"))


# --- dates ----------------------------------------------------------------------------------

def test_mixed_date_formats(write):
    text = HEADER + "001,2024-01-05,1,Cloud,1,I1\n002,05/01/2024,2,Cloud,1,I2\n" \
                    "003,13.02.2024,3,Cloud,1,I3\n"
    p = only(check(write(**{"transactions.csv": text})))
    assert (p.file, p.lines, p.column, p.rule) == ("transactions.csv", (3, 4), "date",
                                                   "mixed-dates")


def test_ambiguous_dates_are_errors_unless_configured(write):
    text = HEADER + "001,05/01/2024,1,Cloud,1,I1\n002,06/02/2024,2,Cloud,1,I2\n"
    p = only(check(write(**{"transactions.csv": text})))
    assert (p.file, p.lines, p.column, p.rule) == ("transactions.csv", (2, 3), "date",
                                                   "ambiguous-date")
    activities = "account_id,date,activity\n001,02/01/2024,visit\n"
    ds = kamlib.load(write('[format]\ndate_format = "%d/%m/%Y"\n',
                           **{"transactions.csv": text, "activities.csv": activities}),
                     today=TODAY)
    assert ds.cube.account_month["period"].dt.month.tolist() == [1, 2]  # 5 Jan, 6 Feb


def test_one_unambiguous_date_format_is_read_and_counted(write):
    text = HEADER + "001,25/01/2024,1,Cloud,1,I1\n002,06/02/2024,2,Cloud,1,I2\n"
    ds = kamlib.load(write(**{"transactions.csv": text}), today=TODAY)
    assert cleaned(ds.report) == {"transactions.csv: date read as %d/%m/%Y": 2}
    assert ds.cube.account_month["first_date"].tolist() == [pd.Timestamp("2024-01-25"),
                                                            pd.Timestamp("2024-02-06")]


def test_excel_serial_dates_are_converted_and_counted(write):
    # a whole column of serial numbers (an Excel export); one among ISO dates is an error
    text = HEADER + "001,45296,1,Cloud,1,I1\n002,45297,2,Cloud,1,I2\n"
    ds = kamlib.load(write(**{"transactions.csv": text}), today=TODAY)
    assert cleaned(ds.report) == {"transactions.csv: Excel serial numbers read as date": 2}
    assert ds.cube.account_month["first_date"].min() == pd.Timestamp("2024-01-05")


def test_future_dates_warn(write):
    report = check(write(**{"transactions.csv": TX + "001,2030-01-01,5,Cloud,1,I7\n"}))
    p = only(report, "warning")
    assert report.ok and (p.file, p.lines, p.column, p.rule) == (
        "transactions.csv", (7,), "date", "future-date")


def test_lines_outside_the_window_are_left_out_and_counted(write):
    ds = kamlib.load(write("[analysis]\nstart = 2024-02-01\n"), today=TODAY)
    assert cleaned(ds.report) == {
        "transactions.csv: lines outside the analysis window left out": 3}
    assert ds.cube.account_month["revenue"].sum() == 60.0  # 40 + 20 in February


# --- text is data ---------------------------------------------------------------------------

def test_hostile_names_are_kept_verbatim(write):
    names = ["<script>alert(1)</script>", '=HYPERLINK("http://x","y")', "@SUM(A1)"]
    text = "account_id,account_name\n" + "".join(
        f'00{i},"{n.replace(chr(34), chr(34) * 2)}"\n' for i, n in enumerate(names, 1))
    ds = kamlib.load(write(**{"accounts.csv": text}), today=TODAY)
    assert ds.accounts["account_name"].tolist() == names and not ds.report.problems


def test_cli_exits_1_and_prints_the_problem(write, capsys):
    config = write(**{"transactions.csv": TX + "009,2024-03-01,5,Cloud,1,I9\n"})
    assert main(["validate", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "ERROR transactions.csv line 7, column 'account_id' [unknown-account]" in out


def test_nan_and_infinite_amounts_in_parquet_are_errors(write, tmp_path):
    config = write(**{"transactions.csv": None})
    duckdb.execute(f"COPY (SELECT * FROM (VALUES ('001', DATE '2024-01-05', 100.0), "
                   f"('002', DATE '2024-01-20', 'nan'::DOUBLE), ('003', DATE '2024-02-10', "
                   f"'inf'::DOUBLE)) t(account_id, date, revenue)) TO "
                   f"'{tmp_path / 'transactions.parquet'}' (FORMAT parquet)")
    p = only(check(config))
    assert (p.file, p.lines, p.column, p.rule, p.values) == (
        "transactions.parquet", (2, 3), "revenue", "non-numeric", ("nan", "inf"))


@pytest.mark.parametrize("circle", ["1.5", "\u00a01.5\u00a0"])
def test_whole_numbers_are_checked_after_blanks_are_trimmed(write, circle):
    contacts = f"account_id,contact_name,role,circle\n001,Ann,CIO,1\n002,Bob,CFO,{circle}\n"
    report = check(write(**{"contacts.csv": contacts}))
    assert {(p.file, p.lines, p.column, p.rule) for p in report.errors} == {
        ("contacts.csv", (3,), "circle", "not-integer"),   # and so not one of 1, 2, 3:
        ("contacts.csv", (3,), "circle", "out-of-range")}


def test_excel_last_row_is_named_by_its_row_number(write):
    book = xlsx([*ACCOUNT_ROWS, ["002", "Beta Two"]])
    p = only(check(write(**{"accounts.csv": None, "accounts.xlsx": book})))
    assert (p.lines, p.rule) == ((3, 5), "conflicting-duplicate")


def test_excel_rows_are_named_as_excel_numbers_them(write):
    # title rows, a blank row in the data, and a conflicting duplicate id (typed path)
    book = xlsx([["Account list 2025"], [], *ACCOUNT_ROWS[:2], [None, None, None],
                 *ACCOUNT_ROWS[2:], ["001", "Alpha Two", "Banking"]])
    p = only(check(write("[tables.accounts]\nheader_row = 3\n",
                         **{"accounts.csv": None, "accounts.xlsx": book})))
    assert (p.file, p.sheet, p.lines, p.column, p.rule) == (
        "accounts.xlsx", "Accounts", (4, 8), "account_id", "conflicting-duplicate")


def test_a_database_file_that_is_not_duckdb_is_one_clear_error(tmp_path):
    (tmp_path / "crm.duckdb").write_text("account_id,account_name\n001,Alpha\n")
    (tmp_path / "kam.toml").write_text('[source]\ndatabase = "crm.duckdb"\n')
    p = only(check(tmp_path / "kam.toml"))
    assert (p.file, p.rule) == ("crm.duckdb", "unreadable")  # no machine path in messages
    assert p.message.startswith("not a readable DuckDB database")
