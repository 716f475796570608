"""The brief at the top of the index: the figures, the accounts and the next steps.

Rendered from :func:`brief_data` (plain dicts of the :mod:`kamlib.brief` frames) with
Jinja2, autoescaped: account names are text, never markup. Amounts are compact (498.5 M)
with the exact value on hover; each movement is coloured by what it means (better, worse,
neutral), read from the figure's one declaration in :mod:`kamlib.report.measures` (the
same colour as on its module card), and says it in a symbol and words too, never by colour
alone.

Examples
--------
>>> _figure("revenue_l12m", "revenue", 110.0, 100.0, "EUR")["tone"]
'better'
"""

from __future__ import annotations

import math

import jinja2
import pandas as pd
from markupsafe import Markup

from kamlib.brief import act_on, compact, largest_accounts, next_steps, totals
from kamlib.report.measures import better_title, cue, measure

__all__ = ["brief_data", "brief_html", "dataset_brief", "key_account_ids", "BRIEF_CSS",
           "ACT_ROWS"]

ACT_ROWS = 8  # the accounts to act on shown on the index; the changes page and plans hold all

BRIEF_CSS = Markup("""
.brief { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr));
  gap: .8rem; margin: .6rem 0 .9rem; }
.brief section { background: #fff; border: 1px solid #d5d8dd; border-radius: 8px;
  padding: .6rem .9rem; min-width: 0; }
.brief h2 { margin: 0 0 .3rem; font-size: 1.05rem; } .brief h2#brief-steps { margin-top: .6rem; }
@media (min-width: 1400px) { .brief section.act { grid-column: span 2; } }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr));
  gap: .6rem; }
.figures .big { font-size: 1.35rem; font-weight: 650; display: block; }
.figures .what { color: #444; font-size: .85rem; }
.figures .unit { font-size: .85rem; font-weight: 600; }  /* "175.0 M EUR" on one line */
.move { font-size: .85rem; display: block; }
.scroll { overflow-x: auto; max-width: 100%; }
.brief table { width: 100%; font-size: .85rem; }
.brief td.why { font-size: .8rem; color: #333; }
.brief ol { margin: .2rem 0 0; padding-left: 1.2rem; } .brief li { margin: .2rem 0; }
.status { white-space: nowrap; font-size: .8rem; }
.sr { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
.status.lost, .status.at-risk { color: #a4262c; font-weight: 600; }
.status.won-back, .status.new { color: #1a6b2f; }
""")

_BRIEF = jinja2.Environment(autoescape=True).from_string("""<div class="brief">
<section aria-labelledby="brief-figures"><h2 id="brief-figures">The last 12 months
({{ period }})</h2><div class="figures">
{% for f in figures %}<div><span class="big" title="{{ f.exact }}">{{ f.number or f.text }}{%
if f.number and f.unit %} <span class="unit">{{ f.unit }}</span>{% endif %}</span>
<span class="what">{{ f.label }}</span>{% if f.move %}<span class="move {{ f.tone }}"
title="{{ f.sign }}">{{ f.move }} <span aria-hidden="true">{{ f.symbol }}</span>{% if f.word %}
<span class="sr">({{ f.word }})</span>{% endif %}</span>{% endif %}</div>{% endfor %}</div>
<p class="what">Against the 12 months before ({{ prior }}); amounts in {{ unit }}, exact on
hover and on the module pages.</p>
{% if steps %}<h2 id="brief-steps">Next steps</h2><ol>
{% for s in steps %}<li>{{ s }}</li>{% endfor %}</ol>{% endif %}</section>
<section aria-labelledby="brief-largest"><h2 id="brief-largest">The {{ largest|length }}
largest accounts</h2><div class="scroll"><table><thead><tr><th>Account</th>
<th class="num">Last 12 months</th><th class="num">Change</th><th>Status</th></tr></thead><tbody>
{% for r in largest %}<tr><td>{{ r.name }}</td><td class="num" title="{{ r.exact }}">{{ r.revenue }}</td>
<td class="num"><span class="move {{ r.tone }}" title="{{ r.sign }}">{{ r.change }}{% if r.word %}
<span class="sr">({{ r.word }})</span>{% endif %}</span></td>
<td><span class="status {{ r.status_class }}" title="{{ r.reasons }}">{{ r.status }}</span></td></tr>
{% endfor %}</tbody></table></div></section>
<section class="act" aria-labelledby="brief-act"><h2 id="brief-act">To act on this month{% if n_act > act|length %}
({{ act|length }} of {{ n_act }}){% endif %}</h2>{% if act %}<div class="scroll"><table><thead><tr>
<th>Account</th><th>Why</th><th>Manager</th></tr></thead><tbody>
{% for r in act %}<tr><td>{% if r.plan %}<a href="{{ r.plan }}">{{ r.name }}</a>{% else %}{{ r.name }}{% endif %}</td>
<td class="why">{{ r.why }}</td><td>{{ r.manager }}</td></tr>{% endfor %}</tbody></table></div>
{% else %}<p>No lost or at-risk key account and no large account making a loss.</p>{% endif %}
</section>
</div>""")


