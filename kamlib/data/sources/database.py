"""Database sources: a DuckDB file (attached read-only) or any database Ibis connects to.

Tables keep their types; another database's rows are handed to DuckDB as Arrow: only the
mapped columns, and for the transactions only a configured analysis window (PostgreSQL
through the ADBC driver, :mod:`kamlib.data.postgres`). With ``[source] compute =
"database"``, :func:`read_pushed` leaves the lines on the server (:mod:`..pushdown`). Every
source is opened read-only where the driver allows it: a SQLite file in SQLite's read-only
mode (so a missing file is never created), PostgreSQL and MySQL in read-only sessions; Spark
(:mod:`kamlib.data.spark`) is only read from. A table the database user may not read is said
to be so, never skipped as missing.
"""

from __future__ import annotations

from pathlib import Path

import re
import sqlite3
from pathlib import PurePath
from urllib.parse import quote

import duckdb

from kamlib.data.masking import mask_secrets
from kamlib.data.contract import DATE_MAX, DATE_MIN, TABLES
from kamlib.data.readonly_sql import dialect_of, query_problem, run_duckdb_query
from kamlib.data.spark import connect_spark, is_spark, spark_cached, spark_parquet
from kamlib.data.sources.base import RawTable, ident, map_columns, typed_source
from kamlib.data.postgres import fetcher, is_postgres, pull_arrow, query_table

__all__ = ["read_database", "read_pushed", "connect_read_only", "READ_ONLY_OPTIONS"]

# what each driver is told so that the session cannot write (keyword arguments of the
# backend's connect); SQLite is opened in read-only mode instead (connect_read_only)
READ_ONLY_OPTIONS = {
    "postgres": {"options": "-c default_transaction_read_only=on"},
    "postgresql": {"options": "-c default_transaction_read_only=on"},
    "mysql": {"init_command": "SET SESSION TRANSACTION READ ONLY"},
    "mariadb": {"init_command": "SET SESSION TRANSACTION READ ONLY"},
}
_DENIED = re.compile(r"permission denied|access denied|not authori[sz]ed|insufficient "
                     r"privilege|lacks? (the )?privilege|command denied|no privileges|"
                     r"not allowed to|ORA-01031|SELECT permission", re.I)


def connect_read_only(url: str):
    """An Ibis backend on ``url`` that cannot write: SQLite read-only, other drivers told to
    open a read-only session (see ``READ_ONLY_OPTIONS``)."""
    import ibis

    if is_spark(url):  # a Spark session: it only reads, see kamlib.data.spark
        return connect_spark(url)
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme == "sqlite":  # config made the path absolute and checked that the file exists
        path = PurePath(url.split("://", 1)[1].split("?", 1)[0][1:])
        con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        return ibis.sqlite.from_connection(con)
    return ibis.connect(url, **READ_ONLY_OPTIONS.get(scheme, {}))


def _denied(name, shown, wanted, err, config, report) -> bool:
    """Report a refused read as "no permission"; True if ``err`` was one."""
    if not _DENIED.search(str(err)):
        return False
    report.error(name, shown, "no-permission", f"no permission to read table {wanted!r}: "
                 f"{mask_secrets(str(err).splitlines()[0], config.database)}",
                 hint=f"Ask the database's administrator to grant SELECT on {wanted} to the "
                      "user kam connects as, or drop the table from kam.toml.")
    return True


def _once(report, name: str, shown: str, message: str) -> None:
    """A source-wide failure (connection, file) is reported once, not once per table."""
    if not any(p.file == shown and p.rule == "unreadable" for p in report.errors):
        report.error(name, shown, "unreadable", message,
                     hint="Check the URL, driver, user and password (the password is never "
                          "printed); set it in an environment variable named by "
                          "[source] database_env rather than in kam.toml.")


def _label(name, config) -> str:
    """How messages name ``[tables.NAME]``: its table, or the Parquet path Spark reads."""
    src = config.tables[name]
    return src.table or (src.file if src.file and is_spark(config.database) else name)


