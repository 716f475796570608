"""Customize: products an account does not buy but similar accounts do, and bundles.

Explainable by construction: every proposal carries its evidence. "Similar" means the same
peer group (by default industry and size band, e.g. from
:func:`~kamlib.planning.dossier.general_information`). For an account and a product it does
not buy, ``peer_rate`` is the share of the *other* accounts in its group that buy it,
``base_rate`` the share of all accounts (with a group) that do, ``lift`` their ratio (above
1: the group buys it more than the portfolio), ``peer_yearly_value`` what a buying peer
spends on it per year (the median of the peers' window totals divided by the window's
years), ``win_chance`` the chance of winning a proposal (:func:`win_chances`: won / decided
opportunities, or a stated default) and ``expected_yearly_value = peer_yearly_value x
win_chance`` ranks the proposals.

Examples
--------
>>> import pandas as pd
>>> ap = pd.DataFrame({"account_id": ["a", "b", "b", "c", "c"],
...                    "product": ["x", "x", "y", "x", "y"],
...                    "revenue": [10.0, 10.0, 40.0, 10.0, 60.0]})
>>> peers = pd.DataFrame({"account_id": ["a", "b", "c"], "industry": ["Bank"] * 3})
>>> cross_sell(ap, peers, years=2, by=("industry",), min_lift=0)[
...     ["account_id", "product", "peer_yearly_value", "win_chance", "expected_yearly_value"]]
  account_id product  peer_yearly_value  win_chance  expected_yearly_value
0          a       y               25.0        0.25                   6.25
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns

__all__ = ["cross_sell", "win_chances", "window_years", "bundles"]

WON, LOST = "won", "lost"


def window_years(start: DateLike, end: DateLike) -> float:
    """The years a window covers, in whole calendar months (as the profitability report
    counts them): the ``years`` of :func:`cross_sell`.

    >>> window_years("2023-01-01", "2025-12-31"), window_years("2025-01-15", "2025-06-30")
    (3.0, 0.5)
    """
    return ((pd.Period(end, "M") - pd.Period(start, "M")).n + 1) / 12


def win_chances(opportunities: pd.DataFrame | None, products, *, min_decided: int = 20,
                default: float = 0.25, product: str = "product",
                stage: str = "stage") -> pd.DataFrame:
    """The chance of winning a proposal of each product, and where it comes from.

    A product with at least ``min_decided`` decided opportunities (stage won or lost) gets
    its own won / decided; else all products' won / decided when they reach
    ``min_decided``; else ``default`` (also without an opportunities table). Open stages
    are not counted.

    Returns
    -------
    DataFrame
        ``product``, ``win_chance``, ``win_chance_source`` (in words, with the counts).

    Examples
    --------
    >>> opp = pd.DataFrame({"product": ["x", "x", "x", "y"],
    ...                     "stage": ["won", "lost", "lost", "won"]})
    >>> win_chances(opp, ["x", "y"], min_decided=3)["win_chance_source"].tolist()
    ['1 won of 3 decided opportunities for x', '2 won of 4 decided opportunities, all products']
    >>> win_chances(None, ["x"])["win_chance_source"].iloc[0]
    'assumed 25% (no opportunities table)'
    """
    where = "win_chances"
    if not 0 < default <= 1:
        raise ValueError(f"{where}: default must be a chance in (0, 1], got {default!r}")
    if not isinstance(min_decided, int) or min_decided < 1:
        raise ValueError(f"{where}: min_decided must be a whole number of at least 1")
    out = pd.DataFrame({product: pd.Series(products).drop_duplicates().reset_index(drop=True)})
    if opportunities is None or len(opportunities) == 0:
        why = "no opportunities table" if opportunities is None else "no opportunities"
        return out.assign(win_chance=float(default),
                          win_chance_source=f"assumed {default:.0%} ({why})")
    require_columns(opportunities, [stage], where)
    decided = opportunities[opportunities[stage].isin([WON, LOST])]
    won_all, n_all = int((decided[stage] == WON).sum()), len(decided)
    if n_all >= min_decided:
        overall = (won_all / n_all,
                   f"{won_all:,} won of {n_all:,} decided opportunities, all products")
    else:
        overall = (float(default), f"assumed {default:.0%} (fewer than {min_decided} won or "
                                   f"lost opportunities: {n_all})")
    per = (decided.groupby(product)[stage].agg(won=lambda s: int((s == WON).sum()),
                                                 decided="size")
           if product in decided else pd.DataFrame(columns=["won", "decided"]))
    chance, source = [], []
    for name in out[product]:
        won, n = per.loc[name] if name in per.index else (0, 0)
        if n >= min_decided:
            chance.append(won / n)
            source.append(f"{won:,} won of {n:,} decided opportunities for {name}")
        else:
            chance.append(overall[0])
            source.append(overall[1])
    return out.assign(win_chance=np.array(chance, dtype="float64"), win_chance_source=source)


def _groups(peers: pd.DataFrame, by: tuple[str, ...], account: str, where: str) -> pd.Series:
    """Each account's peer group as one label; accounts with a missing key get none."""
    require_columns(peers, [account, *by], where)
    keys = peers.drop_duplicates(account).set_index(account)[list(by)]
    complete = keys.notna().all(axis=1)
    label = pd.Series(np.nan, index=keys.index, dtype="object")
    if complete.any():
        parts = keys[complete].astype(str)  # joined column by column: agg(axis=1) is slow
        label[complete] = parts.iloc[:, 0].str.cat([parts[c] for c in parts.columns[1:]],
                                                   sep=" | ")
    return label


