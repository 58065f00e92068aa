# Two commands set up a fresh machine:  `make run`  (the app with demo data)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
# The suite runs in one process per core (pytest-xdist); each worker has its own SQLite file and
# PostgreSQL database (tests/conftest.py). PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto
PORT   ?= 5000
# Debian packages the tests and the printing need: Chromium for browser tests, poppler for PDF checks.
DEBS   := chromium poppler-utils ghostscript mupdf-tools wrk

.PHONY: run test bench bench-web lint i18n install install-test system-deps worker clean

$(BIN)/brukermote: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/brukermote

## The app on its embedded defaults (SQLite in instance/, console SMS, huey on SQLite) with demo data.
run: install
	$(BIN)/brukermote db upgrade
	$(BIN)/brukermote demo load --if-empty
	@echo "Open http://$(HOST):$(PORT)/  –  sign in as admin@example.org / brukermote-demo"
	$(BIN)/brukermote dev --host $(HOST) --port $(PORT)

## The whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set).
test: install system-deps tests/js/node_modules
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Independent parsers the tests run with node (Mozilla's ical.js), from the npm registry.
tests/js/node_modules: tests/js/package.json
	@command -v npm >/dev/null || { echo "node and npm are needed for the calendar tests (apt-get install nodejs npm)"; exit 1; }
	cd tests/js && npm install --no-audit --no-fund --silent
	touch $@

## Speed and memory figures (not pass/fail tests).
bench: install
	$(BIN)/python -m tests.benchmarks

## The pages under load (gunicorn, 4 workers, wrk on loopback) beside a bare Flask endpoint, on ten
## years of generated history (PostgreSQL at BENCH_DATABASE_URL when it answers; SQLite otherwise).
bench-web: install system-deps
	$(BIN)/python -m tests.benchmarks.web

## Debian packages, installed when missing (needs root, as on the CI machine).
system-deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing (install them: sudo apt-get install$$missing)"; fi; \
	fi

lint: install
	$(BIN)/python -m ruff check .

## Extract UI strings and update every domain's catalog, then compile.
i18n: install
	$(BIN)/python -m tools.i18n update
	$(BIN)/python -m tools.i18n compile

worker: install
	$(BIN)/huey_consumer brukermote.tasks.huey -w 2

clean:
	rm -rf $(VENV) .pytest_cache
