"""Hostile inputs, part 3 (issue 25): database sources. A missing database is an error (no
empty file is created anywhere), a relative path is read from the folder of kam.toml, every
source is opened read-only, passwords are masked in every form a driver accepts, and a
table the user may not read says "no permission".
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import duckdb
import pytest

import kamlib
from kamlib.cli import main
from kamlib.data.config import ConfigError, load_config
from kamlib.data.masking import mask_secrets, mask_url
from kamlib.data.sources import database as dbsource

TX = "account_id,date,revenue\n001,2024-01-05,100\n002,2024-01-20,70\n"


def _sqlite(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE transactions (account_id TEXT, date TEXT, revenue REAL)")
    con.executemany("INSERT INTO transactions VALUES (?, ?, ?)",
                    [("001", "2024-01-05", 100.0), ("002", "2024-01-20", 70.0)])
    con.commit()
    con.close()
    return path


def _duckdb(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE transactions AS SELECT * FROM (VALUES ('001', DATE '2024-01-05', "
                "100.0), ('002', DATE '2024-01-20', 70.0)) t(account_id, date, revenue)")
    con.close()
    return path


def _config(folder: Path, database: str) -> Path:
    (folder / "kam.toml").write_text(f'[source]\ndatabase = "{database}"\n')
    return folder / "kam.toml"


# --- a missing database is an error; nothing is created, wherever the shell is --------------

@pytest.mark.parametrize("database", ["sqlite:///nonexistent.db", "sqlite://nonexistent.db",
                                      "sqlite:///sub/nonexistent.db", "duckdb:///nothere.duckdb",
                                      "nothere.duckdb", "sqlite:///:memory:"])
def test_a_missing_database_is_an_error_and_no_file_is_created(tmp_path, monkeypatch, capsys,
                                                               database):
    shell = tmp_path / "shell"
    shell.mkdir()
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "sub").mkdir()
    monkeypatch.chdir(shell)
    config = _config(tmp_path / "cfg", database)
    before = {p for p in tmp_path.rglob("*")}
    with pytest.raises(ConfigError, match=r"\[source\].*no (file|tables)"):
        load_config(config)
    assert main(["validate", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no " in err
    assert {p for p in tmp_path.rglob("*")} == before  # no empty database anywhere
    assert not Path("/nonexistent.db").exists()


@pytest.mark.parametrize("make, url", [(_sqlite, "sqlite:///{name}"), (_sqlite, "sqlite://{name}"),
                                       (_duckdb, "duckdb:///{name}"), (_duckdb, "{name}")])
def test_a_relative_database_is_read_from_the_folder_of_kam_toml(tmp_path, monkeypatch, make, url):
    (tmp_path / "cfg" / "db").mkdir(parents=True)
    (tmp_path / "shell").mkdir()
    make(tmp_path / "cfg" / "db" / "crm.db")
    monkeypatch.chdir(tmp_path / "shell")  # the shell is elsewhere
    config = _config(tmp_path / "cfg", url.format(name="db/crm.db"))
    ds = kamlib.load(config)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(170.0)
    assert not list((tmp_path / "shell").iterdir())


def test_an_absolute_sqlite_url_takes_four_slashes_and_three_are_explained(tmp_path):
    _sqlite(tmp_path / "crm.db")
    (tmp_path / "cfg").mkdir()
    assert kamlib.validate(_config(tmp_path / "cfg", f"sqlite:///{tmp_path / 'crm.db'}")).ok
    # three slashes then /tmp/...: relative to kam.toml's folder, so missing, and explained
    with pytest.raises(ConfigError, match="four slashes"):
        load_config(_config(tmp_path / "cfg", f"sqlite://{tmp_path / 'crm.db'}"))


def test_a_sqlite_source_is_opened_read_only(tmp_path):
    path = _sqlite(tmp_path / "crm.db")
    backend = dbsource.connect_read_only(f"sqlite:///{path}")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        backend.con.execute("DELETE FROM transactions")
    backend.disconnect()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM transactions").fetchone() == (2,)


@pytest.mark.parametrize("url, key, value", [
    ("postgresql://kam@db.example.com/crm", "options", "default_transaction_read_only=on"),
    ("postgres://kam@db/crm", "options", "default_transaction_read_only=on"),
    ("mysql://kam@db/crm", "init_command", "READ ONLY"),
])
def test_a_remote_database_is_asked_for_a_read_only_session(monkeypatch, url, key, value):
    import ibis

    seen = {}
    monkeypatch.setattr(ibis, "connect", lambda u, **kw: seen.update(url=u, **kw))
    dbsource.connect_read_only(url)
    assert seen["url"] == url and value in seen[key]


# --- passwords: every form a driver accepts is masked, everywhere ----------------------------

SECRET = "TopSecret42"
URLS = [
    f"postgresql://db.example.com/crm?user=kam&password={SECRET}",
    f"postgresql://kam:{SECRET}@db.example.com/crm",
    f"postgresql://kam:Top%40Secret42@db.example.com/crm",  # percent-encoded @
    f"postgresql://kam:Top@Secret42@db.example.com/crm",  # an @ as written
    f"postgresql://kam:Top/Secret:42@db.example.com:5432/crm",  # / and : in the password
    f"mysql://kam:{SECRET}@db/crm?charset=utf8",
    f"postgresql://db/crm?sslmode=require&PASSWORD={SECRET}&user=kam",
    f"mssql://db/crm;UID=kam;PWD={SECRET}",
    f"snowflake://kam@acct/db?token={SECRET}",
    f"postgresql://db/crm?user=kam@corp.com&password={SECRET}",
]


def _secret_of(url: str) -> str:
    return "Top@Secret42" if "%40" in url or "Top@" in url else (
        "Top/Secret:42" if "Top/" in url else SECRET)


@pytest.mark.parametrize("url", URLS)
def test_every_form_of_password_is_masked(url):
    secret = _secret_of(url)
    shown = mask_url(url)
    assert "***" in shown and secret not in shown and "Top%40" not in shown
    assert "Secret" not in mask_secrets(f"driver says: login as kam with {secret} failed at "
                                        f"{url}", url)


@pytest.mark.parametrize("url", URLS)
def test_a_password_is_never_printed_from_kam_toml_or_the_environment(tmp_path, monkeypatch,
                                                                     capsys, url):
    import ibis

    def refuse(u, **kw):  # a server that is not there, as a driver says it: with the URL
        raise ConnectionError(f"could not connect to {u} (password {_secret_of(url)})")
    monkeypatch.setattr(ibis, "connect", refuse)
    monkeypatch.setenv("KAM_DB_URL", url)
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "kam.toml").write_text('[source]\ndatabase_env = "KAM_DB_URL"\n')
    for config in (_config(tmp_path, url), tmp_path / "env" / "kam.toml"):
        cfg = load_config(config)
        report = kamlib.validate(cfg)
        assert [p.rule for p in report.errors] == ["unreadable"]
        main(["validate", "--config", str(config)])
        shown = (repr(cfg) + str(cfg) + cfg.shown_database + str(report)
                 + str(report.to_dict()) + "".join(capsys.readouterr()))
        assert "Secret" not in shown and "***" in shown


# --- a table the user may not read says so --------------------------------------------------

class _Refusing:
    """An Ibis backend whose user may read transactions but not ``denied``; the database
    lists only what the user may read (as PostgreSQL's information_schema does)."""

    def __init__(self, denied: set[str], readable: dict):
        self.denied, self.readable = denied, readable

    def list_tables(self):
        return sorted(self.readable)

    def table(self, name):
        if name in self.denied:
            raise PermissionError(f'permission denied for table {name}')
        if name not in self.readable:
            raise LookupError(f"table {name} does not exist")
        return self.readable[name]

    def sql(self, query):
        raise PermissionError("ERROR: permission denied for table accounts")

    def disconnect(self):
        pass


@pytest.mark.parametrize("named, query", [(False, False), (True, False), (False, True)])
def test_a_table_the_user_may_not_read_says_no_permission(tmp_path, monkeypatch, named, query):
    import ibis
    import pyarrow as pa

    lines = ibis.memtable(pa.table({"account_id": ["001", "002"], "date": ["2024-01-05",
                                   "2024-01-20"], "revenue": [100.0, 70.0]}))
    monkeypatch.setattr(ibis, "connect", lambda u, **kw: _Refusing(
        {"accounts", "crm_accounts"}, {"transactions": lines}))
    extra = ('[tables.accounts]\ntable = "crm_accounts"\n' if named else
             '[tables.accounts]\nquery = "SELECT * FROM accounts"\n' if query else "")
    # a MySQL URL: the generic path (PostgreSQL's own is tested on a real server,
    # tests/test_postgres.py)
    (tmp_path / "kam.toml").write_text('[source]\ndatabase = "mysql://kam@db/crm"\n' + extra)
    report = kamlib.validate(tmp_path / "kam.toml")
    assert [(p.table, p.rule) for p in report.errors] == [("accounts", "no-permission")]
    assert "no permission" in str(report) and "no table named" not in str(report)


def test_an_optional_table_that_is_not_there_is_still_skipped_quietly(tmp_path, monkeypatch):
    import ibis
    import pyarrow as pa

    lines = ibis.memtable(pa.table({"account_id": ["001"], "date": ["2024-01-05"],
                                    "revenue": [1.0]}))
    monkeypatch.setattr(ibis, "connect", lambda u, **kw: _Refusing(set(),
                                                                   {"transactions": lines}))
    (tmp_path / "kam.toml").write_text('[source]\ndatabase = "mysql://kam@db/crm"\n')
    assert kamlib.validate(tmp_path / "kam.toml").ok
