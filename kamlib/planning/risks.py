"""The risks of each account, read from the data, each with its rule in words.

One row per risk found: what it is, the evidence for this account, and the rule. Where the
account status already warns (a purchase overdue for the account's rhythm, falling revenue,
products dropped: :func:`kamlib.status.account_status`), its warning is taken as it is, so
a risk means the same thing on every page. The others: one product carrying the account,
decision makers nobody reaches, a low margin, no recent contact, and open opportunities
past their close date.

Examples
--------
>>> import pandas as pd
>>> st = pd.DataFrame({"account_id": ["a"], "revenue_l12m": [100.0],
...     "profit_l12m": [2.0], "warnings": ["revenue in the last 12 months 40% below the "
...     "12 months before"]})
>>> risk_signals(st, as_of="2025-12-31")[["risk", "evidence"]].values.tolist()
[['falling revenue', 'revenue in the last 12 months 40% below the 12 months before'], ['low margin', 'profit 2.0% of revenue in the last 12 months']]
"""

from __future__ import annotations

import pandas as pd

from kamlib._frames import DateLike, require_columns

__all__ = ["RISKS", "risk_signals"]

# every risk, in the order a plan lists them
RISKS = ("purchase overdue", "falling revenue", "products dropped", "status warning",
         "one product",
         "decision makers not covered", "low margin", "no recent contact",
         "opportunities overdue")

# the status frame's warnings, by how each begins (kamlib.status words them)
_STATUS_WARNINGS = {"no purchase for": "purchase overdue",
                    "revenue in the last 12 months": "falling revenue",
                    "stopped buying": "products dropped"}


def _status_risks(status: pd.DataFrame, account: str) -> list[tuple]:
    rows = []
    for acc, text in zip(status[account], status["warnings"].fillna("")):
        for warning in filter(None, (w.strip() for w in str(text).split(";"))):
            kind = next((k for start, k in _STATUS_WARNINGS.items()
                         if warning.startswith(start)), "status warning")
            rows.append((acc, kind, warning))
    return rows


def _one_product(products: pd.DataFrame, share: float, account: str) -> list[tuple]:
    bought = products[products["revenue"] > 0]
    total = bought.groupby(account)["revenue"].sum()
    top = bought.sort_values([account, "revenue"], ascending=[True, False],
                             kind="mergesort").drop_duplicates(account).set_index(account)
    top["share"] = top["revenue"] / total.reindex(top.index)
    top = top[top["share"] >= share]
    return [(acc, "one product", f"{product}: {part:.0%} of its revenue")
            for acc, product, part in zip(top.index, top["product"], top["share"])]


def _contacts(contacts: pd.DataFrame, ids: pd.Index, as_of: pd.Timestamp, days: int,
              account: str) -> list[tuple]:
    people = contacts.groupby(account).size().reindex(ids, fill_value=0)
    decides = contacts["influence"] == "decision maker"
    deciders = decides.groupby(contacts[account]).sum().reindex(ids, fill_value=0)
    rows = [(a, "decision makers not covered", "no contact on record")
            for a in ids[people.to_numpy() == 0]]
    rows += [(a, "decision makers not covered",
              f"none of its {n} contacts is a decision maker")
             for a, n in people[(people > 0) & (deciders == 0)].items()]
    if "last_contact" not in contacts:
        return rows
    when = pd.to_datetime(contacts["last_contact"])
    reached = (as_of - when).dt.days <= days
    recent = (reached & decides).groupby(contacts[account]).any().reindex(ids, fill_value=False)
    lapsed = (deciders > 0) & ~recent
    rows += [(a, "decision makers not covered", f"no decision maker reached in the last "
              f"{days} days ({n} known)") for a, n in deciders[lapsed].items()]
    last = when.groupby(contacts[account]).max().reindex(ids)
    for a, day in last[people > 0].items():
        if pd.isna(day):
            rows.append((a, "no recent contact", "no contact date on record"))
        elif (as_of - day).days > days:
            rows.append((a, "no recent contact",
                         f"last contact {day.date()}, {(as_of - day).days} days ago"))
    return rows


