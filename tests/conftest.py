"""Shared fixtures.

Real captured pages live in `../shared/real-pages/` beside the repository (CI always has it); they
are read from there, never copied in. Where that folder is absent the tests that need it skip
with a visible reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL_PAGES = SHARED / "real-pages"


def real_page_bytes(name: str) -> bytes:
    """Raw bytes of one real captured page, or skip the calling test when shared/ is absent."""
    path = REAL_PAGES / name
    if not REAL_PAGES.is_dir():
        pytest.skip(f"real pages not available: {REAL_PAGES} is absent (outside the workplace)")
    if not path.is_file():
        pytest.fail(f"real page {name} is missing from {REAL_PAGES}")
    return path.read_bytes()


@pytest.fixture
def real_page():
    """Callable fixture: real_page('yichun-...html') -> bytes."""
    return real_page_bytes
