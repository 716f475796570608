"""Progress through the course, kept in the trainee's work folder and nowhere else.

``kam course start`` writes an empty :data:`PROGRESS_FILE` into the work folder; a check run
in a notebook inside that folder records its result there. Anywhere else (the kit's own
``notebooks/``, a ``kam build``) nothing is written: the file is looked for from the current
folder upwards, and without it checks only answer.

Examples
--------
>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> before = os.getcwd(); os.chdir(folder)
>>> record("10.1", True) is None            # not a work folder: nothing written
True
>>> start_file(folder).name
'.kamkit-progress.json'
>>> record("10.1", False); record("10.1", True)
>>> load()["10.1"]["attempts"], load()["10.1"]["ok"]
(2, True)
>>> os.chdir(before)
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

__all__ = ["PROGRESS_FILE", "Progress", "progress_file", "start_file", "record",
           "record_solution_shown", "load"]

PROGRESS_FILE = ".kamkit-progress.json"


def progress_file(start: str | Path | None = None) -> Path | None:
    """The progress file of the work folder ``start`` (default: cwd) is in, if any."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROGRESS_FILE).is_file():
            return folder / PROGRESS_FILE
    return None


def start_file(workdir: str | Path) -> Path:
    """Make ``workdir`` a work folder: an empty progress file unless it has one."""
    path = Path(workdir) / PROGRESS_FILE
    if not path.exists():
        _write(path, {"exercises": {}})
    return path


def _write(path: Path, data: dict) -> None:
    # two notebooks may record at once: write whole files, replaced in one rename
    fd, tmp = tempfile.mkstemp(prefix=".progress-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data.get("exercises"), dict) else {"exercises": {}}
    except (OSError, ValueError, AttributeError):
        return {"exercises": {}}  # a damaged file starts over rather than stopping a check


def load(start: str | Path | None = None) -> dict[str, dict]:
    """Exercise id -> {"ok", "attempts", "last", "solution_shown"} from the progress file."""
    path = progress_file(start)
    return _read(path)["exercises"] if path else {}


def _update(exercise_id: str, change) -> None:
    path = progress_file()
    if path is None:
        return None
    data = _read(path)
    entry = data["exercises"].setdefault(exercise_id, {"ok": False, "attempts": 0})
    change(entry)
    entry["last"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        _write(path, data)
    except OSError:
        pass  # a read-only folder loses the record, never the check's answer
    return None


def record(exercise_id: str, ok: bool) -> None:
    """Count one answered check; ``ok`` stays True once an exercise was solved."""
    def change(entry: dict) -> None:
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["ok"] = bool(entry.get("ok")) or bool(ok)
    return _update(exercise_id, change)


def record_solution_shown(exercise_id: str) -> None:
    return _update(exercise_id, lambda entry: entry.update(solution_shown=True))


class Progress:
    """The course's exercises with their status; a table in a notebook, text elsewhere."""

    def __init__(self, table: pd.DataFrame, recording: Path | None):
        self.table, self.recording = table, recording

    @property
    def done(self) -> int:
        return int(self.table["status"].str.startswith("done").sum())

    def _headline(self) -> str:
        head = f"{self.done} of {len(self.table)} exercises done."
        if self.recording is None:
            head += (" Progress is recorded only in your own copy of the course: run "
                     "`kam course start` (or `make lab`) and work there.")
        return head

    def __str__(self) -> str:
        return self._headline() + "\n" + self.table.to_string(index=False)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        head = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self._headline()))
        return f"<p>{head}</p>" + self.table.to_html(index=False)
