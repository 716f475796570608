"""Crashes, round 3 (issue 25): a one-line error or a working run, never a traceback or a
hang. Calendar text from data, role patterns that backtrack, output and course folders that
cannot take the files, two builds into one folder, line ends mixed anywhere in a CSV, and a
closed pipe.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from conftest import report_notebook
from test_bad_inputs import HEADER, TODAY, check, only, write  # noqa: F401

import kamlib
from kamlib.cli import main
from kamlib.data.config import ConfigError, load_config
from kamlib.planning.contacts import DEFAULT_ROLE_MAP, influence_of
from kamlib.planning.role_patterns import pattern_problem
from kamlib.planning.schedule import calendars
from kamlib.report import build_reports, staging

ROOT = Path(__file__).resolve().parents[1]


# --- text from data in a calendar -------------------------------------------------------------

@pytest.mark.parametrize("manager", ["Kartika Ananda\r\n(interim)", "Sari\n(acting)", "Budi\tS.",
                                     "Dewi\x00", "Lina\u2028Wijaya", "\r\n"])
def test_a_manager_or_account_with_line_breaks_still_gets_a_calendar(manager):
    schedule = pd.DataFrame({"account_manager": [manager, manager],
                             "account_id": ["A\n1", "B2"],
                             "date": pd.to_datetime(["2025-12-22", "2025-12-23"]),
                             "kind": ["routine contact", "top-management visit"]})
    out = calendars(schedule, names={"A\n1": "Bank\r\nPelita", "B2": "Toko\x0bMaju"})
    assert list(out) == [manager]
    cal = icalendar.Calendar.from_ical(out[manager])
    events = list(cal.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Routine contact: Bank Pelita",
                                                   "Top-management visit: Toko Maju"]
    assert "\n" not in str(cal["X-WR-CALNAME"]) and "\r" not in str(events[0]["UID"])


# --- role patterns that can hang the plans ---------------------------------------------------

CATASTROPHIC = ["(a+)+$", "(a|aa)+$", "(a|a)*$", r"(\w+\s?)*$", "(.*a){12}", "(a?){25}a{25}",
                "^(([a-z])+.)+[A-Z]([a-z])+$", "(x+x+)+y", "(?:a*)*b", "((ab)*)+c"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_role_pattern_that_can_backtrack_exponentially_is_refused_at_once(tmp_path, capsys,
                                                                           pattern):
    escaped = pattern.replace("\\", "\\\\")
    (tmp_path / "kam.toml").write_text(f'[plans.roles]\n"{escaped}" = "influencer"\n')
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="exponential time"):
        load_config(tmp_path / "kam.toml")
    assert main(["plans", "--config", str(tmp_path / "kam.toml"), "--out",
                 str(tmp_path / "plans")]) == 2
    assert "Traceback" not in capsys.readouterr().err
    with pytest.raises(ValueError, match="exponential time"):  # a map built in code
        influence_of(pd.Series(["a" * 40 + "!"]), {pattern: "influencer"})
    assert time.perf_counter() - started < 30 and not (tmp_path / "plans").exists()


@pytest.mark.parametrize("pattern", ["ceo|cfo|chief", "head of (it|sales)", r"c\.e\.o\.",
                                     "(ab){3}", "vp|vice president", "a{2,5}b"])
def test_ordinary_role_patterns_are_kept(pattern):
    assert pattern_problem(pattern) is None


def test_the_default_role_map_matches_a_long_title_in_linear_time():
    assert all(pattern_problem(p) is None for p in DEFAULT_ROLE_MAP)
    started = time.perf_counter()
    influence_of(pd.Series(["a" * 20_000 + "!", "Head of " * 2_000 + "IT"]))
    assert time.perf_counter() - started < 5


# --- folders that cannot take the files: one line, before anything runs -------------------------

@pytest.fixture
def unwritable(tmp_path):
    """A folder that cannot be written, even by root (where chmod is no bar)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").write_text("")
    except OSError:
        yield folder
        folder.chmod(0o755)
        return
    (folder / "probe").unlink()
    folder.chmod(0o755)
    for place in (Path("/sys/kamkit-test"), Path("/proc/kamkit-test")):
        try:
            place.mkdir()
        except OSError:
            yield place
            return
        place.rmdir()
    pytest.skip("no folder here that this user cannot write")


