"""The data layer: from a company's files (or the bundled sample) to analysis-ready frames.

``config`` reads ``kam.toml``; ``contract`` says what the canonical tables hold;
``sources`` reads each table raw (one reader per format); ``parsing`` and ``typed_read``
type the values; ``checks`` runs the rules across rows and tables; ``cube`` aggregates the
transactions to account x period facts; ``dataset`` ties it together (:func:`load`,
:func:`validate`, :func:`open_dataset`); ``sample`` makes the bundled sample.

Examples
--------
>>> from kamlib.data import load
>>> load().report.ok
True
"""

from kamlib.data.config import Config, ConfigError, load_config
from kamlib.data.cube import Cube
from kamlib.data.dataset import Dataset, load, open_dataset, validate
from kamlib.data.problems import ValidationError, ValidationReport

__all__ = ["Config", "ConfigError", "Cube", "Dataset", "ValidationError", "ValidationReport",
           "load", "load_config", "open_dataset", "validate"]
