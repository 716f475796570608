"""Benchmark: ``kam plans`` vs the naive per-account papermill + nbconvert loop.

Both on the bundled sample data, in the same run, on the same machine:

- kamkit: ``kam plans --top N`` end to end (data loaded and the portfolio computed once,
  plans in forked workers with a warm kernel and a warm exporter each, both cores);
- naive: for each account, ``papermill account_plan.ipynb -p account_id ID ...`` then
  ``jupyter nbconvert --to html --no-input``: a new process and a new kernel per plan. The
  naive loop is given the portfolio frames precomputed (not timed), which favours it.

The naive loop runs on ``--naive`` accounts (default 20) and is extrapolated linearly to
``--accounts`` (default 100); then ``kam plans`` alone on ``--large`` accounts (default 1000).
Target (issue 14): at least 30x faster per plan.

Usage::

    .venv/bin/python bench/bench_plans.py [--accounts 100] [--naive 20] [--large 1000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import _common

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--naive", type=int, default=20, help="accounts the naive loop runs")
    parser.add_argument("--large", type=int, default=1000, help="0: skip")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from kamlib import open_dataset
    from kamlib.planning.portfolio import portfolio_frames, save_portfolio, select_accounts
    from kamlib.report.plans import PLAN_NOTEBOOK

    shutil.rmtree(OUT / "plans", ignore_errors=True)
    ds = open_dataset()
    frames = portfolio_frames(ds)
    portfolio = save_portfolio(frames, OUT / "plans" / "portfolio")
    ids = select_accounts(frames, top=args.naive)
    naive_dir = OUT / "plans" / "naive"
    naive_dir.mkdir(parents=True)
    naive = []
    for a in ids:
        executed = naive_dir / f"{a}.ipynb"
        naive += [[str(BIN / "papermill"), str(PLAN_NOTEBOOK), str(executed),
                   "--no-progress-bar", "--cwd", str(PLAN_NOTEBOOK.parent),
                   "-r", "account_id", a, "-r", "portfolio", str(portfolio),
                   "-r", "currency", ds.currency],
                  [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                   str(executed)]]
    kam = [[str(BIN / "kam"), "plans", "--top", str(args.accounts), "--out",
            str(OUT / "plans" / "kamkit")]]
    t_kam = _common.timed(kam, ROOT)
    t_naive = _common.timed(naive, ROOT)
    per_naive, per_kam = t_naive / len(ids), t_kam / args.accounts
    print(f"naive papermill + nbconvert: {t_naive:.1f} s for {len(ids)} plans "
          f"({per_naive:.2f} s/plan); {per_naive * args.accounts:.0f} s for "
          f"{args.accounts} (extrapolated linearly)" if len(ids) != args.accounts else
          f"naive papermill + nbconvert: {t_naive:.1f} s for {len(ids)} plans "
          f"({per_naive:.2f} s/plan)")
    print(f"kam plans --top {args.accounts}: {t_kam:.1f} s ({per_kam:.3f} s/plan, end to end)")
    print(f"speed-up per plan: {per_naive / per_kam:.1f}x")
    if args.large:
        t_large = _common.timed([[str(BIN / "kam"), "plans", "--top", str(args.large), "--out",
                           str(OUT / "plans" / "large")]], ROOT)
        print(f"kam plans --top {args.large}: {t_large:.1f} s "
              f"({t_large / args.large:.3f} s/plan)")


if __name__ == "__main__":
    main()
