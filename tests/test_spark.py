"""Spark as a source and as the cube's engine: local mode through Ibis' pyspark backend.

The bundled sample goes into Spark (Parquet files and temporary views of the session) and
every figure must equal the CSV build's. One SparkSession serves the whole run (starting
Java takes 5-20 s). Without Java or pyspark the tests are skipped with the reason on a
developer's machine, and fail in CI (the environment variable CI set), where they must run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import duckdb
import ibis
import pandas as pd

import pytest

import kamlib
from kamlib.brief import totals
from kamlib.concentration import account_totals, concentration_summary
from kamlib.data.config import SAMPLE_DIR, load_config
from kamlib.data.cube import FRAMES, build_cube
from kamlib.data.dataset import SMALL_TABLES
from kamlib.data.problems import ValidationReport
from kamlib.data.sources.database import read_pushed
from kamlib.data.spark import connect_spark
from kamlib.status import dataset_status
from test_postgres import (DIRTY_PROBLEMS, TODAY, _generated, _problems,  # the same data
                           assert_rows_named_by_keys)



def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed: pip install -e '.[spark]'"
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        return "no Java: apt-get install openjdk-17-jre-headless (or set JAVA_HOME)"
    return None


@pytest.fixture(scope="module")
def spark():
    """This module's SparkSession, started the way ``spark://local`` starts it, and Spark
    shut down whole after it: the JVM and its gateway's sockets would otherwise stay in the
    test process, and every worker a later test forks would inherit them (300 descriptors,
    1 GB), which the workers' bounds in test_worker_pool would count as theirs."""
    reason = _missing()
    if reason:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)
    session = connect_spark("spark://local")._session
    yield session
    session.stop()
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None:  # the JVM exits when the pipe to it closes
            proc.stdin.close()
            proc.wait(timeout=60)
        SparkContext._gateway = SparkContext._jvm = None


@pytest.fixture(scope="session")
def lake(tmp_path_factory):
    """The bundled CSVs as typed Parquet files (DuckDB's types)."""
    folder = tmp_path_factory.mktemp("lake")
    for csv in sorted(SAMPLE_DIR.glob("*.csv")):
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{folder / csv.stem}.parquet'")
    return folder


@pytest.fixture
def sample(spark, lake):
    """The bundled tables as temporary views of the session, for one test."""
    yield _views(spark, lake, [p.stem for p in sorted(lake.glob("*.parquet"))])
    _drop_views(spark)


def _views(spark, folder, tables):
    """Each ``folder/<table>.parquet`` as a temporary view; the folder."""
    for table in tables:
        spark.read.parquet(str(folder / f"{table}.parquet")).createOrReplaceTempView(table)
    return folder


def _drop_views(spark) -> None:
    for table in spark.catalog.listTables():
        if table.isTemporary:
            spark.catalog.dropTempView(table.name)


def _kamkit_views(spark) -> list[str]:
    return [t.name for t in spark.catalog.listTables() if t.isTemporary
            and t.name.startswith(("_kamkit_", "ibis_cache"))]


@pytest.mark.spark
def test_the_sample_read_from_spark_equals_the_csv_build(spark, sample):
    """Catalog views, a Parquet file and a query: the same data set as from the CSV files."""
    (sample / "kam.toml").write_text(
        '[source]\ndatabase = "spark://local"\n\n'
        '[tables.transactions]\nfile = "transactions.parquet"\n\n'
        '[tables.contacts]\nquery = "SELECT * FROM contacts"\n')
    ds, ref = kamlib.load(sample / "kam.toml"), kamlib.load()
    assert ds.report.summary() == ref.report.summary() == (
        "0 error(s), 0 warning(s), 0 cleaning step(s)")
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(ds.cube, name), getattr(ref.cube, name))
    for name in SMALL_TABLES:
        pd.testing.assert_frame_equal(getattr(ds, name), getattr(ref, name))
    assert (ds.as_of, ds.start) == (ref.as_of, ref.start)
    files = dict(zip(ds.source_table()["table"], ds.source_table()["file"]))
    assert files["transactions"] == "transactions.parquet" and files["accounts"] == "accounts"
    assert _kamkit_views(spark) == []  # the Parquet file's view is dropped after the read


