# The two quick-start commands: `make demo` and `make test`. Each sets up what it needs in a
# local virtualenv on a fresh machine (only PyPI is reached), then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
AS_OF ?=

.PHONY: install demo test check lint clean browser services

# The browser tests drive Debian's chromium (never a downloaded browser) and want CJK fonts for
# readable screenshots. Installed when missing (CI runs as root); quiet and idempotent.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	fi

# PostgreSQL and Redis on 127.0.0.1 for the store, run-lock and distributed tests (they fail, never
# skip, without them). Installed and started only when missing (CI runs as root), quiet and
# idempotent: a no-op where both already answer. A fresh cluster gets what the tests expect —
# trust for postgres@127.0.0.1 and a `test` database — and nothing else.
PG_VERSION = $$(ls /etc/postgresql | sort -V | tail -1)
services:
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    postgresql postgresql-client redis-server redis-tools >/dev/null; \
	fi; \
	if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  $$SUDO pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main start; \
	  for i in $$(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done; \
	fi; \
	if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then \
	  HBA=/etc/postgresql/$(PG_VERSION)/main/pg_hba.conf; \
	  $$SUDO sed -i '1i host all postgres 127.0.0.1/32 trust' $$HBA && \
	  $$SUDO pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main reload; \
	fi; \
	psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname = 'test'" | grep -q 1 || \
	  psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' >/dev/null; \
	if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,postgres,notify,distributed,render]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/zwgk demo --out demo-out $(if $(AS_OF),--as-of $(AS_OF),)

# Lint: ruff's checks, its formatter (check only) and mypy on the pure layers ([tool.mypy] files).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: install lint browser services
	$(VENV)/bin/pytest

# Seconds, no services: lint and the pure layers (rules and their cases, the layer test,
# extraction units, lifecycle, scoring). `make test` remains what CI runs.
CHECK_TESTS = tests/rules tests/test_layers.py tests/test_extract_units.py tests/test_extract_list_regions.py \
	tests/test_lifecycle.py tests/test_reports_scoring.py
check: lint
	$(VENV)/bin/pytest -q $(CHECK_TESTS)

clean:
	rm -rf demo-out reports .pytest_cache test-artifacts
