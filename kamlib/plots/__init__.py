"""Charts: one module per analysis, each taking the frames that analysis returns.

Each function takes the frame an analysis returned and gives back a matplotlib Figure
(shown when it is a cell's last value; ``fig.savefig`` for files); call :func:`set_theme`
once first, so every chart looks the same on every run. Charts compute nothing the analyses
did not, except the k of the target marker, by the same rule: each traces back to a frame.

Examples
--------
>>> import pandas as pd
>>> from kamlib.concentration import pareto_table
>>> set_theme()
>>> totals = pd.DataFrame({"account_id": list("abc"), "revenue": [60.0, 30.0, 10.0]})
>>> fig = pareto_chart(pareto_table(totals))
>>> fig.axes[0].get_xlabel()
'accounts, largest first (rank)'
"""

from kamlib.plots.abcxyz import abc_xyz_heatmap
from kamlib.plots.concentration import lorenz_chart, pareto_chart
from kamlib.plots.planning import value_need_chart
from kamlib.plots.overview import product_chart, revenue_trend_chart
from kamlib.plots.profiles import cohort_heatmap, rfm_segment_map, segment_chart
from kamlib.plots.profitability import clv_waterfall_chart, cost_price_chart, whale_chart
from kamlib.plots.relationships import health_chart, score_trend_chart, stage_chart
from kamlib.plots.retention import losses_chart, tier_what_if_chart
from kamlib.plots.theme import COLORS, set_theme

__all__ = ["set_theme", "pareto_chart", "lorenz_chart", "abc_xyz_heatmap", "revenue_trend_chart",
           "product_chart", "rfm_segment_map", "segment_chart", "cohort_heatmap", "whale_chart",
           "cost_price_chart", "clv_waterfall_chart", "value_need_chart", "stage_chart",
           "health_chart", "score_trend_chart", "losses_chart", "tier_what_if_chart", "COLORS"]
