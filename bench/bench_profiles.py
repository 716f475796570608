"""Benchmark: account profiles, RFM segments and the purchase summary on 10M lines.

Generates 10 million transaction lines for 100,000 accounts once (Parquet, under
bench/out/profiles/, git-ignored; an invoice belongs to one account and one day and has one
to five lines), then times, each run in a fresh subprocess so that peak memory (max RSS) is
measured per run:

- cube: :func:`kamlib.data.cube.build_cube` on an Ibis DuckDB table of the lines (what
  ``kamlib.load`` does after validation), reported on its own;
- kamkit: from the cube's frames, ``account_profiles`` + ``rfm_scores`` + ``rfm_segments`` +
  ``peer_summary_from_cube(cube.account_timing)``;
- lifetimes: ``lifetimes.utils.summary_data_from_transaction_data`` on the same 10M lines,
  already in memory as a pandas DataFrame (reading them is not timed, as reading the cube
  is not timed for kamkit).

The two analyses are run alternately ``--repeat`` times and compared on their best and
median times; the purchase summaries of both are checked to be equal first.

Target (issue 12): kamkit at least 3x faster than lifetimes' summary alone, although it
computes the summary plus the profiles and segments.

Results on the shared 2-core machine (``--repeat 3``; 3,304,014 account-days)::

    step                                       best s  median s  peak MB
    cube (build_cube)                           17.26         -    2,217
    kamkit profiles + RFM + peer_summary         2.16      2.68    1,072
    lifetimes summary_data_from_transaction      9.15     10.41    1,500
    speed-up (lifetimes / kamkit)                4.2x      3.9x  (target >= 3x)

``lifetimes`` is a reference for this benchmark only, not a kamkit dependency:
``.venv/bin/pip install lifetimes`` (0.11.3 works with pandas 3).

Usage::

    .venv/bin/python bench/bench_profiles.py [--lines 10000000] [--accounts 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import _common

OUT = Path(__file__).resolve().parent / "out" / "profiles"
END = "2025-12-31"

# Invoice k has 1 + hash(k) % 5 lines; lines are numbered within their invoice, so the lines
# of an invoice share its account and day. Some 2% of invoices are credit notes.
GENERATE = """
COPY (
  WITH inv AS (
    SELECT k, 1 + (hash(k * 3) % 5)::INT AS n FROM range({invoices}) t(k)
  )
  SELECT printf('%06d', (hash(k) % {accounts})::INT) AS account_id,
         DATE '2021-01-01' + (hash(k * 7) % 1826)::INT AS date,
         round(CASE WHEN hash(k * 11) % 50 = 0 THEN -1 ELSE 1 END
               * (10 + (hash(k * 13 + j) % 500000) / 100.0), 2) AS revenue,
         ['connectivity','cloud','data centre','managed services','security','iot'][
             1 + (hash(k * 17 + j) % 6)::INT] AS product,
         round((hash(k * 13 + j) % 500000) / 160.0, 2) AS cost,
         'INV' || k::VARCHAR AS invoice_id,
         1.0 AS quantity
  FROM inv, range(n) r(j)
  LIMIT {lines}
) TO '{path}' (FORMAT parquet)
"""


def generate(folder: Path, lines: int, accounts: int) -> Path:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"lines-{lines}-{accounts}.parquet"
    if not path.exists():
        t = time.perf_counter()
        con = duckdb.connect()
        # 3 lines per invoice on average: enough invoices for `lines` lines
        con.execute(GENERATE.format(invoices=lines // 3 + 1000, accounts=accounts,
                                    lines=lines, path=path.with_suffix(".tmp")))
        path.with_suffix(".tmp").rename(path)
        print(f"generated {path.name}: {path.stat().st_size / 1e6:,.0f} MB in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(kind: str, lines_path: str) -> None:
    """Runs in a subprocess: one measured step; prints seconds, a check value and peak RSS."""
    import pandas as pd

    cube_dir = Path(lines_path).with_suffix("")
    if kind == "cube":
        import ibis

        from kamlib.data.cube import build_cube

        con = ibis.duckdb.connect()
        t = time.perf_counter()
        cube = build_cube(con.read_parquet(lines_path))
        seconds = time.perf_counter() - t
        cube_dir.mkdir(exist_ok=True)
        cube.save(cube_dir)
        result = {"rows": len(cube.account_timing)}
    elif kind == "kamkit":
        from kamlib.data.cube import Cube
        from kamlib.profiles import account_profiles, peer_summary_from_cube
        from kamlib.segments import rfm_scores, rfm_segments

        cube = Cube.open(cube_dir)
        t = time.perf_counter()
        profiles = account_profiles(cube.account_month, cube.account_product,
                                    cube.account_timing, as_of=END)
        segments = rfm_segments(rfm_scores(profiles))
        summary = peer_summary_from_cube(cube.account_timing, observation_end=END)
        seconds = time.perf_counter() - t
        result = {"rows": len(segments), "frequency": float(summary["frequency"].sum()),
                  "T": float(summary["T"].sum())}
    else:
        try:
            from lifetimes.utils import summary_data_from_transaction_data
        except ImportError:
            print(json.dumps({"error": "lifetimes is not installed: .venv/bin/pip install "
                                       "lifetimes (for this benchmark only)"}))
            return
        lines = pd.read_parquet(lines_path, columns=["account_id", "date", "revenue"])
        lines["date"] = pd.to_datetime(lines["date"])
        t = time.perf_counter()
        summary = summary_data_from_transaction_data(lines, "account_id", "date", "revenue",
                                                     observation_period_end=END)
        seconds = time.perf_counter() - t
        result = {"rows": len(summary), "frequency": float(summary["frequency"].sum()),
                  "T": float(summary["T"].sum())}
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), **result}))


def measure(kind: str, path: Path) -> dict:
    return _common.measure(__file__, kind, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    try:
        import lifetimes  # noqa: F401
    except ImportError:
        sys.exit("bench_profiles needs lifetimes as the reference: .venv/bin/pip install "
                 "lifetimes (for this benchmark only; kamkit does not depend on it)")
    path = generate(OUT, args.lines, args.accounts)
    cube = measure("cube", path)
    print(f"\n{args.lines:,} lines, {args.accounts:,} accounts, 2 cores")
    print(f"cube (build_cube): {cube['seconds']:.2f} s, peak {cube['peak_mb']:,.0f} MB, "
          f"{cube['rows']:,} accounts")
    runs: dict[str, list[dict]] = {"kamkit": [], "lifetimes": []}
    for _ in range(args.repeat):
        for kind, results in runs.items():
            results.append(measure(kind, path))
    k, ref = runs["kamkit"][0], runs["lifetimes"][0]
    assert (k["frequency"], k["T"]) == (ref["frequency"], ref["T"]), "summaries differ"
    print(f"best and median of {args.repeat}, alternating")
    print(f"{'step':<40} {'best s':>8} {'median s':>9} {'peak MB':>8}")
    label = {"kamkit": "kamkit profiles + RFM + peer_summary",
             "lifetimes": "lifetimes summary_data_from_transaction"}
    best = {kind: min(r["seconds"] for r in rs) for kind, rs in runs.items()}
    median = {kind: statistics.median(r["seconds"] for r in rs) for kind, rs in runs.items()}
    for kind, rs in runs.items():
        print(f"{label[kind]:<40} {best[kind]:>8.2f} {median[kind]:>9.2f} "
              f"{max(r['peak_mb'] for r in rs):>8,.0f}")
    print(f"{'speed-up (lifetimes / kamkit)':<40} {best['lifetimes'] / best['kamkit']:>7.1f}x "
          f"{median['lifetimes'] / median['kamkit']:>8.1f}x  (target >= 3x)")


if __name__ == "__main__":
    main()
