"""Lists exported for people to open in Excel, with formula injection neutralised.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (a tab, carriage return or NUL first can smuggle one in too), so an account named
``=HYPERLINK("http://evil","x")`` becomes a live link. Following OWASP's advice, such text
cells get a leading apostrophe; numbers, dates and booleans are never touched, so a
negative revenue stays a number. A spreadsheet may also split a cell: on a tab, on the
locale's list separator (``,`` or ``;``, ``،`` in Arabic locales), a pipe or a line break
when the text is pasted or imported. So a sign right after any such separator (blanks
between allowed) gets an apostrophe too: ``Acme\t=1+1`` becomes ``Acme\t'=1+1``.

Examples
--------
>>> import pandas as pd
>>> neutralise(pd.DataFrame({"name": ["=1+1", "Acme"], "revenue": [-5.0, 3.0]}))
    name  revenue
0  '=1+1     -5.0
1   Acme      3.0
"""

from __future__ import annotations

import base64
import html
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import pandas as pd

__all__ = ["neutralise", "safe_export", "download_link", "FORMULA_STARTS", "SEPARATORS",
           "ZIP_ABOVE"]

# OWASP's list, plus a line feed and the full-width signs some spreadsheets also accept
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d",
                  "\uff20")


# where a spreadsheet may split one cell into several (tab, list separators of every locale,
# pipe, line breaks, their full-width forms); a sign after one starts a cell of its own
SEPARATORS = "\t,;|\r\n\u060c\u061b\uff0c\uff1b\uff5c\u3001"
_AFTER_SEPARATOR = re.compile("([" + re.escape(SEPARATORS) + "][ \u00a0\u3000]*)(["
                              + re.escape("".join(FORMULA_STARTS[:4] + FORMULA_STARTS[8:]))
                              + "])")

# control characters a workbook cannot hold (openpyxl refuses them): dropped first, so
# one of them cannot hide the sign behind it
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _neutral(value: object) -> object:
    if not isinstance(value, str):
        return value
    # a sign after a separator: guarded where the spreadsheet would split the cell
    value = _AFTER_SEPARATOR.sub(r"\1'\2", value)
    bare = _CONTROL.sub("", value)
    # a value that starts with a NUL or tab is guarded even when nothing follows the sign
    return "'" + bare if bare.startswith(FORMULA_STARTS) or value.startswith(FORMULA_STARTS) \
        else value


def _printable(value: object) -> object:
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def _texts(values: pd.Series | pd.Index) -> bool:
    """Whether ``values`` can hold text (object, string or categorical of either)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _labels(index: pd.Index, fn: Callable[[object], object]) -> pd.Index:
    """``index`` with ``fn`` applied to its labels and names, every level of a MultiIndex too.

    Exported with ``index=True`` (and always, for the header row) they are cells like any
    other: an index named ``=cmd`` lands in A1.
    """
    names = [fn(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        if not len(index):
            return index.set_names(names)
        return pd.MultiIndex.from_tuples([tuple(fn(v) for v in t) for t in index], names=names)
    if not _texts(index):
        return index.set_names(names)
    return pd.Index([fn(v) for v in index], dtype=object, name=names[0])


def _map_text(frame: pd.DataFrame, fn: Callable[[object], object]) -> pd.DataFrame:
    """A copy of ``frame`` with ``fn`` applied to every text cell a spreadsheet will show."""
    out = frame.copy()
    for i in range(out.shape[1]):  # by position: column labels may repeat
        values = out.iloc[:, i]
        if _texts(values):
            out.isetitem(i, values.astype(object).map(fn, na_action="ignore"))
    out.columns = _labels(out.columns, fn)
    out.index = _labels(out.index, fn)
    return out


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot be read as formulas; labels included.

    Every cell a spreadsheet will show counts: values (categorical ones too), column labels,
    index labels and the names of both, at every level of a MultiIndex.
    """
    return _map_text(frame, _neutral)


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
        # CRLF ends a record, so a CR or LF inside a value is quoted (with "\n" alone a bare
        # CR would split the record and start a new cell with what follows it)
        clean.to_csv(path, index=index, encoding="utf-8", lineterminator="\r\n")
    elif suffix == ".xlsx":  # a workbook cannot hold control characters at all
        _map_text(clean, _printable).to_excel(path, index=index, engine="openpyxl")
    else:
        raise ValueError(f"safe_export: {path.name}: use a .csv or .xlsx file name")
    return path


ZIP_ABOVE = 2_000_000  # bytes: a larger list is offered zipped (a CSV shrinks 5-10 times)


def download_link(frame: pd.DataFrame, file_name: str, text: str) -> str:
    """An HTML link that downloads ``frame`` as ``file_name`` (.csv or .xlsx), written by
    :func:`safe_export` and carried inside the page: a report offers its full list without
    writing a file anywhere.

    A CSV larger than :data:`ZIP_ABOVE` is offered as a .zip file holding it, and the link
    says so: the win-back list of 250,000 customers made a 38 MB page, zipped it adds 6 MB.

    >>> link = download_link(pd.DataFrame({"name": ["=1+1"]}), "list.csv", "the list")
    >>> link.startswith('<a download="list.csv" href="data:text/csv;base64,')
    True
    >>> base64.b64decode(link.split("base64,")[1].split('"')[0]).decode().splitlines()
    ['name', "'=1+1"]
    """
    kinds = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument"
             ".spreadsheetml.sheet"}
    suffix = Path(file_name).suffix.lower()
    if suffix not in kinds or Path(file_name).name != file_name:
        raise ValueError(f"download_link: {file_name!r}: a plain .csv or .xlsx file name")
    with tempfile.TemporaryDirectory() as folder:
        data = safe_export(frame, Path(folder) / f"export{suffix}").read_bytes()
    kind = kinds[suffix]
    if suffix == ".csv" and len(data) > ZIP_ABOVE:
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(file_name, data)
        data, kind = packed.getvalue(), "application/zip"
        text = f"{text}: a .zip file of {len(data) / 1e6:.1f} MB holding {file_name}"
        file_name = f"{Path(file_name).stem}.zip"
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a download="{html.escape(file_name)}" href="data:{kind};base64,'
            f'{encoded}">{html.escape(text)}</a>')