def cross_sell(account_product: pd.DataFrame, peers: pd.DataFrame, *, years: float,
               opportunities: pd.DataFrame | None = None, default_win_chance: float = 0.25,
               min_decided: int = 20, by: tuple[str, ...] = ("industry", "size_band"),
               min_peers: int = 2, min_lift: float = 1.0, account: str = "account_id",
               product: str = "product", value: str = "revenue") -> pd.DataFrame:
    """Ranked proposals per account: products its peers buy and it does not, with evidence.

    Parameters
    ----------
    account_product : DataFrame
        The cube's account x product totals over the window; a product "is bought" with
        positive revenue.
    peers : DataFrame
        One row per account with the ``by`` columns; accounts with a missing key, or not in
        it, get no proposals (``attrs["notes"]`` counts them).
    years : float
        The years ``account_product`` covers (the analysis window): a peer's yearly spend
        is its window total / ``years``.
    opportunities, default_win_chance, min_decided
        The chance of winning (see :func:`win_chances`): won / decided opportunities of the
        product, or of all products, or ``default_win_chance``.
    min_peers : int
        At least this many peers must buy the product: one peer is an anecdote.
    min_lift : float
        Keep proposals whose lift is above this (1: the group buys it more than average).

    Returns
    -------
    DataFrame
        ``account``, ``product``, ``peer_group``, ``group_size`` (other accounts in the
        group), ``peers_buying``, ``peer_rate``, ``base_rate``, ``lift``,
        ``peer_yearly_value``, ``win_chance``, ``win_chance_source``,
        ``expected_yearly_value``, ``proposal_rank`` (1 = best: expected yearly value, then
        lift, then product name); sorted by account and rank.
    """
    where = "cross_sell"
    if not isinstance(min_peers, int) or min_peers < 1:
        raise ValueError(f"{where}: min_peers must be a whole number of at least 1")
    if isinstance(years, bool) or not isinstance(years, (int, float)) or not years > 0:
        raise ValueError(f"{where}: years must be the length of the window in years, above "
                         f"0, got {years!r}")
    require_columns(account_product, [account, product, value], where)
    group = _groups(peers, by, account, where)
    bought = account_product[account_product[value] > 0]
    bought = bought.groupby([account, product], sort=True)[value].sum().reset_index()
    # the base rate is over the same accounts as the groups: those with a peer group
    in_group = bought.assign(_group=bought[account].map(group)).dropna(subset=["_group"])
    base = in_group.groupby(product)[account].nunique() / int(group.notna().sum())
    sizes = group.value_counts()
    stats = in_group.groupby(["_group", product]).agg(
        peers_buying=(account, "nunique"), _median=(value, "median")).reset_index()
    members = group.dropna().rename("_group").reset_index()
    # every account x every product its group buys; drop what the account already buys
    cand = members.merge(stats, on="_group")
    owned = pd.MultiIndex.from_frame(in_group[[account, product]])
    cand = cand[~pd.MultiIndex.from_frame(cand[[account, product]]).isin(owned)].copy()
    cand["group_size"] = cand["_group"].map(sizes) - 1
    cand["peer_rate"] = cand["peers_buying"] / cand["group_size"]
    cand["base_rate"] = cand[product].map(base).astype("float64")  # empty: not text
    cand["lift"] = cand["peer_rate"] / cand["base_rate"]
    cand["peer_yearly_value"] = cand["_median"] / years
    chances = win_chances(opportunities, cand[product], min_decided=min_decided,
                          default=default_win_chance, product=product)
    cand = cand.merge(chances.rename(columns={product: "_p"}), left_on=product,
                      right_on="_p", how="left")
    cand["expected_yearly_value"] = cand["peer_yearly_value"] * cand["win_chance"]
    cand = cand[(cand["peers_buying"] >= min_peers) & (cand["lift"] > min_lift)]
    cand = cand.rename(columns={"_group": "peer_group"}).sort_values(
        [account, "expected_yearly_value", "lift", product],
        ascending=[True, False, False, True], kind="mergesort")
    cand["proposal_rank"] = cand.groupby(account, sort=False).cumcount() + 1
    cols = [account, product, "peer_group", "group_size", "peers_buying", "peer_rate",
            "base_rate", "lift", "peer_yearly_value", "win_chance", "win_chance_source",
            "expected_yearly_value", "proposal_rank"]
    out = cand[cols].reset_index(drop=True)
    out["group_size"] = out["group_size"].astype("int64")
    out["peers_buying"] = out["peers_buying"].astype("int64")
    # text stays text when no proposal is left (one account, no peers): readers use .str
    for col in (account, product, "peer_group", "win_chance_source"):
        out[col] = out[col].astype("object").where(out[col].notna(), "").astype(str)
    ungrouped = int(group.isna().sum())
    out.attrs["notes"] = ([f"{ungrouped} account(s) have no {' / '.join(by)}: no proposals"]
                          if ungrouped else [])
    out.attrs["rules"] = {
        "peers": f"the other accounts with the same {', '.join(by)}",
        "lift": "share of peers buying / share of all accounts buying; kept above "
                f"{min_lift:g} with at least {min_peers} peers buying",
        "peer_yearly_value": "the median of what the buying peers spent on the product over "
                             f"the window, divided by its {years:g} years",
        "win_chance": f"won / (won + lost) opportunities of the product when it has at least "
                      f"{min_decided} of them, else of all products, else an assumed "
                      f"{default_win_chance:.0%}; open opportunities are not counted",
        "expected_yearly_value": "peer yearly value x win chance"}
    return out