def _cue(key: str, change: float) -> dict:
    """A movement of the figure ``key`` as the brief shows it: ``tone`` (its meaning, the
    colour), ``symbol`` (the direction), ``word`` and the hover text ``why``."""
    found = measure(key)
    better = found.better if found else None
    c = cue(change, better)
    return {"tone": c["meaning"], "symbol": c["arrow"], "word": c["word"],
            "why": better_title(better)}


def _share(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:+.1%}"


def _figure(key: str, label: str, now: float, before: float, unit: str, *,
            share: bool = False) -> dict:
    if share:
        text, exact = _share(now).lstrip("+"), f"{now:.4%}" if math.isfinite(now) else "n/a"
        change = now - before
        move = f"{change * 100:+.1f} pts" if math.isfinite(change) else ""
    else:
        text, exact = compact(now, unit), f"{now:,.2f} {unit}".strip()
        change = now - before
        move = (f"{compact(change, unit)} ({_share(change / before)})" if before and
                math.isfinite(change) and before > 0 else compact(change, unit))
    c = _cue(key, change)
    then = compact(before, unit) if not share else _share(before).lstrip("+")
    return {"label": label, "text": text, "exact": exact, "unit": "" if share else unit,
            "number": text if share else compact(now),
            "move": move if math.isfinite(change) else "", **c,
            "sign": f"then {then}; {c['why']}"}


def brief_data(status: pd.DataFrame, accounts: pd.DataFrame | None = None, *,
               key_accounts=(), unit: str = "", plans: dict[str, str] | None = None,
               largest: int = 10) -> dict:
    """What :func:`brief_html` shows, from the status frame: plain values, names as text.
    ``plans`` maps an account id to its plan page (relative to the index)."""
    plans = plans or {}
    t = totals(status)
    periods = status.attrs.get("periods", {})
    figures = [_figure("revenue_l12m", "revenue", t["revenue_l12m"], t["revenue_p12m"], unit)]
    if math.isfinite(t["profit_l12m"]):
        figures += [_figure("profit_l12m", "profit", t["profit_l12m"], t["profit_p12m"], unit),
                    _figure("margin_l12m", "profit margin", t["margin_l12m"], t["margin_p12m"],
                            unit, share=True)]
    counts = status["status"].astype(str).value_counts()
    at_risk, lost = int(counts.get("at risk", 0)), int(counts.get("lost", 0))
    figures.append({"label": f"accounts at risk; {lost:,} lost", "text": f"{at_risk:,}",
                    "exact": f"{at_risk:,} at risk, {lost:,} lost", "move": ""})
    top = []
    for r in largest_accounts(status, accounts, n=largest).itertuples():
        status_word = str(r.status)
        c = _cue("revenue_l12m", r.change)  # an account's revenue: better up, as the total
        top.append({"name": r.account_name or r.account_id, "revenue": compact(r.revenue_l12m),
                    "exact": f"{r.revenue_l12m:,.2f} {unit}".strip(),
                    "change": _share(r.change) if math.isfinite(r.change) else "new",
                    "tone": c["tone"], "word": c["word"], "sign": c["why"],
                    "status": status_word,
                    "status_class": status_word.replace(" ", "-"), "reasons": r.reasons})
    actions = act_on(status, accounts, key_accounts=key_accounts)
    act = [{"id": r.account_id, "name": r.account_name or r.account_id, "why": r.why,
            "manager": r.account_manager, "plan": plans.get(r.account_id)}
           for r in actions.head(ACT_ROWS).itertuples()]
    fmt = "{} to {}".format
    return {"figures": figures, "largest": top, "act": act, "n_act": len(actions),
            "steps": next_steps(actions, status, unit), "unit": unit,
            "period": fmt(*periods["last_12_months"]) if "last_12_months" in periods else "",
            "prior": fmt(*periods["prior_12_months"]) if "prior_12_months" in periods else ""}


def brief_html(data: dict) -> Markup:
    """The brief's markup (escaped) for the index."""
    return Markup(_BRIEF.render(**data))


def key_account_ids(ds) -> list[str]:
    """The key accounts of a loaded data set: value x need, as module 14 and the plans
    place them (the analysis window's revenue, ``[analysis] target_share``)."""
    from kamlib.concentration import account_totals
    from kamlib.planning.differentiate import need_proxy, value_need_matrix

    a = ds.config.analysis
    as_of = a.end or ds.as_of
    am = ds.cube.account_month
    totals_ = account_totals(am, start=a.start or ds.start, end=as_of)
    matrix = value_need_matrix(totals_, ds.accounts, target=a.target_share,
                               proxy=need_proxy(am, ds.cube.account_product, as_of=as_of))
    return matrix.loc[matrix["key_account"].astype(bool), "account_id"].astype(str).tolist()


def dataset_brief(ds, plans: dict[str, str] | None = None) -> tuple[dict | None, str]:
    """The brief of a loaded data set (the build's one status frame), or None and why."""
    from kamlib.status import dataset_status

    try:
        return brief_data(dataset_status(ds), ds.accounts, key_accounts=key_account_ids(ds),
                          unit=ds.currency, plans=plans), ""
    except Exception as err:  # noqa: BLE001 - the brief must never cost the reports
        return None, (f"the brief could not be computed for this data "
                      f"({type(err).__name__}: {err})").splitlines()[0]
