"""pytest set-up shared by the suite."""

# Scripts that regenerate fixtures need their reference libraries; they are not tests.
collect_ignore_glob = ["fixtures/*.py"]


# --- a small site built twice, for the leadership and browser tests -----------------------
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

HOSTILE_NAME = "<script>alert(1)</script>"
# build 1: 001 makes 190, 002 70, 003 only a credit note; build 2 (a week later): 002 buys
# for 5 instead of 70, and a new account 004 buys for 200
SITE_ACCOUNTS = ("account_id,account_name,industry\n"
                 f"001,Alpha {HOSTILE_NAME},Banking\n"
                 '002,"=HYPERLINK(""http://x"",""y"")",Retail\n'
                 "003,Gamma & Sons,Government\n"
                 '004,"Delta <img src=x onerror=alert(2)>",Retail\n')
SITE_TRANSACTIONS = ["""account_id,date,revenue,product,cost,invoice_id
001,2024-01-05,100,Cloud,60,I1
001,2024-01-05,50,<b>IoT</b>,20,I1
001,2024-02-11,40,Cloud,25,I4
002,2024-01-20,70,Cloud,30,I2
003,2024-02-10,-10,Cloud,,I3
""", """account_id,date,revenue,product,cost,invoice_id
001,2024-01-05,100,Cloud,60,I1
001,2024-01-05,50,<b>IoT</b>,20,I1
001,2024-02-11,40,Cloud,25,I4
002,2024-01-20,5,Cloud,3,I2
003,2024-02-10,-10,Cloud,,I3
004,2024-02-15,200,Cloud,90,I5
"""]


@pytest.fixture(scope="session")
def site_twice(tmp_path_factory):
    """Reports built twice into one folder (the kit's report notebooks, the data above), the
    second time with PDFs: ``(out, [result1, result2], [index1_html, changes1_html])``."""
    from kamlib.report import build_reports
    from kamlib.report.build import NOTEBOOKS

    root = tmp_path_factory.mktemp("site_twice")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    for path in NOTEBOOKS.glob("[0-9]*.ipynb"):
        if not path.name.startswith("00"):
            shutil.copy(path, notebooks)
    data, out = root / "data", root / "reports"
    data.mkdir()
    (data / "accounts.csv").write_text(SITE_ACCOUNTS)
    (data / "kam.toml").write_text('[source]\nfolder = "."\n\n[analysis]\n'
                                   "unknown_accounts = \"error\"\nlost_after_days = 25\n")
    results, first = [], []
    for n, transactions in enumerate(SITE_TRANSACTIONS):
        (data / "transactions.csv").write_text(transactions)
        # the second build also prints every page to PDF (test_pdf.py): one PDF build only
        results.append(build_reports(data / "kam.toml", out=out, notebooks=notebooks,
                                     show_progress=False, pdf=n == 1))
        assert results[-1].ok, results[-1].errors
        if not first:
            first = [(out / "index.html").read_text(), (out / "changes.html").read_text()]
    return out, results, first


def report_notebook(path: Path, *cells, title: str) -> Path:
    """Write a report notebook to ``path``: the build's parameters cell, then ``cells``
    (nbformat cells; a string is a code cell), with ``title`` in its kamkit metadata."""
    import nbformat

    params = nbformat.v4.new_code_cell("config = ''  # kam.toml\nprepared = ''  # data folder",
                                       metadata={"tags": ["parameters"]})
    nb = nbformat.v4.new_notebook(cells=[params, *(
        nbformat.v4.new_code_cell(c) if isinstance(c, str) else c for c in cells)])
    nb.metadata.update(kernelspec={"name": "python3", "display_name": "Python 3",
                                   "language": "python"},
                       kamkit={"report": True, "title": title})
    nbformat.write(nb, path)
    return path


# --- a throw-away PostgreSQL cluster (tests/pg_cluster.py), for the tests marked postgres ---
@pytest.fixture(scope="session")
def pg_cluster():
    """A running PostgreSQL 15 cluster with the bundled sample in database ``kam``, dropped
    at the end of the session. Skipped with the reason where PostgreSQL cannot be started
    on a developer's machine; a failure where the environment variable CI is set (CI must
    run these tests; ``make test`` installs PostgreSQL there)."""
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from pg_cluster import ClusterUnavailable, PgCluster, load_sample

    cluster = PgCluster()
    try:
        cluster.start()
        load_sample(cluster, "kam")
    except (ClusterUnavailable, OSError) as err:
        cluster.stop()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL could not be started on CI: {err}")
        pytest.skip(f"PostgreSQL could not be started here ({err}); install it with "
                    "apt-get install postgresql")
    try:
        yield cluster
    finally:
        cluster.stop()