@pytest.fixture
def tiny(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    report_notebook(folder / "m.ipynb", "print('ok')", title="M")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "transactions.csv").write_text(
        "account_id,date,revenue\n001,2024-01-05,100\n")
    (tmp_path / "data" / "kam.toml").write_text('[source]\nfolder = "."\n')
    return tmp_path / "data" / "kam.toml", folder


def test_an_unwritable_out_is_one_line_before_anything_runs(unwritable, tiny, capsys,
                                                            monkeypatch):
    import kamlib.data.dataset as dataset

    config, nbs = tiny
    monkeypatch.setattr(dataset, "load", lambda *a, **k: pytest.fail("the data was loaded"))
    for out in (unwritable, unwritable / "reports"):
        assert main(["build", "--config", str(config), "--out", str(out), "--notebooks",
                     str(nbs)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"kam: --out {out}") and err.count("\n") == 1, err


def test_out_on_another_file_system_is_staged_inside_it(tiny, tmp_path, monkeypatch):
    config, nbs = tiny
    out = tmp_path / "volume"
    out.mkdir()
    real = staging._device
    monkeypatch.setattr(staging, "_device", lambda p: real(p) + (Path(p) == out))
    assert staging.staging_parent(out) == out
    result = build_reports(config, out=out, notebooks=nbs, show_progress=False, plans=False)
    assert result.ok and (out / "m.html").is_file()
    assert [p.name for p in out.iterdir() if "-build-" in p.name] == []  # staging removed
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".volume")] == []


def test_a_rename_that_crosses_file_systems_is_one_line_before_anything_runs(tiny, tmp_path,
                                                                            monkeypatch, capsys):
    config, nbs = tiny
    real = os.replace

    def no_rename(src, dst, *a, **k):
        if ".kamkit-probe" in str(dst):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst, *a, **k)
    monkeypatch.setattr(staging.os, "replace", no_rename)
    assert main(["build", "--config", str(config), "--out", str(tmp_path / "r"),
                 "--notebooks", str(nbs)]) == 2
    err = capsys.readouterr().err
    assert "another file system" in err and err.count("\n") == 1
    assert not [p for p in tmp_path.iterdir() if "-build-" in p.name]


