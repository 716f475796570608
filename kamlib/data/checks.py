"""Rules across rows and tables, run on the parsed tables in DuckDB.

Missing required values, keys (exact duplicate rows are cleaned, conflicting ones are
errors), values against the contract (pandera, on the small tables), references between
tables, exact duplicate transaction lines, the analysis window and a few plausibility
warnings. Each rule records its problems or cleaning counts in the report.

Examples
--------
>>> import kamlib
>>> kamlib.validate().ok   # the bundled sample is clean
True
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandera.errors

from kamlib.data.config import Config
from kamlib.data.contract import OUTLIER_YEARS, TABLES, pandera_schema
from kamlib.data.duplicate_lines import duplicate_rule
from kamlib.data.late_dates import late_tail
from kamlib.data.lookalike import lookalike_groups, lookalike_hint
from kamlib.data.problems import ValidationReport
from kamlib.data.sources.base import RawTable
from kamlib.data.typed_read import DUCK_TYPES

__all__ = ["check_tables", "account_rules", "MISSING_IDS"]

MISSING_IDS = ("nan", "null", "none", "#n/a", "n/a", "na")  # exported blanks, not real ids
SMALL = ("accounts", "activities", "activity_rates", "contacts", "opportunities",
         "account_notes", "events")


def check_tables(con: duckdb.DuckDBPyConnection, raws: dict[str, RawTable], config: Config,
                 report: ValidationReport, today: date | None = None) -> None:
    """Run every cross-row rule; afterwards ``tx`` is the clean transactions view."""
    for name, raw in raws.items():
        _missing_values(con, raw, report)
        if TABLES[name].key:
            _keys(con, raw, report)
        if name in SMALL:
            _contract_values(con, raw, report)
    if "transactions" in raws:
        _transactions(con, raws, config, report, today or date.today())
    for name, raw in raws.items():
        for col, target in TABLES[name].references.items():
            if target in raws and not (name == "transactions" and col == "account_id"):
                _references(con, raw, col, raws[target], report)


def _named(raw: RawTable) -> str:
    """A source as messages name it: a file by its name, a database table as "table X"."""
    return raw.file if raw.noun == "file" else f"table {raw.file}"


def _where(raw: RawTable, col: str | None, rows) -> dict:
    """Where: the column, the sheet, and the lines of 0-based ``rows``, or, where the rows
    were named by their keys already (a table on a server), those names."""
    rows = list(rows)
    if rows and isinstance(rows[0], str):
        return dict(column=raw.mapping.get(col) if col else None, rows=rows)
    return dict(column=raw.mapping.get(col) if col else None, sheet=raw.sheet,
                lines=raw.lines(rows))


def _missing_values(con, raw: RawTable, report: ValidationReport) -> None:
    table = f"t_{raw.table}"
    for col in TABLES[raw.table].columns:
        if col.nullable or col.name not in raw.mapping:
            continue
        blank = f"{col.name} IS NULL AND {col.name}__raw IS NULL" if col.kind not in (
            "id", "text") and raw.raw_text else f"{col.name} IS NULL"
        if col.kind == "id":
            listed = ", ".join(f"'{v}'" for v in MISSING_IDS)
            blank = f"({blank} OR lower({col.name}) IN ({listed}))"
        explained = set(raw.explained_blanks.get(col.name, ()))  # e.g. uncomputed formulas
        rows = [r for r in con.execute(f"SELECT rowid, coalesce(CAST({col.name} AS VARCHAR), "
                                       f"'') FROM {table} WHERE {blank} ORDER BY rowid"
                                       ).fetchall() if r[0] not in explained]
        if rows:
            report.error(raw.table, raw.file, "missing-value", f"{len(rows)} row(s) without "
                         f"{col.name}", count=len(rows), values=[v for _, v in rows],
                         hint=f"Every {raw.table} row needs a {col.name}; fill it in or "
                              f"delete the row.", **_where(raw, col.name, [r for r, _ in rows]))


def _keys(con, raw: RawTable, report: ValidationReport) -> None:
    table, key = f"t_{raw.table}", TABLES[raw.table].key
    cols = [c for c in TABLES[raw.table].names if c in raw.mapping]
    keys, all_cols = ", ".join(key), ", ".join(cols)
    exact = con.execute(f"SELECT count(*) - count(DISTINCT ({all_cols})) FROM {table}"
                        ).fetchall()[0][0]
    report.cleaned(raw.table, raw.file, "exact duplicate rows dropped", exact)
    # Exact duplicates are dropped (dataset.py reads DISTINCT rows); judge keys without them.
    rows = f"SELECT min(rowid) AS _row, {all_cols} FROM {table} GROUP BY ALL"
    clashes = con.execute(
        f"SELECT {keys}, list(_row ORDER BY _row), "
        + ", ".join(f"count(DISTINCT {c})" for c in cols)
        + f" FROM ({rows}) GROUP BY {keys} HAVING count(*) > 1 ORDER BY {keys}").fetchall()
    if not clashes:
        return
    n_key = len(key)
    differing = sorted({c for row in clashes for c, n in zip(cols, row[n_key + 1:]) if n > 1})
    rows = [r for row in clashes for r in row[n_key]]
    label = " and ".join(differing) or "other columns"
    report.error(raw.table, raw.file, "conflicting-duplicate", f"{len(clashes)} {keys} value(s)"
                 f" appear on several rows with different {label}", count=len(rows),
                 values=[str(row[0]) for row in clashes],
                 hint=f"Keep one row per {keys} (merge the accounts in the source system, or "
                      f"give them different ids).", **_where(raw, key[0], rows))


def _contract_values(con, raw: RawTable, report: ValidationReport) -> None:
    frame = con.execute(f"SELECT rowid AS _row, * FROM t_{raw.table}").df().set_index("_row")
    cols = [c for c in TABLES[raw.table].names if c in raw.mapping]
    try:
        pandera_schema(raw.table, values_only=True).validate(frame[cols], lazy=True)
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases.dropna(subset=["index"])
        for (col, check), group in cases.groupby(["column", "check"], sort=True):
            rows = sorted(int(i) for i in group["index"])
            allowed = TABLES[raw.table].column(col).allowed if col in cols else None
            report.error(raw.table, raw.file, "out-of-range", f"{len(rows)} {col} value(s) "
                         f"fail the contract check {check}", count=len(rows),
                         values=[str(v) for v in group["failure_case"]],
                         hint=(f"Use one of: {', '.join(map(str, allowed))} (see "
                               "data/README.md)." if allowed and check.startswith("isin")
                               else "See data/README.md for the allowed values."),
                         **_where(raw, col, rows))


def _references(con, raw: RawTable, col: str, target: RawTable, report) -> None:
    rows = con.execute(f"SELECT rowid, {col} FROM t_{raw.table} WHERE {col} IS NOT NULL AND "
                       f"{col} NOT IN (SELECT {col} FROM t_{target.table} WHERE {col} IS NOT "
                       f"NULL) ORDER BY rowid").fetchall()
    if rows:
        values = list(dict.fromkeys(v for _, v in rows))
        report.error(raw.table, raw.file, "unknown-reference", f"{len(values)} {col} value(s) "
                     f"are not in {target.table} ({_named(target)})", count=len(rows),
                     values=values, hint=lookalike_hint(con, values, target.table, col)
                     + f"Add them to {_named(target)}, or fix the ids.",
                     **_where(raw, col, [r for r, _ in rows]))


def _transactions(con, raws, config: Config, report: ValidationReport, today: date) -> None:
    raw = raws["transactions"]
    start, end = _window(con, raw, config, report, today)
    window = [f"date >= DATE '{start}'"] if start else []
    window.append(f"date <= DATE '{end}'")
    cond = " AND ".join(window)
    drop = _duplicate_lines(con, raw, config, report)
    outside = con.execute(f"SELECT count_if(NOT ({cond})) FROM t_transactions").fetchall()[0][0]
    report.cleaned("transactions", raw.file, "lines outside the analysis window left out",
                   outside, f"window {start or 'first date'} to {end}")
    con.execute(f"CREATE OR REPLACE VIEW tx AS SELECT rowid AS _row, * FROM t_transactions "
                f"WHERE {cond}" + (" AND rowid NOT IN (SELECT _row FROM dropped)" if drop else ""))
    # One pass to per-account totals; the account rules below read these few rows.
    con.execute("CREATE OR REPLACE TEMP TABLE tx_accounts AS SELECT account_id, "
                "coalesce(sum(revenue), 0) AS revenue, count(*) AS lines FROM tx "
                "GROUP BY account_id")
    empty = _empty_window(con, raw, start, end, report)
    account_rules(con, raws, config, report, empty)


def account_rules(con, raws, config: Config, report: ValidationReport, empty: bool,
                  lines_of=None, ids_from: str = "t_transactions") -> None:
    """The rules on per-account totals (table ``tx_accounts``: account_id, revenue, lines):
    unknown accounts (or accounts made from the ids), negative accounts, zero revenue.

    ``lines_of(ids)`` gives the example rows of unknown accounts (default: their line
    numbers, from ``tx``; on a server, their rows named by keys);
    ``ids_from`` is the table of transaction account ids when there is no accounts table.
    The pushdown (:mod:`kamlib.data.pushdown`) computes ``tx_accounts`` on the database and
    runs these same rules on it.
    """
    raw = raws["transactions"]
    if "accounts" in raws:
        _unknown_accounts(con, raws, config, report, lines_of)
    else:
        _accounts_from_transactions(con, raw, report, ids_from)
    totals = con.execute("SELECT account_id, revenue FROM tx_accounts ORDER BY account_id"
                         ).fetchall()
    negative = [a for a, r in totals if r < 0]
    if negative:
        report.warn("transactions", raw.file, "negative-account", f"{len(negative)} account(s) "
                    f"have negative net revenue in the window (credits exceed invoices)",
                    column=raw.mapping["revenue"], values=negative, count=len(negative),
                    hint="Valid, but check the credit notes.")
    unreadable = any(p.severity == "error" and p.table == "transactions" and p.column ==
                     raw.mapping["revenue"] for p in report.problems)
    if sum(r for _, r in totals) == 0 and not (unreadable or empty):  # else an errors' echo
        report.warn("transactions", raw.file, "zero-revenue", "total revenue in the window is "
                    "zero: shares of revenue cannot be computed",
                    hint="Check the revenue column mapping and the analysis window.")


def _window(con, raw: RawTable, config: Config, report: ValidationReport, today: date
            ) -> tuple[date | None, date]:
    """The analysis window (start, end), with warnings for lines a default end leaves out.

    A configured start, end or as_of rules. By default the window ends today: lines dated
    later are typos or planned invoices, and one of them must not move the as-of date (and
    with it every "months since" figure). By default it starts at the first date, unless
    that is more than ``OUTLIER_YEARS`` before the median date: such lines (a 1902 typo
    for 2002) are left out too, so that they do not stretch the window over decades.
    """
    an = config.analysis
    end = an.end or an.as_of or today
    n_future = con.execute("SELECT count_if(date > ?) FROM t_transactions", [today]
                           ).fetchall()[0][0]
    if n_future:
        inside = con.execute("SELECT count_if(date > ? AND date <= ?) FROM t_transactions",
                             [today, end]).fetchall()[0][0]
        future = _first_rows(con, f"date > DATE '{today}'")
        report.warn("transactions", raw.file, "future-date", f"{n_future} line(s) dated after "
                    f"today ({today}), " + (f"{inside} of them inside the configured window "
                                             f"(to {end})" if inside else
                                             "left out of the analysis"),
                    count=n_future, values=[v for _, v in future],
                    hint="Check the year for typos. " + (
                        "Set [analysis] end before today to leave them out." if inside else
                        "To analyse planned invoices, set [analysis] end (or as_of)."),
                    **_where(raw, "date", [r for r, _ in future]))
    if an.end is None and an.as_of is None and (tail := late_tail(con, "t_transactions", end)):
        first, before, n_late = tail
        late = _first_rows(con, f"date >= DATE '{first}' AND date <= DATE '{end}'")
        report.warn("transactions", raw.file, "date-outlier", f"{n_late} line(s) dated "
                    f"{first} or later, long after the rest of the data (which ends on "
                    f"{before}), left out of the analysis: the as-of date is {before}, not "
                    f"{first}", count=n_late, values=[v for _, v in late],
                    hint=f"Check the year for typos; set [analysis] as_of (or end) to the "
                         f"last date to include them.",
                    **_where(raw, "date", [r for r, _ in late]))
        end = before
    start = an.start
    if start is None:
        median = con.execute("SELECT quantile_disc(date, 0.5) FROM t_transactions"
                             ).fetchall()[0][0]
        cut = median.replace(year=median.year - OUTLIER_YEARS, day=min(median.day, 28)) \
            if median else None
        n_old = con.execute("SELECT count_if(date < ?) FROM t_transactions", [cut]
                            ).fetchall()[0][0] if cut else 0
        if n_old:
            start = con.execute("SELECT min(date) FROM t_transactions WHERE date >= ?", [cut]
                                ).fetchall()[0][0]
            old = _first_rows(con, f"date < DATE '{cut}'")
            report.warn("transactions", raw.file, "date-outlier", f"{n_old} line(s) dated "
                        f"more than {OUTLIER_YEARS} years before most of the data (median "
                        f"{median}), left out of the analysis", count=n_old,
                        values=[v for _, v in old],
                        hint=f"Check the year for typos; set [analysis] start = {old[0][1]} "
                             "(or earlier) to include them.",
                        **_where(raw, "date", [r for r, _ in old]))
    return start, end


def _first_rows(con, where: str) -> list[tuple[int, str]]:
    """The first five transaction lines matching ``where``, with their dates."""
    return con.execute(f"SELECT rowid, CAST(date AS VARCHAR) FROM t_transactions WHERE {where} "
                       "ORDER BY rowid LIMIT 5").fetchall()


def _empty_window(con, raw: RawTable, start: date | None, end: date,
                  report: ValidationReport) -> bool:
    """An error when no line is left in the window (every figure would be empty)."""
    first, last, n = con.execute("SELECT min(date), max(date), (SELECT count(*) FROM tx) FROM "
                                 "t_transactions").fetchall()[0]
    if n == 0 and first is not None:
        report.error("transactions", raw.file, "empty-window", f"no transaction lines in the "
                     f"analysis window {start or first}..{end}; the data runs from {first} to "
                     f"{last}", column=raw.mapping["date"],
                     hint="Set [analysis] start and end (or as_of) to dates inside the data.")
    return n == 0


def _duplicate_lines(con, raw: RawTable, config: Config, report: ValidationReport) -> int:
    """Find exact duplicate lines, apply :func:`duplicate_rule`, and return how many were
    dropped (listed in table ``dropped``, which is empty when they are kept).

    A 64-bit row hash finds candidates in one cheap pass (sorting the hashes and comparing
    neighbours beats a 10M-entry hash table by a fifth); only candidate rows are then compared
    column by column, so a hash collision never drops a real line.
    """
    cols = ", ".join(c for c in TABLES["transactions"].names if c in raw.mapping)
    con.execute(f"CREATE OR REPLACE TEMP TABLE dup_hashes AS SELECT DISTINCT h FROM (SELECT h, "
                f"lead(h) OVER (ORDER BY h) AS next FROM (SELECT hash({cols}) AS h FROM "
                f"t_transactions)) WHERE h = next")
    con.execute(f"CREATE OR REPLACE TEMP TABLE dropped AS SELECT _row FROM (SELECT rowid AS "
                f"_row, row_number() OVER (PARTITION BY {cols} ORDER BY rowid) AS copy FROM "
                f"t_transactions WHERE hash({cols}) IN (SELECT h FROM dup_hashes)) WHERE copy > 1")
    n, revenue = con.execute("SELECT count(*), coalesce(sum(revenue), 0) FROM t_transactions "
                             "WHERE rowid IN (SELECT _row FROM dropped)").fetchall()[0]
    drop, why = duplicate_rule(config, raw.mapping)
    report.rule("transactions", "exact duplicate lines", why)
    if drop:
        report.cleaned("transactions", raw.file, "exact duplicate lines dropped", n,
                       f"identical in every column; revenue {revenue:,.2f} left out")
        return n
    if n:
        lines = [r for (r,) in con.execute("SELECT _row FROM dropped ORDER BY _row LIMIT 5"
                                           ).fetchall()]
        report.warn("transactions", raw.file, "duplicate-lines", f"{n} line(s) repeat an "
                    f"earlier line exactly (revenue {revenue:,.2f}); kept as real repeat "
                    f"purchases", count=n, **_where(raw, None, lines),
                    hint="If they are a double export, set [analysis] duplicate_lines = "
                         "\"drop\"; mapping an invoice_id column lets the kit decide.")
    con.execute("DELETE FROM dropped")
    return 0


def _accounts_from_transactions(con, raw: RawTable, report: ValidationReport,
                                ids_from: str = "t_transactions") -> None:
    """No accounts table: the accounts are the ids found in transactions, named by id."""
    listed = ", ".join(f"'{v}'" for v in MISSING_IDS)
    columns = ", ".join(
        f"{c.name}" if c.name == "account_id" else "account_id AS account_name"
        if c.name == "account_name" else f"CAST(NULL AS {DUCK_TYPES[c.kind]}) AS {c.name}"
        for c in TABLES["accounts"].columns)
    con.execute(f"CREATE OR REPLACE TABLE t_accounts AS SELECT {columns} FROM (SELECT DISTINCT "
                f"account_id FROM {ids_from} WHERE account_id IS NOT NULL AND "
                f"lower(account_id) NOT IN ({listed})) ORDER BY account_id")
    n = con.execute("SELECT count(*) FROM t_accounts").fetchall()[0][0]
    report.tables["accounts"] = ["account_id", "account_name"]
    report.cleaned("accounts", raw.file, "accounts created from transaction ids (no accounts "
                   "table)", n, "each named after its id; add an accounts table for names, "
                   "industry, region and manager")
    _created_lookalikes(con, raw, report, None)


def _created_lookalikes(con, raw: RawTable, report: ValidationReport,
                        created: set[str] | None) -> None:
    """A warning when ids the kit made accounts of (``created``; None: all) look like one
    account (``001``, ``1``, ``1.0``; ``A1``, ``a1``): no accounts table says they differ."""
    ids = [a for (a,) in con.execute("SELECT account_id FROM t_accounts").fetchall()]
    groups = [g for g in lookalike_groups(ids) if created is None or created & set(g)]
    if groups:
        shown = "; ".join(", ".join(repr(a) for a in g) for g in groups[:5])
        report.warn("transactions", raw.file, "lookalike-ids", f"{len(groups)} group(s) of "
                    f"account ids look like one account each but are counted as "
                    f"{sum(len(g) for g in groups)} accounts: {shown}",
                    count=sum(len(g) for g in groups), values=[a for g in groups for a in g],
                    column=raw.mapping.get("account_id"), sheet=raw.sheet,
                    hint="Leading zeros, a '.0' or letter case differ: one customer from two "
                         "systems? Fix the ids in the source (export them as text), or list "
                         "the accounts in an accounts table.")


def _unknown_accounts(con, raws, config: Config, report: ValidationReport,
                      lines_of=None) -> None:
    raw = raws["transactions"]
    # blank-like ids ("NaN", "NULL") were reported as missing values: not a second time here
    listed = ", ".join(f"'{v}'" for v in MISSING_IDS)
    unknown = con.execute("SELECT account_id, lines FROM tx_accounts WHERE account_id NOT IN "
                          "(SELECT account_id FROM t_accounts) "
                          f"AND lower(account_id) NOT IN ({listed}) ORDER BY account_id"
                          ).fetchall()
    if not unknown:
        return
    count = sum(n for _, n in unknown)
    if config.analysis.unknown_accounts == "create":
        con.execute("INSERT INTO t_accounts (account_id, account_name) SELECT "
                    "account_id, account_id FROM (SELECT unnest(?::VARCHAR[]) AS account_id)",
                    [[a for a, _ in unknown]])
        report.cleaned("accounts", raws["accounts"].file, "accounts created for unknown "
                       "transaction accounts", len(unknown),
                       f"{count} lines; named after their id; e.g. {unknown[0][0]!r}")
        _created_lookalikes(con, raw, report, {a for a, _ in unknown})
        return
    lines = lines_of([a for a, _ in unknown]) if lines_of else sorted(r for (r,) in con.execute(
        "SELECT unnest(list(_row ORDER BY _row)[:5]) FROM tx WHERE account_id IN (SELECT "
        "unnest(?::VARCHAR[])) GROUP BY account_id", [[a for a, _ in unknown]]).fetchall())
    report.error("transactions", raw.file, "unknown-account", f"{len(unknown)} account_id "
                 f"value(s) in {count} line(s) are not in {_named(raws['accounts'])}",
                 count=count, values=[a for a, *_ in unknown],
                 hint=lookalike_hint(con, [a for a, _ in unknown], "accounts",
                                          "account_id") + "Add the accounts "
                      f"to the accounts {raws['accounts'].noun}, or set [analysis] "
                      "unknown_accounts = \"create\" to add them by id (counted).",
                 **_where(raw, "account_id", lines))
