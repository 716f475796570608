"""PostgreSQL sources on a real server (issue 26): a throw-away cluster with a linguistic
collation and a read-only user (tests/pg_cluster.py). Both ways of computing give exactly
what the CSV files give: ``compute = "local"`` (only the mapped columns are read, as Arrow)
and ``compute = "database"`` (the rules and the cube run on the server; pushdown.py).
"""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pandas as pd
import pytest

import kamlib
from kamlib.cli import main
from kamlib.data import dataset, parsing
from kamlib.data.config import SAMPLE_DIR as SAMPLE, ConfigError, load_config
from kamlib.data.cube import FRAMES

pytestmark = pytest.mark.postgres

SAMPLE_TABLES = ["transactions", "accounts", "activities", "activity_rates", "contacts",
                 "opportunities", "events"]
TODAY = date(2026, 12, 5)


def _config(folder, url, compute, extra="", monkeypatch=None):
    """kam.toml reading ``url`` from the environment (database_env), never from the file."""
    monkeypatch.setenv("KAM_TEST_DB", url)
    (folder / "kam.toml").write_text(f'[source]\ndatabase_env = "KAM_TEST_DB"\n'
                                     f'compute = "{compute}"\n' + extra)
    return folder / "kam.toml"


DIRTY_PROBLEMS = [("error", "transactions", "implausible-amount", 1),
                  ("error", "transactions", "missing-value", 1),
                  ("error", "transactions", "unknown-account", 1),
                  ("warning", "transactions", "future-date", 1)]


def assert_rows_named_by_keys(report, csv) -> None:
    """The generated dirty set's problems read where the lines live (PostgreSQL, Spark):
    rows named by their keys (no line numbers on a server), the values quoted as the CSV
    path quotes them."""
    amount, future = (next(p for p in report.problems if p.rule == rule)
                      for rule in ("implausible-amount", "future-date"))
    assert amount.lines == () and re.fullmatch(r"invoice_id=X2 line_no=\d+", amount.rows[0])
    assert str(amount).startswith(f"ERROR table {amount.file}, row {amount.rows[0]}, "
                                  "column 'revenue' [implausible-amount]")
    assert [(p.values, p.count) for p in (amount, future)] == [
        (p.values, p.count) for p in csv.problems if p.rule in (amount.rule, future.rule)
    ] == [(("5e+16",), 1), (("2027-03-01",), 1)]


def _problems(report) -> list[tuple]:
    return sorted((p.severity, p.table, p.rule, p.count) for p in report.problems)


def _same_cube(a, b) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a.cube, name), getattr(b.cube, name),
                                      check_dtype=True, obj=name)


@pytest.fixture(scope="module")
def sample_reader(pg_cluster):
    return pg_cluster.reader("kam", SAMPLE_TABLES)


@pytest.fixture(scope="module")
def csv_sample():
    return kamlib.load(today=TODAY)


@pytest.mark.parametrize("compute", ["local", "database"])
def test_the_sample_from_postgres_equals_the_csv_build(tmp_path, monkeypatch, sample_reader,
                                                       csv_sample, compute):
    ds = kamlib.load(_config(tmp_path, sample_reader, compute, monkeypatch=monkeypatch),
                     today=TODAY)
    _same_cube(ds, csv_sample)
    for name in dataset.SMALL_TABLES:
        if getattr(csv_sample, name) is not None:
            pd.testing.assert_frame_equal(getattr(ds, name), getattr(csv_sample, name),
                                          obj=name)
    assert _problems(ds.report) == _problems(csv_sample.report) == []
    assert (ds.as_of, ds.start) == (csv_sample.as_of, csv_sample.start)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(
        csv_sample.cube.account_month["revenue"].sum(), abs=1e-6)
    lines = {s.table: s.rows for s in ds.sources}
    assert lines["transactions"] == 55518  # every line of data/transactions.csv


