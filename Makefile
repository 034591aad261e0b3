# Gazette: `make run` serves the demo site, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint audit format lock system-packages clean stack stack-stop bench \
	bench-peers chaos messages

# The virtualenv is rebuilt whenever the lock file changes.
$(STAMP): requirements.lock
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null \
	  && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/python scripts/compile_messages.py
	@touch $(STAMP)

venv: $(STAMP)

# Our own modules compiled to bytecode before anything runs: where PYTHONDONTWRITEBYTECODE is
# set (as on this project's development machines) every process would otherwise compile them again at start-up,
# about a second for each app server, worker and test subprocess. Only changed files are redone.
BYTECODE := $(BIN)/python -m compileall -q -j 0 gazette tests deploy scripts bench >/dev/null

# The translations (gazette/locale/*/LC_MESSAGES/django.po) compiled to the .mo files Django
# reads, with Babel (no system gettext); only those whose .po changed. Never committed.
messages: $(STAMP)
	@$(BIN)/python scripts/compile_messages.py

# The web server with the scheduler (go-live and expiry times) and the task worker beside it,
# as production runs them (scripts/run_site.py); Ctrl-C stops all three.
run: $(STAMP) messages
	@$(BYTECODE)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py build_demo_site --base-url http://$(HOST):$(PORT)
	@echo "Serving Gazette at http://$(HOST):$(PORT)/ with its scheduler and task worker (Ctrl-C stops all)"
	$(BIN)/python scripts/run_site.py --host $(HOST) --port $(PORT)

# The production stack on loopback (deploy/stack.py): PostgreSQL and Redis with their data in
# var/stack/, migrations, static files, the demo content, two gunicorn app servers behind nginx
# (microcache, purge), the task worker. Prints the URL and the admin login; idempotent.
# STACK_PORT=8081 make stack for another port; add a streaming replica with STACK_ARGS=--replica.
stack: system-packages $(STAMP) messages
	@$(BYTECODE)
	$(BIN)/python deploy/stack.py start $(STACK_ARGS)

stack-stop:
	$(PYTHON) deploy/stack.py stop

# The production stack under load at 1k, 10k and 100k articles (bench/stack_bench.py, issue 7):
# a throwaway stack on free ports, wrk over loopback; prints the table and writes it into
# docs/benchmarks.md. Takes long at 100k: make bench BENCH_ARGS="--sizes 1000,10000 --duration 5s".
BENCH_PACKAGES := wrk
bench: system-packages $(STAMP)
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(BENCH_PACKAGES)"
	@$(BYTECODE)
	$(BIN)/python bench/stack_bench.py $(BENCH_ARGS)

# Gazette beside WordPress, Ghost and plain Wagtail at 1k and 10k posts (bench/peers.py, issue 17):
# each installed (Ghost once, into var/peers/) and started on loopback, wrk over loopback; writes
# its table at the end of docs/benchmarks.md. A peer that cannot be installed is reported and
# skipped, so the peers' packages may fail here. Ghost needs Node 20 and npm on the machine.
PEERS_PACKAGES := mariadb-server php-fpm php php-mysql php-gd wordpress \
	wordpress-theme-twentytwentyone
bench-peers: system-packages $(STAMP)
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(BENCH_PACKAGES)"
	-@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(PEERS_PACKAGES)"
	$(BIN)/python bench/peers.py $(PEERS_ARGS)

# Each piece of a throwaway stack (with a replica) killed in turn under mixed load, on loopback
# (bench/chaos.py, issue 24): reads failed, views and comments acknowledged vs stored, seconds
# until whole again by itself; writes its table into docs/operations.md. About 10 minutes.
chaos: system-packages $(STAMP)
	@$(BYTECODE)
	$(BIN)/python bench/chaos.py $(CHAOS_ARGS)

# System packages the suite needs, installed when missing and we are root.
SYSTEM_PACKAGES := chromium postgresql redis-server nginx libnginx-mod-http-cache-purge \
	libnginx-mod-http-brotli-filter systemd
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing system packages:$$missing (run as root or install them)"; exit 1; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check_systemd_units.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pip-audit over the lock: PyPI's live advisories where they answer, else the vendored PyPA
# advisory snapshot served to pip-audit on loopback (scripts/dependency_audit.py).
audit: $(STAMP)
	$(BIN)/python scripts/dependency_audit.py $(AUDIT_ARGS)

test: system-packages $(STAMP) lint audit test-sqlite test-postgres

# pytest-xdist: one test process per core (at most 4); the stack tests share one process.
PYTEST_ARGS ?= -n auto --maxprocesses 4 --dist loadgroup

test-sqlite: $(STAMP) messages
	@$(BYTECODE)
	@echo "== Suite on SQLite =="
	$(BIN)/python scripts/pytest_strict.py $(PYTEST_ARGS)

test-postgres: $(STAMP) messages
	@$(BYTECODE)
	@echo "== Suite on PostgreSQL + Redis =="
	$(BIN)/python deploy/local_services.py run --for-tests -- $(BIN)/python scripts/pytest_strict.py $(PYTEST_ARGS)

lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) var test-artifacts
