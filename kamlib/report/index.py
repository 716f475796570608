"""The index page: every module's headline figures, their movement, small charts, and links.

One screen for leadership: a grid of module cards, each with its small charts (drawn
server-side as inline SVG by :mod:`kamlib.report.thumbnails` from the figures the notebook
recorded; no script, no image file) and its headline figures.

Each figure shows how it moved since the previous build (then, now, an arrow and the
difference in the figure's own format; a share's in percentage points), from the history
the build keeps (:mod:`kamlib.report.history`), coloured by what it means and said in a word
("better", "worse"; the figure's better way is declared once in
:mod:`kamlib.report.measures`). Amounts of money are compact (498.5 M, as the brief shows
them) with the exact value on hover; the module page keeps the exact value. Rendered with
Jinja2 with autoescaping on, so titles, labels and file names from data or notebooks are
text, never markup. Printable:
two cards a row on A4, no card breaks across pages, and links show their targets on paper.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import jinja2
from markupsafe import Markup

from kamlib.brief import compact
from kamlib.report.measures import MEANING_CSS, better_title, measure
from kamlib.report.thumbnails import describe, thumbnail_svg

__all__ = ["index_html", "charts", "card_figure", "AUDIENCES", "MAX_CHARTS"]

AUDIENCES = ("leadership", "trainee")
MAX_CHARTS = 2

_INDEX = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 120rem; margin: 1rem auto; padding: 0 1.5rem; line-height: 1.35;
       background: #f4f5f7; }
h1 { margin: 0; font-size: 1.6rem; } .meta { color: #555; margin: .2rem 0 0 0; }
.since { margin: .3rem 0 .8rem 0; color: #333; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 27rem), 1fr));
         gap: .8rem; align-items: start; }
.module { background: #fff; border: 1px solid #d5d8dd; border-radius: 8px;
          padding: .7rem .9rem; break-inside: avoid; page-break-inside: avoid; }
.module h2 { margin: 0 0 .4rem 0; font-size: 1.1rem; }
.module h2 a { color: #1f5f99; text-decoration: none; }
.module h2 a:hover { text-decoration: underline; }
.charts { display: flex; flex-wrap: wrap; gap: .3rem 1rem; margin: 0 0 .4rem 0; }
.charts figure { margin: 0; display: flex; align-items: center; gap: .6rem; }
svg.thumb { width: 16rem; height: auto; display: block; flex: none; }
.charts figcaption { color: #555; font-size: .8rem; max-width: 9rem; }
.figure { font-size: 1.25rem; font-weight: 650; margin-right: .3rem; }
.label { font-size: .9rem; }
ul.headlines { list-style: none; padding: 0; margin: 0; }
ul.headlines li { padding: .25rem 0; border-top: 1px solid #eceef1; }
table { border-collapse: collapse; font-size: .85rem; } td, th { padding: .2rem .6rem;
        border-bottom: 1px solid #ddd; text-align: left; }
.unavailable { border-style: dashed; color: #555; background: none; }
.missing { margin: .3rem 0 0 0; color: #555; font-size: .85rem; }
footer { color: #555; font-size: .85rem; margin-top: 2rem; }
.change { display: block; color: #555; font-size: .8rem; }  /* wraps: four narrow columns */
.change .move { display: inline; font-size: inherit; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.key-accounts { background: #fff; border: 1px solid #d5d8dd; border-radius: 8px;
                padding: .7rem .9rem; margin-top: .8rem; }
.key-accounts h2, .glossary h2 { margin: 0 0 .2rem 0; font-size: 1.1rem; }
.glossary { background: #fff; border: 1px solid #d5d8dd; border-radius: 8px;
            padding: .7rem .9rem; margin-top: .8rem; break-inside: avoid; }
.glossary dl { margin: .3rem 0 0 0; display: grid; grid-template-columns: max-content 1fr;
               gap: .2rem .8rem; font-size: .9rem; } .glossary dt { font-weight: 600; }
.glossary dd { margin: 0; }
/* on a phone a wide table scrolls in its own box, never the page */
footer table, .key-accounts table { display: block; max-width: 100%; overflow-x: auto; }
@media (max-width: 40rem) { .glossary dl { grid-template-columns: 1fr; }
  /* a phone: a chart's caption under it, not squeezed beside it a word a line */
  .charts figure { flex-direction: column; align-items: flex-start; gap: .2rem; }
  .charts figcaption { max-width: none; } }
{{ css }}
{{ brief_css }}
{{ meaning_css }}
{{ print_css }}
/* on paper the index is one A4 page: the brief and each module's figures in four
   columns (charts, the key-accounts table, the glossary and the inputs stay on screen) */
@media print { html { font-size: 6pt; }  /* every rem of the page scales with it */
  body { margin: 0; max-width: none; font-size: 6.5pt; line-height: 1.15;
    background: none; }
  h1 { font-size: 12pt; } .brief { gap: .3rem; margin: .2rem 0; }
  .brief section, .module { padding: .2rem .4rem; }
  .brief h2, .module h2 { font-size: 8.5pt; margin: 0 0 .1rem 0; }
  .figures .big { font-size: 10pt; } .brief td, .brief th { padding: 0 .3rem; }
  .brief { grid-template-columns: 1fr 1.3fr; } .scroll { overflow: visible; }
  .brief section.act { grid-column: 1 / -1; } .brief table { font-size: 7pt; }
  .cards { grid-template-columns: repeat(4, 1fr); gap: .25rem; }
  .charts, .key-accounts, .glossary, footer, nav.kamkit-nav, .missing, details { display: none; }
  ul.headlines li { padding: 0; } .figure { font-size: 7pt; } .label { font-size: 6pt; }
  .brief p, .brief li { font-size: 6.5pt; margin: .1rem 0; } p.since { margin: .1rem 0; }
  .module { border-color: #999; } .change { white-space: normal; font-size: 6.5pt; }
  a { color: inherit; text-decoration: none; } }
</style></head><body><main>
<h1>{{ title }}</h1>
<p class="meta">Data as of <b>{{ as_of }}</b> (from {{ start }}) &middot; {{ n_accounts }}
accounts{% if validation and not validation.startswith("0 error(s), 0 warning(s), 0 cleaning") %}
&middot; {{ validation }}{% endif %}</p>
{% if brief %}{{ brief_markup }}{% endif %}
{% if history %}<p class="since">{% if previous and previous.changed %}Figures are not
compared with the build of {{ previous.built }} (data as of <b>{{ previous.as_of }}</b>): they
mean something else now. Changed since then: {{ previous.changed }}.
{% elif previous %}Movements since the build of {{ previous.built }}
(data as of <b>{{ previous.as_of }}</b>).{% else %}No earlier build to compare with: each
figure's movement shows from the next build on.{% endif %}
{% if changes.html %}<a href="{{ changes.html }}">Which accounts moved since the last
build{% if changes.count is not none %} ({{ changes.count }}){% endif %}</a>{% endif %}</p>
{% endif %}
<div class="cards">
{% for m in modules %}<section class="module{% if not m.html %} unavailable{% endif %}">
<h2>{% if m.html %}<a href="{{ m.html }}">{{ m.title }}</a>{% else %}{{ m.title }}{% endif %}
</h2>{% if m.missing %}<p class="missing">Not built for this data: {{ m.missing_plain }}</p>
{% if m.missing_how %}<details class="kamkit-how missing"><summary>How to add it</summary>
{{ m.missing_how }}</details>{% endif %}{% endif %}
{% if m.charts %}<div class="charts">{% for c in m.charts %}<figure>{{ c.svg }}
<figcaption aria-hidden="true">{{ c.caption }}</figcaption></figure>{% endfor %}</div>{% endif %}
{% if m.headlines %}<ul class="headlines">{% for h in m.headlines %}
<li><span class="figure"{% if h.exact %} title="{{ h.exact }}"{% endif %}>{{ h.shown }}</span>
<span class="label">{{ h.label }}</span>{% if h.change %}
<span class="change {{ h.change.direction }}" title="{{ h.change.title }}">then
{{ h.change.then }} &rarr; now {{ h.shown }} <span class="move {{ h.change.meaning }}"><span
class="arrow" aria-hidden="true">{{ h.change.arrow }}</span> {{ h.change.delta }}{% if
h.change.word %} ({{ h.change.word }}){% endif %}</span></span>
{% elif h.not_compared %}<span class="change">{{ h.not_compared }}</span>
{% elif previous and not previous.changed %}<span class="change new">new figure</span>{% endif %}</li>{% endfor %}</ul>
{% endif %}{% for n in m.notices %}<p class="missing">{{ n }}</p>{% endfor %}</section>
{% endfor %}</div>
{% if key_accounts %}<section class="key-accounts">
<h2>Key accounts: <a href="{{ key_accounts.html }}">their plans</a></h2>
<p class="meta">{{ key_accounts.rows|length }} accounts &middot; amounts in
{{ key_accounts.currency }} &middot; click a column to sort</p>
<table class="kamkit-table"><thead><tr><th>account</th><th>name</th><th>manager</th>
<th>quadrant</th>{% for c in key_columns %}<th class="num">{{ c }}</th>{% endfor %}
<th>plan</th></tr></thead><tbody>
{% for r in key_accounts.rows %}<tr><td>{{ r.account_id }}</td><td>{{ r.account_name }}</td>
<td>{{ r.account_manager }}</td><td>{{ r.quadrant }}</td>
{% for v in r.figures %}<td class="num" data-sort="{{ v[0] }}">{{ v[1] }}</td>{% endfor %}
<td>{% if r.html %}<a href="{{ r.html }}">plan</a>{% elif r.failed_html %}<a
href="{{ r.failed_html }}">failed</a>{% else %}failed{% endif %}</td></tr>
{% endfor %}</tbody></table></section>{% endif %}
{% if glossary %}<section class="glossary"><h2>What the words mean</h2>
<p class="meta">Each term means the same accounts and the same number on every page, in the
plans and in the exports.</p><dl>
{% for g in glossary %}<dt>{{ g.term }}</dt><dd>{{ g.definition }}</dd>
{% endfor %}</dl></section>{% endif %}
</main><footer><p>kamlib {{ version }} &middot; generated {{ generated }} &middot; audience:
{{ audience }}</p><details class="kamkit-how"><summary>How this was computed: the inputs
</summary><table><tr><th>table</th><th>input</th><th>rows</th><th>SHA-256</th></tr>
{% for s in sources %}<tr><td>{{ s.table }}</td><td>{{ s.file }}</td><td>{{ "{:,}".format(s.rows) }}</td>
<td><code>{{ s.sha256 or "n/a" }}</code></td></tr>{% endfor %}</table></details></footer>
<script>{{ js }}</script>
</body></html>
""")


