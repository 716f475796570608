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
            "12": "12_profiles", "13": "13_profitability", "14": "14_account_planning"}

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
             'my_scores = p[["account_id"]].copy()\n'
             'my_scores["r"] = pd.qcut(p["recency_days"].rank(method="first"), 5, '
             'labels=[5, 4, 3, 2, 1])\n'
             'my_scores["f"] = pd.qcut(p["frequency"].rank(method="first"), 5, '
             'labels=[1, 2, 3, 4, 5])\n'
             'my_scores["m"] = pd.qcut(p["monetary"].rank(method="first"), 5, '
             'labels=[1, 2, 3, 4, 5])',
             'p = p_profiles.sample(frac=1, random_state=1)\n'
             'my_scores = p[["account_id"]].assign(\n'
             '    r=pd.qcut(p["recency_days"].rank(method="first", ascending=False), 5, '
             'labels=False) + 1,\n'
             '    f=pd.qcut(p["frequency"].rank(method="first"), 5, labels=["1", "2", "3", '
             '"4", "5"]),\n'
             '    m=(pd.qcut(p["monetary"].rank(method="first"), 5, labels=False) + 1)'
             '.astype(float))'],
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
             'fresh = p_contacts.assign(fresh=(as_of - p_contacts["last_contact"]).dt.days <= 90)\n'
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
}


@pytest.mark.parametrize("ex_id, n", [(i, n) for i in RIGHT for n in range(len(RIGHT[i]))])
def test_other_right_answers_are_accepted(setups, ex_id, n):
    feedback = answer_with(setups, ex_id, RIGHT[ex_id][n])
    assert feedback.ok, (ex_id, n, feedback.message)


def test_two_right_answers_per_exercise():
    assert all(len(RIGHT.get(ex.id, [])) >= 2 for ex in exercises())
