# Community Hub — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.txt
	@touch $@

.PHONY: help
help: ## List the targets with what they do
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

.PHONY: install
install: $(VENV)/.runtime ## Create .venv and install the pinned runtime dependencies

.PHONY: install-dev
install-dev: $(VENV)/.dev ## Install the pinned development and test dependencies too

.PHONY: setup
setup: install ## Migrate the SQLite database under var/ and load the demo borough
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py load_demo --scale $(SCALE) --quiet-sign-ins

.PHONY: run
run: setup ## Set up, then serve the demo on http://127.0.0.1:8000 with gunicorn
	@$(PY) manage.py load_demo --scale $(SCALE) | sed -n '/Demo sign-ins/,$$p'
	@echo ""
	@echo "Community Hub is running on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(VENV)/bin/gunicorn hub.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 \
		--access-logfile - --log-level warning

.PHONY: demo
demo: install ## Load the demo borough at a bigger SCALE (make demo SCALE=5)
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo --scale $(SCALE)

.PHONY: worker
worker: install ## Run the background task worker (imports, reports, reminders)
	$(PY) manage.py db_worker

.PHONY: lint
lint: install-dev ## ruff: lint and formatting
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: format
format: install-dev ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: check
check: install-dev ## Django's deploy checks on production settings, and migrations up to date
	DJANGO_SETTINGS_MODULE=hub.settings.production \
	SECRET_KEY=check-deploy-$$(printf 'x%.0s' {1..60}) ALLOWED_HOSTS=hub.example.org \
		$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

.PHONY: test-sqlite
test-sqlite: install-dev ## The test suite on SQLite
	env -u DATABASE_URL $(VENV)/bin/pytest --ds hub.settings.test -m "not browser" -q -n auto

.PHONY: test-postgres
test-postgres: install-dev ## The same suite on PostgreSQL (DATABASE_URL, else a throwaway cluster)
	scripts/with-postgres.sh $(VENV)/bin/pytest --ds hub.settings.test -m "not browser" -q -n auto

.PHONY: test-browser
test-browser: install-dev ## Browser journeys in headless Chromium, with axe-core on every page
	scripts/with-postgres.sh $(VENV)/bin/pytest --ds hub.settings.test -m browser -q -n auto

.PHONY: test-clock
test-clock: install-dev ## The SQLite suite again with the clock just before midnight (needs faketime)
	scripts/near-midnight.sh $(VENV)/bin/pytest --ds hub.settings.test -m "not browser" -q -n auto -p no:cacheprovider

.PHONY: test
test: lint check test-sqlite test-clock test-postgres test-browser ## Everything CI runs

.PHONY: bench
bench: install-dev ## Run the benchmarks in bench/ and print the results tables
	$(PY) -m bench

.PHONY: assets
assets: ## Rebuild the GOV.UK Frontend assets (needs Node.js and npm)
	cd frontend && npm ci && npm run build

.PHONY: clean
clean: ## Remove the virtual environment and local database
	rm -rf $(VENV) var
