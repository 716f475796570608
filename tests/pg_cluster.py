"""A throw-away PostgreSQL 15 cluster for the tests and the database benchmark.

Debian's PostgreSQL package (``apt-get install postgresql``; ``make test`` installs it when
run as root) gives the binaries; this script makes a cluster of its own on a free local
port in a temporary folder, never the package's "main" cluster, and drops it afterwards:

- as root: ``pg_createcluster 15 NAME --port PORT -d DATADIR`` (the cluster runs as the
  ``postgres`` user), stopped with ``pg_ctlcluster`` and removed with ``pg_dropcluster``;
- as any other user: ``initdb`` and ``pg_ctl`` in the temporary folder.

The cluster sorts text linguistically (ICU ``en-US``; the machine needs no ``en_US``
locale), so a result whose order depends on the database's collation shows up in the
tests. :meth:`PgCluster.load_csv` loads a CSV with typed columns (the contract's kinds,
``line_no`` as INTEGER); :meth:`PgCluster.reader` makes a read-only user (``ALTER ROLE ...
SET default_transaction_read_only = on`` plus ``GRANT SELECT``).

Usage (a shell to try things in)::

    python tests/pg_cluster.py          # starts, loads data/*.csv, prints URLs, waits
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

VERSION = "15"
BIN = Path(f"/usr/lib/postgresql/{VERSION}/bin")
ADMIN_PASSWORD = "admin-" + uuid.uuid4().hex[:12]
# contract kinds -> PostgreSQL types; ids that are numbers in the database stay numbers
PG_TYPES = {"id": "text", "text": "text", "date": "date", "number": "double precision",
            "integer": "bigint"}
INTEGER_COLUMNS = {"line_no": "integer", "circle": "integer"}


class ClusterUnavailable(RuntimeError):
    """PostgreSQL is not installed here or could not be started (the reason in words)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode:
        said = (done.stderr or done.stdout)[-400:]
        raise ClusterUnavailable(f"{' '.join(cmd[:3])} failed: {said}")
    return done


def _icu_options() -> list[str]:
    """initdb options for a linguistic collation: ICU en-US, else a libc en_US locale."""
    locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    libc = next((loc for loc in locales if loc.lower().replace("-", "") in
                 ("en_us.utf8",)), None)
    if libc:
        return ["--encoding=UTF8", f"--locale={libc}"]
    return ["--encoding=UTF8", "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US"]


