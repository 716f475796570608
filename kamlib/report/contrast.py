"""Colour contrast as WCAG 2 defines it, so text drawn on a chart's fill stays readable.

Examples
--------
>>> round(contrast("#ffffff", "#000000"), 1), round(contrast("#777777", "#ffffff"), 2)
(21.0, 4.48)
>>> ink_on(blend("#1f5f99", 0.9)), ink_on(blend("#1f5f99", 0.1))
('#fff', '#222')
"""

from __future__ import annotations

__all__ = ["AA", "luminance", "contrast", "blend", "ink_on"]

AA = 4.5  # WCAG AA for normal-size text (the charts' labels are small)


def _rgb(colour: str) -> tuple[float, float, float]:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"contrast: {colour!r} is not a #rgb or #rrggbb colour")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(colour: str) -> float:
    """Relative luminance, 0 (black) to 1 (white)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def blend(colour: str, opacity: float, background: str = "#ffffff") -> str:
    """``colour`` drawn at ``opacity`` over ``background``, as one solid #rrggbb."""
    fg, bg = _rgb(colour), _rgb(background)
    mixed = (round(255 * (opacity * f + (1 - opacity) * b)) for f, b in zip(fg, bg))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def ink_on(fill: str, inks: tuple[str, ...] = ("#fff", "#222", "#000")) -> str:
    """The first of ``inks`` that reaches :data:`AA` on ``fill``, else the one with the most
    contrast (white, the kit's dark grey, then black: one of them always reaches 4.5:1)."""
    for ink in inks:
        if contrast(ink, fill) >= AA:
            return ink
    return max(inks, key=lambda ink: contrast(ink, fill))
