"""A realistic, deterministic sample of a B2B ICT provider's books, for the course and tests.

``generate_sample`` makes every canonical table (see :mod:`kamlib.data.contract`): accounts with
industries, regions and account managers; three years of monthly invoices for products such
as connectivity, cloud and security, with seasonality, growth or decline, credit notes, and
accounts won and lost along the way; account-team activities with their rates; contacts in
three circles; opportunities. Account sizes are heavy-tailed and calibrated so that about 14%
of accounts make 80% of revenue, as in the telecom case of the course; discounts and cost to
serve so that about 30% of the accounts lose money (small demanding ones and large discounted
ones) and the whale curve peaks near 170% of profit, as in Kaplan's. The same arguments give the same tables, byte for byte.

Examples
--------
>>> tables = generate_sample(n_accounts=40, years=1, seed=1)
>>> sorted(tables)
['accounts', 'activities', 'activity_rates', 'contacts', 'events', 'opportunities', 'transactions']
>>> tables["accounts"]["account_id"].iloc[0]
'000001'
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from kamlib._written import OverwriteError, foreign, read_record, refuse, sha256
from kamlib.data.sample_dealers import dealer_columns

__all__ = ["generate_sample", "write_sample", "check_out", "PRODUCTS", "ACTIVITY_RATES",
           "SIZE_SIGMA", "SAMPLE_TABLES", "MARKER"]

SAMPLE_TABLES = ("accounts", "transactions", "activities", "activity_rates", "contacts",
                 "opportunities", "events")  # what generate_sample returns, in order
MARKER = ".kamkit-sample.json"  # what kam sample wrote into a folder, with hashes

# Product -> (direct cost as a share of revenue, typical unit price): margins differ by line.
PRODUCTS: dict[str, tuple[float, float]] = {
    "Connectivity": (0.55, 450.0), "Cloud": (0.62, 180.0), "Data Centre": (0.58, 2400.0),
    "Managed Services": (0.70, 1500.0), "Security": (0.48, 600.0), "IoT": (0.60, 25.0),
    "Unified Communications": (0.52, 35.0),
}
ACTIVITY_RATES: dict[str, float] = {
    "visit": 350.0, "executive_meeting": 900.0, "support_ticket": 45.0, "proposal": 1200.0,
    "custom_report": 250.0, "training": 600.0, "rush_order": 150.0,
}
# Spread of log yearly revenue per account. A lognormal with sigma s puts share
# 1 - Phi(Phi^-1(0.2) + s) of accounts on 80% of the total; 1.835 gives 14.3% with seed 42;
# noise, churn and late starts move it by about a point across seeds (see the tests).
SIZE_SIGMA = 1.835
# Cost to serve, in expected activities a month: (a floor every account needs, more per 20,000
# of yearly revenue, extra for a demanding account). The floor makes the smallest accounts
# cost more than they earn; the demanding ones (small, support on the phone every week) lose
# money at any size below the median. Tuned with DISCOUNT so that about 30% of accounts lose
# money and the whale curve peaks near 170% of profit (Kaplan: 150-300%); see the tests.
SERVICE: dict[str, tuple[float, float, float]] = {
    "visit": (0.03, 0.26, 0.3), "executive_meeting": (0.005, 0.039, 0.0),
    "support_ticket": (0.3, 0.65, 4.0), "proposal": (0.015, 0.0325, 0.1),
    "custom_report": (0.01, 0.052, 0.8), "training": (0.005, 0.013, 0.1),
    "rush_order": (0.04, 0.052, 1.5),
}
DEMANDING_SHARE = 0.15  # of the accounts below about twice the median size
# Discounts lower the price, not the cost. Each account gets "per_size" x log10(size / 20,000)
# (large accounts negotiate); large accounts ("deep_from_size" up) holding "deep_revenue" of
# all revenue got a deep discount in the "deep" range and expect dedicated service too
# ("deep_service" times what their size needs): the whales below the surface.
DISCOUNT = {"per_size": 0.06, "deep_from_size": 0.4, "deep_revenue": 0.35, "deep": (0.33, 0.45),
            "deep_service": (1.5, 2.5)}

INDUSTRIES = ["Banking", "Insurance", "Retail", "Manufacturing", "Government", "Healthcare",
              "Energy", "Logistics", "Media", "Education", "Hospitality", "Telecoms"]
REGIONS = ["North", "South", "East", "West", "Capital"]
MANAGERS = ["Ayu Lestari", "Budi Santoso", "Citra Dewi", "Dimas Pratama", "Eka Putri",
            "Fajar Nugroho", "Gita Rahma", "Hendra Wijaya", "Indah Sari", "Joko Susilo",
            "Kartika Ananda", "Lukas Halim"]
_NAME_A = ["Nusa", "Java", "Borneo", "Sumatra", "Garuda", "Merapi", "Bromo", "Lombok", "Toba",
           "Kencana", "Sentosa", "Cahaya", "Samudra", "Pelita", "Bintang", "Mega", "Prima",
           "Global", "Atlas", "Harbour", "Summit", "Orchid", "Meridian", "Pacific", "Delta"]
_NAME_B = {"Banking": "Bank", "Insurance": "Assurance", "Retail": "Retail", "Manufacturing":
           "Industries", "Government": "Agency", "Healthcare": "Health", "Energy": "Energy",
           "Logistics": "Logistics", "Media": "Media", "Education": "Academy",
           "Hospitality": "Hotels", "Telecoms": "Networks"}
_SUFFIX = ["Ltd", "Group", "Corp", "& Co", "Holdings", "Partners"]
_FIRST = ["Adi", "Bayu", "Dewi", "Eko", "Fitri", "Galih", "Hana", "Irfan", "Jihan", "Kevin",
          "Lina", "Maya", "Nina", "Oscar", "Putu", "Rina", "Sari", "Tono", "Umar", "Wulan"]
_LAST = ["Hartono", "Kusuma", "Siregar", "Nasution", "Gunawan", "Setiawan", "Tanjung",
         "Halim", "O'Brien", "Wibowo", "Saputra", "Lim", "Hidayat", "Salim", "Tan"]
# (role, circle): 1 decides, 2 supports the decision, 3 matters for future business
_ROLES = [("CEO", 1), ("CIO", 1), ("CFO", 1), ("IT Manager", 2), ("Procurement", 2),
          ("Head of Operations", 2), ("Network Engineer", 3), ("Office Manager", 3)]
_SEASON = np.array([0.95, 0.95, 1.05, 1.0, 1.0, 1.0, 0.85, 0.85, 1.0, 1.05, 1.05, 1.3])


def _accounts(rng: np.random.Generator, n: int, months: pd.DatetimeIndex) -> pd.DataFrame:
    industry = rng.choice(INDUSTRIES, n)
    base = np.exp(rng.normal(np.log(20_000.0), SIZE_SIGMA, n))  # yearly revenue
    names = [f"{_NAME_A[rng.integers(len(_NAME_A))]} {_NAME_B[ind]} {_SUFFIX[rng.integers(6)]}"
             for ind in industry]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):  # company names are unique: number the repeats
        seen[name] = seen.get(name, 0) + 1
        names[i] = name if seen[name] == 1 else f"{name} {seen[name]}"
    n_months = len(months)
    life = rng.random(n)
    # about 10% won during the period (from month 4) and 10% lost (silent for 7+ months)
    first = np.where(life < 0.10, rng.integers(max(1, n_months // 12), n_months - 6, n), 0)
    last = np.where(life > 0.90, rng.integers(n_months // 6, n_months - 7, n), n_months - 1)
    since = np.where(first > 0, months[np.minimum(first, n_months - 1)].values,
                     (months[0] - pd.to_timedelta(rng.integers(30, 3650, n), unit="D")).values)
    share_of_wallet = np.clip(rng.beta(2, 3, n), 0.05, 0.95)
    need = np.clip(np.round(rng.normal(5 + 1.2 * np.log10(base / 20_000), 2), 0), 0, 10)
    return pd.DataFrame({
        "account_id": [f"{i:06d}" for i in range(1, n + 1)],
        "account_name": names,
        "industry": industry,
        "region": rng.choice(REGIONS, n),
        "account_manager": rng.choice(MANAGERS, n),
        "customer_since": pd.to_datetime(since).normalize(),
        "wallet_estimate": np.round(base / share_of_wallet, -3),
        "need_score": need,
        "acquisition_cost": np.round(2_000 + 0.05 * base, 0),
        # generation state, dropped before returning
        "_base": base, "_first": first, "_last": last,
        "_pattern": rng.choice(["steady", "fluctuating", "project"], n, p=[0.6, 0.25, 0.15]),
        "_growth": rng.normal(0.03, 0.12, n),
    })


def _invoices(rng: np.random.Generator, acc: pd.DataFrame, months: pd.DatetimeIndex
              ) -> pd.DataFrame:
    """One row per account and month with an invoice: its date and total revenue."""
    n, m = len(acc), len(months)
    t = np.arange(m)[None, :]
    alive = (t >= acc["_first"].to_numpy()[:, None]) & (t <= acc["_last"].to_numpy()[:, None])
    pattern = acc["_pattern"].to_numpy()[:, None]
    buys = alive & np.where(pattern == "project", rng.random((n, m)) < 0.25, True)
    # every account buys at least once: in its first month if won during the period, else
    # in a random month (all in the first month would put a bump at the start of the data)
    first, last = acc["_first"].to_numpy(), acc["_last"].to_numpy()
    once = np.where(first > 0, first, first + (rng.random(n) * (last - first + 1)).astype(int))
    buys[np.arange(n), once] = True
    noise = np.where(pattern == "steady", rng.lognormal(0, 0.12, (n, m)),
                     np.where(pattern == "fluctuating", rng.lognormal(0, 0.55, (n, m)),
                              rng.lognormal(0, 0.8, (n, m)) * 4))  # projects buy in bulk
    trend = (1 + acc["_growth"].to_numpy()[:, None]) ** (t / 12)
    season = _SEASON[months.month.to_numpy() - 1][None, :]
    amount = acc["_base"].to_numpy()[:, None] / 12 * trend * season * noise
    rows, cols = np.nonzero(buys)
    days = rng.integers(0, 28, len(rows))
    return pd.DataFrame({"acc": rows, "date": months[cols] + pd.to_timedelta(days, unit="D"),
                         "amount": amount[rows, cols]})


def _lines(rng: np.random.Generator, acc: pd.DataFrame, inv: pd.DataFrame) -> pd.DataFrame:
    """Split each invoice over the account's products; add credit notes."""
    names = list(PRODUCTS)
    # larger accounts buy more product lines (1 to 4 on one invoice)
    width = np.clip(np.round(np.log10(acc["_base"].to_numpy() / 2_000)), 1, 4).astype(int)
    mix = [rng.choice(len(names), w, replace=False) for w in width]
    per_invoice = width[inv["acc"].to_numpy()]
    line_inv = np.repeat(np.arange(len(inv)), per_invoice)
    position = np.arange(len(line_inv)) - np.repeat(np.cumsum(per_invoice) - per_invoice,
                                                    per_invoice)
    acc_of_line = inv["acc"].to_numpy()[line_inv]
    product = np.array([mix[a][p] for a, p in zip(acc_of_line, position)])
    weight = rng.gamma(2.0, 1.0, len(line_inv))
    weight /= np.bincount(line_inv, weight)[line_inv]
    revenue = np.round(inv["amount"].to_numpy()[line_inv] * weight, 2)
    cost_share = np.array([PRODUCTS[names[p]][0] for p in product]) * rng.normal(1, 0.05,
                                                                                len(product))
    # a discount lowers the price, not the cost: the cost is a larger share of net revenue
    cost_share = cost_share / (1 - acc["_discount"].to_numpy()[acc_of_line])
    price = np.array([PRODUCTS[names[p]][1] for p in product])
    dates = inv["date"].to_numpy()[line_inv]
    lines = pd.DataFrame({
        "account_id": acc["account_id"].to_numpy()[acc_of_line],
        "date": dates,
        "revenue": revenue,
        "product": np.array(names)[product],
        "cost": np.round(revenue * cost_share, 2),
        "invoice_id": [f"INV{i + 1:07d}" for i in line_inv],
        "line_no": position + 1,
        "quantity": np.maximum(1, np.round(revenue / price)).astype(int),
    })
    # credit notes: about 1.5% of lines are partly refunded 3-20 days later
    refunded = np.flatnonzero(rng.random(len(lines)) < 0.015)
    credit = lines.iloc[refunded].copy()
    part = rng.uniform(0.1, 0.6, len(credit))
    credit["revenue"] = -np.round(credit["revenue"].to_numpy() * part, 2)
    credit["cost"] = -np.round(credit["cost"].to_numpy() * part, 2)
    credit["quantity"] = 0
    credit["date"] = credit["date"] + pd.to_timedelta(rng.integers(3, 21, len(credit)), "D")
    credit["invoice_id"] = [f"CN{i + 1:06d}" for i in range(len(credit))]
    credit["line_no"] = 1
    out = pd.concat([lines, credit], ignore_index=True)
    return out.sort_values(["date", "invoice_id", "product"], kind="mergesort",
                           ignore_index=True)


