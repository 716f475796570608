"""Give freed memory back to the system, where the C library can.

pandas and NumPy free large arrays, but glibc's allocator keeps much of the freed heap (in
each thread's arena) for reuse, so a process's resident memory stays near its peak long
after the frames are gone: a warm kernel that ran a large report held 200-300 MB more during
the next notebooks, the build process its load's and portfolio's. ``malloc_trim`` returns
it (elsewhere: macOS, Windows, musl, nothing to do), and Arrow's own pool (pandas keeps text
columns in Arrow) releases what it keeps for reuse: 100 MB in the build after the portfolio.

>>> give_back() in (True, False)
True
"""

from __future__ import annotations

import ctypes
import functools
import sys

__all__ = ["give_back"]


@functools.cache
def _trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def give_back() -> bool:
    """Return the free heap to the system (glibc's ``malloc_trim(0)``, Arrow's pool if it is
    in use); whether the C library could."""
    arrow = sys.modules.get("pyarrow")  # never imported just for this
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
