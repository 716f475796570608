"""The trainee's own copy: start once, reset one notebook, JupyterLab with kam on PATH,
progress only in the work folder, and nothing a trainee saves reaches ``kam build``."""

import json
import os
import sysconfig
from pathlib import Path

import nbformat
import pytest

from kamlib import course
from kamlib.cli import main
from kamlib.exercises import check, progress
from kamlib.exercises.tracking import PROGRESS_FILE
from kamlib.report import build_reports
from kamlib.report.notebooks import NotebookError

ROOT = Path(__file__).resolve().parents[1]


def test_start_copies_once_and_never_overwrites(tmp_path):
    work = tmp_path / "course"
    first = course.start(work)
    names = [p.name for p in course.course_notebooks()]
    assert first.copied == names and first.kept == []
    assert (work / PROGRESS_FILE).is_file() and (work / "data" / "README.md").is_file()
    (work / "10_concentration.ipynb").write_text("my work")
    again = course.start(work)
    assert again.copied == [] and again.kept == names
    assert (work / "10_concentration.ipynb").read_text() == "my work"


def test_reset_restores_one_notebook_and_keeps_the_old_one(tmp_path, capsys):
    work = tmp_path / "course"
    assert main(["course", "start", "--dir", str(work), "--no-lab"]) == 0
    (work / "10_concentration.ipynb").write_text("my work")
    assert main(["course", "reset", "10", "--dir", str(work)]) == 0
    assert "your version is kept as 10_concentration.before-reset-" in capsys.readouterr().out
    assert (work / "10_concentration.ipynb").read_bytes() == \
        (course.NOTEBOOKS / "10_concentration.ipynb").read_bytes()
    [kept] = work.glob("10_concentration.before-reset-*.ipynb")
    assert kept.read_text() == "my work"
    assert main(["course", "reset", "99", "--dir", str(work)]) == 2
    assert "no single course notebook '99'; choose from 00_start_here" in \
        capsys.readouterr().err
    assert main(["course", "reset", "10", "--dir", str(tmp_path / "elsewhere")]) == 2


def test_lab_opens_the_work_folder_with_kam_on_path(tmp_path):
    work = course.start(tmp_path / "course").workdir
    argv, env = course.lab_command(work)
    root = ["--ServerApp.allow_root=True"] if course.running_as_root() else []
    assert argv[1:] == ["-m", "jupyterlab", f"--ServerApp.root_dir={work}", *course.QUIET_LAB,
                        *root, str(work / "00_start_here.ipynb")]
    scripts = env["PATH"].split(os.pathsep)[0]
    assert scripts == sysconfig.get_path("scripts") and (Path(scripts) / "kam").exists()
    recipe = (ROOT / "Makefile").read_text().split("\nlab:")[1].split("\n\n")[0]
    assert "kam course start" in recipe and "notebooks/" not in recipe
    with pytest.raises(ValueError, match="cannot be the kit's notebooks/"):
        course.start(course.NOTEBOOKS)


def test_checks_record_progress_only_in_a_work_folder(tmp_path, monkeypatch, totals=None):
    import pandas as pd

    totals = pd.DataFrame({"account_id": list("abcde"), "revenue": [60.0, 25, 10, 3, 2]})
    monkeypatch.chdir(tmp_path)
    check("10.2", 2, totals)
    assert not list(tmp_path.iterdir())  # not a work folder: nothing written
    work = course.start(tmp_path / "course").workdir
    monkeypatch.chdir(work)
    assert not check("10.2", 1, totals).ok and check("10.2", 2, totals).ok
    check("10.3", None, totals)  # "not answered yet" is not a try
    recorded = json.loads((work / PROGRESS_FILE).read_text())["exercises"]
    assert list(recorded) == ["10.2"] and recorded["10.2"]["attempts"] == 2
    table = progress().table.set_index("exercise")["status"]
    assert table["10.2"] == "done" and table["10.3"] == "not started"
    assert "<table" in progress()._repr_html_()


DATA = {"accounts.csv": "account_id,account_name\n001,Alpha\n002,Beta\n003,Gamma\n",
        "transactions.csv": "account_id,date,revenue\n001,2024-01-05,100\n002,2024-01-20,70\n"
                            "001,2024-02-11,40\n003,2024-02-10,5\n",
        "activities.csv": "account_id,date,activity\n001,2024-01-02,visit\n",
        "activity_rates.csv": "activity,unit_cost\nvisit,100\n",
        "contacts.csv": "account_id,contact_name,role\n001,Ann,CIO\n",
        "kam.toml": '[source]\nfolder = "."\n'}


@pytest.mark.slow
def test_a_broken_trainee_copy_does_not_affect_kam_build(tmp_path, capsys):
    for name, text in DATA.items():
        (tmp_path / name).write_text(text)
    work = course.start(tmp_path / "course").workdir
    nb = nbformat.read(work / "10_concentration.ipynb", as_version=4)
    answer = next(c for c in nb.cells if "answer" in c.metadata.get("tags", []))
    answer.source = "my_table = practise.sort_values('revenue')  # a typo: NameError"
    nbformat.write(nb, work / "10_concentration.ipynb")
    pristine = (course.NOTEBOOKS / "10_concentration.ipynb").read_bytes()
    result = build_reports(tmp_path / "kam.toml", out=tmp_path / "reports",
                           only=["10_concentration"], show_progress=False)
    assert result.ok, result.errors
    assert (course.NOTEBOOKS / "10_concentration.ipynb").read_bytes() == pristine
    with pytest.raises(NotebookError, match="trainee's course work folder"):
        build_reports(tmp_path / "kam.toml", out=tmp_path / "r2", notebooks=work)
    assert main(["build", "--config", str(tmp_path / "kam.toml"), "--out",
                 str(tmp_path / "r3"), "--notebooks", str(work)]) == 2
    assert "kam build runs the kit's own notebooks" in capsys.readouterr().err


def test_lab_runs_as_root_when_root_and_shows_no_news(tmp_path, monkeypatch):
    """Started as root, JupyterLab needs allow_root or it exits at once; the news pop-up is
    off either way (the options are ones JupyterLab knows)."""
    from jupyterlab.labapp import LabApp

    work = course.start(tmp_path / "course").workdir
    for root in (True, False):
        monkeypatch.setattr(course, "running_as_root", lambda root=root: root)
        argv, _ = course.lab_command(work)
        assert ("--ServerApp.allow_root=True" in argv) is root
        assert "--LabApp.news_url=None" in argv
    news = LabApp.class_traits()["news_url"]
    assert news.from_string("None") is None
    app = LabApp()
    app.parse_command_line([a for a in argv if a.startswith("--LabApp")])
    assert app.news_url is None and app.check_for_updates_class.__name__ == "NeverCheckForUpdate"
