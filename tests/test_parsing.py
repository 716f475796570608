"""Number parsing round-trips under every separator convention; wrong conventions fail."""

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.data.parsing import number_sql

CONVENTIONS = [(".", ""), (".", ","), (",", "."), (",", " "), (".", "'")]
con = duckdb.connect()


def parse(text: str, decimal: str, thousands: str):
    expr = number_sql("x", decimal=decimal, thousands=thousands)
    return con.execute(f"SELECT {expr} FROM (SELECT ?::VARCHAR AS x)", [text]).fetchone()[0]


def write(value: float, decimal: str, thousands: str) -> str:
    text = f"{value:,.2f}" if thousands else f"{value:.2f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e9, 1e9, allow_nan=False), st.sampled_from(CONVENTIONS))
def test_written_numbers_read_back(value, convention):
    decimal, thousands = convention
    text = write(value, decimal, thousands)
    assert parse(text, decimal, thousands) == pytest.approx(round(value, 2), abs=0.006)


@pytest.mark.parametrize("text, decimal, thousands, expected", [
    ("1.234,56", ",", ".", 1234.56),
    ("1,234.56", ".", ",", 1234.56),
    ("1.234,56", ".", ",", None),    # the other convention: refused, never 1.23456
    ("1,234.56", ",", ".", None),
    ("1,234", ".", "", None),        # a comma without a configured thousands separator
    ("1.23", ",", ".", None),        # grouping must come in threes
    ("-12", ".", "", -12.0),
    ("n/a", ".", "", None),
    ("nan", ".", "", None),
    ("inf", ".", "", None),
])
def test_conventions(text, decimal, thousands, expected):
    assert parse(text, decimal, thousands) == expected

