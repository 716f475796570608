"""PostgreSQL specifics: a query as a subquery (no temporary view), and the Arrow-native pull.

Ibis learns a query's columns by creating a temporary view, which a read-only user may not
do; :func:`query_table` asks for them with ``SELECT * FROM (query) LIMIT 0`` instead and
hands Ibis the schema, so the query is only ever a subquery. :func:`pull_arrow` reads an
Ibis expression's rows through the ADBC PostgreSQL driver, which returns Arrow record
batches (PostgreSQL's binary COPY format, no Python object per value), and streams them
into DuckDB. Without the driver, Ibis' own ``to_pyarrow`` (psycopg rows) is used.

Examples
--------
>>> adbc_uri("postgres://kam:s3cret@db.example:5432/crm?sslmode=require").split("?")
['postgresql://kam:s3cret@db.example:5432/crm', \
'sslmode=require&options=-c%20default_transaction_read_only%3Don']
"""

from __future__ import annotations

import importlib.util
from urllib.parse import quote

import ibis

__all__ = ["is_postgres", "adbc_uri", "query_table", "pull_arrow", "has_adbc", "fetcher"]


def is_postgres(url: str | None) -> bool:
    scheme = (url or "").split("://", 1)[0].split("+", 1)[0].lower()
    return scheme in ("postgres", "postgresql")


def has_adbc() -> bool:
    return importlib.util.find_spec("adbc_driver_postgresql") is not None


def adbc_uri(url: str) -> str:
    """The libpq URI for ADBC: the same server, user and database, in a read-only session."""
    rest = url.split("://", 1)[1]
    options = "options=" + quote("-c default_transaction_read_only=on")
    return f"postgresql://{rest}{'&' if '?' in rest else '?'}{options}"


def query_table(backend, query: str) -> ibis.Table:
    """A ``[tables.NAME] query`` as an Ibis table, without a temporary view."""
    from ibis.backends.sql.datatypes import PostgresType

    with backend.con.cursor() as cur:  # a plain SELECT: allowed in a read-only session
        cur.execute(f"SELECT * FROM ({query.strip().rstrip(';')}) AS _kam_query LIMIT 0")
        columns = [(d.name, d.type_display) for d in cur.description]
    backend.con.rollback()
    schema = ibis.schema({name: PostgresType.from_string(kind) for name, kind in columns})
    return backend.sql(query.strip().rstrip(";"), schema=schema)


def pull_arrow(con, relation: str, expr: ibis.Table, backend, url: str) -> None:
    """``expr``'s rows into DuckDB table ``relation``, as Arrow batches (ADBC when it is
    installed, else through Ibis)."""
    if not has_adbc():
        con.register(f"{relation}_arrow", expr.to_pyarrow())
        con.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM {relation}_arrow")
        con.unregister(f"{relation}_arrow")
        return
    import adbc_driver_postgresql.dbapi as adbc

    sql = str(backend.compile(expr))
    with adbc.connect(adbc_uri(url)) as pg, pg.cursor() as cur:
        cur.execute(sql)
        reader = cur.fetch_record_batch()
        con.register(f"{relation}_stream", reader)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM {relation}_stream")
        finally:
            con.unregister(f"{relation}_stream")


def fetcher(backend, url: str):
    """A function giving an Ibis expression's (small) result as a DataFrame through ADBC,
    as Ibis' own ``to_pandas`` would give it, without a Python object per value on the
    way (the pushdown's cube frames: 384,000 account-months are 170 MB of tuples through
    psycopg). ``None`` without the driver (then Ibis fetches)."""
    if not has_adbc():
        return None
    import adbc_driver_postgresql.dbapi as adbc
    import pandas as pd
    import pyarrow.types as pat
    from ibis.backends.postgres.converter import PostgresPandasData

    def fetch(expr: ibis.Table) -> pd.DataFrame:
        with adbc.connect(adbc_uri(url)) as pg, pg.cursor() as cur:
            cur.execute(str(backend.compile(expr)))
            table = cur.fetch_arrow_table()
        frame = pd.DataFrame({name: col.to_pylist() if pat.is_nested(col.type) or
                              col.null_count else col.to_pandas()
                              for name, col in zip(expr.columns, table.columns)})
        return expr.__pandas_result__(PostgresPandasData.convert_table(frame, expr.schema()))
    return fetch
