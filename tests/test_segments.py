"""kamlib.segments.rfm_scores: equal values get equal scores, whatever the row or id order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.segments import rfm_scores


def frame(recency, frequency, monetary, ids=None):
    ids = ids if ids is not None else [f"{i:03d}" for i in range(len(recency))]
    return pd.DataFrame({"account_id": ids, "recency_days": recency, "frequency": frequency,
                         "monetary": monetary})


def test_ties_by_hand():
    # frequency worst first: 1 1 1 1 take positions 1-4 (average 2.5), 2 is 5th, 3 3 share
    # 6-7 (6.5), then 4, 5, 6 at 8, 9, 10. Score = floor((rank - 0.5) x 5 / 10) + 1:
    # 1s: floor(2.0 / 2) + 1 = 2 (a middle on a boundary goes up); 2: floor(2.25) + 1 = 3;
    # 3s: floor(3.0) + 1 = 4; 4: floor(3.75) + 1 = 4; 5: floor(4.25) + 1 = 5; 6: 5.
    # recency (lower is better; no purchase, NaN, is the worst): NaN 90 60 30 20 20 20 10 5 5
    # take positions 1 2 3 4 (5-7: 6) 8 (9-10: 9.5) -> 1 1 2 2 3 3 3 4 5 5
    prof = frame([5, 5, 10, 20, 20, 20, 30, 60, 90, np.nan],
                 [1, 1, 1, 1, 2, 3, 3, 4, 5, 6],
                 [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    out = rfm_scores(prof)
    assert out["r"].tolist() == [5, 5, 4, 3, 3, 3, 2, 2, 1, 1]
    assert out["f"].tolist() == [2, 2, 2, 2, 3, 4, 4, 4, 5, 5]
    assert out["m"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert out["fm"].tolist() == [2, 2, 2, 2, 3, 4, 4, 4, 5, 5]  # (f + m) / 2, halves up
    assert "equal values get equal scores" in out.attrs["rules"]["f"]


def test_heavy_ties_still_span_the_scores():
    # 100 accounts, 60 of them with frequency 12 (positions 21-80, average 50.5): they all
    # score floor(50 x 5 / 100) + 1 = 3; the 20 below score 1, the 20 above 5
    freq = list(range(-19, 1)) + [12] * 60 + list(range(13, 33))
    prof = frame(list(range(100)), freq, list(range(100)))
    out = rfm_scores(prof)
    assert out["f"].value_counts().sort_index().to_dict() == {1: 20, 3: 60, 5: 20}
    assert "60% of accounts share the value 12" in out.attrs["rules"]["f"]
    # every account the same: the middle score
    same = rfm_scores(frame([7] * 6, [3] * 6, [9] * 6))
    assert same[["r", "f", "m"]].stack().unique().tolist() == [3]


def test_the_sample_like_case_of_monthly_buyers():
    # most accounts bought 36 times (monthly over three years): one F score for all of them
    rng = np.random.default_rng(3)
    freq = np.r_[np.full(500, 36), np.full(300, 37), rng.integers(1, 36, 400),
                 rng.integers(38, 42, 300)]
    prof = frame(rng.integers(0, 400, len(freq)), freq, rng.random(len(freq)))
    out = rfm_scores(prof)
    assert out.groupby("frequency")["f"].nunique().max() == 1
    assert set(out["f"]) == {1, 2, 3, 4, 5}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(1, 4), st.integers(0, 5)),
                min_size=1, max_size=40),
       st.integers(2, 7), st.randoms(use_true_random=False))
def test_order_and_ids_never_change_a_score(rows, bins, rnd):
    prof = frame(*map(list, zip(*rows)))
    base = rfm_scores(prof, bins=bins).set_index("account_id")[["r", "f", "m", "fm"]]
    # permute the rows and rename every id, reversing their sort order
    order = list(range(len(prof)))
    rnd.shuffle(order)
    rename = {a: f"x{999 - i:03d}" for i, a in enumerate(prof["account_id"])}
    moved = prof.iloc[order].assign(account_id=lambda f: f["account_id"].map(rename))
    again = rfm_scores(moved, bins=bins).set_index("account_id")[["r", "f", "m", "fm"]]
    again.index = again.index.map({v: k for k, v in rename.items()})
    pd.testing.assert_frame_equal(again.loc[base.index], base)
    scored = prof.join(base.reset_index(drop=True))
    for value, score, better in (("recency_days", "r", -1), ("frequency", "f", 1),
                                 ("monetary", "m", 1)):
        assert (scored.groupby(value)[score].nunique() == 1).all()  # equal values, equal score
        ranked = scored.assign(_g=better * scored[value]).sort_values("_g")[score]
        assert ranked.is_monotonic_increasing  # a better value never scores lower
        assert ranked.between(1, bins).all()


def test_bad_bins_refused():
    with pytest.raises(ValueError, match="bins must be a whole number from 2 to 10"):
        rfm_scores(frame([1], [1], [1]), bins=1)
