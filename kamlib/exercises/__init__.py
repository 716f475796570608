"""The course exercises: checks that say *what* is wrong, solutions on request, progress.

A notebook's exercise has a task (markdown), an answer cell (``my_table = None  # your
answer``) and a check cell, ``check("10.1", my_table, practice)``. The check recomputes the
right answer with kamlib, compares, and when they differ names the typical mistake that fits
("you sorted ascending", "give three decimals"). It never raises. Solutions are code kept
here, shown by ``show_solution("10.1")`` in a cell the trainee adds; ``progress()`` lists
what is done; ``self_check("10.q1", "b")`` answers a question about the ideas. Each
module file (``concentration``, ``abcxyz``, ``primer``) holds its checks and its
``EXERCISES``: a new module copies that pattern and adds itself to
:data:`~kamlib.exercises.registry.MODULES`.

Examples
--------
>>> Feedback.correct()
Feedback(ok=True, message='')
>>> import pandas as pd
>>> totals = pd.DataFrame({"account_id": list("abcde"), "revenue": [60.0, 25, 10, 3, 2]})
>>> print(check("10.3", 40, totals))  # doctest: +ELLIPSIS
Not yet: You gave a percentage: give the share as a fraction ...
"""

from __future__ import annotations

from kamlib.exercises.feedback import Feedback, close
from kamlib.exercises.registry import (check, exercise, exercises, progress, show_solution,
                                       worked)
from kamlib.exercises.selfcheck import questions, self_check

__all__ = ["Feedback", "close", "check", "show_solution", "progress", "exercise", "exercises",
           "worked", "self_check", "questions"]

