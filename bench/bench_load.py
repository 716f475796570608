"""Benchmark: loading + validation + cube building on 10M transaction lines vs raw DuckDB.

Generates the lines once (CSV and Parquet, under bench/out/), then times, each in a fresh
subprocess so peak memory (max RSS) is measured per run:

- kamkit: ``kamlib.load(kam.toml)``: read, validate every rule, aggregate the cube;
- raw DuckDB: one SQL query that reads the same file and does the account x month
  aggregation only (no validation): the floor any loader on DuckDB can reach;
- same frames: plain DuckDB SQL computing what the cube holds (account x month with its
  distinct invoices and products, product x month, account x product, the purchase timing
  per account and the notable days) the cheapest way we know, with no check at all: the
  floor for kamkit's output, to tell the cost of the frames from the cost of the checks.

Target (issues 2 and 21): kamkit within 2x of raw DuckDB and under 2 GB peak memory. The two are
run alternately ``--repeat`` times and compared on their best and median times, because a
shared 2-core machine's timings drift by 10-20% from one minute to the next.

Usage::

    .venv/bin/python bench/bench_load.py [--lines 10000000] [--accounts 6400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

import _common

OUT = Path(__file__).resolve().parent / "out"

GENERATE = """
COPY (
  SELECT printf('%06d', (hash(i) % {accounts})::INT) AS account_id,
         DATE '2021-01-01' + (i % 1826)::INT AS date,
         round(10 + (hash(i * 7) % 500000) / 100.0, 2) AS revenue,
         ['connectivity','cloud','data centre','managed services','security','iot'][
             1 + (hash(i * 13) % 6)::INT] AS product,
         round((hash(i * 7) % 500000) / 160.0, 2) AS cost,
         'INV' || (i // 3)::VARCHAR AS invoice_id,
         1 + (hash(i * 17) % 5)::INT AS quantity
  FROM range({lines}) t(i)
) TO '{path}' {options}
"""

RAW_SQL = """
SELECT account_id, date_trunc('month', date) AS period, sum(revenue) AS revenue,
       sum(cost) AS cost, count(*) AS lines, count(DISTINCT invoice_id) AS invoices,
       count(DISTINCT product) AS products, min(date) AS first_date, max(date) AS last_date
FROM {reader} GROUP BY ALL
"""


# What the cube holds, in the fewest passes we know (no checks, doubles instead of exact sums).
SAME_FRAMES = [
    "CREATE TABLE t AS SELECT * FROM {reader}",
    "CREATE TEMP TABLE fine AS SELECT account_id, date_trunc('month', date) AS period, "
    "product, sum(revenue) AS revenue, sum(cost) AS cost, count(*) AS lines, min(date) AS f, "
    "max(date) AS l FROM t GROUP BY ALL",
    "CREATE TEMP TABLE daily AS SELECT account_id, date, sum(revenue) AS v FROM t GROUP BY ALL",
    "SELECT m.*, i.invoices FROM (SELECT account_id, period, sum(revenue) AS revenue, "
    "sum(cost) AS cost, "
    "sum(lines), count(*) AS products, min(f), max(l) FROM fine GROUP BY ALL) m LEFT JOIN "
    "(SELECT account_id, period, count(*) AS invoices FROM (SELECT DISTINCT account_id, "
    "date_trunc('month', date) AS period, invoice_id FROM t) GROUP BY ALL) i "
    "USING (account_id, period)",
    "SELECT product, period, sum(revenue), sum(cost), count(*), sum(lines) FROM fine "
    "GROUP BY ALL",
    "SELECT account_id, product, sum(revenue), sum(cost), sum(lines), min(f), max(l) "
    "FROM fine GROUP BY ALL",
    "WITH w AS (SELECT account_id, date_trunc('week', date) AS week, sum(v) AS v FROM daily "
    "GROUP BY ALL) SELECT * FROM (SELECT account_id, min(date), max(date), count(*), "
    "arg_min(v, date), sum(v), count(*) FILTER (v > 0) FROM daily GROUP BY ALL) JOIN "
    "(SELECT account_id, min(week), max(week), count(*), arg_min(v, week), sum(v), "
    "count(*) FILTER (v > 0) FROM w GROUP BY ALL) USING (account_id)",
    "SELECT account_id, unnest(top) FROM (SELECT account_id, max_by(date, v, 10) AS top "
    "FROM daily GROUP BY ALL) UNION ALL SELECT account_id, date FROM daily WHERE v < 0",
]


def generate(folder: Path, lines: int, accounts: int) -> None:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f".done-{lines}-{accounts}"
    if marker.exists():
        return
    con = duckdb.connect()
    for path, options in ((folder / "csv" / "transactions.csv", "(HEADER, DELIMITER ',')"),
                          (folder / "parquet" / "transactions.parquet", "(FORMAT parquet)")):
        path.parent.mkdir(exist_ok=True)
        t = time.perf_counter()
        con.execute(GENERATE.format(accounts=accounts, lines=lines, path=path, options=options))
        print(f"generated {path.name}: {path.stat().st_size / 1e6:,.0f} MB in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
        sub = path.parent
        con.execute(f"COPY (SELECT printf('%06d', i) AS account_id, 'Account ' || i AS "
                    f"account_name FROM range({accounts}) t(i)) TO '{sub / 'accounts.csv'}' "
                    f"(HEADER)")
        (sub / "activities.csv").write_text("account_id,date,activity\n000001,2024-01-02,visit\n")
        (sub / "activity_rates.csv").write_text("activity,unit_cost\nvisit,100\n")
        (sub / "contacts.csv").write_text("account_id,contact_name,role\n000001,Ann,CIO\n")
        (sub / "kam.toml").write_text('[source]\nfolder = "."\n')
    marker.touch()


def child(kind: str, folder: str) -> None:
    """Runs in a subprocess: one measured load; prints seconds, rows and its own peak RSS."""
    t = time.perf_counter()
    import pandas as pd

    if kind == "kamkit":
        import kamlib

        ds = kamlib.load(Path(folder) / "kam.toml")
        rows, revenue = len(ds.cube.account_month), float(ds.cube.account_month.revenue.sum())
    else:
        import duckdb

        path = next(Path(folder).glob("transactions.*"))
        reader = (f"read_parquet('{path}')" if path.suffix == ".parquet"
                  else f"read_csv('{path}')")
        con = duckdb.connect()
        con.execute("SET memory_limit = '1500MB'")
        if kind == "frames":
            frames = [con.execute(sql.format(reader=reader)) if sql.startswith("CREATE")
                      else con.sql(sql).df() for sql in SAME_FRAMES]
            frames = [f for f in frames if isinstance(f, pd.DataFrame)]
            frame = frames[0]
        else:
            frame = con.execute(RAW_SQL.format(reader=reader)).df()
        rows, revenue = len(frame), float(frame.revenue.sum())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows, "revenue": revenue,
                      "peak_mb": peak_mb}))


def measure(kind: str, folder: Path) -> dict:
    return _common.measure(__file__, kind, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=6400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    generate(OUT, args.lines, args.accounts)
    print(f"\n{args.lines:,} lines, {args.accounts:,} accounts, 2 cores, best and median of "
          f"{args.repeat}")
    print(f"{'source':<8} {'engine':<8} {'best s':>8} {'median s':>9} {'peak MB':>8} "
          f"{'cube rows':>10}")
    for fmt in ("csv", "parquet"):
        runs = {"kamkit": [], "duckdb": [], "frames": []}
        for _ in range(args.repeat):
            for kind, results in runs.items():
                results.append(measure(kind, OUT / fmt))
        best = {kind: min(r["seconds"] for r in rs) for kind, rs in runs.items()}
        median = {kind: statistics.median(r["seconds"] for r in rs) for kind, rs in runs.items()}
        for kind, rs in runs.items():
            print(f"{fmt:<8} {kind:<8} {best[kind]:>8.2f} {median[kind]:>9.2f} "
                  f"{max(r['peak_mb'] for r in rs):>8.0f} {rs[0]['rows']:>10,}")
            assert abs(rs[0]["revenue"] - runs["duckdb"][0]["revenue"]) < \
                1e-6 * abs(runs["duckdb"][0]["revenue"]), "totals differ"
        for kind in ("kamkit", "frames"):
            print(f"{fmt:<8} {kind + '/duckdb':<15} {best[kind] / best['duckdb']:>5.2f}x "
                  f"{median[kind] / median['duckdb']:>8.2f}x" + ("  (target <= 2x)"
                                                                 if kind == "kamkit" else ""))

if __name__ == "__main__":
    main()
