"""Excel sources: one sheet of a workbook, read as text the way a person sees the cells.

Title rows above the header, a missing sheet and blank rows are handled as in
:mod:`kamlib.data.sources` for CSV. Without a ``sheet`` setting the table is the one sheet
whose header holds the table's columns; two such sheets ("H1 2024", "H2 2024") are an
error naming both, never a silent pick of the first; cell values become text (dates as ISO dates, whole numbers
without ".0") so that parsing treats them like CSV fields. Blank rows are skipped and
remembered, so problems still name the workbook's own row numbers.
"""

from __future__ import annotations

import pandas as pd

from kamlib.data.contract import TABLES
from kamlib.data.sources.base import RawTable, find_header, header_or_error, map_columns

__all__ = ["read_excel"]


def _cell_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _uncomputed(path, sheet: str, data: pd.DataFrame, h: int, positions: dict[str, int],
                header: list[str], name: str, file: str, report) -> dict[str, list[int]]:
    """Row ids per column of the formula cells that have no stored value, reported.

    Libraries that write workbooks (openpyxl, most report generators) store the formula
    but not its result; only Excel computes it on saving. Such a cell reads as empty, which
    would be a misleading "missing value" or, in an optional column, a silent gap.
    """
    blank = data.isna()
    if not blank.any().any():
        return {}
    import openpyxl  # the formulas themselves, which pandas does not show

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        rows = list(book[sheet].iter_rows(min_row=1, min_col=1, values_only=True))
    finally:
        book.close()
    found = []  # (data index, column, formula)
    for col, i in positions.items():
        for k in blank.index[blank[col]]:
            row = rows[h + 1 + k] if h + 1 + k < len(rows) else ()
            cell = row[i] if i < len(row) else None
            if isinstance(cell, str) and cell.startswith("="):
                found.append((k, col, cell))
    for col in dict.fromkeys(c for _, c, _ in found):
        hits = [(k, f) for k, c, f in found if c == col]
        report.error(name, file, "formula-without-value", f"{len(hits)} cell(s) hold a formula "
                     "without a computed value", sheet=sheet, column=header[positions[col]],
                     lines=[h + 2 + k for k, _ in hits], values=[f for _, f in hits],
                     count=len(hits), hint="Open the file in Excel and save it (Excel stores "
                     "the computed values), or paste the values instead of the formulas.")
    return {col: [data.index.get_loc(k) for k, c, _ in found if c == col]
            for col in dict.fromkeys(c for _, c, _ in found)}


def _holding(path, sheets: list[str], name: str, config) -> list[str]:
    """The sheets whose first 50 rows hold a header with every column ``name`` needs."""
    found = []
    for sheet in sheets:
        top = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, nrows=50)
        rows = [[_cell_text(v) or "" for v in row] for row in top.itertuples(index=False)]
        if find_header(rows, name, config) is not None:
            found.append(sheet)
    return found


def read_excel(con, name, path, file, config, report) -> RawTable | None:
    """Load one sheet into ``con`` as ``raw_<name>``; ``None`` (and errors) if it cannot."""
    src = config.tables[name]
    try:
        sheets = pd.ExcelFile(path).sheet_names
    except Exception as err:  # openpyxl raises many types for a broken workbook
        report.error(name, file, "unreadable", f"not a readable Excel workbook: {err}")
        return None
    candidates = _holding(path, sheets, name, config) if not src.sheet and len(sheets) > 1 \
        else []
    if len(candidates) > 1:
        report.error(name, file, "ambiguous-sheet", f"{len(candidates)} sheets hold a {name} "
                     f"table; which one is meant is not said", values=candidates,
                     count=len(candidates),
                     hint=f"Set [tables.{name}] sheet = one of {candidates}, or put the rows "
                          "into one sheet (or one file per sheet) to read them all.")
        return None
    sheet = src.sheet or (candidates or sheets)[0]
    if sheet not in sheets:
        report.error(name, file, "missing-sheet", f"no sheet named {sheet!r}", sheet=sheet,
                     values=sheets, count=len(sheets),
                     hint=f"Set [tables.{name}] sheet to one of {sheets}.")
        return None
    grid = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    rows = [[_cell_text(v) or "" for v in row] for row in grid.itertuples(index=False)]
    h = src.header_row - 1
    if len(rows) <= h:
        report.error(name, file, "empty-file", "the sheet is empty", sheet=sheet,
                     hint=f"Sheets in the workbook: {sheets}.")
        return None
    if not header_or_error(rows[:50], name, file, config, report, sheet):
        return None
    header = [c for c in rows[h]]
    while header and header[-1] == "":
        header.pop()
    positions = map_columns(name, header, file, config, report, sheet)
    if positions is None:
        return None
    data = pd.DataFrame({c: [_cell_text(v) for v in grid.iloc[h + 1:, i]]
                         for c, i in positions.items()}, dtype=object)
    data = data[data.notna().any(axis=1)]  # Excel's trailing formatted-but-empty rows
    formulas = _uncomputed(path, sheet, data, h, positions, header, name, file, report)
    if data.empty:
        if TABLES[name].required_table:
            report.error(name, file, "no-data", "the sheet has a header but no data rows",
                         sheet=sheet, lines=(h + 1,))
            return None
        report.warn(name, file, "no-data", f"the sheet has a header but no data rows: read as "
                    f"an empty {name} table", sheet=sheet, lines=(h + 1,),
                    hint="Fine if there are none; otherwise export the rows too.")
        data = pd.DataFrame({c: pd.Series([], dtype=object) for c in positions}).astype(str)
    skipped = sorted(set(range(len(grid) - h - 1)) - set(data.index))  # blank rows
    con.register(f"raw_{name}", data.reset_index(drop=True))
    return RawTable(name, file, path, f"raw_{name}", {c: header[i] for c, i in positions.items()},
                    {c: "VARCHAR" for c in positions}, len(data), sheet=sheet,
                    first_line=h + 2, skipped_lines=[h + 2 + s for s in skipped],
                    explained_blanks=formulas)
