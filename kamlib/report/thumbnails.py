"""Small charts for the index page: recorded figures in, an inline SVG string out.

A report notebook records each thumbnail with :func:`kamlib.report.display.thumbnail`:
a ``kind``, a ``label`` and ``data`` made of aggregated figures only (a curve's points,
monthly totals, a matrix's cell counts and shares; never an account). The index draws it
here, server-side: no script, no network, no image file. What a notebook recorded is data
from outside the kit, so it is checked again before it is drawn: a kind, shape or value
this module does not expect (NaN, a string among numbers, a list too long) draws nothing
(:func:`thumbnail_problem` says why), and every text is escaped.

Kinds and their ``data``:

- ``"sparkline"``: ``values`` (numbers, e.g. monthly revenue) and ``periods`` (their names).
- ``"curve"``: ``x`` and ``y`` (numbers), optional ``mark`` ``[x, y]`` (a point to show)
  and ``reference`` (a y drawn as a dashed line, e.g. 1.0 for 100%).
- ``"matrix"``: ``rows`` and ``columns`` (names), ``counts`` and ``shares`` (one list per
  row), optional ``names`` (a name per cell). Cells are coloured by their share.
- ``"bars"``: ``labels`` and ``values`` (shares, 0 to 1), one bar each.

Examples
--------
>>> svg = thumbnail_svg({"kind": "sparkline", "label": "Monthly revenue",
...                      "data": {"values": [0, 5, 10], "periods": ["Jan", "Feb", "Mar"]}})
>>> 'points="4.0,68.0 120.0,36.0 236.0,4.0"' in svg
True
>>> thumbnail_svg({"kind": "sparkline", "label": "x", "data": {"values": [float("nan")]}})
''
"""

from __future__ import annotations

import math
from html import escape

from kamlib.brief import compact
from kamlib.report.contrast import blend, ink_on

__all__ = ["KINDS", "MAX_POINTS", "MAX_VALUE", "thumbnail_problem", "describe", "thumbnail_svg",
           "sparkline_svg", "curve_svg", "matrix_svg", "bars_svg"]

KINDS = ("sparkline", "curve", "matrix", "bars")
MAX_POINTS = 400  # a thumbnail is a glance: more points than pixels means rows, not figures
MAX_CELLS = 5  # rows and columns of a matrix, and names are cut to MAX_TEXT characters
MAX_BARS = 8
MAX_TEXT = 40
MAX_VALUE = 1e15  # larger than any company's revenue in any currency's units
WIDTH, HEIGHT, PAD = 240, 72, 4  # the viewBox of sparklines and curves
_COLOUR, _INK, _MUTED = "#1f5f99", "#222", "#888"


def _is_number(v: object) -> bool:
    # beyond MAX_VALUE the differences the drawing takes overflow to inf and NaN
    return (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            and abs(v) <= MAX_VALUE)


def _numbers(v: object, name: str, *, size: int | None = None) -> str:
    if not isinstance(v, list) or not v:
        return f"{name} must be a non-empty list"
    if len(v) > MAX_POINTS:
        return f"{name} has {len(v):,} values; at most {MAX_POINTS}"
    if size is not None and len(v) != size:
        return f"{name} has {len(v)} values, expected {size}"
    bad = [x for x in v if not _is_number(x)]
    return (f"{name} holds {bad[0]!r}, not a finite number up to {MAX_VALUE:g}" if bad
            else "")


def _texts(v: object, name: str, size: int) -> str:
    if not isinstance(v, list) or len(v) != size:
        return f"{name} must be a list of {size} names"
    return "" if all(isinstance(x, str) for x in v) else f"{name} must hold strings"


def _grid(v: object, name: str, rows: int, cols: int) -> str:
    if not isinstance(v, list) or len(v) != rows:
        return f"{name} must be {rows} lists, one per row"
    return next((p for p in (_numbers(r, f"{name} row", size=cols) for r in v) if p), "")


