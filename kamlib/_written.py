"""Which files in an output folder the kit wrote, so it overwrites and deletes only those.

``kam build`` and ``kam sample`` record what they wrote (file name and SHA-256) in a small
JSON file in the folder. A file counts as the kit's only if it is a plain file name (no
folder, no ``..``), a regular file (not a link) in the folder, and still has the recorded
content: a record copied from elsewhere, edited by hand or planted cannot make the kit
delete or overwrite a file it did not write.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "index.html").write_text("mine")
>>> foreign(folder, ["index.html", "new.html"], {})
['index.html']
>>> foreign(folder, ["index.html"], {"index.html": sha256(folder / "index.html")})
[]
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

__all__ = ["OverwriteError", "plain_name", "sha256", "owned", "foreign", "read_record",
           "refuse"]

_HASH = re.compile(r"[0-9a-f]{64}")


class OverwriteError(ValueError):
    """The output folder holds files the kit did not write; the message lists them."""


def plain_name(name: object) -> bool:
    """A file name of the folder itself: no separators, no ``..``, not hidden.

    >>> [plain_name(n) for n in ("10_x.html", "../v.txt", "/etc/x", "a/../../x", ".x", "..")]
    [True, False, False, False, False, False]
    """
    return (isinstance(name, str) and bool(name) and not name.startswith(".")
            and not any(c in name for c in "/\\\0:") and Path(name).name == name)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def owned(folder: Path, name: str, record: dict[str, str]) -> bool:
    """Whether ``folder/name`` is a file the kit wrote and nobody changed since."""
    if not plain_name(name) or name not in record:
        return False
    path = folder / name
    if path.is_symlink() or not path.is_file():
        return False
    if path.resolve().parent != folder.resolve():  # e.g. on a case-folding file system
        return False
    return sha256(path) == record[name]


def foreign(folder: Path, names: list[str], record: dict[str, str]) -> list[str]:
    """Those of ``names`` that exist in ``folder`` (as anything, links too) but are not owned."""
    return [n for n in names if ((folder / n).exists() or (folder / n).is_symlink())
            and not owned(folder, n, record)]


def read_record(path: Path, key: str = "files") -> dict[str, str]:
    """The ``{name: sha256}`` record in JSON file ``path``; empty if missing or malformed.

    Entries that are not plain file names with a SHA-256 are dropped, whatever else the file
    says: the record is read from a folder anyone may have written to.
    """
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get(key, {})
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {n: h for n, h in files.items()
            if plain_name(n) and isinstance(h, str) and _HASH.fullmatch(h)}


def refuse(folder: Path, found: list[str], what: str) -> None:
    """Raise :class:`OverwriteError` naming ``found``, the files ``what`` would overwrite."""
    if found:
        shown = ", ".join(found[:10]) + (f" and {len(found) - 10} more" if len(found) > 10
                                         else "")
        raise OverwriteError(f"{folder}: {what} would overwrite {len(found)} file(s) it did "
                             f"not write: {shown}. Choose another folder, or pass --force to "
                             f"overwrite them.")
