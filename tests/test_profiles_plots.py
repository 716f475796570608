"""kamlib.plots.profiles: the segment map, the segment bars and the cohort map carry the
figures of the frames they are given, with data text drawn as text."""

import io

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kamlib import plots  # noqa: E402
from kamlib.segments import SEGMENTS, cohort_table, rfm_scores, rfm_segments, segment_summary  # noqa: E402,E501


@pytest.fixture(autouse=True)
def theme():
    plots.set_theme()
    yield
    plt.close("all")


def texts(ax, gid=None):
    return [t.get_text() for t in ax.texts if gid is None or t.get_gid() == gid]


def png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@pytest.fixture
def segments():
    # r, fm chosen by hand: 3 cells of "Recent, high value", 1 of "Least recent, low to mid
    # value", 1 of "Most recent, lowest value"
    return pd.DataFrame({"account_id": list("abcdef"), "r": [5, 5, 4, 1, 5, 1],
                         "fm": [5, 5, 4, 1, 1, 2], "segment": [""] * 6})


def test_segment_map_counts_every_cell_and_names_every_segment(segments):
    fig = plots.rfm_segment_map(segments)
    ax = fig.axes[0]
    counts = texts(ax, "count")
    assert len(counts) == 25 and sum(map(int, counts)) == 6
    # cells are drawn FM row by row from 1, R from 1: (fm 5, r 5) is the last
    assert counts[-1] == "2" and counts[0] == "1" and counts[3 * 5 + 3] == "1"
    names = [n.replace("\n", " ") for n in texts(ax, "segment")]
    assert names == list(SEGMENTS["segment"])
    assert len(ax.patches) == len(SEGMENTS)
    assert ax.get_xlabel().startswith("R: recency score (5 = bought most recently)")
    assert ax.get_ylabel().startswith("FM: frequency and monetary score")
    assert "33%" in texts(ax, "account_share")  # 2 of 6 accounts in (5, 5)


def test_segment_map_of_a_company_table_with_a_dollar_in_a_name(segments):
    table = pd.DataFrame({"segment": ["Top $ buyers", "The rest"], "r_from": [4, 1],
                          "r_to": [5, 3], "fm_from": [1, 1], "fm_to": [5, 5]})
    # 4-5 on R is one block, 1-3 the other: every cell once
    fig = plots.rfm_segment_map(segments, table)
    assert texts(fig.axes[0], "segment") == ["Top $ buyers", "The rest"]
    png(fig)  # renders: a "$" in a name is text, not an unclosed math expression


def test_segment_map_works_from_real_scores():
    prof = pd.DataFrame({"account_id": [f"{i:02d}" for i in range(20)],
                         "recency_days": np.arange(20) * 15, "frequency": np.arange(20) % 7 + 1,
                         "monetary": np.linspace(100, 5000, 20)})
    seg = rfm_segments(rfm_scores(prof))
    fig = plots.rfm_segment_map(seg)
    assert sum(int(t) for t in texts(fig.axes[0], "count")) == 20


def test_segment_chart_bars_and_labels():
    prof = pd.DataFrame({"segment": ["Recent, high value", "Least recent", "Least recent",
                                     "$ club"],
                         "monetary": [600.0, 100.0, 100.0, 200.0], "invoices": [6, 1, 1, 2],
                         "revenue_12m": [600.0, 0, 0, 200], "revenue_prior_12m": [500.0, 200,
                                                                                   0, 0]})
    fig = plots.segment_chart(segment_summary(prof, "segment"))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Least recent", "$ club",
                                                            "Recent, high value"]
    revenue = [p.get_width() for p in ax.containers[0]]
    assert revenue == pytest.approx([0.2, 0.2, 0.6])
    assert [t.get_text() for t in ax.texts][-3:] == ["2", "1", "1"]  # accounts
    assert ax.get_legend().get_texts()[0].get_text() == "share of revenue"
    png(fig)


def test_cohort_heatmap_cells_and_labels():
    am = pd.DataFrame({"account_id": ["a", "a", "b", "b", "c"],
                       "revenue": [10.0, 5.0, 30.0, 30.0, 20.0],
                       "period": pd.to_datetime(["2024-01-01", "2024-04-01", "2024-01-01",
                                                 "2024-07-01", "2024-04-01"])})
    fig = plots.cohort_heatmap(cohort_table(am))
    ax = fig.axes[0]
    assert np.ma.getdata(ax.images[0].get_array())[0].tolist() == [1.0, 0.5, 0.5]
    assert texts(ax) == ["100%", "50%", "50%", "100%"]  # the triangle's empty cells unlabelled
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2024Q1 (2)", "2024Q2 (1)"]
    assert ax.get_xlabel() == "quarters since the first purchase"
    assert len(fig.axes) == 2
    fig = plots.cohort_heatmap(cohort_table(am), show="revenue_retained")
    assert "12%" in texts(fig.axes[0])  # 5 of 40
    with pytest.raises(ValueError, match="'active_share' or 'revenue_retained'"):
        plots.cohort_heatmap(cohort_table(am), show="revenue")


def test_profile_charts_render_identically_and_name_missing_columns(segments):
    assert png(plots.rfm_segment_map(segments)) == png(plots.rfm_segment_map(segments))
    with pytest.raises(ValueError, match=r"\['fm'\] not found"):
        plots.rfm_segment_map(segments.drop(columns="fm"))
