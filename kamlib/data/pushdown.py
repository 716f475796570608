"""Pushdown (``[source] compute = "database"``): the transaction rules and the cube run where
the lines live; only counts, a few example rows and small frames come back.

Written once as Ibis expressions, so the same code runs on any engine Ibis reaches
(PostgreSQL, Spark, DuckDB). The rules are those :mod:`kamlib.data.checks` and
:mod:`kamlib.data.parsing` apply to the transaction lines on the local path: missing
values, dates and amounts outside the contract's limits, future and outlying dates, the
analysis window, exact duplicate lines, then the per-account totals (a few thousand rows)
on which the account rules of :func:`kamlib.data.checks.account_rules` run unchanged. An
example row is named by its keys (invoice id and line number, or account and date), as a
database row has no line number. Nothing is created on the server (no temporary tables or
views): a read-only user is enough; on Spark, whose session views cost nothing, the source
module caches the typed lines in memory first. Small results are sorted on the client, in
byte order.

Engine-specific reading (which driver, how a query becomes a table) lives in the source
modules (:mod:`kamlib.data.postgres`); this module only needs an Ibis table.

Examples
--------
>>> import ibis, pandas as pd
>>> lines = ibis.memtable(pd.DataFrame({"Kunde": ["1", None], "Datum": pd.to_datetime(
...     ["2024-01-05", "2024-01-06"]), "Umsatz": [10.0, 5.0]}))
>>> typed = typed_lines(lines, {"account_id": "Kunde", "date": "Datum", "revenue": "Umsatz"})
>>> typed.columns[:3], typed.count().to_pyarrow().as_py()
(('account_id', 'date', 'revenue'), 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import ibis
import pandas as pd

from kamlib.data.checks import MISSING_IDS, account_rules
from kamlib.data.duplicate_lines import duplicate_rule
from kamlib.data.config import Config
from kamlib.data.contract import (BLANKS, DATE_MAX, DATE_MIN, MAX_AMOUNT, OUTLIER_YEARS,
                                   TABLES)
from kamlib.data.late_dates import late_tail
from kamlib.data.problems import MAX_EXAMPLES, ValidationReport
from kamlib.data.row_keys import row_keys, row_names, value_text
from kamlib.data.sources.base import RawTable

__all__ = ["PushedLines", "pushdown_keys", "typed_lines", "check_pushed", "clean_lines",
           "unsupported_types"]


@dataclass
class PushedLines(RawTable):
    """The transaction lines left on their engine: ``lines`` is the Ibis table with the
    contract's columns and types. Row numbers mean nothing there, so ``lines()`` is empty
    and problems name rows by :attr:`keys`."""

    lines_table: ibis.Table | None = None
    clean: ibis.Table | None = None  # the lines in the window, duplicates dropped (cube)
    backend: object = None
    fetch: object = None  # expr -> DataFrame for the cube's frames (None: Ibis' to_pandas)
    keys: tuple[str, ...] = field(default=())

    def lines(self, rowids) -> list[int]:
        return []


def unsupported_types(source: ibis.Table, mapping: dict[str, str]) -> list[str]:
    """Mapped columns whose type the pushdown cannot take as it is (dates stored as text,
    amounts as text): ``["date (string)"]``. Such data goes the local way."""
    out = []
    for col in TABLES["transactions"].columns:
        if col.name not in mapping:
            continue
        kind = source[mapping[col.name]].type()
        ok = kind.is_temporal() if col.kind == "date" else kind.is_numeric() if col.kind in (
            "number", "integer") else True
        if not ok:
            out.append(f"{col.name} ({kind})")
    return out


def typed_lines(source: ibis.Table, mapping: dict[str, str]) -> ibis.Table:
    """The mapped columns under the contract's names and types (ids as trimmed text, or
    NULL when blank; dates as dates; numbers as float64), unmapped ones as typed NULLs."""
    out = {}
    for col in TABLES["transactions"].columns:
        if col.name not in mapping:
            out[col.name] = ibis.null({"date": "date", "id": "string", "text": "string"}.get(
                col.kind, "float64"))
            continue
        x = source[mapping[col.name]]
        if col.kind in ("id", "text"):
            out[col.name] = _trimmed(x).nullif("") if x.type().is_string() else \
                x.cast("string")
        elif col.kind == "date":
            out[col.name] = x.cast("date")
        else:
            out[col.name] = x.cast("float64")
    return source.select(**out)


def _trimmed(x: ibis.StringValue) -> ibis.StringValue:
    """``x`` without :data:`BLANKS` at either end, as the local path trims (Ibis' strip()
    takes only ASCII blanks)."""
    return x.re_replace(f"^[{BLANKS}]+", "").re_replace(f"[{BLANKS}]+$", "")


def pushdown_keys(mapping: dict[str, str]) -> tuple[str, ...]:
    return row_keys("transactions", mapping)


def _examples(t: ibis.Table, cond, keys, column: str | None = None) -> dict:
    """The first rows (in key order) matching ``cond``: ``rows`` named by their keys
    ('invoice_id=A7 line_no=2'), and ``values`` of ``column`` ('' when empty)."""
    shown = [*keys, *([column] if column and column not in keys else [])]
    rows = t.filter(cond).select(*shown).order_by(list(keys)).limit(MAX_EXAMPLES).to_pandas()
    return dict(rows=row_names(rows[list(keys)], keys),
                values=[value_text(v) for v in rows[column]] if column else [])


def _counts(t: ibis.Table, conds: dict) -> dict[str, int]:
    """How many rows meet each condition, and all rows (``_rows``), in one pass."""
    row = t.aggregate(_rows=t.count(), **{k: c.fill_null(False).sum() for k, c in
                                          conds.items()}).to_pandas().iloc[0]
    return {k: int(0 if pd.isna(v) else v) for k, v in row.items()}


def _value_rules(raw: PushedLines, report: ValidationReport) -> ibis.Table:
    """Missing and implausible values; returns the lines with implausible values as NULL
    (as the local path unreads them)."""
    t, m = raw.lines_table, raw.mapping
    missing, implausible, nonfinite = {}, {}, {}
    for col in TABLES["transactions"].columns:
        if col.name not in m:
            continue
        x = t[col.name]
        if not col.nullable:
            blank = x.isnull()
            if col.kind == "id":
                blank = blank | x.lower().isin(MISSING_IDS)
            missing[col.name] = blank.fill_null(False)
        if col.kind == "date":
            implausible[col.name] = ~x.between(DATE_MIN, DATE_MAX)
        elif col.kind in ("number", "integer"):
            # NaN and infinity, which a database's floating and numeric types hold, are no
            # amounts (the local path's non-numeric rule); servers sort NaN above every
            # number, so it is kept out of the size rule
            nonfinite[col.name] = (x.isnan() | x.isinf()).fill_null(False)
            implausible[col.name] = (x.abs() > MAX_AMOUNT) & ~nonfinite[col.name]
    counts = _counts(t, {**{f"m_{k}": v for k, v in missing.items()},
                         **{f"i_{k}": v.fill_null(False) for k, v in implausible.items()},
                         **{f"n_{k}": v for k, v in nonfinite.items()}})
    raw.rows = counts["_rows"]
    for name, cond in nonfinite.items():
        if n := counts[f"n_{name}"]:
            # the values as the database writes them ('NaN', 'Infinity'): pandas would
            # read NaN back as empty
            shown = t.mutate(_as_written=t[name].cast("string"))
            report.error("transactions", raw.file, "non-numeric", f"{n} {name} value(s) are "
                         "not numbers", count=n, column=m[name],
                         **_examples(shown, cond, raw.keys, "_as_written"),
                         hint="Replace them with a number, or leave the cell empty if the "
                              "column is optional.")
    for name, cond in implausible.items():
        n = counts[f"i_{name}"]
        if n:
            kind = "date" if name == "date" else "amount"
            limits = f"outside {DATE_MIN} to {DATE_MAX}" if kind == "date" else \
                f"larger than {MAX_AMOUNT:.0e} in absolute value"
            report.error("transactions", raw.file, f"implausible-{kind}", f"{n} {name} "
                         f"value(s) {limits}", count=n, column=m[name],
                         **_examples(t, cond, raw.keys, name),
                         hint="A typo or a placeholder: fix the value in the table.")
    for name, cond in missing.items():
        n = counts[f"m_{name}"]
        if n:
            report.error("transactions", raw.file, "missing-value", f"{n} row(s) without "
                         f"{name}", count=n, column=m[name],
                         **_examples(t, cond, raw.keys, name),
                         hint=f"Every transactions row needs a {name}; fill it in or delete "
                              "the row.")
    unread = {k: c.fill_null(False) | nonfinite[k] if k in nonfinite else c.fill_null(False)
              for k, c in implausible.items()}
    if not unread:
        return t
    return t.mutate(**{k: ibis.ifelse(c, ibis.null(t[k].type()), t[k])
                       for k, c in unread.items()})


def _date_histogram(con, t: ibis.Table) -> None:
    """Lines per date, fetched once (a few thousand rows), as DuckDB view ``_tx_dates`` with
    one row per line, so that the local window rules (quantiles, late tail) run unchanged."""
    dated = t.filter(t.date.notnull())
    hist = dated.group_by("date").aggregate(n=dated.count()).to_pandas()
    hist["date"] = pd.to_datetime(hist["date"]).dt.date
    hist["n"] = hist["n"].astype("int64")
    con.register("_tx_hist_frame", hist)
    con.execute("CREATE OR REPLACE TABLE _tx_hist AS SELECT CAST(date AS DATE) AS date, n FROM "
                "_tx_hist_frame")
    con.unregister("_tx_hist_frame")
    con.execute("CREATE OR REPLACE VIEW _tx_dates AS SELECT date FROM _tx_hist, range(n)")


def _window(con, raw: PushedLines, t: ibis.Table, config: Config, report: ValidationReport,
            today: date) -> tuple[date | None, date]:
    """The analysis window, as :func:`kamlib.data.checks._window` finds it, on the date
    histogram; the example rows come from the engine."""
    an = config.analysis
    end = an.end or an.as_of or today
    one = lambda sql, args=(): con.execute(sql, list(args)).fetchall()[0][0]  # noqa: E731
    n_future = one("SELECT coalesce(sum(n), 0) FROM _tx_hist WHERE date > ?", [today])
    where = dict(column=raw.mapping["date"])
    if n_future:
        inside = one("SELECT coalesce(sum(n), 0) FROM _tx_hist WHERE date > ? AND date <= ?",
                     [today, end])
        report.warn("transactions", raw.file, "future-date", f"{n_future} line(s) dated after "
                    f"today ({today}), " + (f"{inside} of them inside the configured window "
                                             f"(to {end})" if inside else
                                             "left out of the analysis"), count=int(n_future),
                    **_examples(t, t.date > today, raw.keys, "date"), **where,
                    hint="Check the year for typos. " + (
                        "Set [analysis] end before today to leave them out." if inside else
                        "To analyse planned invoices, set [analysis] end (or as_of)."))
    if an.end is None and an.as_of is None and (tail := late_tail(con, "_tx_dates", end)):
        first, before, n_late = tail
        report.warn("transactions", raw.file, "date-outlier", f"{n_late} line(s) dated "
                    f"{first} or later, long after the rest of the data (which ends on "
                    f"{before}), left out of the analysis: the as-of date is {before}, not "
                    f"{first}", count=n_late, **where,
                    **_examples(t, t.date.between(first, end), raw.keys, "date"),
                    hint="Check the year for typos; set [analysis] as_of (or end) to the "
                         "last date to include them.")
        end = before
    start = an.start
    if start is None:
        median = one("SELECT quantile_disc(date, 0.5) FROM _tx_dates")
        cut = median.replace(year=median.year - OUTLIER_YEARS, day=min(median.day, 28)) \
            if median else None
        n_old = one("SELECT coalesce(sum(n), 0) FROM _tx_hist WHERE date < ?", [cut]) \
            if cut else 0
        if n_old:
            start = one("SELECT min(date) FROM _tx_hist WHERE date >= ?", [cut])
            oldest = one("SELECT min(date) FROM _tx_hist")
            report.warn("transactions", raw.file, "date-outlier", f"{n_old} line(s) dated "
                        f"more than {OUTLIER_YEARS} years before most of the data (median "
                        f"{median}), left out of the analysis", count=int(n_old), **where,
                        **_examples(t, t.date < cut, raw.keys, "date"),
                        hint=f"Check the year for typos; set [analysis] start = {oldest} "
                             "(or earlier) to include them.")
    return start, end


def _duplicates(raw: PushedLines, t: ibis.Table, config: Config,
                report: ValidationReport) -> bool:
    """Exact duplicate lines (every mapped column equal): counted on the engine; returns
    whether some are dropped (:func:`kamlib.data.duplicate_lines.duplicate_rule`), so that the cube
    reads DISTINCT lines only when there is something to drop."""
    cols = [c for c in TABLES["transactions"].names if c in raw.mapping]
    groups = t.group_by(cols).aggregate(copies=t.count())
    groups = groups.filter(groups.copies > 1)
    extra = groups.copies - 1
    row = groups.aggregate(n=extra.sum(), revenue=(groups.revenue * extra).sum()
                           ).to_pandas().iloc[0]
    n = int(0 if pd.isna(row["n"]) else row["n"])
    revenue = float(0 if pd.isna(row["revenue"]) else row["revenue"])
    drop, why = duplicate_rule(config, raw.mapping)
    report.rule("transactions", "exact duplicate lines", why)
    if drop:
        report.cleaned("transactions", raw.file, "exact duplicate lines dropped", n,
                       f"identical in every column; revenue {revenue:,.2f} left out")
    elif n:
        shown = groups.select(*[c for c in raw.keys]).order_by(list(raw.keys)).limit(
            MAX_EXAMPLES).to_pandas()
        report.warn("transactions", raw.file, "duplicate-lines", f"{n} line(s) repeat an "
                    f"earlier line exactly (revenue {revenue:,.2f}); kept as real repeat "
                    f"purchases", count=n, rows=row_names(shown, raw.keys),
                    hint="If they are a double export, set [analysis] duplicate_lines = "
                         "\"drop\"; mapping an invoice_id column lets the kit decide.")
    return drop and n > 0


def _in_window(t: ibis.Table, start: date | None, end: date):
    cond = t.date <= end
    return cond & (t.date >= start) if start else cond


def check_pushed(con, raw: PushedLines, raws: dict, config: Config, report: ValidationReport,
                 today: date | None = None) -> None:
    """Every transaction rule on the engine; sets ``raw.clean`` (the lines the cube is
    built from) and leaves ``tx_accounts`` (per-account totals) in DuckDB ``con``."""
    today = today or date.today()
    t = _value_rules(raw, report)
    _date_histogram(con, t)
    start, end = _window(con, raw, t, config, report, today)
    drop = _duplicates(raw, t, config, report)
    cond = _in_window(t, start, end)
    outside = con.execute("SELECT coalesce(sum(n), 0) FROM _tx_hist WHERE date > ?" + (
        " OR date < ?" if start else ""), [end, start] if start else [end]).fetchall()[0][0]
    report.cleaned("transactions", raw.file, "lines outside the analysis window left out",
                   int(outside), f"window {start or 'first date'} to {end}")
    raw.clean = t.filter(cond).distinct() if drop else t.filter(cond)
    # per account: the totals in the window (tx_accounts on the local path) and every id
    # that appears (the accounts made from them when there is no accounts table); one pass
    # over the lines when nothing is dropped, else the window's from the clean lines
    src, inside = (raw.clean, None) if drop else (t, cond)
    per = src.group_by("account_id").aggregate(revenue=src.revenue.sum(where=inside),
                                               lines=src.count(where=inside)).to_pandas()
    per["revenue"] = per["revenue"].astype("float64").fillna(0.0)
    ids = t.select("account_id").distinct().to_pandas() if drop else per[["account_id"]]
    con.register("_tx_per_account", per)
    con.register("_tx_ids_frame", ids)
    con.execute("CREATE OR REPLACE TEMP TABLE tx_accounts AS SELECT CAST(account_id AS "
                "VARCHAR) AS account_id, revenue, CAST(lines AS BIGINT) AS lines FROM "
                "_tx_per_account WHERE lines > 0")
    con.execute("CREATE OR REPLACE TABLE _tx_ids AS SELECT CAST(account_id AS VARCHAR) AS "
                "account_id FROM _tx_ids_frame")
    con.unregister("_tx_per_account")
    con.unregister("_tx_ids_frame")
    first, last = con.execute("SELECT min(date), max(date) FROM _tx_hist").fetchall()[0]
    n = con.execute("SELECT coalesce(sum(lines), 0) FROM tx_accounts").fetchall()[0][0]
    if n == 0 and first is not None:
        report.error("transactions", raw.file, "empty-window", f"no transaction lines in the "
                     f"analysis window {start or first}..{end}; the data "
                     f"runs from {first} to {last}", column=raw.mapping["date"],
                     hint="Set [analysis] start and end (or as_of) to dates inside the data.")

    def lines_of(ids: list[str]) -> list[str]:  # no line numbers on a server: keys instead
        return _examples(t, t.account_id.isin(ids) & cond, raw.keys)["rows"]

    account_rules(con, {**raws, "transactions": raw}, config, report, n == 0, lines_of,
                  ids_from="_tx_ids")


def clean_lines(raw: PushedLines) -> ibis.Table:
    """The lines the cube is built from (after :func:`check_pushed`)."""
    if raw.clean is None:
        raise RuntimeError("check_pushed has not run")
    return raw.clean
