"""The building blocks of the account plan page (:mod:`kamlib.planning.plan_page`): values
as escaped text, tables headed by plain words (:data:`LABELS`), the page's style, its
heading and the links back to the plans' index and the report's index.

Examples
--------
>>> cell("<x>"), cell(True), cell(float("nan"))
('&lt;x&gt;', 'yes', '&ndash;')
>>> money(1234.5)
'1,234'
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

__all__ = ["LABELS", "cell", "money", "table_html", "first_row", "nav", "title", "STYLE"]

# column -> header: every table of the plan names its columns in plain words
LABELS: Mapping[str, str] = {
    # contacts
    "contact_name": "Name", "role": "Role", "influence": "Influence", "circle": "Circle",
    "last_contact": "Last contact", "days_since_contact": "Days since", "stale": "Lapsed",
    # pipeline
    "opportunity_id": "Opportunity", "product": "Product", "stage": "Stage",
    "value": "Value", "close_date": "Close date", "probability": "Chance",
    "weighted_value": "Weighted value", "overdue": "Past close date",
    # history and dossier
    "year": "Year", "period": "Months", "revenue": "Revenue", "compared": "Compared",
    "revenue_compared": "Revenue, compared months", "revenue_before": "Same months before",
    "change": "Change", "growth": "Growth", "credit_notes": "Credit notes",
    "first_date": "First bought", "last_date": "Last bought", "status": "Status",
    "date": "Date", "deal_rank": "Rank",
    # cross-sell and bundles
    "peers_buying": "Similar accounts buying", "group_size": "Similar accounts",
    "peer_rate": "Share of similar", "lift": "Lift", "median_spend": "Typical spend",
    "expected_value": "Expected value", "peer_yearly_value": "Yearly value at similar",
    "win_chance": "Win chance", "win_chance_source": "Chance from",
    "expected_yearly_value": "Expected yearly value", "product_a": "Product",
    "product_b": "Bought with", "accounts_both": "Accounts buying both",
    "support": "Share of group",
    # risks, actions, rules
    "risk": "Risk", "evidence": "Evidence", "action": "Action", "owner": "Owner",
    "topic": "Topic", "rule": "Rule",
    # general information
    "account_name": "Name", "industry": "Industry", "region": "Region",
    "size_band": "Size band", "peer_group": "Peer group", "account_manager": "Account manager",
    "customer_since": "Customer since", "years_as_customer": "Years as customer",
}

STYLE = """<style>
.kamkit-planpage { font-size: 10pt; line-height: 1.3; }
.kamkit-planpage h1 { font-size: 1.5em; margin: .2em 0 .1em; }
.kamkit-planpage h2 { font-size: 1.2em; margin: .9em 0 .25em; border-bottom: 1px solid #bbb; }
.kamkit-planpage h3 { font-size: 1.0em; margin: .6em 0 .2em; }
.kamkit-planpage p { margin: .25em 0; }
.kamkit-planpage table.kamkit-plan { border-collapse: collapse; margin: .2em 0 .5em;
  font-size: .9em; }
.kamkit-planpage table.kamkit-plan th, .kamkit-planpage table.kamkit-plan td {
  padding: .1em .45em; border-bottom: 1px solid #e3e3e3; text-align: left;
  vertical-align: top; }
.kamkit-planpage .kamkit-nav { font-size: .9em; margin-bottom: .3em; }
.kamkit-planpage .kamkit-status { font-weight: bold; }
.kamkit-planpage .kamkit-status-lost, .kamkit-planpage .kamkit-flag { color: #a00; }
.kamkit-planpage .kamkit-status-at-risk { color: #a60; }
.kamkit-planpage .kamkit-small, .kamkit-planpage .kamkit-notice { font-size: .85em;
  color: #444; }
.kamkit-planpage .kamkit-prompt { color: #666; font-style: italic; }
@media print { .kamkit-planpage { font-size: 8.5pt; }
  .kamkit-planpage h2 { break-after: avoid; } }
</style>"""


def cell(value: object, fmt: str | None = None) -> str:
    """One value as escaped text: missing as an en dash, true as "yes", false as ""."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "&ndash;"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else ""
    if fmt is not None:
        try:
            return html.escape(fmt.format(value))
        except (ValueError, TypeError):
            pass
    if isinstance(value, pd.Timestamp):
        return html.escape(value.date().isoformat())
    return html.escape(str(value))


def money(value: object) -> str:
    """An amount without decimals: ``1,234``."""
    return cell(value, "{:,.0f}")


def table_html(frame: pd.DataFrame | None, columns: Mapping[str, str | None],
               empty: str = "None.", flag: str | None = None) -> str:
    """``frame``'s ``columns`` (name -> format) as a table, headed by :data:`LABELS`; rows
    where the boolean column ``flag`` is true are marked."""
    cols = [c for c in columns if frame is not None and c in frame]
    if frame is None or frame.empty or not cols:
        return f"<p class='kamkit-empty'>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(LABELS[c])}</th>" for c in cols)
    rows = []
    for _, r in frame.iterrows():
        mark = " class='kamkit-flag'" if flag and flag in r and bool(r[flag]) else ""
        rows.append(f"<tr{mark}>" + "".join(f"<td>{cell(r[c], columns[c])}</td>"
                                            for c in cols) + "</tr>")
    return (f"<table class='kamkit-plan'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def first_row(frames: Mapping[str, pd.DataFrame], name: str) -> pd.Series | None:
    """The first row of ``frames[name]``, or None when it is missing or empty."""
    frame = frames.get(name)
    return None if frame is None or frame.empty else frame.iloc[0]


def nav() -> str:
    """Links back to the plans' index (same folder) and the report's index (one up)."""
    return ("<p class='kamkit-nav'><a href='index.html'>All account plans</a> &middot; "
            "<a href='../index.html'>Report index</a></p>")


def title(frames: Mapping[str, pd.DataFrame], account_id: str) -> str:
    """The page heading: "Account plan: <name> (<id>)"."""
    info = first_row(frames, "info")
    name = info.get("account_name") if info is not None else None
    shown = f"{name} ({account_id})" if isinstance(name, str) and name else account_id
    return f"<h1>Account plan: {html.escape(shown)}</h1>"
