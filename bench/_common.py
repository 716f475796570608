"""What the benchmarks share: a measured run in a fresh subprocess, and a timed command list.

The benchmark scripts are run as ``python bench/<script>.py``, so this module is imported by
its plain name.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def measure(script: str, kind: str, path: Path) -> dict:
    """Run ``script --child kind path`` in a fresh interpreter (own peak memory); its last
    printed line is the JSON result."""
    out = subprocess.run([sys.executable, script, "--child", kind, str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed(commands: list[list[str]], cwd: Path) -> float:
    """Seconds to run ``commands`` one after the other (output discarded)."""
    started = time.perf_counter()
    for cmd in commands:
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return time.perf_counter() - started
