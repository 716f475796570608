"""Memory of kam build (issue 21): what a kernel imports to open the prepared data, the heap
given back after a notebook, the portfolio saved by a worker with only what the build reads."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kamlib._memory import give_back

ROOT = Path(__file__).resolve().parents[1]
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
ENGINE = ("duckdb", "ibis", "pandera", "sqlglot", "pyspark")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    from kamlib.data.dataset import load
    from kamlib.status import dataset_status

    ds = load()
    dataset_status(ds)
    return ds.save(tmp_path_factory.mktemp("prepared"))


def test_a_kernel_opens_the_prepared_data_without_the_engine(prepared):
    """The warm-up imports and a report's analyses on the prepared data never import the
    engine or the checks (each is tens of MB in every kernel and worker); loading does."""
    from kamlib.report.kernels import WARM_UP

    code = (WARM_UP + "\nimport sys\nfrom kamlib import open_dataset\n"
            "from kamlib.relationships import dataset_relationships\n"
            "from kamlib.report import worker, run\n"
            f"ds = open_dataset(prepared={str(prepared)!r})\n"
            "frames = dataset_relationships(ds)\n"
            f"print(sorted(m for m in {ENGINE!r} if m in sys.modules))\n"
            "from kamlib import load\nload()\n"
            f"print(sorted(m for m in {ENGINE!r} if m in sys.modules))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "agg"}
    out = subprocess.run([sys.executable, "-c", code.replace("module://matplotlib_inline."
                                                             "backend_inline", "agg")],
                         capture_output=True, text=True, env=env, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert {"duckdb", "ibis", "pandera"} <= set(ast.literal_eval(out[1]))  # loading: then


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@linux
def test_give_back_returns_a_fragmented_heap_to_the_system():
    """Blocks freed between live ones stay resident until given back (glibc keeps them)."""
    blocks = [bytes(2000) + bytes([i % 256]) for i in range(100_000)]  # ~200 MB of malloc
    keep = blocks[::50]  # one live block in fifty: the freed ones are holes, not the top
    del blocks
    before = _rss_mb()
    assert give_back() is True
    after = _rss_mb()
    assert before - after > 100, (before, after)
    assert len(keep) == 2000


def test_the_portfolio_saved_for_the_plans_keeps_only_what_the_build_reads(tmp_path):
    """Every frame is written (each plan reads its rows), the plans run keeps only the
    frames of the index, calendars and template, equal to those computed in memory."""
    from kamlib.data.dataset import load
    from kamlib.planning.portfolio import load_portfolio
    from kamlib.report.plans_portfolio import READ_HERE, portfolio_for, save_for_plans

    ds = load()
    whole = portfolio_for(ds, ds.config)
    saved = save_for_plans(ds, ds.config, tmp_path / "portfolio")
    assert sorted(saved.frames) == sorted(READ_HERE)
    assert sorted(p.stem for p in saved.folder.glob("*.parquet")) == sorted(whole)
    for name in READ_HERE:
        pd.testing.assert_frame_equal(saved.frames[name], whole[name])
    account = whole["matrix"]["account_id"].iloc[0]
    frames, _ = load_portfolio(saved.folder, account)
    mine = whole["notes"][whole["notes"]["account_id"] == account].reset_index(drop=True)
    pd.testing.assert_frame_equal(frames["notes"].reset_index(drop=True), mine,
                                  check_dtype=False)


def test_the_build_computes_the_portfolio_on_a_worker(prepared, tmp_path):
    """The worker's portfolio (from the prepared data) equals the build process's own."""
    from kamlib.data.dataset import load
    from kamlib.report.plans_portfolio import READ_HERE, portfolio_for
    from kamlib.report.worker import portfolio_task

    ds = load()
    saved = portfolio_task(prepared, ds.config, tmp_path / "portfolio")
    whole = portfolio_for(ds, ds.config)
    for name in READ_HERE:
        pd.testing.assert_frame_equal(saved.frames[name], whole[name], check_dtype=False)
    assert saved.frames["info"].attrs == whole["info"].attrs


def test_a_portfolio_whose_worker_died_is_computed_in_the_build():
    """The plans do not fail with the worker that computed their portfolio: the build
    computes it itself; any other error of the portfolio still surfaces."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from kamlib.data.dataset import load
    from kamlib.report.plans_portfolio import given_portfolio, portfolio_for

    ds = load()
    died = Future()
    died.set_exception(BrokenProcessPool("A process in the process pool was terminated"))
    frames = given_portfolio(died, ds, ds.config)
    pd.testing.assert_frame_equal(frames["matrix"], portfolio_for(ds, ds.config)["matrix"])
    thin = Future()
    thin.set_exception(ValueError("pareto_table: total revenue is zero"))
    with pytest.raises(ValueError, match="total revenue is zero"):
        given_portfolio(thin, ds, ds.config)
