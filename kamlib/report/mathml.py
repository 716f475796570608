"""Formulas in report pages without a script: ``$...$`` in markdown becomes MathML.

The pages load nothing from the internet (no MathJax), and browsers render MathML natively.
Only ``$$...$$`` blocks and ``$...$`` spans whose content neither starts nor ends with a
space are formulas, so "costs $50 or $60" stays text.

Examples
--------
>>> "<math" in latex_to_mathml(r"the sum $\\sum_i x_i$ here")
True
>>> latex_to_mathml("costs $50 or $60")
'costs $50 or $60'
"""

from __future__ import annotations

import re

from latex2mathml.converter import convert

__all__ = ["latex_to_mathml"]

_BLOCK = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)  # code spans keep their dollars


def _convert(tex: str, display: str) -> str:
    try:
        return convert(tex.strip(), display=display)
    except Exception:  # noqa: BLE001 - a formula it cannot read stays as written
        return f"${tex}$"


def latex_to_mathml(markdown: str) -> str:
    """``markdown`` with its LaTeX formulas replaced by MathML (code spans untouched)."""
    parts = _CODE.split(markdown)
    for i in range(0, len(parts), 2):  # even parts are outside code
        text = _BLOCK.sub(lambda m: "\n\n" + _convert(m.group(1), "block") + "\n\n", parts[i])
        parts[i] = _INLINE.sub(lambda m: _convert(m.group(1), "inline"), text)
    return "".join(parts)
