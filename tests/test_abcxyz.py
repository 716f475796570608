"""kamlib.abcxyz against hand-computed classes, edge cases and invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.abcxyz import HANDLING, abc_classes, abc_xyz_matrix, xyz_classes

PROPERTY = settings(max_examples=60, deadline=None)


def frame(values, ids=None, value="revenue"):
    ids = ids if ids is not None else [chr(ord("a") + i) for i in range(len(values))]
    return pd.DataFrame({"account_id": ids, value: [float(v) for v in values]})


def classes(values, **kw):
    return "".join(abc_classes(frame(values), **kw)["abc"])


def months(*names):
    return pd.to_datetime([f"2024-{m}-01" for m in names])


@pytest.fixture
def cube():
    """Jan-Mar 2024 (the window is the data's first to last month).

    a: 10, 12, 8    mean 10, std sqrt((0 + 4 + 4) / 3) = 1.63299, cv 0.16330 -> X
    b: 30, -, 30    with Feb as 0: mean 20, std sqrt((100 + 400 + 100) / 3) = 14.1421,
                    cv 0.70711 -> Y (ignoring Feb would make it a steady X)
    c: -, -, 5      starts in March: 1 period < 3 -> Z, too few periods
    d: 10, -10, -   10, -10, 0: mean 0 -> Z, mean <= 0 (a credit note cancels the sale)
    e: 5, -, 40     5, 0, 40: mean 15, std sqrt((100 + 225 + 625) / 3) = 17.7951, cv 1.18634 -> Z
    f: -, 10, 10    starts in Feb: 2 periods < 3 -> Z (not 10, 10 with a January 0)
    g: 10, -, -     stopped: 10, 0, 0: mean 3.333, std 4.714, cv 1.41421 -> Z
    """
    rows = [("a", "01", 10), ("a", "02", 12), ("a", "03", 8), ("b", "01", 30), ("b", "03", 30),
            ("c", "03", 5), ("d", "01", 10), ("d", "02", -10), ("e", "01", 5), ("e", "03", 40),
            ("f", "02", 10), ("f", "03", 10), ("g", "01", 10)]
    return pd.DataFrame({"account_id": [r[0] for r in rows],
                         "period": months(*[r[1] for r in rows]),
                         "revenue": [float(r[2]) for r in rows]})


# --- ABC, fixed cut-offs -------------------------------------------------------------------

def test_abc_fixed_by_hand():
    # 50, 20, 10, 8, 5, 4, 2, 1 of 100: cum .5 .7 .8 | .88 .93 .97 | .99 1.0
    # A: up to and including the account reaching 80%; B: to the one reaching 95%
    out = abc_classes(frame([50, 20, 10, 8, 5, 4, 2, 1]))
    assert "".join(out["abc"]) == "AAABBBCC"
    assert list(out.columns) == ["rank", "account_id", "revenue", "cum_share", "abc"]
    assert out["cum_share"].tolist() == pytest.approx([.5, .7, .8, .88, .93, .97, .99, 1])


def test_abc_account_crossing_a_cut_is_in_the_upper_class():
    # cum .6, .85 (crosses 80%: A), .95 (reaches 95%: B), 1.0
    assert classes([60, 25, 10, 5]) == "AABC"
    assert classes([60, 25, 10, 5], cutoffs=(0.5, 0.7)) == "ABCC"


def test_abc_zero_and_negative_accounts_are_c():
    # 70, 30, 0, -5 of 95: cum .737, 1.053 -> A, A; the zero and the loss are C
    assert classes([70, 30, 0, -5]) == "AACC"
    assert classes([70, 30, 0, -5], cutoffs=(0.5, 1.0)) == "ABCC"


def test_abc_ties_split_by_account_id_whatever_the_input_order():
    # five accounts of 10: cum .2 .4 .6 .8 | 1.0: the first four by id are A
    out = abc_classes(frame([10] * 5, ids=["e", "c", "a", "d", "b"]))
    assert out["account_id"].tolist() == ["a", "b", "c", "d", "e"]
    assert "".join(out["abc"]) == "AAAAB"


def test_abc_one_account_is_a():
    assert classes([5]) == "A" and classes([5], method="auto") == "A"


def test_abc_clear_errors():
    with pytest.raises(ValueError, match="nothing to concentrate"):
        classes([0, 0])
    with pytest.raises(ValueError, match="increasing"):
        classes([1, 2], cutoffs=(0.95, 0.8))
    with pytest.raises(ValueError, match="did you mean 0.8"):
        classes([1, 2], cutoffs=(80, 95))
    with pytest.raises(ValueError, match="'fixed' or 'auto'"):
        classes([1, 2], method="ultsch")


# --- ABC, computed limits (Ultsch & Lötsch) ---------------------------------------------

def test_abc_auto_by_hand():
    # 50 20 10 8 5 4 2 1 (n 8): x = i/8, y = .5 .7 .8 .88 .93 .97 .99 1
    # Pareto point: x^2 + (1-y)^2 = .2656, .1525, .1806, ... -> i = 2
    # break-even: values >= the mean 12.5 -> 2 accounts -> i = 2; A = 2 accounts
    # submarginal, nearest to (2/8, 1): .09, .0556, .0769 -> i = 3; B = 1 account
    assert classes([50, 20, 10, 8, 5, 4, 2, 1], method="auto") == "AABCCCCC"


def test_abc_auto_break_even_before_pareto_point():
    # 50 and ten of 5 (n 11): y = .5 .55 .6 .65 ...; break-even: only 50 >= the mean 9.09 -> 1
    # Pareto: .2583, .2356, .2344, .2547 -> i = 3 > 1, so A = 1 (the break-even point)
    # submarginal, nearest to (3/11, 1): i = 3 .16, 4 .1308, 5 .1231, 6 .1369 -> B up to 5
    assert classes([50] + [5] * 10, method="auto") == "ABBBBCCCCCC"


def test_abc_auto_pareto_point_before_break_even():
    # 30 30 30 5 5: y = .3 .6 .9 .95 1; Pareto: .53, .32, .37 -> i = 2; break-even (mean 20): 3
    # A = 2; submarginal nearest to (3/5, 1): .2, .01, .0425 -> 3; B = 1
    assert classes([30, 30, 30, 5, 5], method="auto") == "AABCC"


def test_abc_auto_counts_losses_as_zero_on_the_curve():
    # the loss is C and does not move the limits found on the positive values
    assert classes([50, 20, 10, 8, 5, 4, 2, 1, -10], method="auto") == "AABCCCCCC"


# --- XYZ ------------------------------------------------------------------------------------

def test_xyz_by_hand(cube):
    out = xyz_classes(cube).set_index("account_id")
    assert list(out.reset_index().columns) == ["account_id", "n_periods", "mean", "std", "cv",
                                               "xyz", "xyz_reason"]
    assert out["n_periods"].to_dict() == {"a": 3, "b": 3, "c": 1, "d": 3, "e": 3, "f": 2,
                                          "g": 3}
    assert out.loc[["a", "b", "e", "g"], "cv"].tolist() == pytest.approx(
        [0.16330, 0.70711, 1.18634, 1.41421], abs=1e-5)
    assert "".join(out["xyz"]) == "XYZZZZZ"
    assert out.loc["c", "xyz_reason"] == "too few periods (1 < 3)"
    assert out.loc["d", "xyz_reason"] == "mean revenue <= 0" and np.isnan(out.loc["d", "cv"])
    assert out.loc["a", "xyz_reason"] == "cv <= 0.5"
    assert out.loc["b", "xyz_reason"] == "0.5 < cv <= 1"
    assert out.loc["e", "xyz_reason"] == "cv > 1"


def test_xyz_series_starts_at_first_purchase(cube):
    # f: Feb 10, Mar 10 -> cv 0 -> X once 2 periods suffice (a January 0 would make it Y)
    out = xyz_classes(cube, min_periods=2).set_index("account_id")
    assert (out.loc["f", "cv"], out.loc["f", "xyz"]) == (0.0, "X")


def test_xyz_window_end_adds_trailing_zeros(cube):
    # to June: a is 10, 12, 8, 0, 0, 0: mean 5, std sqrt((25+49+9+25*3)/6) = 5.1316, cv 1.026
    out = xyz_classes(cube, end="2024-06-30").set_index("account_id")
    assert out.loc["a", "n_periods"] == 6
    assert out.loc["a", "cv"] == pytest.approx(np.sqrt(158 / 6) / 5)
    # from Feb 15 (whole February on): a is 12, 8: 2 periods
    assert xyz_classes(cube, start="2024-02-15").set_index("account_id").loc[
        "a", "n_periods"] == 2


def test_xyz_quarters_smooth_monthly_gaps():
    # monthly 10 . . 5 5 . 10 . . 4 6 . -> quarters 10, 10, 10, 10: cv 0, X
    f = pd.DataFrame({"account_id": "q", "period": months("01", "04", "05", "07", "10", "11"),
                      "revenue": [10.0, 5, 5, 10, 4, 6]})
    monthly = xyz_classes(f, end="2024-12-31").iloc[0]
    quarterly = xyz_classes(f, freq="Q", end="2024-12-31").iloc[0]
    assert monthly["xyz"] == "Z" and monthly["n_periods"] == 12
    assert (quarterly["n_periods"], quarterly["cv"], quarterly["xyz"]) == (4, 0.0, "X")


def test_xyz_missing_values_are_z_with_reason():
    f = pd.DataFrame({"account_id": "a", "period": months("01", "02", "03"),
                      "cost": [1.0, np.nan, 1.0]})
    row = xyz_classes(f, value="cost").iloc[0]
    assert (row["xyz"], row["xyz_reason"]) == ("Z", "missing (NaN) cost")


def test_xyz_clear_errors(cube):
    with pytest.raises(ValueError, match="'M' .* or 'Q'"):
        xyz_classes(cube, freq="W")
    with pytest.raises(ValueError, match="cutoffs"):
        xyz_classes(cube, cutoffs=(1.0, 0.5))
    with pytest.raises(ValueError, match="min_periods"):
        xyz_classes(cube, min_periods=0)
    with pytest.raises(ValueError, match="no rows in the window"):
        xyz_classes(cube, start="2025-01-01")
    with pytest.raises(ValueError, match=r"\['when'\] not found"):
        xyz_classes(cube, period="when")
    with pytest.raises(TypeError, match="'revenue' must be numeric"):
        xyz_classes(cube.assign(revenue="10"))


# --- matrix -----------------------------------------------------------------------------------

def test_matrix_by_hand():
    # A: a (AX, 60), b (AY, 25); B: c (BX, 10); C: d (CZ, 5); total 100, 4 accounts
    abc = pd.DataFrame({"account_id": list("abcd"), "revenue": [60.0, 25, 10, 5],
                        "abc": list("AABC")})
    xyz = pd.DataFrame({"account_id": list("dcba"), "xyz": list("ZXYX")})
    m = abc_xyz_matrix(abc, xyz)
    assert m["cell"].tolist() == ["AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ"]
    assert m["count"].tolist() == [1, 1, 0, 1, 0, 0, 0, 0, 1]
    assert m["revenue"].tolist() == [60.0, 25, 0, 10, 0, 0, 0, 0, 5]
    assert m["value_share"].tolist() == pytest.approx([.6, .25, 0, .1, 0, 0, 0, 0, .05])
    assert m["account_share"].tolist() == [.25, .25, 0, .25, 0, 0, 0, 0, .25]
    assert m.loc[0, "handling"] == HANDLING["AX"]
    grid = m.pivot(index="abc", columns="xyz", values="count")
    assert grid.to_numpy().tolist() == [[1, 1, 0], [1, 0, 0], [0, 0, 1]]


def test_matrix_refuses_mismatched_inputs():
    abc = pd.DataFrame({"account_id": ["a", "b"], "revenue": [1.0, 2.0], "abc": ["A", "B"]})
    with pytest.raises(ValueError, match=r"1 account\(s\) are in only one .* e.g. 'b'"):
        abc_xyz_matrix(abc, pd.DataFrame({"account_id": ["a"], "xyz": ["X"]}))
    with pytest.raises(ValueError, match=r"holds \['W'\]"):
        abc_xyz_matrix(abc, pd.DataFrame({"account_id": ["a", "b"], "xyz": ["X", "W"]}))


def test_handling_covers_every_cell():
    assert sorted(HANDLING) == [a + x for a in "ABC" for x in "XYZ"]
    assert all(len(text) > 40 for text in HANDLING.values())
    assert "key account manager" in HANDLING["AX"] and "low cost" in HANDLING["CZ"]


# --- invariants -------------------------------------------------------------------------------

amounts = st.lists(st.floats(-1e3, 1e6, allow_nan=False), min_size=1, max_size=40).filter(
    lambda v: sum(v) > 1e-3 * sum(abs(x) for x in v))


@PROPERTY
@given(amounts, st.sampled_from(["fixed", "auto"]))
def test_abc_classes_follow_rank(values, method):
    out = abc_classes(frame(values, ids=[f"{i:03d}" for i in range(len(values))]), method=method)
    assert out["rank"].tolist() == list(range(1, len(values) + 1))
    labels = out["abc"].tolist()
    assert labels == sorted(labels) and labels[0] == "A"
    assert (out.loc[out["revenue"] <= 0, "abc"] == "C").all()


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from("abcde"), st.integers(1, 12),
                          st.floats(-100, 1000, allow_nan=False)), min_size=1, max_size=40))
def test_xyz_class_is_always_stated(rows):
    f = pd.DataFrame({"account_id": [r[0] for r in rows],
                      "period": months(*[f"{r[1]:02d}" for r in rows]),
                      "revenue": [r[2] for r in rows]})
    out = xyz_classes(f)
    assert set(out["xyz"]) <= set("XYZ") and out["xyz"].notna().all()
    assert (out["xyz_reason"].str.len() > 0).all()
    assert sorted(out["account_id"]) == sorted(set(f["account_id"]))


def test_cell_members_largest_first_ties_by_id_named():
    from kamlib.abcxyz import cell_members

    abc = pd.DataFrame({"account_id": ["b", "a", "c", "d"], "revenue": [80.0, 80.0, 5.0, 90.0],
                        "abc": ["A", "A", "C", "A"]})
    xyz = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "xyz": ["X", "X", "Z", "Y"]})
    names = pd.DataFrame({"account_id": ["a", "c"], "account_name": ["Alpha", "<C>"]})
    got = cell_members(abc, xyz, names=names)
    assert got[["cell", "rank", "account_id", "account_name"]].values.tolist() == [
        ["AX", 1, "a", "Alpha"], ["AX", 2, "b", "b"], ["AY", 1, "d", "d"],
        ["CZ", 1, "c", "<C>"]]
    assert cell_members(abc, xyz, n=1)["account_id"].tolist() == ["a", "d", "c"]
