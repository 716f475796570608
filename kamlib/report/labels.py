"""Column headers in a reader's words: no snake_case on a leadership page.

Every table a report shows goes through :func:`kamlib.report.safe_table`, which labels its
column headers with :func:`column_label`: a name in :data:`LABELS` gets its label, any other
snake_case name is spelt out word by word (``cum_share`` -> "Cumulative share"), and a
header that is already words is kept as written.

Examples
--------
>>> [column_label(c) for c in ["account_id", "cum_share", "avg_deal_size", "amount (EUR)"]]
['Account', 'Cumulative share', 'Average deal size', 'amount (EUR)']
"""

from __future__ import annotations

import re

__all__ = ["LABELS", "column_label", "is_code_name"]

LABELS = {
    "account_id": "Account", "account_name": "Name", "account_manager": "Manager",
    "contact_name": "Contact", "revenue_l12m": "Revenue, last 12 months",
    "revenue_p12m": "Revenue, 12 months before", "profit_l12m": "Profit, last 12 months",
    "profit_p12m": "Profit, 12 months before", "size_band": "Size",
    "peak_accounts": "Accounts at the peak", "gross_margin_pct": "Gross margin %",
    "share_of_wallet": "Share of wallet", "p_alive": "Chance still buying",
    "clv": "Lifetime value", "abc": "ABC", "xyz": "XYZ", "rfm": "RFM", "r": "R", "f": "F",
    "m": "M", "fm": "FM",
}
# words that are abbreviations in code and words on a page
_WORDS = {"id": "ID", "cum": "cumulative", "avg": "average", "pct": "%", "n": "number of",
          "cts": "cost to serve", "qty": "quantity", "num": "number of", "l12m":
          "last 12 months", "p12m": "12 months before", "yoy": "year on year",
          "abc": "ABC", "xyz": "XYZ", "rfm": "RFM", "clv": "lifetime value", "kam": "KAM"}
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def is_code_name(text: str) -> bool:
    """True for a snake_case name (two or more lower-case words joined by ``_``).

    >>> is_code_name("cum_share"), is_code_name("share"), is_code_name("Top 5")
    (True, False, False)
    """
    return bool(_CODE.match(str(text).strip()))


def column_label(name: object) -> str:
    """The header a reader sees for the column ``name``."""
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    if not is_code_name(text):
        return text
    words = " ".join(_WORDS.get(w, w) for w in text.split("_"))
    return words[0].upper() + words[1:]
