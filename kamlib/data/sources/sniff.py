"""What a file really is, from its first bytes, when its name says otherwise.

A CSV renamed ``.xlsx``, a web page saved as ``.xls``, a workbook renamed ``.csv``: each
reader would fail with its own puzzling message (or read binary as text). The magic bytes
say what the file is, so the error can say what to do.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "accounts.xlsx"
>>> _ = path.write_text("account_id,account_name\\n001,Alpha\\n")
>>> print(mismatch(path))
accounts.xlsx is really a CSV text file, not an Excel workbook: rename it to accounts.csv
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

__all__ = ["real_kind", "mismatch"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Microsoft's compound file: .xls, .doc, encrypted
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream a protected .xlsx is kept in
_KINDS = {  # kind -> (what it is, what to do)
    "text": ("a CSV text file", "rename it to {stem}.csv"),
    "xlsx": ("an Excel workbook (.xlsx)", "rename it to {stem}.xlsx"),
    "xls": ("an old Excel 97-2003 workbook (.xls)",
            "open it in Excel and save it as .xlsx (or install python-calamine or xlrd)"),
    "encrypted": ("a password-protected workbook",
                  "remove the password (in Excel: File > Info > Protect Workbook) and save it"),
    "ods": ("an OpenDocument spreadsheet (.ods)", "save it as .xlsx or CSV"),
    "docx": ("a Word document", "export the table as CSV or .xlsx"),
    "zip": ("a zip archive", "unpack it and point kam.toml at the file inside"),
    "html": ("an HTML web page", "open it in Excel and save it as .xlsx, or export the data "
             "as CSV from the system it came from"),
    "xml": ("an XML file (perhaps Excel's 'XML Spreadsheet 2003')",
            "open it in Excel and save it as .xlsx"),
    "pdf": ("a PDF document", "export the table as CSV or .xlsx from the system it came from"),
    "parquet": ("a Parquet file", "rename it to {stem}.parquet"),
    "binary": ("a binary file, not text", "export the table as CSV or .xlsx"),
}
_EXPECTED = {".csv": "text", ".tsv": "text", ".txt": "text", ".xlsx": "xlsx", ".xlsm": "xlsx",
             ".xls": "xls", ".parquet": "parquet"}
_NAMES = {"text": "a text file", "xlsx": "an Excel workbook", "xls": "an Excel 97-2003 workbook",
          "parquet": "a Parquet file"}


def real_kind(path: Path) -> str:
    """One of the kinds in ``_KINDS``, judged from the file's first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(_OLE2):
        return "encrypted" if _holds(path, _ENCRYPTED) else "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "text"  # UTF-16 with a byte-order mark
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")):
        return "html"
    if start.startswith(b"<?xml"):
        return "html" if b"<html" in head.lower() else "xml"
    if b"\x00" in head:
        return "binary"
    return "text"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError):
        return "binary"
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return "xlsx"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if any(n.startswith("word/") for n in names):
        return "docx"
    return "zip"


def _holds(path: Path, marker: bytes, limit: int = 1 << 26) -> bool:
    """Whether ``marker`` occurs in the first ``limit`` bytes (an OLE2 directory entry)."""
    with open(path, "rb") as fh:
        return marker in fh.read(limit)


def _xls_readable() -> bool:
    return any(importlib.util.find_spec(m) for m in ("python_calamine", "xlrd"))


def mismatch(path: Path) -> str | None:
    """What the file really is and what to do, when its extension says otherwise; else None."""
    expected = _EXPECTED.get(path.suffix.lower())
    if expected is None:
        return None
    kind = real_kind(path)
    if kind == expected and not (kind == "xls" and not _xls_readable()):
        return None
    what, todo = _KINDS[kind]
    todo = todo.format(stem=path.stem)
    if kind == expected:  # a real .xls, and no reader for it installed
        return f"{path.name} is {what}, which this installation cannot read: {todo}"
    return f"{path.name} is really {what}, not {_NAMES[expected]}: {todo}"
