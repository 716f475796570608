"""A ``query`` in ``kam.toml`` is one read-only SELECT, run where it cannot write or reach files.

A query is text from a config file, run against a company's database: one pasted from a
forum or a colleague's mail could delete rows, attach another database or write a file.
So it is parsed (with sqlglot, and for DuckDB with DuckDB's own parser too, so the two
cannot disagree about where a statement ends) and refused unless it is exactly one SELECT
(a UNION of them, or a SELECT with CTEs) that names tables, never a function or a file in
its FROM clause. A DuckDB query then runs on a connection of its own that holds the
database read-only and has file access switched off and locked, so even a query the
parser let through cannot write, attach or read a file.

Examples
--------
>>> query_problem("WITH big AS (SELECT * FROM src.accounts) SELECT * FROM big")
>>> query_problem("DELETE FROM src.accounts")
'is a statement of type DELETE; only one SELECT is allowed'
>>> query_problem("SELECT * FROM read_csv('/etc/passwd')")
'reads from the function read_csv(...); a query may only name tables of the database'
"""

from __future__ import annotations

import re

import duckdb
import sqlglot
from sqlglot import exp

__all__ = ["query_problem", "dialect_of", "run_duckdb_query"]

_READS = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery)
# statements and clauses that change data, settings or the catalog, wherever they are nested
_NOT_READS = tuple(getattr(exp, n) for n in (
    "DML", "DDL", "Command", "Copy", "Pragma", "Set", "Use", "Install", "Into", "Transaction",
    "Commit", "Rollback", "Attach", "Detach", "Describe", "Summarize", "LoadData", "Merge",
    "Insert", "Update", "Delete", "Drop", "Create", "Alter") if hasattr(exp, n))
# DuckDB reads any table name that looks like a file ('data.csv', "/etc/hosts") as that file
_PATH_LIKE = re.compile(r"[./\\:~]")
# functions that read files, the server or other databases, wherever they are called
_SYSTEM_FUNCTIONS = re.compile(r"^(read_|pg_read|pg_ls|pg_stat_file|lo_(import|export)|load_file|"
                               r"xp_|sys_|getenv$|glob$|query$|query_table$|sniff_csv$|"
                               r"\w+_scan$|openrowset$|opendatasource$|url$|file$|s3$)", re.I)
_DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "postgresql": "postgres",
             "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite", "mssql": "tsql",
             "oracle": "oracle", "snowflake": "snowflake", "bigquery": "bigquery",
             "trino": "trino", "clickhouse": "clickhouse", "databricks": "databricks",
             "spark": "spark"}


def dialect_of(database: str | None) -> str | None:
    """The sqlglot dialect for a ``[source] database`` (a DuckDB file or a URL).

    >>> dialect_of("/data/crm.duckdb"), dialect_of("postgres://u@h/db"), dialect_of("x://")
    ('duckdb', 'postgres', None)
    """
    if not database or "://" not in database:
        return "duckdb"
    return _DIALECTS.get(database.split("://", 1)[0].split("+", 1)[0].lower())


def _kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(node).__name__).upper()


def query_problem(sql: object, dialect: str | None = "duckdb") -> str | None:
    """Why ``sql`` is not one read-only SELECT over database tables; None if it is."""
    if not isinstance(sql, str) or not sql.strip():
        return "is empty; write one SELECT statement"
    if dialect == "duckdb":
        try:
            kinds = [s.type.name for s in duckdb.extract_statements(sql)]
        except duckdb.Error as err:
            return f"is not valid SQL: {str(err).splitlines()[0]}"
        if len(kinds) != 1:
            return f"holds {len(kinds)} statements; only one SELECT is allowed"
        if kinds[0] != "SELECT":
            return f"is a statement of type {kinds[0]}; only one SELECT is allowed"
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError as err:
        return f"is not valid SQL: {str(err).splitlines()[0]}"
    if len(statements) != 1:
        return f"holds {len(statements)} statements; only one SELECT is allowed"
    root = statements[0]
    if not isinstance(root, _READS):
        return f"is a statement of type {_kind(root)}; only one SELECT is allowed"
    for node in root.walk():
        if isinstance(node, _NOT_READS):
            return f"holds a clause of type {_kind(node)}; only one SELECT is allowed"
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if isinstance(node.parent, (exp.Table, exp.From, exp.Join, exp.Lateral)) \
                    or _SYSTEM_FUNCTIONS.match(name):
                return (f"reads from the function {name}(...); a query may only name tables "
                        "of the database")
        if isinstance(node, exp.Table) and _PATH_LIKE.search(node.name or ""):
            return (f"reads from {node.name!r}, which looks like a file; a query may only "
                    "name tables of the database")
    return None


def run_duckdb_query(con: duckdb.DuckDBPyConnection, path: str, sql: str, table: str) -> None:
    """Run ``sql`` on DuckDB file ``path`` (as ``src``), locked down; rows into ``con.table``.

    Raises ``ValueError`` if the query is refused, ``duckdb.Error`` if it fails.
    """
    problem = query_problem(sql, "duckdb")
    if problem:
        raise ValueError(f"the query {problem}")
    guarded = duckdb.connect()
    try:
        guarded.execute(f"ATTACH '{path.replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        guarded.execute("USE src")  # tables by their bare names too, as in the database
        guarded.execute("SET enable_external_access = false")
        guarded.execute("SET lock_configuration = true")  # the query cannot switch it back
        # streamed in batches: a query over millions of lines never sits whole in memory
        rel = guarded.sql(sql)
        reader = (getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader)()
        con.register(f"_{table}_reader", reader)
        try:
            con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM "_{table}_reader"')
        finally:
            con.unregister(f"_{table}_reader")
    finally:
        guarded.close()
