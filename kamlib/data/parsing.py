"""Parsing raw text into typed columns, in DuckDB, with every failure traced to its line.

A raw table (:mod:`kamlib.data.sources`) becomes ``t_<table>``: one typed column per contract column (its
DuckDB ``rowid`` is the row's position in the file, for line numbers). Clean, typed input
takes the fast path in ``typed_read.py``; everything else takes the text path here, where
``<column>__raw`` holds the original text only where parsing failed or changed it. Counted
cleaning steps (currency symbols, Excel serial dates, one unambiguous date format, trimmed
ids) are applied with UPDATEs on the few failing rows; what cannot be read unambiguously
becomes an error listing lines and values.

Examples
--------
>>> sql = number_sql("'1.234,56'", decimal=",", thousands=".")
>>> duckdb.execute(f"SELECT {sql}").fetchall()[0][0]
1234.56
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

import duckdb

from kamlib.data.config import Config
from kamlib.data.contract import DATE_MAX, DATE_MIN, MAX_AMOUNT, TABLES, trim_blanks_sql
from kamlib.data.currencies import CURRENCY, mixed_currencies
from kamlib.data.file_lines import lone_cr_line
from kamlib.data.problems import ValidationReport
from kamlib.data.sources.base import RawTable, after_scan
from kamlib.data.typed_read import DUCK_TYPES, numeric, plausible_sql, typed_read

__all__ = ["parse_table", "number_sql", "plausible_sql", "DATE_FORMATS"]

# Formats tried, when none is configured, on dates that are not ISO 8601.
DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d",
                "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%Y%m%d", "%d %b %Y", "%b %d, %Y")
EXCEL_SERIAL = r"[1-9]\d{4}(\.\d+)?"  # 10000..99999 days after 1899-12-30: 1927..2173
_MAX_DISTINCT = 5000


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def number_sql(x: str, *, decimal: str = ".", thousands: str = "") -> str:
    """SQL turning text ``x`` into a finite DOUBLE under the configured separators, or NULL.

    Grouping is only accepted in threes (``1.234.567,8``) so that a value written with the
    other convention fails instead of being read a thousand times too big or small; and a
    grouped number never starts with a zero group (``0.001``, ``00.500``: a decimal written
    the other way, not 1 and 500).

    >>> [duckdb.execute("SELECT " + number_sql(f"'{v}'", decimal=",", thousands=".")).fetchall()
    ...  [0][0] for v in ("1.234,5", "0.001", "00.500", "0,5", "1.000")]
    [1234.5, None, None, 0.5, 1000.0]
    """
    if decimal == "." and not thousands:
        # The cast itself ignores surrounding ASCII blanks: no trim on the hot path (a fifth
        # of the parse time on 10M lines). Other blanks are retried trimmed on failing rows.
        # It also reads "1_000" as 1000 (a programming-language habit, not a number format).
        cast = f"CASE WHEN NOT contains({x}, '_') THEN TRY_CAST({x} AS DOUBLE) END"
    else:
        whole = r"\d+"
        if thousands:
            whole += r"|[1-9]\d{0,2}(" + re.escape(thousands) + r"\d{3})+"
        grouped = r"[+-]?(" + whole + r")(" + re.escape(decimal) + r"\d*)?"
        x = f"trim({x})"
        stripped = f"replace({x}, {_lit(thousands)}, '')" if thousands else x
        cast = (f"CASE WHEN regexp_full_match({x}, {_lit(grouped)}) THEN TRY_CAST(replace("
                f"{stripped}, {_lit(decimal)}, '.') AS DOUBLE) END")
    # 'nan' and 'inf' cast to doubles, but they are not amounts
    return f"CASE WHEN isfinite({cast}) THEN {cast} END"


def _date_sql(x: str, fmt: str | None) -> str:
    if fmt:
        return f"CAST(try_strptime(trim({x}), {_lit(fmt)}) AS DATE)"
    return f"TRY_CAST({x} AS DATE)"  # like numbers: the cast ignores surrounding blanks


def parse_table(con: duckdb.DuckDBPyConnection, raw: RawTable, config: Config,
                report: ValidationReport) -> str | None:
    """Create ``t_<table>`` from ``raw`` and return its name; failures go to ``report``.

    ``None`` when the table holds no usable rows (the report says why).
    """
    spec, fmt = TABLES[raw.table], config.format_for(raw.table)
    inner, outer = [], []
    for col in spec.columns:
        name = col.name
        if name not in raw.mapping:
            outer.append(f"CAST(NULL AS {DUCK_TYPES[col.kind]}) AS {name}")
            continue
        src_type = raw.types[name]
        typed = src_type != "VARCHAR"
        text = f"CAST({name} AS VARCHAR)" if typed else name
        if col.kind in ("id", "text"):
            expr = f"CAST({name} AS VARCHAR)" if typed else \
                f"nullif({trim_blanks_sql(name)}, '')"
        elif col.kind in ("number", "integer"):
            # NaN and infinity come typed from Parquet and databases too: not amounts
            expr = f"CASE WHEN isfinite({name}) THEN CAST({name} AS DOUBLE) END" \
                if typed and numeric(src_type) else \
                number_sql(text, decimal=fmt.decimal, thousands=fmt.thousands)
        elif typed and ("DATE" in src_type or "TIMESTAMP" in src_type):
            expr = f"CAST({name} AS DATE)"
        else:
            expr = _date_sql(text, fmt.date_format)
        # Parse once in the inner query; the outer one keeps the raw text only where it
        # failed (or, for ids, where trimming changed it), so the table stays lean.
        inner += [f"{expr} AS {name}", f"{name} AS {name}__src"]
        outer.append(name)
        if col.kind == "id" and not typed:
            outer.append(f"CASE WHEN {name}__src <> {name} THEN {name}__src END AS {name}__raw")
        elif col.kind not in ("id", "text"):  # the text of implausible values too
            blank = trim_blanks_sql(f"CAST({name}__src AS VARCHAR)")
            outer.append(f"CASE WHEN ({name} IS NULL AND {blank} <> '') OR NOT "
                         f"{plausible_sql(name, col.kind)} THEN "
                         f"CAST({name}__src AS VARCHAR) END AS {name}__raw")
    table = f"t_{raw.table}"
    # Insertion order is preserved, so a row's rowid is its position in the file.
    if not typed_read(con, raw, config, table):  # else the text path:
        try:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(outer)} FROM "
                        f"(SELECT {', '.join(inner) or '1 AS _'} FROM {raw.name})")
        except duckdb.Error as err:  # what the reader cannot skip as a rejected line
            _unreadable(raw, err, report)
            return None
    if not after_scan(con, raw, table, report):
        return None
    for col in spec.columns:
        if col.name not in raw.mapping:
            continue
        if raw.raw_text:  # the typed path took only values that read as they are
            if col.kind in ("number", "integer"):
                _fix_numbers(con, table, raw, col.name, config, report)
            elif col.kind == "date":
                _fix_dates(con, table, raw, col.name, config, report)
            elif col.kind == "id" and raw.types[col.name] == "VARCHAR":  # typed ids: no text
                _log_trimmed_ids(con, table, raw, col.name, report)
        if raw.raw_text and col.kind in ("date", "number", "integer"):  # the fast path
            _refuse_implausible(con, table, raw, col.name, col.kind, report)  # has none
        if col.kind == "integer":  # after the clean-ups, so that cleaned values count too
            _check_whole(con, table, raw, col.name, report)
    return table


def _refuse_implausible(con, table, raw, col: str, kind: str, report) -> None:
    """Errors for dates and numbers outside the contract's limits; they are then unread.

    The fast path never holds such values (``typed_read`` leaves them to this path), so
    ``<col>__raw`` keeps their text; setting the value to NULL keeps them out of every later
    rule without a second "missing value" report.
    """
    bad = con.execute(f"SELECT rowid, coalesce({col}__raw, CAST({col} AS VARCHAR)) FROM "
                      f"{table} WHERE NOT {plausible_sql(col, kind)} ORDER BY rowid").fetchall()
    if not bad:
        return
    con.execute(f"UPDATE {table} SET {col}__raw = coalesce({col}__raw, CAST({col} AS VARCHAR)),"
                f" {col} = NULL WHERE NOT {plausible_sql(col, kind)}")
    where = dict(lines=raw.lines(r for r, _ in bad), values=[v.strip() for _, v in bad],
                 count=len(bad), column=raw.mapping[col], sheet=raw.sheet)
    if kind == "date":
        report.error(raw.table, raw.file, "implausible-date", f"{len(bad)} {col} value(s) "
                     f"outside {DATE_MIN} to {DATE_MAX}", **where,
                     hint="A typo in the year, or a placeholder date: fix the value (or leave "
                          "it empty if the column is optional).")
    else:
        report.error(raw.table, raw.file, "implausible-amount", f"{len(bad)} {col} value(s) "
                     f"larger than {MAX_AMOUNT:.0e} in absolute value", **where,
                     hint="A typo (an exponent, a pasted id or card number?): fix the value.")


def _unreadable(raw: RawTable, err: duckdb.Error, report: ValidationReport) -> None:
    """The reader's failure in one line, with the line it stopped at where that can be found
    (a carriage return that ends no line stops DuckDB's strict reader without a number)."""
    said = str(err).splitlines()[0]
    line = lone_cr_line(raw.path, raw.encoding) if raw.csv_args and raw.path else None
    if line:
        report.error(raw.table, raw.file, "unreadable", f"line {line} holds a carriage return "
                     "(CR) that ends no line: the file cannot be split into lines",
                     lines=(line,), hint="Remove the stray CR (a line break pasted into a "
                     "value?), or quote the value; or save the file with one kind of line end.")
        return
    report.error(raw.table, raw.file, "unreadable", f"the file could not be read: {said}",
                 sheet=raw.sheet, hint="Check the encoding, delimiter and quoting.")


def _failing(con, table: str, col: str) -> list[tuple[int, str]]:
    return con.execute(f"SELECT rowid, {col}__raw FROM {table} WHERE {col} IS NULL AND "
                       f"{col}__raw IS NOT NULL ORDER BY rowid").fetchall()


def _update(con, table: str, col: str, expr: str, where: str = "TRUE") -> int:
    before = con.execute(f"SELECT count(*) FROM {table} WHERE {col} IS NULL AND "
                         f"{col}__raw IS NOT NULL").fetchall()[0][0]
    con.execute(f"UPDATE {table} SET {col} = {expr} WHERE {col} IS NULL AND {col}__raw IS NOT "
                f"NULL AND {where}")
    after = con.execute(f"SELECT count(*) FROM {table} WHERE {col} IS NULL AND "
                        f"{col}__raw IS NOT NULL").fetchall()[0][0]
    return before - after


def _fix_numbers(con, table, raw, col, config, report) -> None:
    fmt = config.format_for(raw.table)
    if not _failing_count(con, table, col):
        return
    # blanks the cast does not ignore (no-break spaces): trimmed as before, not a cleaning step
    _update(con, table, col, number_sql(f"trim({col}__raw)", decimal=fmt.decimal,
                                        thousands=fmt.thousands))
    stripped = f"trim(regexp_replace({col}__raw, {_lit(CURRENCY)}, '', 'g'))"
    fixed = _update(con, table, col, number_sql(stripped, decimal=fmt.decimal,
                                                 thousands=fmt.thousands),
                    f"regexp_matches({col}__raw, {_lit(CURRENCY)})")
    if fixed and mixed_currencies(con, table, raw, col, fmt.currency, report):
        return
    if fixed:
        example = con.execute(f"SELECT {col}__raw, {col} FROM {table} WHERE "
                              f"regexp_matches({col}__raw, {_lit(CURRENCY)}) AND {col} IS NOT "
                              "NULL ORDER BY rowid LIMIT 1").fetchall()[0]
        report.cleaned(raw.table, raw.file, f"currency symbols removed from {col}", fixed,
                       f"e.g. {example[0]!r} read as {example[1]:g}; amounts are taken as "
                       f"{fmt.currency}")
    bad = _failing(con, table, col)
    if not bad:
        return
    # digit groups written with separators other than the configured ones (1.234,5 / 1 000
    # without thousands = " ", and 1_000 or 1'000, which no setting reads)
    separators = [v for _, v in bad if re.fullmatch(r"[+-]?[\d.,\s_'’]+", v.strip())]
    where = dict(lines=raw.lines(r for r, _ in bad), values=[v for _, v in bad],
                 count=len(bad), column=raw.mapping[col], sheet=raw.sheet)
    if separators:
        report.error(raw.table, raw.file, "number-format",
                     f"{len(bad)} {col} value(s) do not match the configured separators "
                     f"(decimal {fmt.decimal!r}, thousands {fmt.thousands or 'none'!r}); "
                     f"'1.234,56' and '1,234.56' cannot both be read", **where,
                     hint="Set [format] decimal and thousands in kam.toml to the way the file "
                          "writes numbers, e.g. decimal = \",\" and thousands = \".\"; "
                          "underscores and apostrophes are not read as separators.")
    else:
        report.error(raw.table, raw.file, "non-numeric", f"{len(bad)} {col} value(s) are not "
                     f"numbers", **where,
                     hint="Replace them with a number, or leave the cell empty if the column "
                          "is optional.")


def _failing_count(con, table: str, col: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table} WHERE {col} IS NULL AND {col}__raw IS "
                       f"NOT NULL").fetchall()[0][0]


