"""Own data as it comes: only the tables a company has, exact totals, every source kind.

The reference case is the most common export there is: one invoice-lines file, in the
company's own column names and formats, with no customer list.
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kamlib
from kamlib.cli import main
from kamlib.data.config import ConfigError, load_config, mask_secrets, mask_url
from kamlib.data.needs import Notice, needs_sentence, not_shown, unmet

TODAY = date(2025, 1, 1)

# Semicolons, day-first dates, comma decimals with dot thousands, foreign column names,
# no invoice id, and one genuine repeat purchase (line 3 repeats line 2).
INVOICES = """Kunde;Datum;Betrag;Artikel
K-001;05.01.2024;1.234,50;Cloud
K-001;05.01.2024;1.234,50;Cloud
K-002;20.01.2024;99,90;IoT
K-003;11.02.2024;500,00;Cloud
K-001;03.03.2024;10,00;IoT
"""
TOTAL = 1234.50 * 2 + 99.90 + 500.00 + 10.00
TOML = """[tables.transactions]
file = "invoice lines.csv"
columns = { account_id = "Kunde", date = "Datum", revenue = "Betrag", product = "Artikel" }
[format]
date_format = "%d.%m.%Y"
decimal = ","
thousands = "."
"""


@pytest.fixture
def sales_only(tmp_path) -> Path:
    (tmp_path / "invoice lines.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "kam.toml").write_text(TOML)
    return tmp_path / "kam.toml"


def test_sales_data_alone_validates_with_the_created_accounts_counted(sales_only):
    report = kamlib.validate(sales_only, today=TODAY)
    assert report.ok, str(report)
    assert report.cleaning_counts() == {
        "accounts.accounts created from transaction ids (no accounts table)": 3}
    assert set(report.tables) == {"transactions", "accounts"}


def test_sales_data_alone_loads_exact_totals_and_named_accounts(sales_only):
    ds = kamlib.load(sales_only, today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(TOTAL, abs=1e-9)
    assert ds.accounts[["account_id", "account_name"]].values.tolist() == [
        ["K-001", "K-001"], ["K-002", "K-002"], ["K-003", "K-003"]]
    assert ds.accounts["industry"].isna().all()  # not invented
    assert ds.activities.empty and ds.contacts.empty


def test_cli_validate_names_each_module_and_what_it_needs(sales_only, tmp_path, capsys):
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder / "40_profit.ipynb", "Profitability",
              {"activities": ["account_id", "date", "activity"],
               "activity_rates": ["activity", "unit_cost"]})
    _notebook(folder / "10_conc.ipynb", "Concentration", {"transactions": ["revenue"]})
    assert main(["validate", "--config", str(sales_only), "--notebooks", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "MODULE Concentration: available" in out
    assert ("MODULE Profitability: not available. Profitability needs activities (add "
            "activities.csv, .xlsx or .parquet to the data folder") in out
    assert "activity_rates (add activity_rates.csv" in out


# --- what a module needs ---------------------------------------------------------------

def test_unmet_names_missing_tables_and_columns_with_how_to_add_them():
    found = {"transactions": ["account_id", "date", "revenue"]}
    assert unmet({"transactions": ["account_id", "revenue"]}, found) == []
    missing = unmet({"transactions": ["revenue", "cost", "quantity"], "contacts": ["role"]},
                    found)
    assert missing == [
        'transactions columns cost, quantity (map them in kam.toml: [tables.transactions] '
        'columns = { cost = "Your column" })',
        'contacts (add contacts.csv, .xlsx or .parquet to the data folder, or map it in '
        'kam.toml: [tables.contacts] file = "...")']
    assert needs_sentence("Plans", ["x"]) == "Plans needs x."


def test_unmet_refuses_a_misspelt_need():
    with pytest.raises(ValueError, match="not columns of transactions"):
        unmet({"transactions": ["revenu"]}, {})
    with pytest.raises(ValueError, match="unknown table"):
        unmet({"contact": ["role"]}, {})


def test_notice_says_what_is_not_shown_in_every_rendering():
    notice = not_shown({"transactions": ["account_id"]}, "Gross margin <by product>",
                       "transactions", "cost")
    assert isinstance(notice, Notice)
    bundle = notice._repr_mimebundle_()
    assert "Gross margin &lt;by product&gt; is not shown" in bundle["text/html"]
    assert bundle["application/vnd.kamkit.notice+json"]["what"] == "Gross margin <by product>"
    assert not_shown({"transactions": ["cost"]}, "x", "transactions", "cost") is None


def _notebook(path: Path, title: str, needs: dict, body: str = "") -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('config = ""  # kam.toml\nprepared = ""  # data folder')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body or "print('ran')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["kamkit"] = {"report": True, "title": title, "needs": needs}
    nbformat.write(nb, path)


@pytest.mark.slow
def test_build_skips_modules_whose_needs_are_unmet_and_lists_them(sales_only, tmp_path):
    from kamlib.report import build_reports

    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder / "10_conc.ipynb", "Concentration", {"transactions": ["revenue"]},
              "from kamlib import open_dataset\nds = open_dataset(config, prepared)\n"
              "from kamlib.report import headline\n"
              "headline('total', float(ds.cube.account_month['revenue'].sum()), 'revenue', "
              "fmt='{:.2f}')")
    _notebook(folder / "40_profit.ipynb", "Profitability",
              {"activities": ["account_id", "date", "activity"]}, "raise RuntimeError")
    out = tmp_path / "site"
    result = build_reports(sales_only, out=out, notebooks=folder, show_progress=False)
    assert result.ok, result.errors
    index = (out / "index.html").read_text()
    assert f"{TOTAL:.2f}" in index
    # what is missing in words on the card; how to add it (the file) collapsed under it
    assert "Not built for this data: Profitability needs activities." in index
    assert "Profitability needs activities (add activities.csv" in index.split(
        "How to add it</summary>")[1]
    assert not (out / "40_profit.html").exists() and (out / "10_conc.html").exists()


# --- exact duplicate lines: dropped only on evidence ----------------------------------------

def _tx_folder(tmp_path: Path, lines: str, toml: str = "") -> Path:
    (tmp_path / "transactions.csv").write_text(lines)
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n' + toml)
    return tmp_path / "kam.toml"


REPEATS = """account_id,date,revenue,quantity
A,2024-01-05,17.50,1
A,2024-01-05,17.50,1
A,2024-01-05,17.50,1
B,2024-01-06,5.00,2
"""


def test_repeat_purchases_without_invoice_id_are_kept_and_reported(tmp_path):
    config = _tx_folder(tmp_path, REPEATS)
    ds = kamlib.load(config, today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(17.5 * 3 + 5)
    warning = next(p for p in ds.report.warnings if p.rule == "duplicate-lines")
    assert (warning.count, warning.lines) == (2, (3, 4))
    assert "revenue 35.00" in warning.message
    assert ds.report.cleaning_counts().get("transactions.exact duplicate lines dropped") is None
    assert ds.report.rules["transactions: exact duplicate lines"].startswith("kept: lines carry "
                                                                              "no invoice id")


def test_duplicates_with_an_invoice_id_are_dropped_and_counted(tmp_path):
    lines = "account_id,date,revenue,invoice_id\nA,2024-01-05,17.50,I1\nA,2024-01-05,17.50,I1\n"
    ds = kamlib.load(_tx_folder(tmp_path, lines), today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(17.5)
    assert ds.report.cleaning_counts()["transactions.exact duplicate lines dropped"] == 1
    assert "revenue 17.50 left out" in ds.report.cleaning[-1].detail or any(
        "revenue 17.50 left out" in c.detail for c in ds.report.cleaning)
    assert ds.report.rules["transactions: exact duplicate lines"].startswith("dropped")


@pytest.mark.parametrize("choice, total", [("drop", 17.5 + 5), ("keep", 17.5 * 3 + 5)])
def test_explicit_duplicate_choice_wins_and_is_stated(tmp_path, choice, total):
    config = _tx_folder(tmp_path, REPEATS, f'[analysis]\nduplicate_lines = "{choice}"\n')
    ds = kamlib.load(config, today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(total)
    assert f'duplicate_lines = "{choice}"' in ds.report.rules["transactions: exact duplicate "
                                                             "lines"]


def test_duplicate_choice_is_checked(tmp_path):
    with pytest.raises(ConfigError, match="duplicate_lines = 'sometimes'"):
        load_config(_tx_folder(tmp_path, REPEATS, '[analysis]\nduplicate_lines = "sometimes"\n'))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("AB"), st.integers(1, 3),
                          st.sampled_from([1.0, 2.5, 10.0])), min_size=1, max_size=12))
def test_without_invoice_ids_every_line_counts(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("tx")
    lines = "account_id,date,revenue\n" + "".join(
        f"{a},2024-01-0{d},{r}\n" for a, d, r in rows)
    ds = kamlib.load(_tx_folder(folder, lines), today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(sum(r for *_, r in rows))
    assert ds.cube.account_month["lines"].sum() == len(rows)


# --- formats per table, whitespace exports ----------------------------------------------------

def test_each_table_reads_with_its_own_format(tmp_path):
    (tmp_path / "accounts.csv").write_text("account_id,account_name\nK-001,Alpha\nK-002,Beta\n"
                                           "K-003,Gamma\n")
    (tmp_path / "invoice lines.csv").write_bytes(INVOICES.replace("Cloud", "Clöud")
                                                 .encode("cp1252"))
    (tmp_path / "kam.toml").write_text(
        '[source]\nfolder = "."\n[tables.transactions]\nfile = "invoice lines.csv"\n'
        'columns = { account_id = "Kunde", date = "Datum", revenue = "Betrag", '
        'product = "Artikel" }\n[tables.transactions.format]\ndate_format = "%d.%m.%Y"\n'
        'decimal = ","\nthousands = "."\nencoding = "cp1252"\ndelimiter = ";"\n')
    ds = kamlib.load(tmp_path / "kam.toml", today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(TOTAL)
    assert "Clöud" in set(ds.cube.product_month["product"])
    assert ds.accounts["account_name"].tolist() == ["Alpha", "Beta", "Gamma"]


@pytest.mark.parametrize("setting, message", [
    ('currency = "USD"', "currency is set once"),
    ('colour = "red"', "unknown setting"),
    ('decimal = "."\nthousands = "."', "must differ"),
])
def test_bad_table_format_is_a_config_error_naming_the_section(tmp_path, setting, message):
    config = _tx_folder(tmp_path, REPEATS, f"[tables.transactions.format]\n{setting}\n")
    with pytest.raises(ConfigError, match=r"\[tables\.transactions\.format\].*" + message):
        load_config(config)


def test_whitespace_aligned_export_is_read_with_real_line_numbers(tmp_path):
    listing = ("CUSTNO   DATE        AMOUNT\n"
               "A001     2024-01-05   100.00\n"
               "\n"
               "A002     2024-01-06     x.50\n"
               "A001\t  2024-02-01    20.25   \n")
    (tmp_path / "tx.txt").write_text(listing)
    (tmp_path / "kam.toml").write_text(
        '[source]\nfolder = "."\n[tables.transactions]\nfile = "tx.txt"\ncolumns = { '
        'account_id = "CUSTNO", date = "DATE", revenue = "AMOUNT" }\n'
        '[tables.transactions.format]\ndelimiter = "whitespace"\n')
    report = kamlib.validate(tmp_path / "kam.toml", today=TODAY)
    bad = [p for p in report.errors]
    assert [(p.rule, p.lines, p.values) for p in bad] == [("non-numeric", (4,), ("x.50",))]
    (tmp_path / "tx.txt").write_text(listing.replace("x.50", "7.50"))
    ds = kamlib.load(tmp_path / "kam.toml", today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(127.75)


# --- every source kind, in any order ----------------------------------------------------

ACCOUNTS = pd.DataFrame({"account_id": ["001", "002"], "account_name": ["Alpha", "Beta"]})
TX = pd.DataFrame({"account_id": ["001", "002", "001"],
                   "date": ["2024-01-05", "2024-02-05", "2024-03-01"],
                   "revenue": [100.0, 50.0, 25.5]})
RATES = pd.DataFrame({"activity": ["visit"], "unit_cost": [100.0]})
ACTIVITIES = pd.DataFrame({"account_id": ["001"], "date": ["2024-01-02"], "activity": ["visit"]})


def _write(frame: pd.DataFrame, path: Path) -> None:
    {".csv": lambda: frame.to_csv(path, index=False),
     ".tsv": lambda: frame.to_csv(path, index=False, sep="\t"),
     ".xlsx": lambda: frame.to_excel(path, index=False),
     ".parquet": lambda: frame.to_parquet(path, index=False)}[path.suffix]()


KINDS = (".csv", ".tsv", ".xlsx", ".parquet")


@pytest.mark.parametrize("first, second", list(itertools.permutations(KINDS, 2)))
def test_every_file_kind_reads_after_every_other(tmp_path, first, second):
    # tables are read in the contract's order: accounts, transactions, activities, rates
    for name, frame, kind in (("accounts", ACCOUNTS, first), ("transactions", TX, second),
                              ("activities", ACTIVITIES, first),
                              ("activity_rates", RATES, second)):
        _write(frame, tmp_path / f"{name}{kind}")
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    ds = kamlib.load(tmp_path / "kam.toml", today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(175.5)
    assert set(ds.tables) == {"accounts", "transactions", "activities", "activity_rates"}


@pytest.mark.parametrize("kind", [".parquet", ".xlsx"])
def test_numeric_ids_from_a_typed_source_are_read_as_text(tmp_path, kind):
    # ERP exports keep invoice and line numbers as integers; ids are text in the contract
    tx = TX.assign(invoice_id=[1001, 1002, 1003], line_no=[1, 1, 2])
    _write(tx, tmp_path / f"transactions{kind}")
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    ds = kamlib.load(tmp_path / "kam.toml", today=TODAY)
    assert ds.report.ok, str(ds.report)
    assert ds.cube.account_month["invoices"].sum() == 3


def _sqlite(path: Path) -> str:
    with sqlite3.connect(path) as con:
        for name, frame in (("accounts", ACCOUNTS), ("transactions", TX),
                            ("activities", ACTIVITIES), ("activity_rates", RATES)):
            frame.to_sql(name, con, index=False)
    return f"sqlite:///{path}"


def _duckdb(path: Path) -> str:
    con = duckdb.connect(str(path))
    for name, frame in (("accounts", ACCOUNTS), ("transactions", TX),
                        ("activities", ACTIVITIES), ("activity_rates", RATES)):
        con.register("f", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM f")
        con.unregister("f")
    con.close()
    return path.name


@pytest.mark.parametrize("make", [_sqlite, _duckdb], ids=["sqlite", "duckdb"])
def test_database_sources_read_every_table(tmp_path, make):
    url = make(tmp_path / ("crm.db" if make is _sqlite else "crm.duckdb"))
    accounts = "accounts" if make is _sqlite else "src.accounts"  # DuckDB: attached as src
    (tmp_path / "kam.toml").write_text(
        f'[source]\ndatabase = "{url}"\n[tables.contacts]\n'
        'query = "SELECT account_id, account_name AS contact_name, \'CIO\' AS role '
        f'FROM {accounts}"\n')
    ds = kamlib.load(tmp_path / "kam.toml", today=TODAY)
    assert ds.cube.account_month["revenue"].sum() == pytest.approx(175.5)
    assert len(ds.contacts) == 2 and len(ds.activities) == 1
    assert "contacts" in ds.tables and "opportunities" not in ds.tables


def test_database_url_from_the_environment(tmp_path, monkeypatch):
    url = _sqlite(tmp_path / "crm.db")
    (tmp_path / "kam.toml").write_text('[source]\ndatabase_env = "KAM_TEST_DB"\n')
    monkeypatch.setenv("KAM_TEST_DB", url)
    assert kamlib.validate(tmp_path / "kam.toml", today=TODAY).ok
    monkeypatch.delenv("KAM_TEST_DB")
    with pytest.raises(ConfigError, match="KAM_TEST_DB is not set"):
        load_config(tmp_path / "kam.toml")


def test_password_is_masked_in_every_message(tmp_path, capsys):
    # a driver that is not installed and a server that is not there: both fail with the URL
    (tmp_path / "kam.toml").write_text(
        '[source]\ndatabase = "mysql://kam:s3cr%40t@127.0.0.1:9/crm"\n')
    report = kamlib.validate(tmp_path / "kam.toml", today=TODAY)
    assert not report.ok
    assert len([p for p in report.errors if p.rule == "unreadable"]) == 1  # once, not per table
    assert main(["validate", "--config", str(tmp_path / "kam.toml")]) == 1
    shown = str(report) + capsys.readouterr().out + str(report.to_dict())
    assert "s3cr" not in shown and "kam:***@127.0.0.1" in shown


def test_mask_helpers():
    assert mask_url("postgresql://u:p%40ss@h/db and mysql://x:y@z") == \
        "postgresql://u:***@h/db and mysql://x:***@z"
    assert mask_secrets("bad password 'p@ss'", "postgres://u:p%40ss@h/db") == \
        "bad password '***'"


def test_a_failing_optional_table_is_reported_not_dropped(tmp_path):
    url = _sqlite(tmp_path / "crm.db")
    (tmp_path / "kam.toml").write_text(
        f'[source]\ndatabase = "{url}"\n[tables.contacts]\nquery = "SELECT nope FROM x"\n')
    report = kamlib.validate(tmp_path / "kam.toml", today=TODAY)
    assert [(p.table, p.rule) for p in report.errors] == [("contacts", "unreadable")]


def test_optional_file_with_header_only_is_an_empty_table(tmp_path):
    (tmp_path / "contacts.csv").write_text("account_id,contact_name,role\n")
    config = _tx_folder(tmp_path, REPEATS)
    report = kamlib.validate(config, today=TODAY)
    assert report.ok
    assert [(p.table, p.rule) for p in report.warnings if p.rule == "no-data"] == [
        ("contacts", "no-data")]
    assert report.tables["contacts"] == ["account_id", "contact_name", "role"]


def test_transactions_with_header_only_are_still_an_error(tmp_path):
    config = _tx_folder(tmp_path, "account_id,date,revenue\n")
    assert [p.rule for p in kamlib.validate(config, today=TODAY).errors] == ["no-data"]


# --- no machine paths in what leadership reads -------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("audience", ["leadership", "trainee"])
def test_no_machine_path_in_any_page(tmp_path, audience):
    from kamlib.report import build_reports

    folder = tmp_path / "home" / "jane.doe" / "Documents" / "exports"
    folder.mkdir(parents=True)
    (folder / "invoice lines.csv").write_text(INVOICES)
    (folder / "kam.toml").write_text(TOML)
    out = tmp_path / "site"
    result = build_reports(folder / "kam.toml", out=out, audience=audience,
                           show_progress=False)
    assert result.ok, result.errors
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text()
        assert "jane.doe" not in text and str(tmp_path) not in text, page.name
    assert "kam.toml" in (out / "10_concentration.html").read_text()
