"""The course as a trainee meets it, on the bundled sample: every exercise of every notebook.

Each notebook's setup (every code cell but the answer, check and progress cells, so no
exercise is answered) runs once into a namespace. Then, each in a fresh copy of it, as a
trainee's answer cell would: the exercise's solution alone; at least two other right
answers (accepted); at least four typical mistakes, each rejected with its own hint naming
what is wrong. Every hint any of them gets is scanned for Python words and scientific
notation. The checks are called exactly as the notebook's check cell calls them.
"""

from __future__ import annotations

import re

import matplotlib
import nbformat
import pytest

from kamlib.exercises import exercises, registry
from kamlib.report.build import NOTEBOOKS

matplotlib.use("Agg")

NOTEBOOK = {"02": "02_pandas_primer", "10": "10_concentration", "11": "11_abc_xyz",
            "12": "12_profiles", "13": "13_profitability", "14": "14_account_planning",
            "15": "15_relationships", "16": "16_retention"}

# words a trainee does not use: Python type names, error names, scientific notation
PYTHON_WORDS = re.compile(
    r"\b(int64|int32|float64|float32|str|int|float|bool|NoneType|dict|tuple|Series|ndarray|"
    r"Categorical|category|object|dtype|TypeError|ValueError|KeyError|AttributeError|"
    r"Traceback)\b|\d\.?\d*e[+-]\d+")


def plain(message: str) -> None:
    """A hint in the trainee's words: no Python words, no scientific notation, no "x but x"."""
    assert not PYTHON_WORDS.search(message), message
    for a, b in re.findall(r"is ([-\d.,]+) in your \w+ but ([-\d.,]+)", message):
        assert a.strip(".,") != b.strip(".,"), message


def _cells(module: str) -> list:
    return nbformat.read(NOTEBOOKS / f"{NOTEBOOK[module]}.ipynb", as_version=4).cells


def _is_setup(cell) -> bool:
    tags = cell.metadata.get("tags", [])
    return (cell.cell_type == "code" and "answer" not in tags
            and not cell.source.startswith(("check(", "progress(")))


@pytest.fixture(scope="module")
def setups(tmp_path_factory) -> dict:
    """module -> (namespace after its setup cells, {exercise id: (imports, check call)})."""
    import matplotlib.pyplot as plt

    out = {}
    for module in NOTEBOOK:
        cells = _cells(module)
        ns: dict = {"display": lambda *a, **k: None, "__name__": "__main__"}
        for cell in filter(_is_setup, cells):
            exec(compile(cell.source, NOTEBOOK[module], "exec"), ns)
            plt.close("all")
        calls = {}
        for i, cell in enumerate(cells):
            if "answer" in cell.metadata.get("tags", []):
                ex_id = cell.metadata["kamkit"]["exercise"]
                imports = "\n".join(line for line in cell.source.splitlines()
                                    if line.startswith(("import ", "from ")))
                call = next(c.source for c in cells[i + 1:] if c.source.startswith("check("))
                calls[ex_id] = (imports, call)
        out[module] = (ns, calls)
    return out


def answer_with(setups, ex_id: str, code: str, ladder: bool = False):
    """The feedback of the check cell of ``ex_id`` after an answer cell holding ``code``,
    in a fresh copy of the notebook's setup: the first try unless ``ladder``."""
    ns, calls = setups[ex_id[:2]]
    imports, call = calls[ex_id]
    ns = dict(ns)
    exec(imports + "\n" + code, ns)
    if not ladder:
        registry._WRONG_TRIES.clear()
    feedback = eval(call, ns)
    plain(feedback.message)
    return feedback


def test_every_exercise_has_an_answer_cell_and_a_check_cell(setups):
    ids = sorted(i for _, calls in setups.values() for i in calls)
    assert ids == sorted(ex.id for ex in exercises())


@pytest.mark.parametrize("ex", exercises(), ids=lambda ex: ex.id)
def test_each_solution_alone_after_the_setup_cells(setups, ex):
    """No earlier exercise answered: the solution needs only the setup cells."""
    assert not ex.solution.startswith("\\"), "a stray line continuation"
    feedback = answer_with(setups, ex.id, ex.solution)
    assert feedback.ok, (ex.id, feedback.message)


# -- right answers: any form, any order, any rounding the task does not forbid ------------------

_HIST = ('a = p_history[p_history["as_of"] == start].set_index("account_id")["stage"]\n'
         'b = p_history[p_history["as_of"] == end].set_index("account_id")["stage"]\n'
         'ids = a.index.union(b.index)\n')
_BT = 'total = p_backtest[["flagged_lost", "flagged", "lost", "accounts"]].sum()\n'
_LOST = 'lost_on = p_spells["last_purchase"] + pd.Timedelta(days=p_days + 1)\n'
_COUNT = ('my_losses = (lost_on.dt.to_period("Q").value_counts().rename_axis("quarter")'
          '.reset_index(name="lost"))')
_TIER = ('def tier(revenue, thresholds):\n'
         '    return sum(revenue >= edge for edge in thresholds.values())\n'
         'now = p_yearly["revenue"].map(lambda r: tier(r, p_tiers))\n'
         'new = p_yearly["revenue"].map(lambda r: tier(r, p_new_tiers))\n')
_DEALER = ('c = p_criteria.set_index("criterion")\n'
           'w = c["weight"]\n'
           'most = c["edges"].map(len) + 1\n'
           'points = pd.Series({k: 1 + sum(p_dealer[k] >= e for e in c.loc[k, "edges"]) '
           'for k in c.index})\n')

