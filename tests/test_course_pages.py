"""What a trainee plans with: objectives and time per notebook, the self-checks of the ideas,
the glossary, and a start page that links every notebook and shows the progress."""

import re

import nbformat
import pytest

from kamlib import course
from kamlib.exercises import questions, self_check
from kamlib.exercises.feedback import NOT_ANSWERED
from kamlib.exercises.registry import MODULES

COURSE = [p for p in course.course_notebooks() if p.name[:2] in MODULES]


def _text(path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_every_notebook_opens_with_objectives_and_a_time(path):
    nb = nbformat.read(path, as_version=4)
    opening = [c for c in nb.cells[:3] if "objectives" in c.metadata.get("tags", [])]
    assert len(opening) == 1 and "trainee" in opening[0].metadata["tags"]
    text = opening[0].source
    assert "**What you will learn.**" in text and len(re.findall(r"^- ", text, re.M)) >= 3
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", text)
    assert "(03_glossary.ipynb)" in text


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_every_notebook_ends_with_three_to_five_self_checks(path):
    nb = nbformat.read(path, as_version=4)
    asked = [c.metadata["kamkit"]["question"] for c in nb.cells
             if c.metadata.get("kamkit", {}).get("question")]
    assert 3 <= len(asked) <= 5
    assert asked == [q.id for q in questions(path.name[:2])]
    tail = nb.cells[-2 * len(asked):]
    assert all("selfcheck" in c.metadata.get("tags", []) for c in tail), "at the very end"
    for cell in tail:
        if cell.cell_type == "code":
            assert cell.source.startswith(f'self_check("{cell.metadata["kamkit"]["question"]}", '
                                          "None)")


@pytest.mark.parametrize("q", questions(), ids=lambda q: q.id)
def test_each_self_check_is_checked_like_an_exercise(q):
    assert self_check(q.id, None).message == NOT_ANSWERED
    right = self_check(q.id, q.answer.upper())
    assert right.ok and right.message
    replies = [self_check(q.id, letter) for letter in q.choices if letter != q.answer]
    assert replies and not any(r.ok for r in replies)
    # each wrong choice has its own reply, which is not the right answer's
    said = [r.message for r in replies]
    assert len(set(said)) == len(said) and right.message not in said
    assert "one letter" in self_check(q.id, "z").message
    assert "one letter" in self_check(q.id, 2).message


def test_an_unknown_self_check_is_named():
    said = self_check("10.q9", "a")
    assert not said.ok and "There is no self-check '10.q9'" in said.message


def _glossary() -> dict[str, str]:
    text = (course.NOTEBOOKS / "03_glossary.ipynb").read_text()
    nb = nbformat.reads(text, as_version=4)
    return dict(re.findall(r"^- \*\*(.+?)\*\*: (.+)$", nb.cells[0].source, re.M))


def test_the_glossary_defines_the_terms_the_course_uses():
    terms = _glossary()
    assert list(terms) == sorted(terms, key=str.lower)
    course_text = " ".join(_text(p) for p in course.course_notebooks()
                           if "glossary" not in p.name).lower()
    for term in terms:  # no entry for a word the course never uses
        word = re.sub(r" \(.*\)$", "", term).lower()
        assert word in course_text, term
    used = ["vital few", "pareto table", "gini coefficient", "hhi", "lorenz curve",
            "coefficient of variation", "recency", "frequency", "monetary", "rfm",
            "cost to serve", "whale curve", "lifetime value", "discount rate", "retention",
            "share of wallet", "circles of contacts", "key account", "worked example",
            "practice", "cumulative share"]
    defined = " ".join(terms).lower()
    assert [w for w in used if w not in defined] == []


def test_the_start_page_links_every_notebook_and_shows_the_progress():
    start = nbformat.read(course.NOTEBOOKS / course.FIRST, as_version=4)
    text = "\n".join(c.source for c in start.cells)
    for path in course.course_notebooks():
        assert f"]({path.name})" in text, path.name
    assert "all the pandas the exercises need" not in text
    assert any(c.cell_type == "code" and "progress()" in c.source for c in start.cells)


def _calls(code: str) -> set[str]:
    """The library calls of ``code``: methods and functions (``cumsum``, ``select``), the
    keywords that change what they do (``ddof=0``) and the accessors (``.dt.days``)."""
    import ast
    import builtins

    tree = ast.parse(code)
    local = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name and name not in local and not hasattr(builtins, name):
                found.add(f"{name}(")
            for kw in node.keywords:
                if kw.arg in {"ddof", "how", "method", "as_index", "labels", "fill_value",
                              "ascending"}:
                    found.add(f"{kw.arg}=")
        if isinstance(node, ast.Attribute) and node.attr in {"dt", "days", "loc", "iloc"}:
            found.add(f".{node.attr}")
    return found


def test_the_primer_shows_every_pandas_function_the_solutions_call():
    from kamlib.exercises import exercises

    needed = set().union(*(_calls(ex.solution) for ex in exercises()))
    # the functions the issue found missing (12.3 now rounds down with np.floor, not pd.qcut:
    # the kit's tie rule gives equal values one score)
    assert {"cumsum(", "shift(", "select(", "floor(", "rank(", "crosstab(", "fillna(",
            "ddof=", "how=", ".days"} <= needed
    primer = nbformat.read(course.NOTEBOOKS / "02_pandas_primer.ipynb", as_version=4)
    shown = " ".join(c.source for c in primer.cells if c.cell_type == "code"
                     and "answer" not in c.metadata.get("tags", []))
    missing = sorted(n for n in needed if n not in shown)
    assert missing == [], f"the primer does not show {missing}"
    assert "ddof=0" in shown and 'how="left"' in shown and 'method="first"' in shown