def risk_signals(status: pd.DataFrame, *, as_of: DateLike,
                 products: pd.DataFrame | None = None, contacts: pd.DataFrame | None = None,
                 pipeline: pd.DataFrame | None = None, one_product_share: float = 0.8,
                 min_margin: float = 0.05, contact_days: int = 90,
                 account: str = "account_id") -> pd.DataFrame:
    """The risks of every account of ``status``, one row each.

    Parameters
    ----------
    status : DataFrame
        :func:`kamlib.status.account_status`: ``warnings``, ``revenue_l12m``,
        ``profit_l12m`` (NaN without cost data: no margin risk is read then).
    products : DataFrame, optional
        ``account``, ``product``, ``revenue`` (e.g. the dossier's product history).
    contacts : DataFrame, optional
        :func:`kamlib.planning.contacts.decision_map`: ``influence``, ``last_contact``.
    pipeline : DataFrame, optional
        :func:`kamlib.planning.pipeline.pipeline`: ``open``, ``overdue``.
    one_product_share, min_margin, contact_days
        The thresholds of the rules (see ``attrs["rules"]``).

    Returns
    -------
    DataFrame
        ``account``, ``risk`` (one of :data:`RISKS`), ``evidence`` (this account's figures
        in words), ``rule``; sorted by account and the order of :data:`RISKS`. Inputs not
        given leave their risks out (``attrs["notes"]`` names them).
    """
    where = "risk_signals"
    require_columns(status, [account, "warnings", "revenue_l12m", "profit_l12m"], where)
    as_of = pd.Timestamp(as_of)
    ids = pd.Index(status[account].drop_duplicates())
    rules = {
        "purchase overdue": "the account status's warning: no purchase for more than its "
                            "usual time between purchases allows",
        "falling revenue": "the account status's warning: revenue of the last 12 months "
                           "well below the 12 months before",
        "products dropped": "the account status's warning: products bought the year before "
                            "and no longer",
        "status warning": "a warning of the account status",
        "one product": f"one product brings {one_product_share:.0%} or more of the "
                       "account's revenue",
        "decision makers not covered": "no decision maker among the contacts, or none "
                                       f"reached in the last {contact_days} days",
        "low margin": f"profit below {min_margin:.0%} of revenue in the last 12 months "
                      "(after cost to serve)",
        "no recent contact": f"nobody at the account reached in the last {contact_days} "
                             "days",
        "opportunities overdue": "open opportunities whose close date has passed"}
    rows, notes = _status_risks(status, account), []
    sales = status["revenue_l12m"]
    margin = status["profit_l12m"] / sales.where(sales > 0)
    low = status[margin < min_margin]
    rows += [(a, "low margin", f"profit {m:.1%} of revenue in the last 12 months")
             for a, m in zip(low[account], margin[margin < min_margin])]
    if products is not None:
        rows += _one_product(products, one_product_share, account)
    else:
        notes.append("one product: not read (no products given)")
    if contacts is not None:
        rows += _contacts(contacts, ids, as_of, contact_days, account)
    else:
        notes.append("decision makers, recent contact: not read (no contacts given)")
    if pipeline is not None:
        late = pipeline[pipeline["open"] & pipeline["overdue"]].groupby(account).size()
        rows += [(a, "opportunities overdue", f"{n} open past the close date")
                 for a, n in late.items()]
    else:
        notes.append("opportunities overdue: not read (no pipeline given)")
    out = pd.DataFrame(rows, columns=[account, "risk", "evidence"])
    out = out[out[account].isin(ids)]
    out["rule"] = out["risk"].map(rules)
    order = out["risk"].map({r: i for i, r in enumerate(RISKS)})
    out = out.assign(_o=order).sort_values([account, "_o"], kind="mergesort").drop(
        columns="_o").reset_index(drop=True)
    out.attrs["rules"], out.attrs["notes"] = rules, notes
    return out
