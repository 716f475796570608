"""Benchmark: the bundled pipeline on Spark in local mode against the embedded DuckDB.

Generates invoice lines as Parquet once (``bench_load``'s shape: ``--accounts`` accounts over
five years), with an accounts table, then runs each way of loading them in a fresh process
and measures that process's whole tree (Python and Spark's JVM: resident memory summed,
polled every 0.2 s) and its wall time, with the time of each step inside it:

- ``duckdb``: ``kamlib.load`` from the Parquet files (the default, embedded engine);
- ``spark-pull``: ``kamlib.load`` with ``[source] database = "spark://local"``: Spark reads
  the files, the rows come to DuckDB as Arrow, validation and cube run there;
- ``spark-pushdown``: the same with ``compute = "database"``: the transaction rules and
  the cube run in Spark; only counts, examples and the cube's frames come back;
- ``spark-cube``: the cube alone (``build_cube``) computed by Spark on the file's lines.

Every mode's account x month frame must equal the ``duckdb`` one. On a 2-core machine Spark is
a correctness check, not a speed-up: the JVM alone takes seconds to start and a few GB.

Usage::

    .venv/bin/python bench/bench_spark.py [--lines 1000000] [--accounts 6400]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import bench_load
from bench_scale import tree_peak

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "spark"
MODES = ("duckdb", "spark-pull", "spark-pushdown", "spark-cube")
TOML = {"duckdb": "duckdb.toml", "spark-pull": "spark.toml", "spark-pushdown": "pushdown.toml"}


def generate(folder: Path, lines: int, accounts: int) -> None:
    """transactions.parquet, accounts.parquet and one kam.toml per source kind."""
    import duckdb

    marker = folder / f".done-{lines}-{accounts}"
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute(bench_load.GENERATE.format(accounts=accounts, lines=lines, path=folder /
                    "transactions.parquet", options="(FORMAT parquet)"))
        con.execute(f"COPY (SELECT printf('%06d', i) AS account_id, 'Account ' || i AS "
                    f"account_name FROM range({accounts}) t(i)) TO "
                    f"'{folder / 'accounts.parquet'}'")
        marker.touch()
    tables = ('[tables.transactions]\nfile = "transactions.parquet"\n\n'
              '[tables.accounts]\nfile = "accounts.parquet"\n')
    (folder / "duckdb.toml").write_text(f'[source]\nfolder = "."\n\n{tables}')
    (folder / "spark.toml").write_text(f'[source]\ndatabase = "spark://local"\n\n{tables}')
    (folder / "pushdown.toml").write_text(f'[source]\ndatabase = "spark://local"\n'
                                          f'compute = "database"\n\n{tables}')


def child(mode: str, folder: Path) -> None:
    """One measured run (in its own process): seconds per step, into ``<mode>.json``."""
    steps, started = {}, time.perf_counter()
    if mode != "duckdb":
        from kamlib.data.spark import connect_spark

        backend = connect_spark("spark://local")
        steps["spark start"] = time.perf_counter() - started
    t = time.perf_counter()
    if mode == "spark-cube":
        from kamlib.data.cube import build_cube

        lines = backend.read_parquet(str(folder / "transactions.parquet"), table_name="lines")
        cube = build_cube(lines)
    else:
        import kamlib

        cube = kamlib.load(folder / TOML[mode]).cube
    steps["load" if mode != "spark-cube" else "cube"] = time.perf_counter() - t
    cube.account_month.to_parquet(folder / f"{mode}.account_month.parquet")
    (folder / f"{mode}.json").write_text(json.dumps(steps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=6400)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    import pandas as pd

    folder = OUT / f"{args.lines}-{args.accounts}"
    generate(folder, args.lines, args.accounts)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"{args.lines:,} lines, {args.accounts:,} accounts, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'mode':<11} {'wall s':>7} {'peak MB':>8} {'python MB':>10}  steps")
    for mode in args.modes.split(","):
        r = tree_peak([sys.executable, __file__, "--child", mode, str(folder)], folder, env)
        if r["exit"]:
            print(f"{mode}: exit {r['exit']}\n{r['stderr']}")
            continue
        steps = json.loads((folder / f"{mode}.json").read_text())
        print(f"{mode:<11} {r['seconds']:>7.1f} {r['peak_mb']:>8.0f} "
              f"{r['roles']['build']:>10.0f}  "
              + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()), flush=True)
        if mode != "duckdb" and (folder / "duckdb.account_month.parquet").exists():
            pd.testing.assert_frame_equal(
                pd.read_parquet(folder / f"{mode}.account_month.parquet"),
                pd.read_parquet(folder / "duckdb.account_month.parquet"))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