def thumbnail_problem(thumb: object) -> str:
    """Why ``thumb`` cannot be drawn, or "" if it can.

    >>> thumbnail_problem({"kind": "pie", "label": "x", "data": {}})
    "kind 'pie' is not one of sparkline, curve, matrix, bars"
    >>> thumbnail_problem({"kind": "curve", "label": "x", "data": {"x": [0, 1], "y": [0, "1"]}})
    "y holds '1', not a finite number up to 1e+15"
    """
    if not isinstance(thumb, dict) or not isinstance(thumb.get("data"), dict):
        return "a thumbnail is a dict with kind, label and data (a dict)"
    kind, d = thumb.get("kind"), thumb["data"]
    if not isinstance(thumb.get("label"), str):
        return "label must be a string"
    if kind == "sparkline":
        problem = _numbers(d.get("values"), "values")
        if not problem and d.get("periods") is not None:
            problem = _texts(d["periods"], "periods", len(d["values"]))
        return problem
    if kind == "curve":
        problem = _numbers(d.get("x"), "x") or _numbers(d.get("y"), "y", size=len(d["x"]))
        if not problem and d.get("mark") is not None:
            problem = _numbers(d["mark"], "mark", size=2)
        if not problem and d.get("reference") is not None and not _is_number(d["reference"]):
            problem = "reference must be a finite number"
        return problem
    if kind == "matrix":
        rows, cols = d.get("rows"), d.get("columns")
        if not (isinstance(rows, list) and isinstance(cols, list)
                and 0 < len(rows) <= MAX_CELLS and 0 < len(cols) <= MAX_CELLS):
            return f"rows and columns must be lists of 1 to {MAX_CELLS} names"
        problem = (_texts(rows, "rows", len(rows)) or _texts(cols, "columns", len(cols))
                   or _grid(d.get("counts"), "counts", len(rows), len(cols))
                   or _grid(d.get("shares"), "shares", len(rows), len(cols)))
        if not problem and d.get("names") is not None:
            names = d["names"]
            if not (isinstance(names, list) and len(names) == len(rows)
                    and all(not _texts(r, "names", len(cols)) for r in names)):
                problem = "names must hold one list of names per row"
        return problem
    if kind == "bars":
        values = d.get("values")
        problem = _numbers(values, "values")
        if not problem and len(values) > MAX_BARS:
            problem = f"bars has {len(values)} bars; at most {MAX_BARS}"
        return problem or _texts(d.get("labels"), "labels", len(values))
    return f"kind {kind!r} is not one of {', '.join(KINDS)}"


def _text(value: object, limit: int = MAX_TEXT) -> str:
    """Escaped, and cut to ``limit`` characters (before escaping: no entity is cut)."""
    text = str(value)
    return escape(text if len(text) <= limit else text[:limit - 1] + "…")


def describe(thumb: dict) -> str:
    """What the thumbnail shows, in words: its caption and its accessible name (unescaped).

    >>> describe({"kind": "sparkline", "label": "Monthly revenue", "data": {
    ...     "values": [1.0e6, 1.2e6], "periods": ["Jan 2024", "Feb 2024"]}}).replace(
    ...     "\u00a0", " ")
    'Monthly revenue, Jan 2024 to Feb 2024, last 1.2 M'
    """
    label, d = str(thumb["label"])[:200], thumb["data"]
    if thumb["kind"] == "sparkline":
        periods = d.get("periods") or [str(i + 1) for i in range(len(d["values"]))]
        return (f"{label}, {periods[0][:MAX_TEXT]} to {periods[-1][:MAX_TEXT]}, "
                f"last {compact(d['values'][-1])}")
    if thumb["kind"] == "matrix":
        cells = [(s, r, c) for r, row in enumerate(d["shares"]) for c, s in enumerate(row)]
        share, r, c = max(cells)
        name = d["names"][r][c] if d.get("names") else d["rows"][r] + d["columns"][c]
        return f"{label}; largest: {name[:MAX_TEXT]}, {share:.0%}"
    if thumb["kind"] == "bars":
        i = max(range(len(d["values"])), key=d["values"].__getitem__)
        return f"{label}; largest: {d['labels'][i][:MAX_TEXT]}, {d['values'][i]:.0%}"
    return label


