"""Shared fixtures.

Real captured pages live in `../shared/real-pages/` beside the repository (CI always has it); they
are read from there, never copied in. Where that folder is absent the tests that need it skip
with a visible reason — except under CI (CI=true), where a missing prerequisite is a failure:
a CI run that silently skipped would look green while testing less.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL_PAGES = SHARED / "real-pages"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip with the reason; under CI=true, fail instead (nothing is skipped silently in CI)."""
    if in_ci():
        pytest.fail(f"{reason} — required under CI=true", pytrace=False)
    pytest.skip(reason)


def require_module(name: str, extra: str = "dev") -> ModuleType:
    """Import `name` for a test module: skip the module when it is missing, fail under CI."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        reason = f"{name} is not installed ({exc}); pip install -e '.[{extra}]'"
        if in_ci():
            pytest.fail(f"{reason} — required under CI=true", pytrace=False)
        pytest.skip(reason, allow_module_level=True)


def real_page_bytes(name: str) -> bytes:
    """Raw bytes of one real captured page; skip (fail under CI) when shared/ is absent."""
    path = REAL_PAGES / name
    if not REAL_PAGES.is_dir():
        skip_or_fail(f"real pages not available: {REAL_PAGES} is absent (outside the workplace)")
    if not path.is_file():
        pytest.fail(f"real page {name} is missing from {REAL_PAGES}")
    return path.read_bytes()


@pytest.fixture
def real_page():
    """Callable fixture: real_page('yichun-...html') -> bytes."""
    return real_page_bytes
