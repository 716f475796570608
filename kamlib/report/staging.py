"""The build's staging folder: next to ``out``, named after the build's process id.

It holds the prepared copy of the user's data and the new pages until they are published.
A build that is killed outright cannot remove it, so the next build into the same folder
removes every staging folder whose build process is gone.

Publishing is a rename, so the staging folder lives on the file system of ``out``: beside
it, or inside it when ``out`` is a mount point (a Docker volume, another disk). Before
anything runs, a file is renamed from the staging folder into ``out``: a folder that cannot
be written (read-only, no permission) or reached by a rename is a one-line error then, not
after the whole build. And one build at a time writes into a folder: ``new_staging`` takes
a lock on ``out`` (released by :func:`drop_staging`, or by the system when the process
ends), and a second build is refused with a clear message instead of mixing the two.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, builds are not serialised there
    fcntl = None

__all__ = ["new_staging", "drop_staging", "remove_stale", "staging_parent", "OutError",
           "BuildRunning"]

OWNER = ".kamkit-staging"  # the owning process id, inside the folder
_LOCKS: dict[Path, int] = {}  # staging folder -> the open descriptor holding out's lock


class OutError(OSError):
    """The output folder cannot take the build's pages (read-only, no permission, no rename)."""


class BuildRunning(OutError):
    """Another build is writing into the same output folder."""


def staging_parent(out: Path) -> Path:
    """Where the staging folder goes: beside ``out``, or inside it when ``out`` is a mount
    point (another file system than its parent), so that publishing stays a rename."""
    if out.is_dir() and _device(out) != _device(out.parent):
        return out
    return out.parent


def _device(path: Path) -> int:
    return os.stat(path).st_dev


def _lock(out: Path) -> int | None:
    """A lock on the folder ``out`` held by this process; BuildRunning if another holds it."""
    if fcntl is None:
        return None
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BuildRunning(f"--out {out}: another kam build is writing into this folder; "
                           "wait for it to finish, or choose another folder") from None
    return fd


def new_staging(out: Path) -> Path:
    """A fresh staging folder for ``out`` owned by this process, holding ``out``'s lock.

    Raises :class:`OutError` (one line) when ``out`` cannot be written or reached by a
    rename, :class:`BuildRunning` when another build writes into it.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = _lock(out)
    except BuildRunning:
        raise
    except OSError as err:
        raise OutError(f"--out {out}: cannot write there ({err.strerror or err}); choose a "
                       "folder you can write to") from None
    folder = None
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-{os.getpid()}-",
                                       dir=staging_parent(out)))
        (folder / OWNER).write_text(str(os.getpid()), encoding="utf-8")
        probe = out / f".kamkit-probe-{os.getpid()}"
        (folder / "probe").write_bytes(b"")
        os.replace(folder / "probe", probe)  # publishing is this, page by page
        probe.unlink()
    except OSError as err:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if fd is not None:
            os.close(fd)
        why = ("it is on another file system than its staging folder" if err.errno ==
               errno.EXDEV else err.strerror or str(err))
        raise OutError(f"--out {out}: the reports cannot be published there ({why}); choose "
                       "a folder you can write to") from None
    if fd is not None:
        _LOCKS[folder] = fd
    return folder


def drop_staging(folder: Path) -> None:
    """Remove a staging folder and release its build's lock on the output folder."""
    shutil.rmtree(folder, ignore_errors=True)
    fd = _LOCKS.pop(folder, None)
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the lock


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
    places = [p for p in dict.fromkeys([out.parent, out]) if p.is_dir() and not p.is_symlink()]
    for folder in (f for place in places for f in place.iterdir()):
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
