"""The index page: every module's headline figures, their movement, and links to the reports.

Each figure shows how it moved since the previous build (then, now, an arrow and the
difference in the figure's own format; a share's in percentage points), from the history
the build keeps (:mod:`kamlib.report.history`). Rendered with Jinja2 with autoescaping on, so titles, labels and file names from data or
notebooks are text, never markup. Printable: modules do not break across pages and links
show their targets on paper.
"""

from __future__ import annotations

from datetime import datetime, timezone

import jinja2

__all__ = ["index_html", "AUDIENCES"]

AUDIENCES = ("leadership", "trainee")

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
.unavailable { border-style: dashed; color: #555; } .missing { margin: 0; }
footer { color: #555; font-size: .85rem; margin-top: 2rem; }
.change { color: #555; font-size: .9rem; margin-left: .5rem; white-space: nowrap; }
.change .arrow { font-weight: 600; } .since { margin: .4rem 0; }
{{ css }}
{{ print_css }}
@media print { body { font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: .8em; color: #555; } }
</style></head><body><main>
<h1>{{ title }}</h1>
<p class="meta">Data as of <b>{{ as_of }}</b> (from {{ start }}) &middot; {{ n_accounts }}
accounts &middot; {{ validation }}</p>
{% if history %}<p class="since">{% if previous %}Movements since the build of {{ previous.built }}
(data as of <b>{{ previous.as_of }}</b>).{% else %}No earlier build to compare with: each
figure's movement shows from the next build on.{% endif %}
{% if changes.html %}<a href="{{ changes.html }}">Which accounts moved since the last
build{% if changes.count is not none %} ({{ changes.count }}){% endif %}</a>{% endif %}</p>
{% endif %}
{% for m in modules %}<section class="module{% if not m.html %} unavailable{% endif %}">
<h2>{% if m.html %}<a href="{{ m.html }}">{{ m.title }}</a>{% else %}{{ m.title }}{% endif %}
</h2>{% if m.missing %}<p class="missing">Not built for this data: {{ m.missing }}</p>{% endif %}
{% if m.headlines %}<ul class="headlines">{% for h in m.headlines %}
<li><span class="figure">{{ h.text }}</span>{{ h.label }}{% if h.change %}
<span class="change {{ h.change.direction }}">then {{ h.change.then }} &rarr; now {{ h.text }}
<span class="arrow" title="{{ h.change.direction }}">{{ h.change.arrow }}</span>
{{ h.change.delta or ("unchanged" if h.change.direction == "same" else "") }}</span>
{% elif previous %}<span class="change new">new figure</span>{% endif %}</li>{% endfor %}</ul>
{% endif %}{% for n in m.notices %}<p class="missing">{{ n }}</p>{% endfor %}</section>
{% endfor %}
</main><footer><p>kamlib {{ version }} &middot; generated {{ generated }} &middot; audience:
{{ audience }}</p><table><tr><th>table</th><th>input</th><th>rows</th><th>SHA-256</th></tr>
{% for s in sources %}<tr><td>{{ s.table }}</td><td>{{ s.file }}</td><td>{{ "{:,}".format(s.rows) }}</td>
<td><code>{{ s.sha256 or "n/a" }}</code></td></tr>{% endfor %}</table></footer>
<script>{{ js }}</script>
</body></html>
""")


def index_html(modules: list[dict], run_info: dict, audience: str,
               title: str = "Key account management reports", *, history: bool = False,
               previous: dict | None = None, changes: dict | None = None) -> str:
    """The index page: each module's headline figures and a link to its report.

    ``modules`` holds dicts with ``title``, ``html`` (relative link) and ``headlines``
    (as recorded by :func:`kamlib.report.headline`; with ``change`` from
    :func:`kamlib.report.history.with_movements`). ``history``: the build keeps one, so
    say when there is no ``previous`` build; ``changes``: ``html`` and ``count`` of the
    changes page. Everything is escaped by the template.
    """
    from kamlib.report.changes_page import print_css, table_assets

    css, js = table_assets()
    return _INDEX.render(
        history=history, previous=previous, changes=changes or {}, css=css, js=js,
        print_css=print_css(),
        title=title, modules=modules, audience=audience,
        as_of=run_info.get("as_of", "n/a"), start=run_info.get("start", "n/a"),
        n_accounts=f"{run_info.get('n_accounts', 0):,}",
        validation=run_info.get("validation", ""), version=run_info.get("version", "?"),
        sources=run_info.get("sources", []),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
