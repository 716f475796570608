"""kamlib.plots: the charts build, carry the expected artists and render the same every time."""

import io

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from kamlib import plots  # noqa: E402
from kamlib.abcxyz import abc_xyz_matrix  # noqa: E402
from kamlib.concentration import gini, lorenz_curve, pareto_table  # noqa: E402


@pytest.fixture(autouse=True)
def theme():
    plots.set_theme()
    yield
    plt.close("all")


def totals(values, value="revenue"):
    return pd.DataFrame({"account_id": [f"{i:04d}" for i in range(len(values))],
                         value: [float(v) for v in values]})


def line(ax, label):
    (found,) = [ln for ln in ax.get_lines() if ln.get_label() == label]
    return found


def png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_theme_is_fixed():
    assert matplotlib.rcParams["svg.hashsalt"] == "kamkit"
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (8.0, 4.5)


def test_pareto_chart_artists():
    # 60, 25, 10, 3, 2: cum .6, .85, ... -> 2 accounts make 80%
    fig = plots.pareto_chart(pareto_table(totals([60, 25, 10, 3, 2])))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    bars, shares = fig.axes
    assert [round(p.get_height()) for p in bars.patches] == [60, 25, 10, 3, 2]
    cum = line(shares, "cumulative share")
    assert cum.get_ydata()[-1] == 1.0 and list(cum.get_xdata()) == [1, 2, 3, 4, 5]
    marker = line(shares, "vital few")
    assert list(marker.get_xdata()) == [2] and list(marker.get_ydata()) == [pytest.approx(0.85)]
    texts = [t.get_text() for t in shares.texts]
    assert texts == ["2 of 5 accounts (40.0%)\nmake 80% of revenue"]
    assert bars.get_ylabel() == "revenue" and shares.get_ylabel() == "cumulative share of revenue"


def test_pareto_chart_target_and_top():
    table = pareto_table(totals([60, 25, 10, 3, 2]))
    fig = plots.pareto_chart(table, target=0.9, top=3)
    bars, shares = fig.axes
    assert len(bars.patches) == 3
    assert list(line(shares, "vital few").get_xdata()) == [3]  # .6 .85 .95: 3 make 90%
    fig = plots.pareto_chart(table, target=0.99, top=2)  # k = 5 is off the chart: no marker
    assert not [ln for ln in fig.axes[1].get_lines() if ln.get_label() == "vital few"]


def test_pareto_chart_many_accounts_as_area_with_marker_at_k():
    # the telecom shape: 919 of 6,427 make 80%
    values = [22032.0] * 919 + [919.0] * 5508
    fig = plots.pareto_chart(pareto_table(totals(values)))
    bars, shares = fig.axes
    assert not bars.patches and any(isinstance(c, PolyCollection) for c in bars.collections)
    assert list(line(shares, "vital few").get_xdata()) == [919]
    assert "919 of 6,427 accounts (14.3%)" in shares.texts[0].get_text()


def test_pareto_chart_whale_curve_rises_above_one():
    # profit 100, 60, -20, -40: cum 1.0, 1.6, 1.4, 1.0
    fig = plots.pareto_chart(pareto_table(totals([100, 60, -20, -40], "profit"),
                                          value="profit"), value="profit", currency="EUR")
    shares = fig.axes[1]
    assert shares.get_ylim()[1] >= 1.6
    assert line(shares, "cumulative share").get_ydata()[-1] == 1.0
    assert fig.axes[0].get_ylabel() == "profit (EUR)"


def test_lorenz_chart_artists():
    lc = lorenz_curve(totals([60, 10, 30]))
    fig = plots.lorenz_chart(lc, gini=gini([60, 10, 30]))
    ax = fig.axes[0]
    eq, curve = line(ax, "equality"), line(ax, "Lorenz curve")
    assert list(eq.get_xdata()) == [0, 1] and list(eq.get_ydata()) == [0, 1]
    assert curve.get_ydata()[0] == 0 and curve.get_ydata()[-1] == 1
    assert ax.get_title() == "Lorenz curve (Gini 0.33)"


def test_abc_xyz_heatmap_artists():
    abc = pd.DataFrame({"account_id": list("abcd"), "revenue": [60.0, 25, 10, 5],
                        "abc": list("AABC")})
    xyz = pd.DataFrame({"account_id": list("abcd"), "xyz": list("XYXZ")})
    m = abc_xyz_matrix(abc, xyz)
    for show in ("share", "count"):
        fig = plots.abc_xyz_heatmap(m, show=show)
        ax = fig.axes[0]
        texts = [t.get_text() for t in ax.texts]
        assert len(texts) == 9
        assert texts[0] == "1 account\n60.0% of revenue"  # AX
        assert texts[8] == "1 account\n5.0% of revenue"  # CZ
        assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]
        assert len(fig.axes) == 2  # the colour bar
    image = plots.abc_xyz_heatmap(m, show="count").axes[0].images[0].get_array()
    assert np.asarray(image).tolist() == [[1, 1, 0], [1, 0, 0], [0, 0, 1]]
    with pytest.raises(ValueError, match="'share' or 'count'"):
        plots.abc_xyz_heatmap(m, show="value")


def test_charts_render_identically_and_leave_pyplot_alone():
    before = plt.get_fignums()
    table = pareto_table(totals([60, 25, 10, 3, 2]))
    first, second = plots.pareto_chart(table), plots.pareto_chart(table)
    assert plt.get_fignums() == before  # notebooks show the returned figure only once
    assert png(first) == png(second)


def test_charts_draw_into_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plots.lorenz_chart(lorenz_curve(totals([1, 2, 3])), ax=right) is fig
    assert line(right, "Lorenz curve") and not left.get_lines()


def test_charts_name_missing_columns():
    with pytest.raises(ValueError, match=r"\['rank', 'cum_share'\] not found"):
        plots.pareto_chart(totals([1, 2]))