RIGHT = {
    "02.1": ['my_banks = accounts.query("industry == \'Banking\'")',
             'my_banks = accounts[accounts["industry"].isin(["Banking"])].sort_values('
             '"account_name").reset_index(drop=True)'],
    "02.2": ['my_totals = sales.groupby("account_id", as_index=False)["revenue"].sum()',
             'my_totals = sales.pivot_table(index="account_id", values="revenue", '
             'aggfunc="sum").reset_index()[["revenue", "account_id"]]'],
    "02.3": ['t = sales.groupby("account_id", as_index=False)["revenue"].sum()\n'
             'my_named = accounts.merge(t, on="account_id", how="right")',
             't = sales.groupby("account_id")["revenue"].sum()\n'
             'my_named = accounts.set_index("account_id").join(t, how="inner").reset_index()'],
    "02.4": ['t = sales.groupby("account_id", as_index=False)["revenue"].sum()\n'
             'my_top5 = t.nlargest(5, "revenue").merge(accounts, on="account_id")',
             't = sales.groupby("account_id")["revenue"].sum().sort_values(ascending=False)\n'
             'my_top5 = t.head(5).reset_index().merge(accounts, on="account_id")'
             '.set_index("account_name", drop=False)'],
    "10.1": ['my_table = practice.sort_values("revenue", ascending=False).reset_index(drop=True)\n'
             'my_table["share"] = (my_table["revenue"] / my_table["revenue"].sum()).round(3)\n'
             'my_table["cum_share"] = (my_table["revenue"].cumsum() '
             '/ my_table["revenue"].sum()).round(3)',
             'my_table = practice.nlargest(len(practice), "revenue")[["revenue", "account_id"]]\n'
             'my_table = my_table.assign(share=my_table.revenue / my_table.revenue.sum())\n'
             'my_table = my_table.assign(cum_share=my_table.share.cumsum())'],
    "10.2": ['r = practice["revenue"].sort_values(ascending=False)\n'
             'my_count = int(np.searchsorted((r.cumsum() / r.sum()).to_numpy(), 0.8) + 1)',
             'r = np.sort(practice["revenue"].to_numpy())[::-1]\n'
             'my_count = np.argmax(np.cumsum(r) / r.sum() >= 0.8) + 1'],
    "10.3": ['r = np.sort(practice["revenue"].to_numpy())[::-1]\n'
             'my_share = round((np.argmax(np.cumsum(r) / r.sum() >= 0.8) + 1) / len(r), 4)',
             'r = practice["revenue"].sort_values(ascending=False)\n'
             'k = (r.cumsum() / r.sum() < 0.8).sum() + 1\n'
             'my_share = np.round(k / practice["account_id"].nunique(), 3)'],
    "10.4": ['x = practice["revenue"].sort_values().to_numpy()\n'
             'n = len(x)\n'
             'lorenz = np.cumsum(x) / x.sum()\n'
             'my_gini = round(1 - 2 * (lorenz.sum() - 0.5) / n, 3)',
             'x = np.sort(practice["revenue"].to_numpy())\n'
             'my_gini = float(np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 '
             '* x.mean()))'],
    "10.5": ['my_hhi = round(float(((practice["revenue"] / practice["revenue"].sum()) ** 2)'
             '.sum()), 5)',
             'x = practice["revenue"].to_numpy()\n'
             'my_hhi = round(float(((100 * x / x.sum()) ** 2).sum()))  # the 0-10,000 scale'],
    "11.1": ['r = practice.sort_values("revenue", ascending=False).reset_index(drop=True)\n'
             'cum = r["revenue"].cumsum() / r["revenue"].sum()\n'
             'k_a = int((cum < 0.8).sum()) + 1\n'
             'k_b = int((cum < 0.95).sum()) + 1\n'
             'r["abc"] = ["A"] * k_a + ["B"] * (k_b - k_a) + ["C"] * (len(r) - k_b)\n'
             'my_abc = r.set_index("account_id")["abc"]',
             'r = practice.sort_values("revenue", ascending=False)\n'
             'before = r["revenue"].cumsum().shift(fill_value=0) / r["revenue"].sum()\n'
             'r["abc"] = pd.cut(before, [-1, 0.8, 0.95, 2], right=False, labels=["A", "B", "C"])\n'
             'my_abc = r[["abc", "account_id"]]'],
    "11.2": ['g = monthly.groupby("account_id")["revenue"]\n'
             'my_xyz = g.agg(lambda s: s.std(ddof=0) / s.mean()).rename("cv").reset_index()',
             'm = monthly.groupby("account_id")["revenue"].transform("mean")\n'
             'var = ((monthly["revenue"] - m) ** 2).groupby(monthly["account_id"]).mean()\n'
             'cv = np.sqrt(var) / monthly.groupby("account_id")["revenue"].mean()\n'
             'my_xyz = cv.round(4).rename("cv").reset_index()'],
    "11.3": ['g = monthly.groupby("account_id")["revenue"]\n'
             'my_xyz = (g.std(ddof=0) / g.mean()).rename("cv").reset_index()\n'
             'n = my_xyz["account_id"].map(g.size())\n'
             'my_xyz["xyz"] = np.where(n < 3, "Z", np.where(my_xyz["cv"] <= 0.5, "X", '
             'np.where(my_xyz["cv"] <= 1.0, "Y", "Z")))',
             'g = monthly.groupby("account_id")["revenue"]\n'
             'my_xyz = pd.DataFrame({"cv": g.std(ddof=0) / g.mean(), "n": g.size()})\n'
             'my_xyz["xyz"] = pd.cut(my_xyz["cv"], [-1, 0.5, 1.0, np.inf], '
             'labels=["X", "Y", "Z"])\n'
             'my_xyz.loc[my_xyz["n"] < 3, "xyz"] = "Z"\n'
             'my_xyz = my_xyz.reset_index()'],
    "11.4": ['both = p_abc.merge(p_xyz, on="account_id")\n'
             'my_matrix = both.groupby(["abc", "xyz"]).size().unstack(fill_value=0)'
             '.reindex(index=list("ABC"), columns=list("XYZ"), fill_value=0)',
             'both = p_xyz.merge(p_abc, on="account_id")\n'
             'my_matrix = pd.crosstab(both["abc"], both["xyz"]).reindex(index=list("CBA"), '
             'columns=list("ZYX"), fill_value=0)'],
    "12.1": ['last = practice.groupby("account_id", as_index=False)["last_date"].max()\n'
             'last["recency_days"] = (as_of - last["last_date"]).dt.days\n'
             'my_recency = last',
             'my_recency = practice.groupby("account_id")["last_date"].max().rsub(as_of)'
             '.dt.days.astype(float).rename("recency_days").reset_index()'],
    "12.2": ['my_frequency = practice.groupby("account_id", as_index=False).agg('
             'frequency=("invoices", "sum"))',
             'my_frequency = practice.pivot_table(index="account_id", values="invoices", '
             'aggfunc="sum").rename(columns={"invoices": "frequency"}).reset_index()'],
    "12.3": ['p = p_profiles\n'
             'n = len(p)\n'
             'def score(v):\n'
             '    return (np.floor((v.rank() - 0.5) * 5 / n) + 1).astype(int)\n'
             'my_scores = p[["account_id"]].assign(r=score(-p["recency_days"]), '
             'f=score(p["frequency"]), m=score(p["monetary"]))',
             'p = p_profiles.sample(frac=1, random_state=1)\n'
             'my_scores = p[["account_id"]].copy()\n'
             'for col, name, up in [("recency_days", "r", False), ("frequency", "f", True),\n'
             '                      ("monetary", "m", True)]:\n'
             '    rank = p[col].rank(method="average", ascending=up)\n'
             '    my_scores[name] = np.floor((rank - 0.5) * 5 / len(p)) + 1.0'],
    "13.1": ['c = p_acts.merge(rates, on="activity", how="left")\n'
             'my_cts = (c["quantity"] * c["unit_cost"]).groupby(c["account_id"]).sum()'
             '.rename("cost_to_serve").reset_index()',
             'unit = rates.set_index("activity")["unit_cost"]\n'
             'cost = p_acts["quantity"] * p_acts["activity"].map(unit)\n'
             'my_cts = cost.groupby(p_acts["account_id"]).sum().round(2).rename('
             '"cost_to_serve").reset_index()'],
    "13.2": ['c = p_acts.merge(rates, on="activity")\n'
             'cts = (c["quantity"] * c["unit_cost"]).groupby(c["account_id"]).sum()\n'
             'w = practice.set_index("account_id")\n'
             'w["profit"] = w["gross_margin"] - cts.reindex(w.index, fill_value=0)\n'
             'w = w.sort_values("profit", ascending=False)\n'
             'w["cum_share"] = (w["profit"].cumsum() / w["profit"].sum()).round(3)\n'
             'my_whale = w.reset_index()[["cum_share", "profit", "account_id"]]',
             'c = p_acts.merge(rates, on="activity")\n'
             'c["cost"] = c["quantity"] * c["unit_cost"]\n'
             'cts = c.groupby("account_id", as_index=False)["cost"].sum()\n'
             'w = practice.merge(cts, on="account_id", how="left").fillna({"cost": 0})\n'
             'w = w.assign(profit=w["gross_margin"] - w["cost"]).nlargest(len(w), "profit")\n'
             'my_whale = w.assign(cum_share=w["profit"].cumsum() / w["profit"].sum())'],
    "13.3": ['c = p_acts.merge(rates, on="activity")\n'
             'cts = (c["quantity"] * c["unit_cost"]).groupby(c["account_id"]).sum()\n'
             'profit = (practice.set_index("account_id")["gross_margin"] '
             '- cts.reindex(practice["account_id"], fill_value=0).to_numpy())\n'
             'p = np.sort(profit.to_numpy())[::-1]\n'
             'my_peak = round(float((np.cumsum(p) / p.sum()).max()), 2)',
             'c = p_acts.merge(rates, on="activity")\n'
             'cts = (c["quantity"] * c["unit_cost"]).groupby(c["account_id"]).sum()\n'
             'profit = practice.set_index("account_id")["gross_margin"].sub(cts, fill_value=0)\n'
             'profit = profit[profit.index.isin(practice["account_id"])]\n'
             'my_peak = np.round((profit.sort_values(ascending=False).cumsum() '
             '/ profit.sum()).max(), 3)'],
    "13.4": ['my_clv = round(sum(p_profit * p_retention ** (t - 1) / (1 + p_rate) ** t\n'
             '                   for t in range(1, p_years + 1)))',
             'value = 0.0\n'
             'for t in range(1, p_years + 1):\n'
             '    value += p_profit * p_retention ** (t - 1) / (1 + p_rate) ** t\n'
             'my_clv = int(round(value))'],
    "13.5": ['value = -p_acquisition\n'
             'a = p_lifetime\n'
             'for t in range(1, a["years"] + 1):\n'
             '    extra = (a["cost_savings"] + a["referrals"] + a["price_premium"]) * (t - 1)\n'
             '    profit = p_profit * ((1 + a["growth"]) ** (t - 1) + extra)\n'
             '    value += profit * p_retention ** (t - 1) / (1 + a["discount_rate"]) ** t\n'
             'my_lv = int(round(value))',
             'from kamlib.clv import clv_formula\n'
             'my_lv = float(clv_formula(p_profit, acquisition_cost=p_acquisition, '
             'retention=p_retention, **p_lifetime)["cumulative_pv"].iloc[-1])'],
    "13.6": ['p, q, v = (p_params[k] for k in "pqv")\n'
             's = p_spend.set_index("account_id")\n'
             'x = np.where(s["monetary_value"] > 0, s["frequency"], 0)\n'
             'w = p * x / (p * x + q - 1)\n'
             'my_spend = ((1 - w) * p * v / (q - 1) + w * s["monetary_value"].clip(lower=0))'
             '.round(2).rename("expected_spend").reset_index()',
             'def spend(row):\n'
             '    x = row["frequency"] if row["monetary_value"] > 0 else 0\n'
             '    m = max(row["monetary_value"], 0)\n'
             '    return p_params["p"] * (p_params["v"] + x * m) / (p_params["p"] * x '
             '+ p_params["q"] - 1)\n'
             'my_spend = p_spend.assign(expected_spend=p_spend.apply(spend, axis=1))'
             '.sort_values("expected_spend")'],
    "14.1": ['recent = wallet_months[wallet_months["period"] > as_of - pd.DateOffset(months=12)]\n'
             'rev = recent.groupby("account_id")["revenue"].sum()\n'
             'w = wallets.set_index("account_id")\n'
             'my_wallet = (rev.reindex(w.index, fill_value=0) / w["wallet_estimate"])'
             '.rename("share_of_wallet").reset_index()',
             'start = (as_of.to_period("M") - 11).to_timestamp()\n'
             'rev = (wallet_months[wallet_months["period"] >= start]'
             '.groupby("account_id", as_index=False)["revenue"].sum())\n'
             'my_wallet = wallets.merge(rev, on="account_id", how="left").fillna({"revenue": 0})\n'
             'my_wallet["share_of_wallet"] = (my_wallet["revenue"] '
             '/ my_wallet["wallet_estimate"]).round(4)'],
    "14.2": ['days = (as_of - p_contacts["last_contact"]).dt.days\n'
             'ok = p_contacts[days <= 90]\n'
             'gaps = {a: 3 - ok.loc[ok["account_id"] == a, "circle"].nunique() '
             'for a in p_accounts}\n'
             'my_gaps = pd.DataFrame({"account_id": list(gaps), "gaps": list(gaps.values())})',
             'days = (as_of - p_contacts["last_contact"]).dt.days\n'
             'fresh = p_contacts.assign(fresh=days <= 90)\n'
             'grid = fresh.pivot_table(index="account_id", columns="circle", values="fresh", '
             'aggfunc="max").reindex(index=p_accounts, columns=[1, 2, 3])\n'
             'my_gaps = (3 - grid.fillna(0).astype(bool).sum(axis=1)).astype(float)'
             '.rename("gaps").rename_axis("account_id").reset_index()'],
    "14.3": ['r = p_matrix.sort_values("revenue", ascending=False).reset_index(drop=True)\n'
             'before = r["revenue"].cumsum().shift(fill_value=0) / r["revenue"].sum()\n'
             'hv, hn = before < 0.8, r["need"] >= 5\n'
             'r["quadrant"] = "serve"\n'
             'r.loc[hv & hn, "quadrant"] = "key account"\n'
             'r.loc[hv & ~hn, "quadrant"] = "maintain"\n'
             'r.loc[~hv & hn, "quadrant"] = "develop"\n'
             'my_quadrants = r[["account_id", "quadrant"]]',
             'r = p_matrix.sort_values("revenue", ascending=False)\n'
             'k = int(np.argmax((r["revenue"].cumsum() / r["revenue"].sum()).to_numpy() '
             '>= 0.8)) + 1\n'
             'hv = r["account_id"].isin(r["account_id"].head(k))\n'
             'names = {(True, True): "Key Account", (True, False): "maintain", '
             '(False, True): "develop", (False, False): "serve"}\n'
             'q = [names[(v, n >= 5)] for v, n in zip(hv, r["need"])]\n'
             'my_quadrants = pd.DataFrame({"quadrant": q, "account_id": r["account_id"]})'],
    "14.4": ['seen = p_visits["last_contact"].notna()\n'
             'first = (p_visits.loc[seen, "last_contact"] + pd.Timedelta(days=1))'
             '.to_numpy().astype("datetime64[D]")\n'
             'end = np.datetime64((as_of + pd.Timedelta(days=1)).date())\n'
             'days = pd.Series(np.nan, index=p_visits.index)\n'
             'days[seen] = np.busday_count(first, end, holidays=p_holidays)\n'
             'due = ~seen | (days >= p_visits["quadrant"].map(p_cadence))\n'
             'my_due = pd.DataFrame({"account_id": p_visits["account_id"], "due": due.astype(int)})',
             'rows = []\n'
             'for a, q, last in p_visits[["account_id", "quadrant", "last_contact"]]'
             '.itertuples(index=False):\n'
             '    if pd.isna(last):\n'
             '        rows.append((a, True))\n'
             '        continue\n'
             '    n = sum(1 for d in pd.date_range(last + pd.Timedelta(days=1), as_of)\n'
             '            if d.weekday() < 5 and d.date() not in p_holidays)\n'
             '    rows.append((a, n >= p_cadence[q]))\n'
             'my_due = pd.DataFrame(rows, columns=["account_id", "due"]).sample(frac=1, '
             'random_state=0)'],
    "14.5": ['pos = p_products[p_products["revenue"] > 0]\n'
             'wide = pos.pivot_table(index="account_id", columns="product", values="revenue", '
             'aggfunc="sum")\n'
             'others = wide.drop(index=p_account)\n'
             'keep = (others.notna().sum() >= 2) & wide.loc[p_account].isna()\n'
             'value = others.median()[keep] / p_years\n'
             'my_proposals = pd.DataFrame({"peer_yearly_value": value.round(2), '
             '"expected_yearly_value": (value * pd.Series(p_chance)[value.index]).round(2)})\n'
             'my_proposals = my_proposals.sort_values("expected_yearly_value", '
             'ascending=False).reset_index()',
             'rows = []\n'
             'mine = p_products[(p_products["account_id"] == p_account) '
             '& (p_products["revenue"] > 0)]\n'
             'peers = p_products[(p_products["account_id"] != p_account) '
             '& (p_products["revenue"] > 0)]\n'
             'for product, g in peers.groupby("product"):\n'
             '    if g["account_id"].nunique() >= 2 and product not in set(mine["product"]):\n'
             '        v = g["revenue"].median() / p_years\n'
             '        rows.append({"expected_yearly_value": round(v * p_chance[product]),\n'
             '                     "product": product, "peer_yearly_value": round(v)})\n'
             'my_proposals = pd.DataFrame(rows).sort_values("expected_yearly_value", '
             'ascending=False).set_index("product")'],
    "15.1": ['n = p_months[p_months["revenue"] > 0].groupby("account_id").size()\n'
             'bought = p_status["account_id"].map(n).fillna(0)\n'
             'my_stages = p_status[["account_id"]].assign(stage=np.select(\n'
             '    [p_status["status"] == "lost", bought >= 3], ["lost", "client"], "customer"))',
             'counts = {a: int((g["revenue"] > 0).sum())\n'
             '          for a, g in p_months.groupby("account_id")}\n'
             'rows = [(a, "Lost" if s == "lost" else "Client" if counts.get(a, 0) >= 3 '
             'else "Customer")\n'
             '        for a, s in zip(p_status["account_id"], p_status["status"])]\n'
             'my_stages = pd.DataFrame(rows, columns=["account_id", "stage"])'
             '.sort_values("stage")'],
    "15.2": ['a = p_history[p_history["as_of"] == start][["account_id", "stage"]]\n'
             'b = p_history[p_history["as_of"] == end][["account_id", "stage"]]\n'
             'both = a.merge(b, on="account_id", how="outer", suffixes=("_a", "_b"))'
             '.fillna("not yet")\n'
             'my_moves = (pd.crosstab(both["stage_a"], both["stage_b"]).stack().rename("accounts")'
             '.rename_axis(["from_stage", "to_stage"]).reset_index())',
             'wide = (p_history[p_history["as_of"].isin([start, end])]'
             '.pivot(index="account_id", columns="as_of", values="stage").fillna("not yet"))\n'
             'my_moves = (wide.groupby([wide[start], wide[end]]).size().rename("accounts")'
             '.rename_axis(["from_stage", "to_stage"]).reset_index())'],
    "15.3": ['t = p_trend.set_index("account_id")\n'
             'ratio = t["revenue_l12m"] / t["revenue_p12m"].where(t["revenue_p12m"] > 0)\n'
             'my_trend = (100 * (1 - (1 - ratio).clip(0, 0.5) / 0.5)).rename("revenue_trend")'
             '.reset_index()',
             'def score(last, before):\n'
             '    if not before > 0:\n'
             '        return np.nan\n'
             '    drop = max(0.0, 1 - last / before)\n'
             '    return round(max(0.0, 100 - 200 * drop), 1)\n'
             'my_trend = pd.DataFrame({"account_id": p_trend["account_id"], "revenue_trend": '
             '[score(a, b) for a, b in zip(p_trend["revenue_l12m"], p_trend["revenue_p12m"])]})'],
    "15.4": ['s = p_measures.set_index("account_id")\n'
             'num = sum(s[k].fillna(0) * weights.get(k, 0) for k in s.columns)\n'
             'den = sum(s[k].notna() * weights.get(k, 0) for k in s.columns)\n'
             'my_score = (num / den).round(1).rename("score").reset_index()',
             'rows = []\n'
             'for _, r in p_measures.iterrows():\n'
             '    known = r.drop("account_id").astype(float).dropna()\n'
             '    rows.append({"account_id": r["account_id"], "score": np.average(known, '
             'weights=[weights[k] for k in known.index]) if len(known) else np.nan})\n'
             'my_score = pd.DataFrame(rows)'],
    "15.5": ['t = p_backtest.sum(numeric_only=True)\n'
             'my_lift = round(t["flagged_lost"] / t["flagged"] * t["accounts"] / t["lost"], 2)',
             'fl, f, l, a = (p_backtest[c].sum() for c in ["flagged_lost", "flagged", "lost", '
             '"accounts"])\n'
             'my_lift = float(np.round(fl * a / (f * l), 3))'],
    "16.1": [_LOST + _COUNT,
             'q = (p_spells["last_purchase"] + pd.to_timedelta(p_days + 1, unit="D"))'
             '.dt.to_period("Q").astype(str)\n'
             'my_losses = q.groupby(q).size().rename("lost").rename_axis("quarter").reset_index()'],
    "16.2": ['v = np.where(p_candidates["profit"].isna(), p_candidates["revenue"], '
             'p_candidates["profit"]) * p_chance\n'
             'my_ranked = (p_candidates.assign(value_regained=v).sort_values("value_regained", '
             'ascending=False)[["account_id", "value_regained"]])',
             'my_ranked = p_candidates.assign(value_regained=p_candidates["profit"]'
             '.combine_first(p_candidates["revenue"]) * p_chance)\n'
             'my_ranked = my_ranked.nlargest(len(my_ranked), "value_regained").round(2)'],
    "16.3": ['edges_now, edges_new = list(p_tiers.values()), list(p_new_tiers.values())\n'
             'now = np.searchsorted(edges_now, p_yearly["revenue"], side="right")\n'
             'new = np.searchsorted(edges_new, p_yearly["revenue"], side="right")\n'
             'my_movers = (int((new > now).sum()), int((new < now).sum()))',
             'now = pd.cut(p_yearly["revenue"], [*p_tiers.values(), np.inf], right=False, '
             'labels=False)\n'
             'new = pd.cut(p_yearly["revenue"], [*p_new_tiers.values(), np.inf], right=False, '
             'labels=False)\n'
             'my_movers = [int((new > now).sum()), int((new < now).sum())]'],
    "16.4": ['score = fewest = best = 0.0\n'
             'for r in p_criteria.itertuples():\n'
             '    points = 1 + sum(p_dealer[r.criterion] >= e for e in r.edges)\n'
             '    score += r.weight * points\n'
             '    fewest += r.weight\n'
             '    best += r.weight * (len(r.edges) + 1)\n'
             'my_ceiling = int(round(p_min + (score - fewest) / (best - fewest) '
             '* (p_max - p_min)))',
             'w = p_criteria["weight"].to_numpy(float)\n'
             'points = np.array([np.searchsorted(sorted(e), p_dealer[c], side="right") + 1\n'
             '                   for c, e in zip(p_criteria["criterion"], p_criteria["edges"])])\n'
             'most = p_criteria["edges"].map(len).to_numpy() + 1\n'
             'my_ceiling = float(np.interp(w @ points, [w.sum(), w @ most], [p_min, p_max]))'],
}


