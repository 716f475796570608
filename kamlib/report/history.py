"""The history of headline figures, one JSON line per build, and each figure's movement.

Every successful ``kam build`` appends one line to ``kamkit-history.jsonl`` beside the
reports: when it ran, the data's as-of day, and each module's headline figures (module,
key, value, text, label, format): figures only, never an account, and the settings that
give the figures their meaning (currency, the as-of and window rules, the class limits).
The index compares each figure with the previous line only when those settings are the
same; otherwise it says what changed instead of a movement (euros against dollars, or an
ABC class under other limits, is no movement). The file is machine-readable (JSON Lines) for anyone who
wants to chart the figures over time; a line that is not a build record is skipped.

Examples
--------
>>> movement({"key": "lost_accounts", "value": 12, "text": "12", "fmt": "{:,}"},
...          {"value": 10, "text": "10", "fmt": "{:,}"})  # doctest: +NORMALIZE_WHITESPACE
{'then': '10', 'direction': 'up', 'arrow': '▲', 'delta': '+2', 'meaning': 'worse',
 'word': 'worse', 'before': 10, 'diff': 2}
>>> movement({"key": "s", "value": 0.25, "text": "25.0%", "fmt": "{:.1%}"},
...          {"value": 0.3, "text": "30.0%"})["delta"]
'-5.0 pts'
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone

from kamlib.report.measures import cue, measure

__all__ = ["HISTORY", "history_entry", "read_history", "movement", "with_movements",
           "comparable", "shown_time", "figure_settings", "settings_change"]

HISTORY = "kamkit-history.jsonl"
# only a bare format spec ("{:,.0f}", "{:.1%}"): a pattern read back from a file is never
# allowed to reach attributes or items of the value
_FMT = re.compile(r"\{:[-+ ,_.#0-9]*[dfeEgGn%]?\}")
_FIGURE = {"module": str, "key": str, "text": str, "label": str}


# each setting that changes what a figure means, as a director reads it
_SETTING_WORDS = {"currency": "currency", "as_of": "as-of date",
                  "start": "start of the analysis window",
                  "target_share": "share of revenue the vital few make",
                  "abc_cutoffs": "ABC class limits", "xyz_cutoffs": "XYZ class limits",
                  "xyz_period": "XYZ period", "lost_after_days": "days without a purchase "
                  "before an account counts as lost"}


def figure_settings(analysis, currency: str) -> dict:
    """The settings that give a build's figures their meaning, as kept in its history line
    (``analysis``: the config's :class:`~kamlib.data.config.Analysis`).

    >>> from kamlib.data.config import Analysis
    >>> figure_settings(Analysis(), "EUR")["as_of"], figure_settings(Analysis(), "EUR")["xyz_period"]
    ('the last purchase date', 'month')
    """
    def rule(day, default: str) -> str:
        return f"fixed at {day}" if day else default
    return {"currency": currency,
            "as_of": rule(analysis.as_of or analysis.end, "the last purchase date"),
            "start": rule(analysis.start, "the first purchase date"),
            "target_share": f"{analysis.target_share:.0%}",
            "abc_cutoffs": " / ".join(f"{c:.0%}" for c in analysis.abc_cutoffs),
            "xyz_cutoffs": " / ".join(f"{c:g}" for c in analysis.xyz_cutoffs),
            "xyz_period": {"M": "month", "Q": "quarter"}.get(analysis.xyz_period,
                                                             analysis.xyz_period),
            "lost_after_days": str(analysis.lost_after_days)}


def settings_change(now: dict | None, then: dict | None) -> str:
    """What changed between two builds' settings, in words; "" when they are the same.

    Fixed as-of dates that differ are two points in time, not a change of meaning.
    A build that kept no settings (an older kit) cannot be compared.

    >>> settings_change({"currency": "USD", "as_of": "fixed at 2025-06-30"},
    ...                 {"currency": "EUR", "as_of": "fixed at 2024-12-31"})
    'currency EUR → USD'
    >>> settings_change({"currency": "EUR"}, None)
    'the earlier build did not record its settings'
    """
    if not isinstance(then, dict) or not then:
        return "the earlier build did not record its settings"
    changed = []
    for key, words in _SETTING_WORDS.items():
        a, b = then.get(key), (now or {}).get(key)
        if key == "as_of" and str(a).startswith("fixed") and str(b).startswith("fixed"):
            continue
        if a != b:
            changed.append(f"{words} {a if a is not None else 'not recorded'} → {b}")
    return "; ".join(changed)


def history_entry(modules: list[dict], run_info: dict, built: str) -> dict:
    """One build's line: ``built`` (UTC time), ``as_of``, the settings that give the figures
    their meaning (``run_info["settings"]``, see :func:`figure_settings`) and every headline
    figure."""
    figures = [{"module": m["name"], "key": h.get("key", ""), "value": h.get("value"),
                "text": h.get("text", ""), "label": h.get("label", ""),
                "fmt": h.get("fmt", ""), **({"period": h["period"]}
                                            if isinstance(h.get("period"), str)
                                            and h["period"] else {})}
               for m in modules for h in m.get("headlines", [])]
    return {"built": built, "as_of": str(run_info.get("as_of", "")),
            "version": run_info.get("version", ""),
            "settings": dict(run_info.get("settings") or {}), "figures": figures}


def shown_time(built: str) -> str:
    """A build time as pages show it.

    >>> shown_time("2025-03-01T09:05:59+00:00"), shown_time("not a time")
    ('2025-03-01 09:05 UTC', 'not a time')
    """
    try:
        return datetime.fromisoformat(built).astimezone(timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC")
    except ValueError:
        return built


def _is_figure(f: object) -> bool:
    return (isinstance(f, dict) and all(isinstance(f.get(k), t) for k, t in _FIGURE.items())
            and (isinstance(f.get("value"), (int, float, str)) or f.get("value") is None))


def read_history(text: str) -> list[dict]:
    """The build records in a history file's ``text``, oldest first; other lines skipped.

    >>> read_history('{"built": "t", "as_of": "d", "figures": []}\\nnot json\\n[1]\\n')
    [{'built': 't', 'as_of': 'd', 'figures': []}]
    """
    entries = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if (isinstance(entry, dict) and isinstance(entry.get("built"), str)
                and isinstance(entry.get("figures"), list)):
            entry["figures"] = [f for f in entry["figures"] if _is_figure(f)]
            entries.append(entry)
    return entries


def _number(value: object) -> int | float | None:
    """The value if it is a finite number (an int stays an int: "+2", not "+2.0")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _delta(diff: int | float, fmt: str) -> str:
    """``diff`` in the figure's own format, signed; a share's change in percentage points."""
    if not _FMT.fullmatch(fmt or ""):
        fmt = "{:,.4g}"
    if fmt.endswith("%}"):
        decimals = re.search(r"\.(\d+)", fmt)
        return f"{diff * 100:+.{decimals.group(1) if decimals else 0}f} pts"
    text = fmt.format(abs(diff))
    return ("+" if diff > 0 else "-") + text


def movement(now: dict, then: dict | None) -> dict | None:
    """How a figure moved since the previous build: ``then`` (its text), ``direction``
    ("up", "down", "same" or "changed" for a figure that is not a number), ``arrow``,
    ``delta``, what the movement means (``meaning``: "better", "worse", "neutral" or
    "same", by the figure's declared better way in :mod:`kamlib.report.measures`; ``word``
    says it beside the colour), and the numbers (``before``, ``diff``) for a compact form;
    None if the previous build did not have it. A number whose shown text did not change
    (it moved below the figure's precision) is "same".

    >>> movement({"value": 1.6941, "text": "169%", "fmt": "{:.0%}"},
    ...          {"value": 1.6939, "text": "169%"})["direction"]
    'same'
    """
    if then is None:
        return None
    a, b = _number(then.get("value")), _number(now.get("value"))
    out = {"then": str(then.get("text", "")), "direction": "same", "arrow": "=", "delta": "",
           "meaning": "same", "word": "", "before": a, "diff": 0}
    if a is None or b is None:
        if then.get("value") != now.get("value"):
            out.update(direction="changed", arrow="≠", meaning="neutral", diff=None)
        return out
    # a change below the shown precision (float noise: "169% -> 169%") is no movement
    if b != a and str(now.get("text", "")) != out["then"]:
        found = measure(now.get("key"))
        shown = cue(b - a, found.better if found else None)
        out.update(direction="up" if b > a else "down", arrow=shown["arrow"],
                   meaning=shown["meaning"], word=shown["word"], diff=b - a,
                   delta=_delta(b - a, str(now.get("fmt") or then.get("fmt") or "")))
    return out


WHOLE_WINDOW = "whole window"  # as kamlib.report.display names it


def comparable(now: dict, then: dict | None) -> bool:
    """Whether two records of a figure cover equal periods: the same ``period`` (none: a
    state at the as-of date), and not a whole-window total, whose length changes.

    >>> comparable({"period": "last 12 months"}, {"period": "last 12 months"})
    True
    >>> comparable({"period": "whole window"}, {"period": "whole window"})
    False
    >>> comparable({"period": "last 12 months"}, {})
    False
    """
    if then is None:
        return False
    period = now.get("period") or ""
    return period != WHOLE_WINDOW and period == (then.get("period") or "")


def with_movements(modules: list[dict], previous: dict | None,
                   changed: str = "") -> list[dict]:
    """Copies of ``modules`` whose headlines carry their ``change`` since ``previous``: only
    between figures over equal periods (:func:`comparable`); a whole-window figure carries
    ``not_compared`` (why it shows no movement) instead. None when ``changed`` says the
    settings differ (:func:`settings_change`)."""
    if changed:
        previous = None
    before = {} if previous is None else {(f["module"], f["key"]): f
                                          for f in previous.get("figures", [])}
    out = []
    for m in modules:
        heads = []
        for h in m.get("headlines", []):
            then = before.get((m["name"], h.get("key")))
            head = {**h, "change": movement(h, then) if comparable(h, then) else None}
            if previous is not None and (h.get("period") or "") == WHOLE_WINDOW:
                head["not_compared"] = "not compared: a whole-window total"
            elif then is not None and head["change"] is None:
                head["not_compared"] = "not compared: the previous figure covers another period"
            heads.append(head)
        out.append({**m, "headlines": heads})
    return out
