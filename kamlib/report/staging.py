"""The build's staging folder: next to ``out``, named after the build's process id.

It holds the prepared copy of the user's data and the new pages until they are published.
A build that is killed outright cannot remove it, so the next build into the same folder
removes every staging folder whose build process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = ["new_staging", "remove_stale"]

OWNER = ".kamkit-staging"  # the owning process id, inside the folder


def new_staging(out: Path) -> Path:
    """A fresh staging folder for ``out`` owned by this process."""
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-{os.getpid()}-", dir=out.parent))
    (folder / OWNER).write_text(str(os.getpid()), encoding="utf-8")
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale(out: Path) -> list[Path]:
    """Remove the staging folders of builds into ``out`` whose process has died.

    Only folders that carry the build's name pattern and owner file are touched, never a
    link, and never one whose process still runs (a build running in parallel).
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}-build-(\d+)-[^/]+")
    removed = []
    if not out.parent.is_dir():
        return removed
    for folder in out.parent.iterdir():
        match = pattern.fullmatch(folder.name)
        if not match or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            owner = int((folder / OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if owner == int(match.group(1)) and owner != os.getpid() and not _alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