def _svg(body: str, label: str, width: int, height: int) -> str:
    name = escape(label)
    return (f'<svg class="thumb" role="img" aria-label="{name}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{name}</title>{body}</svg>')


def _scale(lo: float, hi: float, top: float, bottom: float):
    """value -> y on screen (top is the smaller y); a flat series sits in the middle."""
    if hi == lo:
        return lambda v: (top + bottom) / 2
    return lambda v: bottom - (v - lo) / (hi - lo) * (bottom - top)


def sparkline_svg(values: list[float], label: str) -> str:
    """A line through ``values`` over the whole width, lowest at the bottom, last one dotted.

    >>> 'points="4.0,36.0 236.0,36.0"' in sparkline_svg([3, 3], "flat")
    True
    """
    n, lo, hi = len(values), min(values), max(values)
    y = _scale(lo, hi, PAD, HEIGHT - PAD)
    step = (WIDTH - 2 * PAD) / (n - 1) if n > 1 else 0
    xs = [PAD + i * step if n > 1 else WIDTH / 2 for i in range(n)]
    points = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, values))
    zero = (f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
            f'stroke="{_MUTED}" stroke-width="0.5"/>' if lo < 0 < hi else "")
    body = (f'{zero}<polyline points="{points}" fill="none" stroke="{_COLOUR}" '
            f'stroke-width="1.5" stroke-linejoin="round"/>'
            f'<circle cx="{xs[-1]:.1f}" cy="{y(values[-1]):.1f}" r="2.5" fill="{_COLOUR}"/>')
    return _svg(body, label, WIDTH, HEIGHT)


def curve_svg(x: list[float], y: list[float], label: str, *, mark: list[float] | None = None,
              reference: float | None = None) -> str:
    """A curve on axes from 0 (and the lowest point) to the largest x and y (at least 1).

    >>> 'points="4.0,68.0 120.0,4.0 236.0,4.0"' in curve_svg([0, 0.5, 1], [0, 1, 1], "c")
    True
    """
    x_hi = max(1.0, *x)
    y_lo, y_hi = min(0.0, *y), max(1.0, *y, reference if reference is not None else 0.0)
    x_lo = min(0.0, *x)

    def sx(v: float) -> float:
        return PAD + (v - x_lo) / (x_hi - x_lo) * (WIDTH - 2 * PAD)

    sy = _scale(y_lo, y_hi, PAD, HEIGHT - PAD)
    points = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x, y))
    body = (f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" '
            f'stroke="{_MUTED}" stroke-width="0.5"/>')
    if reference is not None:
        body += (f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{sy(reference):.1f}" '
                 f'y2="{sy(reference):.1f}" stroke="{_MUTED}" stroke-dasharray="3 2"/>')
    body += (f'<polyline points="{points}" fill="none" stroke="{_COLOUR}" stroke-width="1.5" '
             f'stroke-linejoin="round"/>')
    if mark is not None:
        body += (f'<circle cx="{sx(mark[0]):.1f}" cy="{sy(mark[1]):.1f}" r="3" '
                 f'fill="#c0392b"/>')
    return _svg(body, label, WIDTH, HEIGHT)


