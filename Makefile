# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test system-deps migrate seed serve worker bench lint clean serve-production production-check mutants

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

# System packages from Debian: Chromium for the browser tests (Playwright cannot download
# its own browsers here) and PostgreSQL for the second CI run; installed only where missing.
system-deps:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need="$$need postgresql"; \
	if [ -n "$$need" ]; then \
	  echo "Installiere Debian-Pakete:$$need"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null; \
	fi

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

# The task worker (aqb_monitoring/worker.py: survives database outages) under a restart loop:
# if it ends anyway, it starts again after $(WORKER_RESTART_DELAY) s. SIGTERM/SIGINT to the loop
# stop the worker (cleanly, after its current task) and the loop.
WORKER_RESTART_DELAY ?= 5
SUPERVISED_WORKER = trap 'trap - TERM INT; kill -TERM $$child 2>/dev/null; wait $$child; exit 0' TERM INT; \
	while :; do \
	  DEBUG=1 $(PY) manage.py run_worker --no-reload & child=$$!; wait $$child; code=$$?; \
	  echo "Task-Worker beendet (Code $$code), Neustart in $(WORKER_RESTART_DELAY) s / worker exited, restarting"; \
	  sleep $(WORKER_RESTART_DELAY) & child=$$!; wait $$child; \
	done

# Installs, migrates, loads the demo data, starts the task worker and the site.
run: seed
	@echo ""
	@echo "Portal: http://$(HOST):$(PORT)/   Verwaltung: http://$(HOST):$(PORT)/admin/"
	@( $(SUPERVISED_WORKER) ) >var/worker.log 2>&1 & echo $$! > var/worker.pid; \
	trap 'kill $$(cat var/worker.pid) 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	@$(SUPERVISED_WORKER)

# Production: DEBUG off, the settings from the environment (README, "Betrieb"): at least
# SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL; behind a TLS proxy also SECURE_PROXY_SSL_HEADER.
# Migrates, collects the static files and starts gunicorn with gthread workers (gunicorn.conf.py:
# slow clients hold a thread, not a process); the task worker runs separately
# (`.venv/bin/python manage.py run_worker`, deploy/aqb-worker.service).
WORKERS ?= 3
serve-production: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn -c gunicorn.conf.py aqb_site.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS)

# The site in production mode, checked from outside (gunicorn, DEBUG off, headers, error page,
# private uploads); SQLite in a temporary folder unless DATABASE_URL names another database.
production-check: install
	$(PY) .ci/production-check

# Installs what the tests need and runs every test (unit, integration and browser).
test: install-test
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

bench: install-test
	$(PIP) install --quiet ".[test,bench]"
	@failed=0; for script in bench/bench_*.py; do echo "== $$script"; DEBUG=1 $(PY) $$script || failed=1; done; exit $$failed

# Mutation testing of the rules (docs/mutation-testing.md), not part of `make test` or CI: mutmut
# changes validation.py, status.py, permissions.py and services/ one mutant at a time and runs the
# unit tests that reach the changed function; then the kill rate per module is printed. Results
# are kept in mutants/ (a second run tries only new mutants; `rm -rf mutants` starts afresh).
# MUTANTS limits the run by mutant name, e.g. make mutants MUTANTS='aqb_monitoring.status.*'.
MUTANTS ?=
MUTANT_CHILDREN ?= 2
MUTATION_DB := $(CURDIR)/var/mutation-template.sqlite3
mutants: install-test
	$(PIP) install --quiet ".[test,mutants]"
	rm -f $(MUTATION_DB) var/mutant-*.sqlite3*
	DEBUG=1 DATABASE_URL=sqlite:///$(MUTATION_DB) $(PY) manage.py migrate --noinput -v 0
	AQB_MUTATION_DB_TEMPLATE=$(MUTATION_DB) nice -n 19 $(VENV)/bin/mutmut run --max-children $(MUTANT_CHILDREN) $(MUTANTS)
	$(PY) -m tests.mutation_testing

lint: install-test
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var/static var/screenshots
