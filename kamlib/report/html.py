"""HTML out of executed notebooks, and the index page that links them.

Leadership reports keep only outputs and narrative: no code, no prompts, and no cells
tagged ``exercise``, ``solution`` or ``trainee``. Trainee reports show the code. Every
report ends with the run's metadata. All text that can come from data is escaped here:
nbconvert passes HTML outputs through as they are, so the notebooks' tables escape their
own cells (``safe_table``) and this module escapes everything it writes itself.
"""

from __future__ import annotations

import copy
import html
from datetime import datetime, timezone
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

__all__ = ["notebook_html", "failed_html", "run_footer", "index_html", "AUDIENCES",
           "TRAINEE_ONLY_TAGS"]

AUDIENCES = ("leadership", "trainee")
TEMPLATES = Path(__file__).parent / "templates"  # "kamkit": lab without external scripts
TRAINEE_ONLY_TAGS = {"exercise", "solution", "trainee"}


class _DropStderr(Preprocessor):
    """Warnings and log lines on stderr are for the analyst, not for leadership."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.name == "stderr")]
        return cell, resources


_exporters: dict[str, HTMLExporter] = {}


def _exporter(audience: str) -> HTMLExporter:
    """One configured exporter per audience and process (building one loads templates)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    if audience not in _exporters:
        c = Config()
        leadership = audience == "leadership"
        c.TagRemovePreprocessor.enabled = leadership
        c.TagRemovePreprocessor.remove_cell_tags = TRAINEE_ONLY_TAGS if leadership else set()
        c.HTMLExporter.exclude_input = leadership
        c.HTMLExporter.exclude_input_prompt = leadership
        c.HTMLExporter.exclude_output_prompt = leadership
        exporter = HTMLExporter(config=c, template_name="kamkit",
                                extra_template_basedirs=[str(TEMPLATES)])
        if leadership:
            exporter.register_preprocessor(_DropStderr(), enabled=True)
        _exporters[audience] = exporter
    return _exporters[audience]


def run_footer(parameters: dict, run_info: dict) -> str:
    """The run metadata every report ends with, as escaped HTML."""
    e = html.escape
    params = "".join(f"<tr><td><code>{e(str(k))}</code></td><td><code>{e(repr(v))}</code>"
                     "</td></tr>" for k, v in sorted(parameters.items()))
    sources = "".join(f"<tr><td>{e(s['table'])}</td><td>{e(s['file'])}</td>"
                      f"<td>{s['rows']:,}</td><td><code>{e(s.get('sha256') or 'n/a')}</code>"
                      "</td></tr>" for s in run_info.get("sources", []))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<hr><div class='kamkit-run'><h2>About this run</h2><p>Data as of <b>"
            f"{e(str(run_info.get('as_of', 'n/a')))}</b>, period from "
            f"{e(str(run_info.get('start', 'n/a')))}; kamlib {e(run_info.get('version', '?'))};"
            f" generated {e(generated)}.</p><table><tr><th>parameter</th><th>value</th></tr>"
            f"{params}</table><table><tr><th>table</th><th>input</th><th>rows</th>"
            f"<th>SHA-256</th></tr>{sources}</table></div>")


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


_INDEX = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { margin-bottom: .2rem; } .meta { color: #555; margin-top: 0; }
.module { border: 1px solid #ccc; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0;
          break-inside: avoid; page-break-inside: avoid; }
.module h2 { margin: 0 0 .4rem 0; font-size: 1.25rem; }
.figure { font-size: 1.5rem; font-weight: 600; margin-right: .3rem; }
ul.headlines { list-style: none; padding: 0; margin: 0; } ul.headlines li { margin: .2rem 0; }
table { border-collapse: collapse; font-size: .85rem; } td, th { padding: .2rem .6rem;
        border-bottom: 1px solid #ddd; text-align: left; }
footer { color: #555; font-size: .85rem; margin-top: 2rem; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: .8em; color: #555; } }
</style></head><body>
<h1>{{ title }}</h1>
<p class="meta">Data as of <b>{{ as_of }}</b> (from {{ start }}) &middot; {{ n_accounts }}
accounts &middot; {{ validation }}</p>
{% for m in modules %}<section class="module"><h2><a href="{{ m.html }}">{{ m.title }}</a>
</h2>{% if m.headlines %}<ul class="headlines">{% for h in m.headlines %}
<li><span class="figure">{{ h.text }}</span>{{ h.label }}</li>{% endfor %}</ul>
{% endif %}</section>{% endfor %}
<footer><p>kamlib {{ version }} &middot; generated {{ generated }} &middot; audience:
{{ audience }}</p><table><tr><th>table</th><th>input</th><th>rows</th><th>SHA-256</th></tr>
{% for s in sources %}<tr><td>{{ s.table }}</td><td>{{ s.file }}</td><td>{{ "{:,}".format(s.rows) }}</td>
<td><code>{{ s.sha256 or "n/a" }}</code></td></tr>{% endfor %}</table></footer>
</body></html>
""")


def index_html(modules: list[dict], run_info: dict, audience: str,
               title: str = "Key account management reports") -> str:
    """The index page: each module's headline figures and a link to its report.

    ``modules`` holds dicts with ``title``, ``html`` (relative link) and ``headlines``
    (as recorded by :func:`kamlib.report.headline`). Everything is escaped by the template.
    """
    return _INDEX.render(
        title=title, modules=modules, audience=audience,
        as_of=run_info.get("as_of", "n/a"), start=run_info.get("start", "n/a"),
        n_accounts=f"{run_info.get('n_accounts', 0):,}",
        validation=run_info.get("validation", ""), version=run_info.get("version", "?"),
        sources=run_info.get("sources", []),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