def _service(rng: np.random.Generator, acc: pd.DataFrame) -> pd.DataFrame:
    """Add each account's discount and its appetite for service (generation state).

    Kaplan's whale curve comes from two kinds of account: small ones that ask for a lot
    (support tickets, rush orders, custom reports) and large ones that negotiated deep
    discounts *and* expect dedicated service.
    """
    n = len(acc)
    base = acc["_base"].to_numpy()
    size = np.log10(base / 20_000)
    discount = np.clip(DISCOUNT["per_size"] * size + rng.normal(0, 0.03, n), 0, None)
    deep = _deep_discounts(rng, base, size > DISCOUNT["deep_from_size"])
    discount = np.where(deep, rng.uniform(*DISCOUNT["deep"], n), discount)
    # how much more service than its size needs: 1 is "as its size says"
    appetite = np.where(deep, rng.uniform(*DISCOUNT["deep_service"], n),
                        rng.lognormal(0, 0.35, n))
    demanding = (size < 0.3) & (rng.random(n) < DEMANDING_SHARE)
    return acc.assign(_discount=discount, _appetite=appetite, _demanding=demanding)


def _deep_discounts(rng: np.random.Generator, base: np.ndarray, eligible: np.ndarray
                    ) -> np.ndarray:
    """Eligible accounts, in random order, that hold about ``DISCOUNT["deep_revenue"]`` of
    all revenue: a quota of revenue, not of accounts, so that whether the one largest
    account is among them does not decide whether the company makes a profit at all."""
    budget = DISCOUNT["deep_revenue"] * base.sum()
    deep = np.zeros(len(base), dtype=bool)
    taken = 0.0
    for i in rng.permutation(np.flatnonzero(eligible)):
        if taken + base[i] <= budget:
            deep[i], taken = True, taken + base[i]
    return deep


