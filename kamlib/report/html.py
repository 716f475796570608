"""HTML out of executed notebooks, for leadership or trainees.

Leadership reports keep only outputs and narrative: no code, no prompts, and no cells
tagged ``exercise``, ``solution`` or ``trainee``. Trainee reports show the code, and each
exercise's solution collapsed in a ``<details>`` element (shown, never executed). Formulas
are MathML in both. Every report ends with the run's metadata. All text that can come from data is escaped here:
nbconvert passes HTML outputs through as they are, so the notebooks' tables escape their
own cells (``safe_table``) and this module escapes everything it writes itself.
"""

from __future__ import annotations

import copy
import html
import re
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from kamlib.report.index import AUDIENCES
from kamlib.report.mathml import latex_to_mathml

__all__ = ["notebook_html", "failed_html", "run_footer", "solution_html", "TRAINEE_ONLY_TAGS"]

TEMPLATES = Path(__file__).parent / "templates"  # "kamkit": lab without external scripts
TRAINEE_ONLY_TAGS = {"exercise", "solution", "trainee"}


class _DropStderr(Preprocessor):
    """Warnings and log lines on stderr are for the analyst, not for leadership."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.name == "stderr")]
        return cell, resources


class _Formulas(Preprocessor):
    """LaTeX in markdown to MathML: the pages carry no MathJax."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = latex_to_mathml(cell.source)
        return cell, resources


_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


class _ChartAlt(Preprocessor):
    """Each chart's alt text names the section it stands in ("Chart: The Pareto chart"):
    a screen reader says what the picture is, not nbconvert's "No description"."""

    def preprocess(self, nb, resources):
        heading = resources.get("metadata", {}).get("name", "")
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                found = _HEADING.findall(cell.source)
                heading = found[-1].replace("*", "").replace("`", "") if found else heading
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                if "image/png" in output.get("data", {}):
                    output.setdefault("metadata", {})["kamkit_alt"] = f"Chart: {heading}"
        return nb, resources


def solution_html(exercise_id: str) -> str:
    """The solution of an exercise as a collapsed ``<details>`` element (escaped code)."""
    from kamlib.exercises import exercise

    ex = exercise(exercise_id)
    # one line of markdown source: a blank line in the code would end markdown's HTML block
    code = html.escape(ex.solution).replace("\n", "&#10;")
    return (f"<details class='kamkit-solution'><summary>Solution {html.escape(ex.id)}: "
            f"{html.escape(ex.title)}</summary><pre><code>{code}</code></pre></details>")


class _Solutions(Preprocessor):
    """The "Stuck?" cell of an exercise becomes its solution, collapsed."""

    def preprocess_cell(self, cell, resources, index):
        exercise_id = cell.get("metadata", {}).get("kamkit", {}).get("solution")
        if cell.cell_type == "markdown" and exercise_id:
            cell.source = solution_html(exercise_id)
        return cell, resources


_exporters: dict[str, HTMLExporter] = {}


def _exporter(audience: str) -> HTMLExporter:
    """One configured exporter per audience and process (building one loads templates)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    if audience not in _exporters:
        c = Config()
        leadership = audience == "leadership"
        c.TagRemovePreprocessor.enabled = True
        # papermill's injected cell holds machine paths (config, staging folder): never shown
        c.TagRemovePreprocessor.remove_cell_tags = (
            set(TRAINEE_ONLY_TAGS) if leadership else set()) | {"injected-parameters"}
        c.HTMLExporter.exclude_input = leadership
        c.HTMLExporter.exclude_input_prompt = leadership
        c.HTMLExporter.exclude_output_prompt = leadership
        exporter = HTMLExporter(config=c, template_name="kamkit",
                                extra_template_basedirs=[str(TEMPLATES)])
        if leadership:
            exporter.register_preprocessor(_DropStderr(), enabled=True)
        else:
            exporter.register_preprocessor(_Solutions(), enabled=True)
        exporter.register_preprocessor(_Formulas(), enabled=True)
        exporter.register_preprocessor(_ChartAlt(), enabled=True)
        _exporters[audience] = exporter
    return _exporters[audience]


def _plain(value: object) -> str:
    """A parameter's value as a reader says it: no quotes, no Python words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "(not set: the kit default)"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def run_footer(parameters: dict, run_info: dict) -> str:
    """The run metadata every report ends with, as escaped HTML: the as-of date in view,
    the parameters and input fingerprints in a collapsed "How this was computed"."""
    e = html.escape
    params = "".join(f"<tr><td>{e(str(k))}</td><td>{e(_plain(v))}</td></tr>"
                     for k, v in sorted(parameters.items()))
    sources = "".join(f"<tr><td>{e(s['table'])}</td><td>{e(s['file'])}</td>"
                      f"<td>{s['rows']:,}</td><td><code>{e(s.get('sha256') or 'n/a')}</code>"
                      "</td></tr>" for s in run_info.get("sources", []))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<hr><div class='kamkit-run'><h2>About this run</h2><p>Data as of <b>"
            f"{e(str(run_info.get('as_of', 'n/a')))}</b>, period from "
            f"{e(str(run_info.get('start', 'n/a')))}; generated {e(generated)}.</p>"
            f"<details class='kamkit-how'><summary>How this was computed</summary>"
            f"<p>kamlib {e(run_info.get('version', '?'))}, with these settings of the "
            f"notebook:</p><table><tr><th>setting</th><th>value</th></tr>{params}</table>"
            f"<table><tr><th>table</th><th>input</th><th>rows</th><th>SHA-256</th></tr>"
            f"{sources}</table></details></div>")


def notebook_html(nb: nbformat.NotebookNode, title: str, audience: str,
                  footer: str = "") -> str:
    """The report page of an executed notebook for ``audience``, with ``footer`` appended."""
    nb = copy.deepcopy(nb)
    if footer:
        nb.cells.append(nbformat.v4.new_markdown_cell(footer))
    body, _ = _exporter(audience).from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def failed_html(nb: nbformat.NotebookNode, title: str) -> str:
    """A failed notebook with its code and papermill's error banner, for the analyst."""
    return notebook_html(nb, f"FAILED: {title}", "trainee")
