"""The plans' file names and their index page: safe names for any account id, and a
sortable, searchable table of the planned accounts that works without a network.

Examples
--------
>>> safe_names(["A-1", "a/1", "index", "A-1 "])
{'A-1': 'A-1', 'a/1': 'a_1-2cd25db4', 'index': 'index-e540cdd1', 'A-1 ': 'A-1-f07f0355'}
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import jinja2

from kamlib.report.changes_page import print_css

__all__ = ["safe_names", "plans_index_html", "RESERVED"]

RESERVED = {"index"}  # the index page's own name
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_names(ids: Iterable[str]) -> dict[str, str]:
    """A file stem per id: letters, digits, ``_`` and ``-`` only, unique ignoring case.

    An id that is not already such a stem (or is reserved) gets a short hash of itself
    appended, so two ids that clean to the same stem ("a/1", "a:1") stay apart.
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for raw in ids:
        text = str(raw)
        stem = _UNSAFE.sub("_", text).strip("_")[:60] or "account"
        if stem != text or stem.lower() in RESERVED or stem.lower() in taken:
            stem = f"{stem}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
        n = 1
        base = stem
        while stem.lower() in taken:  # a hash collision of the shortened stems
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.lower())
        out[text] = stem
    return out


_INDEX = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Account plans</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; }
td, th { padding: .25rem .5rem; border-bottom: 1px solid #ddd; text-align: left; }
th { cursor: pointer; background: #f4f4f4; } td.n { text-align: right; }
tr.failed td { background: #fde8e8; } .meta { color: #555; }
input { padding: .3rem; width: 20rem; max-width: 100%; margin: .5rem 0; }
/* on a phone the table scrolls in its own box, never the page */
@media (max-width: 60rem) { table { display: block; overflow-x: auto; } }
{{ print_css }}
@media print { input { display: none; } th { cursor: auto; } }
nav.kamkit-nav { margin: 0 0 .5rem; font-size: .9rem; } nav.kamkit-nav a { color: #1f5f99; }
@media print { nav.kamkit-nav { display: none; } }
</style></head><body><main>
<nav class="kamkit-nav" aria-label="Reports"><a href="../index.html">&larr; Report index</a></nav>
<h1>Account plans</h1>
<p class="meta">Data as of <b>{{ as_of }}</b> &middot; {{ rows|length }} plans
{%- if failed %} &middot; <b>{{ failed }} failed</b>{% endif %} &middot; amounts in
{{ currency }} &middot; click a column to sort</p>
{% for n in notices %}<p class="meta">{{ n }}</p>{% endfor %}
<input id="q" type="search" placeholder="Search accounts" aria-label="Search accounts">
<table id="plans"><thead><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for r in rows %}<tr{% if r.error %} class="failed"{% endif %}>
<td>{% if r.html %}<a href="{{ r.html }}">{{ r.account_id }}</a>{% else %}{{ r.account_id }}{% endif %}</td>
<td>{{ r.account_name }}</td><td>{{ r.account_manager }}</td><td>{{ r.quadrant }}</td>
{% for v in r.figures %}<td class="n" data-v="{{ v[0] }}">{{ v[1] }}</td>{% endfor %}
<td>{% if r.error %}{% if r.failed_html %}<a href="{{ r.failed_html }}">FAILED</a>{% else %}FAILED{% endif %}: {{ r.error }}{% else %}ok{% endif %}</td></tr>
{% endfor %}</tbody></table>
{% if calendars %}<h2>Contact calendars (next quarter)</h2><ul>
{% for c in calendars %}<li><a href="{{ c.file }}">{{ c.manager }}</a></li>{% endfor %}</ul>{% endif %}
</main><script>
(function () {
  var t = document.getElementById("plans"), q = document.getElementById("q");
  q.addEventListener("input", function () {
    var s = q.value.toLowerCase();
    Array.prototype.forEach.call(t.tBodies[0].rows, function (r) {
      r.style.display = r.textContent.toLowerCase().indexOf(s) < 0 ? "none" : "";
    });
  });
  Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, i) {
    var up = true;
    th.addEventListener("click", function () {
      var rows = Array.prototype.slice.call(t.tBodies[0].rows);
      rows.sort(function (a, b) {
        var x = a.cells[i], y = b.cells[i];
        var u = x.dataset.v !== undefined ? parseFloat(x.dataset.v) : x.textContent;
        var v = y.dataset.v !== undefined ? parseFloat(y.dataset.v) : y.textContent;
        if (typeof u === "number") { u = isNaN(u) ? -Infinity : u; v = isNaN(v) ? -Infinity : v; }
        return (u < v ? -1 : u > v ? 1 : 0) * (up ? 1 : -1);
      });
      up = !up;
      rows.forEach(function (r) { t.tBodies[0].appendChild(r); });
    });
  });
})();
</script></body></html>
""")

FIGURES = ("revenue", "share of revenue", "share of wallet", "profit", "lifetime value")


def plans_index_html(rows: list[dict], *, as_of: str, currency: str,
                     calendars: list[dict], notices: list[str] = ()) -> str:
    """The index page. ``rows``: ``account_id``, ``account_name``, ``account_manager``,
    ``quadrant``, ``figures`` (pairs of sort value and shown text, one per :data:`FIGURES`),
    ``html`` (the plan's file, None if it failed), ``error`` and ``failed_html`` (the failed
    notebook rendered, linked from its row). Everything is escaped."""
    columns = ["account", "name", "manager", "quadrant", *FIGURES, "plan"]
    return _INDEX.render(print_css=print_css(), rows=rows, columns=columns, as_of=as_of, currency=currency,
                         calendars=calendars, notices=list(notices),
                         failed=sum(1 for r in rows if r.get("error")))