@pytest.mark.parametrize("ex_id, n", [(i, n) for i in RIGHT for n in range(len(RIGHT[i]))])
def test_other_right_answers_are_accepted(setups, ex_id, n):
    feedback = answer_with(setups, ex_id, RIGHT[ex_id][n])
    assert feedback.ok, (ex_id, n, feedback.message)


def test_two_right_answers_per_exercise():
    assert all(len(RIGHT.get(ex.id, [])) >= 2 for ex in exercises())


# -- typical mistakes: each rejected with its own hint, which names what is wrong ---------------

_PARETO = ('t = {src}.sort_values("revenue", ascending={asc})\n'
           't["share"] = t["revenue"] / t["revenue"].sum()\n'
           't["cum_share"] = t["share"].cumsum()\n'
           'my_table = t[["account_id", "revenue", "share", "cum_share"]]')
_RANKED = ('r = practice.sort_values("revenue", ascending=False)\n'
           'cum = r["revenue"].cumsum() / r["revenue"].sum()\n'
           'k = int((cum < 0.8).sum()) + 1\n')
_CV = 'g = {src}.groupby("account_id")["revenue"]\n'
_CTS = ('c = p_acts.merge(rates, on="activity")\n'
        'cts = (c["quantity"] * c["unit_cost"]).groupby(c["account_id"]).sum()\n')
