"""Where a ``[source] database`` is: a file relative to ``kam.toml``, never to the shell.

A database file is named as a path (``crm.duckdb``) or as a URL of a file database
(``sqlite:///crm.db``, ``duckdb:///crm.duckdb``). Either way a relative path is resolved
against the folder of ``kam.toml``, as every other path in it is, and the file must exist:
a driver asked for a missing file creates an empty one (at the root of the file system for
``sqlite:///x.db`` read Ibis's way), then reports "no table named transactions".

The URL form follows SQLAlchemy, the convention most documentation shows: three slashes
then the path, so ``sqlite:///crm.db`` is relative and ``sqlite:////srv/crm.db`` absolute.

Examples
--------
>>> import tempfile
>>> base = Path(tempfile.mkdtemp())
>>> _ = (base / "crm.db").write_bytes(b"")
>>> resolve_database("sqlite:///crm.db", base) == f"sqlite:///{base / 'crm.db'}"
True
>>> resolve_database("postgres://kam@db/crm", base)
'postgres://kam@db/crm'
>>> resolve_database("sqlite:///nonexistent.db", base)
Traceback (most recent call last):
...
FileNotFoundError: no file .../nonexistent.db (a relative path is read from the folder of kam.toml)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["FILE_SCHEMES", "resolve_database", "file_scheme"]

FILE_SCHEMES = ("sqlite", "duckdb")  # URL schemes whose "host and path" is a local file


def file_scheme(database: str | None) -> str | None:
    """``"sqlite"`` or ``"duckdb"`` for a URL of a file database, else None.

    >>> file_scheme("sqlite:////srv/crm.db"), file_scheme("postgres://h/db"), file_scheme("a.db")
    ('sqlite', None, None)
    """
    if not database or "://" not in database:
        return None
    scheme = database.split("://", 1)[0].split("+", 1)[0].lower()
    return scheme if scheme in FILE_SCHEMES else None


def resolve_database(value: str, base: Path) -> str:
    """``value`` with a file database made absolute against ``base`` (the folder of kam.toml).

    A DuckDB file comes back as a plain path, a SQLite file as ``sqlite:///`` + the absolute
    path; other URLs unchanged. Raises ``FileNotFoundError`` for a file that is not there
    (an in-memory database included: it holds no tables).
    """
    scheme = file_scheme(value)
    if "://" in value and scheme is None:
        return value
    written = value.split("://", 1)[1].split("?", 1)[0] if scheme else value
    relative = written[1:] if scheme and written.startswith("/") else written
    if relative in ("", ":memory:"):
        raise FileNotFoundError("an in-memory database holds no tables; name a database file")
    path = Path(relative).expanduser()
    path = (path if path.is_absolute() else base / path).resolve()
    if not path.is_file():
        hint = ""
        if scheme and not Path(relative).is_absolute() and Path(written).is_file():
            hint = (f"; for the file {written}, write {scheme}:///{written} (four slashes "
                    "for an absolute path)")
        raise FileNotFoundError(f"no file {path} (a relative path is read from the folder of "
                                f"kam.toml){hint}")
    return f"sqlite:///{path}" if scheme == "sqlite" else str(path)
