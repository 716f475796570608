"""Database sources: a DuckDB file (attached read-only) or any database Ibis connects to.

Tables keep their types; another database's rows are handed to DuckDB as Arrow.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from kamlib.data.contract import TABLES
from kamlib.data.readonly_sql import dialect_of, query_problem, run_duckdb_query
from kamlib.data.sources.base import RawTable, typed_source

__all__ = ["read_database"]


def read_database(con, name, config, report) -> RawTable | None:
    src, db = config.tables[name], config.database
    if "://" in db and not db.startswith("duckdb://"):
        import ibis  # any backend ibis supports; the rows come back through Arrow

        problem = src.query and query_problem(src.query, dialect_of(db))
        if problem:  # checked when kam.toml was read; again here, for a Config built in code
            report.error(name, db, "query-refused", f"[tables.{name}] query {problem}",
                         hint="Write one SELECT over the database's tables.")
            return None
        try:
            remote = ibis.connect(db)
            expr = remote.sql(src.query) if src.query else remote.table(src.table or name)
            con.register(f"_arrow_{name}", expr.to_pyarrow())
        except Exception as err:  # backends raise their own error types
            if TABLES[name].required_table or src.table or src.query:
                report.error(name, db, "unreadable", f"cannot read {src.table or name}: {err}")
            return None
        return typed_source(con, name, f"_arrow_{name}", src.table or name, config, report)
    path = db.removeprefix("duckdb://")
    if "src" not in {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()"
                                               ).fetchall()}:
        try:
            con.execute(f"ATTACH '{path.replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        except duckdb.Error as err:  # not a DuckDB file, or a newer format
            if not any(p.file == path for p in report.errors):  # once, not once per table
                report.error(name, path, "unreadable", f"not a readable DuckDB database: {err}")
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
            report.error(name, path, "query-refused" if isinstance(err, ValueError) else
                         "query-failed", f"[tables.{name}] {str(err).splitlines()[0]}",
                         hint="Write one SELECT over the database's tables (e.g. SELECT * "
                              "FROM src.contacts).")
            return None
    elif wanted in tables:
        relation = f'src."{wanted}"'
    else:
        if TABLES[name].required_table or src.table:
            report.error(name, path, "missing-table", f"no table named {wanted!r}",
                         values=sorted(tables), count=len(tables),
                         hint=f"Set [tables.{name}] table = one of {sorted(tables)}.")
        return None
    return typed_source(con, name, relation, f"{Path(path).name}:{wanted}", config, report)
