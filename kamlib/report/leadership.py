"""What a build keeps for leadership beside the pages: history, account classes, changes.

Each successful build writes, next to the reports:

- ``kamkit-history.jsonl``: the previous lines plus this build's headline figures
  (:mod:`kamlib.report.history`); figures only, no account.
- ``kamkit-accounts.parquet``: every account's id, classes, status and yearly revenue in
  this build (revenue in the window and in the last 12 months, status, vital few, ABC, XYZ,
  RFM segment, lost; :func:`kamlib.changes.account_classes`), no names. The next build
  compares its own with it.
- ``changes.html`` and ``changes.xlsx``: the accounts that moved since the previous build
  and the change in their yearly revenue (the spreadsheet, every account, through
  :func:`kamlib.report.safe_export`).

The previous history and classes are read only when the build's manifest records them with
their content unchanged (see :mod:`kamlib._written`): anything else counts as no earlier
build. All four are written into the staging folder; the build publishes them with the
pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from kamlib._written import owned
from kamlib.report.changes_page import changes_html
from kamlib.report.history import (HISTORY, history_entry, read_history, settings_change,
                                   shown_time, with_movements)
from kamlib.report.safe_export import safe_export

__all__ = ["FILES", "SNAPSHOT", "CHANGES", "Leadership", "account_snapshot", "write_files"]

SNAPSHOT = "kamkit-accounts.parquet"
CHANGES = "changes.html"
CHANGES_LIST = "changes.xlsx"
FILES = (HISTORY, SNAPSHOT, CHANGES, CHANGES_LIST)


@dataclass
class Leadership:
    """What the index needs from the files written: movements, the previous build, changes."""

    modules: list[dict]
    previous: dict | None = None
    changes: dict = field(default_factory=dict)
    written: list[str] = field(default_factory=list)


def account_snapshot(ds) -> tuple[pd.DataFrame | None, str]:
    """This build's account classes, or None and why they could not be computed."""
    from kamlib.changes import dataset_classes

    try:
        return dataset_classes(ds), ""
    except Exception as err:  # noqa: BLE001 - the changes page must never cost the reports
        return None, (f"account classes could not be computed for this data "
                      f"({type(err).__name__}: {err})".splitlines()[0])


def _previous_classes(out: Path, record: dict[str, str]) -> tuple[pd.DataFrame | None, str]:
    from kamlib.changes import check_classes

    if not owned(out, SNAPSHOT, record):
        return None, ("the previous build kept no account classes (built by an older kit, or "
                      "the file was changed since): the next build lists the movers")
    try:
        return check_classes(pd.read_parquet(out / SNAPSHOT)), ""
    except (OSError, ValueError) as err:
        return None, f"the previous build's account classes could not be read: {err}"


def write_files(staging: Path, out: Path, record: dict[str, str], modules: list[dict],
                run_info: dict, classes: pd.DataFrame | None, names: dict[str, str],
                *, problem: str = "", currency: str = "", lost_after_days: int = 180,
                managers: dict[str, str] | None = None, plans: dict[str, str] | None = None
                ) -> Leadership:
    """Write the history line, the account classes and the changes page into ``staging``.

    Parameters
    ----------
    out, record : Path, dict
        The published folder and the previous manifest's file record (what the kit wrote).
    modules : list of dict
        This build's modules with their headlines, as the index lists them.
    classes : DataFrame or None
        :func:`account_snapshot` of this build; ``problem`` says why it is None.
    names, managers : dict
        Account id -> name, -> account manager, for the changes page and list (never kept
        in a file of its own).
    plans : dict, optional
        Account id -> its plan page (relative to ``out``), for the links on the changes page.
    """
    built = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = (out / HISTORY).read_text(encoding="utf-8") if owned(out, HISTORY, record) else ""
    entries = read_history(text)
    previous = entries[-1] if entries else None
    entry = history_entry(modules, run_info, built)
    kept = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
    (staging / HISTORY).write_text(kept + json.dumps(entry, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    written = [HISTORY]
    if classes is not None:
        classes.to_parquet(staging / SNAPSHOT, index=False)
        written.append(SNAPSHOT)
    changes = None
    changed = "" if previous is None else settings_change(entry["settings"],
                                                           previous.get("settings"))
    if changed and not problem:  # accounts under other limits or rules: not like for like
        problem = f"the settings changed since the previous build ({changed})"
    if previous is not None and not problem:
        before, problem = _previous_classes(out, record)
        if before is not None and classes is not None:
            from kamlib.changes import account_changes

            changes = account_changes(before, classes)
    if changes is not None:
        listed = changes.copy()
        ids = listed["account_id"].astype(str)
        listed.insert(1, "account_name", [names.get(a, "") for a in ids])
        listed.insert(2, "account_manager", [(managers or {}).get(a, "") for a in ids])
        safe_export(listed, staging / CHANGES_LIST)
        written.append(CHANGES_LIST)
    now = {"built": shown_time(built), "as_of": entry["as_of"]}
    if previous is not None:
        previous = {**previous, "built": shown_time(previous["built"]), "changed": changed}
    (staging / CHANGES).write_text(
        changes_html(changes, names, now, previous, problem=problem, currency=currency,
                     lost_after_days=lost_after_days, export=CHANGES_LIST,
                     managers=managers, plans=plans), encoding="utf-8")
    written.append(CHANGES)
    summary = {"html": CHANGES, "count": None if changes is None else len(changes)}
    return Leadership(with_movements(modules, previous, changed), previous, summary, written)
