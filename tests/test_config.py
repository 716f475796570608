"""kam.toml: defaults, mapping, and refusal of typos (a typo must not fall back silently)."""

from datetime import date

import pytest

from kamlib.data.config import SAMPLE_DIR, ConfigError, load_config


def write(tmp_path, text):
    path = tmp_path / "kam.toml"
    path.write_text(text)
    return path


def test_no_config_means_the_bundled_sample():
    cfg = load_config(None)
    assert cfg.is_sample and cfg.folder == SAMPLE_DIR
    assert cfg.analysis.target_share == 0.8 and cfg.analysis.abc_cutoffs == (0.8, 0.95)


def test_a_full_config_is_read(tmp_path):
    (tmp_path / "exports").mkdir()
    cfg = load_config(write(tmp_path, """
[source]
folder = "exports"
[tables.transactions]
file = "invoices.xlsx"
sheet = "Lines"
header_row = 3
columns = { account_id = "Customer No", revenue = "Net Amount" }
[format]
decimal = ","
thousands = "."
date_format = "%d.%m.%Y"
encoding = "cp1252"
currency = "IDR"
[analysis]
as_of = 2025-06-30
start = "2024-01-01"
abc_cutoffs = [0.7, 0.9]
"""))
    assert cfg.folder == (tmp_path / "exports").resolve()
    tx = cfg.tables["transactions"]
    assert (tx.file, tx.sheet, tx.header_row) == ("invoices.xlsx", "Lines", 3)
    assert tx.columns["account_id"] == "Customer No"
    assert cfg.formats.decimal == "," and cfg.formats.currency == "IDR"
    assert cfg.analysis.as_of == date(2025, 6, 30) and cfg.analysis.start == date(2024, 1, 1)
    assert cfg.analysis.abc_cutoffs == (0.7, 0.9)
    assert cfg.tables["accounts"].file is None  # looked up by canonical name


@pytest.mark.parametrize("text, words", [
    ("[fromat]\ndecimal = ','", "fromat"),
    ("[format]\ndecimel = ','", "decimel"),
    ("[tables.invoices]\nfile = 'x.csv'", "tables.invoices"),
    ("[tables.transactions]\ncolumns = { amount = 'Net' }", "amount"),
    ("[tables.transactions]\ncolums = { revenue = 'Net' }", "[tables.transactions] unknown "
                                                            "setting(s) ['colums']"),
    ("[format]\ndecimal = ','\nthousands = ','", "must differ"),
    ("[analysis]\nas_of = 'last tuesday'", "as_of"),
    ("[analysis]\nunknown_accounts = 'maybe'", "unknown_accounts"),
    ("[analysis]\ntarget_share = 80", "target_share = 80: a share between 0 and 1"),
    ("[analysis]\nabc_cutoffs = [0.95, 0.8]", "abc_cutoffs = [0.95, 0.8]: two increasing"),
    ("[analysis]\nabc_cutoffs = [0.8]", "abc_cutoffs = [0.8]: two increasing"),
    ("[analysis]\nxyz_cutoffs = [-1, 2]", "xyz_cutoffs = [-1, 2]: two increasing"),
    ("[analysis]\nxyz_period = 'W'", "xyz_period = 'W'"),
    ("[analysis]\ntarget_share = '80%'", "target_share = 80%: a share"),
    ("[analysis]\nabc_cutoffs = ['a', 'b']", "abc_cutoffs = ['a', 'b']: two increasing"),
    ("[analysis]\nlost_after_days = 0", "lost_after_days = 0"),
    ("[analysis]\nstart = 2025-01-01\nas_of = 2024-12-31",
     "[analysis] start = 2025-01-01 is after the window's end (as_of = 2024-12-31)"),
    ("not toml at all = = =", "not valid TOML"),
    ("[source]\nfolder = 'nowhere'", "[source] folder = 'nowhere'"),
    ("[source]\ndatabase = 'crm.duckdb'", "[source] database = 'crm.duckdb': no file"),
])
def test_mistakes_name_the_file_and_the_key(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path.resolve()) in str(err.value) and words in str(err.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
