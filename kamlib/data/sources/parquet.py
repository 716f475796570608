"""Parquet sources: columns arrive typed, so they are only mapped onto the contract."""

from __future__ import annotations

import duckdb

from kamlib.data.sources.base import RawTable, quote, typed_source

__all__ = ["read_parquet"]


def read_parquet(con, name, path, file, config, report) -> RawTable | None:
    try:
        con.execute("SELECT 1 FROM read_parquet(?) LIMIT 0", [str(path)])
    except duckdb.Error as err:
        report.error(name, file, "unreadable", f"not a readable Parquet file: {err}")
        return None
    return typed_source(con, name, f"read_parquet({quote(path)})", file, config, report, path)
