"""The checks behind :func:`kamlib.data.config.load_config`: every value of ``kam.toml`` of the
right type, separators and encodings a reader can use, date formats that read back, and
analysis parameters an analysis can use. A failure is a :class:`ConfigError` naming the file,
the section and the key.

Examples
--------
>>> type_name(tuple[float, float])
'a list of numbers, e.g. [0.8, 0.95]'
"""

from __future__ import annotations

import codecs
import types
from datetime import date, datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

__all__ = ["ConfigError", "fail", "type_ok", "type_name", "check_types", "check_section",
           "check_analysis",
           "parse_segments", "check_formats"]


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file and the key."""


def fail(path: Path | None, key: str, why: str) -> ConfigError:
    where = f"{path}" if path else "config"
    return ConfigError(f"{where}: [{key}] {why}")


def type_ok(value: object, hint: Any) -> bool:
    """Whether a TOML ``value`` fits the annotation ``hint`` (dates may still be text)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return any(type_ok(value, a) for a in args)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is date:  # text is converted (and its format checked) afterwards
        return isinstance(value, (date, str))
    if hint in (str, bool):
        return isinstance(value, hint)
    if origin is tuple:  # the length is the analysis check's to explain
        return isinstance(value, (list, tuple)) and all(type_ok(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            type_ok(k, args[0]) and type_ok(v, args[1]) for k, v in value.items())
    return True  # a type this table does not know (e.g. a nested section) is checked elsewhere


def type_name(hint: Any) -> str:
    """What a user must write for ``hint``, e.g. "a whole number" or "a list of 2 numbers"."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(a) for a in args if a is not type(None))
    if origin is tuple:
        return "a list of numbers, e.g. [0.8, 0.95]"
    if origin is dict:
        return 'a table of names, e.g. { revenue = "Net Amount" }'
    return {str: 'text in quotes, e.g. "..."', int: "a whole number", float: "a number",
            bool: "true or false", date: "a date, e.g. 2025-12-31"}.get(hint, str(hint))


def check_types(values: dict, cls: type, path: Path | None, key: str) -> None:
    """Refuse a value of the wrong type, naming section, key, value and expected type."""
    hints = get_type_hints(cls)
    for name, value in values.items():
        if name in hints and not type_ok(value, hints[name]):
            raise fail(path, key, f"{name} = {value!r}: expected {type_name(hints[name])}")


def check_section(raw: object, cls: type, path: Path | None, key: str) -> dict:
    """A ``[key]`` section's settings as a dict: refused when it is a value rather than a
    section or names a setting ``cls`` (a dataclass) does not have."""
    from dataclasses import fields

    if not isinstance(raw, dict):
        raise fail(path, key, f"is a value, not a section: write [{key}] on a line of its "
                   "own, then its settings")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise fail(path, key, f"unknown setting(s) {unknown}; known: {sorted(known)}")
    return dict(raw)


def check_analysis(a: Any, path: Path | None) -> None:
    """Refuse parameters no analysis can use (``a``: the :class:`~kamlib.data.config.Analysis`
    settings), before any data is read."""
    def bad(why: str) -> ConfigError:
        return fail(path, "analysis", why)

    def number(x: object) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if not number(a.target_share) or not 0 < a.target_share <= 1:
        raise bad(f"target_share = {a.target_share}: a share between 0 and 1, e.g. 0.8"
                  + (" (a number, without quotes)" if isinstance(a.target_share, str) else ""))
    for key, cuts, top in (("abc_cutoffs", a.abc_cutoffs, 1), ("xyz_cutoffs", a.xyz_cutoffs,
                                                                 float("inf"))):
        if len(cuts) != 2 or not all(map(number, cuts)) or not 0 < cuts[0] < cuts[1] <= top:
            raise bad(f"{key} = {list(cuts)}: two increasing limits, e.g. "
                      f"{list(type(a).__dataclass_fields__[key].default)}")
    if a.xyz_period not in ("M", "Q"):
        raise bad(f"xyz_period = {a.xyz_period!r}: \"M\" (monthly) or \"Q\" (quarterly)")
    if not isinstance(a.lost_after_days, int) or a.lost_after_days < 1:
        raise bad(f"lost_after_days = {a.lost_after_days}: at least 1")
    from kamlib.status import rules_of

    try:
        rules_of(a)
    except ValueError as err:  # says which rule and its range
        raise bad(str(err).replace("status rules: ", "at_risk_").replace(
            "at_risk_lost_after_days", "lost_after_days")) from None


_SEGMENT_KEYS = ("segment", "r_from", "r_to", "fm_from", "fm_to", "action")


def parse_segments(rows: object, path: Path | None) -> tuple[tuple, ...]:
    """``[[analysis.segments]]`` as checked rows: every key there, scores whole numbers,
    and every cell of the R x FM grid in exactly one segment."""
    import pandas as pd

    from kamlib.segments import check_segment_table

    key = "analysis.segments"
    example = ('[[analysis.segments]] segment = "Recent, high value", r_from = 4, r_to = 5, '
               'fm_from = 4, fm_to = 5, action = "..."')
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise fail(path, key, f"must be a list of segments, one [[analysis.segments]] table "
                    f"each: {example}")
    out = []
    for i, row in enumerate(rows, start=1):
        name = row.get("segment", f"segment {i}")
        wrong = sorted(set(row) - set(_SEGMENT_KEYS))
        missing = [k for k in _SEGMENT_KEYS if k not in row]
        if wrong or missing:
            raise fail(path, key, f"{name!r} (segment {i}): "
                        + (f"unknown key(s) {wrong}; " if wrong else "")
                        + (f"missing {missing}; " if missing else "")
                        + f"each segment has {list(_SEGMENT_KEYS)}")
        scores = [row[k] for k in _SEGMENT_KEYS[1:5]]
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in scores):
            raise fail(path, key, f"{name!r}: r_from, r_to, fm_from, fm_to are whole scores "
                        f"from 1 to 5, not {scores}")
        if not isinstance(row["segment"], str) or not row["segment"].strip():
            raise fail(path, key, f"segment {i}: the name must be a non-empty text")
        out.append((row["segment"].strip(), *scores, str(row["action"])))
    names = [r[0] for r in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise fail(path, key, f"segment names must differ; {twice} appear more than once")
    try:
        check_segment_table(pd.DataFrame(out, columns=list(_SEGMENT_KEYS)))
    except ValueError as err:
        raise fail(path, key, str(err).removeprefix("segments: ")) from None
    return tuple(out)


_DATE_DIRECTIVES = set("aAwdbBmyYHIpMSfzZjUWcxX%")


def check_formats(f: Any, path: Path | None, key: str = "format") -> None:
    """Refuse separators, encodings and date formats no reader can use (``f``: the
    :class:`~kamlib.data.config.Formats` of a table)."""
    def bad(why: str) -> ConfigError:
        return fail(path, key, why)

    # "whitespace" is the one named delimiter (runs of blanks); any other is one character
    if f.delimiter is not None and f.delimiter != "whitespace" and (
            len(f.delimiter) != 1 or f.delimiter in '"\r\n'):
        raise bad(f"delimiter = {f.delimiter!r}: one character, e.g. \";\" or \"\\t\" "
                  f"(or leave it out to detect it)")
    if len(f.decimal) != 1:
        raise bad(f"decimal = {f.decimal!r}: one character, \".\" or \",\"")
    if len(f.thousands) > 1:
        raise bad(f"thousands = {f.thousands!r}: one character, or \"\" for none")
    try:
        codecs.lookup(f.encoding)
    except LookupError:
        raise bad(f"encoding = {f.encoding!r}: not an encoding Python knows; e.g. \"utf-8\", "
                  f"\"cp1252\" or \"latin-1\"") from None
    if f.date_format is not None:
        _check_date_format(f.date_format, bad)


def _check_date_format(fmt: str, bad) -> None:
    """A date written with ``fmt`` must read back the same, with known directives only."""
    used = [fmt[i + 1:i + 2] for i, c in enumerate(fmt) if c == "%" and fmt[i - 1:i] != "%"]
    unknown = sorted({f"%{d}" for d in used if d not in _DATE_DIRECTIVES})
    example = date(2024, 1, 31)
    if unknown or not used:
        why = f"unknown directive(s) {', '.join(unknown)}" if unknown else "no % directive"
        raise bad(f"date_format = {fmt!r}: {why}; e.g. \"%d.%m.%Y\" for 31.01.2024 "
                  "(see Python's strptime)")
    try:
        back = datetime.strptime(example.strftime(fmt), fmt).date()
    except ValueError as err:
        raise bad(f"date_format = {fmt!r}: cannot read back a date written with it ({err})"
                  ) from None
    if (back.year, back.month) != (example.year, example.month):  # monthly dates may do
        raise bad(f"date_format = {fmt!r}: 2024-01-31 written with it reads back as {back}; "
                  "a date format needs at least a year and a month")
