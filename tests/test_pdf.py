"""``kam build --pdf``: every published page printed to an A4 PDF beside it, recorded as the
kit's own; a failed print keeps the HTML published; without chromium or Playwright the build
stops before anything runs, saying in one line how to install them.

The PDFs of the kit's real pages come from the second build of ``site_twice`` (conftest.py),
the suite's one PDF build of the report notebooks; the rest prints small hand-made pages.
"""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import SITE_ACCOUNTS, SITE_TRANSACTIONS, report_notebook
from pypdf import PdfReader

from kamlib._written import sha256
from kamlib.cli import main
from kamlib.report import build_reports
from kamlib.report.build import MANIFEST
from kamlib.report.pdf import PrinterMissing, PrintError, print_pages, publish_pdfs

pytestmark = pytest.mark.slow

A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)  # 595.3 x 841.9; Letter is 612 x 792


def _is_a4(page) -> bool:
    box = page.mediabox
    return (abs(float(box.width) - A4_POINTS[0]) < 2
            and abs(float(box.height) - A4_POINTS[1]) < 2)


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(path).pages).split())


def test_a_pdf_build_prints_every_page_to_a4_and_records_it(site_twice):
    out, results, _ = site_twice
    pages = sorted(p.stem for p in out.glob("*.html"))
    assert pages and sorted(p.stem for p in out.glob("*.pdf")) == pages
    files = json.loads((out / MANIFEST).read_text())["files"]
    for stem in pages:
        pdf = out / f"{stem}.pdf"
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 1 and all(_is_a4(p) for p in reader.pages), stem
        # the text is there (not a picture of it), and it is the second build's page
        text = _text(pdf)
        assert "2024-02-15" in text, (stem, text[:300])
        assert files[pdf.name] == sha256(pdf), stem  # the kit's own, as written
    assert "then 250" in _text(out / "index.pdf")  # the index shows its movements on paper
    assert len(PdfReader(out / "index.pdf").pages) == 1  # and fits one A4 page
    assert "Delta <img src=x onerror=alert(2)>" in _text(out / "changes.pdf")


def test_a_pdf_build_keeps_each_report_section_whole(site_twice):
    """The report's sections start pages: the worked example never shares a page with the
    run's metadata at the end, and a page's last line is never a lone heading."""
    out, _, _ = site_twice
    reader = PdfReader(out / "10_concentration.pdf")
    texts = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    first = next(i for i, t in enumerate(texts) if "Worked example on the data" in t)
    todo = next(i for i, t in enumerate(texts) if "What to do with this" in t)
    assert first < todo and texts[todo].startswith("What to do with this"), texts[todo][:80]
    for t in texts[:-1]:
        assert not re.search(r"(The Pareto chart|The Lorenz curve|The vital few)$", t), t[-80:]


