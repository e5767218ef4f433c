# One entry point for people and CI. `make build` and `make test` set up .venv themselves.
VENV ?= .venv
PYTHON = $(VENV)/bin/python
export NO_MKDOCS_2_WARNING = 1

.PHONY: setup node_modules build check lint types pytest quick test screenshots clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

# Browser tests drive Debian's chromium (no browser download is needed or attempted).
/usr/bin/chromium:
	@if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	  echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The accessibility test runs axe-core in the pages: the version and checksum package-lock.json
# pins, from the npm registry, into the git-ignored node_modules/ (again when the lock changes).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { echo "The accessibility test needs npm: sudo apt-get install nodejs npm"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

node_modules: node_modules/axe-core/axe.min.js

build: setup  ## Build the example program's handbook into site/
	$(VENV)/bin/mentorsite build --strict

check: setup  ## Report every problem in the example program's records
	$(VENV)/bin/mentorsite check

lint: setup
	$(VENV)/bin/ruff check mentorsite tests

types: setup
	$(VENV)/bin/mypy

pytest: setup /usr/bin/chromium node_modules/axe-core/axe.min.js
	$(PYTHON) -m pytest

quick: lint types  ## The inner loop: lint, types and the tests that need no browser, server or wheel
	$(PYTHON) -m pytest -q -m "not slow"

test: lint types pytest  ## Lint, types, the whole test suite, and a strict build of the example
	$(VENV)/bin/mkdocs build --strict --site-dir $$(mktemp -d)/site

screenshots: setup /usr/bin/chromium  ## Every page type of the example at 390 px and 1280 px, into screenshots/
	$(PYTHON) -m tests.screenshots screenshots

clean:
	rm -rf site site-private dist build screenshots .pytest_cache .mypy_cache .ruff_cache
