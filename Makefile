# MGI Portal. `make run` serves the portal with sample data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test lint check system-deps node-deps translations messages db clean help \
	bench-pages screenshots prod-up prod-down

help:
	@echo "make run          create .venv, set up SQLite with sample data, serve on http://$(HOST)"
	@echo "make test         run the whole test suite (SQLite; PostgreSQL if DATABASE_URL is set)"
	@echo "make lint         ruff check, format check, layer contracts (import-linter), mypy"
	@echo "make bench-pages  page speed: gunicorn vs trivial view vs nginx, list at 10,000 (~3 min)"
	@echo "make screenshots  README screenshots in docs/img/ (Chromium, desktop and phone)"
	@echo "make system-deps  Debian packages for PDFs and browser tests (needs root)"
	@echo "make prod-up      nginx + 2 gunicorn + Celery + PostgreSQL + Redis on https://127.0.0.1:8443"
	@echo "make prod-down    stop that stack"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(MANAGE) compile_translations

db: $(VENV)/.installed translations
	$(MANAGE) migrate --noinput
	$(MANAGE) sync_framework
	$(MANAGE) load_sample_data
	$(MANAGE) ensure_demo_admin

run: db
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(MANAGE) runserver $(HOST)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

node-deps: node_modules/.installed

test: $(VENV)/.installed translations node-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

check: $(VENV)/.installed
	$(MANAGE) makemigrations --check --dry-run

# Debian packages: fonts and HarfBuzz subsetting for WeasyPrint PDFs, poppler for
# checking PDFs in tests, Chromium for browser tests, Java for the Nu HTML checker.
system-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
		poppler-utils chromium chromium-driver default-jre-headless gettext nginx wrk
	command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm

messages: $(VENV)/.installed
	$(MANAGE) makemessages -l fr -l es -l ar --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench

# Benchmarks and README screenshots (loopback only; see bench/README.md).
bench-pages: $(VENV)/.installed
	$(PY) bench/bench_pages.py

screenshots: $(VENV)/.installed
	$(PY) bench/screenshots.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3 media staticfiles

# The production stack on loopback (deploy/README.md): nginx, two gunicorn
# instances, one Celery worker, PostgreSQL database mgi_prod and Redis.
prod-up: $(VENV)/.installed
	scripts/prod_stack.sh up

prod-down:
	scripts/prod_stack.sh down
