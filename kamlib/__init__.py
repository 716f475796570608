"""kamlib: the computations behind kamkit, a course and report kit for Key Account Management.

The public namespace is small on purpose: load and validate data, then call the analyses.

Examples
--------
>>> import kamlib as kl
>>> ds = kl.load()                                   # the bundled sample data set
>>> ds.report.ok
True
"""

from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _version

from kamlib.abcxyz import abc_classes, abc_xyz_matrix, xyz_classes
from kamlib.concentration import account_totals, concentration_summary, pareto_table
from kamlib.profiles import account_profiles
from kamlib.profitability import cost_to_serve, customer_pnl, whale_curve
from kamlib.segments import rfm_scores, rfm_segments
from kamlib.data import (Config, ConfigError, Cube, Dataset, ValidationError, ValidationReport,
                         load, load_config, open_dataset, validate)

try:
    __version__ = _version("kamkit")
except _NotInstalled:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "Config", "ConfigError", "Cube", "Dataset", "ValidationError", "ValidationReport",
    "load", "load_config", "open_dataset", "validate", "__version__",
    # analyses
    "account_totals", "pareto_table", "concentration_summary",
    "abc_classes", "xyz_classes", "abc_xyz_matrix",
    "account_profiles", "rfm_scores", "rfm_segments",
    "cost_to_serve", "customer_pnl", "whale_curve",
]