@pytest.mark.spark
def test_ties_and_ids_sort_in_byte_order_on_both_engines(spark):
    """Ids whose byte order differs from a dictionary's (case, accents, digits), with tied
    days: row order and the kept notable days are the same on Spark as on DuckDB."""
    ids = ["b", "B", "a", "Ä", "é", "Z", "10", "9", "a b", "ab"]
    lines = pd.DataFrame({
        "account_id": [i for i in ids for _ in range(12)],
        "date": pd.to_datetime([f"2024-{m:02d}-{d:02d}" for _ in ids for m in (1, 2, 3)
                                for d in (1, 2, 3, 4)]).astype("datetime64[ns]"),
        "revenue": [100.0] * 12 * len(ids),  # every day tied: the rank breaks ties by date
        "cost": [40.0] * 12 * len(ids),
        "product": [p for _ in ids for p in ["Zeta", "alpha", "Éclair", "beta"] * 3],
        "invoice_id": [f"{i}-{n}" for i in ids for n in range(12)],
        "quantity": [1.0] * 12 * len(ids)})
    lines["date"] = lines["date"].dt.date
    reference = build_cube(ibis.duckdb.connect().create_table("lines", lines))
    view = spark.createDataFrame(lines)
    view.createOrReplaceTempView("tied_lines")
    on_spark = build_cube(connect_spark("spark://local").table("tied_lines"))
    spark.catalog.dropTempView("tied_lines")
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(on_spark, name), getattr(reference, name))
    assert reference.account_timing["account_id"].tolist() == sorted(ids, key=str.encode)
    assert reference.product_month["product"].unique().tolist() == [
        "Zeta", "alpha", "beta", "Éclair"]
    # ten largest days kept of twelve tied ones: the first ten dates, on both engines
    assert len(reference.notable_days) == 10 * len(ids)


@pytest.mark.spark
def test_a_missing_spark_table_or_file_is_named_as_such(spark, sample, tmp_path):
    (tmp_path / "kam.toml").write_text(
        '[source]\ndatabase = "spark://local"\n\n'
        '[tables.transactions]\ntable = "invoice_lines"\n\n'
        '[tables.accounts]\nfile = "nowhere/accounts.parquet"\n')
    report = kamlib.validate(tmp_path / "kam.toml")
    by_table = {p.table: p for p in report.errors}
    missing = by_table["transactions"]
    assert (missing.rule, missing.message) == ("missing-table",
                                               "no table named 'invoice_lines'")
    assert "[tables.transactions] table = one of [" in missing.hint
    assert "'transactions'" in missing.hint  # the session's tables, views included
    unread = by_table["accounts"]
    assert unread.rule == "unreadable" and unread.file == "nowhere/accounts.parquet"
    assert "cannot read table nowhere/accounts.parquet" in unread.message
    assert "file does not exist" not in str(report.errors) and ".csv" not in str(report.errors)


def _pushdown(folder, tables=""):
    (folder / "spark.toml").write_text('[source]\ndatabase = "spark://local"\n'
                                       'compute = "database"\n' + tables)
    return folder / "spark.toml"


