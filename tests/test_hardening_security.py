"""Hostile inputs, part 1: what a config, a data folder or an output folder must not be able
to make the kit do (run SQL that writes, read files outside the data folder, delete or
overwrite files the kit did not write, leave processes or copies of the data behind).
"""

from __future__ import annotations

import duckdb
import pytest

import kamlib
from kamlib.cli import main
from kamlib.data.config import ConfigError, load_config
from kamlib.data.readonly_sql import query_problem

BASE = {
    "accounts.csv": "account_id,account_name\n001,Alpha\n002,Beta\n",
    "activities.csv": "account_id,date,activity\n001,2024-01-02,visit\n",
    "activity_rates.csv": "activity,unit_cost\nvisit,100\n",
    "contacts.csv": "account_id,contact_name,role\n001,Ann,CIO\n",
    "transactions.csv": "account_id,date,revenue\n001,2024-01-05,100\n002,2024-01-20,70\n",
}


def errors(report):
    return [p for p in report.problems if p.severity == "error"]


# --- 1. a query is one read-only SELECT ------------------------------------------------------

@pytest.fixture
def crm(tmp_path):
    """A DuckDB source with the kit's tables, a finance database next to it; kam.toml path."""
    con = duckdb.connect(str(tmp_path / "crm.duckdb"))
    for name, text in BASE.items():
        (tmp_path / name).write_text(text)
        con.execute(f"CREATE TABLE {name[:-4]} AS SELECT * FROM read_csv('{tmp_path / name}', "
                    "all_varchar=true)")
    con.close()
    fin = duckdb.connect(str(tmp_path / "finance.duckdb"))
    fin.execute("CREATE TABLE ledger AS SELECT range AS x FROM range(3)")
    fin.close()

    def _write(query: str):
        escaped = query.replace("\\", "\\\\").replace('"', '\\"')
        (tmp_path / "kam.toml").write_text(
            f'[source]\ndatabase = "crm.duckdb"\n[tables.contacts]\nquery = "{escaped}"\n')
        return tmp_path / "kam.toml"
    return _write


