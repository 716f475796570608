"""The "changes" page: the accounts that moved since the previous build, largest effect first.

Rendered with Jinja2 with autoescaping on: account names and ids are text, never markup.
The table is a ``kamkit-table`` (sortable and searchable by the kit's inline script; the
page works and prints without it); numbers carry their raw value in ``data-sort``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

__all__ = ["changes_html", "table_assets", "print_css", "KINDS"]

ASSETS = Path(__file__).parent / "templates" / "kamkit"
# the kinds of change counted at the top of the page, as account_changes words them
KINDS = [("won", "won"), ("lost", "lost"), ("entered the vital few", "entered the vital few"),
         ("left the vital few", "left the vital few"), ("ABC ", "moved ABC class"),
         ("XYZ ", "moved XYZ class"), ("segment ", "changed RFM segment")]


def table_assets() -> tuple[Markup, Markup]:
    """The CSS and the script that make ``table.kamkit-table`` sortable (kit files, not data)."""
    return (Markup((ASSETS / "tables.css").read_text(encoding="utf-8")),
            Markup((ASSETS / "tables.js").read_text(encoding="utf-8")))


def print_css() -> Markup:
    """The print layout every page of the kit shares (A4, breaks; a kit file, not data)."""
    return Markup((ASSETS / "print.css").read_text(encoding="utf-8"))


_PAGE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 62rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
.meta, .note { color: #555; } ul.kinds { padding-left: 1.2rem; }
table { border-collapse: collapse; font-size: .9rem; } td, th { padding: .25rem .6rem;
        border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.gain { color: #1a6b2f; } .loss { color: #a4262c; }
{{ css }}
{{ print_css }}
@media print { body { font-size: 10pt; } a { color: inherit; text-decoration: none; } }
</style></head><body>
<nav><p><a href="index.html">&larr; All reports</a></p></nav><main>
<h1>{{ title }}</h1>
{% if previous %}<p class="meta">This build: data as of <b>{{ now.as_of }}</b>, built {{ now.built }}.
Compared with the build of {{ previous.built }} (data as of <b>{{ previous.as_of }}</b>).</p>
{% if problem %}<p class="note">{{ problem }}</p>
{% elif rows %}<p>{{ rows|length }} account{{ "s" if rows|length != 1 }} moved; their revenue
changed by <b>{{ total }}</b> {{ currency }} in all.</p>
<ul class="kinds">{% for label, n in counts if n %}<li>{{ n }} {{ label }}</li>{% endfor %}</ul>
<p><a href="{{ export }}">The list as a spreadsheet ({{ export }})</a></p>
<table class="kamkit-table"><thead><tr><th>account</th><th>id</th><th>change</th>
<th class="num">revenue before</th><th class="num">revenue now</th>
<th class="num">effect</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.name }}</td><td>{{ r.id }}</td><td>{{ r.change }}</td>
<td class="num" data-sort="{{ r.before_raw }}">{{ r.before }}</td>
<td class="num" data-sort="{{ r.after_raw }}">{{ r.after }}</td>
<td class="num {{ r.sign }}" data-sort="{{ r.effect_raw }}">{{ r.effect }}</td></tr>
{% endfor %}</tbody></table>
{% else %}<p>No account moved: no account entered or left the vital few, moved ABC or XYZ
class, changed RFM segment, was lost or won.</p>{% endif %}
{% else %}<p class="note">No earlier build to compare with: the next build lists the accounts
that moved since this one (data as of <b>{{ now.as_of }}</b>).</p>{% endif %}
<p class="note">Revenue is each account's revenue in the analysis window; the effect is now
minus before (an account missing from one build counts 0 there). Largest effects first, gains
and losses alike. An account is lost after {{ lost_after_days }} days without a purchase and
won when it buys again or is new. Classes use the report pages' default settings.</p>
</main><script>{{ js }}</script>
</body></html>
""")


def _money(value: float) -> str:
    return f"{value:,.0f}"


def changes_html(changes: pd.DataFrame | None, names: dict[str, str], now: dict,
                 previous: dict | None, *, problem: str = "", currency: str = "",
                 lost_after_days: int = 180, export: str = "changes.xlsx") -> str:
    """The changes page.

    Parameters
    ----------
    changes : DataFrame or None
        :func:`kamlib.changes.account_changes` of the previous and this build.
    names : dict
        Account id -> name (an id without a name shows empty).
    now, previous : dict
        ``built`` and ``as_of`` of this build and of the previous one (None: first build).
    problem : str
        Why no comparison could be made, when there is a previous build.
    """
    rows = []
    if changes is not None:
        for r in changes.itertuples(index=False):
            rows.append({"id": str(r.account_id), "name": names.get(str(r.account_id), ""),
                         "change": r.change, "before": _money(r.revenue_before),
                         "after": _money(r.revenue_after),
                         "effect": f"{r.effect:+,.0f}", "before_raw": repr(float(r.revenue_before)),
                         "after_raw": repr(float(r.revenue_after)),
                         "effect_raw": repr(float(r.effect)),
                         "sign": "gain" if r.effect > 0 else "loss" if r.effect < 0 else ""})
    counts = [(label, sum(1 for r in rows if any(c.startswith(word)
                                                  for c in r["change"].split("; "))))
              for word, label in KINDS]
    total = f"{changes['effect'].sum():+,.0f}" if changes is not None and len(changes) else "0"
    css, js = table_assets()
    return _PAGE.render(title="What changed since the last build", rows=rows, counts=counts,
                        total=total, now=now, previous=previous, problem=problem,
                        currency=currency, lost_after_days=lost_after_days, export=export,
                        css=css, js=js, print_css=print_css())