_WHALE = (_CTS + 'w = practice.set_index("account_id")\n'
          'w["profit"] = w["gross_margin"] - cts.reindex(w.index, fill_value=0)\n')
_SCORES = ('p = p_profiles\n'
           'def q(v, labels=[1, 2, 3, 4, 5]):\n'
           '    score = np.floor((v.rank() - 0.5) * 5 / len(v)).astype(int)\n'
           '    return score.map(dict(enumerate(labels)))\n')
_WALLET = ('recent = wallet_months[wallet_months["period"] > as_of - pd.DateOffset(months=12)]\n'
           'rev = recent.groupby("account_id")["revenue"].sum()\n')
_GAPS = ('recent = p_contacts[(as_of - p_contacts["last_contact"]).dt.days <= 90]\n')
_QUAD = ('r = p_matrix.sort_values("revenue", ascending=False).reset_index(drop=True)\n'
         'before = r["revenue"].cumsum().shift(fill_value=0) / r["revenue"].sum()\n'
         'cum = r["revenue"].cumsum() / r["revenue"].sum()\n')
_DUE = ('def since_last(last):\n'
        '    if pd.isna(last):\n'
        '        return np.nan\n'
        '    return len(pd.bdate_range(last + pd.Timedelta(days=1), as_of, freq="C", '
        'holidays=p_holidays))\n'
        'since = p_visits["last_contact"].map(since_last)\n'
        'every = p_visits["quadrant"].map(p_cadence)\n')
_DUE_GE = 'my_due = p_visits[["account_id"]].assign(due=since.isna() | (since >= every))'
_PROP = next(ex.solution for ex in exercises() if ex.id == "14.5")
_LV = next(ex.solution for ex in exercises() if ex.id == "13.5")
_SP = next(ex.solution for ex in exercises() if ex.id == "13.6")
WORKED = "You used the worked example's data"