def test_an_existing_file_or_unwritable_course_folder_is_one_line(tmp_path, unwritable, capsys):
    (tmp_path / "file").write_text("x")
    for args in (["course", "start", "--no-lab", "--dir", str(tmp_path / "file")],
                 ["course", "reset", "10", "--dir", str(tmp_path / "file")]):
        with pytest.raises(SystemExit) as exit_:  # a usage error, before anything runs
            main(args)
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and "is a file, not a folder" in err
        assert "Traceback" not in err
    for folder in (unwritable / "course", unwritable):
        assert main(["course", "start", "--no-lab", "--dir", str(folder)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("kam: ") and "cannot write there" in err and err.count("\n") == 1


# --- two builds into one folder --------------------------------------------------------------

_HOLD = """
import sys
from pathlib import Path
from kamlib.report.staging import new_staging
new_staging(Path(sys.argv[1]))
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(tiny, tmp_path,
                                                                             capsys):
    config, nbs = tiny
    out = tmp_path / "reports"
    first = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert first.stdout.readline().strip() == "locked"
        assert main(["build", "--config", str(config), "--out", str(out), "--notebooks",
                     str(nbs)]) == 2
        err = capsys.readouterr().err
        assert "another kam build is writing into this folder" in err and err.count("\n") == 1
        with pytest.raises(staging.BuildRunning):
            build_reports(config, out=out, notebooks=nbs, show_progress=False)
        assert not (out / "index.html").exists()
    finally:
        first.stdin.close()
        first.wait(timeout=60)
    result = build_reports(config, out=out, notebooks=nbs, show_progress=False)  # free again
    assert result.ok and (out / "index.html").is_file()
    again = build_reports(config, out=out, notebooks=nbs, show_progress=False)
    assert again.ok  # the lock was released by the first build in this process


# --- line ends mixed anywhere, stray CRs and open quotes --------------------------------------

def _rows(n):
    return [f"00{i % 3 + 1},2024-{i % 12 + 1:02d}-15,{i % 90 + 10},Cloud,1,I{i}" for i in range(n)]


@pytest.mark.parametrize("main_end, odd_end", [("\r\n", "\n"), ("\n", "\r\n")])
def test_line_ends_mixed_in_the_middle_of_a_long_file_are_read(write, main_end, odd_end):
    rows = _rows(20_000)
    text = (HEADER.replace("\n", main_end) + main_end.join(rows[:10_000]) + main_end
            + odd_end.join(rows[10_000:10_050]) + odd_end
            + main_end.join(rows[10_050:]) + main_end)
    ds = kamlib.load(write(**{"transactions.csv": text.encode()}), today=TODAY)
    assert ds.cube.account_month["lines"].sum() == 20_000


def test_a_bad_value_after_mixed_line_ends_is_still_named_by_line(write):
    rows = _rows(5_000)
    rows[4_000] = rows[4_000].replace(",Cloud", ",Cloud").replace(f",{4_000 % 90 + 10},", ",x,")
    text = (HEADER.replace("\n", "\r\n") + "\r\n".join(rows[:2_000]) + "\r\n"
            + "\n".join(rows[2_000:2_050]) + "\n" + "\r\n".join(rows[2_050:]) + "\r\n")
    p = only(check(write(**{"transactions.csv": text.encode()})))
    assert (p.rule, list(p.lines), list(p.values)) == ("non-numeric", [4_002], ["x"])


@pytest.mark.parametrize("broken, rule", [("001,2024-01-01,5\r,I9", "unreadable"),
                                          ('001,2024-01-01,"5,I9', "quoting")])
def test_a_stray_cr_or_an_open_quote_in_a_long_file_is_one_error_with_its_line(write, broken,
                                                                              rule):
    rows = _rows(20_000)
    rows[12_000] = broken.replace(",I9", ",Cloud,1,I9")
    report = check(write(**{"transactions.csv": (HEADER + "\n".join(rows) + "\n").encode()}))
    p = only(report)
    assert (p.rule, p.lines[0]) == (rule, 12_002)
    assert "\n" not in p.message and "Possible fixes" not in str(report)


# --- a closed pipe -----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["validate"], ["validate", "--config", "{config}"]])
def test_kam_piped_into_head_ends_quietly(tiny, args):
    config, _ = tiny
    argv = [a.format(config=config) for a in args]
    cmd = [sys.executable, "-c", "import sys; from kamlib.cli import main; "
           "sys.exit(main(sys.argv[1:]))", *argv]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    proc.stdout.close()  # the reader is gone before kam writes a line (head -0, or head -1 early)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 141)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


# --- --timeout bounds every step, not only the notebooks ---------------------------------------

_SLOW = """
import sys, time
import kamlib.data.dataset as dataset
import kamlib.planning.portfolio as portfolio
dataset.load = lambda *a, **k: time.sleep(120)          # a step stuck past the limit
portfolio.portfolio_frames = lambda *a, **k: time.sleep(120)
from kamlib.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command, step", [("build", "loading and validating the data"),
                                           ("plans", "computing the portfolio")])
def test_timeout_bounds_the_steps_the_build_runs_itself(tiny, tmp_path, command, step):
    config, nbs = tiny
    argv = [command, "--config", str(config), "--out", str(tmp_path / "out"), "--timeout", "3"]
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _SLOW, *argv], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=110)
    assert time.perf_counter() - started < 100
    assert run.returncode == 1 and step in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "index.html").exists()
