# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit golden system-deps browser-deps db-deps clean bench

demo: $(STAMP)
	$(BIN)/reportgen build sample_data -o output
	$(BIN)/reportgen build sample_papers/nelc-scrutiny -o output
	$(BIN)/reportgen build sample_papers/northshire-cabinet -o output
	$(BIN)/reportgen build sample_papers/eastmoor-cabinet-frontsheet -o output
	$(BIN)/reportgen build sample_papers/harbourside-board -o output --format all
	$(BIN)/reportgen build sample_papers/westmere-cabinet -o output --format all

test: $(STAMP) browser-deps db-deps lint unit

lint: $(STAMP)
	$(BIN)/ruff check reportgen tests benchmarks
	$(BIN)/mypy

# Both cores (pytest-xdist): pytest takes about 4 minutes on this 2-core machine.
unit: $(STAMP)
	$(BIN)/pytest -q -n auto

# Golden HTML of the sample pack and paper (tests/golden/), compared in `make test`: write it
# anew after a deliberate template or context change, and review the diff before committing.
golden: $(STAMP)
	$(BIN)/python -m tests.golden

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting fast. Installed when missing
# and we may (root with apt-get); otherwise say what is needed.
system-deps:
	@if ! ldconfig -p | grep -q libpango-1.0 || ! ldconfig -p | grep -q libharfbuzz-subset; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	  else echo "Please install Pango (libpango-1.0-0, libpangoft2-1.0-0) and libharfbuzz-subset0"; fi; \
	fi

# The HTML edition is checked in headless Chromium with axe-core (tests/test_html_edition.py).
browser-deps: node_modules/axe-core/axe.min.js
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Please install Chromium for the browser accessibility test"; fi; }

# [source] is tested against a real PostgreSQL server, started by the tests in a temporary
# folder on a Unix socket (tests/test_sql_sources.py); under CI that test must not skip.
db-deps:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "Please install PostgreSQL (Debian: postgresql) for the database source test"; fi; }

node_modules/axe-core/axe.min.js:
	@if command -v npm >/dev/null; then \
	  npm install --no-save --no-package-lock --no-audit --no-fund --silent "axe-core@^4.10"; \
	else echo "Please install npm (Node.js) for the browser accessibility test"; fi

$(STAMP): pyproject.toml | system-deps
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) output/*.pdf

# Benchmarks (not part of make test): see benchmarks/README.md.
bench: $(STAMP)
	cd benchmarks && ../$(BIN)/python run.py
