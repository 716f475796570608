"""The build's schedule (issue 21): the relationship frames computed once per build and read
by module 15 and the plans' portfolio; plans filling the workers the reports leave idle."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import report_notebook

from kamlib.report.execute import Then, execute
from kamlib.report.tasks import Outcome, Task

DATA = Path(__file__).resolve().parents[1] / "data"


# --- the relationship frames: one computation per data set, saved, read back ------------

@pytest.fixture()
def counted(monkeypatch) -> list[int]:
    """Each computation of the relationship frames, counted."""
    import kamlib.relationships as rel

    calls, real = [], rel.relationship_frames

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rel, "relationship_frames", counting)
    return calls


def _equal(left, right) -> None:
    assert list(left) == list(right)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=True)
        assert left[name].attrs == right[name].attrs, name


def test_a_data_set_computes_its_relationship_frames_once(counted):
    """Module 15 and the portfolio ask for the same frames: one computation; other
    settings than the data set's own are computed anew (and not kept)."""
    from dataclasses import replace

    from kamlib import load
    from kamlib.planning.portfolio import portfolio_frames
    from kamlib.relationships import dataset_relationships

    ds = load()
    first = dataset_relationships(ds)
    assert dataset_relationships(ds) is first and len(counted) == 1
    frames = portfolio_frames(ds)
    assert len(counted) == 1
    pd.testing.assert_frame_equal(frames["relationship"], first["accounts"])
    other = replace(ds.config.relationships, flag_below=ds.config.relationships.flag_below + 20)
    flagged = dataset_relationships(ds, other)["accounts"]["flagged"].sum()
    assert len(counted) == 2 and flagged > first["accounts"]["flagged"].sum()
    assert dataset_relationships(ds) is first


def test_the_prepared_data_gives_the_saved_frames_equal_to_the_computed(tmp_path, counted):
    """Saved with the prepared data, the frames read back are the computed ones, value for
    value, dtypes and rules included; a notebook opening the folder computes nothing."""
    from kamlib import load, open_dataset
    from kamlib.relationships import dataset_relationships
    from kamlib.relationships.saved import SavedRelationships

    ds = load()
    computed = dataset_relationships(ds)
    ds.save(tmp_path / "prepared")
    opened = open_dataset(prepared=tmp_path / "prepared")
    read = dataset_relationships(opened)
    assert isinstance(read, SavedRelationships) and len(counted) == 1
    _equal(computed, read)
    assert read.read("health_history", columns=["account_id", "score"]).columns.tolist() == [
        "account_id", "score"]
    # without saved frames (a trainee's notebook, an older build) it computes them itself
    (tmp_path / "bare").mkdir()
    ds.relationships = None
    ds.save(tmp_path / "bare")
    _equal(computed, dataset_relationships(open_dataset(prepared=tmp_path / "bare")))
    assert len(counted) == 2


def test_the_portfolio_worker_saves_the_frames_once_for_module_15_and_the_plans(tmp_path,
                                                                               counted):
    """The build's portfolio task computes the frames once, saves them with the prepared
    data (where module 15 reads them) and its plans' frames equal the standalone ones."""
    from kamlib import load, open_dataset
    from kamlib.planning.portfolio import load_portfolio
    from kamlib.relationships import dataset_relationships
    from kamlib.report.plans_portfolio import portfolio_for
    from kamlib.report.worker import portfolio_task
    from kamlib.status import dataset_status

    ds = load()
    dataset_status(ds)
    prepared = ds.save(tmp_path / "prepared")
    assert not (prepared / "relationships").exists()
    portfolio_task(prepared, ds.config, tmp_path / "portfolio")
    assert len(counted) == 1 and (prepared / "relationships").is_dir()
    whole = portfolio_for(ds, ds.config)  # computed here, as kam plans without a build does
    assert len(counted) == 2
    saved, _ = load_portfolio(tmp_path / "portfolio")
    for name in ("relationship", "health_history"):
        pd.testing.assert_frame_equal(saved[name], whole[name].sort_values(
            "account_id", kind="stable").reset_index(drop=True), check_exact=True)
    _equal(dataset_relationships(ds), dataset_relationships(open_dataset(prepared=prepared)))
    assert len(counted) == 2


def test_module_15_says_it_reads_the_saved_relationship_frames():
    """The build holds module 15 back until the frames are saved (its metadata says so)."""
    from kamlib.report.build import NOTEBOOKS
    from kamlib.report.notebooks import report_notebooks

    reads = {nb.name: nb.reads for nb in report_notebooks(NOTEBOOKS)}
    assert reads["15_relationships"] == ("relationships",)
    assert {n for n, r in reads.items() if r} == {"15_relationships"}


# --- the queue: held tasks, tasks that join, failures -------------------------------------

class FakePool:
    """Runs each task's label as a recorded sleep on threads (no kernels): what the queue
    decides, in start and end times; a task named ``bad...`` fails."""

    def __init__(self, workers: int, seconds: dict[str, float]) -> None:
        self.executor, self.seconds = ThreadPoolExecutor(workers), seconds
        self.times: dict[str, tuple[float, float]] = {}
        self.t0 = time.monotonic()

    def submit(self, fn, task: Task):
        return self.executor.submit(self._run, task)

    def _run(self, task: Task) -> Outcome:
        start = time.monotonic() - self.t0
        time.sleep(self.seconds.get(task.label, 0.05))
        self.times[task.label] = (start, time.monotonic() - self.t0)
        return Outcome(task.label, task.title, not task.label.startswith("bad"),
                       error="failed" if task.label.startswith("bad") else "")


