# The two quick-start commands: `make demo` and `make test`. Each sets up what it needs in a
# local virtualenv on a fresh machine (only PyPI is reached), then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
AS_OF ?=

.PHONY: install demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,postgres,notify,distributed]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/zwgk demo --out demo-out $(if $(AS_OF),--as-of $(AS_OF),)

lint: install
	$(VENV)/bin/ruff check .

test: install lint
	$(VENV)/bin/pytest

clean:
	rm -rf demo-out reports .pytest_cache