WRONG = {
    "02.1": [('my_banks = accounts["industry"] == "Banking"', "True/False column"),
             ('my_banks = accounts[accounts["industry"] != "Banking"]', "keep only 'Banking'"),
             ('my_banks = accounts[accounts["industry"] == "Banking"].head()',
              "filter accounts itself, not a part of it"),
             ('my_banks = accounts[accounts["industry"] == "Banking"]["account_id"]',
              "yours is a single column"),
             ('my_banks = accounts[accounts["industry"] == "Banking"].set_index("account_id")',
              "account_id is the index of your table")],
    "02.2": [('my_totals = sales.groupby("account_id")["revenue"].sum()',
              "account_id is the index"),
             ('my_totals = sales.groupby("account_id")["revenue"].count().reset_index()',
              "You counted the months"),
             ('my_totals = sales.groupby("account_id")["revenue"].mean().reset_index()',
              "average per month"),
             ('my_totals = sales', "one row per account and month"),
             ('my_totals = sales.groupby("account_id")["revenue"].sum().reset_index().head(50)',
              "group all of sales")],
    "02.3": [('t = sales.groupby("account_id")["revenue"].sum().reset_index()\n'
              'my_named = pd.concat([t, accounts.drop(columns="account_id")], axis=1).dropna()',
              "instead of merging on account_id"),
             ('t = sales.groupby("account_id")["revenue"].sum().reset_index()\n'
              'my_named = t.merge(accounts, left_index=True, right_index=True)',
              "account_id_x and account_id_y"),
             ('my_named = sales.merge(accounts, on="account_id")',
              "one row per account and month"),
             ('t = sales.groupby("account_id")["revenue"].mean().reset_index()\n'
              'my_named = t.merge(accounts, on="account_id")',
              "The revenue is not each account's total"),
             ('t = sales.groupby("account_id")["revenue"].sum().reset_index()\n'
              'my_named = accounts.merge(t, on="account_id", how="left")', "without sales")],
    "02.4": [('t = sales.groupby("account_id", as_index=False)["revenue"].sum()\n'
              'my_top5 = t.merge(accounts).sort_values("revenue").head(5)',
              "Those are the smallest accounts"),
             ('t = sales.groupby("account_id", as_index=False)["revenue"].sum()\n'
              'my_top5 = t.merge(accounts).head(5)', "first 5 rows as they come"),
             ('t = sales.groupby("account_id", as_index=False)["revenue"].sum()\n'
              'my_top5 = t.merge(accounts).sort_values("account_name").head(5)',
              "first 5 accounts by name"),
             ('t = sales.groupby("account_id", as_index=False)["revenue"].sum()\n'
              'my_top5 = t.merge(accounts).sort_values("revenue", ascending=False).head(10)',
              "Give 5 rows, not 10"),
             ('t = sales.groupby("account_id", as_index=False)["revenue"].sum()\n'
              'my_top5 = t.merge(accounts).nlargest(5, "revenue").iloc[::-1]',
              "not largest first")],
    "10.1": [(_PARETO.format(src="practice", asc=True), "You sorted ascending"),
             (_PARETO.format(src="totals", asc=False), WORKED),
             ('my_table = practice.sort_values("revenue", ascending=False)\n'
              'my_table["share"] = my_table["revenue"] / my_table["revenue"].sum() * 100\n'
              'my_table["cum_share"] = my_table["share"].cumsum()', "give them as fractions"),
             ('my_table = practice.copy()\n'
              'my_table["share"] = my_table["revenue"] / my_table["revenue"].sum()\n'
              'my_table["cum_share"] = my_table["share"].cumsum()\n'
              'my_table = my_table.sort_values("revenue", ascending=False)',
              "Sort first, then cumsum()"),
             ('my_table = practice.sort_values("invoices", ascending=False)\n'
              'my_table = my_table.rename(columns={"revenue": "x", "invoices": "revenue"})\n'
              'my_table["share"] = my_table["revenue"] / my_table["revenue"].sum()\n'
              'my_table["cum_share"] = my_table["share"].cumsum()',
              "you used the invoices instead of revenue"),
             ('my_table = practice.sort_values("revenue", ascending=False)\n'
              'my_table["share"] = my_table["revenue"] / my_table["revenue"].sum()\n'
              'my_table["cum_share"] = my_table["revenue"].cumsum()',
              "You cumulated the revenue, not the shares")],
    "10.2": [(_RANKED + "my_count = k - 1", "Off by one"),
             (_RANKED + "my_count = k + 1", "One too many"),
             (_RANKED + "my_count = k / len(practice)", "That is a share of accounts"),
             ('r = totals.sort_values("revenue", ascending=False)\n'
              'my_count = int((r["revenue"].cumsum() / r["revenue"].sum() < 0.8).sum()) + 1',
              WORKED),
             ('my_count = round(len(practice) * 0.2)', "80/20 rule of thumb"),
             ('r = practice.sort_values("revenue")\n'
              'my_count = int((r["revenue"].cumsum() / r["revenue"].sum() < 0.8).sum()) + 1',
              "You counted from the smallest accounts")],
    "10.3": [(_RANKED + "my_share = round((k - 1) / len(practice), 3)", "Off by one"),
             (_RANKED + "my_share = round(100 * k / len(practice), 1)", "You gave a percentage"),
             (_RANKED + "my_share = k", "That is the number of accounts"),
             (_RANKED + "my_share = round(1 - k / len(practice), 3)", "the trivial many"),
             (_RANKED + "my_share = round(k / len(practice), 1)", "Give three decimals"),
             ('r = totals.sort_values("revenue", ascending=False)\n'
              'k = int((r["revenue"].cumsum() / r["revenue"].sum() < 0.8).sum()) + 1\n'
              'my_share = round(k / len(totals), 3)', WORKED)],
    "10.4": [('x = np.sort(practice["revenue"].to_numpy())[::-1]\n'
              'n = len(x)\ni = np.arange(1, n + 1)\n'
              'my_gini = round(float(((2 * i - n - 1) * x).sum() / (n * x.sum())), 3)',
              "you sorted descending"),
             ('x = np.sort(practice["revenue"].to_numpy())\nn = len(x)\ni = np.arange(1, n + 1)\n'
              'my_gini = round(100 * float(((2 * i - n - 1) * x).sum() / (n * x.sum())), 1)',
              "You gave a percentage"),
             ('x = np.sort(practice["revenue"].to_numpy())\nn = len(x)\ni = np.arange(1, n + 1)\n'
              'g = float(((2 * i - n - 1) * x).sum() / (n * x.sum()))\n'
              'my_gini = round((1 - g) / 2, 3)', "area under the Lorenz curve"),
             ('x = np.sort(practice["revenue"].to_numpy())\nn = len(x)\ni = np.arange(1, n + 1)\n'
              'g = float(((2 * i - n - 1) * x).sum() / (n * x.sum()))\n'
              'my_gini = round(1 - g, 3)', "That is 1 - Gini"),
             ('x = np.sort(totals["revenue"].to_numpy())\nn = len(x)\ni = np.arange(1, n + 1)\n'
              'my_gini = round(float(((2 * i - n - 1) * x).sum() / (n * x.sum())), 3)', WORKED)],
    "10.5": [('my_hhi = float((practice["revenue"] / practice["revenue"].sum()).sum())',
              "without squaring them"),
             ('my_hhi = float((practice["revenue"] ** 2).sum())', "not the revenue amounts"),
             ('share = practice["revenue"] / practice["revenue"].sum()\n'
              'my_hhi = round(1 / float((share ** 2).sum()), 2)', "1 / HHI"),
             ('share = practice["revenue"] / practice["revenue"].sum()\n'
              'my_hhi = round(float((share ** 2).sum()), 2)', "Give four decimals"),
             ('share = practice["revenue"] / practice["revenue"].sum()\n'
              'my_hhi = round(float((share ** 2).sum()) ** 0.5, 4)', "square root"),
             ('share = totals["revenue"] / totals["revenue"].sum()\n'
              'my_hhi = round(float((share ** 2).sum()), 4)', WORKED)],
    "11.1": [('r = practice.sort_values("revenue")\n'
              'before = r["revenue"].cumsum().shift(fill_value=0) / r["revenue"].sum()\n'
              'r["abc"] = np.select([before < 0.8, before < 0.95], ["A", "B"], "C")\n'
              'my_abc = r[["account_id", "abc"]]', "A goes to the largest accounts"),
             ('r = practice.sort_values("revenue", ascending=False)\n'
              'cum = r["revenue"].cumsum() / r["revenue"].sum()\n'
              'r["abc"] = np.select([cum < 0.8, cum < 0.95], ["A", "B"], "C")\n'
              'my_abc = r[["account_id", "abc"]]', "The account that crosses 80% belongs to A"),
             ('r = practice.sort_values("revenue", ascending=False)\n'
              'share = np.arange(1, len(r) + 1) / len(r)\n'
              'r["abc"] = np.select([share <= 0.2, share <= 0.5], ["A", "B"], "C")\n'
              'my_abc = r[["account_id", "abc"]]', "You cut by the share of accounts"),
             ('r = totals.sort_values("revenue", ascending=False)\n'
              'before = r["revenue"].cumsum().shift(fill_value=0) / r["revenue"].sum()\n'
              'r["abc"] = np.select([before < 0.8, before < 0.95], ["A", "B"], "C")\n'
              'my_abc = r[["account_id", "abc"]]', WORKED),
             ('r = practice.sort_values("revenue", ascending=False)\n'
              'before = r["revenue"].cumsum().shift(fill_value=0) / r["revenue"].sum()\n'
              'r["abc"] = np.select([before < 0.8, before < 0.95], ["a", "b"], "c")\n'
              'my_abc = r[["account_id", "abc"]]', "Use capital letters")],
    "11.2": [(_CV.format(src="monthly") + 'my_xyz = (g.std() / g.mean()).round(3).rename("cv")'
              '.reset_index()', "sample standard deviation"),
             (_CV.format(src="monthly[monthly['revenue'] > 0]")
              + 'my_xyz = (g.std(ddof=0) / g.mean()).round(3).rename("cv").reset_index()',
              "You ignored months with no purchase"),
             (_CV.format(src="monthly") + 'my_xyz = (g.mean() / g.std(ddof=0)).round(3)'
              '.rename("cv").reset_index()', "not the other way round"),
             (_CV.format(src="monthly") + 'my_xyz = (g.std(ddof=0) / g.mean()).round(2)'
              '.rename("cv").reset_index()', "Give three decimals"),
             ('my_xyz = xyz[["account_id", "cv"]]', WORKED)],
    "11.3": [(_CV.format(src="monthly") + 'my_xyz = (g.std(ddof=0) / g.mean()).rename("cv")'
              '.reset_index()', "Add the column xyz"),
             (_CV.format(src="monthly") + 'my_xyz = (g.std(ddof=0) / g.mean()).rename("cv")'
              '.reset_index()\n'
              'my_xyz["xyz"] = np.select([my_xyz["cv"] <= 0.5, my_xyz["cv"] <= 1], ["X", "Y"],'
              ' "Z")',
              "fewer than 3 periods are Z"),
             (_CV.format(src="monthly") + 'my_xyz = (g.std(ddof=0) / g.mean()).rename("cv")'
              '.reset_index()\n'
              'my_xyz["xyz"] = np.select([my_xyz["cv"] <= 0.5, my_xyz["cv"] <= 1], ["Z", "Y"],'
              ' "X")',
              "X if cv <= 0.5"),
             (_CV.format(src="monthly") + 'my_xyz = (g.std(ddof=0) / g.mean()).rename("cv")'
              '.reset_index()\nmy_xyz["xyz"] = np.where(my_xyz["cv"] <= 0.5, "x", "z")',
              "Use capital letters"),
             ('my_xyz = xyz[["account_id", "cv", "xyz"]]', WORKED)],
    "11.4": [('both = p_abc.merge(p_xyz, on="account_id")\n'
              'my_matrix = pd.crosstab(both["xyz"], both["abc"])', "transposed"),
             ('my_matrix = pd.crosstab(p_abc["abc"].to_numpy(), p_xyz["xyz"].to_numpy())',
              "paired the rows of abc and xyz by their position"),
             ('both = p_abc.merge(p_xyz, on="account_id")\n'
              'my_matrix = pd.crosstab(both["abc"], both["xyz"], normalize=True)', "shares"),
             ('both = p_abc.merge(p_xyz, on="account_id")\n'
              'my_matrix = pd.crosstab(both["abc"], both["xyz"], margins=True)',
              "Leave out the totals row"),
             ('both = abc.merge(xyz, on="account_id")\n'
              'my_matrix = pd.crosstab(both["abc"], both["xyz"])', WORKED)],
    "12.1": [('g = practice.groupby("account_id")\n'
              'my_recency = (g["last_date"].max() - g["first_date"].min()).dt.days'
              '.rename("recency_days").reset_index()', "You counted from the first purchase"),
             ('g = practice.groupby("account_id")\n'
              'my_recency = (g["last_date"].max() - as_of).dt.days.rename("recency_days")'
              '.reset_index()', "Your recencies are negative"),
             ('g = practice.groupby("account_id")\n'
              'my_recency = (as_of - g["period"].max()).dt.days.rename("recency_days")'
              '.reset_index()', "You used period, the first day of the month"),
             ('g = practice.groupby("account_id")\n'
              'my_recency = (as_of - g["last_date"].max()).rename("recency_days").reset_index()',
              "time spans"),
             ('my_recency = profiles[["account_id", "recency_days"]]', WORKED)],
    "12.2": [('my_frequency = practice.groupby("account_id")["lines"].sum().rename("frequency")'
              '.reset_index()', "You counted invoice lines"),
             ('my_frequency = practice.groupby("account_id").size().rename("frequency")'
              '.reset_index()', "You counted the months with a purchase"),
             ('my_frequency = practice.groupby("account_id")["invoices"].mean()'
              '.rename("frequency").reset_index()', "average number of invoices per month"),
             ('my_frequency = practice[["account_id", "invoices"]].rename(columns={"invoices": '
              '"frequency"})', "several rows for some accounts"),
             ('my_frequency = profiles[["account_id", "frequency"]]', WORKED)],
    "12.3": [(_SCORES + 'my_scores = p[["account_id"]].assign(r=q(p["recency_days"]), '
              'f=q(p["frequency"]), m=q(p["monetary"]))', "R is the wrong way round"),
             (_SCORES + 'my_scores = p[["account_id"]].assign(r=q(p["recency_days"], '
              '[5, 4, 3, 2, 1]), f=q(p["frequency"]), m=pd.cut(p["monetary"], 5, '
              'labels=False) + 1)', "pd.cut cuts the values into equal widths"),
             (_SCORES + 'my_scores = p[["account_id"]].assign(r=q(p["recency_days"], '
              '[4, 3, 2, 1, 0]), f=q(p["frequency"]) - 1, m=q(p["monetary"]) - 1)',
              "scores run from 1 to 5 (add 1"),
             (_SCORES + 'my_scores = p[["account_id"]].assign(r=q(p["recency_days"], '
              '[5, 4, 3, 2, 1]), f=q(p["frequency"]), m=q(p["monetary"]) / 5)',
              "whole scores from 1 to 5"),
             (_SCORES.replace("p = p_profiles", "p = profiles")
              + 'my_scores = p[["account_id"]].assign(r=q(p["recency_days"], [5, 4, 3, 2, 1]), '
              'f=q(p["frequency"]), m=q(p["monetary"]))', WORKED)],
    "13.1": [('my_cts = p_acts.groupby("account_id")["quantity"].sum().rename("cost_to_serve")'
              '.reset_index()', "You counted the activities"),
             ('c = p_acts.merge(rates, on="activity")\n'
              'my_cts = c.groupby("account_id")["unit_cost"].sum().rename("cost_to_serve")'
              '.reset_index()', "left out the quantities"),
             ('c = p_acts.assign(cost=p_acts["quantity"] * rates["unit_cost"].mean())\n'
              'my_cts = c.groupby("account_id")["cost"].sum().rename("cost_to_serve")'
              '.reset_index()', "at the average rate"),
             ('c = p_acts.merge(rates, on="activity")\n'
              'c["cost_to_serve"] = c["quantity"] * c["unit_cost"]\n'
              'my_cts = c[["account_id", "activity", "cost_to_serve"]]',
              "one row per account and activity"),
             ('c = activities.merge(rates, on="activity")\n'
              'my_cts = (c["quantity"] * c["unit_cost"]).groupby(c["account_id"]).sum()'
              '.rename("cost_to_serve").reset_index()', WORKED)],
    "13.2": [(_WHALE + 'w = w.sort_values("profit")\n'
              'w["cum_share"] = w["profit"].cumsum() / w["profit"].sum()\n'
              'my_whale = w.reset_index()', "You sorted ascending"),
             (_WHALE + 'w["cum_share"] = w["profit"].cumsum() / w["profit"].sum()\n'
              'my_whale = w.sort_values("profit", ascending=False).reset_index()',
              "in the order of practice, before sorting"),
             (_WHALE + 'w = w.sort_values("profit", ascending=False)\n'
              'w["cum_share"] = w["profit"].cumsum() / w["profit"].clip(lower=0).sum()\n'
              'my_whale = w.reset_index()', "profit of the profitable accounts only"),
             (_CTS + 'w = practice.set_index("account_id")\n'
              'w["profit"] = w["revenue"] - cts.reindex(w.index, fill_value=0)\n'
              'w = w.sort_values("profit", ascending=False)\n'
              'w["cum_share"] = w["profit"].cumsum() / w["profit"].sum()\n'
              'my_whale = w.reset_index()', "You took the cost to serve off revenue"),
             (_CTS + 'w = practice.merge(cts.rename("cts").reset_index(), on="account_id")\n'
              'w["profit"] = w["gross_margin"] - w["cts"]\n'
              'w = w.sort_values("profit", ascending=False)\n'
              'w["cum_share"] = w["profit"].cumsum() / w["profit"].sum()\n'
              'my_whale = w', "without activities are missing"),
             (_WHALE + 'w = w.sort_values("profit", ascending=False)\n'
              'w["cum_share"] = w["profit"].cumsum() / w["revenue"].sum()\n'
              'my_whale = w.reset_index()', "You divided by total revenue")],
    "13.3": [('my_peak = 1.0', "That is where the curve ends"),
             (_WHALE + 'p = w["profit"].sort_values(ascending=False)\n'
              'my_peak = round(100 * float((p.cumsum() / p.sum()).max()))',
              "You gave a percentage"),
             (_WHALE + 'p = w["profit"].sort_values(ascending=False)\n'
              'my_peak = int((p.cumsum() / p.sum()).argmax()) + 1',
              "That is how many accounts earn the peak"),
             (_WHALE + 'p = w["profit"].sort_values(ascending=False)\n'
              'my_peak = round(float((p.cumsum() / p.sum()).max()), 1)', "Give two decimals"),
             (_WHALE + 'p = w["profit"].sort_values(ascending=False)\n'
              'my_peak = str(round(float((p.cumsum() / p.sum()).max()), 2))',
              "leave out the quotes")],
    "13.4": [('my_clv = round(sum(p_profit * p_retention ** (t - 1)\n'
              '                   for t in range(1, p_years + 1)))',
              "You did not discount"),
             ('my_clv = round(sum(p_profit * p_retention ** (t - 1) / (1 + p_rate) ** (t - 1)\n'
              '                   for t in range(1, p_years + 1)))', "You discounted from year 0"),
             ('my_clv = round(sum(p_profit / (1 + p_rate) ** t for t in range(1, p_years + 1)))',
              "You left out retention"),
             ('my_clv = round(sum(p_profit * p_retention ** t / (1 + p_rate) ** t\n'
              '                   for t in range(1, p_years + 1)))',
              "The account is there in year 1 for sure"),
             ('my_clv = round(p_profit * p_years)', "That is profit x years")],
    "13.5": [(_LV.replace(" - p_acquisition", ""), "You left out the cost of winning"),
             (_LV.replace('(1 + a["growth"]) ** tenure', '(1 + a["growth"] * tenure)'),
              "Growth compounds"),
             (_LV.replace('a["price_premium"]) * tenure', 'a["price_premium"]) * t'),
              "from 0 in the first year"),
             ('t = np.arange(1, p_years + 1)\n'
              'my_lv = round(float((p_profit * p_retention ** (t - 1) / (1 + p_rate) ** t)'
              '.sum()))', "That is exercise 13.4's value:"),
             (_LV.replace("p_retention ** tenure", "p_retention ** t"), "not ** t"),
             ('my_lv = round(float(clv.loc[clv["account_id"] == largest["account_id"], "clv"]'
              '.iloc[0]))', WORKED)],
    "13.6": [('mean = p_params["p"] * p_params["v"] / (p_params["q"] - 1)\n'
              'my_spend = p_spend[["account_id"]].assign(expected_spend=p_spend["monetary_value"]'
              '.where(p_spend["frequency"] > 0, mean))', "own mean spend"),
             (_SP.replace("p * (v + x * m) / (p * x + q - 1)", "p * v / (q - 1)"),
              "population mean p v / (q - 1) for every account"),
             (_SP.replace("(p * x + q - 1)", "(p * x + q)"), "not p x + q."),
             (_SP.replace("(v + x * m)", "(v + m)"), "not p (v + m)"),
             (_SP.replace('p_spend["frequency"].where(~no_repeat, 0)', 'p_spend["frequency"]')
              .replace('p_spend["monetary_value"].clip(lower=0)', 'p_spend["monetary_value"]'),
              "(credit notes) counts as without repeat purchases"),
             (_SP + '\nmy_spend = my_spend[p_spend["frequency"] > 0]',
              "give one row per account of p_spend")],
    "14.1": [('rev = wallet_months.groupby("account_id")["revenue"].sum()\n'
              'my_wallet = wallets[["account_id"]].assign(share_of_wallet=(wallets["account_id"]'
              '.map(rev).fillna(0) / wallets["wallet_estimate"]).round(3))',
              "You used all the months of wallet_months"),
             (_WALLET + 'my_wallet = wallets[["account_id"]].assign(share_of_wallet='
              '(wallets["account_id"].map(rev) / wallets["wallet_estimate"]).round(3))',
              "have no share (empty)"),
             (_WALLET + 'my_wallet = wallets[["account_id"]].assign(share_of_wallet=(100 * '
              'wallets["account_id"].map(rev).fillna(0) / wallets["wallet_estimate"]).round(1))',
              "Those are percentages"),
             (_WALLET + 'my_wallet = wallets[["account_id"]].assign(share_of_wallet='
              '(wallets["wallet_estimate"] / wallets["account_id"].map(rev)).round(3))',
              "Upside down"),
             (_WALLET + 'my_wallet = rev.rename("share_of_wallet").reset_index()',
              "(missing e.g."),
             ('my_wallet = wallet[["account_id", "share_of_wallet"]]', WORKED)],
    "14.2": [('covered = p_contacts.groupby("account_id")["circle"].nunique()\n'
              'my_gaps = pd.DataFrame({"account_id": p_accounts})\n'
              'my_gaps["gaps"] = 3 - my_gaps["account_id"].map(covered).fillna(0)',
              "forgot the stale contacts"),
             (_GAPS + 'n = recent.groupby("account_id").size()\n'
              'my_gaps = pd.DataFrame({"account_id": p_accounts})\n'
              'my_gaps["gaps"] = (3 - my_gaps["account_id"].map(n).fillna(0)).clip(lower=0)',
              "You counted contacts, not circles"),
             (_GAPS + 'covered = recent.groupby("account_id")["circle"].nunique()\n'
              'my_gaps = pd.DataFrame({"account_id": p_accounts})\n'
              'my_gaps["gaps"] = my_gaps["account_id"].map(covered).fillna(0)',
              "Those are the covered circles"),
             (_GAPS + 'covered = recent.groupby("account_id")["circle"].nunique()\n'
              'my_gaps = (3 - covered).rename("gaps").reset_index()', "(missing e.g."),
             (_GAPS + 'covered = recent.groupby("account_id")["circle"].nunique()\n'
              'my_gaps = pd.DataFrame({"account_id": p_accounts})\n'
              'my_gaps["gaps"] = 3 - my_gaps["account_id"].map(covered)', "empty gaps (NaN)"),
             ('my_gaps = coverage.assign(gaps=coverage["uncovered"].str.count(r"\\d")\n'
              '                         + coverage["lapsed"].str.count(r"\\d"))', WORKED)],
    "14.3": [(_QUAD + 'hv, hn = before < 0.8, r["need"] >= 5\n'
              'r["quadrant"] = np.select([hv & hn, hv, hn], ["key account", "develop", '
              '"maintain"], "serve")\nmy_quadrants = r[["account_id", "quadrant"]]',
              "Value and need are swapped"),
             (_QUAD + 'hv, hn = r["revenue"] >= r["revenue"].median(), r["need"] >= 5\n'
              'r["quadrant"] = np.select([hv & hn, hv, hn], ["key account", "maintain", '
              '"develop"], "serve")\nmy_quadrants = r[["account_id", "quadrant"]]',
              "You split value at the median"),
             (_QUAD + 'hv, hn = cum < 0.8, r["need"] >= 5\n'
              'r["quadrant"] = np.select([hv & hn, hv, hn], ["key account", "maintain", '
              '"develop"], "serve")\nmy_quadrants = r[["account_id", "quadrant"]]',
              "belongs to the vital few too"),
             (_QUAD + 'hv, hn = before < 0.8, r["need"] > 5\n'
              'r["quadrant"] = np.select([hv & hn, hv, hn], ["key account", "maintain", '
              '"develop"], "serve")\nmy_quadrants = r[["account_id", "quadrant"]]',
              "Need of exactly 5 counts as high need"),
             (_QUAD + 'hv, hn = before < 0.8, r["need"] >= 5\n'
              'r["quadrant"] = np.select([hv & hn, hv, hn], ["key", "maintain", '
              '"develop"], "serve")\nmy_quadrants = r[["account_id", "quadrant"]]',
              "Unknown quadrant name"),
             ('my_quadrants = matrix[["account_id", "quadrant"]]', WORKED)],
    "14.4": [('days = (as_of - p_visits["last_contact"]).dt.days\n'
              'my_due = p_visits[["account_id"]].assign(due=days.isna() | '
              '(days >= p_visits["quadrant"].map(p_cadence)))', "You counted calendar days"),
             (_DUE.replace(', freq="C", holidays=p_holidays', '') + _DUE_GE,
              "not the public holidays"),
             (_DUE + _DUE_GE.replace(">=", ">"), "compare with >=, not >"),
             (_DUE + 'my_due = p_visits[["account_id"]].assign(due=since >= every)',
              "nobody was ever contacted"),
             (_DUE.replace('p_visits["quadrant"].map(p_cadence)', '5') + _DUE_GE,
              "the cadence of its own quadrant"),
             (_DUE + 'my_due = p_visits[["account_id"]].assign(due=~(since.isna() | '
              '(since >= every)))', "Upside down"),
             ('my_due = due_now[["account_id", "due"]]', WORKED)],
    "14.5": [(_PROP.replace('[p_products["revenue"] > 0]', ''), "only credit notes for"),
             (_PROP.replace('"median"', '"mean"'), "take the median"),
             (_PROP.replace(' / p_years', ''), "divide by p_years"),
             (_PROP.replace('\n                                         * my_proposals['
                            '"product"].map(p_chance)', ''), "left out the chance"),
             (_PROP.replace('ascending=False', 'ascending=True'), "You sorted ascending"),
             (_PROP.replace('>= 2', '>= 1'), "one is an anecdote".replace(
                 "one is an anecdote", "(one peer is an anecdote)")),
             (_PROP.replace(' & ~stats["product"].isin(owned)', ''),
              "is bought by p_account already"),
             (_PROP.replace('peers = bought[bought["account_id"] != p_account]',
                            'peers = p_products[p_products["account_id"] != p_account]'),
              "A peer with only a credit note"),
             ('my_proposals = offer[["account_id", "product", "peer_yearly_value", '
              '"expected_yearly_value"]]', WORKED)],
    "15.1": [('n = p_months[p_months["revenue"] > 0].groupby("account_id").size()\n'
              'bought = p_status["account_id"].map(n).fillna(0)\n'
              'my_stages = p_status[["account_id"]].assign(stage=np.select(\n'
              '    [p_status["status"] == "lost", bought > 3], ["lost", "client"], "customer"))',
              "use >= 3"),
             ('n = p_months[p_months["revenue"] > 0].groupby("account_id").size()\n'
              'bought = p_status["account_id"].map(n).fillna(0)\n'
              'my_stages = p_status[["account_id"]].assign(stage=np.where(bought >= 3, '
              '"client", "customer"))', "Lost accounts come off the ladder"),
             ('n = p_months[p_months["revenue"] > 0].groupby("account_id").size()\n'
              'my_stages = n.rename("months").reset_index()\n'
              'my_stages["stage"] = np.where(my_stages["months"] >= 3, "client", "customer")',
              "give one row per account of p_status"),
             ('n = am[am["revenue"] > 0].groupby("account_id")["period"].nunique()\n'
              'st = now.reset_index()\n'
              'my_stages = st[["account_id"]].assign(stage=np.where(st["status"] == "lost", '
              '"lost", np.where(st["account_id"].map(n).fillna(0) >= 3, "client", "customer")))',
              WORKED)],
    "15.2": [(_HIST + 'pairs = pd.DataFrame({"from_stage": b.reindex(ids).fillna("not yet"),\n'
              '                      "to_stage": a.reindex(ids).fillna("not yet")})\n'
              'my_moves = pairs.groupby(["from_stage", "to_stage"]).size().rename("accounts")'
              '.reset_index()', "From and to are swapped"),
             (_HIST + 'pairs = pd.DataFrame({"from_stage": a, "to_stage": b}).dropna()\n'
              'my_moves = pairs.groupby(["from_stage", "to_stage"]).size().rename("accounts")'
              '.reset_index()', "not yet customers"),
             (_HIST + 'pairs = pd.DataFrame({"from_stage": a.reindex(ids).fillna("not yet"),\n'
              '                      "to_stage": b.reindex(ids).fillna("not yet")})\n'
              'my_moves = pairs.value_counts(normalize=True).rename("accounts").reset_index()',
              "Those are shares"),
             (_HIST.replace('== start]', '== end - pd.DateOffset(months=6)]')
              + 'pairs = pd.DataFrame({"from_stage": a.reindex(ids).fillna("not yet"),\n'
              '                      "to_stage": b.reindex(ids).fillna("not yet")})\n'
              'my_moves = pairs.groupby(["from_stage", "to_stage"]).size().rename("accounts")'
              '.reset_index()', "You compared"),
             ('my_moves = transitions(ladder_history, start, end)', WORKED)],
    "15.3": [('change = p_trend["revenue_l12m"] / p_trend["revenue_p12m"].where('
              'p_trend["revenue_p12m"] > 0) - 1\n'
              'my_trend = p_trend[["account_id"]].assign(revenue_trend=(100 * (1 + change / 0.5))'
              '.clip(lower=0))', "cap at 100"),
             ('change = p_trend["revenue_l12m"] / p_trend["revenue_p12m"].where('
              'p_trend["revenue_p12m"] > 0) - 1\n'
              'my_trend = p_trend[["account_id"]].assign(revenue_trend=100 * (1 + '
              'change.clip(upper=0) / 0.5))', "floor at 0"),
             ('change = p_trend["revenue_l12m"] / p_trend["revenue_p12m"].where('
              'p_trend["revenue_p12m"] > 0) - 1\n'
              'my_trend = p_trend[["account_id"]].assign(revenue_trend=100 - (100 * (1 + '
              'change.clip(upper=0) / 0.5)).clip(0, 100))', "That is the warning"),
             ('change = p_trend["revenue_l12m"] / p_trend["revenue_p12m"].where('
              'p_trend["revenue_p12m"] > 0) - 1\n'
              'my_trend = p_trend[["account_id"]].assign(revenue_trend=(100 * (1 + '
              'change.clip(upper=0) / 0.5)).clip(0, 100).fillna(100))', "leave it NaN"),
             ('change = p_trend["revenue_l12m"] / p_trend["revenue_p12m"].where('
              'p_trend["revenue_p12m"] > 0) - 1\n'
              'my_trend = p_trend[["account_id"]].assign(revenue_trend=(100 * (1 + '
              'change.clip(upper=0))).clip(0, 100))', "its change is"),
             ('t = now.reset_index()\n'
              'change = t["revenue_l12m"] / t["revenue_p12m"].where(t["revenue_p12m"] > 0) - 1\n'
              'my_trend = t[["account_id"]].assign(revenue_trend=(100 * (1 + '
              'change.clip(upper=0) / 0.5)).clip(0, 100).round(1))', WORKED)],
    "15.4": [('s = p_measures.set_index("account_id")\n'
              'w = pd.Series(weights).reindex(s.columns)\n'
              'my_score = (s.fillna(0).mul(w).sum(axis=1) / w.sum()).rename("score").reset_index()',
              "An unknown signal (NaN) is left out"),
             ('s = p_measures.set_index("account_id")\n'
              'my_score = s.mean(axis=1).round(1).rename("score").reset_index()',
              "Weigh the signals"),
             ('s = p_measures.set_index("account_id")\n'
              'w = pd.Series(weights).reindex(s.columns)\n'
              'my_score = s.fillna(0).mul(w).sum(axis=1).rename("score").reset_index()',
              "sum of the weighted signals"),
             ('s = p_measures.set_index("account_id")\n'
              'w = pd.Series(weights).reindex(s.columns)\n'
              'my_score = (s.fillna(0).mul(w).sum(axis=1) / s.notna().mul(w).sum(axis=1))'
              '.round().rename("score").reset_index()', "one decimal"),
             ('my_score = per_account[["account_id", "score"]]', WORKED)],
    "15.5": [('my_lift = round(p_backtest["lift"].mean(), 2)', "mean of the monthly lifts"),
             (_BT + 'my_lift = round(total["flagged_lost"] / total["flagged"], 2)',
              "flagged accounts' loss rate"),
             (_BT + 'my_lift = round((total["lost"] / total["accounts"]) / '
              '(total["flagged_lost"] / total["flagged"]), 2)', "Upside down"),
             (_BT + 'my_lift = round((total["flagged_lost"] / total["flagged"]) / '
              '(total["lost"] / total["accounts"]), 1)', "Right to one decimal"),
             ('total = backtest[["flagged_lost", "flagged", "lost", "accounts"]].sum()\n'
              'my_lift = round((total["flagged_lost"] / total["flagged"]) / '
              '(total["lost"] / total["accounts"]), 2)', WORKED)],
    "16.1": [('lost_on = p_spells["last_purchase"]\n' + _COUNT,
              "You counted the quarter of the last purchase"),
             ('lost_on = p_spells["last_purchase"] + pd.Timedelta(days=p_days)\n' + _COUNT,
              "Off by one day"),
             (_LOST + 'lost_on = lost_on[p_spells["returned_on"].isna()]\n' + _COUNT,
              "only the accounts still lost"),
             (_LOST + 'my_losses = (lost_on.dt.to_period("M").dt.start_time.value_counts()'
              '.rename_axis("quarter").reset_index(name="lost"))', "count per month"),
             ('lost_on = spells["last_purchase"] + pd.Timedelta(days=days + 1)\n' + _COUNT,
              WORKED)],
    "16.2": [('my_ranked = p_candidates.assign(value_regained=p_candidates["profit"]'
              '.fillna(p_candidates["revenue"])).sort_values("value_regained", ascending=False)',
              "left out the chance"),
             ('my_ranked = p_candidates.assign(value_regained=p_candidates["revenue"] * p_chance)'
              '.sort_values("value_regained", ascending=False)', "valued every account by revenue"),
             ('my_ranked = p_candidates.assign(value_regained=p_candidates["profit"]'
              '.fillna(p_candidates["revenue"]) * p_chance).sort_values("value_regained")',
              "You sorted ascending"),
             ('my_ranked = p_candidates.assign(value_regained=p_candidates["profit"]'
              '.fillna(p_candidates["revenue"]) * 0.25).sort_values("value_regained", '
              'ascending=False)', "You used a chance of return of 25%"),
             ('my_ranked = winback[["account_id", "value_regained"]]', WORKED)],
    "16.3": [(_TIER + 'my_movers = (int((new < now).sum()), int((new > now).sum()))',
              "Up and down are swapped"),
             (_TIER.replace(">=", ">") + 'my_movers = (int((new > now).sum()), '
              'int((new < now).sum()))', "compare with >=, not >"),
             ('m = tier_moves(yearly, tiers, new_tiers)["move"]\n'
              'my_movers = (int((m == "up").sum()), int((m == "down").sum()))', WORKED),
             (_TIER + 'my_movers = int((new != now).sum())', "Give two numbers")],
    "16.4": [(_DEALER.replace(">=", ">") + 'score = (points * w).sum()\n'
              'my_ceiling = round(p_min + (score - w.sum()) / ((most * w).sum() - w.sum()) '
              '* (p_max - p_min))', "count the edges with >="),
             (_DEALER + 'score = (points * w).sum()\n'
              'my_ceiling = round(p_min + score / (most * w).sum() * (p_max - p_min))',
              "Scale from the fewest possible points"),
             (_DEALER + 'score = (points * w).sum()\n'
              'my_ceiling = round((score - w.sum()) / ((most * w).sum() - w.sum()) * p_max)',
              "You left out the minimum"),
             (_DEALER + 'my_ceiling = round(p_min + (points.sum() - len(points)) / '
              '(most.sum() - len(points)) * (p_max - p_min))', "You left out the weights"),
             (_DEALER + 'score = (points * w).sum()\n'
              'my_ceiling = round((score - w.sum()) / ((most * w).sum() - w.sum()), 2)',
              "Points per criterion"),
             ('my_ceiling = dealers.sort_values("ceiling", ascending=False)["ceiling"].iloc[0]',
              WORKED)],
}


