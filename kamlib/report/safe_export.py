"""Lists exported for people to open in Excel, with formula injection neutralised.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (a tab, carriage return or NUL first can smuggle one in too), so an account named
``=HYPERLINK("http://evil","x")`` becomes a live link. Following OWASP's advice, such text
cells get a leading apostrophe; numbers, dates and booleans are never touched, so a
negative revenue stays a number.

Examples
--------
>>> import pandas as pd
>>> neutralise(pd.DataFrame({"name": ["=1+1", "Acme"], "revenue": [-5.0, 3.0]}))
    name  revenue
0  '=1+1     -5.0
1   Acme      3.0
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["neutralise", "safe_export", "FORMULA_STARTS"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def _neutral(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value.replace("\0", "")
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot be read as formulas; labels included."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            out[col] = values.map(_neutral, na_action="ignore")
    out.columns = [_neutral(c) for c in out.columns]
    if not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.map(_neutral)
    return out


def safe_export(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` (``.csv`` or ``.xlsx``) with text cells neutralised.

    Parameters
    ----------
    frame : DataFrame
        The list to export, e.g. the vital-few accounts.
    path : str or Path
        The suffix picks the format; the folder must exist.
    index : bool
        Whether to write the index as a column.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> p = safe_export(pd.DataFrame({"name": ["@SUM(A1)"]}), folder / "list.csv")
    >>> p.read_text().splitlines()
    ['name', "'@SUM(A1)"]
    """
    path = Path(path)
    clean = neutralise(frame)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        clean.to_csv(path, index=index, encoding="utf-8")
    elif suffix == ".xlsx":
        clean.to_excel(path, index=index, engine="openpyxl")
    else:
        raise ValueError(f"safe_export: {path.name}: use a .csv or .xlsx file name")
    return path
