"""Ids that look equal but are not: why an id in one file is "unknown" in another.

A spreadsheet drops leading zeros, a float adds ".0", editors differ in Unicode forms, and
exports carry invisible characters. :func:`lookalike_hint` finds unknown ids that equal a known
one to the eye and says, with escapes, what makes them differ.

Examples
--------
>>> _difference("CAFE\u0301-1", "CAF\u00c9-1")
'the Unicode form of an accented letter (composed vs decomposed)'
>>> _difference("0042", "42"), _difference("42" + chr(9), "42")
('leading zeros', 'blanks around the id (tab, line break, an unusual space)')
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["lookalike_hint", "lookalike_groups", "INVISIBLE"]


# characters that show as nothing (or as a space) but make two ids differ
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0"


def _lookalike_key(value: str) -> str:
    """An id as a person reads it: the form two equal-looking ids share.

    >>> _lookalike_key("CAFE\u0301-1\u200b") == _lookalike_key("CAF\u00c9-1")
    True
    >>> _lookalike_key("000042.0"), _lookalike_key("42")
    ('42', '42')
    """
    text = unicodedata.normalize("NFKC", value.translate({ord(c): None for c in INVISIBLE}))
    text = re.sub(r"^(\d+)\.0+$", r"\1", text.strip()).casefold()
    return text.lstrip("0") or text


def _difference(unknown: str, known: str) -> str:
    """What makes two look-alike ids differ, in words."""
    if any(c in unknown or c in known for c in INVISIBLE):
        return "an invisible character (zero-width space, byte-order mark, no-break space)"
    if unicodedata.normalize("NFC", unknown) == unicodedata.normalize("NFC", known):
        return "the Unicode form of an accented letter (composed vs decomposed)"
    if unicodedata.normalize("NFKC", unknown) == unicodedata.normalize("NFKC", known):
        return "a compatibility character (e.g. a full-width digit)"
    if re.fullmatch(r"\d+\.0+", unknown) or re.fullmatch(r"\d+\.0+", known):
        return "a '.0' suffix: the ids were read as decimal numbers somewhere"
    if unknown.casefold() == known.casefold():
        return "upper and lower case letters"
    if unknown.strip() == known.strip():
        return "blanks around the id (tab, line break, an unusual space)"
    if unknown.lstrip("0") == known.lstrip("0"):
        return "leading zeros"
    return "characters that look alike"


def lookalike_groups(ids) -> list[list[str]]:
    """Groups of two or more ids that a person reads as one (``001``, ``1``, ``1.0``;
    ``A1``, ``a1``), each sorted, largest group first.

    >>> lookalike_groups(["001", "1", "1.0", "A1", "a1", "B2"])
    [['001', '1', '1.0'], ['A1', 'a1']]
    """
    groups: dict[str, list[str]] = {}
    for value in dict.fromkeys(ids):
        groups.setdefault(_lookalike_key(str(value)), []).append(str(value))
    return sorted((sorted(g) for g in groups.values() if len(g) > 1),
                  key=lambda g: (-len(g), g))


def lookalike_hint(con, unknown: list[str], table: str, col: str) -> str:
    """The likeliest cause of unknown ids: they equal a known id to the eye but not byte by
    byte (leading zeros lost to a spreadsheet, a ".0" from a float, Unicode forms, invisible
    characters). The hint shows both ids with escapes, so the difference can be seen.
    """
    known = {_lookalike_key(a): a for (a,) in con.execute(
        f"SELECT DISTINCT {col} FROM t_{table} WHERE {col} IS NOT NULL").fetchall()}
    pairs = [(u, known[_lookalike_key(u)]) for u in unknown if _lookalike_key(u) in known]
    if not pairs:
        return ""
    kinds = {_difference(u, k) for u, k in pairs}
    if kinds == {"leading zeros"}:
        return (f"{len(pairs)} of them differ from a known id only by leading zeros (e.g. "
                f"{pairs[0][0]!r} and {pairs[0][1]!r}): the ids were probably read as numbers "
                f"somewhere; export them as text. ")
    examples = "; ".join(f"{ascii(u)} vs {ascii(k)}: {_difference(u, k)}" for u, k in pairs[:3])
    return (f"{len(pairs)} of them look like a known id but differ in ways that do not show "
            f"({examples}); fix the ids in the source, or export both files the same way. ")
