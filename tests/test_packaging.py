"""Every data file the package reads at run time (catalog YAML, templates, inline script, migration
template) is declared as package data, so an installed wheel works like the checkout."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_data_file_is_package_data():
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["zwgk"]
    suffixes = {p.rsplit("*", 1)[-1] for p in patterns}
    data = [p for p in (REPO / "zwgk").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data, "expected data files under zwgk/"
    missing = [str(p.relative_to(REPO)) for p in data if not any(p.name.endswith(s) for s in suffixes)]
    assert missing == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
