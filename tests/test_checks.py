"""Cross-row rules: duplicate lines and per-account totals, checked against plain Python."""

import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import kamlib

BASE = {
    "accounts.csv": "account_id,account_name\n001,Alpha\n002,Beta\n",
    "activities.csv": "account_id,date,activity\n001,2024-01-02,visit\n",
    "activity_rates.csv": "activity,unit_cost\nvisit,100\n",
    "contacts.csv": "account_id,contact_name,role\n001,Ann,CIO\n",
}

line = st.tuples(st.sampled_from(["001", "002"]), st.integers(1, 3),
                 st.sampled_from([-5, 10, 20]), st.sampled_from(["I1", "I2"]))


@settings(max_examples=25, deadline=None)
@given(st.lists(line, min_size=1, max_size=12))
def test_exact_duplicates_are_dropped_once_each_and_only_them(lines):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for name, text in BASE.items():
            (folder / name).write_text(text)
        (folder / "transactions.csv").write_text("account_id,date,revenue,invoice_id\n" + "".join(
            f"{a},2024-01-0{d},{r},{i}\n" for a, d, r, i in lines))
        (folder / "kam.toml").write_text('[source]\nfolder = "."\n')
        ds = kamlib.load(folder / "kam.toml", today=date(2025, 1, 1))
    distinct = Counter(lines)
    dropped = {c.step: c.count for c in ds.report.cleaning}.get("exact duplicate lines dropped", 0)
    assert dropped == len(lines) - len(distinct)
    by_account = Counter()
    for a, _, r, _ in distinct:
        by_account[a] += r
    got = ds.cube.account_month.groupby("account_id")["revenue"].sum()
    assert got.to_dict() == {a: float(v) for a, v in sorted(by_account.items())}
    assert ds.cube.account_month["lines"].sum() == len(distinct)
