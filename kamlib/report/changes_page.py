"""The "changes" page: what was gained and lost since the previous build, in money a year.

The page opens with the totals per kind of change (lost, won back, new, entered or left the
vital few, moved class): accounts and the change in their yearly revenue (the last 12 months
to each build's as-of date; a lost account counts 0 a year). Then the accounts, grouped by
their first kind of change, largest effect first, with their manager and a link to their
plan where one was written. Long groups show their largest accounts and say how many there
are in all; the spreadsheet (``changes.xlsx``) lists every one, so the printed page stays
short. Rendered with Jinja2 with autoescaping on: account names and ids are text, never
markup. Tables are ``kamkit-table`` (sortable and searchable by the kit's inline script; the
page works and prints without it); numbers carry their raw value in ``data-sort``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from kamlib.changes import KINDS, change_totals
from kamlib.report.measures import COLOURS  # a gain in revenue is better

__all__ = ["changes_html", "table_assets", "print_css", "KINDS", "SHOWN"]

ASSETS = Path(__file__).parent / "templates" / "kamkit"
# at most this many accounts a group shows on the page (the spreadsheet has every one):
# the gains and losses of whole accounts, and the class moves
SHOWN = {"account": 50, "class": 10}
_CLASS_MOVES = ("ABC ", "XYZ ", "segment ")


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
.scroll { overflow-x: auto; max-width: 100%; }  /* a wide table scrolls in its own box */
.meta, .note { color: #555; } ul.kinds { padding-left: 1.2rem; }
table { border-collapse: collapse; font-size: .9rem; } td, th { padding: .25rem .6rem;
        border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.gain { color: {{ colours.better }}; } .loss { color: {{ colours.worse }}; }  /* as the index */
h2 { font-size: 1.1rem; margin: 1.4rem 0 .4rem 0; } table.totals { margin: .6rem 0; }
section.group { break-inside: auto; }
{{ css }}
{{ print_css }}
@media print { body { font-size: 10pt; } a { color: inherit; text-decoration: none; } }
</style></head><body>
<nav><p><a href="index.html">&larr; All reports</a></p></nav><main>
<h1>{{ title }}</h1>
{% if previous %}<p class="meta">This build: data as of <b>{{ now.as_of }}</b>, built {{ now.built }}.
Compared with the build of {{ previous.built }} (data as of <b>{{ previous.as_of }}</b>).</p>
{% if problem %}<p class="note">{{ problem }}</p>
{% elif groups %}{% if yearly %}<p>Yearly revenue is each account's revenue in the
<b>last 12 months</b> to each build's as-of date: to {{ now.as_of }} now, to
{{ previous.as_of }} before. The effect of a change is yearly revenue now minus before; a lost
account counts 0 a year, so its effect is minus what it bought in the 12 months before
{{ previous.as_of }}.</p>{% else %}<p class="note">{{ no_yearly }}</p>{% endif %}
<div class="scroll"><table class="kamkit-table totals"><thead><tr><th>change</th><th class="num">accounts</th>
<th class="num">effect on yearly revenue ({{ currency }} a year)</th></tr></thead><tbody>
{% for t in totals %}<tr><td>{{ t.kind }}</td><td class="num" data-sort="{{ t.accounts }}">{{ t.accounts_text }}</td>
<td class="num {{ t.sign }}" data-sort="{{ t.effect_raw }}">{{ t.effect }}</td></tr>
{% endfor %}</tbody><tfoot><tr><td><b>all {{ n_moved }} accounts that moved</b> (an account
with two changes counts in both rows above, once here)</td><td class="num">{{ n_moved_text }}</td>
<td class="num"><b>{{ total }}</b></td></tr></tfoot></table></div>
<p><a href="{{ export }}">Every account that moved, as a spreadsheet ({{ export }})</a></p>
{% for g in groups %}<section class="group"><h2>{{ g.title }}: {{ g.n_text }}
account{{ "s" if g.n != 1 }}{% if yearly %}, {{ g.effect }} {{ currency }} a year{% endif %}</h2>
{% if g.more %}<p class="note">The {{ g.rows|length }} largest shown; {{ g.n_text }} in all,
every one in <a href="{{ export }}">{{ export }}</a>.</p>{% endif %}
<div class="scroll"><table class="kamkit-table"><thead><tr><th>account</th><th>id</th><th>manager</th>
<th>change</th><th class="num">yearly revenue before</th><th class="num">yearly revenue now</th>
<th class="num">effect</th><th>plan</th></tr></thead><tbody>
{% for r in g.rows %}<tr><td>{{ r.name }}</td><td>{{ r.id }}</td><td>{{ r.manager }}</td>
<td>{{ r.change }}</td>
<td class="num" data-sort="{{ r.before_raw }}">{{ r.before }}</td>
<td class="num" data-sort="{{ r.after_raw }}">{{ r.after }}</td>
<td class="num {{ r.sign }}" data-sort="{{ r.effect_raw }}">{{ r.effect }}</td>
<td>{% if r.plan %}<a href="{{ r.plan }}">plan</a>{% endif %}</td></tr>
{% endfor %}</tbody></table></div></section>
{% endfor %}
{% else %}<p>No account moved: no account was lost, won back or new, entered or left the vital
few, moved ABC or XYZ class or changed RFM segment.</p>{% endif %}
{% else %}<p class="note">No earlier build to compare with: the next build lists the accounts
that moved since this one (data as of <b>{{ now.as_of }}</b>).</p>{% endif %}
<h2>How this was computed</h2>
<p class="note">An account is <b>lost</b> when it made no purchase for more than
{{ lost_after_days }} days before the as-of date (the same rule and the same count as every
other page), <b>won back</b> when it was lost at the previous build and buys again,
<b>new</b> when it was not in the previous build's data. The vital few, ABC and XYZ classes
use the analysis window of each build and the pages' default settings; the RFM segments the
as-of date of each build. Each account is listed once, under its first change in the order
of the totals; its other changes are in its row.</p>
</main><script>{{ js }}</script>
</body></html>
""")


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _signed(value: float) -> str:
    return "unknown" if pd.isna(value) else f"{value:+,.0f}"