def _remote_source(remote, name, config, report):
    """The Ibis table of ``[tables.NAME]`` (a table, a query as a subquery, or a Parquet
    file Spark reads), or None with the problem reported (missing, or not allowed to read)."""
    src, shown = config.tables[name], config.shown_database
    wanted = src.table or name
    if src.file and is_spark(config.database) and not src.table:
        return spark_parquet(remote, src.file, name, config.path)
    if src.query:
        return query_table(remote, src.query) if is_postgres(config.database) else \
            remote.sql(src.query)
    tables = remote.list_tables()
    try:  # asked even when not listed: a database may list only what one may read
        expr = remote.table(wanted)
        if is_postgres(config.database):  # a table one may not read still has a schema
            remote.raw_sql(f"SELECT 1 FROM {ident(wanted)} LIMIT 0").close()
        return expr
    except Exception as err:  # noqa: BLE001 - each backend its own error types
        if is_postgres(config.database):
            remote.con.rollback()
        if _denied(name, shown, wanted, err, config, report):
            return None
        if wanted in tables:
            raise
        if TABLES[name].required_table or src.table:
            report.error(name, shown, "missing-table", f"no table named {wanted!r}",
                         values=sorted(tables), count=len(tables),
                         hint=f"Set [tables.{name}] table = one of {sorted(tables)}.")
        return None


def _window(expr, name, mapping, config, report, wanted):
    """Transactions: only the configured analysis window is read (when the date column is
    a date in the database); the lines left out are counted on the server. Lines without a
    date, or with a date outside the contract's limits, are read: they are errors."""
    an = config.analysis
    end, start = an.end or an.as_of, an.start
    if name != "transactions" or not (start or end) or not expr[mapping["date"]].type(
            ).is_temporal():
        return expr
    day = expr[mapping["date"]].cast("date")
    cond = (day <= end) if end else (day >= start)
    if start and end:
        cond = cond & (day >= start)
    kept = cond | day.isnull() | ~day.between(DATE_MIN, DATE_MAX)
    left_out = int(expr.filter(~kept).count().execute())
    report.cleaned(name, wanted, "lines outside the configured analysis window not read from "
                   "the database", left_out, f"window {start or 'first date'} to "
                   f"{end or 'last date'}")
    return expr.filter(kept)


def _open(name, config, report):
    """A read-only Ibis connection, or None (reported once per source)."""
    src = config.tables[name]
    problem = src.query and query_problem(src.query, dialect_of(config.database))
    if problem:  # checked when kam.toml was read; again here, for a Config built in code
        report.error(name, config.shown_database, "query-refused",
                     f"[tables.{name}] query {problem}",
                     hint="Write one SELECT over the database's tables.")
        return None
    try:
        return connect_read_only(config.database)
    except Exception as err:  # backends raise their own error types
        _once(report, name, config.shown_database,
              f"cannot connect: {mask_secrets(str(err), config.database)}")
        return None


def _failed(name, wanted, err, config, report) -> None:
    if not _denied(name, config.shown_database, wanted, err, config, report):
        report.error(name, wanted, "unreadable", f"cannot read table {wanted}: "
                     f"{mask_secrets(str(err), config.database)}")


def _read_remote(con, name, config, report) -> RawTable | None:
    """A table of any database Ibis connects to: only the mapped columns (and, for the
    transactions, only the configured window), handed to DuckDB as Arrow."""
    wanted = _label(name, config)
    remote = _open(name, config, report)
    if remote is None:
        return None
    relation = f"_arrow_{name}"
    try:
        expr = _remote_source(remote, name, config, report)
        if expr is None:
            return None
        header = list(expr.columns)
        positions = map_columns(name, header, wanted, config, report)
        if positions is None:
            return None
        mapping = {c: header[i] for c, i in positions.items()}
        expr = _window(expr.select(*dict.fromkeys(mapping.values())), name, mapping, config,
                       report, wanted)
        if is_postgres(config.database):
            pull_arrow(con, relation, expr, remote, config.database)
        else:
            con.register(f"{relation}_frame", expr.to_pyarrow())
            con.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM {relation}_frame")
            con.unregister(f"{relation}_frame")
    except Exception as err:  # an optional table that fails to read is reported all the same
        _failed(name, wanted, err, config, report)
        return None
    finally:
        remote.disconnect()
    return typed_source(con, name, relation, wanted, config, report, mapped=mapping)


