"""One account plan as escaped HTML, a document to take into a meeting.

The plan notebook only displays :func:`plan`: every figure comes from the account's rows
of :func:`kamlib.planning.portfolio.portfolio_frames`, every text that can come from data
is escaped, and every column header is a label of :data:`kamlib.planning.page.LABELS`.
The page opens with a summary (status and why, the last 12 months against the 12 before,
profit, lifetime value, the three next actions), then the relationship map, the pipeline,
the risks, the next quarter (a win-back plan for a lost account), the account today, the
account manager's notes and how the figures were computed. It links back to the plans'
index and the report's index, and prints on at most three A4 pages. A frame the data could
not feed leaves its section saying so, never a blank.

Examples
--------
>>> import pandas as pd
>>> is_lost({"status": pd.DataFrame({"status": ["lost"]})})
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from kamlib.planning.actions import next_actions
from kamlib.planning.page import LABELS, STYLE, cell, first_row, money, nav, table_html, title
from kamlib.planning.schedule import ROUTINE, TOP_MANAGEMENT, WIN_BACK

__all__ = ["plan", "is_lost", "summary", "relationships", "pipeline_section", "risks_section",
           "win_back", "next_quarter", "account_today", "notes_section", "how_computed"]

Frames = Mapping[str, pd.DataFrame]
# where the need score comes from (kamlib.planning.differentiate), in words
NEED_SOURCES = {"need_score": "from the accounts table", "proxy": "estimated from purchases"}


def _p(text: str, cls: str = "") -> str:
    return f"<p{f' class={cls!r}' if cls else ''}>{html.escape(text)}</p>"


def _frame(frames: Frames, name: str) -> pd.DataFrame:
    frame = frames.get(name)
    return frame if frame is not None else pd.DataFrame()


def _day(value: object) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d %b %Y")


def plan(frames: Frames, account_id: str, notices: list[str], currency: str = "") -> str:
    """The whole plan page of one account (its rows of the portfolio frames)."""
    lost = is_lost(frames)
    return "".join([
        STYLE, "<div class='kamkit-planpage'>", nav(), title(frames, account_id),
        summary(frames, currency), relationships(frames), stage_and_health(frames),
        pipeline_section(frames),
        risks_section(frames), win_back(frames) if lost else next_quarter(frames),
        account_today(frames, lost), notes_section(frames), how_computed(frames, notices),
        nav(), "</div>"])


def is_lost(frames: Frames) -> bool:
    """Whether the account's status (the status frame) is lost."""
    status = first_row(frames, "status")
    return status is not None and str(status["status"]) == "lost"


def summary(frames: Frames, currency: str = "") -> str:
    """Status and why, the 12-month figures, profit, lifetime value, the next actions."""
    out = ["<h2>Summary</h2>"]
    st = first_row(frames, "status")
    if st is not None:
        name = str(st["status"])
        texts = [t for t in (st.get("reasons"), st.get("warnings")) if isinstance(t, str)]
        why = "; ".join(dict.fromkeys(t for t in texts if t)) or "bought within its rhythm"
        out.append(f"<p><span class='kamkit-status kamkit-status-{name.replace(' ', '-')}'>"
                   f"Status: {html.escape(name)}</span> &ndash; {html.escape(why)}.</p>")
        now, before = st.get("revenue_l12m"), st.get("revenue_p12m")
        change = (f" ({(now / before - 1):+.0%})" if before and before > 0 else "")
        cur = f" {currency}" if currency else ""
        rows = [("Revenue, last 12 months", f"{money(now)}{html.escape(cur)}"),
                ("Revenue, the 12 months before", f"{money(before)}{html.escape(cur)}"
                 f"{html.escape(change)}")]
        profit = st.get("profit_l12m")
        if profit is not None and not pd.isna(profit):
            margin = f" ({profit / now:.1%} of revenue)" if now and now > 0 else ""
            rows.append(("Profit, last 12 months", money(profit) + html.escape(margin)))
        else:
            rows.append(("Profit, last 12 months", "not known (no cost data)"))
    else:
        rows = []
    clv = first_row(frames, "clv")
    if clv is not None:
        rows.append(("Lifetime value", money(clv.get("clv"))))
    pipe = _frame(frames, "pipeline")
    if "open" in pipe:
        live = pipe[pipe["open"]]
        rows.append(("Open pipeline", f"{len(live)} open opportunit"
                     f"{'y' if len(live) == 1 else 'ies'}, weighted "
                     f"{money(live['weighted_value'].sum())}"))
    out.append("<table class='kamkit-plan'>" + "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")
    out.append("<h3>Next actions</h3>")
    out.append(table_html(next_actions(frames), {"date": None, "action": None,
                                                 "owner": None}, "No action planned."))
    return "".join(out)


