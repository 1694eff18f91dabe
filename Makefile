# jumin — two commands: `make run` (demo server) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: run prod-demo test test-clock-ahead lint typecheck security check conformance bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "jumin needs Python 3.11 or newer: make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

## run: install, start the simulated 認証局 / card reader (peers.jpki on 127.0.0.1:8768, stopped
##      with the server; JUMIN_JPKI_PORT=N for another port), migrate the embedded SQLite database,
##      load the demo (and, once, a synthetic city of 10,000 residents), issue demo 個人番号カード
##      (jumin demo-cards), serve on http://127.0.0.1:8000 (scripts/run_demo.py)
##      with DEBUG off (settings jumin.settings.demo: the Japanese error pages, WhiteNoise serves
##      the static files); `make run DEMO_SETTINGS=jumin.settings.dev` runs it with DEBUG on
DEMO_SETTINGS ?= jumin.settings.demo
run: export DJANGO_SETTINGS_MODULE = $(DEMO_SETTINGS)
run: $(VENV)/.installed-run
	$(BIN)/python scripts/run_demo.py

## prod-demo: jumin as a municipality runs it, on this machine: PostgreSQL (database
##      jumin_prod_demo; JUMIN_PROD_DEMO_DATABASE_URL for another), `jumin serve` (gunicorn,
##      production settings, HTTPS with a demo certificate authority) on https://127.0.0.1:8443,
##      `jumin worker` and the simulated national systems over TLS (scripts/prod_demo.py)
prod-demo: $(VENV)/.installed-run
	$(BIN)/python scripts/prod_demo.py

## test: the whole suite on SQLite, then the database tests on PostgreSQL when reachable
test: $(VENV)/.installed-dev
	$(BIN)/python scripts/run_tests.py $(ARGS)

## test-clock-ahead: the whole suite on SQLite with the operating system's clock a year ahead
##      (libfaketime): tests run on their own controlled clock (tests/conftest.py), so nothing may
##      change when the wall clock does (CI runs it after `make test`); the fuzz tests (schemathesis,
##      hostile input: marker `fuzz`) are left out here, `make test` runs them on both databases
test-clock-ahead: $(VENV)/.installed-dev
	@command -v faketime >/dev/null || { echo "make test-clock-ahead needs faketime (apt-get install faketime)"; exit 1; }
	faketime -f '+365d' $(BIN)/python -m pytest -q -p no:cacheprovider -m "not fuzz" $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy src/jumin/core
	$(BIN)/mypy src

security: $(VENV)/.installed-dev
	$(BIN)/bandit -q -c pyproject.toml -r src
	$(BIN)/python scripts/audit_dependencies.py

check: lint typecheck security test

conformance: $(VENV)/.installed-dev
	$(BIN)/jumin conformance var/spec-results-*.json

bench: $(VENV)/.installed-run
	$(BIN)/jumin bench --list

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage test-results
