"""Benchmark: ``kam build`` of every report notebook vs the naive papermill + nbconvert loop.

Both run on the bundled sample data, in the same run, on the same machine:

- kamkit: ``kam build --no-plans --out bench/out/site`` (data loaded once, notebooks in
  parallel, each worker reusing one warm kernel, HTML exported in-process; without the
  account plans, which the naive loop does not make: they have their own benchmark);
- naive: for each report notebook, ``papermill NB OUT.ipynb`` then
  ``jupyter nbconvert --to html --no-input OUT.ipynb``: a new process, a new kernel, the
  imports and the data loading every time.

Target (issue 3): the full build within 30 s on 2 cores and at least 3x faster than naive;
issue 21 raised the speed-up to 5x.

Usage::

    .venv/bin/python bench/bench_build.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

import _common

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best and median")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from kamlib.report.notebooks import report_notebooks

    notebooks = report_notebooks(ROOT / "notebooks")
    naive_dir = OUT / "naive"
    naive = []
    for nb in notebooks:
        executed = naive_dir / f"{nb.name}.ipynb"
        naive += [[str(BIN / "papermill"), str(nb.path), str(executed), "--no-progress-bar",
                   "--cwd", str(nb.path.parent)],
                  [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                   str(executed)]]
    kamkit = [[str(BIN / "kam"), "build", "--no-plans", "--out", str(OUT / "site")]]
    results: dict[str, list[float]] = {"kam build": [], "naive loop": []}
    for _ in range(args.repeat):
        shutil.rmtree(naive_dir, ignore_errors=True)
        naive_dir.mkdir(parents=True)
        results["naive loop"].append(_common.timed(naive, ROOT))
        results["kam build"].append(_common.timed(kamkit, ROOT))
    print(f"{len(notebooks)} report notebooks: {', '.join(nb.name for nb in notebooks)}")
    for name, times in results.items():
        print(f"{name:>10}: best {min(times):6.2f} s, median {statistics.median(times):6.2f} s "
              f"over {len(times)} run(s)")
    speedup = min(results["naive loop"]) / min(results["kam build"])
    print(f"speed-up (best vs best): {speedup:.1f}x  (target: >= 5x, build <= 30 s)")


if __name__ == "__main__":
    main()
