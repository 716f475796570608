"""Benchmark: transaction lines in PostgreSQL: pulling them (before and now) vs pushdown.

The 10M lines and 6,400 accounts of bench_load.py (about 26 lines per account-month) are
loaded with COPY into a throw-away PostgreSQL 15 cluster (tests/pg_cluster.py; work_mem =
64MB, as on a server tuned for reporting), read by a read-only user. Each run is a fresh
subprocess, measured for wall time, peak memory (max RSS of that process: the drivers run
inside it, no helper processes are started, so it is the whole client) and the bytes the
server sent (counted by a TCP relay between the two, :class:`CountingProxy`; every
connection of the run goes through it):

- ``ibis pull``: what kamkit did before: ``to_pyarrow()`` of the whole table (every column,
  psycopg rows as Python objects, then Arrow);
- ``adbc pull``: what the local path does now: the mapped columns only, through the ADBC
  driver, Arrow batches streamed into DuckDB;
- ``kam build, local``: ``kamlib.load`` with ``compute = "local"`` (pull, rules, cube);
- ``kam build, pushdown``: ``kamlib.load`` with ``compute = "database"``; the server logs
  every statement (log_statement = 'all') and the script checks that none is a SELECT * of
  the transactions table.

Usage (run alone: it takes several minutes)::

    .venv/bin/python bench/bench_database.py [--lines 10000000] [--accounts 6400]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

import _common
import bench_load

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
MAPPED = ["account_id", "date", "revenue", "product", "cost", "invoice_id", "quantity"]


class CountingProxy:
    """A TCP relay between the client and the server that counts the bytes the server sends
    (the bytes over the wire; libpq reads its socket with recv(), which /proc/PID/io does not
    count). Runs in threads of the parent process, not in the measured one."""

    def __init__(self, port: int):
        import socket
        import threading

        self.target, self.received, self.lock = port, 0, threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, upstream, False),
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True),
                             daemon=True).start()

    def _pipe(self, src, dst, count: bool) -> None:
        import socket

        try:
            while data := src.recv(1 << 16):
                dst.sendall(data)
                if count:
                    with self.lock:
                        self.received += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def take(self) -> float:
        """MB received since the last call."""
        with self.lock:
            n, self.received = self.received, 0
        return n / 1e6


def child(kind: str, folder: str) -> None:
    """One measured run in this subprocess; the URL comes from KAM_BENCH_DB."""
    url, t = os.environ["KAM_BENCH_DB"], time.perf_counter()
    if kind == "ibis":
        import ibis

        arrow = ibis.connect(url).table("transactions").to_pyarrow()
        rows, revenue = arrow.num_rows, float(arrow["revenue"].to_pandas().sum())
    elif kind == "adbc":
        import duckdb

        from kamlib.data.sources.database import connect_read_only
        from kamlib.data.postgres import pull_arrow

        con = duckdb.connect()
        con.execute("SET memory_limit = '1500MB'")
        remote = connect_read_only(url)
        pull_arrow(con, "lines", remote.table("transactions").select(*MAPPED), remote, url)
        rows, revenue = con.execute("SELECT count(*), sum(revenue) FROM lines").fetchall()[0]
    else:
        import kamlib

        ds = kamlib.load(Path(folder) / f"kam_{kind}.toml")
        rows, revenue = len(ds.cube.account_month), float(ds.cube.account_month.revenue.sum())
    print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows, "revenue": revenue,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _log_statements(pg, on: bool) -> None:
    with pg.connect() as con:
        con.execute("ALTER SYSTEM SET log_statement = 'all'" if on else
                    "ALTER SYSTEM RESET log_statement")
        con.execute("SELECT pg_reload_conf()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=6400)
    parser.add_argument("--only", nargs="*", choices=["ibis", "adbc", "local", "database"],
                        help="run only these (default: all)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from pg_cluster import PgCluster

    bench_load.generate(bench_load.OUT, args.lines, args.accounts)
    csv = bench_load.OUT / "csv"
    # work_mem as on a server tuned for reporting (the default, 4MB, sorts on disk)
    with PgCluster(settings=("work_mem='64MB'",)) as pg:
        t = time.perf_counter()
        db = pg.create_database("bench")
        for path in sorted(csv.glob("*.csv")):
            pg.load_csv(db, path.stem, path)
        print(f"loaded {args.lines:,} lines into PostgreSQL in {time.perf_counter() - t:.0f} s",
              flush=True)
        url = pg.reader(db, [p.stem for p in csv.glob("*.csv")])
        proxy = CountingProxy(pg.port)
        os.environ["KAM_BENCH_DB"] = url.replace(f":{pg.port}/", f":{proxy.port}/")
        folder = bench_load.OUT / "pg"
        folder.mkdir(exist_ok=True)
        for compute in ("local", "database"):
            (folder / f"kam_{compute}.toml").write_text(
                f'[source]\ndatabase_env = "KAM_BENCH_DB"\ncompute = "{compute}"\n')
        print(f"\n{args.lines:,} lines, {args.accounts:,} accounts, PostgreSQL 15 on the same "
              "2-core machine")
        print(f"{'run':<22} {'seconds':>8} {'peak MB':>8} {'sent MB':>8} {'rows':>11}")
        results = {}
        for name, kind in (("ibis pull (before)", "ibis"), ("adbc pull (now)", "adbc"),
                           ("kam build, local", "local"), ("kam build, pushdown", "database")):
            if args.only and kind not in args.only:
                continue
            if kind == "database":
                _log_statements(pg, True)
                start = pg.log.stat().st_size
            proxy.take()
            r = results[kind] = _common.measure(__file__, kind, folder)
            r["read_mb"] = proxy.take()
            print(f"{name:<22} {r['seconds']:>8.1f} {r['peak_mb']:>8.0f} {r['read_mb']:>8.0f} "
                  f"{r['rows']:>11,}", flush=True)
        _log_statements(pg, False)
        statements = []
        if "database" in results:
            with open(pg.log, encoding="utf-8", errors="replace") as f:
                f.seek(start)
                statements = re.findall(r"statement: (.*?)(?=\n\S|\Z)", f.read(), re.S)
    if "database" in results:
        star = [s for s in statements if re.search(r'SELECT \* FROM "transactions"', s)]
        print(f"\npushdown: {len(statements)} statements logged, {len(star)} SELECT * of "
              f"transactions; {results['database']['peak_mb']:.0f} MB peak (target < 500 MB)")
    if {"ibis", "adbc"} <= set(results):
        old, new = results["ibis"], results["adbc"]
        print(f"adbc pull vs ibis pull: {old['seconds'] / new['seconds']:.1f}x faster, "
              f"{new['peak_mb'] / old['peak_mb']:.0%} of the memory (target >= 2x, < 50%)")
    if {"local", "database"} <= set(results):
        same = abs(results["database"]["revenue"] - results["local"]["revenue"]) < 1e-3
        print(f"the same revenue in the pushdown and the local build: {same}")


if __name__ == "__main__":
    main()
