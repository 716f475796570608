"""The trainee's answer as the checks read it, and the words the hints use for it.

A right answer is right whatever pandas type it comes in: scores from ``pd.qcut`` are
categories, ids read from a file may be numbers or text, a count may be a numpy integer.
:func:`normalise` turns every such answer into the plain form the checks compare (categories
into their values, account ids into the data's own type), so no check needs to know.
The hints speak the trainee's words: :func:`describe` says "a piece of text", never "str";
:func:`number` never writes scientific notation; :func:`two_numbers` prints two different
numbers so that they read differently.

Examples
--------
>>> describe("Banking"), describe(3), describe([1, 2])
('a piece of text', 'a number', 'a list')
>>> number(1.74952e8), number(0.000012)
('174,952,000', '0.000012')
>>> two_numbers(0.88012, 0.88049)
('0.8801', '0.8805')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["normalise", "describe", "column_kind", "number", "two_numbers"]


def _plain(column: pd.Series) -> pd.Series:
    """Categories as their values: numbers when every category is a number."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        values = pd.Series(np.asarray(column.astype(object)), index=column.index,
                           name=column.name)
        as_numbers = pd.to_numeric(values, errors="coerce")
        if as_numbers.notna().sum() == values.notna().sum():
            return as_numbers
        return values
    return column


def _same_ids(mine: pd.Series, ids: pd.Series) -> pd.Series:
    """``mine`` in the type of ``ids`` when the two agree as text (001 read as 1 excepted)."""
    if mine.dtype == ids.dtype:
        return mine
    text = mine.astype(str)
    known = pd.Index(ids.astype(str))
    if text.isin(known).all():
        return pd.Series(ids.to_numpy()[known.get_indexer(text)], index=mine.index,
                         name=mine.name)
    return mine


def normalise(answer: object, data: tuple = (), account: str = "account_id") -> object:
    """``answer`` with categories as plain values, numpy scalars as Python numbers and the
    account ids in the type of the first data frame's ids.

    Examples
    --------
    >>> scores = pd.DataFrame({"account_id": [1, 2], "r": pd.Categorical([5, 1])})
    >>> ids = pd.DataFrame({"account_id": ["1", "2"]})
    >>> fixed = normalise(scores, (ids,))
    >>> fixed["r"].tolist(), fixed["account_id"].tolist()
    ([5, 1], ['1', '2'])
    """
    if isinstance(answer, np.generic) and not isinstance(answer, np.bool_):
        return answer.item()
    if isinstance(answer, pd.Series):
        answer = _plain(answer)
        reference = _first_ids(data, account)
        if reference is not None and answer.index.dtype != reference.dtype:
            index = _same_ids(pd.Series(answer.index), reference)
            answer = answer.set_axis(pd.Index(index, name=answer.index.name))
        return answer
    if not isinstance(answer, pd.DataFrame):
        return answer
    columns = getattr(answer, "columns", None)
    if columns is None or not columns.is_unique:
        return answer
    fixed = answer.copy()
    for name in fixed.columns:
        fixed[name] = _plain(fixed[name])
    reference = _first_ids(data, account)
    if reference is not None and account in fixed.columns:
        fixed[account] = _same_ids(fixed[account], reference)
    return fixed


def _first_ids(data: tuple, account: str) -> pd.Series | None:
    for frame in data:
        if isinstance(frame, pd.DataFrame) and account in frame.columns:
            return frame[account]
    return None


def describe(answer: object) -> str:
    """What ``answer`` is, in words a trainee uses (no Python type names).

    >>> describe(pd.Series([1.0])), describe(pd.DataFrame()), describe(None)
    ('a single column', 'a table', 'nothing (None)')
    """
    if answer is None:
        return "nothing (None)"
    if isinstance(answer, (bool, np.bool_)):
        return "True or False"
    if isinstance(answer, (int, float, np.number)):
        return "a number"
    if isinstance(answer, str):
        try:
            float(answer)
        except ValueError:
            return "a piece of text"
        return f"the number written as text ({answer!r}): leave out the quotes"
    if isinstance(answer, pd.DataFrame):
        return "a table"
    if isinstance(answer, pd.Series):
        return "a single column"
    if isinstance(answer, (list, tuple)):
        return "a list"
    if isinstance(answer, dict):
        return "a dictionary"
    if isinstance(answer, np.ndarray):
        return "an array of numbers"
    return "something else"


def column_kind(column: pd.Series) -> str:
    """What a column holds, in words: "text", "dates", "time spans", "True/False", ...

    >>> column_kind(pd.Series(["a"])), column_kind(pd.Series(pd.to_datetime(["2025-01-01"])))
    ('text', 'dates')
    """
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "True/False values"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "dates"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "time spans"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numbers"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categories"
    return "text"


def number(x: float, decimals: int | None = None) -> str:
    """``x`` written out with thousands separators, never in scientific notation.

    Without ``decimals``: whole numbers from 1,000 up, else up to six significant digits.

    >>> number(12345.678), number(0.91634), number(-3.0), number(2.5, 1)
    ('12,346', '0.91634', '-3', '2.5')
    """
    x = float(x)
    if not np.isfinite(x):
        return "empty (NaN)" if np.isnan(x) else ("infinite" if x > 0 else "minus infinite")
    if decimals is None:
        if abs(x) >= 1000 or x == int(x):
            decimals = 0
        else:
            digits = int(np.floor(np.log10(abs(x)))) if x else 0
            decimals = max(0, 5 - digits)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def two_numbers(mine: float, right: float) -> tuple[str, str]:
    """Both numbers with the fewest decimals (from three) that tell them apart.

    >>> two_numbers(0.88, 0.88), two_numbers(1200.0, 1234.5)
    (('0.88', '0.88'), ('1,200', '1,234.5'))
    """
    for decimals in range(3, 9):
        a, b = number(mine, decimals), number(right, decimals)
        if a != b:
            return a, b
    return number(mine, 3), number(right, 3)
