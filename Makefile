# The two commands of the README quick start:
#   make run    installs detente into .venv and extracts the bundled example articles
#   make test   installs it with the dev tools and Ray and runs ruff, mypy and the test suite
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: run test lint install lock clean accuracy

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "detente needs $(PYTHON) (Python 3.11) on PATH; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	# every dependency pinned by version and hash, the spaCy model included, with the dev and
	# ray extras (the test suite runs a local Ray cluster)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . || \
	  $(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/detente extract examples/ --format table
	@# the same articles into a store for the dashboard (a second run skips them: quick)
	$(BIN)/detente ingest examples/ --db detente.duckdb --no-progress
	@echo "next: $(BIN)/detente serve --db detente.duckdb → http://127.0.0.1:8000/"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

# refresh requirements.lock after changing dependencies in pyproject.toml
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev --extra ray --strip-extras \
	  -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# score detente on the gold sets in ../shared and write docs/accuracy.md
accuracy: $(STAMP)
	$(BIN)/detente eval all --shared ../shared --write docs/accuracy.md
