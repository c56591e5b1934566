# KAM Cockpit: the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data/sample
PORT ?= 8501

.PHONY: run test test-fast audit setup setup-test chromium java sample ingest bench

$(BIN)/kam: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(BIN)/kam

setup: $(BIN)/kam

$(VENV)/.test-deps: pyproject.toml $(BIN)/kam
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup-test: $(VENV)/.test-deps chromium java

# Browser tests drive Debian's Chromium: Playwright cannot download its own browsers here.
chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto sans cjk" || { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# The Spark portability test (tests/test_spark.py) runs the report SQL on pyspark, which needs Java.
java:
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; }

sample: setup
	@test -f $(DATA)/branches.csv || $(BIN)/kam sample $(DATA)

ingest: sample
	$(BIN)/kam ingest $(DATA) --quiet

# Start the app on the bundled sample (generated and loaded on first run).
run: ingest
	KAM_DATA=$(DATA) $(BIN)/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

# The whole test suite, browser tests included; this is what CI runs.
test: setup-test
	$(BIN)/python -m pytest

# The screen audit alone (tests/test_screen_audit.py, also part of `make test`): every page, for every role, in both
# languages, read as a person reads it.
audit: setup-test
	$(BIN)/python -m pytest -m audit

# Without the browser tests, for a quick loop.
test-fast: setup-test
	$(BIN)/python -m pytest -m "not browser"

BENCH_SCALES ?= S,M,L
bench: setup-test
	$(BIN)/python -m kam.tooling.bench --scales $(BENCH_SCALES)