def matrix_svg(rows: list[str], columns: list[str], counts: list[list[float]],
               shares: list[list[float]], label: str, *,
               names: list[list[str]] | None = None) -> str:
    """A grid of cells, each with its name, count and share; darker for a larger share.

    >>> svg = matrix_svg(["A"], ["X", "Y"], [[3, 1]], [[0.75, 0.25]], "m")
    >>> '<rect x="18.0" y="14.0" width="111.0" height="82.0"' in svg, "3 · 75%" in svg
    (True, True)
    """
    # the row names' column is as wide as the longest (about 5.5 units a character)
    width, height, top = WIDTH, 96, 14
    left = min(18 + 5.5 * max(len(r) for r in rows) - 5.5, 64)
    cw, ch = (width - left) / len(columns), (height - top) / len(rows)
    peak = max(max(r) for r in shares)
    body = "".join(f'<text x="{left + (c + .5) * cw:.1f}" y="10" text-anchor="middle">'
                   f'{_text(name)}</text>' for c, name in enumerate(columns))
    for r, row in enumerate(rows):
        y = top + r * ch
        body += (f'<text x="{left / 2:.1f}" y="{y + ch / 2 + 3:.1f}" text-anchor="middle">'
                 f'{_text(row)}</text>')
        for c in range(len(columns)):
            share, x = shares[r][c], left + c * cw
            opacity = 0.06 + 0.84 * max(share, 0) / peak if peak > 0 else 0.06
            fill = blend(_COLOUR, opacity)  # solid, so its text's contrast is known
            ink = ink_on(fill)
            name = names[r][c] if names else f"{row}{columns[c]}"
            body += (f'<rect x="{x:.1f}" y="{y:.1f}" width="{cw:.1f}" height="{ch:.1f}" '
                     f'fill="{fill}" stroke="#fff"/>'
                     f'<text x="{x + cw / 2:.1f}" y="{y + ch / 2 - 2:.1f}" text-anchor="middle" '
                     f'fill="{ink}" font-weight="600">{_text(name)}</text>'
                     f'<text x="{x + cw / 2:.1f}" y="{y + ch / 2 + 9:.1f}" text-anchor="middle" '
                     f'fill="{ink}">{counts[r][c]:,.0f} · {share:.0%}</text>')
    return _svg(f'<g font-size="9.5" fill="{_INK}">{body}</g>', label, width, height)


def bars_svg(labels: list[str], values: list[float], label: str) -> str:
    """One horizontal bar per label, as long as its share of the largest, with its share.

    >>> '<rect x="106" y="2.0" width="100.0" height="9"' in bars_svg(["a", "b"], [0.5, 0.25], "b")
    True
    """
    # 102 units hold a name of 18 characters ("Middle recency, m…") at this size
    row, left, room = 12, 106, 100
    peak = max(max(values), 0)
    body = ""
    for i, (name, value) in enumerate(zip(labels, values)):
        y = 2 + i * row
        length = room * max(value, 0) / peak if peak > 0 else 0
        body += (f'<text x="{left - 4}" y="{y + 8:.1f}" text-anchor="end">{_text(name, 18)}'
                 f'</text><rect x="{left}" y="{y:.1f}" width="{length:.1f}" height="9" '
                 f'fill="{_COLOUR}"/><text x="{left + length + 3:.1f}" y="{y + 8:.1f}">'
                 f'{value:.0%}</text>')
    height = 4 + row * len(values)
    return _svg(f'<g font-size="9.5" fill="{_INK}">{body}</g>', label, WIDTH, height)


def thumbnail_svg(thumb: object) -> str:
    """The SVG of a recorded thumbnail, or "" if it cannot be drawn (see
    :func:`thumbnail_problem`)."""
    if thumbnail_problem(thumb):
        return ""
    d, label = thumb["data"], describe(thumb)
    if thumb["kind"] == "sparkline":
        return sparkline_svg(d["values"], label)
    if thumb["kind"] == "curve":
        return curve_svg(d["x"], d["y"], label, mark=d.get("mark"), reference=d.get("reference"))
    if thumb["kind"] == "matrix":
        return matrix_svg(d["rows"], d["columns"], d["counts"], d["shares"], label,
                          names=d.get("names"))
    return bars_svg(d["labels"], d["values"], label)
