"""What report notebooks display: headline figures, thumbnails and escaped tables.

A notebook records each headline figure with :func:`headline`. The figure is shown as a
card and also carried, machine-readable, under the MIME type :data:`HEADLINE_MIME`, which
``kam build`` reads from the executed notebook to fill the index page (nothing is scraped
from HTML). :func:`thumbnail` records a small chart for the index the same way
(:data:`THUMBNAIL_MIME`), figures only. :func:`safe_table` is the one way notebooks show
styled tables: pandas' ``Styler`` does not escape cell text by default, so an account
named ``<script>`` would run in the report.

Examples
--------
>>> import pandas as pd
>>> bundle = headline_bundle("vital_few_share", 0.143, "of accounts make 80% of revenue",
...                          fmt="{:.1%}")
>>> bundle[HEADLINE_MIME]["text"]
'14.3%'
>>> "<script>" in safe_table(pd.DataFrame({"name": ["<script>"]})).to_html()
False
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd
from pandas.io.formats.style import Styler

from kamlib.report.labels import column_label
from kamlib.report.thumbnails import thumbnail_problem

__all__ = ["how_computed", "HEADLINE_MIME", "THUMBNAIL_MIME", "WHOLE_WINDOW", "LAST_12_MONTHS", "headline",
           "headline_bundle", "thumbnail", "thumbnail_bundle", "safe_table", "window_label"]

HEADLINE_MIME = "application/vnd.kamkit.headline+json"
THUMBNAIL_MIME = "application/vnd.kamkit.thumbnail+json"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# the periods a headline figure can cover: the index compares a figure with the previous
# build's only over the same period, and never a whole-window total (its length grows)
WHOLE_WINDOW = "whole window"
LAST_12_MONTHS = "last 12 months"


def window_label(start: object, end: object) -> str:
    """How a whole-window figure says its period.

    >>> window_label("2023-01-01", "2025-12-31")
    '(whole window, 2023-01-01 to 2025-12-31)'
    """
    return f"(whole window, {start} to {end})"


def headline_bundle(key: str, value: float | int | str, label: str, *,
                    fmt: str = "{:,}", period: str = "") -> dict[str, object]:
    """The display bundle of one headline figure: machine-readable JSON plus an HTML card.

    Parameters
    ----------
    key : str
        Stable snake_case name, e.g. ``"vital_few_share"``; the index keys on it.
    value : number or str
        The figure itself, unformatted (a share as 0.143, not "14.3%").
    label : str
        What the figure means, in words, shown after it.
    fmt : str
        ``str.format`` pattern for the shown text, e.g. ``"{:.1%}"``.
    period : str
        What the figure covers: ``""`` a state at the as-of date (a count of accounts),
        :data:`LAST_12_MONTHS` (compared with the previous build's last 12 months), or
        :data:`WHOLE_WINDOW` (a total over the analysis window, whose length changes from
        build to build: never shown as a movement; say the window in the label, see
        :func:`window_label`).

    >>> headline_bundle("r", 1.0, "x", period=WHOLE_WINDOW)[HEADLINE_MIME]["period"]
    'whole window'
    """
    if not _KEY.match(key):
        raise ValueError(f"headline key {key!r} must be snake_case (a-z, 0-9, _)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"headline {key!r} is {value}: a report must not publish it")
    text = fmt.format(value)
    card = (f"<div class='kamkit-headline' style='margin:.4em 0'><span style='font-size:1.6em;"
            f"font-weight:600'>{html.escape(text)}</span> {html.escape(label)}</div>")
    plain = value.item() if hasattr(value, "item") else value  # numpy scalars -> JSON
    record = {"key": key, "value": plain, "text": text, "label": label, "fmt": fmt}
    if period:
        record["period"] = str(period)
    return {HEADLINE_MIME: record,
            "text/html": card, "text/plain": f"{text} {label}"}


def headline(key: str, value: float | int | str, label: str, *, fmt: str = "{:,}",
             period: str = "") -> None:
    """Show a headline figure and record it for the report index (see :func:`headline_bundle`).

    Examples
    --------
    >>> headline("accounts", 1500, "accounts in the data")  # doctest: +SKIP
    """
    from IPython.display import display

    display(headline_bundle(key, value, label, fmt=fmt, period=period), raw=True)


def thumbnail_bundle(kind: str, data: dict, label: str) -> dict[str, object]:
    """The display bundle of a small chart for the index: machine-readable JSON only.

    Parameters
    ----------
    kind : {"sparkline", "curve", "matrix", "bars"}
        How the index draws it (:mod:`kamlib.report.thumbnails`).
    data : dict
        Aggregated figures only, as :mod:`kamlib.report.thumbnail_data` makes them; never
        an account's name or id.
    label : str
        What the chart shows, e.g. ``"Monthly revenue (EUR)"``.

    Raises
    ------
    ValueError
        If the index could not draw it, saying why (a NaN, a list too long, ...).

    Examples
    --------
    >>> thumbnail_bundle("bars", {"labels": ["a"], "values": [1.0]}, "Share")[THUMBNAIL_MIME]
    {'kind': 'bars', 'label': 'Share', 'data': {'labels': ['a'], 'values': [1.0]}}
    >>> thumbnail_bundle("pie", {}, "x")
    Traceback (most recent call last):
    ValueError: thumbnail 'x': kind 'pie' is not one of sparkline, curve, matrix, bars
    """
    thumb = {"kind": kind, "label": label, "data": data}
    problem = thumbnail_problem(thumb)
    if problem:
        raise ValueError(f"thumbnail {label!r}: {problem}")
    # the page itself shows the full chart: the thumbnail is for the index only
    return {THUMBNAIL_MIME: thumb, "text/html": ""}


def thumbnail(kind: str, data: dict, label: str) -> None:
    """Record a small chart for the report index (see :func:`thumbnail_bundle`).

    Examples
    --------
    >>> thumbnail("sparkline", {"values": [1.0, 2.0]}, "Revenue")  # doctest: +SKIP
    """
    from IPython.display import display

    display(thumbnail_bundle(kind, data, label), raw=True)


def safe_table(frame: pd.DataFrame | Styler, *, precision: int = 2,
               formats: dict[str, str] | None = None, hide_index: bool = True,
               total: int | None = None, export: str | None = None) -> Styler:
    """A ``Styler`` of ``frame`` with every cell, index and column label HTML-escaped.

    Parameters
    ----------
    frame : DataFrame or Styler
        A styled table keeps its styles; escaping is added on top.
    precision : int
        Decimals for floats without an entry in ``formats``.
    formats : dict, optional
        Column -> format string, e.g. ``{"share": "{:.1%}"}``.
    hide_index : bool
        Reports rarely want the 0..n-1 index.
    total, export : int and str, optional
        The rows of the whole list when ``frame`` shows only its top, and the file that
        holds them all: the table then says "30 of 214 shown; all in vital_few.xlsx".

    Column headers are shown in words (:func:`kamlib.report.labels.column_label`): no
    snake_case reaches a page.

    Examples
    --------
    >>> s = safe_table(pd.DataFrame({"account": ["A&B <Ltd>"], "share": [0.5]}),
    ...                formats={"share": "{:.0%}"})
    >>> "A&amp;B &lt;Ltd&gt;" in s.to_html(), "50%" in s.to_html()
    (True, True)
    >>> "2 of 214 shown; all in few.xlsx" in safe_table(pd.DataFrame({"a_b": [1, 2]}),
    ...                                                  total=214, export="few.xlsx").to_html()
    True
    """
    styler = frame if isinstance(frame, Styler) else frame.style
    styler = styler.format(precision=precision, thousands=",", escape="html", na_rep="")
    if formats:
        # format() with a subset replaces the escaping for those columns: add it back
        styler = styler.format(formats, escape="html", na_rep="")
    styler = styler.format_index(escape="html", axis=0).format_index(
        column_label, escape="html", axis=1)
    data = styler.data
    if total is not None and total > len(data):
        where = f"; all in {html.escape(export)}" if export else ""
        styler = styler.set_caption(f"{len(data):,} of {total:,} shown{where}")
    text = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    if text:  # notebook CSS right-aligns every cell: words read better from the left
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    # tables.js in the report template makes every kamkit-table sortable and searchable
    attributes = styler.table_attributes or ""
    if "kamkit-table" not in attributes:
        styler = styler.set_table_attributes(f'{attributes} class="kamkit-table"'.strip())
    return styler.hide(axis="index") if hide_index else styler


def how_computed(rules: dict[str, str], notes: list[str] | tuple[str, ...] = (),
                 title: str = "How this was computed") -> object:
    """The rules behind a page's figures, collapsed under ``title`` (a ``<details>``): the
    one place a leadership page may name settings and columns. Names are shown in words
    (:func:`kamlib.report.labels.column_label`), everything escaped.

    >>> how_computed({"share_of_wallet": "revenue / wallet"}, ["a note"]).data[:60]
    "<details class='kamkit-how'><summary>How this was computed</"
    """
    from IPython.display import HTML

    items = "".join(f"<li><b>{html.escape(column_label(k))}</b>: {html.escape(str(v))}</li>"
                    for k, v in rules.items())
    items += "".join(f"<li>{html.escape(str(n))}</li>" for n in notes if n)
    return HTML(f"<details class='kamkit-how'><summary>{html.escape(title)}</summary>"
                f"<ul>{items}</ul></details>")