def _tasks(*labels: str) -> list[Task]:
    return [Task(Path(f"{label}.ipynb"), label, {}, Path("."), "leadership", 60)
            for label in labels]


def _after(seconds: float):
    event = threading.Timer(seconds, lambda: None)
    event.start()
    return lambda: not event.is_alive()


def _run(pool, tasks, **kw) -> list[Outcome]:
    try:
        return execute(tasks, pool, 2, 60, None, False, **kw)
    finally:
        pool.executor.shutdown()


def test_a_held_task_waits_for_its_gate_while_the_next_runs():
    pool = FakePool(2, {"slow": 1.0, "15": 0.1, "16": 0.1})
    outcomes = _run(pool, _tasks("slow", "15", "16"), gates={"15": _after(0.5)})
    assert [o.name for o in outcomes] == ["15", "16", "slow"] and all(o.ok for o in outcomes)
    t = pool.times
    assert t["15"][0] >= 0.45  # held until its frames were saved
    assert t["16"][0] < t["15"][0]  # the next one ran meanwhile
    assert t["15"][0] < t["slow"][1]  # and it did not wait for the slow one either


def test_plans_fill_the_worker_a_long_report_leaves_idle():
    """The plans join once their portfolio is ready, behind the reports still queued, and
    run beside the long report instead of after it."""
    pool = FakePool(2, {"slow": 1.5, "fast": 0.2, **{f"p{i}": 0.1 for i in range(4)}})
    then = Then(ready=_after(0.4), make=lambda: _tasks("p0", "p1", "p2", "p3"))
    outcomes = _run(pool, _tasks("slow", "fast", "last"), then=then)
    assert [o.name for o in outcomes] == ["fast", "last", "slow"]
    assert [o.name for o in then.outcomes] == ["p0", "p1", "p2", "p3"]
    t = pool.times
    assert all(t[f"p{i}"][1] < t["slow"][1] for i in range(4))  # all beside the long one
    assert min(t[f"p{i}"][0] for i in range(4)) >= t["last"][0]  # reports first


def test_a_failed_report_starts_no_plan_and_an_error_in_making_them_is_kept():
    pool = FakePool(2, {"bad": 0.05, "slow": 0.6})
    made = []
    then = Then(ready=_after(0.3), make=lambda: made.append(1) or _tasks("p0"))
    outcomes = _run(pool, _tasks("bad", "slow"), then=then)
    assert [o.ok for o in outcomes] == [False, True]  # every report still ran
    assert made == [] and then.outcomes == [] and "p0" not in pool.times

    def refuse():
        raise ValueError("pareto_table: total revenue is zero")

    pool = FakePool(2, {})
    then = Then(ready=lambda: True, make=refuse)
    outcomes = _run(pool, _tasks("a", "b"), then=then)
    assert all(o.ok for o in outcomes) and "total revenue" in str(then.error)


# --- end to end: a build whose long report runs beside its plans ---------------------------

@pytest.mark.slow
def test_a_build_runs_its_plans_beside_a_long_report(tmp_path, monkeypatch):
    """Two workers, a report notebook of 12 s and a short one: the plans start as soon as
    the portfolio is computed, before the long report ends, and all are published."""
    import kamlib.report.execute as execute_module
    import kamlib.report.worker as worker
    from kamlib.report import build_reports
    from kamlib.report.plans import PLAN_NOTEBOOK

    log = tmp_path / "times.log"
    real = worker.run_task

    def run_task(task):  # forked workers inherit it: each notebook's start and end
        start = time.time()
        try:
            return real(task)
        finally:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{task.label} {start} {time.time()}\n")

    run_task.__module__, run_task.__qualname__ = "kamlib.report.worker", "run_task"
    monkeypatch.setattr(worker, "run_task", run_task)
    monkeypatch.setattr(execute_module, "run_task", run_task)
    folder = tmp_path / "notebooks"
    (folder / "plans").mkdir(parents=True)
    report_notebook(folder / "01_long.ipynb", "import time\ntime.sleep(12)", title="Long")
    report_notebook(folder / "02_short.ipynb", nbformat.v4.new_markdown_cell("# Short"),
                    title="Short")
    nbformat.write(nbformat.read(PLAN_NOTEBOOK, as_version=4),
                   folder / "plans" / "account_plan.ipynb")
    toml = tmp_path / "kam.toml"
    toml.write_text(f'[source]\nfolder = "{DATA.as_posix()}"\n\n[plans]\ntop = 3\n')
    out = tmp_path / "site"
    result = build_reports(toml, out=out, notebooks=folder, workers=2, show_progress=False)
    assert result.ok, result.errors
    times = {label: (float(a), float(b)) for label, a, b in
             (line.split() for line in log.read_text().splitlines())}
    plans = [v for k, v in times.items() if k not in ("01_long", "02_short")]
    assert len(plans) == 3 and len(list((out / "plans").glob("0*.html"))) == 3
    assert min(start for start, _ in plans) < times["01_long"][1]