@pytest.mark.parametrize("ex_id, n", [(i, n) for i in WRONG for n in range(len(WRONG[i]))])
def test_typical_mistakes_get_the_hint_that_names_them(setups, ex_id, n):
    code, said = WRONG[ex_id][n]
    feedback = answer_with(setups, ex_id, code)
    assert not feedback.ok and feedback.answered, (ex_id, n)
    assert said in feedback.message, (ex_id, n, feedback.message)


def test_four_mistakes_per_exercise_each_with_its_own_hint(setups):
    for ex in exercises():
        assert len(WRONG.get(ex.id, [])) >= 4, ex.id
        hints = [answer_with(setups, ex.id, code).message for code, _ in WRONG[ex.id]]
        assert len(set(hints)) == len(hints), (ex.id, hints)


def test_a_second_wrong_try_adds_the_method_and_a_third_the_solution(setups):
    code, said = WRONG["10.2"][0]
    first = answer_with(setups, "10.2", code)
    second = answer_with(setups, "10.2", code, ladder=True)
    third = answer_with(setups, "10.2", code, ladder=True)
    assert said in first.message and "show_solution" not in first.message
    assert second.message.startswith(first.message) and "More help: in the table of 10.1" \
        in second.message and "show_solution" not in second.message
    assert third.message.startswith(second.message)
    assert 'Run show_solution("10.2") in a new cell' in third.message
    assert answer_with(setups, "10.2", exercises("10")[1].solution, ladder=True).ok
    assert answer_with(setups, "10.2", code, ladder=True).message == first.message  # again


