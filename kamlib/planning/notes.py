"""The account manager's written inputs: what only people know, or a prompt to write it.

The plan follows IFA: Imagine (where the account should be in a year), Focus (priorities and
resources), Action (schedule and proposals). Objectives, SWOT, competitors and scenarios to
win come from a table with one row per account, section and text. A section nobody has
written yet is not an error: the plan shows a prompt saying what to write.

Examples
--------
>>> import pandas as pd
>>> written = pd.DataFrame({"account_id": ["a"], "section": ["objectives"],
...                         "text": ["Double cloud revenue"]})
>>> plan = plan_notes(written, ["a"])
>>> plan.loc[plan.section == "objectives", ["text", "written"]].values.tolist()
[['Double cloud revenue', True]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from kamlib._frames import require_columns

__all__ = ["SECTIONS", "plan_notes", "notes_template"]

# section -> (IFA step, the prompt shown until the account manager writes it)
SECTIONS: Mapping[str, tuple[str, str]] = {
    "objectives": ("Imagine", "Where should this account be in a year? Write two or three "
                   "measurable objectives (revenue, share of wallet, products, contacts)."),
    "strengths": ("Imagine", "SWOT, strengths: what makes us the supplier this account "
                  "keeps (service, people, references)?"),
    "weaknesses": ("Imagine", "SWOT, weaknesses: where do we fall short for this account?"),
    "opportunities": ("Imagine", "SWOT, opportunities: projects, budgets or changes at the "
                      "account we could serve."),
    "threats": ("Imagine", "SWOT, threats: what could make us lose this account?"),
    "competitors": ("Focus", "Which competitors are active at the account, with what, and "
                    "how strong are they?"),
    "scenarios": ("Focus", "Scenarios to win: the two or three ways we grow here, and what "
                  "each needs (people, offers, top-management time)."),
    "actions": ("Action", "Next steps beyond the visit plan: who does what by when."),
}


def plan_notes(notes: pd.DataFrame | None, accounts: Iterable, *,
               sections: Mapping[str, tuple[str, str]] | None = None,
               account: str = "account_id") -> pd.DataFrame:
    """Every plan section of every account: the written text, or the prompt.

    Parameters
    ----------
    notes : DataFrame or None
        The written inputs (``account``, ``section``, ``text``); None or empty when nobody
        has written anything yet. Several rows of one account and section are joined in
        order, one paragraph each; sections not in ``sections`` are kept after them.
    accounts : iterable
        The accounts to plan (e.g. the key accounts).

    Returns
    -------
    DataFrame
        ``account``, ``ifa`` (Imagine / Focus / Action), ``section``, ``text`` and
        ``written`` (False where ``text`` is the prompt), sections in plan order.

    Examples
    --------
    >>> plan_notes(None, ["a"])[["section", "written"]].head(2).values.tolist()
    [['objectives', False], ['strengths', False]]
    """
    spec = SECTIONS if sections is None else sections
    ids = list(dict.fromkeys(str(a) for a in accounts))
    grid = pd.DataFrame([(a, spec[s][0], s, spec[s][1]) for a in ids for s in spec],
                        columns=[account, "ifa", "section", "prompt"])
    if notes is None or notes.empty:
        texts = pd.DataFrame(columns=[account, "section", "text"])
    else:
        require_columns(notes, [account, "section", "text"], "plan_notes")
        kept = notes.dropna(subset=["text"])
        kept = kept[kept["text"].astype(str).str.strip() != ""]
        kept = kept.assign(**{account: kept[account].astype(str),
                              "section": kept["section"].astype(str).str.strip().str.lower()})
        texts = (kept.groupby([account, "section"], sort=False)["text"]
                 .agg(lambda s: "\n\n".join(s.astype(str).str.strip())).reset_index())
        texts = texts[texts[account].isin(ids)]
    extra = texts[~texts["section"].isin(list(spec))]
    out = grid.merge(texts, on=[account, "section"], how="left")
    out["written"] = out["text"].notna()
    out["text"] = out["text"].fillna(out["prompt"])
    if not extra.empty:
        out = pd.concat([out, extra.assign(ifa="", written=True)], ignore_index=True)
    out = out.drop(columns="prompt")
    order = {a: i for i, a in enumerate(ids)}
    out = out.sort_values(account, key=lambda s: s.map(order), kind="mergesort",
                          ignore_index=True)
    return out[[account, "ifa", "section", "text", "written"]]


def notes_template(accounts: pd.DataFrame, *, account: str = "account_id",
                   name: str = "account_name",
                   sections: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """A blank table to fill in (Excel or CSV): one row per account and section.

    Examples
    --------
    >>> acc = pd.DataFrame({"account_id": ["a"], "account_name": ["Bank A"]})
    >>> notes_template(acc).columns.tolist()
    ['account_id', 'account_name', 'section', 'prompt', 'text']
    """
    spec = SECTIONS if sections is None else sections
    require_columns(accounts, [account], "notes_template")
    names = accounts[name] if name in accounts else pd.Series("", index=accounts.index)
    rows = [(a, n, s, spec[s][1], "") for a, n in zip(accounts[account], names) for s in spec]
    return pd.DataFrame(rows, columns=[account, name, "section", "prompt", "text"])
