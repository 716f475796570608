"""Identify: the decision-making map and contact coverage by the brief's three circles.

Circles: (1) the buying unit's representatives and decision makers, (2) staff in support
roles (e.g. accounting), (3) others who matter for future business (e.g. security); the
third is the one usually left uncovered. Each contact's role is mapped to its influence on
the decision (decision maker, influencer, user) by an ordered table of patterns that is a
parameter, so a company can use its own titles.

Examples
--------
>>> import pandas as pd
>>> influence_of(pd.Series(["CFO", "Head of IT Security", "Office Manager", "Gardener"]))
['decision maker', 'influencer', 'user', 'unmapped']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.planning.role_patterns import pattern_problem

__all__ = ["DEFAULT_ROLE_MAP", "INFLUENCE", "influence_of", "decision_map", "circle_coverage"]

INFLUENCE = ("decision maker", "influencer", "user")

# Tried in order, first match wins, case-insensitive on whole words: the specific titles
# ("office manager") come before the general ones ("manager"); a title naming a C-level
# role or a director decides, one naming a function that shapes the choice (IT, buying,
# finance, security) influences, one doing the daily work uses.
DEFAULT_ROLE_MAP: Mapping[str, str] = {
    r"office manager|assistant|secretary|receptionist": "user",
    r"ceo|cfo|cio|cto|coo|cdo|chief|president|owner|founder|board|director|vp"
    r"|vice president|general manager|country manager|partner": "decision maker",
    r"it manager|procurement|purchasing|buyer|sourcing|finance|accounting|accountant"
    r"|controller|treasurer|security|ciso|legal|counsel|compliance|risk|architect|head of"
    r"|manager|lead|consultant": "influencer",
    r"engineer|technician|administrator|admin|operator|developer|analyst|support|helpdesk"
    r"|staff|specialist|officer|clerk|user": "user",
}


def influence_of(roles: pd.Series, role_map: Mapping[str, str] | None = None) -> list[str]:
    """The influence of each role: the label of the first pattern it matches, else "unmapped".

    Parameters
    ----------
    roles : Series
        Job roles as written, e.g. "CIO", "Procurement".
    role_map : mapping, optional
        Regular expression -> label, tried in order on whole words, case-insensitive;
        :data:`DEFAULT_ROLE_MAP` (B2B ICT titles) by default.

    Examples
    --------
    >>> influence_of(pd.Series(["Buyer", "Owner"]), {"buyer": "influencer"})
    ['influencer', 'unmapped']
    """
    rules = DEFAULT_ROLE_MAP if role_map is None else role_map
    for p in rules:  # refused before any title is matched: none can hang the plans
        if problem := pattern_problem(p):
            raise ValueError(f"influence_of: role pattern {p!r}: {problem}")
    compiled = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), label)
                for p, label in rules.items()]
    names = {}
    for role in pd.unique(roles.fillna("").astype(str)):  # a few dozen titles, many people
        names[role] = next((label for rx, label in compiled if rx.search(role)), "unmapped")
    return [names[r] for r in roles.fillna("").astype(str)]


def decision_map(contacts: pd.DataFrame, *, as_of: DateLike, stale_days: int = 90,
                 role_map: Mapping[str, str] | None = None, account: str = "account_id",
                 name: str = "contact_name", role: str = "role", circle: str = "circle",
                 last_contact: str = "last_contact") -> pd.DataFrame:
    """Every contact with its influence, circle, days since the last contact, and whether
    it has lapsed (not reached for more than ``stale_days``).

    Returns
    -------
    DataFrame
        ``account``, ``name``, ``role``, ``influence``, then ``circle``, and
        ``days_since_contact`` and ``stale`` where the contacts have those columns (else
        left out, with a note). A contact never reached (no date) counts as stale. Sorted by
        account, circle, influence (decision makers first) and name.

    Examples
    --------
    >>> people = pd.DataFrame({"account_id": ["a", "a"], "contact_name": ["Ani", "Budi"],
    ...     "role": ["IT Manager", "CEO"], "circle": [2, 1],
    ...     "last_contact": pd.to_datetime(["2024-12-01", "2024-06-01"])})
    >>> decision_map(people, as_of="2024-12-31")[["contact_name", "influence",
    ...                                           "days_since_contact", "stale"]]
      contact_name       influence  days_since_contact  stale
    0         Budi  decision maker               213.0   True
    1          Ani      influencer                30.0  False
    """
    where = "decision_map"
    require_columns(contacts, [account, name, role], where)
    if not isinstance(stale_days, int) or stale_days < 0:
        raise ValueError(f"{where}: stale_days must be a whole number of days, got "
                         f"{stale_days!r}")
    keep = [account, name, role] + [c for c in (circle, last_contact) if c in contacts]
    out = contacts[keep].copy()
    out.insert(3, "influence", influence_of(out[role], role_map))
    notes = []
    unmapped = sorted(out.loc[out["influence"] == "unmapped", role].astype(str).unique())
    if unmapped:
        notes.append(f"{len(unmapped)} role(s) match no pattern of the role map: "
                     f"{', '.join(unmapped[:5])}; add them to role_map")
    if circle not in out:
        notes.append(f"{circle}: left out (the contacts have no {circle} column)")
    if last_contact in out:
        days = (pd.Timestamp(as_of) - pd.to_datetime(out[last_contact])).dt.days
        out["days_since_contact"] = days.astype("float64")
        out["stale"] = ~(days <= stale_days).fillna(False).astype(bool)
    else:
        notes.append(f"days_since_contact, stale: left out (no {last_contact} column)")
    rank = out["influence"].map({k: i for i, k in enumerate(INFLUENCE)}).fillna(len(INFLUENCE))
    order = [account] + ([circle] if circle in out else []) + ["_rank", name]
    out = out.assign(_rank=rank).sort_values(order, kind="mergesort", na_position="last")
    out = out.drop(columns="_rank").reset_index(drop=True)
    out.attrs["notes"] = notes
    out.attrs["rules"] = {"stale": f"not reached for more than {stale_days} days to "
                          f"{pd.Timestamp(as_of).date()}, or never"}
    return out


def circle_coverage(people: pd.DataFrame, accounts: Iterable, *, circles: tuple = (1, 2, 3),
                    account: str = "account_id", circle: str = "circle") -> pd.DataFrame:
    """Per account: contacts per circle, which circles nobody covers, and which have lapsed.

    Parameters
    ----------
    people : DataFrame
        A :func:`decision_map` result.
    accounts : iterable
        The account ids to report, e.g. ``ds.accounts.account_id``: an account with no
        contacts is listed with zero contacts and every circle uncovered.

    Returns
    -------
    DataFrame
        ``account``, ``contacts``, ``decision_makers``, ``circle_1``... (contacts in each
        circle), ``uncovered`` (the circles without a contact, e.g. "3" or "1, 3"; "" when
        all are covered), and with ``stale`` known: ``stale_contacts`` and ``lapsed``
        (circles whose every contact is stale).

    Examples
    --------
    >>> people = pd.DataFrame({"account_id": ["a", "a"], "influence": ["decision maker",
    ...     "influencer"], "circle": [1, 2], "stale": [True, False]})
    >>> cov = circle_coverage(people, ["a", "b"])
    >>> cov[["account_id", "contacts", "uncovered", "lapsed"]]  # doctest: +NORMALIZE_WHITESPACE
      account_id  contacts uncovered lapsed
    0          a         2         3      1
    1          b         0   1, 2, 3
    """
    where = "circle_coverage"
    require_columns(people, [account, "influence"], where)
    ids = pd.Index(pd.unique(pd.Series(list(accounts), dtype="object")), name=account)
    ids = ids.sort_values()
    grouped = people.groupby(account, sort=True)
    out = pd.DataFrame(index=ids)
    out["contacts"] = grouped.size().reindex(ids, fill_value=0).astype("int64")
    dm = people["influence"] == "decision maker"
    out["decision_makers"] = dm.groupby(people[account]).sum().reindex(
        ids, fill_value=0).astype("int64")
    notes = []
    if circle not in people:
        notes.append("circles: left out (the contacts have no circle)")
        out.attrs["notes"] = notes
        return out.reset_index()
    counts = pd.crosstab(people[account], people[circle]).reindex(
        index=ids, columns=list(circles), fill_value=0)
    has_stale = "stale" in people
    if has_stale:
        fresh = people[~people["stale"].astype(bool)]
        live = pd.crosstab(fresh[account], fresh[circle]).reindex(
            index=ids, columns=list(circles), fill_value=0)
        out["stale_contacts"] = people["stale"].astype(bool).groupby(
            people[account]).sum().reindex(ids, fill_value=0).astype("int64")
    for c in circles:
        out[f"circle_{c}"] = counts[c].astype("int64")
    labels = np.array([str(c) for c in circles], dtype=object)

    def listed(mask: np.ndarray) -> pd.Series:  # text even with no account (no key account)
        return pd.Series([", ".join(labels[row]) for row in mask], index=out.index,
                         dtype=object)

    empty = counts.to_numpy() == 0
    out["uncovered"] = listed(empty)
    if has_stale:
        out["lapsed"] = listed(~empty & (live.to_numpy() == 0))
    else:
        notes.append("stale_contacts, lapsed: left out (no last_contact dates)")
    out.attrs["notes"] = notes
    out.attrs["rules"] = {"uncovered": "circles with no contact at all",
                          "lapsed": "circles whose every contact is stale"}
    return out.reset_index()
