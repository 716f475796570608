"""Module 14 exercise 14.5: one account's cross-sell proposals from what its peers buy.

The practice data are one peer group of the practice industry (its largest size band): each
account's revenue per product over the analysis window (``p_products``), the account to
propose to (``p_account``, the one with the most proposals), the window's length in years and
each product's chance of winning. The check recomputes the proposals with
:func:`~kamlib.planning.customize.cross_sell`, the function of the worked example and the
account plans. Rows are added so that every case the task names occurs: a product only one
peer buys, a product the account has only credit notes for (it does not buy it) and a peer
with only a credit note for a product (it does not buy it either).

Examples
--------
>>> products = pd.DataFrame({"account_id": ["a", "b", "c", "b", "c"],
...     "product": ["x", "x", "x", "y", "y"], "revenue": [10.0, 30, 50, 20, 40]})
>>> right = pd.DataFrame({"product": ["y"], "peer_yearly_value": [15.0],
...                       "expected_yearly_value": [7.5]})
>>> check_proposals(right, products, "a", 2.0, {"x": 0.5, "y": 0.5}).ok
True
>>> print(check_proposals(right.assign(peer_yearly_value=30.0, expected_yearly_value=15.0),
...                       products, "a", 2.0, {"x": 0.5, "y": 0.5}))  # doctest: +ELLIPSIS
Not yet: Those are the peers' spend over the whole window: divide by p_years ...
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib.exercises.answers import describe, two_numbers
from kamlib.exercises.feedback import Feedback, friendly
from kamlib.exercises.registry import Exercise
from kamlib.planning.customize import cross_sell, win_chances

__all__ = ["practice_proposals", "check_proposals", "EXERCISES"]

_COLS = ["product", "peer_yearly_value", "expected_yearly_value"]
ONE_PEER = "Managed Security (practice)"


def _group(products: pd.DataFrame, years: float) -> pd.DataFrame:
    """cross_sell within one peer group: the accounts of ``products``."""
    ids = products["account_id"].astype(str)
    peers = pd.DataFrame({"account_id": ids.unique(), "group": "peers"})
    return cross_sell(products.assign(account_id=ids), peers, years=years, by=("group",))


def _proposals(products: pd.DataFrame, account: str, years: float) -> pd.DataFrame:
    """cross_sell of ``account`` within its one peer group (the accounts of ``products``)."""
    out = _group(products, years)
    return out[out["account_id"] == str(account)]


def practice_proposals(account_product: pd.DataFrame, peers: pd.DataFrame,
                       industry: str | None, years: float,
                       opportunities: pd.DataFrame | None = None,
                       default_chance: float = 0.25) -> dict:
    """``p_products`` (account_id, product, revenue over the window) of the practice peer
    group, ``p_account`` (its account with the most proposals; ties: the first id), ``p_years`` and ``p_chance`` (product -> chance of winning, the
    kit's :func:`~kamlib.planning.customize.win_chances`)."""
    rows = peers if industry is None or "industry" not in peers else peers[
        peers["industry"] == industry]
    bands = rows["size_band"].dropna().astype(str)
    counts = bands.value_counts()
    band = sorted(counts[counts == counts.max()].index)[0] if len(counts) else None
    members = sorted(rows.loc[rows["size_band"].astype(str) == band, "account_id"].astype(str))
    ap = account_product.assign(account_id=account_product["account_id"].astype(str))
    products = ap.loc[ap["account_id"].isin(members), ["account_id", "product", "revenue"]]
    products = products.reset_index(drop=True)
    offers = _group(products, years)["account_id"].value_counts()
    account = (min(offers[offers == offers.max()].index) if len(offers)
               else (members[0] if members else None))
    if account is not None:
        products = _with_cases(products, account, years)
    chance = win_chances(opportunities, sorted(products["product"].unique()),
                         default=default_chance)
    return {"p_products": products.sort_values(["account_id", "product"], ignore_index=True),
            "p_account": account, "p_years": float(years),
            "p_chance": dict(zip(chance["product"], chance["win_chance"].astype(float)))}


def _with_cases(products: pd.DataFrame, account: str, years: float) -> pd.DataFrame:
    """Rows that make every case occur: a product one peer buys; a credit note (negative
    revenue) of the account for its best proposal; one of a non-buying peer for another."""
    offer = _proposals(products, account, years)["product"].tolist()
    others = sorted(set(products["account_id"]) - {account})
    owned = set(zip(products["account_id"], products["product"]))
    added = [(others[0], ONE_PEER, 12_000.0)] if others else []
    if offer:
        added.append((account, offer[0], -850.0))
    for product in offer[1:2]:
        idle = [a for a in others if (a, product) not in owned]
        if idle:
            added.append((idle[0], product, -1_200.0))
    extra = pd.DataFrame(added, columns=["account_id", "product", "revenue"])
    return pd.concat([products, extra], ignore_index=True)


def _frame(answer: object) -> pd.DataFrame | Feedback:
    if isinstance(answer, pd.DataFrame) and "product" not in answer.columns and \
            "product" in (answer.index.names or []):
        answer = answer.reset_index()
    if not isinstance(answer, pd.DataFrame):
        return Feedback.hint(f"Give a table (DataFrame) with the columns {', '.join(_COLS)}; "
                             f"yours is {describe(answer)}.")
    missing = [c for c in _COLS if c not in answer.columns]
    if missing:
        return Feedback.hint(f"Wrong column names: expected {', '.join(_COLS)}; missing "
                             f"{', '.join(missing)}.")
    return answer


def _same(mine: pd.Series, values: pd.Series) -> bool:
    values = values.reindex(mine.index)
    return bool(values.notna().all() and np.allclose(mine, values, rtol=0, atol=0.5))


@friendly("a DataFrame with the columns product, peer_yearly_value and expected_yearly_value")
def check_proposals(answer: pd.DataFrame, products: pd.DataFrame, account: str, years: float,
                    chance: dict) -> Feedback:
    """Check the proposals to ``account``: products at least two peers buy (revenue above 0)
    and it does not, the buying peers' median spend a year, times the chance, best first."""
    answer = _frame(answer)
    if isinstance(answer, Feedback):
        return answer
    if "account_id" in answer.columns and (answer["account_id"].astype(str) != str(account)
                                           ).any():
        other = answer.loc[answer["account_id"].astype(str) != str(account), "account_id"]
        return Feedback.hint(f"Your table has proposals for account {str(other.iloc[0])!r}: "
                             f"give those to p_account ({account!r}) only.")
    truth = _proposals(products, account, years).copy()
    truth["expected_yearly_value"] = truth["peer_yearly_value"] * truth["product"].map(chance)
    truth = truth.set_index("product")
    p = products.assign(account_id=products["account_id"].astype(str))
    bought = p[p["revenue"] > 0]
    own = set(bought.loc[bought["account_id"] == str(account), "product"])
    mine = answer.assign(product=answer["product"].astype(str))
    if mine["product"].duplicated().any():
        return Feedback.hint("A product is in your table twice: one row per product.")
    kept = sorted(set(mine["product"]) & own)
    if kept:
        return Feedback.hint(f"{kept[0]!r} is bought by p_account already: propose only "
                             "what it does not buy (revenue above 0 is bought).")
    peers = bought[bought["account_id"] != str(account)]
    buyers = peers.groupby("product")["account_id"].nunique()
    lonely = [x for x in mine["product"] if buyers.get(x, 0) < 2 and x not in truth.index]
    if lonely:
        return Feedback.hint(f"{lonely[0]!r} is bought by {int(buyers.get(lonely[0], 0))} "
                             "peer(s) only: propose a product when at least two peers buy it "
                             "(one peer is an anecdote).")
    missing = sorted(set(truth.index) - set(mine["product"]))
    if missing:
        credit = p[(p["account_id"] == str(account)) & (p["revenue"] <= 0)]
        if missing[0] in set(credit["product"]):
            return Feedback.hint(f"p_account has only credit notes for {missing[0]!r} (revenue "
                                 "of 0 or below): it does not buy it, so propose it.")
        return Feedback.hint(f"{missing[0]!r} is missing: at least two peers buy it and "
                             "p_account does not.")
    extra = sorted(set(mine["product"]) - set(truth.index))
    if extra:
        return Feedback.hint(f"{extra[0]!r} is no proposal: fewer than two peers buy it (a "
                             "peer buys a product when its revenue is above 0).")
    mine = mine.set_index("product")
    got = mine["peer_yearly_value"].astype(float)
    if not _same(got, truth["peer_yearly_value"]):
        stats = peers.groupby("product")["revenue"]
        anyone = p[p["account_id"] != str(account)].groupby("product")["revenue"]
        said = [
            (stats.mean() / years, "That is the peers' mean spend: take the median (one very "
             "large peer would make the mean a promise nobody else keeps)."),
            (stats.median(), "Those are the peers' spend over the whole window: divide by "
             "p_years for a value a year."),
            (anyone.median() / years, "A peer with only a credit note (revenue of 0 or "
             "below) does not buy the product: leave it out of the median."),
        ]
        for values, text in said:
            if _same(got, values):
                return Feedback.hint(text)
        off = (got - truth["peer_yearly_value"].reindex(got.index)).abs().idxmax()
        a, b = two_numbers(got[off], truth.loc[off, "peer_yearly_value"])
        return Feedback.hint(f"The peer yearly value of {off!r} is {a} in your table but {b}: "
                             "the median of what the buying peers spent on it, divided by "
                             "p_years.")
    value = mine["expected_yearly_value"].astype(float)
    if not _same(value, truth["expected_yearly_value"]):
        if _same(value, truth["peer_yearly_value"]):
            return Feedback.hint("You left out the chance of winning: expected yearly value "
                                 "= peer yearly value x p_chance of the product.")
        return Feedback.hint("expected_yearly_value is the peer yearly value times the "
                             "product's chance of winning in p_chance.")
    order = value.to_numpy()
    if len(order) > 1 and (np.diff(order) > 0.5).any():
        if (np.diff(order) >= -0.5).all():
            return Feedback.hint("You sorted ascending: the best proposal (largest expected "
                                 "yearly value) comes first.")
        return Feedback.hint("Sort the proposals by expected_yearly_value, largest first.")
    best = truth["expected_yearly_value"].idxmax() if len(truth) else None
    return Feedback.correct(f"{len(truth)} proposals; the best, {best}, is worth "
                            f"{truth['expected_yearly_value'].max():,.0f} a year in expected "
                            "value." if best else "No proposals: the peers buy nothing more.")


EXERCISES = [
    Exercise("14.5", "Cross-sell proposals from the peers", "my_proposals", check_proposals,
             """\
bought = p_products[p_products["revenue"] > 0]  # credit notes are no purchase
owned = set(bought.loc[bought["account_id"] == p_account, "product"])
peers = bought[bought["account_id"] != p_account]
stats = peers.groupby("product").agg(peers_buying=("account_id", "nunique"),
                                     median_spend=("revenue", "median")).reset_index()
stats = stats[(stats["peers_buying"] >= 2) & ~stats["product"].isin(owned)]
my_proposals = stats[["product"]].copy()
my_proposals["peer_yearly_value"] = stats["median_spend"] / p_years
my_proposals["expected_yearly_value"] = (my_proposals["peer_yearly_value"]
                                         * my_proposals["product"].map(p_chance))
my_proposals = my_proposals.sort_values("expected_yearly_value", ascending=False)""",
             steps="keep the rows of p_products with revenue above 0; the products of "
                   "p_account are the ones it buys; of the other accounts' rows, count per "
                   "product the accounts buying (nunique) and take the median revenue; keep "
                   "the products at least two peers buy and p_account does not; divide the "
                   "median by p_years, multiply by the product's p_chance (.map(p_chance)) "
                   "and sort largest first."),
]
