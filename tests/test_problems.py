"""Where a problem says it is: a file's lines, or a database table's rows named by their keys."""

from __future__ import annotations

from kamlib.data.problems import MAX_EXAMPLES, Problem, ValidationReport


def test_a_file_problem_names_its_lines_and_how_many_more():
    r = ValidationReport()
    r.error("transactions", "tx.csv", "missing-value", "7 row(s) without date", column="Datum",
            lines=(3, 4, 9, 10, 11, 12), count=7, values=("",) * 6)
    assert r.problems[0].where() == "tx.csv lines 3, 4, 9, 10, 11 (+2 more), column 'Datum'"
    r.error("accounts", "acc.xlsx", "duplicate-id", "1 id twice", sheet="Kunden", lines=(5,))
    assert r.problems[1].where() == "acc.xlsx sheet 'Kunden', line 5"


def test_a_database_row_is_named_by_its_keys_in_its_table_never_as_a_line():
    r = ValidationReport()
    r.error("transactions", "sales", "implausible-amount", "1 revenue value(s) too large",
            column="Umsatz", rows=("invoice_id=A7 line_no=2",), values=("5e+16",),
            hint="Fix the value.")
    assert str(r.problems[0]) == (
        "ERROR table sales, row invoice_id=A7 line_no=2, column 'Umsatz' [implausible-amount]: "
        "1 revenue value(s) too large; values: '5e+16'. Hint: Fix the value.")
    keys = tuple(f"account_id=K{i} date=2024-01-0{i}" for i in range(1, 8))
    r.warn("transactions", "sales", "duplicate-lines", "7 line(s) repeat", rows=keys)
    shown = r.problems[1]
    assert shown.rows == keys[:MAX_EXAMPLES] and shown.count == 7 and shown.lines == ()
    assert shown.where() == ("table sales, rows account_id=K1 date=2024-01-01; account_id=K2 "
                             "date=2024-01-02; account_id=K3 date=2024-01-03; account_id=K4 "
                             "date=2024-01-04; account_id=K5 date=2024-01-05 (+2 more)")


def test_rows_survive_the_frame_and_the_manifest_round_trip():
    r = ValidationReport()
    r.error("transactions", "sales", "missing-value", "2 row(s) without revenue",
            column="Umsatz", rows=("invoice_id=X1", "invoice_id=X4"), values=("", ""))
    frame = r.to_frame()
    assert frame.loc[0, "rows"] == "invoice_id=X1; invoice_id=X4" and frame.loc[0, "lines"] == ""
    back = ValidationReport.from_dict(r.to_dict())
    assert back.problems == r.problems and str(back) == str(r)
    old = r.to_dict()  # a manifest written before rows were named
    del old["problems"][0]["rows"]
    assert ValidationReport.from_dict(old).problems[0] == Problem(
        "error", "transactions", "sales", "missing-value", "2 row(s) without revenue",
        column="Umsatz", values=("", ""), count=2)


def test_the_problem_table_leaves_out_where_columns_no_problem_fills():
    from kamlib.data.problems import Problem, ValidationReport

    report = ValidationReport()
    report.problems.append(Problem("error", "transactions", "sales.csv", "missing-value",
                                   "1 row(s) without revenue", column="revenue", lines=(4,)))
    page = report._repr_html_()
    assert "<th>lines</th>" in page and "<th>rows</th>" not in page
    assert "<th>sheet</th>" not in page
    report.problems.append(Problem("error", "transactions", "transactions", "missing-value",
                                   "1 row(s) without revenue", column="revenue",
                                   rows=("invoice_id=X4 line_no=1",)))
    page = report._repr_html_()
    assert "<th>lines</th>" in page and "<th>rows</th>" in page