def charts(module: dict) -> list[dict]:
    """A module's thumbnails as the index shows them: ``svg`` (markup, drawn by
    :mod:`kamlib.report.thumbnails` with its text escaped) and ``caption``; what cannot be
    drawn is left out, and at most :data:`MAX_CHARTS` per card keep the page one screen.

    >>> charts({"thumbnails": [{"kind": "bars", "label": "Share",
    ...                         "data": {"labels": ["a"], "values": [1]}}, "junk"]})[0]["caption"]
    'Share; largest: a, 100%'
    """
    recorded = module.get("thumbnails")
    shown = []
    for thumb in recorded if isinstance(recorded, list) else []:
        svg = thumbnail_svg(thumb)
        if svg:
            shown.append({"svg": Markup(svg), "caption": describe(thumb)})
    return shown[:MAX_CHARTS]


def _amount(value: object) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) else None


def card_figure(h: dict) -> dict:
    """A headline as its card shows it: ``shown`` (an amount of money compact, see
    :func:`kamlib.brief.compact`), ``exact`` (the figure's own text, on hover; "" when
    ``shown`` is it), and its ``change`` (from :func:`kamlib.report.history.movement`)
    with ``then`` and ``delta`` in the same form and the exact ones in ``title``.

    >>> f = card_figure({"key": "revenue_l12m", "value": 498_475_813.0, "text": "498,475,813",
    ...     "change": {"then": "450,000,000", "before": 450e6, "diff": 48_475_813.0,
    ...                "delta": "+48,475,813", "direction": "up", "meaning": "better"}})
    >>> shown = (f["shown"], f["exact"], f["change"]["then"], f["change"]["delta"])
    >>> [t.replace("\u00a0", " ") for t in shown]  # no-break spaces shown as spaces
    ['498.5 M', '498,475,813', '450.0 M', '+48.5 M']
    >>> f["change"]["title"]
    'then 450,000,000, now 498,475,813: +48,475,813; higher is better'
    """
    found = measure(h.get("key"))
    text = str(h.get("text", ""))
    value = _amount(h.get("value"))
    money = bool(found and found.money) and value is not None
    out = {**h, "shown": compact(value) if money else text, "exact": text if money else ""}
    change = h.get("change")
    if change:
        before, diff = _amount(change.get("before")), _amount(change.get("diff"))
        delta = change.get("delta") or ("unchanged" if change.get("direction") == "same"
                                        else "")
        exact = f"then {change.get('then', '')}, now {text}" + (
            f": {change['delta']}" if change.get("delta") else "")
        out["change"] = {**change, "delta": delta,
                         "title": f"{exact}; {better_title(found.better if found else None)}"}
        if money and before is not None:
            out["change"]["then"] = compact(before)
        if money and diff:
            out["change"]["delta"] = ("+" if diff > 0 else "") + compact(diff)
    return out


