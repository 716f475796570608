"""What validation found: problems (errors, warnings) and counted cleaning steps.

Every problem names the file, sheet, line in the file (not a DataFrame index), column, rule
and offending values, with a hint how to fix it; a database table's rows checked where they
live (pushdown) have no line numbers and are named by their keys instead. A report renders
itself as text (CLI), as a DataFrame (notebooks, reports) and as escaped HTML.

Examples
--------
>>> r = ValidationReport()
>>> r.error("transactions", "tx.csv", "non-numeric", "revenue is not a number",
...         column="revenue", lines=(7,), values=("n/a",), hint="Fix or remove the value.")
>>> r.ok
False
>>> print(r.problems[0])
ERROR tx.csv line 7, column 'revenue' [non-numeric]: revenue is not a number; values: 'n/a'. Hint: Fix or remove the value.
>>> r.error("transactions", "sales", "implausible-amount", "1 revenue value(s) too large",
...         column="revenue", rows=("invoice_id=A7 line_no=2",), values=("5e+12",))
>>> r.problems[1].where()
"table sales, row invoice_id=A7 line_no=2, column 'revenue'"
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["Problem", "Cleaning", "ValidationReport", "ValidationError", "fragment"]

MAX_EXAMPLES = 5  # lines and values quoted per problem; the count says how many in all


@dataclass(frozen=True)
class Problem:
    """One rule broken in one column of one file, with up to five example lines and values."""

    severity: Literal["error", "warning"]
    table: str
    file: str
    rule: str
    message: str
    column: str | None = None
    sheet: str | None = None
    lines: tuple[int, ...] = ()
    values: tuple[str, ...] = ()
    count: int = 1
    hint: str = ""
    # rows of a database table named by their keys ("invoice_id=A7 line_no=2"): a table
    # read where it lives has no line numbers
    rows: tuple[str, ...] = ()

    @property
    def line(self) -> int | None:
        """The first offending line, if the problem is tied to lines."""
        return self.lines[0] if self.lines else None

    def where(self) -> str:
        """Where the problem is: ``tx.csv line 7, column 'revenue'``, or for a database
        table's rows named by their keys ``table sales, row invoice_id=A7 line_no=2, ...``."""
        if self.rows:
            return ", ".join([f"table {self.file}", self._shown("row", self.rows, "; "),
                              *([f"column '{self.column}'"] if self.column else [])])
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.lines:
            parts.append(self._shown("line", tuple(map(str, self.lines)), ", "))
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts[:1]) + (" " + ", ".join(parts[1:]) if len(parts) > 1 else "")

    def _shown(self, noun: str, items: tuple[str, ...], sep: str) -> str:
        """``lines 3, 7 (+2 more)``: the examples, and how many more the count says."""
        more = f" (+{self.count - len(items)} more)" if self.count > len(items) else ""
        return f"{noun}{'s' if len(items) > 1 else ''} {sep.join(items[:MAX_EXAMPLES])}{more}"

    def __str__(self) -> str:
        text = f"{self.severity.upper()} {self.where()} [{self.rule}]: {self.message}"
        if self.values:
            text += "; values: " + ", ".join(repr(v) for v in self.values[:MAX_EXAMPLES])
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


@dataclass(frozen=True)
class Cleaning:
    """A documented cleaning step that changed ``count`` rows (or ids, or columns)."""

    table: str
    file: str
    step: str
    count: int
    detail: str = ""

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"CLEANED {self.file} [{self.step}]: {self.count:,}{detail}"


