"""Spark as a source: ``[source] database = "spark://..."``, read through Ibis' pyspark backend.

The URL says which Spark, in Spark's own words where it has them:

``spark://local``
    a Spark inside this process in local mode, on every core (``local[*]``), listening on
    127.0.0.1 only, its web UI off;
``spark://HOST:PORT``
    a standalone Spark cluster, by its master URL (Spark's own form, e.g. port 7077);
``spark://``
    the SparkSession already running in this process (one a notebook or a platform set up),
    else Spark's own configuration: ``spark.master`` in ``spark-defaults.conf``
    (``SPARK_CONF_DIR``) or ``--master`` in ``PYSPARK_SUBMIT_ARGS`` (YARN, Kubernetes).

A path names the catalog database the tables are read from (``spark://local/sales``);
without one, Spark's current database (``default``). A running SparkSession is always
used as it is: Spark keeps one per process. Tables are the catalog's tables and views
(``[tables.NAME] table``), or Parquet files and folders Spark reads (``[tables.NAME] file``,
relative to ``kam.toml`` or a URL such as ``s3a://lake/lines``).

Spark has no read-only session: kamkit only reads, and the only objects it creates are
temporary views of this session (a Parquet file's, a cached intermediate), never a table
in the catalog. The session is started once and kept for the process: starting Spark
takes seconds, and the JVM stops with the process.

Examples
--------
>>> spark_master("spark://local"), spark_master("spark://node1:7077/sales")
('local[*]', 'spark://node1:7077')
>>> spark_master("spark://") is None, spark_database("spark://local/sales")
(True, 'sales')
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["SCHEME", "is_spark", "spark_master", "spark_database", "connect_spark",
           "spark_parquet", "spark_cached", "INSTALL_HINT"]

SCHEME = "spark"
INSTALL_HINT = ("Spark sources need the spark extra and Java 17: pip install 'kamkit[spark]' "
                "and, on Debian or Ubuntu, apt-get install openjdk-17-jre-headless (or set "
                "JAVA_HOME to a Java 17 or 21)")
# Local mode: nothing listens beyond the machine, no web UI
_LOCAL_SETTINGS = {"spark.ui.enabled": "false", "spark.driver.host": "127.0.0.1",
                   "spark.driver.bindAddress": "127.0.0.1"}
_VIEWS = "_kamkit_"  # the names of the temporary views kamkit makes in a session
# Every session kamkit starts: no progress bars over kamkit's own progress display.
_SETTINGS = {"spark.ui.showConsoleProgress": "false"}
# Set on any session, a running one too: results come to Python as Arrow, not as rows of
# Python objects (Ibis' execute() calls toPandas()).
_RUNTIME = {"spark.sql.execution.arrow.pyspark.enabled": "true"}


def is_spark(database: str | None) -> bool:
    """True for a ``spark://`` URL.

    >>> is_spark("spark://local"), is_spark("postgres://h/db"), is_spark(None)
    (True, False, False)
    """
    return bool(database) and database.split("://", 1)[0].lower() == SCHEME \
        and "://" in database


def spark_master(url: str) -> str | None:
    """Spark's master for ``url``: ``local[*]``, a cluster's ``spark://host:port``, or None
    (the running session or Spark's own configuration)."""
    host = urlsplit(url).netloc
    if not host:
        return None
    return "local[*]" if host.lower() == "local" else f"spark://{host}"


def spark_database(url: str) -> str | None:
    """The catalog database named by the URL's path, or None."""
    return urlsplit(url).path.strip("/") or None


def _session(master: str | None):
    """The process's SparkSession: the running one, else one started with kamkit's settings."""
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    if running is not None:
        return running
    builder = SparkSession.builder.appName("kamkit")
    settings = dict(_SETTINGS)
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        settings |= _LOCAL_SETTINGS
        # Spark's default of 200 shuffle partitions made the bundled sample's cube take
        # 124 s on 2 cores, against 22 s with as many partitions as cores
        settings["spark.sql.shuffle.partitions"] = str(os.cpu_count() or 2)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@cache
def _backend_type():
    """Ibis' pyspark backend, with a ``disconnect`` that keeps the session for the next read
    (Ibis' own stops the SparkContext: every table read would start Spark again)."""
    import ibis
    from ibis.backends.pyspark import Backend

    ibis.pyspark  # noqa: B018 - loaded through ibis, which registers the backend's options

    class KeptSession(Backend):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.views: list[str] = []  # temporary views made through this connection

        def disconnect(self) -> None:
            """Release the tables cached through this connection (:func:`spark_cached`)
            and drop its temporary views (others may still be in use: the pushdown's lines
            while the small tables are read); keep the session for the next read."""
            for name in list(self._cache_name_to_entry):
                self._finalize_cached_table(name)
            while self.views:
                self._session.catalog.dropTempView(self.views.pop())

    return KeptSession


def connect_spark(url: str):
    """An Ibis pyspark backend on the session ``url`` names (see the module's docstring).

    Raises ``RuntimeError`` saying what to install when pyspark or Java is missing.
    """
    try:
        backend_type = _backend_type()
    except ImportError as err:
        raise RuntimeError(f"{str(err).rstrip('.')}. {INSTALL_HINT}") from None
    try:
        session = _session(spark_master(url))
    except Exception as err:  # pyspark's own error types; Java missing is the usual one
        said = str(err).splitlines()[0] if str(err) else type(err).__name__
        said = said.rstrip(".")
        hint = f". {INSTALL_HINT}" if "JAVA" in said.upper() else ""
        raise RuntimeError(f"Spark did not start: {said}{hint}") from None
    backend = backend_type().connect(session, **_RUNTIME)
    database = spark_database(url)
    if database:
        session.catalog.setCurrentDatabase(database)
    return backend


def spark_cached(table):
    """``table`` kept in Spark's memory (spilled to local disk when it does not fit) as a
    temporary view of the session, released when its connection disconnects: the pushdown's
    rules and cube read their ~15 passes from it instead of re-reading the source (1M lines
    from Parquet: 347.6 s without, see README). Computed on first use."""
    return table.cache()


def spark_parquet(backend, file: str, table: str, config_path: Path | None):
    """The Parquet file or folder ``file`` read by Spark as a temporary view of the session.

    A relative path is read from the folder of ``kam.toml``; a URL (``s3a://``, ``hdfs://``)
    or an absolute path as written.
    """
    path = file
    if "://" not in file and not Path(file).expanduser().is_absolute() and config_path:
        path = str(config_path.parent / file)
    view = f"{_VIEWS}{table}"
    backend.views.append(view)
    return backend.read_parquet(str(Path(path).expanduser()) if "://" not in path else path,
                                table_name=view)
