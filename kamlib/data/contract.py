"""The data contract: the canonical tables, their columns, types, keys and allowed values.

Written once here; the loader, the validator, the pandera schemas and the data dictionary in
``data/README.md`` all derive from these specs (a test keeps the dictionary in step).

Examples
--------
>>> from kamlib.data.contract import TABLES
>>> TABLES["transactions"].required
('account_id', 'date', 'revenue')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pandera is imported where a schema is made: a notebook kernel
    import pandera.pandas as pa  # opening prepared data never needs it (50 MB less)

Kind = Literal["id", "text", "date", "number", "integer"]

__all__ = ["Column", "Table", "TABLES", "pandera_schema", "data_dictionary", "DATE_MIN",
           "DATE_MAX", "MAX_AMOUNT", "normalise", "OUTLIER_YEARS", "NOTE_SECTIONS",
           "EVENT_TYPES", "BLANKS", "trim_blanks_sql"]

def normalise(name: object) -> str:
    """Column-name form used for matching: no BOM, trimmed, lower case, '_' for blanks."""
    return re.sub(r"[\s\-]+", "_", str(name).replace("\ufeff", "").strip().lower())


# What is trimmed from the ends of a value: every character Python calls whitespace (space,
# tab, line breaks, no-break and other Unicode spaces), not only the space, which is all
# DuckDB's trim() takes from ASCII text: "A\t" or "A\u00a0" is the id "A", as it reads.
BLANKS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
          "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def trim_blanks_sql(x: str) -> str:
    """SQL (DuckDB) trimming :data:`BLANKS` from both ends of ``x``.

    >>> import duckdb
    >>> duckdb.sql(f"SELECT {trim_blanks_sql(chr(39) + ' A' + chr(9) + chr(39))}").fetchall()
    [('A',)]
    >>> BLANKS == "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    True
    """
    return f"trim({x}, '{BLANKS}')"


# Every date column: a date outside these is a typo (or a placeholder such as 0000-00-00 or
# 9999-12-31), and a few of them would stretch every period-based figure over centuries.
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2100, 12, 31)
# Every number column: no single amount, cost or quantity is larger than this (a mistyped
# exponent or a pasted id is); below it, no sum over any number of lines can overflow.
MAX_AMOUNT = 1e15
# Transaction dates this many years before the median date are left out of the default
# analysis window (a warning lists them): they would otherwise set its start.
OUTLIER_YEARS = 20
# The sections of an account plan an account manager writes (IFA order). The data layer
# cannot import kamlib.planning (no cycles), so the names live here and
# kamlib.planning.notes.SECTIONS adds the prompts; a test keeps the two equal.
NOTE_SECTIONS = ("objectives", "strengths", "weaknesses", "opportunities", "threats",
                 "competitors", "scenarios", "actions")

# The relationship events an account manager records (kamlib.relationships reads them): the
# signals of the upper ladder stages, the bonds and the warnings. One meaning each:
EVENT_TYPES = {
    "referral": "the account recommended us to another company (ladder: supporter)",
    "co-development": "the account worked with us to improve the solution (ladder: advocate)",
    "joint planning": "a joint planning session with the account (ladder: partner; KAM "
                      "partnership)",
    "marketing decision": "the account took part in our marketing or selling decisions "
                          "(ladder: partner)",
    "customisation": "a product or service customised for the account (customisation bond)",
    "multi-year contract": "a contract over more than one year was signed (structural bond)",
    "joint investment": "an investment made together with the account (structural bond; KAM "
                        "synergistic)",
    "complaint": "a complaint raised by the account (a warning; raised constructively, also a "
                 "sign of trust)",
    "escalation": "a complaint escalated to senior management (a warning)",
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    ``kind`` decides how raw text is parsed: ``id`` (kept as text, whitespace trimmed, leading
    zeros kept), ``text``, ``date``, ``number`` (decimal, config separators) or ``integer``.
    """

    name: str
    kind: Kind
    required: bool
    description: str
    allowed: tuple | None = None
    min_value: float | None = None
    max_value: float | None = None
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, its key and whether a data set must have it."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required_table: bool = True
    references: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_ACCOUNT_ID = Column("account_id", "id", True, "Account identifier (text; leading zeros kept).",
                     nullable=False)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "accounts",
            "One row per customer account (the master data).",
            (
                _ACCOUNT_ID,
                Column("account_name", "text", True, "Account (company) name.", nullable=False),
                Column("industry", "text", False, "Industry or sector, e.g. Banking."),
                Column("region", "text", False, "Sales region."),
                Column("account_manager", "text", False, "Responsible account manager."),
                Column("customer_since", "date", False, "Date of the first contract."),
                Column("wallet_estimate", "number", False,
                       "Estimated yearly spend of the account in our category (share of wallet).",
                       min_value=0),
                Column("need_score", "number", False,
                       "How strongly the account needs our offer, 0 (none) to 10 (critical).",
                       min_value=0, max_value=10),
                Column("acquisition_cost", "number", False,
                       "One-off cost of winning the account.", min_value=0),
                Column("channel", "text", False,
                       "How the account buys: \"dealer\" marks a dealer (reseller) that the "
                       "dealer programme scores; anything else, e.g. \"direct\", is not."),
                Column("marketing_spend_trend", "number", False,
                       "Dealers: yearly change of the dealer's own marketing spend, e.g. "
                       "0.08 for +8%.", min_value=-1),
                Column("new_product_promotion", "number", False,
                       "Dealers: willingness to promote our new products, 1 (none) to 5.",
                       min_value=1, max_value=5),
                Column("service_level", "number", False,
                       "Dealers: the service level the dealer gives its customers, 1 (poor) "
                       "to 5.", min_value=1, max_value=5),
            ),
            key=("account_id",),
            required_table=False,
        ),
        Table(
            "transactions",
            "Invoice lines: the only large table. Credit notes are negative revenue.",
            (
                _ACCOUNT_ID,
                Column("date", "date", True, "Invoice date.", nullable=False),
                Column("revenue", "number", True,
                       "Net revenue of the line in the reporting currency (negative = credit).",
                       nullable=False),
                Column("product", "text", False, "Product or service line."),
                Column("cost", "number", False, "Direct cost of goods or services sold."),
                Column("invoice_id", "id", False, "Invoice number (several lines per invoice)."),
                Column("line_no", "id", False,
                       "Line number within the invoice (with invoice_id, the line's identity)."),
                Column("quantity", "number", False, "Units sold."),
            ),
            references={"account_id": "accounts"},
        ),
        Table(
            "activities",
            "Account-team activities, the drivers of cost to serve.",
            (
                _ACCOUNT_ID,
                Column("date", "date", True, "Date of the activity.", nullable=False),
                Column("activity", "text", True, "Activity type; must appear in activity_rates.",
                       nullable=False),
                Column("quantity", "number", False, "How many (default 1).", min_value=0),
            ),
            references={"account_id": "accounts", "activity": "activity_rates"},
            required_table=False,
        ),
        Table(
            "activity_rates",
            "Cost per unit of each activity type (activity-based costing).",
            (
                Column("activity", "text", True, "Activity type.", nullable=False),
                Column("unit_cost", "number", True, "Cost of one activity.", min_value=0,
                       nullable=False),
            ),
            key=("activity",),
            required_table=False,
        ),
        Table(
            "contacts",
            "People at each account (decision-making map).",
            (
                _ACCOUNT_ID,
                Column("contact_name", "text", True, "Person's name.", nullable=False),
                Column("role", "text", True, "Job role, e.g. CIO, Procurement.", nullable=False),
                Column("circle", "integer", False,
                       "1 buying unit, 2 support roles, 3 others who matter for future business.",
                       allowed=(1, 2, 3)),
                Column("last_contact", "date", False, "Date of the last contact."),
            ),
            references={"account_id": "accounts"},
            required_table=False,
        ),
        Table(
            "opportunities",
            "Open and closed sales opportunities (optional).",
            (
                _ACCOUNT_ID,
                Column("opportunity_id", "id", True, "Opportunity identifier.", nullable=False),
                Column("stage", "text", True, "Pipeline stage.", nullable=False,
                       allowed=("prospect", "proposal", "negotiation", "won", "lost")),
                Column("product", "text", False, "Product or solution offered."),
                Column("value", "number", False, "Expected deal value."),
                Column("close_date", "date", False, "Expected or actual close date."),
            ),
            key=("opportunity_id",),
            required_table=False,
            references={"account_id": "accounts"},
        ),
        Table(
            "events",
            "Relationship events per account (optional): the signals of the upper stages of "
            "the relationship ladder, of the bonds and of the warnings. Without it the "
            "relationships page names the stages it cannot see.",
            (
                _ACCOUNT_ID,
                Column("date", "date", True, "Date of the event.", nullable=False),
                Column("type", "text", True, "Event type (lower case): "
                       + "; ".join(f"{k}: {v}" for k, v in EVENT_TYPES.items()) + ".",
                       nullable=False, allowed=tuple(EVENT_TYPES)),
                Column("note", "text", False, "What happened, in words."),
            ),
            references={"account_id": "accounts"},
            required_table=False,
        ),
        Table(
            "account_notes",
            "What account managers write into the account plans (optional; several rows of "
            "one account and section are joined). Missing sections show a prompt.",
            (
                _ACCOUNT_ID,
                Column("section", "text", True, "Plan section (lower case).", nullable=False,
                       allowed=NOTE_SECTIONS),
                Column("text", "text", False, "What the account manager wrote."),
            ),
            references={"account_id": "accounts"},
            required_table=False,
        ),
    )
}