@dataclass
class ValidationReport:
    """Every problem and cleaning step across all files of one load, in the order found."""

    problems: list[Problem] = field(default_factory=list)
    cleaning: list[Cleaning] = field(default_factory=list)
    # choices the loader made where the data could be read two ways, stated with the reason
    rules: dict[str, str] = field(default_factory=dict)
    # the tables that were read and their contract columns found: what the modules can use
    tables: dict[str, list[str]] = field(default_factory=dict)

    def rule(self, table: str, subject: str, choice: str) -> None:
        """State a choice the loader made (e.g. how exact duplicate lines were treated)."""
        self.rules[f"{table}: {subject}"] = choice

    def has(self, table: str, *columns: str) -> bool:
        """Whether ``table`` was read, with every one of ``columns``."""
        return table in self.tables and set(columns) <= set(self.tables[table])

    def error(self, table: str, file: str, rule: str, message: str, **kw) -> None:
        self.problems.append(Problem("error", table, file, rule, message, **_examples(kw)))

    def warn(self, table: str, file: str, rule: str, message: str, **kw) -> None:
        self.problems.append(Problem("warning", table, file, rule, message, **_examples(kw)))

    def cleaned(self, table: str, file: str, step: str, count: int, detail: str = "") -> None:
        if count:
            self.cleaning.append(Cleaning(table, file, step, int(count), detail))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks the analysis (warnings and cleaning are allowed)."""
        return not self.errors

    def cleaning_counts(self) -> dict[str, int]:
        """Cleaning counts keyed ``table.step`` (summed over files), for reports."""
        counts: dict[str, int] = {}
        for c in self.cleaning:
            counts[f"{c.table}.{c.step}"] = counts.get(f"{c.table}.{c.step}", 0) + c.count
        return counts

    def to_frame(self) -> pd.DataFrame:
        """Problems and cleaning steps as one table (severity: error, warning, cleaned)."""
        rows = [{**asdict(p), "lines": ", ".join(map(str, p.lines)),
                 "rows": "; ".join(p.rows), "values": ", ".join(p.values)}
                for p in self.problems]
        rows += [{"severity": "cleaned", "table": c.table, "file": c.file, "rule": c.step,
                  "message": c.detail, "count": c.count} for c in self.cleaning]
        cols = ["severity", "table", "file", "sheet", "lines", "rows", "column", "rule", "message",
                "values", "count", "hint"]
        return pd.DataFrame(rows, columns=cols)

    def summary(self) -> str:
        return (f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
                f"{len(self.cleaning)} cleaning step(s)")

    def __str__(self) -> str:
        lines = [str(p) for p in self.errors] + [str(p) for p in self.warnings]
        lines += [str(c) for c in self.cleaning]
        lines += [f"RULE {k}: {v}" for k, v in self.rules.items()]
        verdict = "clean" if self.ok and not self.warnings else self.summary()
        return "\n".join(lines + [f"Validation: {verdict}"])

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        frame = frame.astype(object).where(frame.notna(), "")  # an empty cell, never "None"
        # where a problem is (sheet, lines, rows) depends on the source: a column no problem
        # fills is left out rather than shown empty
        frame = frame.loc[:, [c not in ("sheet", "lines", "rows") or (frame[c] != "").any()
                              for c in frame.columns]]
        table = frame.to_html(index=False, escape=True, na_rep="") if len(frame) else ""
        rules = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>"
                        for k, v in self.rules.items())
        # the rules name settings: they sit under "How this was computed", collapsed
        return (f"<p><b>Validation:</b> {html.escape(self.summary())}</p>{table}"
                + (f"<details class='kamkit-how'><summary>How this was computed: the rules "
                   f"applied</summary><ul>{rules}</ul></details>" if rules else ""))

    def to_dict(self) -> dict:
        return {"problems": [asdict(p) for p in self.problems],
                "cleaning": [asdict(c) for c in self.cleaning],
                "rules": dict(self.rules), "tables": {k: list(v) for k, v in self.tables.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> ValidationReport:
        problems = [Problem(**{**p, "lines": tuple(p["lines"]), "values": tuple(p["values"]),
                               "rows": tuple(p.get("rows", ()))})
                    for p in data.get("problems", [])]
        return cls(problems, [Cleaning(**c) for c in data.get("cleaning", [])],
                   dict(data.get("rules", {})), dict(data.get("tables", {})))


def fragment(text: object, limit: int = 24) -> str:
    r"""A short, printable piece of a file's content for a message.

    A file that is not a table at all (a key file, a system file a link pointed to) must not
    have its content copied into a report or a terminal: a few characters say what it is.

    >>> fragment("root:x:0:0:root:/root:/bin/bash\x1b[31m")
    'root:x:0:0:root:/root:/b…'
    >>> fragment("a\x1b[31mb")
    'a\\x1b[31mb'
    """
    text = str(text)
    short = text[:limit] + ("…" if len(text) > limit else "")
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", short)


def _examples(kw: dict) -> dict:
    kw = dict(kw)
    lines = tuple(int(x) for x in kw.get("lines", ()))
    values = tuple(str(v) for v in kw.get("values", ()))
    rows = tuple(str(r) for r in kw.get("rows", ()))
    kw.setdefault("count", max(len(lines), len(rows), 1))
    kw["lines"], kw["values"] = lines[:MAX_EXAMPLES], values[:MAX_EXAMPLES]
    kw["rows"] = rows[:MAX_EXAMPLES]
    return kw


class ValidationError(ValueError):
    """Raised when the data has errors; ``.report`` holds every problem found."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(f"the data has {report.summary()}:\n{report}")