def ledger_rows(tmp_path) -> int:
    con = duckdb.connect(str(tmp_path / "finance.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM ledger").fetchall()[0][0]
    finally:
        con.close()


INJECTION = ("SELECT * FROM src.contacts); ATTACH '{fin}' AS fin; DELETE FROM fin.ledger; "
             "DETACH fin; SELECT * FROM (SELECT * FROM src.contacts")


def test_query_injection_cannot_empty_another_database(crm, tmp_path, capsys):
    config = crm(INJECTION.format(fin=tmp_path / "finance.duckdb"))
    with pytest.raises(ConfigError, match=r"\[tables.contacts\] query .*SELECT"):
        load_config(config)
    assert main(["validate", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "[tables.contacts] query" in err and "Traceback" not in err
    assert ledger_rows(tmp_path) == 3


@pytest.mark.parametrize("query, says", [
    ("DELETE FROM src.contacts", "DELETE"),
    ("UPDATE src.contacts SET role = 'x'", "UPDATE"),
    ("INSERT INTO src.contacts VALUES ('9', 'x', 'y')", "INSERT"),
    ("DROP TABLE src.contacts", "DROP"),
    ("PRAGMA database_list", "PRAGMA"),
    ("SET threads = 1", "SET"),
    ("INSTALL httpfs", "LOAD"),
    ("ATTACH 'x.duckdb' AS x", "ATTACH"),
    ("SELECT 1; SELECT 2", "2 statements"),
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    ("SELECT * FROM read_text('/etc/passwd')", "read_text"),
    ("SELECT * FROM src.contacts, LATERAL read_json('x.json')", "read_json"),
    ("SELECT * FROM '/etc/passwd'", "looks like a file"),
    ("SELECT * FROM glob('/etc/*')", "glob"),
    ("WITH x AS (SELECT * FROM read_parquet('a.parquet')) SELECT * FROM x", "read_parquet"),
    ("SELECT * FROM query('DELETE FROM src.contacts')", "query"),
    ("", "empty"),
])
def test_anything_but_one_select_is_refused_with_a_clear_message(crm, query, says):
    with pytest.raises(ConfigError) as info:
        load_config(crm(query))
    message = str(info.value)
    assert "[tables.contacts] query" in message and says in message
    assert "Traceback" not in message and "\n" not in message


def test_copy_to_writes_no_file(crm, tmp_path):
    target = tmp_path / "stolen.csv"
    with pytest.raises(ConfigError, match="COPY"):
        load_config(crm(f"COPY (SELECT * FROM src.contacts) TO '{target}'"))
    assert not target.exists()


def test_a_refused_query_in_a_config_built_in_code_is_a_report_error(crm, tmp_path):
    from dataclasses import replace

    config = load_config(crm("SELECT * FROM src.contacts"))
    target = tmp_path / "stolen.csv"
    for query in (INJECTION.format(fin=tmp_path / "finance.duckdb"),
                  f"COPY (SELECT 1) TO '{target}'", "SELECT * FROM read_csv('/etc/passwd')"):
        bad = replace(config, tables={**config.tables,
                                      "contacts": replace(config.tables["contacts"], query=query)})
        found = errors(kamlib.validate(bad))
        assert [(p.table, p.rule) for p in found] == [("contacts", "query-refused")]
    assert ledger_rows(tmp_path) == 3 and not target.exists()


def test_the_query_connection_cannot_write_or_reach_files_even_past_the_parser(
        tmp_path, monkeypatch):
    import kamlib.data.readonly_sql as guard

    duckdb.connect(str(tmp_path / "crm.duckdb")).execute("CREATE TABLE t AS SELECT 1 AS a").close()
    duckdb.connect(str(tmp_path / "fin.duckdb")).execute("CREATE TABLE l AS SELECT 1 AS x").close()
    (tmp_path / "secret.csv").write_text("a\n42\n")
    monkeypatch.setattr(guard, "query_problem", lambda sql, dialect: None)  # a parser gap
    con = duckdb.connect()
    for sql in (f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')",
                f"SELECT * FROM '{tmp_path / 'secret.csv'}'",
                f"ATTACH '{tmp_path / 'fin.duckdb'}' AS fin",
                f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'",
                "INSERT INTO t VALUES (2)", "SET enable_external_access = true"):
        with pytest.raises(duckdb.Error):
            guard.run_duckdb_query(con, str(tmp_path / "crm.duckdb"), sql, "q")
    assert not (tmp_path / "out.csv").exists()
    guard.run_duckdb_query(con, str(tmp_path / "crm.duckdb"), "SELECT a FROM t", "q")
    assert con.execute("SELECT * FROM q").fetchall() == [(1,)]


def test_a_select_with_a_join_and_a_cte_still_works(crm):
    query = ("WITH named AS (SELECT account_id, account_name FROM src.accounts) "
             "SELECT c.account_id, c.contact_name, c.role FROM contacts c "
             "JOIN named n ON n.account_id = c.account_id WHERE n.account_name <> ''")
    report = kamlib.validate(crm(query))
    assert report.ok, str(report)


def test_query_problem_for_other_databases():
    assert query_problem("DELETE FROM t", "postgres").startswith("is a statement of type DELETE")
    assert "pg_read_file" in query_problem("SELECT pg_read_file('/etc/passwd')", "postgres")
    assert query_problem("SELECT a, count(*) FROM t GROUP BY a", "postgres") is None


# --- 4. sources are read from inside the data folder ---------------------------------------

@pytest.fixture
def data(tmp_path):
    """The base data set in tmp/data, a tabular 'secret' file in tmp/outside; kam.toml writer."""
    folder, outside = tmp_path / "data", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    for name, text in BASE.items():
        (folder / name).write_text(text)
    (outside / "secret.csv").write_text(BASE["transactions.csv"])

    def _write(toml: str = ""):
        (folder / "kam.toml").write_text('[source]\nfolder = "."\n' + toml)
        return folder / "kam.toml"
    return _write, folder, outside


def _outside_error(report):
    found = errors(report)
    assert [(p.table, p.rule) for p in found] == [("transactions", "outside-folder")], \
        "\n".join(map(str, report.problems))
    p = found[0]
    assert "outside the data folder" in p.message and "allow_outside = true" in p.hint
    return p


@pytest.mark.parametrize("given", ["../outside/secret.csv", "sub/../../outside/secret.csv",
                                   "{outside}/secret.csv"])
def test_a_file_setting_outside_the_folder_is_refused(data, given):
    write, folder, outside = data
    (folder / "sub").mkdir()
    (folder / "transactions.csv").unlink()
    config = write(f'[tables.transactions]\nfile = "{given.format(outside=outside)}"\n')
    p = _outside_error(kamlib.validate(config))
    assert str(outside / "secret.csv") in p.message


def test_a_link_out_of_the_folder_is_refused_whatever_it_is_called(data):
    write, folder, outside = data
    (folder / "transactions.csv").unlink()
    (folder / "transactions.csv").symlink_to(outside / "secret.csv")  # found by its name
    p = _outside_error(kamlib.validate(write()))
    assert "a link to" in p.message
    (folder / "transactions.csv").unlink()
    (folder / "linked").symlink_to(outside, target_is_directory=True)  # a linked folder
    _outside_error(kamlib.validate(write('[tables.transactions]\nfile = "linked/secret.csv"\n')))


def test_the_cli_says_so_in_one_line(data, capsys):
    write, folder, outside = data
    config = write('[tables.transactions]\nfile = "../outside/secret.csv"\n')
    assert main(["validate", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "[outside-folder]" in out and "Traceback" not in out


def test_links_and_paths_inside_the_folder_still_work(data):
    write, folder, outside = data
    (folder / "exports").mkdir()
    (folder / "transactions.csv").rename(folder / "exports" / "tx.csv")
    (folder / "transactions.csv").symlink_to(folder / "exports" / "tx.csv")
    assert kamlib.validate(write()).ok
    assert kamlib.validate(write('[tables.transactions]\nfile = "exports/../exports/tx.csv"\n')).ok


def test_allow_outside_opts_in(data):
    write, folder, outside = data
    (folder / "transactions.csv").unlink()
    report = kamlib.validate(write('allow_outside = true\n[tables.transactions]\n'
                                   'file = "../outside/secret.csv"\n'))
    assert report.ok, str(report)
    with pytest.raises(ConfigError, match="allow_outside = 'yes': true or false"):
        load_config(write('allow_outside = "yes"\n'))


def test_a_file_that_is_no_table_is_not_quoted_in_the_error(data):
    write, folder, outside = data
    token = "sk-live-" + "0123456789abcdef" * 4
    (outside / "key.txt").write_text(f"{token}\x1b[2J\n")
    report = kamlib.validate(write('allow_outside = true\n[tables.transactions]\n'
                                   'file = "../outside/key.txt"\n'))
    text = str(report)
    assert not report.ok and token not in text and "\x1b" not in text
    (folder / "transactions.csv").write_text(f"{token},{token}x\x1b[2J\n1,2\n")
    text = str(kamlib.validate(write()))
    assert "missing-column" in text and token not in text and "\x1b" not in text


# --- the build: what it deletes, overwrites and leaves behind (2, 13, 14, 22) -----------------

def _notebook(folder, name: str, code: str = "x = 1") -> None:
    from conftest import report_notebook

    report_notebook(folder / f"{name}.ipynb", code, title=name)


@pytest.fixture
def site(tmp_path):
    """A data folder, a folder of two tiny report notebooks, and a build function."""
    from kamlib.report import build_reports

    data = tmp_path / "data"
    data.mkdir()
    for name, text in BASE.items():
        (data / name).write_text(text)
    (data / "kam.toml").write_text('[source]\nfolder = "."\n')
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "a")
    _notebook(nbs, "b")

    def build(out, **kw):
        return build_reports(data / "kam.toml", out=out, notebooks=nbs, workers=1,
                             show_progress=False, **kw)
    return build, data, nbs, tmp_path


@pytest.mark.slow
def test_the_manifest_cannot_make_the_build_delete_other_files(site):
    import json

    from kamlib._written import sha256
    from kamlib.report.build import MANIFEST

    build, data, nbs, tmp = site
    out = tmp / "site"
    assert build(out).ok
    victims = [tmp / "victim.txt", tmp / "victim.html", tmp / "abs.html", tmp / "x.html"]
    for v in victims:
        v.write_text("precious")
    (out / "link.html").symlink_to(tmp / "victim.html")
    (out / "sub").mkdir()
    (out / "notes.html").write_text("the user's own page")
    manifest = json.loads((out / MANIFEST).read_text())
    planted = {"../victim.txt": "", str(tmp / "abs.html"): "", "sub/../../x.html": "",
               "link.html": "", "notes.html": ""}
    manifest["files"].update({k: sha256(tmp / "victim.txt") for k in planted})
    manifest["modules"] += [{"name": k, "title": k, "html": k, "headlines": []}
                            for k in planted]
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert build(out).ok
    assert all(v.read_text() == "precious" for v in victims)
    assert (out / "link.html").is_symlink() and (out / "notes.html").exists()


@pytest.mark.slow
def test_a_page_the_build_wrote_is_still_removed_when_its_notebook_is_gone(site):
    build, data, nbs, tmp = site
    out = tmp / "site"
    assert build(out).ok and (out / "b.html").exists()
    (nbs / "b.ipynb").unlink()
    assert build(out).ok
    assert not (out / "b.html").exists() and (out / "a.html").exists()


@pytest.mark.parametrize("planted", ["index.html", "a.html", "link", "edited", "manifest"])
def test_files_the_build_did_not_write_are_not_overwritten(site, planted, capsys):
    import json

    from kamlib._written import OverwriteError, sha256
    from kamlib.report.build import MANIFEST

    build, data, nbs, tmp = site
    out = tmp / "site"
    out.mkdir()
    (tmp / "target.html").write_text("elsewhere")
    if planted == "edited":  # a page of an earlier build that the user changed since
        (out / "a.html").write_text("<p>page as built</p>")
        (out / MANIFEST).write_text(json.dumps({"modules": [], "files": {
            "a.html": sha256(out / "a.html")}}))
        (out / "a.html").write_text("my notes on the page")
    elif planted == "link":
        (out / "index.html").symlink_to(tmp / "target.html")
    elif planted == "manifest":
        (out / MANIFEST).write_text("the user's own file of that name")
    else:
        (out / planted).write_text("the user's own page")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(OverwriteError, match="--force") as info:
        build(out)
    assert "it did not write" in str(info.value)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before and (tmp / "target.html").read_text() == "elsewhere"
    assert not list(tmp.glob(".site-build-*"))  # refused before anything ran
    code = main(["build", "--config", str(data / "kam.toml"), "--out", str(out),
                 "--notebooks", str(nbs)])
    err = capsys.readouterr().err
    assert code == 2 and "--force" in err and "Traceback" not in err


@pytest.mark.slow
def test_force_overwrites_and_then_the_folder_is_the_kits(site):
    build, data, nbs, tmp = site
    out = tmp / "site"
    out.mkdir()
    (tmp / "target.html").write_text("elsewhere")
    (out / "index.html").symlink_to(tmp / "target.html")
    (out / "a.html").write_text("the user's own page")
    assert build(out, force=True).ok
    assert (tmp / "target.html").read_text() == "elsewhere"  # a link is replaced, not followed
    assert not (out / "index.html").is_symlink()
    assert build(out).ok  # a second build into the same folder needs no --force


def test_make_report_twice_needs_no_force(site):
    from kamlib.report.build import _check_out

    build, data, nbs, tmp = site
    out = tmp / "reports"
    out.mkdir()
    (out / ".gitkeep").write_text("")  # as in the repository's reports/
    _check_out(out, ["a.html", "b.html"], force=False)


# --- 13. options are checked before any work ---------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["build", "--out", "{file}"], "--out: {file} is a file, not a folder"),
    (["sample", "--out", "{file}"], "--out: {file} is a file, not a folder"),
    (["sample", "--out", "{tmp}/s", "--seed", "-5"], "--seed: must be at least 0, got -5"),
    (["build", "--config", "{tmp}/nope.toml"], "--config: {tmp}/nope.toml is not a file"),
    (["validate", "--config", "{tmp}"], "is not a file"),
    (["build", "--notebooks", "{file}"], "--notebooks: {file} is not a folder"),
])
def test_bad_paths_and_values_are_usage_errors_before_any_work(tmp_path, monkeypatch, capsys,
                                                               argv, message):
    import kamlib.report.build as build

    file = tmp_path / "a file"
    file.write_text("keep me")
    monkeypatch.setattr(build, "load_config", lambda *a: pytest.fail("work started"))
    args = [a.format(file=file, tmp=tmp_path) for a in argv]
    with pytest.raises(SystemExit) as stop:
        main(args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message.format(file=file, tmp=tmp_path) in err, err
    assert "Traceback" not in err and file.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]


def test_sample_does_not_overwrite_the_users_files(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "accounts.csv").write_text("my real accounts")
    small = ["--accounts", "10", "--years", "1"]
    assert main(["sample", "--out", str(folder), *small]) == 2
    err = capsys.readouterr().err
    assert "accounts.csv" in err and "--force" in err and "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == ["accounts.csv"]
    assert (folder / "accounts.csv").read_text() == "my real accounts"
    (tmp_path / "elsewhere.csv").write_text("keep")
    (folder / "contacts.csv").symlink_to(tmp_path / "elsewhere.csv")
    assert main(["sample", "--out", str(folder), *small, "--force"]) == 0
    assert (tmp_path / "elsewhere.csv").read_text() == "keep"  # the link replaced, not followed
    assert main(["sample", "--out", str(folder), *small, "--seed", "7"]) == 0  # its own files
    (folder / "transactions.csv").write_text("edited by hand")
    assert main(["sample", "--out", str(folder), *small]) == 2


# --- 14. nothing of the user's data outlives the run; workers die with the build ------------

def test_a_transcoded_load_leaves_nothing_in_the_temp_folder(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data = tmp_path / "data"
    data.mkdir()
    for name, text in BASE.items():
        (data / name).write_bytes(text.replace("Alpha", "Caf\u00e9 \u20ac").encode("cp1252"))
    (data / "kam.toml").write_text('[source]\nfolder = "."\n[format]\nencoding = "cp1252"\n')
    ds = kamlib.load(data / "kam.toml")
    assert "Caf\u00e9 \u20ac" in ds.accounts["account_name"].tolist()
    assert kamlib.validate(data / "kam.toml").ok
    assert list(scratch.iterdir()) == []


def test_a_later_build_removes_what_a_killed_build_left(tmp_path):
    import subprocess

    from kamlib.report.staging import OWNER, new_staging, remove_stale

    out = tmp_path / "site"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".site-build-{dead.pid}-abc"
    stale.mkdir()
    (stale / OWNER).write_text(str(dead.pid))
    (stale / "_prepared").mkdir()
    mine = new_staging(out)  # this process's: alive
    other = tmp_path / ".site-build-1-x"  # no owner file: not the kit's
    other.mkdir()
    assert remove_stale(out) == [stale]
    assert mine.exists() and other.exists()


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_killing_the_build_kills_its_workers_and_kernels(site):
    import signal
    import subprocess
    import sys
    import time

    import psutil

    build, data, nbs, tmp = site
    _notebook(nbs, "a", "import time\ntime.sleep(120)")
    out = tmp / "site"
    proc = subprocess.Popen([sys.executable, "-m", "kamlib.cli", "build", "--config",
                             str(data / "kam.toml"), "--out", str(out), "--notebooks",
                             str(nbs)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kids = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until a kernel runs and the data is staged
            kids = _descendants(proc.pid)
            staged = list(tmp.glob(".site-build-*/_prepared/manifest.json"))
            if staged and any("ipykernel" in " ".join(k.cmdline()) for k in kids
                              if k.is_running()):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the build never started its kernels")
        kids = _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        gone, alive = psutil.wait_procs(kids, timeout=15)
        assert not alive, [k.cmdline() for k in alive]
        assert not list(tmp.glob(".site-build-*"))  # the copy of the data went with them
    finally:  # whatever happened, leave no process of this test behind
        proc.kill()
        for k in kids + _descendants(proc.pid):
            try:
                k.kill()
            except psutil.NoSuchProcess:
                pass
