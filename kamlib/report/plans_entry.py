"""The account plans as a module of ``kam build``: written with the build's data and warm
workers, and their key accounts' headline figures for the index.

The plans' entry on the index carries the rows of the key accounts' table (``accounts``),
so a build with ``--only`` keeps the table of the last plans run. Those rows are read back
from the manifest, a file anyone may write to: :func:`key_accounts` keeps only rows whose
links are plan pages the plans run names (plain stems).

Examples
--------
>>> key_accounts({"html": "plans/index.html", "accounts": [{"account_id": "a", "html":
...     "javascript:x", "figures": []}]})["rows"][0]["html"] is None
True
"""

from __future__ import annotations

import re
from pathlib import Path

from kamlib._written import owned, read_record
from kamlib.report.plans import PLAN_NOTEBOOK, RECORD

__all__ = ["BuildPlans", "plans_kept", "key_accounts", "plan_notebook", "NAME", "FOLDER"]

NAME, FOLDER = "plans", "plans"
TITLE = "Account plans of the key accounts"
_PAGE = re.compile(r"[A-Za-z0-9_-]+\.html")
_FAILED = re.compile(r"_failed/[A-Za-z0-9_-]+\.html")


def plan_notebook(folder: Path) -> Path | None:
    """The plan notebook of a folder of report notebooks (``plans/account_plan.ipynb``, as
    the kit's own folder has it), or None: then ``kam build`` writes no plans by default."""
    path = folder / FOLDER / PLAN_NOTEBOOK.name
    return path if path.is_file() else None


class BuildPlans:
    """The plans of ``kam build`` in ``out/plans``, run with ``notebook`` on the build's
    ``pool`` (executor, workers, kernels' folder) with the loaded ``ds`` and its portfolio
    ``frames`` (a Future of them, computed on a worker): their tasks join the build's queue
    (:attr:`then`) as soon as the portfolio is there, behind the report notebooks, so they
    fill workers the reports leave idle; :meth:`entry` publishes them once every report
    succeeded, :meth:`close` drops what a failed build leaves.

    Data that cannot feed the plans gives an entry saying why instead of failing the
    build; so does a plans folder the kit may not write, which also counts as an error (the
    other reports are published, the build exits with 1).
    """

    def __init__(self, ds, out: Path, pool: tuple, *, notebook: Path, force: bool,
                 show_progress: bool, pdf: bool = False, frames=None) -> None:
        from kamlib._written import OverwriteError
        from kamlib.report.execute import Then
        from kamlib.report.plans import open_plans

        self.run, self.error = None, None
        try:
            self.run = open_plans(out=out / FOLDER, dataset=ds, pool=pool, force=force,
                                  notebook=notebook, show_progress=show_progress, pdf=pdf,
                                  frames=frames)
        except (ValueError, OSError, OverwriteError) as err:
            self.error = err
        ready = getattr(frames, "done", None)
        self.then = Then(ready=ready if ready and self.run else (lambda: True),
                         make=lambda: self.run.tasks(quiet=True) if self.run else [])

    def entry(self) -> tuple[dict, list[str]]:
        """The index entry of the plans, published now, and the failed plans' errors."""
        from kamlib._written import OverwriteError
        from kamlib.report.plans import cap_notice

        try:
            if self.error or self.then.error:
                raise self.error or self.then.error
            result = self.run.finish(self.then.outcomes)
        except (ValueError, OSError, OverwriteError) as err:
            # data that cannot feed them is a notice; a folder it may not write also an error
            # the reason, not the function that found it ("pareto_table: total revenue is
            # zero")
            why = re.sub(r"^[a-z_]+: ", "", str(err).splitlines()[0])
            errors = [] if type(err) is ValueError else [f"account plans: {why}"]
            return {"name": NAME, "title": TITLE, "html": None, "headlines": [],
                    "missing": f"the account plans were not written: {why}"}, errors
        failed = [f"The plan of account {a} failed: {e}" for a, e in result.failed.items()]
        failed += [result.pdf_error] if result.pdf_error else []
        entry = {"name": NAME, "title": TITLE, "html": f"{FOLDER}/index.html",
                 "notices": failed,
                 "headlines": [{"key": "plans", "value": len(result.plans),
                                "text": f"{len(result.plans):,}", "label": "account plans"}],
                 "accounts": [{k: r[k] for k in ("account_id", "account_name",
                                                 "account_manager", "quadrant", "figures",
                                                 "html", "failed_html")}
                              for r in result.rows]}
        if not result.rows:
            entry["notices"] = ["No key account in this data (high value and high need): no "
                                "plan to write."]
        elif result.capped:
            entry["notices"] = [cap_notice(len(result.rows), result.key_accounts), *failed]
        return entry, failed

    def close(self) -> None:
        if self.run is not None:
            self.run.close()


def plans_kept(out: Path, html: str) -> bool:
    """Whether ``html`` (the plans' index, ``plans/index.html``) is still the page the last
    plans run wrote."""
    folder, _, name = html.rpartition("/")
    return folder == FOLDER and owned(out / FOLDER, name, read_record(out / FOLDER / RECORD))


def _figures(value: object) -> list:
    ok = isinstance(value, list) and all(
        isinstance(f, (list, tuple)) and len(f) == 2 and isinstance(f[1], str)
        and (isinstance(f[0], (int, float)) or f[0] == "") for f in value)
    return [list(f) for f in value] if ok else []


def key_accounts(entry: dict | None, currency: str = "") -> dict | None:
    """The index's table of key accounts from the plans' entry: links prefixed with the
    plans' folder, only to plan pages (anything else is shown unlinked)."""
    if not entry or not entry.get("html") or not isinstance(entry.get("accounts"), list):
        return None
    rows = []
    for r in entry["accounts"]:
        if not isinstance(r, dict):
            continue
        page, failed = r.get("html"), r.get("failed_html")
        rows.append({"account_id": str(r.get("account_id", "")),
                     "account_name": str(r.get("account_name") or ""),
                     "account_manager": str(r.get("account_manager") or ""),
                     "quadrant": str(r.get("quadrant") or ""),
                     "figures": _figures(r.get("figures")),
                     "html": f"{FOLDER}/{page}" if isinstance(page, str)
                     and _PAGE.fullmatch(page) else None,
                     "failed_html": f"{FOLDER}/{failed}" if isinstance(failed, str)
                     and _FAILED.fullmatch(failed) else None})
    return {"rows": rows, "html": entry["html"], "currency": currency}