ODD = ["text", "0.5", 97, -1, [1, 2], {"a": 1}, (1,), object(), float("nan")]


@pytest.mark.parametrize("ex", exercises(), ids=lambda ex: ex.id)
def test_any_odd_answer_gets_a_plain_hint(setups, ex):
    """Whatever the answer cell holds, the hint is in the trainee's words (plain() inside)."""
    import pandas as pd

    for odd in [*ODD, pd.DataFrame(), pd.Series([1.0, 2.0]), pd.DataFrame({"x": [1]})]:
        ns, calls = setups[ex.module]
        feedback = eval(calls[ex.id][1], {**ns, ex.answer: odd})
        assert not feedback.ok
        plain(feedback.message)


def test_an_unknown_exercise_id_is_read_kindly_or_named():
    from kamlib.exercises import check, show_solution

    assert "my_banks" in show_solution("2.1").exercise.solution  # "2.1" is 02.1
    assert str(show_solution(10.3)).startswith("Solution 10.3")
    for wrong in ("9.9", "ten", None):
        said = show_solution(wrong)
        assert not said.ok and "There is no exercise" in said.message
        assert "02.1, 02.2" in said.message
        said = check(wrong, 1)
        assert not said.ok and "There is no exercise" in said.message


def test_the_practice_contacts_hold_every_case_of_14_2(setups):
    """Every gap count 0-3 occurs, circle 3 recent and lapsed, accounts without contacts: a
    rule that ignores stale contacts or circle 3 gives other answers."""
    from kamlib.exercises.planning import circle_gaps

    ns, _ = setups["14"]
    people, ids, as_of = ns["p_contacts"], ns["p_accounts"], ns["as_of"]
    gaps = circle_gaps(people, list(ids), as_of)
    assert set(gaps) == {0, 1, 2, 3} and gaps.value_counts().min() >= 10
    third = people[people["circle"] == 3]
    days = (as_of - third["last_contact"]).dt.days
    assert (days <= 90).any() and (days > 90).any()
    assert not set(ids) <= set(people["account_id"])  # some have nobody at all
    for wrong in ('recent = p_contacts\n', _GAPS.replace("<= 90", "<= 90") + 'recent = recent['
                  'recent["circle"] < 3]\n'):
        code = (wrong + 'covered = recent.groupby("account_id")["circle"].nunique()\n'
                'my_gaps = pd.DataFrame({"account_id": p_accounts})\n'
                'my_gaps["gaps"] = 3 - my_gaps["account_id"].map(covered).fillna(0)')
        assert not answer_with(setups, "14.2", code).ok


def test_the_practice_visits_hold_every_case_of_14_4(setups):
    """Never contacted, exactly at the cadence, a public holiday or a weekend in the wait:
    each changes some account's answer, and more than one quadrant has its cadence."""
    from kamlib.planning.due import working_days_between

    ns, _ = setups["14"]
    v, cadence, off, as_of = ns["p_visits"], ns["p_cadence"], ns["p_holidays"], ns["as_of"]
    every = v["quadrant"].map(cadence)
    since = working_days_between(v["last_contact"], as_of, off)
    weekdays = working_days_between(v["last_contact"], as_of)
    calendar = (as_of - v["last_contact"]).dt.days
    assert v["last_contact"].isna().sum() >= 5 and (since == every).sum() >= 5
    assert ((weekdays >= every) & (since < every)).any()  # a holiday decides
    assert ((calendar >= every) & (weekdays < every)).any()  # a weekend decides
    assert v["quadrant"].nunique() >= 2 and (since < every).sum() >= 5
