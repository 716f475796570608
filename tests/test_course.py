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


# --- issue 25: whether notebooks are the kit's rests on what they hold, not on a marker -----

def _trainee_edit(path: Path, text: str = "TRAINEE EDIT: the board should ignore the Gini.") -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


@pytest.mark.parametrize("how", ["marker deleted", "copied with cp *.ipynb", "renamed copy",
                                 "kit folder copied", "code cell changed"])
def test_a_trainees_copies_are_refused_without_the_progress_file(tmp_path, capsys, how):
    import shutil

    work = tmp_path / "work"
    course.start(work)
    if how == "marker deleted":
        (work / PROGRESS_FILE).unlink()
        _trainee_edit(work / "10_concentration.ipynb")
        folder, changed = work, "10_concentration.ipynb"
    elif how in ("copied with cp *.ipynb", "renamed copy", "code cell changed"):
        folder = tmp_path / "mine"
        folder.mkdir()
        for nb in work.glob("*.ipynb"):
            shutil.copy(nb, folder / nb.name)
        if how == "renamed copy":  # a new name, the kit's title: still the kit's notebook
            (folder / "11_abc_xyz.ipynb").rename(folder / "my_abc.ipynb")
            _trainee_edit(folder / "my_abc.ipynb")
            changed = "my_abc.ipynb"
        elif how == "code cell changed":
            nb = nbformat.read(folder / "12_profiles.ipynb", as_version=4)
            code = next(c for c in nb.cells if c.cell_type == "code"
                        and "parameters" not in c.metadata.get("tags", []))
            code.source += "\nprint('mine')"
            nbformat.write(nb, folder / "12_profiles.ipynb")
            changed = "12_profiles.ipynb"
        else:
            _trainee_edit(folder / "10_concentration.ipynb")
            changed = "10_concentration.ipynb"
    else:
        folder = tmp_path / "kitcopy"
        shutil.copytree(course.NOTEBOOKS, folder)
        _trainee_edit(folder / "14_account_planning.ipynb")
        changed = "14_account_planning.ipynb"
    with pytest.raises(NotebookError, match=f"{changed}.*kit's own notebooks"):
        build_reports(None, out=tmp_path / "r", notebooks=folder, show_progress=False)
    assert main(["build", "--out", str(tmp_path / "r2"), "--notebooks", str(folder)]) == 2
    err = capsys.readouterr().err
    assert changed in err and "Traceback" not in err
    assert not (tmp_path / "r").exists() and not (tmp_path / "r2").exists()


def test_an_unchanged_copy_of_the_kits_notebooks_is_the_kits(tmp_path):
    import shutil

    from kamlib.report.notebooks import changed_kit_copies

    shutil.copytree(course.NOTEBOOKS, tmp_path / "copy")
    nb = nbformat.read(tmp_path / "copy" / "10_concentration.ipynb", as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="ran once")]  # outputs do not count
    nbformat.write(nb, tmp_path / "copy" / "10_concentration.ipynb")
    assert changed_kit_copies(tmp_path / "copy", course.NOTEBOOKS) == []
    assert changed_kit_copies(course.NOTEBOOKS, course.NOTEBOOKS) == []


def test_resets_in_one_second_keep_every_saved_copy(tmp_path, monkeypatch):
    from datetime import datetime as real

    class Frozen(real):
        @classmethod
        def now(cls, tz=None):
            return real(2026, 1, 2, 3, 4, 5)
    monkeypatch.setattr(course, "datetime", Frozen)
    work = tmp_path / "course"
    course.start(work)
    kept = []
    for n in range(3):
        (work / "10_concentration.ipynb").write_text(f"attempt {n}")
        kept.append(course.reset("10", work)[1])
    assert len(set(kept)) == 3
    assert [p.read_text() for p in kept] == ["attempt 0", "attempt 1", "attempt 2"]