def _sign(value: float) -> str:
    return "" if pd.isna(value) or value == 0 else "gain" if value > 0 else "loss"


def _raw(value: float) -> str:
    return "" if pd.isna(value) else repr(float(value))


def _groups(changes: pd.DataFrame, names: dict[str, str], managers: dict[str, str],
            plans: dict[str, str]) -> list[dict]:
    """The accounts grouped by their first kind of change (the order of :data:`KINDS`)."""
    first = changes["change"].str.split("; ").str[0]
    groups = []
    for word, label in KINDS:
        rows = changes[first.str.startswith(word)]
        if rows.empty:
            continue
        limit = SHOWN["class" if word in _CLASS_MOVES else "account"]
        shown = []
        for r in rows.head(limit).itertuples(index=False):
            aid = str(r.account_id)
            shown.append({"id": aid, "name": names.get(aid, ""),
                          "manager": managers.get(aid, ""), "plan": plans.get(aid),
                          "change": r.change, "before": _money(r.revenue_l12m_before)
                          if pd.notna(r.revenue_l12m_before) else "unknown",
                          "after": _money(r.revenue_l12m_after), "effect": _signed(r.effect),
                          "before_raw": _raw(r.revenue_l12m_before),
                          "after_raw": _raw(r.revenue_l12m_after),
                          "effect_raw": _raw(r.effect), "sign": _sign(r.effect)})
        effect = rows["effect"].sum(min_count=1)
        groups.append({"title": label[0].upper() + label[1:], "n": len(rows),
                       "n_text": f"{len(rows):,}", "rows": shown, "more": len(rows) > limit,
                       "effect": _signed(effect if pd.notna(effect) else 0.0)})
    return groups


def changes_html(changes: pd.DataFrame | None, names: dict[str, str], now: dict,
                 previous: dict | None, *, problem: str = "", currency: str = "",
                 lost_after_days: int = 180, export: str = "changes.xlsx",
                 managers: dict[str, str] | None = None,
                 plans: dict[str, str] | None = None) -> str:
    """The changes page.

    Parameters
    ----------
    changes : DataFrame or None
        :func:`kamlib.changes.account_changes` of the previous and this build.
    names, managers : dict
        Account id -> name, -> account manager (an id without one shows empty).
    plans : dict, optional
        Account id -> link to its plan (relative to this page), for the accounts with one.
    now, previous : dict
        ``built`` and ``as_of`` of this build and of the previous one (None: first build).
    problem : str
        Why no comparison could be made, when there is a previous build.
    """
    groups, totals, total, n_moved = [], [], "0", 0
    yearly = True
    if changes is not None and len(changes):
        yearly = bool(changes.attrs.get("yearly", changes["effect"].notna().any()))
        groups = _groups(changes, names, managers or {}, plans or {})
        for t in change_totals(changes).itertuples(index=False):
            if t.accounts:
                effect = t.effect if yearly else float("nan")
                totals.append({"kind": t.kind, "accounts": t.accounts,
                               "accounts_text": f"{t.accounts:,}", "effect": _signed(effect),
                               "effect_raw": _raw(effect), "sign": _sign(effect)})
        n_moved = len(changes)
        total = _signed(changes["effect"].sum() if yearly else float("nan"))
    css, js = table_assets()
    return _PAGE.render(
        title="What changed since the last build", groups=groups, totals=totals, total=total,
        n_moved=n_moved, n_moved_text=f"{n_moved:,}", now=now, previous=previous,
        problem=problem, yearly=yearly, currency=currency, lost_after_days=lost_after_days,
        export=export, css=css, js=js, print_css=print_css(), colours=COLOURS,
        no_yearly="The previous build was made by an older kit that kept no yearly revenue "
                  "per account: the accounts that moved are listed, but the effect on yearly "
                  "revenue is not shown (a difference of whole-window totals would not be "
                  "one). The next build shows it.")