@pytest.mark.spark
def test_the_pushdown_on_spark_gives_the_csv_figures(spark, sample, tmp_path):
    """compute = "database" on Spark: the rules and the cube run there; the same cube,
    tables, problems and headline figures as the CSV build of the bundled sample. The lines
    from a Parquet file (by its absolute path), in use while the other tables are read."""
    lines = f'[tables.transactions]\nfile = "{sample / "transactions.parquet"}"\n'
    ds = kamlib.load(_pushdown(tmp_path, lines), today=TODAY)
    ref = kamlib.load(today=TODAY)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(ds.cube, name), getattr(ref.cube, name))
    for name in SMALL_TABLES:
        pd.testing.assert_frame_equal(getattr(ds, name), getattr(ref, name))
    assert _problems(ds.report) == _problems(ref.report) == []
    assert (ds.as_of, ds.start) == (ref.as_of, ref.start)
    status, expected = dataset_status(ds), dataset_status(ref)
    pd.testing.assert_frame_equal(status, expected)
    assert totals(status) == totals(expected)
    summaries = [concentration_summary(account_totals(d.cube.account_month)) for d in (ds, ref)]
    pd.testing.assert_frame_equal(summaries[0].to_frame(), summaries[1].to_frame())
    assert summaries[0].headline == summaries[1].headline
    assert _kamkit_views(spark) == []


@pytest.mark.spark
def test_the_pushdown_reads_the_lines_into_sparks_cache_once_and_releases_them(spark, sample,
                                                                             tmp_path):
    """The typed lines are a cached view of the session while the rules and the cube read
    them; nothing stays cached or named after the connection closes."""
    config = load_config(_pushdown(tmp_path))
    pushed = read_pushed("transactions", config, ValidationReport())
    try:
        view = pushed.lines_table.op().name
        assert view in _kamkit_views(spark) and spark.catalog.isCached(view)
        expected = duckdb.sql(f"SELECT count(*) FROM '{sample / 'transactions.parquet'}'")
        assert pushed.lines_table.count().to_pyarrow().as_py() == expected.fetchall()[0][0]
    finally:
        pushed.backend.disconnect()
    assert _kamkit_views(spark) == [] and spark.sparkContext._jsc.getPersistentRDDs().isEmpty()


@pytest.mark.spark
def test_the_pushdown_on_spark_finds_every_problem_of_the_csv_path(spark, tmp_path):
    """One case of each transaction problem, ids in byte order unlike a dictionary's: the
    same problems as from the CSV files, rows named by their keys."""
    _generated(tmp_path, dirty=True)
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    csv = kamlib.validate(tmp_path / "kam.toml", today=TODAY)
    typed = tmp_path / "typed"
    typed.mkdir()
    for table in ("transactions", "accounts"):
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{tmp_path / table}.csv')) TO "
                   f"'{typed / table}.parquet'")
    try:
        report = kamlib.validate(_pushdown(_views(spark, typed, ["transactions", "accounts"])),
                                 today=TODAY)
    finally:
        _drop_views(spark)
    assert _problems(report) == _problems(csv) == DIRTY_PROBLEMS
    assert [(c.step, c.count) for c in report.cleaning if "duplicate" in c.step] == [
        ("exact duplicate lines dropped", 1)]
    assert_rows_named_by_keys(report, csv)


@pytest.mark.parametrize("failure, said", [
    (ImportError("No module named 'pyspark'"), "No module named 'pyspark'. Spark sources need "
     "the spark extra and Java 17: pip install 'kamkit[spark]'"),
    (RuntimeError("[JAVA_GATEWAY_EXITED] Java gateway process exited before sending its port "
                  "number."), "Spark did not start: [JAVA_GATEWAY_EXITED] Java gateway process "
     "exited before sending its port number. Spark sources need the spark extra and Java 17")])
def test_spark_missing_or_not_starting_says_what_to_install(tmp_path, monkeypatch, failure,
                                                             said):
    """No Spark started here: the two ways it fails on a machine without it, reported once
    as the source's connection error with what to install."""
    from kamlib.data import spark as spark_module

    def fail(*args):
        raise failure

    target = "_backend_type" if isinstance(failure, ImportError) else "_session"
    monkeypatch.setattr(spark_module, target, fail)
    (tmp_path / "kam.toml").write_text('[source]\ndatabase = "spark://local"\n')
    report = kamlib.validate(tmp_path / "kam.toml")
    assert [(p.table, p.rule) for p in report.errors] == [("accounts", "unreadable")]
    assert report.errors[0].message.startswith(f"cannot connect: {said}")
    assert "openjdk-17-jre-headless" in report.errors[0].message