def _check_whole(con, table, raw, col, report) -> None:
    bad = con.execute(f"SELECT rowid, {col} FROM {table} WHERE {col} <> round({col}) "
                      f"ORDER BY rowid").fetchall()
    if bad:
        report.error(raw.table, raw.file, "not-integer", f"{col} must be a whole number",
                     column=raw.mapping[col], sheet=raw.sheet, lines=raw.lines(r for r, _ in bad),
                     values=[v for _, v in bad], count=len(bad))


def _fix_dates(con, table, raw, col, config, report) -> None:
    """Read the dates that did not parse: one other way for the whole column, else errors.

    A column is read one way. If some values are in the configured format (ISO 8601 when
    none is set) and others in another way (Excel serial numbers, 05/01/2024), the smaller
    group is an error listing its values: 10045 among ISO dates is a typo, not 1927.
    """
    if not _failing_count(con, table, col):
        return
    fmt = config.format_for(raw.table).date_format
    _update(con, table, col, _date_sql(f"trim({col}__raw)", fmt))
    bad = _failing(con, table, col)
    if not bad:
        return
    where = dict(column=raw.mapping[col], sheet=raw.sheet)
    primary = fmt or "ISO 8601 (YYYY-MM-DD)"
    n_primary = con.execute(f"SELECT count({col}) FROM {table}").fetchall()[0][0]
    others = DATE_FORMATS if fmt is None else ("%Y-%m-%d", *DATE_FORMATS)
    kind = {v: _date_kind(v, others) for v in sorted({v.strip() for _, v in bad}
                                                      )[:_MAX_DISTINCT]}
    readable = [(r, v) for r, v in bad if kind.get(v.strip())]
    if n_primary and readable:
        groups = Counter(_shape(v) for _, v in readable)
        if n_primary >= max(groups.values()):
            shown = readable
            what = (f"{len(readable)} {col} value(s) are written differently from the other "
                    f"{n_primary}, which are {primary}")
        else:
            shown = con.execute(f"SELECT rowid, CAST({col} AS VARCHAR) FROM {table} WHERE "
                                f"{col} IS NOT NULL ORDER BY rowid").fetchall()
            what = (f"{n_primary} {col} value(s) are {primary} while {len(readable)} are "
                    f"written another way (e.g. {readable[0][1].strip()!r})")
        serial = next((v.strip() for _, v in readable if kind[v.strip()] == "serial"), None)
        report.error(raw.table, raw.file, "mixed-dates", what + "; a column is read one way"
                     + (f" ({serial} would be the Excel serial date {_serial(serial)})"
                        if serial else ""), lines=raw.lines(r for r, _ in shown),
                     values=[v.strip() for _, v in shown], count=len(shown),
                     hint="Write every date the same way (ISO 8601 YYYY-MM-DD is safest); "
                          "a number among dates is usually a typo.", **where)
        bad = [(r, v) for r, v in bad if not kind.get(v.strip())]
        if bad:
            _invalid_dates(raw, col, bad, primary, report, where)
        return
    if readable and all(kind.get(v.strip()) == "serial" for _, v in bad):
        fixed = _update(con, table, col, f"DATE '1899-12-30' + CAST(floor(CAST({col}__raw AS "
                        f"DOUBLE)) AS INTEGER)", f"regexp_full_match(trim({col}__raw), "
                        f"{_lit(EXCEL_SERIAL)})")
        first = bad[0][1].strip()
        report.cleaned(raw.table, raw.file, f"Excel serial numbers read as {col}", fixed,
                       f"e.g. {first} read as {_serial(first)}")
        return
    distinct = [v for v in kind if kind[v] != "serial"]
    if fmt is None and not any(k == "serial" for k in kind.values()):
        fits = [f for f in DATE_FORMATS if all(_parses(v, f) for v in distinct)]
        if len(fits) == 1:
            n = _update(con, table, col, _date_sql(f"{col}__raw", fits[0]))
            example = con.execute(f"SELECT {col}__raw, {col} FROM {table} WHERE {col} IS NOT "
                                  f"NULL AND {col}__raw IS NOT NULL ORDER BY rowid LIMIT 1"
                                  ).fetchall()[0]
            report.cleaned(raw.table, raw.file, f"{col} read as {fits[0]}", n,
                           f"e.g. {example[0].strip()!r} read as {example[1]}; the only format "
                           "that reads every value; set [format] date_format to make it "
                           "explicit")
            bad = _failing(con, table, col)
            if not bad:
                return
        elif len(fits) > 1:
            report.error(raw.table, raw.file, "ambiguous-date", f"{col} values fit several "
                         f"formats ({', '.join(fits)}): 03/04/2024 could be 3 April or March 4",
                         lines=raw.lines(r for r, _ in bad), values=[v for _, v in bad],
                         count=len(bad), hint=f"Set [format] date_format = \"{fits[0]}\" (or "
                         f"the right one) in kam.toml.", **where)
            return
    if len({_shape(v) for _, v in readable}) > 1 and len(readable) == len(bad):
        report.error(raw.table, raw.file, "mixed-dates", f"{col} mixes date formats "
                     f"in one column", lines=raw.lines(r for r, _ in bad),
                     values=[v for _, v in bad], count=len(bad),
                     hint="Write every date the same way (ISO 8601 YYYY-MM-DD is safest)"
                          " and set [format] date_format.", **where)
        return
    _invalid_dates(raw, col, bad, primary, report, where)


