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
<<<<<<< HEAD
=======


def _notes(frames: Mapping[str, pd.DataFrame], ifa: str) -> str:
    notes = frames.get("notes")
    if notes is None or notes.empty:
        return ""
    parts = []
    for _, r in notes[notes["ifa"] == ifa].iterrows():
        written = bool(r.get("written"))
        text = html.escape(str(r["text"])).replace("\n", "<br>")
        style = "" if written else " class='kamkit-prompt'"
        label = "" if written else "<i>To write:</i> "
        parts.append(f"<h3>{html.escape(str(r['section']).replace('_', ' '))}</h3>"
                     f"<p{style}>{label}{text}</p>")
    return "".join(parts)


def imagine(frames: Mapping[str, pd.DataFrame]) -> str:
    """Where the account should be in a year: the manager's objectives, or prompts."""
    return ("<h2>Imagine: where this account should be in a year</h2>"
            + (_notes(frames, "Imagine") or _p("No objectives written yet.")))


def focus(frames: Mapping[str, pd.DataFrame], notices: list[str], currency: str = "") -> str:
    """The dossier, the account's place in the portfolio, its contacts and its profit."""
    cur = f" ({currency})" if currency else ""
    out = ["<h2>Focus: the account today</h2>", "<h3>General information</h3>"]
    info = _first(frames, "info")
    if info is not None:
        fields = [(k, info.get(k)) for k in ("account_name", "industry", "region",
                                             "size_band", "peer_group", "account_manager",
                                             "customer_since", "years_as_customer")
                  if k in info.index]
        fields.append((f"revenue{cur}", money(info.get("revenue"))))
        out.append("<table class='kamkit-plan'>" + "".join(
            f"<tr><th>{html.escape(k.replace('_', ' '))}</th><td>"
            f"{v if k.startswith('revenue') else cell(v, '{:.1f}' if k == 'years_as_customer' else None)}"
            "</td></tr>" for k, v in fields) + "</table>")
    w = _first(frames, "wallet")
    if w is not None:
        out.append("<h3>Share of wallet</h3>")
        out.append(table_html(frames["wallet"], {
            "revenue_12m": "{:,.0f}", "revenue_prior_12m": "{:,.0f}",
            "wallet_estimate": "{:,.0f}", "share_of_wallet": "{:.1%}", "share_prior": "{:.1%}",
            "share_change": "{:+.1%}", "headroom": "{:,.0f}"}))
    out.append("<h3>Revenue by year</h3>")
    out.append(table_html(frames.get("years", pd.DataFrame()), {
        "year": "{:.0f}", "months": "{:.0f}", "revenue": "{:,.0f}", "change": "{:+,.0f}",
        "growth": "{:+.1%}", "credit_notes": "{:,.0f}"},
        "No purchases."))
    out.append("<h3>Largest deals</h3>")
    out.append(table_html(frames.get("deals", pd.DataFrame()), {
        "deal_rank": None, "date": None, "revenue": "{:,.0f}"}, "No purchases."))
    out.append("<h3>Products bought</h3>")
    out.append(table_html(frames.get("products", pd.DataFrame()).head(15), {
        "product": None, "revenue": "{:,.0f}", "first_date": None, "last_date": None,
        "status": None}, "No products."))
    m = _first(frames, "matrix")
    out.append("<h3>Value x need</h3>")
    if m is not None:
        out.append(_p(f"Rank {m['rank']:,} by revenue ({m['share']:.1%} of the total); need "
                      f"{m['need']:.1f} of 10 ({m['need_source']}); quadrant: {m['quadrant']}"
                      + ("; a key account." if bool(m["key_account"]) else ".")))
    types = frames.get("types")
    if types is not None and not types.empty:
        label = types["types"].iloc[0] if "types" in types else ""
        out.append(_p("Key-account type: " + (str(label) if isinstance(label, str) and label
                                              else "none the data supports") + "."))
    out.append("<h3>Contacts by circle</h3>")
    circles = _first(frames, "circles")
    if circles is not None:
        out.append(table_html(frames["circles"], {
            "contacts": None, "decision_makers": None, "circle_1": None, "circle_2": None,
            "circle_3": None, "uncovered": None, "stale_contacts": None}))
        people = frames.get("contacts", pd.DataFrame())
        if "stale" in people:
            out.append(table_html(people[people["stale"]], {
                "contact_name": None, "role": None, "influence": None, "circle": None,
                "days_since_contact": "{:,.0f}"}, "No contact lapsed."))
    out.append(f"<h3>Profit and lifetime value{html.escape(cur)}</h3>")
    if "pnl" in frames and not frames["pnl"].empty:
        out.append(table_html(frames["pnl"], {
            "revenue": "{:,.0f}", "cost_of_goods": "{:,.0f}", "gross_margin": "{:,.0f}",
            "cost_to_serve": "{:,.0f}", "profit": "{:,.0f}"}))
        out.append(table_html(frames.get("clv", pd.DataFrame()), {
            "yearly_profit": "{:,.0f}", "clv": "{:,.0f}"}, "No lifetime value (no profit)."))
    elif "pnl" in frames:
        out.append(_p("No profit figures for this account in the window."))
    for notice in notices:
        out.append(f"<p class='kamkit-notice'>{html.escape(notice)}</p>")
    return "".join(out)


def action(frames: Mapping[str, pd.DataFrame], currency: str = "") -> str:
    """The dated contacts of the next quarter, cross-sell proposals and bundles."""
    out = ["<h2>Action: the next quarter</h2>", "<h3>Contact schedule</h3>"]
    out.append(table_html(frames.get("schedule", pd.DataFrame()), {
        "date": None, "kind": None, "account_manager": None}, "No contact planned."))
    out.append("<h3>Cross-sell proposals</h3>")
    out.append(table_html(frames.get("cross_sell", pd.DataFrame()).head(8), {
        "proposal_rank": None, "product": None, "peers_buying": None, "group_size": None,
        "peer_rate": "{:.0%}", "base_rate": "{:.0%}", "lift": "{:.2f}",
        "peer_yearly_value": "{:,.0f}", "win_chance": "{:.0%}", "win_chance_source": None,
        "expected_yearly_value": "{:,.0f}"},
        "No product that similar accounts buy and this one does not."))
    _add_bundles(out, frames)
    return "".join(out)


def _add_bundles(out: list[str], frames: Mapping[str, pd.DataFrame]) -> None:
    info, pairs = _first(frames, "info"), frames.get("bundles")
    if pairs is None or info is None:
        return
    group = info.get("peer_group")
    mine = pairs[pairs["peer_group"] == group] if "peer_group" in pairs else pairs
    out.append("<h3>Bundles similar accounts buy</h3>")
    out.append(table_html(mine.head(5), {
        "product_a": None, "product_b": None, "accounts_both": None, "support": "{:.0%}",
        "lift": "{:.2f}"}, "No bundle in this account's peer group."))
>>>>>>> models19