def _pages(folder: Path, n: int = 2) -> dict[str, str]:
    """``n`` small pages with a record saying the kit wrote them, as a build leaves them."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"<tr><td>row {i}</td><td>{i * 7}</td></tr>" for i in range(120))
    files = {}
    for i in range(n):
        name = f"page{i}.html"
        (folder / name).write_text(
            "<!DOCTYPE html><html lang='en'><head><title>p</title></head><body>"
            f"<h1>Page {i}</h1><table><thead><tr><th>a</th><th>b</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>")
        files[name] = sha256(folder / name)
    (folder / MANIFEST).write_text(json.dumps({"modules": [], "files": files}))
    return files


def test_publish_pdfs_prints_recorded_pages_only(tmp_path):
    out, staging = tmp_path / "reports", tmp_path / "staging"
    staging.mkdir()
    before = _pages(out)
    (out / "notes.html").write_text("<p>the user's own page</p>")  # not the kit's: no PDF
    assert publish_pdfs(staging, out, MANIFEST) == ["page0.pdf", "page1.pdf"]
    record = json.loads((out / MANIFEST).read_text())["files"]
    assert record == {**before, "page0.pdf": sha256(out / "page0.pdf"),
                      "page1.pdf": sha256(out / "page1.pdf")}
    assert not (out / "notes.pdf").exists() and not (staging / "_pdf" / "page0.pdf").exists()
    reader = PdfReader(out / "page1.pdf")
    assert len(reader.pages) >= 2 and all(_is_a4(p) for p in reader.pages)  # 120 rows
    assert "Page 1" in _text(out / "page1.pdf") and "row 119 833" in _text(out / "page1.pdf")


def test_publish_pdfs_refuses_a_pdf_it_did_not_write(tmp_path):
    out, staging = tmp_path / "reports", tmp_path / "staging"
    staging.mkdir()
    _pages(out)
    (out / "page1.pdf").write_bytes(b"%PDF- somebody's own")
    with pytest.raises(ValueError, match="would overwrite 1 file.*page1.pdf"):
        publish_pdfs(staging, out, MANIFEST)
    assert (out / "page1.pdf").read_bytes() == b"%PDF- somebody's own"
    assert not (out / "page0.pdf").exists()


def test_a_failed_pdf_print_leaves_pages_and_record_as_they_were(tmp_path, monkeypatch):
    out, staging = tmp_path / "reports", tmp_path / "staging"
    staging.mkdir()
    _pages(out)
    kept = {p.name: p.read_bytes() for p in out.iterdir()}

    def fail(pages, into, **_):
        into.mkdir(parents=True)
        (into / "page0.pdf").write_bytes(b"%PDF- half")  # one printed, then the browser died
        raise PrintError("printing page1.html to PDF failed: Target closed")

    monkeypatch.setattr("kamlib.report.pdf.print_pages", fail)
    with pytest.raises(PrintError, match="page1.html"):
        publish_pdfs(staging, out, MANIFEST)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == kept


def test_a_page_the_browser_cannot_print_is_named(tmp_path):
    (tmp_path / "ok.html").write_text("<p>fine</p>")
    with pytest.raises(PrintError, match=r"^printing gone\.html to PDF failed: .*ERR_FILE"):
        print_pages([tmp_path / "ok.html", tmp_path / "gone.html"], tmp_path / "pdf")
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == ["ok.pdf"]  # only in staging


def _tiny_site(root: Path) -> tuple[Path, Path]:
    """Small data and one report notebook that runs in a second: the build's plumbing, not
    the modules. ``(kam.toml, notebooks folder)``."""
    data, folder = root / "data", root / "notebooks"
    data.mkdir()
    (data / "accounts.csv").write_text(SITE_ACCOUNTS)
    (data / "transactions.csv").write_text(SITE_TRANSACTIONS[0])
    (data / "kam.toml").write_text('[source]\nfolder = "."\n')
    folder.mkdir()
    report_notebook(folder / "50_tiny.ipynb",
                    nbformat.v4.new_markdown_cell("# Tiny\n\nA page to print."), title="Tiny")
    return data / "kam.toml", folder


def test_a_failed_pdf_step_keeps_the_new_html_published(tmp_path, monkeypatch):
    """Build 1 prints; build 2's print fails: its HTML is published and recorded, build 1's
    PDFs (of older pages) are gone, and the build says so and is not ok."""
    (config, notebooks), out = _tiny_site(tmp_path), tmp_path / "reports"
    first = build_reports(config, out=out, notebooks=notebooks, show_progress=False, pdf=True)
    assert first.ok, first.errors
    assert {p.name for p in out.glob("*.pdf")} == {"index.pdf", "changes.pdf", "50_tiny.pdf"}

    def fail(*args, **kwargs):
        raise PrintError("printing index.html to PDF failed: Target closed")

    monkeypatch.setattr("kamlib.report.pdf.publish_pdfs", fail)
    second = build_reports(config, out=out, notebooks=notebooks, show_progress=False, pdf=True)
    assert not second.ok and "published, without PDFs" in second.errors[0]
    assert "Target closed" in second.errors[0]
    assert list(out.glob("*.pdf")) == []
    record = json.loads((out / MANIFEST).read_text())["files"]
    for name in ("index.html", "changes.html", "50_tiny.html"):
        assert record[name] == sha256(out / name)
    assert "Movements since the build of" in (out / "index.html").read_text()


@pytest.mark.parametrize("missing", ["chromium", "playwright"])
def test_pdf_without_chromium_or_playwright_stops_before_anything_runs(
        tmp_path, monkeypatch, capsys, missing):
    import importlib.util

    if missing == "chromium":
        monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
        hint = "apt-get install chromium"
    else:
        find_spec = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None
                            if name == "playwright" else find_spec(name, *a))
        hint = "pip install -e '.[pdf]'"
    out = tmp_path / "reports"
    with pytest.raises(PrinterMissing, match=re.escape(hint)):
        build_reports(None, out=out, pdf=True, show_progress=False)
    for argv in (["build", "--pdf", "--out", str(out)],
                 ["plans", "--pdf", "--out", str(out / "plans")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and hint in err and err.startswith("kam: --pdf needs"), err
    assert list(tmp_path.iterdir()) == []  # nothing ran: no folder, no staging, no data copy