def _shown(module: dict) -> dict:
    """A module as its card shows it: charts drawn, what it misses in a reader's words."""
    from kamlib.data.needs import plain_and_how

    plain, how = plain_and_how(str(module.get("missing") or ""))
    return {**module, "charts": charts(module), "missing_plain": plain, "missing_how": how,
            "headlines": [card_figure(h) for h in module.get("headlines", [])]}


def index_html(modules: list[dict], run_info: dict, audience: str,
               title: str = "Key account management reports", *, history: bool = False,
               previous: dict | None = None, changes: dict | None = None,
               key_accounts: dict | None = None, brief: dict | None = None,
               glossary: list[dict] | None = None) -> str:
    """The index page: each module's headline figures and a link to its report.

    ``modules`` holds dicts with ``title``, ``html`` (relative link) and ``headlines``
    (as recorded by :func:`kamlib.report.headline`; with ``change`` from
    :func:`kamlib.report.history.with_movements`). ``history``: the build keeps one, so
    say when there is no ``previous`` build; ``changes``: ``html`` and ``count`` of the
    changes page. ``key_accounts``: ``rows`` (as the plans' index has them, links relative
    to this page), ``html`` (the plans' index) and ``currency``: a sortable, searchable table
    after the modules. ``brief``: :func:`kamlib.report.brief_page.brief_data`, shown first.
    ``glossary``: ``term`` and ``definition`` rows (:func:`kamlib.vocabulary.glossary_rows`),
    shown last. Everything is escaped by the template.
    """
    from kamlib.report.changes_page import print_css, table_assets
    from kamlib.report.plans_index import FIGURES

    from kamlib.report.brief_page import BRIEF_CSS, brief_html

    css, js = table_assets()
    return _INDEX.render(
        brief=brief, brief_markup=brief_html(brief) if brief else "", brief_css=BRIEF_CSS,
        meaning_css=MEANING_CSS,
        history=history, previous=previous, changes=changes or {}, css=css, js=js,
        key_accounts=key_accounts, key_columns=FIGURES, print_css=print_css(),
        glossary=glossary or [],
        title=title, modules=[_shown(m) for m in modules], audience=audience,
        as_of=run_info.get("as_of", "n/a"), start=run_info.get("start", "n/a"),
        n_accounts=f"{run_info.get('n_accounts', 0):,}",
        validation=run_info.get("validation", ""), version=run_info.get("version", "?"),
        sources=run_info.get("sources", []),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
