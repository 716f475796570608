"""Every published page also as a PDF, printed by headless Chromium.

The printer is Debian's ``chromium`` (never a browser build Playwright downloads), driven
by Playwright for Python (the ``pdf`` extra). The pages carry their own print layout (A4,
breaks between sections, no chart or table row cut in half: ``templates/kamkit/print.css``);
the browser only follows it, offline (a request that leaves the machine is refused).

PDFs are printed from the published pages into the build's staging folder, recorded in the
folder's record of what the kit wrote, and only then moved beside their pages
(``index.pdf`` beside ``index.html``). A failed print raises :class:`PrintError` and leaves
the published HTML pages as they are.

Examples
--------
>>> pdf_names(["index.html", "10_concentration.html", "changes.xlsx"])
['index.pdf', '10_concentration.pdf']
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

from kamlib._written import foreign, owned, read_record, refuse, sha256

__all__ = ["PrinterMissing", "PrintError", "check_printer", "pdf_names", "print_pages",
           "publish_pdfs", "publish_pdfs_or_say", "CHROMIUM_ARGS"]

# a quiet, offline browser: no sandbox (root in CI), no GPU, nothing phoning home
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PAGE_TIMEOUT_MS = 120_000  # one page's load and print; the largest sample page takes ~2 s


class PrinterMissing(RuntimeError):
    """Chromium or Playwright is not installed; the message says how to install it."""


class PrintError(RuntimeError):
    """Printing a page to PDF failed (the HTML pages stay published)."""


def check_printer() -> str:
    """The path of the system ``chromium``, once Playwright is importable too.

    Raises
    ------
    PrinterMissing
        One line naming what is missing and the command that installs it.

    Examples
    --------
    >>> check_printer().endswith("chromium")           # doctest: +SKIP
    True
    """
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("Playwright for Python (pip install -e '.[pdf]'; make installs it)")
    chromium = shutil.which("chromium")
    if chromium is None:
        missing.append("Debian's chromium (sudo apt-get install chromium; no browser is "
                       "downloaded)")
    if missing:
        raise PrinterMissing("--pdf needs " + " and ".join(missing) + "; nothing was built")
    return chromium


def pdf_names(pages: list[str]) -> list[str]:
    """The PDF file name of each ``.html`` page in ``pages`` (other files have none)."""
    return [f"{name[:-5]}.pdf" for name in pages if name.endswith(".html")]


def print_pages(pages: list[Path], into: Path, *, console=None,
                show_progress: bool = False) -> list[Path]:
    """Print each HTML page in ``pages`` to ``into/<stem>.pdf`` on A4; the PDFs written.

    Examples
    --------
    >>> print_pages([Path("reports/index.html")], Path("/tmp"))   # doctest: +SKIP
    [PosixPath('/tmp/index.pdf')]
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    chromium = check_printer()
    into.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with sync_playwright() as p, Progress(
                "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=console, transient=True,
                disable=not show_progress) as bar:
            job = bar.add_task("printing PDFs", total=len(pages))
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context()
                # the pages are self-contained; anything else would be a request off the machine
                context.route("**/*", lambda r: r.continue_()
                              if r.request.url.startswith("file:") else r.abort())
                page = context.new_page()
                page.set_default_timeout(PAGE_TIMEOUT_MS)
                for path in pages:
                    bar.update(job, description=f"printing {path.name}")
                    page.goto(path.resolve().as_uri(), wait_until="load")
                    target = into / pdf_names([path.name])[0]
                    # the page's @page rule sets A4 and the margins; A4 if it has none
                    page.pdf(path=str(target), format="A4", print_background=True,
                             prefer_css_page_size=True)
                    written.append(target)
                    bar.update(job, advance=1)
            finally:
                browser.close()
    except (PlaywrightError, OSError) as err:  # the browser died, or the disk is full
        done = len(written)
        failed = pages[done].name if done < len(pages) else "the browser"
        raise PrintError(f"printing {failed} to PDF failed: {err}".splitlines()[0]) from err
    return written


def publish_pdfs(staging: Path, out: Path, record_file: str, *, force: bool = False,
                 console=None, show_progress: bool = False) -> list[str]:
    """Print every page listed in ``out/record_file`` and publish the PDFs beside them.

    The record (``{"files": {name: sha256}, ...}``, :mod:`kamlib._written`) gains the PDFs
    before they are moved in, so a PDF in ``out`` is always one the kit knows it wrote.

    Raises
    ------
    PrintError
        A page could not be printed; nothing was moved and the record is unchanged.
    OverwriteError
        A file the kit did not write holds a PDF's name (unless ``force``).
    """
    record = read_record(out / record_file)
    pages = sorted(n for n in record if n.endswith(".html") and owned(out, n, record))
    if not force:
        refuse(out, foreign(out, pdf_names(pages), record), "the PDF step")
    into = staging / "_pdf"
    print_pages([out / n for n in pages], into, console=console, show_progress=show_progress)
    data = json.loads((out / record_file).read_text(encoding="utf-8"))
    names = pdf_names(pages)
    data["files"] = {**read_record(out / record_file),
                     **{n: sha256(into / n) for n in names}}
    # written beside and renamed, as the build writes its manifest
    (staging / record_file).write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(staging / record_file, out / record_file)
    for name in names:
        os.replace(into / name, out / name)
    return names


def publish_pdfs_or_say(staging: Path, out: Path, record_file: str, what: str, *,
                        force: bool = False, console=None, show_progress: bool = False) -> str:
    """:func:`publish_pdfs`, with a failed print turned into the line that says so: ``""``
    when every PDF was published, else "PDF: <error>. The HTML <what> in <out> are
    published, without PDFs." (printed in red too). The pages stay published either way.
    """
    try:
        publish_pdfs(staging, out, record_file, force=force, console=console,
                     show_progress=show_progress)
        return ""
    except PrintError as err:
        line = f"PDF: {err}. The HTML {what} in {out} are published, without PDFs."
    if console is not None:
        from rich.text import Text

        # the error text may quote a file name: never let rich read it as markup
        console.print(Text.assemble(("FAILED ", "bold red"), line), soft_wrap=True)
    return line
