"""Report notebooks: which ones there are, their parameters, and the headlines they record.

A report notebook carries ``{"kamkit": {"report": true, "title": "...", "needs": {...}}}`` in
its metadata (``needs``: table -> columns it cannot run without; default: transactions;
``ranks``: true for a module that ranks or shares revenue, skipped when there is none;
``reads``: frames the build saves with the prepared data that it reads, ``relationships``)
and exactly one cell tagged ``parameters`` holding plain literals, each with a trailing
comment (papermill shows the comment in ``--help-notebook``). Parameters passed in are
checked against that cell before anything runs.

Examples
--------
>>> from kamlib.report.notebooks import parameter_problems
>>> parameter_problems("config = ''  # kam.toml\\nlimit = 10\\n")
["line 2: 'limit = 10' needs a trailing comment saying what it is"]
"""

from __future__ import annotations

import ast
import io
import json
import keyword
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from kamlib.report.display import HEADLINE_MIME

__all__ = ["ReportNotebook", "report_notebooks", "changed_kit_copies", "parameters_cell", "parameter_problems",
           "declared_parameters", "check_parameters", "recorded_headlines", "NotebookError"]


class NotebookError(ValueError):
    """A report notebook is not fit to run: bad parameters cell or a refused parameter."""


def _read(path: Path) -> dict:
    """The notebook as plain JSON: the build's parent process needs only metadata and the
    parameters cell, and importing nbformat would cost it a second."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


@dataclass(frozen=True)
class ReportNotebook:
    """One notebook that ``kam build`` turns into a report."""

    path: Path
    title: str
    # table -> columns the notebook cannot run without (metadata kamkit.needs)
    needs: dict[str, list[str]] = field(default_factory=dict)
    # ranks or shares revenue (metadata kamkit.ranks): skipped when no account has any
    ranks: bool = False
    # frames the build computes once and saves with the prepared data that the notebook
    # reads (metadata kamkit.reads: "relationships"); it waits for them to be saved
    reads: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.stem


def report_notebooks(folder: str | Path, only: list[str] | None = None) -> list[ReportNotebook]:
    """The report notebooks in ``folder``, by file name; ``only`` picks some by name.

    Raises :class:`NotebookError` for a name in ``only`` that is not a report notebook.
    """
    found = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        meta = _read(path).get("metadata", {}).get("kamkit", {})
        if meta.get("report"):
            needs = meta.get("needs", {"transactions": ["account_id", "date", "revenue"]})
            found.append(ReportNotebook(path, str(meta.get("title") or path.stem),
                                        {t: list(c) for t, c in needs.items()},
                                        bool(meta.get("ranks")),
                                        tuple(meta.get("reads", ()))))
    if only:
        names = {nb.name for nb in found}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise NotebookError(f"not a report notebook: {', '.join(unknown)}; choose from "
                                f"{', '.join(sorted(names))}")
        found = [nb for nb in found if nb.name in only]
    return found


def _cells(nb: dict) -> list[tuple[str, str, tuple[str, ...]]]:
    """What a notebook runs and shows: each cell's type, source and tags (not its outputs)."""
    return [(c.get("cell_type", ""), c.get("source", ""),
             tuple(sorted(c.get("metadata", {}).get("tags", [])))) for c in nb.get("cells", [])]


def changed_kit_copies(folder: str | Path, kit: str | Path) -> list[str]:
    """The notebooks of ``folder`` that pass for the kit's course notebooks (``kit``'s
    ``NN_name.ipynb``, the ones a trainee gets a copy of: the same file name or the same
    report title) but whose cells differ from them: a trainee's work, say.

    Whether a notebook is the kit's rests on what it holds, never on a marker file next to
    it (one lost when a trainee copies ``*.ipynb``).
    """
    folder, kit = Path(folder).resolve(), Path(kit).resolve()
    if folder == kit:
        return []
    shipped = {p.relative_to(kit): _read(p) for p in kit.glob("[0-9][0-9]_*.ipynb")}
    titles = {t: rel for rel, nb in shipped.items()
              if (t := nb.get("metadata", {}).get("kamkit", {}).get("title"))}
    changed = []
    for path in sorted(folder.glob("*.ipynb")):
        rel = path.relative_to(folder)
        try:
            nb = _read(path)
        except (OSError, ValueError):
            continue  # not a notebook: report_notebooks says so when it matters
        title = nb.get("metadata", {}).get("kamkit", {}).get("title")
        twin = rel if rel in shipped else titles.get(title)
        if twin is not None and _cells(nb) != _cells(shipped[twin]):
            changed.append(str(rel))
    return changed


def parameters_cell(nb: dict, name: str = "notebook") -> str:
    """The source of the one cell tagged ``parameters``; refuse none or several."""
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise NotebookError(f"{name}: {len(cells)} cells are tagged 'parameters'; a report "
                            "notebook needs exactly one")
    return cells[0]["source"]


def parameter_problems(source: str) -> list[str]:
    """What is wrong with a parameters cell: anything but ``name = literal  # comment``."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return [f"line {err.lineno}: {err.msg}"]
    comments = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.COMMENT}
    lines = source.splitlines()
    problems = []
    for stmt in tree.body:
        text = lines[stmt.lineno - 1].split("#")[0].strip()
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            problems.append(f"line {stmt.lineno}: {text!r} is not 'name = value'")
            continue
        try:
            ast.literal_eval(stmt.value)
        except ValueError:
            problems.append(f"line {stmt.lineno}: {text!r} is not a plain literal")
        if stmt.end_lineno not in comments:
            problems.append(f"line {stmt.lineno}: {text!r} needs a trailing comment "
                            "saying what it is")
        elif lines[stmt.lineno - 1].count("=") != 1:
            # papermill's --help-notebook skips any line with a second "="
            problems.append(f"line {stmt.lineno}: use no '=' in the value or the comment")
    return problems


def declared_parameters(path: str | Path) -> dict[str, object]:
    """Parameter name -> default value, from the notebook's parameters cell."""
    path = Path(path)
    source = parameters_cell(_read(path), path.name)
    problems = parameter_problems(source)
    if problems:
        raise NotebookError(f"{path.name}: parameters cell: " + "; ".join(problems))
    tree = ast.parse(source)
    return {s.targets[0].id: ast.literal_eval(s.value) for s in tree.body}


def check_parameters(path: str | Path, parameters: dict[str, object]) -> None:
    """Refuse a parameter that is not an identifier or that the notebook does not declare."""
    path = Path(path)
    bad = [n for n in parameters if not (isinstance(n, str) and n.isidentifier())
           or keyword.iskeyword(n)]
    if bad:
        raise NotebookError(f"{path.name}: parameter names must be Python identifiers, got "
                            + ", ".join(repr(n) for n in bad))
    declared = declared_parameters(path)
    unknown = [n for n in parameters if n not in declared]
    if unknown:
        raise NotebookError(f"{path.name}: unknown parameter(s) {', '.join(unknown)}; the "
                            f"notebook declares {', '.join(declared) or 'none'}")


def recorded_headlines(nb: dict, mime: str = HEADLINE_MIME) -> list[dict]:
    """The headline figures an executed notebook recorded, in order (see ``headline``);
    with ``mime=NOTICE_MIME``, the figures it could not show for want of data; with
    ``THUMBNAIL_MIME``, its small charts. A record that is not a JSON object is skipped."""
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if isinstance(data.get(mime), dict):
                found.append(dict(data[mime]))
    return found