@pytest.mark.parametrize("compute", ["local", "database"])
def test_kam_validate_says_what_it_says_for_the_csv_files(tmp_path, monkeypatch, capsys,
                                                          sample_reader, compute):
    assert main(["validate"]) == 0
    csv = capsys.readouterr().out
    config = _config(tmp_path, sample_reader, compute, monkeypatch=monkeypatch)
    assert main(["validate", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "Validation: clean" in out
    assert [line for line in out.splitlines() if line.startswith(("MODULE", "RULE"))] == [
        line for line in csv.splitlines() if line.startswith(("MODULE", "RULE"))]


@pytest.mark.parametrize("compute", ["local", "database"])
def test_a_configured_window_equals_the_csv_build(tmp_path, monkeypatch, sample_reader,
                                                  compute):
    window = '[analysis]\nstart = "2023-07-01"\nend = "2024-06-30"\n'
    (tmp_path / "csv").mkdir()
    for path in SAMPLE.glob("*.csv"):
        (tmp_path / "csv" / path.name).write_bytes(path.read_bytes())
    (tmp_path / "csv" / "kam.toml").write_text('[source]\nfolder = "."\n' + window)
    csv = kamlib.load(tmp_path / "csv" / "kam.toml", today=TODAY)
    ds = kamlib.load(_config(tmp_path, sample_reader, compute, window, monkeypatch),
                     today=TODAY)
    _same_cube(ds, csv)
    left_out = {c.step: c.count for c in csv.report.cleaning}
    n = left_out["lines outside the analysis window left out"]
    assert n > 10000  # a hand check: the sample runs from 2023 to 2025
    steps = {c.step: c.count for c in ds.report.cleaning}
    if compute == "local":  # only the window was read; the rest counted on the server
        assert steps["lines outside the configured analysis window not read from the "
                     "database"] == n
    else:
        assert steps["lines outside the analysis window left out"] == n


def _generated(folder, dirty: bool) -> pd.DataFrame:
    """Many lines per account-month (30 accounts x 18 months x ~20 lines); ids and products
    whose byte order differs from en-US order; with ``dirty``, one case of each problem."""
    con = duckdb.connect()
    lines = con.execute("""
        SELECT ['a10', 'A2', '_x7', 'b1', 'B1', 'Zeta', 'ä3', 'a-2', 'a2', 'A10'][1 + i % 10]
                   || CAST(i % 3 AS VARCHAR) AS account_id,
               DATE '2024-01-01' + CAST(i % 540 AS INTEGER) AS date,
               round((CAST(hash(i) % 20000 AS BIGINT) - 1500) / 100.0, 2) AS revenue,
               ['cloud', 'Cloud', 'iot', 'IoT', '_misc'][CAST(1 + hash(i * 3) % 5 AS BIGINT)]
                   AS product,
               round(CAST(hash(i * 7) % 9000 AS BIGINT) / 100.0, 2) AS cost,
               'INV' || CAST(i // 4 AS VARCHAR) AS invoice_id,
               CAST(1 + i % 4 AS INTEGER) AS line_no,
               CAST(1 + hash(i * 11) % 9 AS INTEGER) AS quantity
        FROM range(10800) r(i)""").df()
    if dirty:
        extra = lines.iloc[[5, 6, 7, 8]].copy()
        extra.loc[extra.index[0], ["account_id", "revenue"]] = ["nobody", 10.0]  # unknown
        extra.loc[extra.index[1], "revenue"] = 5e16              # implausible amount
        extra.loc[extra.index[2], "date"] = pd.Timestamp("2027-03-01")  # after today
        extra.loc[extra.index[3], "revenue"] = None              # a line without revenue
        extra["invoice_id"] = ["X1", "X2", "X3", "X4"]
        lines = pd.concat([lines, extra, lines.iloc[[100]]])    # and an exact duplicate
    lines.to_csv(folder / "transactions.csv", index=False)
    accounts = sorted(set(lines["account_id"]) - {"nobody"})
    pd.DataFrame({"account_id": accounts, "account_name": [f"Co {a}" for a in accounts]}
                 ).to_csv(folder / "accounts.csv", index=False)
    return lines


@pytest.fixture(scope="module")
def generated(pg_cluster, tmp_path_factory):
    """database -> (csv folder, reader URL) for the clean and the dirty generated set."""
    out = {}
    for dirty in (False, True):
        folder = tmp_path_factory.mktemp("dirty" if dirty else "clean")
        _generated(folder, dirty)
        db = pg_cluster.create_database("gen_dirty" if dirty else "gen_clean")
        for table in ("transactions", "accounts"):
            pg_cluster.load_csv(db, table, folder / f"{table}.csv")
        (folder / "kam.toml").write_text('[source]\nfolder = "."\n')
        out[dirty] = folder, pg_cluster.reader(db, ["transactions", "accounts"])
    return out


@pytest.mark.parametrize("compute", ["local", "database"])
def test_many_lines_per_account_month_give_the_csv_cube(tmp_path, monkeypatch, generated,
                                                        compute):
    folder, url = generated[False]
    csv = kamlib.load(folder / "kam.toml", today=TODAY)
    ds = kamlib.load(_config(tmp_path, url, compute, monkeypatch=monkeypatch), today=TODAY)
    _same_cube(ds, csv)
    assert _problems(ds.report) == _problems(csv.report)
    # byte order, as DuckDB sorts, although the server sorts 'a10' < 'A10' < 'a2' < '_x7'
    ids = ds.cube.account_timing["account_id"].tolist()
    assert ids == sorted(ids) and ids[0].startswith("A1")
    assert len(ds.cube.account_month) < ds.cube.account_month["lines"].sum() / 10


@pytest.mark.parametrize("compute", ["local", "database"])
def test_every_problem_is_found_as_on_the_csv_path(tmp_path, monkeypatch, generated, compute):
    folder, url = generated[True]
    csv = kamlib.validate(folder / "kam.toml", today=TODAY)
    report = kamlib.validate(_config(tmp_path, url, compute, monkeypatch=monkeypatch),
                             today=TODAY)
    assert _problems(csv) == _problems(report) == DIRTY_PROBLEMS
    assert [(c.step, c.count) for c in report.cleaning if "duplicate" in c.step] == [
        ("exact duplicate lines dropped", 1)]
    # both ways: a table has no lines, and its read order is no place to find a row by
    assert_rows_named_by_keys(report, csv)
    unknown = next(p for p in report.errors if p.rule == "unknown-account")
    assert unknown.values == ("nobody",) and "accounts table" in unknown.hint
    assert unknown.lines == () and len(unknown.rows) == 1


@pytest.mark.parametrize("compute", ["local", "database"])
def test_a_query_works_for_a_read_only_user(tmp_path, monkeypatch, sample_reader, csv_sample,
                                            compute):
    extra = ('[tables.transactions]\nquery = "SELECT account_id, date, revenue AS net, '
             'product, cost, invoice_id, line_no, quantity FROM transactions"\n'
             'columns = { revenue = "net" }\n')
    ds = kamlib.load(_config(tmp_path, sample_reader, compute, extra, monkeypatch),
                     today=TODAY)
    _same_cube(ds, csv_sample)


def test_a_table_the_user_may_not_read_is_reported_not_skipped(tmp_path, monkeypatch,
                                                               pg_cluster, sample_reader):
    with pg_cluster.connect("kam") as con:
        con.execute("CREATE TABLE IF NOT EXISTS account_notes (account_id text, date date, "
                    "section text, note text)")  # no GRANT to the reader
    try:
        report = kamlib.validate(_config(tmp_path, sample_reader, "database",
                                         monkeypatch=monkeypatch), today=TODAY)
    finally:
        with pg_cluster.connect("kam") as con:
            con.execute("DROP TABLE account_notes")
    assert [(p.table, p.rule) for p in report.errors] == [("account_notes", "no-permission")]
    assert "reader-secret-pw" not in str(report)


def test_integer_ids_in_the_database_take_the_typed_path(tmp_path, monkeypatch, sample_reader):
    taken = {}
    fast = parsing.typed_read

    def spy(con, raw, *args):
        taken[raw.table] = fast(con, raw, *args)
        return taken[raw.table]
    monkeypatch.setattr(parsing, "typed_read", spy)
    ds = kamlib.load(_config(tmp_path, sample_reader, "local", monkeypatch=monkeypatch),
                     today=TODAY)
    assert taken["transactions"] is True  # line_no is INTEGER in the database
    assert ds.report.ok


def test_messages_about_database_tables_say_table_not_file(tmp_path, monkeypatch, pg_cluster):
    db = pg_cluster.create_database("words")
    with pg_cluster.connect(db) as con:
        con.execute("CREATE TABLE transactions (account_id text, date date, revenue float8)")
        con.execute("INSERT INTO transactions VALUES ('1', '2024-01-02', 5), ('2', "
                    "'2024-01-03', 7)")
        con.execute("CREATE TABLE accounts (account_id text, account_name text)")
        con.execute("INSERT INTO accounts VALUES ('1', 'One')")
        con.execute("CREATE TABLE contacts (account_id text, contact_name text, role text)")
    url = pg_cluster.reader(db, ["transactions", "accounts", "contacts"])
    for compute in ("local", "database"):
        report = kamlib.validate(_config(tmp_path, url, compute, monkeypatch=monkeypatch),
                                 today=TODAY)
        text = " ".join(f"{p.message} {p.hint}" for p in report.problems)
        assert {p.rule for p in report.problems} == {"unknown-account", "no-data"}
        assert "file" not in text and "CSV" not in text
        assert "the table has no data rows" in text and "accounts table" in text


@pytest.mark.parametrize("kind", ["float8", "numeric"])
def test_nan_and_infinity_in_the_database_are_no_amounts_on_both_paths(
        tmp_path, monkeypatch, pg_cluster, kind):
    """NaN and infinity, which PostgreSQL's float8 and numeric hold, are the local path's
    non-numeric error on both paths, never summed and never a size error (servers sort
    NaN above every number)."""
    db = pg_cluster.create_database(f"nan_{kind}")
    with pg_cluster.connect(db) as con:
        con.execute(f"CREATE TABLE transactions (account_id text, date date, revenue {kind}, "
                    "invoice_id text)")
        con.execute("INSERT INTO transactions VALUES ('1', '2024-01-02', 5, 'A'), "
                    "('1', '2024-01-03', 'NaN', 'B'), ('2', '2024-01-04', 'Infinity', 'C'), "
                    "('2', '2024-01-05', '-Infinity', 'D'), ('2', '2024-01-06', 7, 'E')")
    url = pg_cluster.reader(db, ["transactions"])
    for compute in ("local", "database"):
        report = kamlib.validate(_config(tmp_path, url, compute, monkeypatch=monkeypatch),
                                 today=TODAY)
        [bad] = [p for p in report.errors if p.column == "revenue"]
        assert (bad.rule, bad.count, len(bad.values)) == ("non-numeric", 3, 3), compute
        assert {v.lower().lstrip("-")[:3] for v in bad.values} == {"nan", "inf"}, compute
        if compute == "database":
            assert bad.rows == ("invoice_id=B", "invoice_id=C", "invoice_id=D")


def test_ids_with_any_blank_around_them_are_one_account_on_both_paths(
        tmp_path, monkeypatch, pg_cluster):
    """A tab, a no-break space, an ideographic space around an id: trimmed on the server as
    on the local path (Ibis' strip() alone takes only ASCII blanks)."""
    db = pg_cluster.create_database("blank_ids")
    with pg_cluster.connect(db) as con:
        con.execute("CREATE TABLE transactions (account_id text, date date, revenue float8)")
        con.execute("INSERT INTO transactions VALUES ('1', '2024-01-02', 5), (E'1\\t', "
                    "'2024-01-03', 7), ('1' || chr(160), '2024-01-04', 1), (chr(12288) || "
                    "'2', '2024-01-05', 2)")
        con.execute("CREATE TABLE accounts (account_id text, account_name text)")
        con.execute("INSERT INTO accounts VALUES ('1', 'One'), ('2', 'Two')")
    url = pg_cluster.reader(db, ["transactions", "accounts"])
    for compute in ("local", "database"):
        ds = kamlib.load(_config(tmp_path, url, compute, monkeypatch=monkeypatch), today=TODAY)
        totals = ds.cube.account_month.groupby("account_id")["revenue"].sum().to_dict()
        assert totals == {"1": 13.0, "2": 2.0}, compute


def test_passwords_stay_masked_on_every_path(tmp_path, monkeypatch, pg_cluster, capsys):
    url = pg_cluster.url("kam_reader", "wrong-pw-123456", "kam")
    for compute in ("local", "database"):
        config = _config(tmp_path, url, compute, monkeypatch=monkeypatch)
        report = kamlib.validate(config, today=TODAY)
        assert [p.rule for p in report.errors] == ["unreadable"]
        assert "wrong-pw-123456" not in str(report)
        assert main(["validate", "--config", str(config)]) != 0
        out = capsys.readouterr()
        assert "wrong-pw-123456" not in out.out + out.err
        assert "wrong-pw-123456" not in repr(load_config(config))


def test_the_pushdown_never_reads_the_lines(tmp_path, monkeypatch, pg_cluster, sample_reader):
    """With log_statement = 'all' the server lists what the kit sent: no SELECT * of the
    table and no query that returns the transaction lines (each one on them aggregates)."""
    with pg_cluster.connect() as con:
        con.execute("ALTER SYSTEM SET log_statement = 'all'")
        con.execute("SELECT pg_reload_conf()")
    start = pg_cluster.log.stat().st_size
    try:
        kamlib.load(_config(tmp_path, sample_reader, "database", monkeypatch=monkeypatch),
                    today=TODAY)
    finally:
        with pg_cluster.connect() as con:
            con.execute("ALTER SYSTEM RESET log_statement")
            con.execute("SELECT pg_reload_conf()")
    with open(pg_cluster.log, encoding="utf-8", errors="replace") as f:
        f.seek(start)
        log = f.read()
    statements = re.findall(r"statement: (.*?)(?=\n\S|\Z)", log, re.S)
    on_lines = [s for s in statements if '"transactions"' in s]
    assert on_lines and not [s for s in statements if 'SELECT * FROM "transactions"' in s]
    aggregates = r"GROUP BY|COUNT\(|SUM\(|MAX\(|LIMIT|DISTINCT"
    assert not [s for s in on_lines if not re.search(aggregates, s, re.I)]
    assert not any(re.search(r"CREATE|DECLARE", s, re.I) for s in statements)


@pytest.mark.parametrize("value, said", [("remote", "compute = 'remote'"),
                                         ("database", "needs a database server")])
def test_compute_is_checked_in_kam_toml(tmp_path, value, said):
    (tmp_path / "transactions.csv").write_text("account_id,date,revenue\n1,2024-01-01,5\n")
    (tmp_path / "kam.toml").write_text(f'[source]\nfolder = "."\ncompute = "{value}"\n')
    with pytest.raises(ConfigError, match=re.escape(said)):
        load_config(tmp_path / "kam.toml")


@pytest.mark.parametrize("compute", ["local", "database"])
def test_lines_without_ids_or_accounts_table_give_the_csv_problems(tmp_path, monkeypatch,
                                                                   pg_cluster, compute):
    """No invoice ids: exact duplicates are kept (a warning, rows named by account and
    date); no accounts table: the accounts are made from the ids (lookalikes warned)."""
    folder = tmp_path / "csv"
    folder.mkdir()
    lines = _generated(folder, dirty=True)[["account_id", "date", "revenue", "product"]]
    (folder / "accounts.csv").unlink()
    lines.to_csv(folder / "transactions.csv", index=False)
    (folder / "kam.toml").write_text('[source]\nfolder = "."\n')
    db = f"nokeys_{compute}"
    pg_cluster.create_database(db)
    pg_cluster.load_csv(db, "transactions", folder / "transactions.csv")
    url = pg_cluster.reader(db, ["transactions"])
    csv = kamlib.validate(folder / "kam.toml", today=TODAY)
    report = kamlib.validate(_config(tmp_path, url, compute, monkeypatch=monkeypatch),
                             today=TODAY)
    assert _problems(report) == _problems(csv)
    rules = {p.rule: p.count for p in csv.problems}
    assert rules["duplicate-lines"] >= 1 and rules["lookalike-ids"] >= 2
    # the repeated rows named by account and date, in their table, both ways
    dup = next(p for p in report.warnings if p.rule == "duplicate-lines")
    assert dup.lines == () and dup.rows and all(re.fullmatch(
        r"account_id=\S+ date=\d{4}-\d\d-\d\d", r) for r in dup.rows)
    assert dup.where().startswith(f"table transactions, row{'s' * (len(dup.rows) > 1)} "
                                  f"{dup.rows[0]}")
    created = [(c.step, c.count) for c in report.cleaning if "created" in c.step]
    assert created == [(c.step, c.count) for c in csv.cleaning if "created" in c.step]
    assert created[0][1] == 31  # the 10 x 3 generated ids and 'nobody'
