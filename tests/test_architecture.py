"""The package's shape: a data layer apart from the analyses, and no import cycles.

Every import counts, including the lazy ones inside functions and those under
``if TYPE_CHECKING:``: a cycle hidden there still ties two modules together and breaks the
first time the order of imports changes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kamlib

PACKAGE = Path(kamlib.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> kamlib modules it imports anywhere in its source (functions included)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative import
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level
                                                        + 1] + ([base] if base else []))
                # "from pkg import mod" imports the module pkg.mod
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles_anywhere_in_the_package():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_cycle_finder_finds_a_lazy_cycle():
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_graph_sees_imports_inside_functions():
    graph = import_graph()
    # build_reports loads data lazily: the edge must still be there
    assert "kamlib.data.dataset" in graph["kamlib.report.build"]


def test_source_readers_depend_only_on_the_base():
    graph = import_graph()
    readers = [m for m in graph if m.startswith("kamlib.data.sources.")
               and m != "kamlib.data.sources.base"]
    assert readers, "no readers found"
    for reader in readers:
        siblings = {m for m in graph[reader] if m.startswith("kamlib.data.sources")}
        assert siblings <= {"kamlib.data.sources.base"}, (reader, siblings)


def test_top_level_shows_analyses_not_the_data_layer():
    top = {p.stem for p in PACKAGE.glob("*.py")}
    data_layer = {"contract", "config", "sources", "parsing", "checks", "cube", "dataset",
                  "problems", "file_lines", "typed_read", "sample"}
    assert not top & data_layer
    assert {"concentration", "abcxyz"} <= top
    assert {"data", "report", "exercises", "plots"} <= {p.name for p in PACKAGE.iterdir()
                                                        if p.is_dir()}


def test_public_api_unchanged():
    for name in ("open_dataset", "validate", "load", "load_config", "Config", "Dataset"):
        assert name in kamlib.__all__ and callable(getattr(kamlib, name))


def test_no_half_fetched_duckdb_results():
    """DuckDB 2 refuses ``register()`` on a connection whose last result was only partly
    fetched (``fetchone()`` after a scan leaves one): a database or Excel table read after
    such a call failed. The kit fetches results whole."""
    offenders = [f"{p.relative_to(PACKAGE)}:{i}" for p in PACKAGE.rglob("*.py")
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if ".fetchone()" in line and ">>>" not in line]
    assert not offenders, offenders


def test_no_numpy_set_routines_on_ids():
    """numpy's set routines (``setdiff1d``, ``isin``, ...) compare object arrays (account ids
    are strings) pair by pair: ``np.setdiff1d`` over 250,000 ids took 562 s of a build. The
    kit uses pandas' hash-based ``Index.difference`` and ``Series.isin``."""
    routines = ("setdiff1d", "in1d", "isin", "intersect1d", "setxor1d")
    offenders = [f"{p.relative_to(PACKAGE)}:{i}" for p in PACKAGE.rglob("*.py")
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if any(f"np.{r}(" in line or f"numpy.{r}(" in line for r in routines)]
    assert not offenders, offenders
