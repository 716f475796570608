"""Publishing a plans run: the index's rows, the plans and their failed pages moved into
``out`` with the record of what the kit wrote (:mod:`kamlib._written`).

Examples
--------
>>> figure(0.25, "{:.1%}"), figure(None, "{:.1%}")
((0.25, '25.0%'), ('', '–'))
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from kamlib._written import OverwriteError, foreign, owned, read_record, sha256

__all__ = ["RECORD", "figure", "index_rows", "publish", "failed_folder", "publish_failures"]

RECORD = ".kamkit-plans.json"  # what the last kam plans wrote into its folder


def figure(value: object, fmt: str) -> tuple[float | str, str]:
    if value is None or pd.isna(value):
        return "", "–"
    return float(value), fmt.format(value)


def index_rows(frames: dict, ids: list[str], stems: dict[str, str],
                failed: dict[str, str], failed_pages: dict[str, str]) -> list[dict]:
    """One row per planned account: its headline figures from the portfolio frames."""
    def by_id(name: str) -> pd.DataFrame:
        frame = frames.get(name)
        return (frame.drop_duplicates("account_id").set_index("account_id")
                if frame is not None else pd.DataFrame())

    info, matrix, wallet = by_id("info"), by_id("matrix"), by_id("wallet")
    pnl, clv = by_id("pnl"), by_id("clv")

    def get(frame: pd.DataFrame, key: str, column: str) -> object:
        return frame.at[key, column] if key in frame.index and column in frame else None

    rows = []
    for a in ids:
        rows.append({
            "account_id": a, "account_name": get(info, a, "account_name") or "",
            "account_manager": get(info, a, "account_manager") or "",
            "quadrant": get(matrix, a, "quadrant") or "",
            "figures": [figure(get(matrix, a, "revenue"), "{:,.0f}"),
                        figure(get(matrix, a, "share"), "{:.1%}"),
                        figure(get(wallet, a, "share_of_wallet"), "{:.1%}"),
                        figure(get(pnl, a, "profit"), "{:,.0f}"),
                        figure(get(clv, a, "clv"), "{:,.0f}")],
            "html": None if a in failed else f"{stems[a]}.html", "error": failed.get(a, ""),
            "failed_html": failed_pages.get(a)})
    return rows


def publish(staging: Path, out: Path, names: list[str]) -> dict[str, str]:
    """Move ``names`` from ``staging`` into ``out`` (index last); drop what the previous run
    wrote and this one did not; record the hashes."""
    out.mkdir(parents=True, exist_ok=True)
    record = read_record(out / RECORD)
    files = {n: sha256(staging / n) for n in names}
    for n in sorted(names, key=lambda n: n == "index.html"):
        os.replace(staging / n, out / n)
    for old in record:
        if old not in files and owned(out, old, record):
            (out / old).unlink()
    (staging / RECORD).write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")
    os.replace(staging / RECORD, out / RECORD)
    return files


def failed_folder(out: Path) -> Path:
    """``out/_failed`` for the failed plans' pages, unless a link or a file holds the name."""
    failed = out / "_failed"
    if failed.is_symlink() or (failed.exists() and not failed.is_dir()):
        raise OverwriteError(f"{failed}: not a folder the kit made (a link or a file); "
                             "remove it or choose another --out")
    return failed


def publish_failures(staging: Path, out: Path, failed: dict[str, str],
                      stems: dict[str, str], force: bool) -> dict[str, str]:
    """Move the failed plans' rendered notebooks into ``out/_failed`` (its own record);
    drop the failure pages of plans that work again. Returns account id -> page."""
    folder, made = failed_folder(out), staging / "_failed"
    record = read_record(folder / RECORD)
    pages = {a: f"{stems[a]}.html" for a in failed if (made / f"{stems[a]}.html").is_file()}
    if not force:  # a file the kit did not write keeps its place; the row shows no link
        pages = {a: n for a, n in pages.items() if not foreign(folder, [n], record)}
    if pages or folder.is_dir():
        made.mkdir(exist_ok=True)
        publish(made, folder, list(pages.values()))
    if folder.is_dir() and not pages:
        (folder / RECORD).unlink(missing_ok=True)
        if not any(folder.iterdir()):
            folder.rmdir()
    return {a: f"_failed/{n}" for a, n in pages.items()}
