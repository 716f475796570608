"""Role patterns from ``kam.toml`` that can be matched in bounded time.

A role pattern is a regular expression written by a user and matched against every
contact's job title. Python's matcher backtracks: a pattern that repeats a part which can
itself repeat or branch (``(a+)+$``, ``(a|aa)*$``, ``(\\w+\\s?)*$``) takes time exponential in
the title's length on a title it almost matches (so does ``(a?){25}a{25}``), and cannot be interrupted. Such patterns
are refused when the config is read (and by :func:`kamlib.planning.contacts.influence_of`),
so matching a title is linear in its length for every pattern that is let through.
Role titles never need them: alternatives at the top (``ceo|director``) are fine.

Examples
--------
>>> pattern_problem("ceo|chief executive|direct(or|eur)")
>>> pattern_problem("(a+)+$")[:40]
'repeats a part that itself repeats or br'
>>> pattern_problem("C.E.O.(")[:32]
'not a valid regular expression ('
"""

from __future__ import annotations

import re
from re import _constants as C  # noqa: N812 - the parser's opcode names
from re import _parser

__all__ = ["pattern_problem"]

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))


def _explodes(items, inside: bool) -> bool:
    """Whether a parsed pattern repeats something that can repeat or branch again."""
    for op, av in items:
        if op in _REPEATS:
            low, high, sub = av
            if inside and low != high:  # a varying count inside a repetition
                return True
            if _explodes(sub, inside or high > 1):
                return True
        elif op is C.BRANCH:
            if inside and len(av[1]) > 1:
                return True
            if any(_explodes(b, inside) for b in av[1]):
                return True
        elif op is C.SUBPATTERN and _explodes(av[-1], inside):
            return True
        elif op in (C.ASSERT, C.ASSERT_NOT) and _explodes(av[1], inside):
            return True
        elif op is C.ATOMIC_GROUP and _explodes(av, inside):
            return True
        elif op is C.GROUPREF_EXISTS and any(_explodes(b, inside) for b in av[1:] if b):
            return True
    return False


def pattern_problem(pattern: object) -> str | None:
    """Why ``pattern`` cannot be a role pattern; None if it can."""
    if not isinstance(pattern, str) or not pattern.strip():
        return "a role pattern must be non-empty text"
    try:
        parsed = _parser.parse(pattern, re.IGNORECASE)
    except re.error as err:
        return (f"not a valid regular expression ({err}); escape dots and brackets, e.g. "
                "'C\\.E\\.O\\.'")
    if _explodes(list(parsed), False):
        return ("repeats a part that itself repeats or branches (as in '(a+)+' or '(a|aa)*'): "
                "matching it can take exponential time on a long title; write the "
                "alternatives without the outer repetition, e.g. 'buyer|purchasing'")
    return None
