"""Benchmark: the default ``kam build`` on data shaped like a real sales log, at scale.

A real public transaction log (transactions only, no accounts table) has many small
customers: 69,659 lines for 23,570 customers, a few giants and a long tail. This script
generates logs of that shape (synthetic: no client data) and runs the default ``kam build``
(report notebooks and the plans, with the default cap on plans) on each, measuring:

- wall time of the whole build, and its exit code;
- peak memory of the whole process tree (the build, its workers, their kernels): the sum of
  the resident memory of every process in the tree, polled every 0.2 s with psutil;
- peak open file descriptors of any one process in the tree;
- CPU seconds of the whole tree (user + system): on a shared machine the wall time follows
  the other users' load, the CPU time much less (on a quiet 2-core machine the wall time is
  at least half of it).

Shapes (``--shapes``, comma separated): ``23k`` (23,570 customers, 69,659 lines: the size of
the real log issue 21 was found on), ``25k`` (25,000 customers, 75,000 lines),
``250k`` (250,000 customers, 750,000 lines), ``100k-10M`` (100,000 accounts, 10M lines).

Usage::

    .venv/bin/python bench/bench_scale.py [--shapes 25k,250k,100k-10M] [--args=--no-plans]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "scale"
BIN = Path(sys.executable).parent

SHAPES = {"23k": (23_570, 69_659), "25k": (25_000, 75_000), "250k": (250_000, 750_000),
          "100k-10M": (100_000, 10_000_000)}

# Customer of line i: u ** 3 skews most lines onto a few large customers while every customer
# id below `customers` appears (the first pass gives each customer one line): a long tail
# of one-off buyers, as in a real retail log. Amounts are lognormal-ish, a few returns.
GENERATE = """
COPY (
  WITH lines AS (
    SELECT i,
           CASE WHEN i < {customers} THEN i
                ELSE least(floor(pow((hash(i * 3) % 1000003) / 1000003.0, 3)
                           * {customers}), {customers} - 1)::BIGINT END AS c
    FROM range({lines}) t(i))
  SELECT 'C' || lpad(c::VARCHAR, 7, '0') AS "Customer",
         strftime(DATE '2022-01-01' + ((hash(i * 7) % 1095))::INT, '%d.%m.%Y') AS "Date",
         replace(printf('%.2f',
             CASE WHEN hash(i * 11) % 50 = 0 THEN -1 ELSE 1 END
             * round(exp(2 + ((hash(i * 13) % 100000) / 100000.0) * 5), 2)), '.', ',')
             AS "Amount"
  FROM lines
) TO '{path}' (HEADER, DELIMITER ';')
"""

CONFIG = """[tables.transactions]
file = "sales.csv"
columns = { account_id = "Customer", date = "Date", revenue = "Amount" }
[format]
date_format = "%d.%m.%Y"
decimal = ","
"""


def generate(customers: int, lines: int) -> Path:
    """A sales-only log (``sales.csv``) and its six-line ``kam.toml``, made once."""
    import duckdb

    folder = OUT / f"{customers}-{lines}"
    if (folder / ".done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    duckdb.connect().execute(GENERATE.format(customers=customers, lines=lines,
                                             path=folder / "sales.csv"))
    (folder / "kam.toml").write_text(CONFIG, encoding="utf-8")
    (folder / ".done").touch()
    return folder


def _generations(root) -> list[list]:
    """The build process, its children (workers), their children (kernels) and below."""
    levels, level = [], [root]
    while level:
        levels.append(level)
        level = [c for p in level for c in _children(p)]
    return levels


def _children(p) -> list:
    import psutil

    try:
        return p.children()
    except psutil.NoSuchProcess:
        return []


def tree_peak(cmd: list[str], cwd: Path, env: dict) -> dict:
    """Run ``cmd`` and poll its process tree: wall seconds, exit code, peak summed RSS (MB),
    peak open descriptors of one process, peak number of processes."""
    import psutil

    started, cpu0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak_rss = peak_fds = peak_procs = 0
    roles: dict[str, int] = {}  # peak resident memory of one process of each generation
    while proc.poll() is None:
        try:
            procs = [(p, depth) for depth, level in enumerate(_generations(root))
                     for p in level]
        except psutil.NoSuchProcess:
            break
        rss = fds = 0
        for p, depth in procs:
            try:
                one = p.memory_info().rss
                rss += one
                fds = max(fds, p.num_fds())
                role = ("build", "worker", "kernel")[min(depth, 2)]
                roles[role] = max(roles.get(role, 0), one)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        peak_rss, peak_fds = max(peak_rss, rss), max(peak_fds, fds)
        peak_procs = max(peak_procs, len(procs))
        time.sleep(0.2)
    err = proc.stderr.read()
    code = proc.wait()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # every waited-for descendant
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"seconds": time.perf_counter() - started, "exit": code, "cpu": cpu,
            "roles": {k: v / 2**20 for k, v in roles.items()},
            "peak_mb": peak_rss / 2**20, "peak_fds": peak_fds, "processes": peak_procs,
            "stderr": err[-2000:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="25k,250k,100k-10M")
    parser.add_argument("--args", default="", help="extra kam build arguments")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"kam build {args.args}(default), {os.cpu_count()} cores on the machine")
    print(f"{'shape':<10} {'customers':>10} {'lines':>11} {'wall s':>7} {'cpu s':>6} "
          f"{'peak MB':>8} {'fds':>5} {'procs':>5} exit  peak MB of one: build/worker/kernel")
    for shape in args.shapes.split(","):
        customers, lines = SHAPES[shape]
        folder = generate(customers, lines)
        cmd = [str(BIN / "kam"), "build", "--config", str(folder / "kam.toml"),
               "--out", str(folder / "reports"), "--force", *args.args.split()]
        r = tree_peak(cmd, folder, env)
        one = "/".join(f"{r['roles'].get(k, 0):.0f}" for k in ("build", "worker", "kernel"))
        print(f"{shape:<10} {customers:>10,} {lines:>11,} {r['seconds']:>7.1f} "
              f"{r['cpu']:>6.1f} {r['peak_mb']:>8.0f} {r['peak_fds']:>5} "
              f"{r['processes']:>5} {r['exit']:>4}  {one}", flush=True)
        if r["exit"]:
            print(r["stderr"])


if __name__ == "__main__":
    main()
