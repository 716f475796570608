"""The ``kam`` command: exit codes and what it prints."""

import pytest

from kamlib.cli import main


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "accounts.csv").write_text("account_id,account_name\n001,Alpha\n002,Beta\n")
    (tmp_path / "transactions.csv").write_text(
        "account_id,date,revenue\n001,2024-01-05,100\n002,2024-01-06,n/a\n")
    (tmp_path / "activities.csv").write_text("account_id,date,activity\n001,2024-01-02,visit\n")
    (tmp_path / "activity_rates.csv").write_text("activity,unit_cost\nvisit,100\n")
    (tmp_path / "contacts.csv").write_text("account_id,contact_name,role\n001,Ann,CIO\n")
    (tmp_path / "kam.toml").write_text('[source]\nfolder = "."\n')
    return tmp_path


def test_validate_exits_1_and_prints_file_line_column_rule(folder, capsys):
    assert main(["validate", "--config", str(folder / "kam.toml")]) == 1
    out = capsys.readouterr().out
    assert ("ERROR transactions.csv line 3, column 'revenue' [non-numeric]: 1 revenue value(s) "
            "are not numbers; values: 'n/a'") in out
    assert out.strip().endswith("Validation: 1 error(s), 0 warning(s), 0 cleaning step(s)")


def test_validate_exits_0_on_clean_data(folder, capsys):
    (folder / "transactions.csv").write_text("account_id,date,revenue\n001,2024-01-05,100\n")
    assert main(["validate", "--config", str(folder / "kam.toml")]) == 0
    assert capsys.readouterr().out.strip() == "Validation: clean"


def test_validate_exits_2_on_a_broken_config(tmp_path, capsys):
    (tmp_path / "kam.toml").write_text("[formt]\n")
    assert main(["validate", "--config", str(tmp_path / "kam.toml")]) == 2
    assert "unknown section" in capsys.readouterr().err