def read_pushed(name: str, config, report):
    """``[compute] = "database"``: the transaction lines left on the server, as an Ibis
    table with the contract's columns (:mod:`kamlib.data.pushdown`); the connection stays
    open in ``.backend`` until the caller disconnects it. On Spark the typed lines are
    cached in the session's memory (released on disconnect), so the rules' and the cube's
    passes do not re-read the source."""
    from kamlib.data.pushdown import (PushedLines, pushdown_keys, typed_lines,  # a cycle
                                      unsupported_types)  # otherwise: pushdown uses checks

    wanted = _label(name, config)
    remote = _open(name, config, report)
    if remote is None:
        return None
    try:
        expr = _remote_source(remote, name, config, report)
        positions = expr is not None and map_columns(name, list(expr.columns), wanted, config,
                                                      report)
        if not positions:
            remote.disconnect()
            return None
        mapping = {c: expr.columns[i] for c, i in positions.items()}
        wrong = unsupported_types(expr, mapping)
        if wrong:
            report.error(name, wanted, "pushdown-type", f"compute = \"database\" needs typed "
                         f"columns in table {wanted}; these are not: {', '.join(wrong)}",
                         values=wrong, count=len(wrong),
                         hint="Store dates as DATE and amounts as numbers in the database "
                              "(or a query that casts them), or set [source] compute = "
                              "\"local\".")
            remote.disconnect()
            return None
        lines = typed_lines(expr, mapping)
        if is_spark(config.database):  # read once: each rule and cube frame is a pass
            lines = spark_cached(lines)  # (PostgreSQL: a read-only user creates nothing)
    except Exception as err:  # noqa: BLE001 - each backend its own error types
        remote.disconnect()
        _failed(name, wanted, err, config, report)
        return None
    return PushedLines(name, wanted, None, wanted, mapping, {}, rows=0, first_line=0,
                       noun="table", lines_table=lines, backend=remote,
                       keys=pushdown_keys(mapping), fetch=fetcher(remote, config.database)
                       if is_postgres(config.database) else None)


def read_database(con, name, config, report) -> RawTable | None:
    """Load table ``name`` from the configured database as ``raw_<name>``."""
    src, db = config.tables[name], config.database
    if "://" in db and not db.startswith("duckdb://"):
        return _read_remote(con, name, config, report)
    path = db.removeprefix("duckdb://")
    if "src" not in {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()"
                                               ).fetchall()}:
        try:
            con.execute(f"ATTACH '{path.replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        except duckdb.Error as err:  # not a DuckDB file, or a newer format
            _once(report, name, Path(path).name, f"not a readable DuckDB database: {err}")
            return None
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE "
                                        "database_name = 'src' UNION SELECT view_name FROM "
                                        "duckdb_views() WHERE database_name = 'src'").fetchall()}
    wanted = src.table or name
    if src.query:  # never in this connection: it reads the user's files and could write
        relation = f"_query_{name}"
        try:
            run_duckdb_query(con, path, src.query, relation)
        except (ValueError, duckdb.Error) as err:
            report.error(name, Path(path).name, "query-refused" if isinstance(err, ValueError) else
                         "query-failed", f"[tables.{name}] {str(err).splitlines()[0]}",
                         hint="Write one SELECT over the database's tables (e.g. SELECT * "
                              "FROM src.contacts).")
            return None
    elif wanted in tables:
        relation = f"src.{ident(wanted)}"
    else:
        if TABLES[name].required_table or src.table:
            report.error(name, Path(path).name, "missing-table", f"no table named {wanted!r}",
                         values=sorted(tables), count=len(tables),
                         hint=f"Set [tables.{name}] table = one of {sorted(tables)}.")
        return None
    return typed_source(con, name, relation, f"{Path(path).name}:{wanted}", config, report)
