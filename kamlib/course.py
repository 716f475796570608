"""The trainee's own copy of the course: start it once, reset one notebook, open JupyterLab.

The kit's ``notebooks/`` are the report sources ``kam build`` runs; a trainee never works in
them. ``kam course start`` copies them (with the data and the README, for reading) into a
work folder, ``course/`` next to ``notebooks/`` unless told otherwise, and marks it with the
progress file. A copy that already exists is never overwritten: a trainee's answers survive
every later start. ``kam course reset NAME`` puts one notebook back as shipped and keeps the
trainee's version beside it.

Examples
--------
>>> import tempfile
>>> work = Path(tempfile.mkdtemp()) / "course"
>>> started = start(work)
>>> sorted(started.copied)[:2], started.kept
(['00_start_here.ipynb', '01_data_overview.ipynb'], [])
>>> start(work).copied
[]
>>> argv, env = lab_command(work)
>>> argv[1:3], env["PATH"].split(os.pathsep)[0] == sysconfig.get_path("scripts")
(['-m', 'jupyterlab'], True)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kamlib.exercises.tracking import PROGRESS_FILE, start_file

__all__ = ["KIT", "NOTEBOOKS", "WORKDIR", "Started", "course_notebooks", "start", "reset",
           "lab_command", "launch", "running_as_root", "QUIET_LAB"]

KIT = Path(__file__).resolve().parents[1]
NOTEBOOKS = KIT / "notebooks"
WORKDIR = KIT / "course"  # git-ignored; beside notebooks/ so the kit stays one folder
FIRST = "00_start_here.ipynb"
# no news pop-up and no update check: a trainee's first screen is the start page
QUIET_LAB = ["--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements."
             "NeverCheckForUpdate"]


@dataclass
class Started:
    """What ``start`` did: the work folder, the notebooks copied now and those kept."""

    workdir: Path
    copied: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def course_notebooks(source: str | Path = NOTEBOOKS) -> list[Path]:
    """The course notebooks, in course order (their file names start with the number)."""
    return sorted(Path(source).glob("[0-9][0-9]_*.ipynb"))


def _resolve_workdir(workdir: str | Path | None) -> Path:
    path = Path(workdir).expanduser().resolve() if workdir else WORKDIR
    if path == NOTEBOOKS.resolve():
        raise ValueError("the work folder cannot be the kit's notebooks/ folder: those are the "
                         "report sources kam build runs")
    return path


def _writable(workdir: Path) -> None:
    """Refuse, in one line and before anything is copied, a work folder that is a file or
    cannot be written (read-only, no permission)."""
    if workdir.exists() and not workdir.is_dir():
        raise ValueError(f"{workdir} is a file, not a folder: give a folder for the course")
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        probe = workdir / f".kamkit-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise ValueError(f"{workdir}: cannot write there ({err.strerror or err}); choose a "
                         "folder you can write to, e.g. kam course start --dir ~/kam-course"
                         ) from None


def start(workdir: str | Path | None = None, *, source: str | Path = NOTEBOOKS) -> Started:
    """Copy the course into ``workdir`` once: missing notebooks are copied, none replaced."""
    workdir = _resolve_workdir(workdir)
    _writable(workdir)
    done = Started(workdir)
    for path in course_notebooks(source):
        target = workdir / path.name
        if target.exists():
            done.kept.append(path.name)
        else:
            shutil.copy2(path, target)
            done.copied.append(path.name)
    # to read and explore from the file browser; the notebooks load the kit's own data
    if (KIT / "README.md").exists() and not (workdir / "README.md").exists():
        shutil.copy2(KIT / "README.md", workdir / "README.md")
    if (KIT / "data").is_dir() and not (workdir / "data").exists():
        shutil.copytree(KIT / "data", workdir / "data")
    start_file(workdir)
    return done


def reset(name: str, workdir: str | Path | None = None, *,
          source: str | Path = NOTEBOOKS) -> tuple[Path, Path | None]:
    """Restore notebook ``name`` as shipped; the trainee's version is kept beside it.

    Returns the restored notebook and the kept copy (None if there was none).
    """
    workdir = _resolve_workdir(workdir)
    if not (workdir / PROGRESS_FILE).exists():
        raise FileNotFoundError(f"{workdir} is not a course work folder: run kam course start")
    _writable(workdir)
    stem = Path(name).stem
    shipped = [p for p in course_notebooks(source) if p.stem == stem or p.stem.startswith(
        f"{stem}_")]
    if len(shipped) != 1:
        names = ", ".join(p.stem for p in course_notebooks(source))
        raise ValueError(f"no single course notebook {name!r}; choose from {names}")
    target = workdir / shipped[0].name
    kept = None
    if target.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = _free_name(target, f"before-reset-{stamp}")
        os.replace(target, kept)
    shutil.copy2(shipped[0], target)
    return target, kept


def running_as_root() -> bool:
    """True when this process runs as root (a container, often): JupyterLab then needs
    ``allow_root``, else it exits at once."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _free_name(target: Path, tag: str) -> Path:
    """``target`` renamed with ``tag`` (then -2, -3, ...): a name no file has yet, so two
    resets in one second keep both copies."""
    for n in range(1, 10_000):
        kept = target.with_name(f"{target.stem}.{tag}{'' if n == 1 else f'-{n}'}.ipynb")
        try:
            kept.touch(exist_ok=False)  # claimed at once: a second reset cannot take it too
        except FileExistsError:
            continue
        return kept
    raise FileExistsError(f"no free name for a copy of {target.name} in {target.parent}")


def lab_command(workdir: str | Path | None = None) -> tuple[list[str], dict[str, str]]:
    """The command that opens JupyterLab on the work folder, and its environment.

    JupyterLab starts without its news pop-up, and with ``allow_root`` when run as root.
    The environment puts this Python's scripts folder (where ``kam`` is) first on PATH, so
    ``kam`` works in a JupyterLab terminal without activating the virtual environment.
    """
    workdir = _resolve_workdir(workdir)
    scripts = sysconfig.get_path("scripts")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")]).rstrip(os.pathsep)
    env["KAMKIT_COURSE"] = str(workdir)
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workdir}",
            *QUIET_LAB]
    if running_as_root():  # JupyterLab refuses to start as root unless told to
        argv.append("--ServerApp.allow_root=True")
    if (workdir / FIRST).exists():
        argv.append(str(workdir / FIRST))
    return argv, env


def launch(workdir: str | Path | None = None) -> int:  # pragma: no cover - opens a server
    """Open JupyterLab on the work folder; returns its exit code."""
    argv, env = lab_command(workdir)
    return subprocess.call(argv, env=env, cwd=str(_resolve_workdir(workdir)))
