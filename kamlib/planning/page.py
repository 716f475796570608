"""The sections of one account plan as escaped HTML, from its rows of the portfolio frames.

The plan notebook only displays these: every figure comes from
:func:`kamlib.planning.portfolio.portfolio_frames`, every text that can come from data is
escaped here, and the page follows IFA (Imagine, Focus, Action).

Examples
--------
>>> cell({"a": 1.5, "b": "<x>"}["b"])
'&lt;x&gt;'
>>> money(1234.5)
'1,234'
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

__all__ = ["cell", "money", "table_html", "imagine", "focus", "action", "title"]


def cell(value: object, fmt: str | None = None) -> str:
    """One value as escaped text; missing values as an en dash."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "&ndash;"
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


def table_html(frame: pd.DataFrame, columns: Mapping[str, str | None],
               empty: str = "None.") -> str:
    """``frame``'s ``columns`` (name -> format) as a table, headers in plain words."""
    cols = [c for c in columns if c in frame]
    if frame.empty or not cols:
        return f"<p class='kamkit-empty'>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in cols)
    rows = "".join("<tr>" + "".join(f"<td>{cell(r[c], columns[c])}</td>" for c in cols)
                   + "</tr>" for _, r in frame[cols].iterrows())
    return f"<table class='kamkit-plan'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _first(frames: Mapping[str, pd.DataFrame], name: str) -> pd.Series | None:
    frame = frames.get(name)
    return None if frame is None or frame.empty else frame.iloc[0]


def title(frames: Mapping[str, pd.DataFrame], account_id: str) -> str:
    """The page heading: "Account plan: <name> (<id>)"."""
    info = _first(frames, "info")
    name = info.get("account_name") if info is not None else None
    shown = f"{name} ({account_id})" if isinstance(name, str) and name else account_id
    return f"<h1>Account plan: {html.escape(shown)}</h1>"


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
