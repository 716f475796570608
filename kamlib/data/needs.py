"""What a module needs from the data, and what to tell a reader when it is not there.

Only transactions are required; every other table, and every optional column, is used when a
company has it. A report notebook declares its needs in its metadata (``kamkit.needs``:
table -> columns); ``kam build`` runs it when they are met and otherwise lists it on the index
with :func:`unmet`'s words. Inside a page, a figure that needs an optional column is replaced
by a :class:`Notice` saying what is not shown and how to add it.

Examples
--------
>>> found = {"transactions": ["account_id", "date", "revenue"]}
>>> unmet({"activities": ["account_id", "date", "activity"]}, found)
['activities (add activities.csv, .xlsx or .parquet to the data folder, or map it in kam.toml: [tables.activities] file = "...")']
>>> unmet({"transactions": ["account_id", "revenue"]}, found)
[]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from kamlib.data.contract import TABLES

__all__ = ["unmet", "needs_sentence", "Notice", "not_shown", "NOTICE_MIME", "revenue_gap"]

NOTICE_MIME = "application/vnd.kamkit.notice+json"


def _add_table(table: str) -> str:
    return (f"add {table}.csv, .xlsx or .parquet to the data folder, or map it in kam.toml: "
            f"[tables.{table}] file = \"...\"")


def _add_columns(table: str, columns: list[str]) -> str:
    example = columns[0]
    return (f"map {'it' if len(columns) == 1 else 'them'} in kam.toml: [tables.{table}] "
            f"columns = {{ {example} = \"Your column\" }}")


def unmet(needs: dict[str, list[str]], tables: dict[str, list[str]]) -> list[str]:
    """What is missing for ``needs`` given the ``tables`` read (table -> columns found).

    One entry per missing table or per table with missing columns, each saying how to add it.
    Unknown table or column names in ``needs`` are a programming error and raise.
    """
    missing = []
    for table, columns in needs.items():
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r} in a module's needs")
        wrong = set(columns) - set(TABLES[table].names)
        if wrong:
            raise ValueError(f"{sorted(wrong)} are not columns of {table}")
        if table not in tables:
            missing.append(f"{table} ({_add_table(table)})")
            continue
        absent = [c for c in columns if c not in tables[table]]
        if absent:
            missing.append(f"{table} column{'s' if len(absent) > 1 else ''} "
                           f"{', '.join(absent)} ({_add_columns(table, absent)})")
    return missing


def revenue_gap(account_month) -> list[str]:
    """What a module that ranks or shares revenue (metadata ``kamkit.ranks``) lacks when no
    account has any (every line 0.00, or credit notes only): nothing to rank, share or divide
    by, so it is skipped with this note on the index, as for a missing table. Empty when
    there is revenue.

    >>> import pandas as pd
    >>> am = pd.DataFrame({"account_id": ["a", "b"], "revenue": [0.0, 0.0]})
    >>> revenue_gap(am)
    ['revenue above zero (no account has any: every one of the 2 accounts totals 0 or less)']
    >>> revenue_gap(am.assign(revenue=[5.0, -1.0]))
    []
    """
    totals = account_month.groupby("account_id")["revenue"].sum()
    if (totals > 0).any():
        return []
    return [f"revenue above zero (no account has any: every one of the {len(totals):,} "
            "accounts totals 0 or less)"]


def needs_sentence(title: str, missing: list[str]) -> str:
    """One sentence for the index and ``kam validate``: what a module needs and how to add it.

    Examples
    --------
    >>> needs_sentence("Profitability", ["activities (add activities.csv)"])
    'Profitability needs activities (add activities.csv).'
    """
    return f"{title} needs {'; and '.join(missing)}."


@dataclass(frozen=True)
class Notice:
    """A figure or table that is not shown, and why: renders in notebooks and HTML reports."""

    what: str
    missing: tuple[str, ...]
    reason: str = ""  # why, when it is not missing data (e.g. a package to install)

    def __str__(self) -> str:
        if self.reason:
            return f"{self.what} is not shown: {self.reason}"
        return f"{self.what} is not shown: the data has no {'; no '.join(self.missing)}."

    def plain(self) -> str:
        """What is not shown and why, in a reader's words: no file names or settings (those
        are in :meth:`how_to`)."""
        if self.reason:
            return str(self)
        missing = "; no ".join(plain_words(m) for m in self.missing)
        return f"{self.what} is not shown: the data has no {missing}."

    def how_to(self) -> str:
        """How an analyst adds what is missing (files, settings), or "" when nothing can."""
        return "; ".join(m.split(" (", 1)[1].rstrip(")") for m in self.missing if " (" in m)

    def _repr_html_(self) -> str:
        how = self.how_to()
        extra = (f"<details class='kamkit-how'><summary>How to add it</summary>"
                 f"{html.escape(how)}</details>" if how else "")
        return (f'<div class="kamkit-notice" style="border-left:4px solid #C44E52;'
                f'padding:.3rem .8rem;background:#fbf1f1"><p style="margin:0">'
                f'{html.escape(self.plain())}</p>{extra}</div>')

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # the machine-readable part lets the index list what each page could not show
        return {"text/plain": str(self), "text/html": self._repr_html_(),
                NOTICE_MIME: {"what": self.what, "missing": list(self.missing),
                              "text": self.plain(), "how": self.how_to()}}


def plain_words(missing: str) -> str:
    """A missing table or column in words, without the how-to in brackets.

    >>> plain_words('accounts column wallet_estimate (map it in kam.toml: ...)')
    'accounts column wallet estimate'
    """
    short = missing.split(" (", 1)[0]
    return re.sub(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", lambda m: m.group().replace("_", " "), short)


_HOW = re.compile(r"kam\.toml|\badd \w|\bmap (it|them)\b|pip install|\.csv\b")


def plain_and_how(text: str) -> tuple[str, str]:
    """A sentence that mixes what is missing with how to add it, split into the reader's part
    (without the brackets that say which file or setting to add, names in words) and the
    analyst's (the whole sentence, or "" when it said no file or setting).

    >>> plain_and_how("Profitability needs activities (add activities.csv).")
    ('Profitability needs activities.', 'Profitability needs activities (add activities.csv).')
    >>> plain_and_how("Module 10 needs revenue above zero (no account has any).")[1]
    ''
    """
    def drop(match: re.Match) -> str:
        return "" if _HOW.search(match.group()) else match.group()

    plain = re.sub(r"\s*\((?:[^()]|\([^()]*\))*\)", drop, text)
    plain = re.sub(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", lambda m: m.group().replace("_", " "), plain)
    return plain, (text if _HOW.search(text) else "")


def not_shown(tables: dict[str, list[str]], what: str, table: str,
              *columns: str) -> Notice | None:
    """A :class:`Notice` when ``table`` (with ``columns``) was not read, else None.

    Use as ``not_shown(ds.report.tables, "Revenue by product", "transactions", "product")
    or product_chart(...)``: the chart when the data has what it needs, the notice otherwise.

    Examples
    --------
    >>> print(not_shown({"transactions": ["account_id"]}, "Margin", "transactions", "cost"))
    Margin is not shown: the data has no transactions column cost (map it in kam.toml: [tables.transactions] columns = { cost = "Your column" }).
    >>> not_shown({"transactions": ["cost"]}, "Margin", "transactions", "cost") is None
    True
    """
    missing = unmet({table: list(columns)}, tables)
    return Notice(what, tuple(missing)) if missing else None
