"""Module 14 exercises: share of wallet, uncovered circles, the value x need quadrant.

The practice data are the accounts of one industry (the one with the most accounts), which
the worked example does not show on their own, over the months to the as-of date. Each check
recomputes the answer with the kamlib function the worked example uses
(:func:`~kamlib.planning.wallet_share`, :func:`~kamlib.planning.circle_coverage`,
:func:`~kamlib.planning.value_need_matrix`), so the course and the plans agree.

Examples
--------
>>> import pandas as pd
>>> months = pd.DataFrame({"account_id": ["a", "a"], "revenue": [30.0, 50.0],
...     "period": pd.to_datetime(["2024-06-01", "2025-06-01"])})
>>> wallets = pd.DataFrame({"account_id": ["a"], "wallet_estimate": [200.0]})
>>> print(check_share_of_wallet(pd.DataFrame({"account_id": ["a"], "share_of_wallet": [0.4]}),
...                             months, wallets, as_of="2025-12-31"))
Not yet: You used all the months of wallet_months: share of wallet counts the revenue of the last 12 months to as_of (2025-12-31) only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike
from kamlib.exercises.answers import column_kind, number, two_numbers
from kamlib.exercises.feedback import Feedback, friendly, per_account, rounding_hint
from kamlib.exercises.registry import Exercise
from kamlib.planning.contacts import circle_coverage, decision_map
from kamlib.planning.differentiate import value_need_matrix
from kamlib.planning.dossier import wallet_share

__all__ = ["practice_industry", "practice_wallet", "practice_contacts", "practice_matrix",
           "check_share_of_wallet", "check_circle_gaps", "check_quadrants", "EXERCISES"]


def practice_industry(accounts: pd.DataFrame) -> str | None:
    """The industry with the most accounts (ties: the first by name), or None without one.

    >>> practice_industry(pd.DataFrame({"industry": ["Bank", "Retail", "Retail"]}))
    'Retail'
    """
    if "industry" not in accounts or not accounts["industry"].notna().any():
        return None
    counts = accounts["industry"].value_counts()
    return str(sorted(counts[counts == counts.max()].index)[0])


def _ids(accounts: pd.DataFrame, industry: str | None) -> pd.Series:
    rows = accounts if industry is None else accounts[accounts["industry"] == industry]
    return rows["account_id"].drop_duplicates().sort_values(ignore_index=True)


def practice_wallet(account_month: pd.DataFrame, accounts: pd.DataFrame,
                    industry: str | None, as_of: DateLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The practice accounts with a positive wallet estimate: their revenue per month in
    the 24 months to ``as_of`` (``account_id``, ``period``, ``revenue``), and the wallets."""
    ids = _ids(accounts, industry)
    wallets = accounts[accounts["account_id"].isin(ids)][["account_id", "wallet_estimate"]]
    wallets = wallets[wallets["wallet_estimate"] > 0].sort_values("account_id",
                                                                  ignore_index=True)
    end = pd.Timestamp(as_of).to_period("M")
    start = (end - 23).to_timestamp()
    keep = (account_month["account_id"].isin(wallets["account_id"])
            & (account_month["period"] >= start) & (account_month["period"] <= end.to_timestamp()))
    months = account_month.loc[keep, ["account_id", "period", "revenue"]]
    return months.sort_values(["account_id", "period"], ignore_index=True), wallets