_DTYPES = {"id": "str", "text": "str", "date": "datetime64[ns]", "number": "float64",
           "integer": "Int64"}


def pandera_schema(table: str, *, values_only: bool = False) -> pa.DataFrameSchema:
    """The pandera schema of a canonical table, after parsing (types, ranges, allowed values).

    ``values_only`` leaves out the null and key checks, which the loader runs in DuckDB to
    name lines and to tell exact duplicates (cleaned) from conflicting ones (errors).

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [120.0]})
    >>> pandera_schema("activity_rates").validate(rates).shape
    (1, 2)
    """
    import pandera.pandas as pa

    spec = TABLES[table]
    columns = {}
    for c in spec.columns:
        checks = []
        if c.min_value is not None:
            checks.append(pa.Check.ge(c.min_value))
        if c.max_value is not None:
            checks.append(pa.Check.le(c.max_value))
        if c.allowed is not None:
            checks.append(pa.Check.isin(list(c.allowed)))
        columns[c.name] = pa.Column(
            _DTYPES[c.kind], checks=checks, nullable=c.nullable or values_only,
            required=c.required, unique=spec.key == (c.name,) and not values_only, coerce=True,
        )
    return pa.DataFrameSchema(columns, strict=False, name=table)


def data_dictionary() -> str:
    """The data dictionary as Markdown (``data/README.md`` holds it; a test keeps it in step).

    Examples
    --------
    >>> print(data_dictionary().splitlines()[0])
    ### accounts (optional)
    """
    out = []
    for t in TABLES.values():
        out.append(f"### {t.name} ({'required' if t.required_table else 'optional'})\n")
        refs = "; ".join(f"`{c}` must exist in `{r}`" for c, r in t.references.items())
        out.append(t.description + (f" Key: `{', '.join(t.key)}`." if t.key else "")
                   + (f" References: {refs}." if refs else "") + "\n")
        out.append("| column | required | type | meaning | allowed |")
        out.append("|---|---|---|---|---|")
        for c in t.columns:
            allowed = ", ".join(map(str, c.allowed)) if c.allowed else ""
            if c.min_value is not None or c.max_value is not None:
                lo = "" if c.min_value is None else f">= {c.min_value:g}"
                hi = "" if c.max_value is None else f"<= {c.max_value:g}"
                allowed = " and ".join(x for x in (lo, hi) if x)
            out.append(f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.kind} | "
                       f"{c.description} | {allowed} |")
        out.append("")
    out.append(f"Every date must lie between {DATE_MIN} and {DATE_MAX}, and every number "
               f"must be at most {MAX_AMOUNT:.0e} in absolute value; other values are errors.\n")
    return "\n".join(out)
