"""Currency marks in amount columns: one currency per column, or an error.

Amounts written with a currency mark (``€ 100``, ``USD 100``, ``Rp 100``) are read with the
mark removed, a counted cleaning step. A column whose amounts carry several currencies (the
marks, and the configured currency for amounts without one) is an error: a sum of euros,
dollars and rupiahs is no number at all.

Examples
--------
>>> import duckdb, re
>>> [m.group(0) for m in re.finditer(CURRENCY, "€ 1, USD 2, Rp 3")]
['€', 'USD', 'Rp']
"""

from __future__ import annotations

__all__ = ["CURRENCY", "currency_of", "mixed_currencies"]

CURRENCY = r"[€$£¥₹]|\b(EUR|USD|GBP|IDR|Rp|CHF|JPY|CNY|INR|CAD|AUD|NZD|SGD|HKD)\b"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# the currencies each sign is written for, the likeliest first: a sign is read as the
# configured currency when it is one of them ("¥" is the yuan in a CNY report, the yen in
# a JPY or EUR one), else as the first; codes are themselves
_SIGNS = {"€": ("EUR",), "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"),
          "£": ("GBP",), "¥": ("JPY", "CNY"), "₹": ("INR",), "RP": ("IDR",)}


def currency_of(mark: str, configured: str) -> str:
    """The currency a mark found in an amount stands for, in a report in ``configured``.

    >>> currency_of("¥", "CNY"), currency_of("¥", "EUR"), currency_of("$", "AUD")
    ('CNY', 'JPY', 'AUD')
    >>> currency_of("Rp", "EUR"), currency_of("chf", "EUR")
    ('IDR', 'CHF')
    """
    mark, configured = mark.upper(), configured.upper()
    meant = _SIGNS.get(mark, (mark,))
    return configured if configured in meant else meant[0]


def mixed_currencies(con, table, raw, col, currency: str, report) -> bool:
    """An error (True) when the column's amounts are written in several currencies: the
    marks found, and the configured currency for amounts without one. Summing them would
    add euros to dollars."""
    rows = con.execute(f"SELECT upper(regexp_extract({col}__raw, {_lit(CURRENCY)})) AS mark, "
                       f"rowid, {col}__raw FROM {table} WHERE {col} IS NOT NULL ORDER BY rowid"
                       ).fetchall()
    unmarked = currency_of(currency, currency)
    found: dict[str, list] = {}
    for mark, rowid, text in rows:
        found.setdefault(currency_of(mark, currency) if mark else unmarked, []).append(
            (rowid, text))
    if len(found) < 2:
        return False
    report.error(raw.table, raw.file, "mixed-currencies", f"{col} holds amounts in "
                 f"{len(found)} currencies ({', '.join(sorted(found))}): they cannot be summed",
                 column=raw.mapping[col], sheet=raw.sheet,
                 lines=raw.lines(sorted(r for v in found.values() for r, _ in v[:3])),
                 values=[f"{c}: {v[0][1] if v[0][1] is not None else 'no currency mark'}"
                         for c, v in sorted(found.items())], count=len(rows),
                 hint=f"Convert the amounts to one currency (the report's is {currency}, "
                      "[format] currency) before loading, or load each currency separately.")
    return True
