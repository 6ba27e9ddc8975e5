# The two quick-start commands: `make demo` and `make test`. Each sets up what it needs in a
# local virtualenv on a fresh machine (only PyPI is reached), then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CKSUM := $(shell cksum pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-dev-$(CKSUM)
RUN_STAMP := $(VENV)/.installed-run-$(CKSUM)
AS_OF ?=

.PHONY: install demo test check lint clean browser services lowest wheel

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

# Two install levels: `make demo` needs only the runtime; the tests add the extras (PostgreSQL,
# notifications, Redis, browser rendering) and the dev tools.
$(RUN_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	rm -f $(VENV)/.installed-run-*
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,postgres,notify,distributed,render]'
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-*
	touch $(STAMP) $(RUN_STAMP)

install: $(STAMP)

demo: $(RUN_STAMP)
	$(VENV)/bin/zwgk demo --out demo-out $(if $(AS_OF),--as-of $(AS_OF),)

# CI's second job: the declared lower bounds hold. Every direct dependency at the lowest version
# pyproject.toml allows (uv's lowest-direct resolution), then the pure tests and the demo.
LOW_VENV ?= .venv-lowest
lowest:
	rm -rf $(LOW_VENV) demo-lowest
	$(PYTHON) -m venv $(LOW_VENV)
	$(LOW_VENV)/bin/pip install -q uv
	$(LOW_VENV)/bin/uv pip install -q --python $(LOW_VENV)/bin/python --resolution lowest-direct \
	  -e . 'pytest>=8' 'pytest-timeout>=2.3'
	$(LOW_VENV)/bin/pip list 2>/dev/null | grep -iE '^(scrapy|sqlalchemy|pandas|typer|pydantic|lxml|alembic) '
	$(LOW_VENV)/bin/pytest -q -p no:cacheprovider $(CHECK_TESTS)
	$(LOW_VENV)/bin/zwgk demo --out demo-lowest --as-of 2026-11-23 --nights 1 >/dev/null

# CI's third job: a built wheel, installed with its declared dependencies into a fresh virtualenv
# outside the checkout, runs the demo.
WHEEL_DIR ?= /tmp/zwgk-wheel-check
wheel: $(RUN_STAMP)
	rm -rf $(WHEEL_DIR) && mkdir -p $(WHEEL_DIR)
	$(PY) -m pip wheel -q --no-deps -w $(WHEEL_DIR)/dist .
	$(PYTHON) -m venv $(WHEEL_DIR)/venv
	$(WHEEL_DIR)/venv/bin/pip install -q $(WHEEL_DIR)/dist/*.whl
	cd $(WHEEL_DIR) && ./venv/bin/zwgk --version && ./venv/bin/zwgk demo --out out --as-of 2026-11-23 --nights 2 >/dev/null
	test -f $(WHEEL_DIR)/out/daily-2026-11-23.html

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
	rm -rf demo-out demo-lowest reports .pytest_cache test-artifacts $(LOW_VENV)
