# The README's two commands: `make report` builds the reports, `make test` runs the tests.
# Both create .venv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test lab validate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/kam build

# the browser tests drive Debian's chromium (never a downloaded browser), the Spark tests
# Java 17 (pyspark comes with .[dev]): each installed here when missing and run as root (CI);
# elsewhere the browser tests fail and say how to install it, the Spark tests are skipped
# (both fail where CI is set). The man folder: a slim image lacks it and Java's set-up fails.
test: $(STAMP)
	command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	command -v java >/dev/null || [ "$$(id -u)" != 0 ] || (mkdir -p /usr/share/man/man1 && \
		apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	command -v pg_createcluster >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql \
		postgresql-contrib >/dev/null)
	$(BIN)/python -m pytest

# the trainee's own copy in course/ (made once, never overwritten); kam on the terminal PATH
lab: $(STAMP)
	$(BIN)/kam course start

validate: $(STAMP)
	$(BIN)/kam validate

bench: $(STAMP)
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_build.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis reports/*.html reports/*.pdf reports/_failed \
		reports/plans
