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
    assert "\nValidation: 1 error(s), 0 warning(s), 0 cleaning step(s)\n" in out
    assert "MODULE Data overview: available once the errors above are fixed" in out


def test_validate_exits_0_on_clean_data(folder, capsys):
    (folder / "transactions.csv").write_text("account_id,date,revenue\n001,2024-01-05,100\n")
    assert main(["validate", "--config", str(folder / "kam.toml")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        'RULE transactions: exact duplicate lines: kept: lines carry no invoice id, so '
        'identical lines may be real repeat purchases ([analysis] duplicate_lines = "auto")',
        "Validation: clean",
        "MODULE Data overview: available",
        "MODULE Concentration: Pareto, Lorenz, Gini: available",
        "MODULE ABC-XYZ analysis: available",
        "MODULE Customer profiles and RFM segments: available",
        "MODULE Profitability: cost to serve, whale curve, lifetime value: available",
        "MODULE Account planning: IDIC and IFA: available",
        "MODULE Relationships: ladder, bonds, KAM stages and health: available",
        "MODULE Retention: losses, win-back, loyalty, dealers: available"]


def test_validate_exits_2_on_a_broken_config(tmp_path, capsys):
    (tmp_path / "kam.toml").write_text("[formt]\n")
    assert main(["validate", "--config", str(tmp_path / "kam.toml")]) == 2
    assert "unknown section" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["sample", "--out", "x", "--accounts", "3"], "--accounts: must be at least 10, got 3"),
    (["sample", "--out", "x", "--years", "0"], "--years: must be at least 1, got 0"),
    (["build", "--timeout", "-5"], "--timeout: must be at least 1, got -5"),
    (["build", "--timeout", "ten"], "--timeout: invalid whole_number value: 'ten'"),
])
def test_out_of_range_options_are_refused_before_anything_runs(tmp_path, monkeypatch, capsys,
                                                               argv, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # no sample folder, no reports
