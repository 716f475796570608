"""The course's exercises by id ("10.1"): task, check, solution; solutions only on request.

Each module file in this package lists its exercises in ``EXERCISES``; :data:`MODULES` maps
a module number (the notebook's number) to that file. A notebook calls :func:`check` after
the answer cell, and a trainee who is stuck calls :func:`show_solution` in a cell of their
own: no solution code sits in a notebook cell that Run All could execute.

Examples
--------
>>> exercise("10.1").answer
'my_table'
>>> print(check("10.1", None))
Not answered yet: replace None in the answer cell with your answer, run that cell, then run this check again.
>>> print(show_solution("10.3"))  # doctest: +ELLIPSIS
Solution 10.3: ...
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kamlib.exercises import tracking as _progress
from kamlib.exercises.feedback import Feedback

__all__ = ["Exercise", "Solution", "MODULES", "exercise", "exercises", "check",
           "show_solution", "progress"]

MODULES = {  # module number -> (title, the file holding its EXERCISES)
    "02": ("pandas in ten cells", "kamlib.exercises.primer"),
    "10": ("Concentration", "kamlib.exercises.concentration"),
    "11": ("ABC-XYZ", "kamlib.exercises.abcxyz"),
    "12": ("Customer profiles and RFM", "kamlib.exercises.profiles"),
    "13": ("Profitability", "kamlib.exercises.profitability"),
    "14": ("Account planning", "kamlib.exercises.planning"),
    "15": ("Relationships", "kamlib.exercises.relationships"),
    "16": ("Retention and loyalty", "kamlib.exercises.retention"),
}


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``id`` is "<module>.<n>"; ``answer`` the variable the trainee fills."""

    id: str
    title: str
    answer: str
    check: Callable[..., Feedback]
    solution: str  # code, run after the answer cell's imports
    precision: str = ""  # e.g. "three decimals"; stated in the task and enforced by the check

    @property
    def module(self) -> str:
        return self.id.split(".")[0]


def exercises(module: str | None = None) -> list[Exercise]:
    """Every exercise of the course (or of one module), in course order."""
    found = []
    for number, (_, path) in MODULES.items():
        if module is None or module == number:
            found += importlib.import_module(path).EXERCISES
    return found


def exercise(exercise_id: str) -> Exercise:
    """The exercise with this id; a plain error naming the ids there are otherwise."""
    for ex in exercises():
        if ex.id == str(exercise_id):
            return ex
    known = ", ".join(ex.id for ex in exercises())
    raise KeyError(f"no exercise {exercise_id!r}; the course has {known}")


def check(exercise_id: str, answer: object, *data, **options) -> Feedback:
    """Check ``answer`` to exercise ``exercise_id`` and record the result in the progress file.

    ``data`` and ``options`` go to the exercise's check (the frames the answer is made from).
    """
    ex = exercise(exercise_id)
    feedback = ex.check(answer, *data, **options)
    if feedback.answered:
        _progress.record(ex.id, feedback.ok)
    return feedback


@dataclass(frozen=True)
class Solution:
    """A solution's code, shown as a highlighted block in a notebook and as text elsewhere."""

    exercise: Exercise

    def __str__(self) -> str:
        return f"Solution {self.exercise.id}: {self.exercise.title}\n\n{self.exercise.solution}"

    def _repr_markdown_(self) -> str:
        return (f"**Solution {self.exercise.id}: {html.escape(self.exercise.title)}**. Read it, "
                f"or paste it into your answer cell under the imports and run the check.\n\n"
                f"```python\n{self.exercise.solution}\n```")


def show_solution(exercise_id: str) -> Solution:
    """The solution of one exercise, to read or paste; it runs nothing by itself."""
    ex = exercise(exercise_id)
    _progress.record_solution_shown(ex.id)
    return Solution(ex)


def progress(start: str | Path | None = None) -> _progress.Progress:
    """Which exercises of which module are done, tried or not started yet.

    Examples
    --------
    >>> p = progress("/")
    >>> list(p.table.columns), p.done
    (['module', 'exercise', 'title', 'status'], 0)
    """
    seen = _progress.load(start)
    rows = []
    for ex in exercises():
        entry = seen.get(ex.id, {})
        tries = int(entry.get("attempts", 0))
        status = ("done" if entry.get("ok") else
                  f"tried {tries} time{'s' * (tries != 1)}" if tries else "not started")
        if entry.get("solution_shown"):
            status += " (solution shown)"
        rows.append({"module": f"{ex.module} {MODULES[ex.module][0]}", "exercise": ex.id,
                     "title": ex.title, "status": status})
    return _progress.Progress(pd.DataFrame(rows, columns=["module", "exercise", "title",
                                                          "status"]),
                              _progress.progress_file(start))
