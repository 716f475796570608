"""The relationship frames saved with the prepared data: computed once per ``kam build``.

The build computes :func:`~kamlib.relationships.dataset_relationships` once (on a worker,
while the first report notebooks run), writes the frames here with
:func:`save_relationships`, and both module 15 and the plans' portfolio read them back
(:class:`SavedRelationships`): one meaning, one computation. A frame is read from its
Parquet file only when asked for, so the portfolio, which needs two, never holds the rest.

Examples
--------
>>> import tempfile
>>> import pandas as pd
>>> frame = pd.DataFrame({"account_id": ["a", "b"], "score": [40.0, 80.0]})
>>> frame.attrs["rules"] = {"score": "the weighted signals"}
>>> folder = save_relationships({"health": frame}, tempfile.mkdtemp() + "/relationships")
>>> saved = SavedRelationships(folder)
>>> list(saved), saved["health"].attrs["rules"]["score"]
(['health'], 'the weighted signals')
>>> saved.read("health", columns=["score"]).columns.tolist()
['score']
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

__all__ = ["save_relationships", "SavedRelationships", "FOLDER"]

FOLDER = "relationships"  # its folder inside the prepared data
_TYPES = "object_columns.json"  # columns of object dtype (Parquet reads text back as str)


def save_relationships(frames: Mapping[str, pd.DataFrame], folder: str | Path) -> Path:
    """Write each frame as ``<name>.parquet`` (its ``attrs`` kept) into ``folder``, whole
    or not at all: written beside it and renamed, so a reader never sees half of them."""
    folder = Path(folder)
    part = folder.with_name(f".{folder.name}.part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    objects = {}
    for name, frame in frames.items():
        frame.to_parquet(part / f"{name}.parquet", index=False)
        objects[name] = [str(c) for c in frame.columns if frame[c].dtype == object]
    (part / _TYPES).write_text(json.dumps(objects), encoding="utf-8")
    os.replace(part, folder)
    return folder


class SavedRelationships(Mapping):
    """The frames :func:`save_relationships` wrote, each read on first use and kept."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._objects = json.loads((self.folder / _TYPES).read_text(encoding="utf-8"))
        self._read: dict[str, pd.DataFrame] = {}

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Frame ``name`` (only ``columns`` if given: read from the file, not kept)."""
        if name not in self._objects:
            raise KeyError(name)
        if columns is None and name in self._read:
            return self._read[name]
        from kamlib._memory import give_back

        frame = pd.read_parquet(self.folder / f"{name}.parquet", columns=columns)
        back = {c: object for c in self._objects[name] if c in frame.columns}
        frame = frame.astype(back) if back else frame
        give_back()  # what reading held beside the frame: 90 MB for the statuses at 25k
        if columns is None:
            self._read[name] = frame
        return frame

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.read(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._objects)

    def __len__(self) -> int:
        return len(self._objects)