def _activities(rng: np.random.Generator, acc: pd.DataFrame, months: pd.DatetimeIndex,
                end: pd.Timestamp) -> pd.DataFrame:
    """Monthly activity counts per account while it is a customer (see :data:`SERVICE`)."""
    scale = acc["_base"].to_numpy() / 20_000 * acc["_appetite"].to_numpy()
    demanding = acc["_demanding"].to_numpy() * rng.uniform(0.5, 1.5, len(acc))
    first, last = acc["_first"].to_numpy(), acc["_last"].to_numpy()
    t = np.arange(len(months))[None, :]
    alive = (t >= first[:, None]) & (t <= last[:, None])
    frames = []
    for activity, (floor, per_size, extra) in SERVICE.items():
        lam = floor + per_size * scale + extra * demanding
        counts = np.where(alive, rng.poisson(lam[:, None], (len(acc), len(months))), 0)
        rows, cols = np.nonzero(counts)
        day = pd.to_timedelta(rng.integers(0, 28, len(rows)), unit="D")
        frames.append(pd.DataFrame({"account_id": acc["account_id"].to_numpy()[rows],
                                    "date": np.minimum((months[cols] + day).values,
                                                       end.to_datetime64()),
                                    "activity": activity, "quantity": counts[rows, cols]}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["date", "account_id", "activity"], kind="mergesort",
                           ignore_index=True)


def _contacts(rng: np.random.Generator, acc: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    size = np.log10(acc["_base"].to_numpy() / 20_000)
    count = np.clip(np.round(2 + 1.5 * size + rng.normal(0, 0.7, len(acc))), 1, 8).astype(int)
    rows = []
    for i, k in enumerate(count):
        lost = acc["_last"].iat[i] < acc["_last"].max()
        for j, (role, circle) in enumerate(_ROLES[:k]):
            days = rng.integers(200, 700) if lost else rng.integers(0, 180 + 60 * circle)
            rows.append((acc["account_id"].iat[i],
                         f"{_FIRST[rng.integers(len(_FIRST))]} {_LAST[rng.integers(len(_LAST))]}",
                         role, circle, end - pd.Timedelta(days=int(days))))
    return pd.DataFrame(rows, columns=["account_id", "contact_name", "role", "circle",
                                       "last_contact"])


def _opportunities(rng: np.random.Generator, acc: pd.DataFrame, end: pd.Timestamp
                   ) -> pd.DataFrame:
    n_opps = rng.poisson(0.4 + 0.6 * (acc["_base"].to_numpy() > 50_000))
    stages = ["prospect", "proposal", "negotiation", "won", "lost"]
    rows = []
    for i, k in enumerate(n_opps):
        for _ in range(k):
            stage = stages[rng.choice(5, p=[0.25, 0.2, 0.15, 0.25, 0.15])]
            shift = rng.integers(-300, -10) if stage in ("won", "lost") else rng.integers(10, 200)
            rows.append((acc["account_id"].iat[i], stage, list(PRODUCTS)[rng.integers(7)],
                         float(np.round(acc["_base"].iat[i] * rng.uniform(0.05, 0.5), -2)),
                         end + pd.Timedelta(days=int(shift))))
    out = pd.DataFrame(rows, columns=["account_id", "stage", "product", "value", "close_date"])
    out.insert(1, "opportunity_id", [f"OPP{i + 1:05d}" for i in range(len(out))])
    return out


def generate_sample(n_accounts: int = 1500, years: int = 3, seed: int = 42,
                    end: str = "2025-12-31") -> dict[str, pd.DataFrame]:
    """Every canonical table of a generated ICT provider, ending on ``end``.

    Parameters
    ----------
    n_accounts : int
        Number of accounts (at least 10).
    years : int
        Years of monthly history up to ``end`` (at least 1).
    seed : int
        Seed of the one random generator: the same arguments give the same tables.
    end : str
        Last day of the history (ISO date); nothing is dated after it except the expected
        close dates of open opportunities.

    Returns
    -------
    dict of DataFrame
        ``accounts``, ``transactions``, ``activities``, ``activity_rates``, ``contacts``,
        ``opportunities``, ``events``, with the contract's column names.
    """
    if n_accounts < 10 or years < 1:
        raise ValueError(f"generate_sample: need at least 10 accounts and 1 year, got "
                         f"{n_accounts} accounts and {years} year(s)")
    if seed < 0:
        raise ValueError(f"generate_sample: the seed must be 0 or more, got {seed}")
    rng = np.random.default_rng(seed)
    last_day = pd.Timestamp(end)
    months = pd.date_range(end=last_day.to_period("M").start_time, periods=12 * years,
                           freq="MS")
    acc = _accounts(rng, n_accounts, months)
    # discounts and activities draw from a stream of their own: tuning the cost to serve
    # leaves revenue (the concentration calibration) as it is
    serve = np.random.default_rng([seed, 13])
    acc = _service(serve, acc)
    lines = _lines(rng, acc, _invoices(rng, acc, months))
    lines = lines[lines["date"] <= last_day].reset_index(drop=True)  # late credit notes
    tables = {
        "accounts": acc.drop(columns=[c for c in acc if c.startswith("_")]),
        "transactions": lines,
        "activities": _activities(serve, acc, months, last_day),
        "activity_rates": pd.DataFrame({"activity": list(ACTIVITY_RATES),
                                        "unit_cost": list(ACTIVITY_RATES.values())}),
        "contacts": _contacts(rng, acc, last_day),
        "opportunities": _opportunities(rng, acc, last_day),
    }
    tables["events"] = _events(seed, acc, months, last_day)
    tables["accounts"] = dealer_columns(seed, tables["accounts"])
    return tables


def _events(seed: int, acc: pd.DataFrame, months: pd.DatetimeIndex, end: pd.Timestamp
            ) -> pd.DataFrame:
    """The relationship events (:mod:`kamlib.data.sample_events`), from a stream of their
    own: the other tables stay as they were without them."""
    from kamlib.data.sample_events import sample_events

    return sample_events(np.random.default_rng([seed, 22]), acc, months, end)


def check_out(out: str | Path, names: list[str], force: bool = False) -> None:
    """Refuse ``out`` if it is a file, or holds files named ``names`` that ``kam sample``
    did not write (a user's own ``accounts.csv``), unless ``force``.

    Raises :class:`~kamlib._written.OverwriteError`.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OverwriteError(f"--out {folder}: is a file, not a folder; give a folder for the "
                             "sample files")
    if not force and folder.is_dir():
        refuse(folder, foreign(folder, names, read_record(folder / MARKER)), "kam sample")


def write_sample(tables: dict[str, pd.DataFrame], out: str | Path, *,
                 force: bool = False) -> list[Path]:
    """Write each table as ``<name>.csv`` (UTF-8, ISO dates, two decimals) into ``out``.

    Files there that ``kam sample`` did not write are not overwritten unless ``force``; what
    it wrote is recorded in ``.kamkit-sample.json`` so that the next run may replace them.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample(generate_sample(20, 1), tempfile.mkdtemp())
    >>> [p.name for p in paths][:2]
    ['accounts.csv', 'transactions.csv']
    """
    folder = Path(out)
    check_out(folder, [f"{name}.csv" for name in tables], force)
    folder.mkdir(parents=True, exist_ok=True)
    paths, record = [], read_record(folder / MARKER)
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        # written beside and renamed: a link under the name is replaced, not written through
        part = folder / f".{name}.csv.part"
        frame.to_csv(part, index=False, date_format="%Y-%m-%d", float_format="%.2f",
                     lineterminator="\n", encoding="utf-8")
        record[path.name] = sha256(part)
        os.replace(part, path)
        paths.append(path)
    (folder / f"{MARKER}.part").write_text(json.dumps({"files": record}, indent=1),
                                           encoding="utf-8")
    os.replace(folder / f"{MARKER}.part", folder / MARKER)
    return paths
