"""A last date far beyond the rest: a year typo that would move the as-of date.

By default the as-of date is the last transaction date up to today. One line typed 2026
for 2024 (still before today) would move it by two years: every account would look long
silent ("Lost"), every "last 12 months" figure would be empty. Such a tail is found the way
the earliest outliers are, and left out with a warning (a stated, counted choice):

- it follows the rest of the data after a gap of more than ``LATE_GAP_DAYS`` days,
- the gap is more than ``GAP_FACTOR`` times the longest gap between dates before it (a
  business that sells once a year keeps its yearly gaps), and
- it holds at most ``TAIL_SHARE`` of the lines.

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE t AS SELECT DATE '2024-01-01' + INTERVAL (i * 7) DAY AS date "
...                 "FROM range(52) r(i) UNION ALL SELECT DATE '2026-11-30'")
>>> late_tail(con, "t", date(2026, 12, 5))
(datetime.date(2026, 11, 30), datetime.date(2024, 12, 23), 1)
"""

from __future__ import annotations

from datetime import date

import duckdb

__all__ = ["late_tail", "LATE_GAP_DAYS", "GAP_FACTOR", "TAIL_SHARE"]

LATE_GAP_DAYS = 180
GAP_FACTOR = 3
TAIL_SHARE = 0.10


def late_tail(con: duckdb.DuckDBPyConnection, table: str, today: date
              ) -> tuple[date, date, int] | None:
    """(first date of the far tail, last date before it, lines in the tail), or None.

    Only dates up to ``today`` count: later ones are warned about as future dates.
    """
    found = con.execute(f"""
        WITH d AS (SELECT CAST(date AS DATE) AS date, count(*) AS n FROM {table}
                   WHERE date <= ? GROUP BY 1),
        g AS (SELECT date, n, lag(date) OVER (ORDER BY date) AS before,
                     date_diff('day', lag(date) OVER (ORDER BY date), date) AS gap,
                     sum(n) OVER (ORDER BY date DESC ROWS UNBOUNDED PRECEDING) AS tail,
                     sum(n) OVER () AS total FROM d),
        r AS (SELECT *, max(gap) OVER (ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND
                                       1 PRECEDING) AS longest_before FROM g)
        SELECT date, before, tail FROM r
        WHERE gap > ? AND gap > ? * coalesce(longest_before, 0) AND tail <= ? * total
        ORDER BY date LIMIT 1""", [today, LATE_GAP_DAYS, GAP_FACTOR, TAIL_SHARE]).fetchall()
    return tuple(found[0]) if found else None