def _invalid_dates(raw, col, bad, primary, report, where) -> None:
    report.error(raw.table, raw.file, "invalid-date", f"{len(bad)} {col} value(s) are not "
                 f"dates in the format {primary}", lines=raw.lines(r for r, _ in bad),
                 values=[v for _, v in bad], count=len(bad),
                 hint="Fix the values, or set [format] date_format in kam.toml.", **where)


def _date_kind(value: str, formats) -> str | None:
    """How a value that is not in the column's format reads: "serial", a format, or None."""
    if re.fullmatch(EXCEL_SERIAL, value):
        return "serial"
    return next((f for f in formats if _parses(value, f)), None)


def _shape(value: str) -> str:
    """The way a date is written, digits aside: 05/01/2024 and 5/1/2024 are one shape.

    >>> _shape("05/01/2024"), _shape("2024-01-05"), _shape("45292")
    ('9/9/9', '9-9-9', '9')
    """
    return re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "a", value.strip()))


def _serial(value: str) -> str:
    """The date an Excel serial number stands for, as DuckDB's UPDATE computes it."""
    return (date(1899, 12, 30) + timedelta(days=int(float(value)))).isoformat()


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _log_trimmed_ids(con, table, raw, col, report) -> None:
    n = con.execute(f"SELECT count(*) FROM {table} WHERE {col}__raw IS NOT NULL").fetchall()[0][0]
    if not n:
        return
    merged = con.execute(
        f"SELECT {col}, list(DISTINCT coalesce({col}__raw, {col}) ORDER BY "
        f"coalesce({col}__raw, {col})) FROM {table} GROUP BY {col} HAVING count(DISTINCT "
        f"coalesce({col}__raw, {col})) > 1 ORDER BY {col} LIMIT 5").fetchall()
    detail = "; ".join(f"{[*v]} -> {k!r}" for k, v in merged)
    report.cleaned(raw.table, raw.file, f"whitespace trimmed from {col}", n,
                   f"ids merged: {detail}" if detail else "")