def bundles(account_product: pd.DataFrame, peers: pd.DataFrame | None = None, *,
            by: tuple[str, ...] = ("industry", "size_band"), min_accounts: int = 2,
            account: str = "account_id", product: str = "product",
            value: str = "revenue") -> pd.DataFrame:
    """Pairs of products accounts buy together, per peer group (or over all accounts).

    Returns
    -------
    DataFrame
        ``peer_group`` (when ``peers`` is given), ``product_a``, ``product_b`` (a < b),
        ``accounts_both``, ``support`` (share of the group's accounts buying both),
        ``confidence_ab`` (of the buyers of a, the share buying b), ``confidence_ba``,
        ``lift`` (support / (share buying a x share buying b)); pairs bought together by
        at least ``min_accounts``, sorted by group, lift and support (descending), names.

    Examples
    --------
    >>> ap = pd.DataFrame({"account_id": ["a", "a", "b", "b", "c", "d"],
    ...                    "product": ["x", "y", "x", "y", "x", "z"],
    ...                    "revenue": [1.0] * 6})
    >>> bundles(ap)[["product_a", "product_b", "accounts_both", "support", "lift"]]
      product_a product_b  accounts_both  support      lift
    0         x         y              2      0.5  1.333333
    """
    where = "bundles"
    require_columns(account_product, [account, product, value], where)
    bought = account_product.loc[account_product[value] > 0, [account, product]]
    bought = bought.drop_duplicates()
    if peers is not None:
        group = _groups(peers, by, account, where)
        bought = bought.assign(_group=bought[account].map(group)).dropna(subset=["_group"])
        sizes = group.value_counts()
    else:
        bought = bought.assign(_group="all")
        sizes = pd.Series({"all": bought[account].nunique()})
    rows = []
    for label, rows_g in bought.groupby("_group", sort=True):
        baskets = rows_g.groupby(account)[product].apply(lambda s: sorted(s.astype(str)))
        counts = rows_g[product].astype(str).value_counts()
        pairs: dict[tuple[str, str], int] = {}
        for basket in baskets:
            for pair in combinations(basket, 2):
                pairs[pair] = pairs.get(pair, 0) + 1
        n = sizes[label]
        for (a, b), both in pairs.items():
            if both >= min_accounts:
                rows.append((label, a, b, both, both / n, both / counts[a], both / counts[b],
                             (both / n) / ((counts[a] / n) * (counts[b] / n))))
    cols = ["peer_group", "product_a", "product_b", "accounts_both", "support",
            "confidence_ab", "confidence_ba", "lift"]
    out = pd.DataFrame(rows, columns=cols).sort_values(
        ["peer_group", "lift", "support", "product_a", "product_b"],
        ascending=[True, False, False, True, True], kind="mergesort", ignore_index=True)
    if peers is None:
        out = out.drop(columns="peer_group")
    out.attrs["rules"] = {"lift": "share buying both / (share buying a x share buying b) "
                          "among the accounts of the group; above 1: bought together more "
                          "often than by chance"}
    return out