def practice_contacts(contacts: pd.DataFrame, accounts: pd.DataFrame, industry: str | None,
                      as_of: DateLike | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """The contacts of the practice accounts, and the accounts (some may have none).

    Every case exercise 14.2 names occurs in them: with circles and dates, contacts are added
    (named "Practice contact ...") so that some accounts have every circle covered, some a
    circle-3 contact reached recently, some one not reached for long, and some no contact
    at all. ``as_of`` (default: the latest contact) dates them.

    >>> people = pd.DataFrame({"account_id": ["a", "b"], "contact_name": ["X", "Y"],
    ...     "role": ["CIO", "CFO"], "circle": [1, 1],
    ...     "last_contact": pd.to_datetime(["2025-12-01", "2025-01-01"])})
    >>> accts = pd.DataFrame({"account_id": list("abcdefgh"), "industry": "Bank"})
    >>> got, ids = practice_contacts(people, accts, "Bank", as_of="2025-12-31")
    >>> sorted(got["circle"].unique().tolist()), got["account_id"].nunique() < len(ids)
    ([1, 2, 3], True)
    """
    ids = _ids(accounts, industry)
    cols = [c for c in ("account_id", "contact_name", "role", "circle", "last_contact")
            if c in contacts]
    people = contacts.loc[contacts["account_id"].isin(ids), cols]
    if {"circle", "last_contact"} <= set(cols) and len(ids):
        added = _practice_people(ids, cols, people, as_of)
        silent = set(ids.iloc[3::7]) - set(added["account_id"])
        people = pd.concat([people[~people["account_id"].isin(silent)], added],
                           ignore_index=True)
    return people.sort_values(["account_id", *cols[1:2]], ignore_index=True), ids


def _practice_people(ids: pd.Series, cols: list[str], people: pd.DataFrame,
                     as_of: DateLike | None) -> pd.DataFrame:
    """Contacts that make every case of 14.2 occur: all circles covered (every 4th account,
    starting with the first), circles 1 and 2 only (every 4th, third), circle 3 lapsed
    (every 5th, second); every 7th account (fourth) not given one has no contact at all."""
    dates = pd.to_datetime(people["last_contact"])
    end = pd.Timestamp(as_of) if as_of is not None else (
        dates.max() if dates.notna().any() else pd.Timestamp.today().normalize())
    rows = []
    for i, account in enumerate(ids):
        plan = []
        if i % 4 == 0:
            plan += [(1, "Managing director", 15), (2, "Accounts payable", 30),
                     (3, "Security officer", 45)]
        if i % 4 == 2:
            plan += [(1, "Head of IT", 20), (2, "Purchasing officer", 25)]
        if i % 5 == 1:
            plan += [(3, "Facilities manager", 200)]
        for circle, role, days in plan:
            rows.append({"account_id": account, "contact_name": f"Practice contact {i}-{circle}",
                         "role": role, "circle": circle,
                         "last_contact": end - pd.Timedelta(days=days)})
    return pd.DataFrame(rows, columns=["account_id", "contact_name", "role", "circle",
                                       "last_contact"])[cols]


def practice_matrix(account_month: pd.DataFrame, accounts: pd.DataFrame, industry: str | None,
                    start: DateLike, end: DateLike,
                    proxy: pd.DataFrame | None = None) -> pd.DataFrame:
    """The practice accounts with revenue in [start, end] (positive) and their need: the
    ``need_score``, or the proxy where it is missing; accounts with neither left out."""
    ids = _ids(accounts, industry)
    keep = ((account_month["period"] >= pd.Timestamp(start).to_period("M").to_timestamp())
            & (account_month["period"] <= pd.Timestamp(end))
            & account_month["account_id"].isin(ids))
    revenue = account_month[keep].groupby("account_id")["revenue"].sum()
    revenue = revenue[revenue > 0]
    acc = accounts.drop_duplicates("account_id").set_index("account_id")
    need = (acc["need_score"] if "need_score" in acc else pd.Series(np.nan, index=acc.index))
    if proxy is not None:
        need = need.fillna(proxy.set_index("account_id")["need_proxy"].reindex(need.index))
    out = pd.DataFrame({"revenue": revenue, "need": need.reindex(revenue.index)})
    return out.dropna().rename_axis("account_id").reset_index()


def _against(mine: pd.DataFrame, column: str, truth: pd.Series, what: str, *,
             numbers: bool = False, empty: bool = True) -> pd.Series | Feedback:
    """The answer's ``column`` in ``truth``'s account order, as floats when ``numbers``; or
    the hint saying which accounts are missing or that the column holds no numbers (or,
    unless ``empty`` is False because the caller names them itself, empty values)."""
    got = mine.set_index("account_id")[column]
    if set(got.index) != set(truth.index):
        missing = sorted(set(truth.index) - set(got.index))
        return Feedback.hint(f"Your table has {len(got)} accounts, the answer {len(truth)}: "
                             f"give one row per account of {what}" + (
                                 f" (missing e.g. {missing[0]!r})" if missing else "") + ".")
    if numbers and not pd.api.types.is_numeric_dtype(got):
        return Feedback.hint(f"Your {column} column holds {column_kind(got)}, not numbers.")
    got = got.reindex(truth.index)
    # empty only where the answer has no value either (a share of wallet without a wallet
    # estimate, a trend without a year before): anywhere else a lookup found nothing
    blank = got.isna() & truth.notna()
    if empty and blank.any():
        return Feedback.hint(f"{int(blank.sum())} account(s) have an empty {column} "
                             f"(NaN), e.g. {str(got.index[blank][0])!r}: give every "
                             "account a value (fillna where a lookup found nothing).")
    return got.astype(float) if numbers else got


@friendly("a DataFrame with the columns account_id and share_of_wallet, one row per account")
def check_share_of_wallet(answer: pd.DataFrame, months: pd.DataFrame, wallets: pd.DataFrame,
                          as_of: DateLike) -> Feedback:
    """Check revenue of the 12 months to ``as_of`` / wallet estimate, a fraction, 3 decimals.

    >>> months = pd.DataFrame({"account_id": ["a"], "revenue": [50.0],
    ...                        "period": pd.to_datetime(["2025-06-01"])})
    >>> w = pd.DataFrame({"account_id": ["a"], "wallet_estimate": [200.0]})
    >>> print(check_share_of_wallet(pd.DataFrame({"account_id": ["a"],
    ...     "share_of_wallet": [25.0]}), months, w, as_of="2025-12-31"))
    Not yet: Those are percentages: give the share as a fraction (0.25, not 25).
    """
    answer = per_account(answer, ["share_of_wallet"], value="revenue")
    if isinstance(answer, Feedback):
        return answer
    truth = wallet_share(months, wallets, as_of=as_of).set_index("account_id")
    expected = truth["share_of_wallet"]
    mine = _against(answer, "share_of_wallet", expected, "wallets (an account with no "
                    "revenue in the 12 months has a share of 0)", numbers=True,
                    empty=False)  # named below, after the slips that leave shares empty
    if isinstance(mine, Feedback):
        return mine
    if np.allclose(mine, expected, atol=5e-4, rtol=0, equal_nan=True):
        top = expected.idxmax()
        return Feedback.correct(f"The median account has {expected.median():.1%} of its "
                                f"wallet; {top} the most ({expected.max():.1%}).")
    end = pd.Timestamp(as_of).date()
    wallet = truth["wallet_estimate"]
    total = months.groupby("account_id")["revenue"].sum().reindex(expected.index, fill_value=0)
    wrong = {
        f"You used all the months of wallet_months: share of wallet counts the revenue of "
        f"the last 12 months to as_of ({end}) only.": total / wallet,
        "Upside down: divide the revenue by the wallet estimate, not the wallet by the "
        "revenue.": wallet / truth["revenue_12m"].where(truth["revenue_12m"] > 0),
        f"That is the 12 months before the last 12: count the 12 months to as_of ({end}), "
        "the latest months of practice.": truth["share_prior"],
    }
    if (mine > 1).any() and np.allclose(mine / 100, expected, atol=5e-4, rtol=0):
        return Feedback.hint("Those are percentages: give the share as a fraction (0.25, not 25).")
    for said, values in wrong.items():
        if np.allclose(mine, values, atol=5e-4, rtol=1e-6, equal_nan=True):
            return Feedback.hint(said)
    if (mine.isna() & expected.notna()).any():
        empty = mine.index[mine.isna() & expected.notna()]
        return Feedback.hint(f"{len(empty)} account(s) have no share (empty), e.g. "
                             f"{str(empty[0])!r}: an account with no revenue in the 12 months "
                             "has a share of 0 (fillna(0) after mapping the revenue).")
    rounded = [rounding_hint(m, e) for m, e in zip(mine, expected)]
    if all(r is not None or abs(m - e) <= 5e-4 for r, m, e in zip(rounded, mine, expected)):
        return Feedback.hint(next(r for r in rounded if r))
    off = (mine - expected).abs().idxmax()
    said = two_numbers(mine[off], expected[off])
    return Feedback.hint(f"The share of account {off!r} is {said[0]} in your table but "
                         f"{said[1]}: its revenue of the 12 months to {end} "
                         f"({truth.loc[off, 'revenue_12m']:,.0f}) / its wallet "
                         f"({wallet[off]:,.0f}).")


def circle_gaps(contacts: pd.DataFrame, accounts, as_of: DateLike,
                stale_days: int = 90) -> pd.Series:
    """Per account, how many of the circles 1-3 have no contact reached within
    ``stale_days`` days of ``as_of`` (nobody there, or everybody there stale)."""
    people = decision_map(contacts, as_of=as_of, stale_days=stale_days)
    cov = circle_coverage(people, accounts).set_index("account_id")

    def count(text: str) -> int:
        return len([c for c in str(text).split(", ") if c])
    return cov["uncovered"].map(count) + cov["lapsed"].map(count)


@friendly("a DataFrame with the columns account_id and gaps, one row per account")
def check_circle_gaps(answer: pd.DataFrame, contacts: pd.DataFrame, accounts,
                      as_of: DateLike, stale_days: int = 90) -> Feedback:
    """Check the number of circles (0-3) per account without a contact reached recently.

    >>> people = pd.DataFrame({"account_id": ["a", "a"], "contact_name": ["X", "Y"],
    ...     "role": ["CIO", "CFO"], "circle": [1, 1],
    ...     "last_contact": pd.to_datetime(["2025-12-01", "2025-01-01"])})
    >>> print(check_circle_gaps(pd.DataFrame({"account_id": ["a"], "gaps": [1]}), people,
    ...                         ["a"], as_of="2025-12-31"))
    Not yet: You counted contacts, not circles: a gap is a circle (1, 2 or 3) with nobody reached in the last 90 days, however many people are in the others.
    """
    answer = per_account(answer, ["gaps"], value="gaps")
    if isinstance(answer, Feedback):
        return answer
    ids = list(accounts)
    truth = circle_gaps(contacts, ids, as_of, stale_days).astype(float)
    mine = _against(answer, "gaps", truth, "p_accounts (an account with no contacts has 3 "
                    "gaps)", numbers=True)
    if isinstance(mine, Feedback):
        return mine
    if np.allclose(mine, truth):
        third = int((circle_coverage(decision_map(contacts, as_of=as_of), ids)["uncovered"]
                     .str.contains("3")).sum())
        return Feedback.correct(f"{int((truth > 0).sum())} of {len(truth)} accounts have a gap; "
                                f"{third} have nobody at all in circle 3, a common blind spot.")
    people = decision_map(contacts, as_of=as_of, stale_days=stale_days)
    uncovered = circle_coverage(people, ids).set_index("account_id")["uncovered"].map(
        lambda t: len([c for c in str(t).split(", ") if c])).astype(float)
    fresh = (~people["stale"]).groupby(people["account_id"]).sum().reindex(truth.index,
                                                                           fill_value=0)
    stale = people["stale"].groupby(people["account_id"]).sum().reindex(truth.index,
                                                                        fill_value=0)
    if np.allclose(mine, uncovered):
        return Feedback.hint(f"You counted the circles with nobody at all, and forgot the stale "
                             f"contacts: a circle whose people were all last reached more than "
                             f"{stale_days} days before as_of is a gap too.")
    if (np.allclose(mine, (3 - fresh).clip(lower=0)) or np.allclose(mine, stale)
            or np.allclose(mine, 3 - fresh)):
        return Feedback.hint(f"You counted contacts, not circles: a gap is a circle (1, 2 or 3) "
                             f"with nobody reached in the last {stale_days} days, however many "
                             f"people are in the others.")
    if np.allclose(mine, 3 - truth):
        return Feedback.hint("Those are the covered circles: give the circles without a "
                             "recent contact (3 minus yours).")
    off = (mine - truth).abs().idxmax()
    return Feedback.hint(f"Account {off!r} has {truth[off]:.0f} gap(s), your table says "
                         f"{number(mine[off])}: look at its contacts by circle and their "
                         f"last_contact.")


@friendly("a DataFrame with the columns account_id and quadrant, one row per account")
def check_quadrants(answer: pd.DataFrame, matrix: pd.DataFrame, *, target: float = 0.8,
                    need_threshold: float = 5.0) -> Feedback:
    """Check each account's quadrant: high value = the vital few making ``target`` of the
    revenue, high need = need of ``need_threshold`` or more.

    >>> m = pd.DataFrame({"account_id": list("abc"), "revenue": [70.0, 20.0, 10.0],
    ...                   "need": [8.0, 9.0, 2.0]})
    >>> print(check_quadrants(pd.DataFrame({"account_id": list("abc"),
    ...     "quadrant": ["key account", "maintain", "serve"]}), m, target=0.7))
    Not yet: Value and need are swapped: high value with low need is "maintain", low value with high need is "develop".
    """
    answer = per_account(answer, ["quadrant"], value="quadrant")
    if isinstance(answer, Feedback):
        return answer

    def quadrants(t: float, cut: float, strict: bool = False) -> pd.Series:
        need = matrix.rename(columns={"need": "need_score"})
        if strict:
            need = need.assign(need_score=need["need_score"] - 1e-9)
        table = value_need_matrix(matrix[["account_id", "revenue"]], need, target=t,
                                  need_threshold=cut)
        return table.set_index("account_id")["quadrant"]

    truth = quadrants(target, need_threshold)
    mine = _against(answer, "quadrant", truth, "p_matrix")
    if isinstance(mine, Feedback):
        return mine
    mine = mine.astype(str).str.strip().str.lower()
    if (mine == truth).all():
        n = int((truth == "key account").sum())
        return Feedback.correct(f"{n} of {len(truth)} accounts are key accounts: high value "
                                f"and high need.")
    unknown = sorted(set(mine) - set(truth.unique()) - {"key account", "maintain", "develop",
                                                       "serve"})
    if unknown:
        return Feedback.hint(f"Unknown quadrant name(s) {unknown[:3]}: use 'key account', "
                             f"'maintain', 'develop' and 'serve'.")
    swap = truth.replace({"maintain": "develop", "develop": "maintain"})
    median = pd.Series(np.where(matrix["revenue"] >= matrix["revenue"].median(), "hv", "lv"),
                       index=matrix["account_id"]).reindex(truth.index)
    high_need = truth.isin(["key account", "develop"])
    by_median = pd.Series(np.select([(median == "hv") & high_need, median == "hv", high_need],
                                    ["key account", "maintain", "develop"], "serve"),
                          index=truth.index)
    ranked = matrix.sort_values("revenue", ascending=False)
    before = (ranked["revenue"].cumsum() / ranked["revenue"].sum()).set_axis(
        ranked["account_id"]).reindex(truth.index)
    short = pd.Series(np.select([(before < target) & high_need, before < target, high_need],
                                ["key account", "maintain", "develop"], "serve"),
                      index=truth.index)
    said = [
        (swap, 'Value and need are swapped: high value with low need is "maintain", low '
               'value with high need is "develop".'),
        (by_median, f"You split value at the median. High value means the vital few: the "
                    f"largest accounts that together make {target:.0%} of the revenue."),
        (short, f"Almost: the account whose revenue takes the running total past "
                f"{target:.0%} belongs to the vital few too (cum_share >= {target:g} is "
                f"reached with it)."),
        (quadrants(target, need_threshold, strict=True),
         f"Need of exactly {need_threshold:g} counts as high need: use >= {need_threshold:g}."),
    ]
    for values, text in said:
        if (mine == values).all():
            return Feedback.hint(text)
    off = (mine != truth).idxmax()
    return Feedback.hint(f"Account {off!r} is {truth[off]!r}, your table says {mine[off]!r}: "
                         f"check its place in the revenue ranking and its need.")


EXERCISES = [
    Exercise("14.1", "Share of wallet", "my_wallet", check_share_of_wallet, """\
end = as_of.to_period("M")
last_12 = wallet_months[wallet_months["period"].dt.to_period("M") > end - 12]
revenue = last_12.groupby("account_id")["revenue"].sum()
my_wallet = wallets[["account_id"]].copy()
my_wallet["share_of_wallet"] = (my_wallet["account_id"].map(revenue).fillna(0)
                                / wallets["wallet_estimate"]).round(3)""",
             precision="three decimals",
             steps="keep the rows of wallet_months in the 12 months to as_of, add the revenue "
                   "up per account, map it onto wallets (fillna(0) for an account with none) "
                   "and divide by wallet_estimate; round to three decimals."),
    Exercise("14.2", "Uncovered circles", "my_gaps", check_circle_gaps, """\
recent = p_contacts[(as_of - p_contacts["last_contact"]).dt.days <= 90]
covered = recent.groupby("account_id")["circle"].nunique()
my_gaps = pd.DataFrame({"account_id": p_accounts})
my_gaps["gaps"] = 3 - my_gaps["account_id"].map(covered).fillna(0).astype(int)""",
             precision="whole circles",
             steps="keep the contacts reached in the 90 days to as_of, count the different "
                   "circles per account (nunique), and take 3 minus that count; an account "
                   "with no recent contact has 3 gaps."),
    Exercise("14.3", "Value x need quadrant", "my_quadrants", check_quadrants, """\
ranked = p_matrix.sort_values("revenue", ascending=False)
cum_share = ranked["revenue"].cumsum() / ranked["revenue"].sum()
# the vital few: every account up to and including the one that reaches 80%
k = int(np.argmax(cum_share.to_numpy() >= 0.8)) + 1
high_value = ranked["account_id"].iloc[:k]
hv = p_matrix["account_id"].isin(high_value)
hn = p_matrix["need"] >= 5
my_quadrants = p_matrix[["account_id"]].copy()
my_quadrants["quadrant"] = np.select([hv & hn, hv, hn], ["key account", "maintain",
                                                         "develop"], "serve")""",
             steps="high value: the largest accounts up to and including the one whose "
                   "cum_share reaches 0.8; high need: need >= 5. Then np.select: both is key "
                   "account, value only maintain, need only develop, neither serve."),
]