class PgCluster:
    """A running throw-away cluster; use as a context manager or call start()/stop()."""

    def __init__(self, log_statements: bool = False, settings: tuple[str, ...] = ()):
        self.port = free_port()
        self.name = f"kamtest{self.port}"
        self.root = Path(tempfile.mkdtemp(prefix="kamkit-pg-"))
        self.datadir = self.root / "data"
        self.as_root = os.geteuid() == 0
        self.log_statements = log_statements
        self.settings = settings  # more postgresql.conf lines, e.g. "work_mem='64MB'"
        self.started = False

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> "PgCluster":
        if not (BIN / "postgres").exists():
            raise ClusterUnavailable(f"PostgreSQL {VERSION} is not installed ({BIN} missing): "
                                     "apt-get install postgresql")
        options = ["--auth-local=peer" if self.as_root else "--auth-local=trust",
                   "--auth-host=scram-sha-256", *_icu_options()]
        settings = ["listen_addresses='127.0.0.1'", "max_connections=40",
                    "shared_buffers=128MB", "fsync=off", "synchronous_commit=off",
                    "full_page_writes=off", *self.settings]
        if self.log_statements:
            settings.append("log_statement='all'")
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            _run(["pg_createcluster", VERSION, self.name, "--port", str(self.port), "-d",
                  str(self.datadir), "--", *options])
            self.started = True  # created: stop() must drop it even if it fails to start
            conf = Path(f"/etc/postgresql/{VERSION}/{self.name}/conf.d/kamkit.conf")
            conf.write_text("\n".join(settings) + "\n")
            self.log = Path(f"/var/log/postgresql/postgresql-{VERSION}-{self.name}.log")
            _run(["pg_ctlcluster", VERSION, self.name, "start"])
            self.psql("ALTER ROLE postgres PASSWORD '%s'" % ADMIN_PASSWORD)
        else:
            pw = self.root / "pw"
            pw.write_text(ADMIN_PASSWORD)
            _run([str(BIN / "initdb"), "-D", str(self.datadir), "-U", "postgres",
                  f"--pwfile={pw}", *options])
            pw.unlink()
            with open(self.datadir / "postgresql.conf", "a") as conf:
                conf.write("\n".join([*settings, f"port={self.port}",
                                      f"unix_socket_directories='{self.root}'"]) + "\n")
            self.log = self.root / "server.log"
            self.started = True
            _run([str(BIN / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.log), "-w",
                  "start"])
        for _ in range(50):
            if subprocess.run([str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p",
                               str(self.port)], capture_output=True).returncode == 0:
                return self
            time.sleep(0.1)
        raise ClusterUnavailable("PostgreSQL did not accept connections")

    def stop(self) -> None:
        if self.started:
            if self.as_root:
                subprocess.run(["pg_dropcluster", "--stop", VERSION, self.name],
                               capture_output=True)
            else:
                subprocess.run([str(BIN / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate",
                                "stop"], capture_output=True)
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PgCluster":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- administration ----------------------------------------------------------------------
    def url(self, user: str = "postgres", password: str = ADMIN_PASSWORD,
            database: str = "postgres") -> str:
        return f"postgres://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        """Run SQL as the superuser over the local socket (peer authentication as root)."""
        if self.as_root:
            cmd = ["su", "postgres", "-c", f"psql -X -q -v ON_ERROR_STOP=1 -p {self.port} "
                                           f"-d {database}"]
        else:
            cmd = [str(BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.root),
                   "-p", str(self.port), "-U", "postgres", "-d", database]
        _run(cmd, input=sql)

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(database=database), autocommit=True)

    def create_database(self, name: str) -> str:
        with self.connect() as con:
            con.execute(f'CREATE DATABASE "{name}"')
            # nobody may create temporary objects there: a read-only user must do without
            con.execute(f'REVOKE TEMPORARY ON DATABASE "{name}" FROM PUBLIC')
        return name

    def load_csv(self, database: str, table: str, path: Path,
                 types: dict[str, str] | None = None) -> int:
        """``path`` as table ``table`` with typed columns; returns the rows loaded."""
        from kamlib.data.contract import TABLES

        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        spec = TABLES.get(table)
        kinds = {c.name: c.kind for c in spec.columns} if spec else {}
        chosen = {**INTEGER_COLUMNS, **(types or {})}
        cols = ", ".join(f'"{h}" {chosen.get(h) or PG_TYPES.get(kinds.get(h, "text"))}'
                         for h in header)
        with self.connect(database) as con, con.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{table}"')
            cur.execute(f'CREATE TABLE "{table}" ({cols})')
            with open(path, "rb") as f, cur.copy(
                    f'COPY "{table}" FROM STDIN WITH (FORMAT csv, HEADER true)') as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            cur.execute(f'ANALYZE "{table}"')
            return cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

    def reader(self, database: str, tables: list[str], user: str = "kam_reader",
               password: str = "reader-secret-pw") -> str:
        """A read-only user allowed to SELECT ``tables`` only; returns its URL."""
        with self.connect(database) as con:
            exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [user]).fetchone()
            if not exists:
                con.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
                con.execute(f"ALTER ROLE {user} SET default_transaction_read_only = on")
            con.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {user}')
            con.execute(f"GRANT USAGE ON SCHEMA public TO {user}")
            for table in tables:
                con.execute(f'GRANT SELECT ON "{table}" TO {user}')
        return self.url(user, password, database)


def load_sample(cluster: PgCluster, database: str = "kam") -> str:
    """The bundled sample (data/*.csv) in database ``database``; returns its name."""
    cluster.create_database(database)
    for path in sorted((Path(__file__).resolve().parents[1] / "data").glob("*.csv")):
        cluster.load_csv(database, path.stem, path)
    return database


if __name__ == "__main__":
    with PgCluster() as pg:
        db = load_sample(pg)
        print("admin :", pg.url(database=db))
        print("reader:", pg.reader(db, ["transactions", "accounts"]))
        input("Enter stops and drops the cluster. ")
