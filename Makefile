# The two quick-start commands: `make demo` and `make test`. Each sets up what it needs in a
# local virtualenv on a fresh machine (only PyPI is reached), then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
AS_OF ?=

.PHONY: install demo test lint clean browser

# The browser tests drive Debian's chromium (never a downloaded browser) and want CJK fonts for
# readable screenshots. Installed when missing (CI runs as root); quiet and idempotent.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	fi

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

test: install lint browser
	$(VENV)/bin/pytest

clean:
	rm -rf demo-out reports .pytest_cache test-artifacts
