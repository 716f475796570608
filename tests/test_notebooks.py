"""Every notebook runs top to bottom on the bundled sample, the way a trainee runs it.

Exercise answer cells are left as shipped (``None``): their checks must say "Not yet" with a
hint, and the solution cells must make the same checks say "Correct". The headline figures
the reports publish are recomputed here with kamlib on the same data.
"""

import nbformat
import papermill
import pytest

import kamlib
from kamlib.abcxyz import abc_classes
from kamlib.concentration import account_totals, concentration_summary
from kamlib.report import HEADLINE_MIME
from kamlib.report.build import NOTEBOOKS

pytestmark = pytest.mark.slow


def _run(name: str) -> nbformat.NotebookNode:
    return papermill.execute_notebook(str(NOTEBOOKS / name), None, progress_bar=False,
                                      cwd=str(NOTEBOOKS), kernel_name="python3")


def _texts(cell) -> list[str]:
    return [o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])]


def _headlines(nb) -> dict:
    return {o["data"][HEADLINE_MIME]["key"]: o["data"][HEADLINE_MIME]["value"]
            for c in nb.cells for o in c.get("outputs", []) if HEADLINE_MIME in o.get("data", {})}


@pytest.fixture(scope="module")
def sample():
    return kamlib.load()


@pytest.fixture(scope="module", params=["10_concentration.ipynb", "11_abc_xyz.ipynb"])
def course(request):
    return _run(request.param)


def test_start_here_and_data_overview_run(sample):
    nb = _run("00_start_here.ipynb")
    assert any("1,500 accounts" in o.get("data", {}).get("text/html", "")
               for c in nb.cells for o in c.get("outputs", []))
    figures = _headlines(_run("01_data_overview.ipynb"))
    assert figures["accounts"] == 1500 and figures["months"] == 36
    assert figures["revenue_total"] == pytest.approx(sample.cube.account_month.revenue.sum())


def test_exercise_checks_give_hints_and_solutions_pass(course):
    checks = [c for c in course.cells if "exercise" in c.metadata.get("tags", [])
              and "check_" in c.source and "import" not in c.source]
    solutions = [c for c in course.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 3 and len(checks) >= 3
    for cell in checks:
        assert any(t.startswith("Feedback(ok=False") for t in _texts(cell)), cell.source
    for cell in solutions:
        assert cell.metadata["jupyter"]["source_hidden"] is True
        results = [t for t in _texts(cell) if t.startswith("Feedback(")]
        assert results and all(t.startswith("Feedback(ok=True") for t in results), results


def test_course_headlines_match_kamlib(course, sample):
    totals = account_totals(sample.cube.account_month)
    summary = concentration_summary(totals)
    figures = _headlines(course)
    if "vital_few" in figures:
        assert figures["vital_few"] == summary.accounts_for_target == 214
        assert figures["vital_few_share"] == pytest.approx(214 / 1500)
        assert figures["gini"] == pytest.approx(summary.gini)  # no negative accounts here
    else:
        abc = abc_classes(totals)
        a = abc[abc["abc"] == "A"]
        assert figures["a_accounts"] == len(a) == 214
        assert figures["a_revenue_share"] == pytest.approx(a["revenue"].sum()
                                                           / totals["revenue"].sum())
