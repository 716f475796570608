"""Whether exact duplicate transaction lines are dropped: one rule, read by the local checks
(:mod:`kamlib.data.checks`) and by the pushdown (:mod:`kamlib.data.pushdown`), so that a
double export is treated alike wherever the lines are checked."""

from __future__ import annotations

from kamlib.data.config import Config

__all__ = ["duplicate_rule"]


def duplicate_rule(config: Config, mapping: dict[str, str]) -> tuple[bool, str]:
    """Whether exact duplicate transaction lines are dropped, and why (stated in the report).

    Two identical lines are evidence of a double export only when lines carry an identity:
    without an invoice id, the same account buying the same amount twice on one day is a
    real repeat purchase (seen in retail logs), and dropping it understates revenue.

    Examples
    --------
    >>> from kamlib.data.config import load_config
    >>> duplicate_rule(load_config(), {"invoice_id": "invoice"})[0]
    True
    >>> duplicate_rule(load_config(), {})[0]
    False
    """
    choice = config.analysis.duplicate_lines
    identity = "invoice_id" in mapping
    ids = "invoice id and line number" if "line_no" in mapping else "invoice id"
    if choice == "drop":
        return True, "dropped, as set by [analysis] duplicate_lines = \"drop\""
    if choice == "keep":
        return False, "kept, as set by [analysis] duplicate_lines = \"keep\""
    if identity:
        return True, (f"dropped: lines carry an {ids}, so an identical line is a double "
                      f"export ([analysis] duplicate_lines = \"auto\")")
    return False, ("kept: lines carry no invoice id, so identical lines may be real repeat "
                   "purchases ([analysis] duplicate_lines = \"auto\")")
