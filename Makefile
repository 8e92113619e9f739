# Two commands do all the set-up: `make demo` and `make test`.
# Each creates .venv when needed, installs the project, fetches the Delta jars once
# into .cache/ and compiles the project's Java; a second run reuses all of it offline.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# Two test workers (pytest-xdist): most tests wait on processes, commits and JVMs, so two
# share the 2 cores well. WORKERS=0 runs in one process.
WORKERS ?= 2
XDIST  := $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist worksteal)

.PHONY: setup browser demo test test-fast lint typecheck bench bench-scoring bench-ui clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "lakehouse setup: installing the project into $(VENV) ..."
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(STAMP)
	@$(PY) java/build.py

demo: setup
	@$(VENV)/bin/lakehouse demo

# The UI's tests drive a real headless browser: Debian's chromium and chromium-driver,
# installed here with apt-get when missing (needs root; otherwise it says what to install).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "lakehouse setup: installing Debian's chromium and chromium-driver (apt-get) for the UI's browser tests ..."; \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else \
	    echo "lakehouse setup: not root; run: sudo apt-get install chromium chromium-driver"; exit 1; \
	  fi; \
	fi

test: setup browser
	@$(PY) -m pytest $(XDIST) --durations=30 $(PYTEST_ARGS)

test-fast: setup
	@$(PY) -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

lint: setup
	@$(VENV)/bin/ruff check lakehouse tests jobs benchmarks java
	@$(VENV)/bin/ruff format --check lakehouse tests jobs benchmarks java
	@$(VENV)/bin/lint-imports --no-cache

typecheck: setup
	@$(VENV)/bin/mypy lakehouse

bench: setup
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	@$(PY) benchmarks/tracking_bench.py

# Scoring: lakehouse spark_udf vs mlflow.pyfunc.spark_udf (ROWS=... to scale down).
bench-scoring: setup
	@$(PY) benchmarks/scoring_bench.py --rows $(or $(ROWS),2000000)

# Web UI: the runs page over RUNS runs (default 100k), lakehouse ui vs mlflow ui, in headless
# Chromium and over raw HTTP (RUNS=2000 to scale down; needs `make browser`'s chromium).
bench-ui: setup browser
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	@$(PY) benchmarks/ui_bench.py --runs $(or $(RUNS),100000)

clean:
	rm -rf $(VENV) .cache lakehouse-data
