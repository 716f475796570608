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

__all__ = ["Exercise", "Solution", "Worked", "MODULES", "exercise", "exercises", "find",
           "check", "worked", "show_solution", "progress", "LADDER"]

LADDER = 3  # the wrong try at which a check offers the solution

MODULES = {  # module number -> (title, the files holding its EXERCISES, in course order)
    "02": ("pandas in ten cells", "kamlib.exercises.primer"),
    "10": ("Concentration", "kamlib.exercises.concentration"),
    "11": ("ABC-XYZ", "kamlib.exercises.abcxyz"),
    "12": ("Customer profiles and RFM", "kamlib.exercises.profiles"),
    "13": ("Profitability", "kamlib.exercises.profitability", "kamlib.exercises.lifetime",
           "kamlib.exercises.spend"),
    "14": ("Account planning", "kamlib.exercises.planning", "kamlib.exercises.planning_interact",
           "kamlib.exercises.proposals"),
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
    steps: str = ""  # the method in words: the second, more specific hint after a wrong try

    @property
    def module(self) -> str:
        return self.id.split(".")[0]


def exercises(module: str | None = None) -> list[Exercise]:
    """Every exercise of the course (or of one module), in course order."""
    found = []
    for number, (_, *paths) in MODULES.items():
        if module is None or module == number:
            for path in paths:
                found += importlib.import_module(path).EXERCISES
    return found


def find(exercise_id: object) -> Exercise | None:
    """The exercise with this id, read kindly ("2.1" and 2.1 are "02.1"); None if none.

    >>> find("2.1").id, find(10.1).id, find(" 11.2 ").id, find("9.9")
    ('02.1', '10.1', '11.2', None)
    """
    text = str(exercise_id).strip()
    module, _, number = text.partition(".")
    wanted = {text, f"{module.zfill(2)}.{number}"}
    return next((ex for ex in exercises() if ex.id in wanted), None)


def exercise(exercise_id: str) -> Exercise:
    """The exercise with this id; a plain error naming the ids there are otherwise."""
    found = find(exercise_id)
    if found is None:
        known = ", ".join(ex.id for ex in exercises())
        raise KeyError(f"no exercise {exercise_id!r}; the course has {known}")
    return found


def _unknown(exercise_id: object) -> Feedback:
    known = ", ".join(ex.id for ex in exercises())
    return Feedback(False, f"There is no exercise {str(exercise_id)!r}. Give the number shown "
                           f"in the exercise's title, in quotes, e.g. \"10.1\". The course has "
                           f"{known}.")


@dataclass(frozen=True)
class Worked:
    """The worked example's data, to recognise an answer built from it instead of the
    practice data: ``data`` and ``options`` as the check takes them, ``name`` as the
    notebook calls them, ``instead`` the practice data's name."""

    data: tuple
    options: dict
    name: str
    instead: str

    def said(self) -> str:
        return (f"You used the worked example's data ({self.name}) instead of the practice "
                f"data ({self.instead}): the exercise asks about {self.instead}. Build your "
                f"answer from {self.instead}.")


def worked(*data, name: str = "the worked example's table", instead: str = "practice",
           **options) -> Worked:
    """The worked example's data for :func:`check`'s ``example``: ``check("10.1", my_table,
    practice, example=worked(totals, name="totals"))``."""
    return Worked(data, options, name, instead)


def _ids(frame: object) -> set | None:
    if isinstance(frame, pd.DataFrame):
        if "account_id" in frame.columns:
            return set(frame["account_id"].astype(str))
        if "account_id" in (frame.index.names or []):
            return set(frame.index.get_level_values("account_id").astype(str))
    return None


def _from_example(ex: Exercise, answer: object, data: tuple, options: dict,
                  example: Worked) -> bool:
    """True when ``answer`` is built from the worked example's data, not the practice data:
    right for the example's data, or with exactly the example's accounts."""
    try:
        if ex.check(answer, *example.data, **{**options, **example.options}).ok:
            return True
    except Exception:  # noqa: BLE001 - a check never raises; this is only a second look
        return False
    mine = _ids(answer)
    theirs = next((ids for ids in map(_ids, example.data) if ids is not None), None)
    practice = next((ids for ids in map(_ids, data) if ids is not None), None)
    return bool(mine and theirs and mine == theirs and mine != practice)


_WRONG_TRIES: dict[str, int] = {}  # exercise id -> wrong tries since the last right one


def _ladder(ex: Exercise, feedback: Feedback) -> Feedback:
    """The hint of the n-th wrong try in a row: the check's hint, then also the method
    (``steps``), then also where to find the solution."""
    tries = _WRONG_TRIES[ex.id] = _WRONG_TRIES.get(ex.id, 0) + 1
    message = feedback.message
    if tries >= 2 and ex.steps:
        message += f"\nMore help: {ex.steps}"
    if tries >= LADDER:
        message += (f"\nStill stuck? Run show_solution(\"{ex.id}\") in a new cell: it shows "
                    "a solution to read, or to paste into your answer cell.")
    return Feedback(False, message)


def check(exercise_id: str, answer: object, *data, example: Worked | None = None,
          **options) -> Feedback:
    """Check ``answer`` to exercise ``exercise_id`` and record the result in the progress file.

    ``data`` and ``options`` go to the exercise's check (the frames the answer is made from);
    ``example`` (:func:`worked`) is the worked example's data, to say so when the answer was
    built from it. A second wrong try in a row adds the method to the hint, a third where
    to find the solution.
    """
    ex = find(exercise_id)
    if ex is None:
        return _unknown(exercise_id)
    feedback = ex.check(answer, *data, **options)
    if feedback.answered and not feedback.ok:
        if example is not None and _from_example(ex, answer, data, options, example):
            feedback = Feedback.hint(example.said())
        feedback = _ladder(ex, feedback)
    elif feedback.ok:
        _WRONG_TRIES.pop(ex.id, None)
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


def show_solution(exercise_id: str) -> Solution | Feedback:
    """The solution of one exercise, to read or paste; it runs nothing by itself."""
    ex = find(exercise_id)
    if ex is None:
        return _unknown(exercise_id)
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