def relationships(frames: Frames) -> str:
    """Every contact, by circle, decision makers first; lapsed contacts flagged."""
    out = ["<h2>Relationship map</h2>"]
    circles = first_row(frames, "circles")
    if circles is None:
        return "".join(out) + _p("No contacts table in the data.")
    text = f"{circles['contacts']:.0f} contacts, {circles['decision_makers']:.0f} decision " \
           "makers"
    if "uncovered" in circles:
        text += (f"; circle(s) {circles['uncovered']} without a contact"
                 if circles["uncovered"] else "; every circle covered")
    if "stale_contacts" in circles:
        text += f"; {circles['stale_contacts']:.0f} lapsed (marked)"
    out.append(_p(text + "."))
    out.append(table_html(_frame(frames, "contacts"), {
        "circle": "{:.0f}", "contact_name": None, "role": None, "influence": None,
        "last_contact": None, "days_since_contact": "{:,.0f}", "stale": None},
        "No contact known at this account.", flag="stale"))
    return "".join(out)


def stage_and_health(frames: Frames) -> str:
    """Where the relationship stands (module 15): ladder and KAM stage, the bonds that hold
    it, the health score now, a year before and month by month, and why."""
    rel = first_row(frames, "relationship")
    if rel is None:
        return ""
    from kamlib.report.thumbnails import sparkline_svg

    out = ["<h2>Relationship stage and health</h2>"]
    bonds = str(rel.get("bonds") or "none the data shows")
    if bool(rel.get("financial_only")):
        bonds += " (held by price alone: easy for a competitor to copy)"
    ago = rel.get("score_year_ago")
    score = (f"{rel['score']:.0f} of 100" + (f", a year before {ago:.0f}" if ago is not None
                                              and pd.notna(ago) else ""))
    rows = [("Ladder stage", f"{rel['stage']}: {rel.get('stage_reason', '')}"),
            ("KAM stage", f"{rel['kam_stage']}: {rel.get('kam_reason', '')}"),
            ("Bonds", bonds), ("Health score", score),
            ("Why the score is not higher", str(rel.get("reasons") or "nothing found"))]
    out.append("<table class='kamkit-plan'>" + "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        + "</table>")
    history = _frame(frames, "health_history").sort_values("as_of")
    if len(history) >= 2:
        low, now = history["score"].min(), history["score"].iloc[-1]
        out.append("<style>.kamkit-trend { margin: .3rem 0; display: flex; gap: .8rem; "
                   "align-items: center; } .kamkit-trend svg { width: 16rem; height: auto; "
                   "flex: none; }</style><figure class='kamkit-trend'>" + sparkline_svg(
            history["score"].astype(float).round(1).tolist(),
            "Health score at each month end") + "<figcaption>Health score at each month end, "
            f"{_day(history['as_of'].iloc[0])} to {_day(history['as_of'].iloc[-1])}: lowest "
            f"{low:.0f}, now {now:.0f}</figcaption></figure>")
    return "".join(out)


def pipeline_section(frames: Frames) -> str:
    """The open opportunities with their weighted value, and the won and lost ones."""
    out = ["<h2>Pipeline</h2>"]
    pipe = frames.get("pipeline")
    if pipe is None:
        return "".join(out) + _p("No opportunities table in the data.")
    live, done = pipe[pipe["open"]], pipe[~pipe["open"]]
    out.append(_p(f"{len(live)} open, value {money(live['value'].sum())}, weighted "
                  f"{money(live['weighted_value'].sum())}; {(done['stage'] == 'won').sum()} "
                  f"won and {(done['stage'] == 'lost').sum()} lost before."))
    out.append(table_html(live, {
        "opportunity_id": None, "product": None, "stage": None, "value": "{:,.0f}",
        "close_date": None, "probability": "{:.0%}", "weighted_value": "{:,.0f}",
        "overdue": None}, "No open opportunity.", flag="overdue"))
    if len(done):
        out.append("<h3>Won and lost</h3>")
        out.append(table_html(done.sort_values("close_date", ascending=False), {
            "opportunity_id": None, "product": None, "stage": None, "value": "{:,.0f}",
            "close_date": None}))
    return "".join(out)


def risks_section(frames: Frames) -> str:
    """The risks read from the data (their rules under "How this was computed")."""
    return "<h2>Risks</h2>" + table_html(_frame(frames, "risks"), {
        "risk": None, "evidence": None}, "No risk found in the data.")


def win_back(frames: Frames) -> str:
    """A lost account's plan: what it bought, when it stopped, who we knew, the offer."""
    out = ["<h2>Win-back plan</h2>"]
    st = first_row(frames, "status")
    if st is not None and not pd.isna(st.get("last_purchase")):
        out.append(_p(f"It stopped buying on {_day(st['last_purchase'])}, "
                      f"{st['days_since_purchase']:,.0f} days ago. No routine contacts and "
                      "no visits are planned while it is lost."))
    schedule = _frame(frames, "schedule")
    call = schedule[schedule["kind"] == WIN_BACK] if "kind" in schedule else schedule
    if len(call):
        r = call.iloc[0]
        out.append(_p(f"Win-back call by {r['account_manager']} on {_day(r['date'])}, in "
                      "the first week of the quarter."))
    out.append("<h3>What it used to buy</h3>")
    products = _frame(frames, "products")
    out.append(table_html(products.head(6), {"product": None, "revenue": "{:,.0f}",
                                             "first_date": None, "last_date": None},
                          "No purchases."))
    people = _frame(frames, "contacts")
    known = people[people["influence"] == "decision maker"] if "influence" in people else people
    names = ", ".join(f"{r['contact_name']} ({r['role']})" for _, r in known.iterrows())
    out.append("<h3>Who we knew there</h3>")
    out.append(_p(f"Decision makers: {names}; every contact is in the relationship map."
                  if names else "No decision maker known; see the relationship map."))
    top = products.head(2)["product"].astype(str).tolist() if "product" in products else []
    out.append("<h3>The offer</h3>")
    offer = first_row(frames, "winback")
    if offer is not None:  # the retention module's offer, chosen by its stated rules
        out.append(_p(f"{str(offer['offer_type']).capitalize()}: {offer['offer']}. Why it "
                      f"likely left: {offer['reasons']}. Call {offer['contact']}."))
    else:
        out.append(_p(f"A return offer on what it bought most: {' and '.join(top)}; ask "
                      "what made it stop, and answer that first." if top else
                      "Ask what made it stop and what it needs now."))
    return "".join(out)


def next_quarter(frames: Frames, limit: int = 6) -> str:
    """The contacts of the next quarter (dates in one line) and the cross-sell proposals."""
    out = ["<h2>Next quarter</h2>"]
    schedule = _frame(frames, "schedule")
    if schedule.empty:
        out.append(_p("No contact planned."))
    for kind in (ROUTINE, TOP_MANAGEMENT):
        days = schedule.loc[schedule["kind"] == kind, "date"] if len(schedule) else []
        if len(days):
            who = schedule["account_manager"].iloc[0]
            out.append(_p(f"{kind.capitalize()}s ({len(days)}, {who}): "
                          + ", ".join(pd.Timestamp(d).strftime("%d %b") for d in days) + "."))
    out.append("<h3>Cross-sell proposals</h3>")
    sell = _frame(frames, "cross_sell").head(limit)
    new = "expected_yearly_value" in sell
    columns = ({"product": None, "peers_buying": None, "group_size": None,
                "peer_yearly_value": "{:,.0f}", "win_chance": "{:.0%}",
                "win_chance_source": None, "expected_yearly_value": "{:,.0f}"} if new else
               {"product": None, "peers_buying": None, "group_size": None,
                "peer_rate": "{:.0%}", "lift": "{:.2f}", "median_spend": "{:,.0f}",
                "expected_value": "{:,.0f}"})
    out.append(table_html(sell, columns, "No product that similar accounts buy and this "
                                         "one does not."))
    info, pairs = first_row(frames, "info"), frames.get("bundles")
    if pairs is not None and info is not None:
        mine = pairs[pairs["peer_group"] == info.get("peer_group")] \
            if "peer_group" in pairs else pairs
        out.append("<h3>Bundles similar accounts buy</h3>")
        out.append(table_html(mine.head(4), {
            "product_a": None, "product_b": None, "accounts_both": None,
            "support": "{:.0%}", "lift": "{:.2f}"}, "No bundle in this account's group."))
    return "".join(out)


def account_today(frames: Frames, lost: bool = False) -> str:
    """The dossier in short: profile, value x need, share of wallet, revenue by year,
    products (shown in the win-back plan for a lost account) and largest deals."""
    out = ["<h2>The account today</h2>"]
    info = first_row(frames, "info")
    if info is not None:
        keys = [k for k in ("industry", "region", "size_band", "account_manager",
                            "customer_since", "years_as_customer") if k in info.index]
        fmt = {"years_as_customer": "{:.1f}"}
        out.append("<p>" + "; ".join(f"{html.escape(LABELS[k])}: {cell(info[k], fmt.get(k))}"
                                     for k in keys) + ".</p>")
    m = first_row(frames, "matrix")
    if m is not None:
        source = NEED_SOURCES.get(str(m["need_source"]), str(m["need_source"]))
        total = f"{m['revenue']:,.0f}, " if "revenue" in m and not pd.isna(m["revenue"]) else ""
        out.append(_p(f"Rank {m['rank']:,} by revenue over the whole data ({total}"
                      f"{m['share']:.1%} of the total); need "
                      f"{m['need']:.1f} of 10 ({source}); quadrant: {m['quadrant']}"
                      + ("; a key account." if bool(m["key_account"]) else ".")))
    types = first_row(frames, "types")
    if types is not None and "types" in types:
        label = types["types"]
        out.append(_p("Key-account type: " + (str(label) if isinstance(label, str) and label
                                              else "none the data supports") + "."))
    w = first_row(frames, "wallet")
    if w is not None and "share_of_wallet" in w and not pd.isna(w["share_of_wallet"]):
        out.append(_p(f"Share of wallet: {w['share_of_wallet']:.1%} of an estimated "
                      f"{w['wallet_estimate']:,.0f} a year ({w['share_change']:+.1%} points "
                      f"against the 12 months before); headroom {w['headroom']:,.0f}."))
    out.append("<h3>Revenue by year</h3>")
    out.append(table_html(_frame(frames, "years"), {
        "year": "{:.0f}", "period": None, "revenue": "{:,.0f}", "compared": None,
        "change": "{:+,.0f}", "growth": "{:+.1%}", "credit_notes": "{:,.0f}"},
        "No purchases."))
    if not lost:
        out.append("<h3>Products bought</h3>")
        out.append(table_html(_frame(frames, "products").head(8), {
            "product": None, "revenue": "{:,.0f}", "first_date": None, "last_date": None,
            "status": None}, "No products."))
    out.append("<h3>Largest deals</h3>")
    out.append(table_html(_frame(frames, "deals").head(3), {
        "date": None, "revenue": "{:,.0f}"}, "No purchases."))
    return "".join(out)


def notes_section(frames: Frames) -> str:
    """The account manager's notes; the sections not written yet in one line."""
    out = ["<h2>Account manager's notes</h2>"]
    notes = _frame(frames, "notes")
    written = notes[notes["written"].astype(bool)] if "written" in notes else notes.iloc[0:0]
    for _, r in written.iterrows():
        text = html.escape(str(r["text"])).replace("\n", "<br>")
        out.append(f"<p><b>{html.escape(str(r['section']).capitalize())}:</b> {text}</p>")
    if "written" in notes:
        empty = notes.loc[~notes["written"].astype(bool), "section"].astype(str).tolist()
        if empty:
            out.append(_p("Not written yet: " + ", ".join(empty) + ".", "kamkit-prompt"))
    if notes.empty:
        out.append(_p("No notes.", "kamkit-prompt"))
    return "".join(out)


def how_computed(frames: Frames, notices: list[str]) -> str:
    """The rules behind the figures, in words, and what the data could not feed."""
    out = ["<h2>How this was computed</h2>"]
    rules = _frame(frames, "rules")
    if len(rules):
        out.append("<p class='kamkit-small'>" + " ".join(
            f"<b>{html.escape(str(r['topic']))}:</b> {html.escape(str(r['rule']))}."
            for _, r in rules.iterrows()) + "</p>")
    out += [f"<p class='kamkit-notice'>{html.escape(n)}</p>" for n in notices]
    return "".join(out)
