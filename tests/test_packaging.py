"""pyproject.toml and environment.yml list the same dependencies; the package is curated."""

import re
import tomllib
from pathlib import Path

import kamlib

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"ibis-framework[duckdb]": "ibis-framework-duckdb",
               "ibis-framework[postgres]": "ibis-postgres", "psycopg[binary]": "psycopg"}
# what conda installs beside the Python packages and pip cannot: Spark's Java
CONDA_ONLY = {"openjdk"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    wanted = {CONDA_NAMES.get(_name(r), _name(r)) for r in pip}
    deps = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    # conda's list, and the pip: list under it for what conda-forge lacks
    conda = {_name(m) for m in re.findall(r"^(?:  |      )- ([a-z][\w.\-]*[^:\n]*?)"
                                          r"(?:  #.*)?$", deps, re.M)}
    conda -= {"python", "pip", *CONDA_ONLY}
    assert conda == wanted


def test_versions_agree_between_pyproject_and_environment():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = (ROOT / "environment.yml").read_text()
    for req in project["dependencies"]:
        name = CONDA_NAMES.get(_name(req), _name(req))
        spec = req[len(_name(req)):].replace("[duckdb]", "")
        assert f"- {name}{spec}" in env, f"{name}{spec} missing from environment.yml"


def test_nbconvert_is_pinned_past_the_advisories():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "nbconvert>=7.17.1" in project["dependencies"]


def test_public_namespace_is_curated():
    for name in kamlib.__all__:
        assert hasattr(kamlib, name), name
    assert not [n for n in dir(kamlib) if not n.startswith("_") and n not in kamlib.__all__
                and not isinstance(getattr(kamlib, n), type(kamlib))]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make report" in readme
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_data_dictionary_is_in_step_with_the_contract():
    from kamlib.data.contract import data_dictionary

    text = (ROOT / "data/README.md").read_text()
    block = text.split("-->\n", 1)[1].split("<!-- contract:end -->")[0]
    assert block == data_dictionary(), (
        "data/README.md is out of date: regenerate the block between the contract markers "
        "with kamlib.data.contract.data_dictionary()")


def test_spark_is_pinned_to_the_version_ibis_accepts_in_every_list():
    """Ibis 12's pyspark backend refuses pyspark 4.1 and later, which pip picks unpinned."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert extras["spark"] == ["pyspark==4.0.5"] and "pyspark==4.0.5" in extras["dev"]
    assert "- pyspark==4.0.5" in (ROOT / "environment.yml").read_text()
