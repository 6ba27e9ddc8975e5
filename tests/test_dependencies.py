"""Every third-party import is a declared dependency, and every declared runtime dependency is used.

An undeclared import works on the developer's machine (something else pulled it in) and fails on a
county's server after `pip install`; a declared dependency nothing uses is weight and attack
surface. The lower bounds themselves are tested by CI's lowest-versions job (.ci/run).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OWN = {"zwgk", "zwgk_demonet"}
# Declared and needed, but never imported by name: each with why.
USED_WITHOUT_IMPORT = {
    "protego": "Scrapy's robots.txt parser, named in zwgk/crawler/settings.py ROBOTSTXT_PARSER",
    "tzdata": "time zone data for zoneinfo (Asia/Shanghai) where the system has none",
    "psycopg": "the PostgreSQL driver SQLAlchemy loads for postgresql+psycopg:// URLs",
    "scrapy-redis": "the scheduler and dupe filter named by path in zwgk/crawler/distributed.py",
    "python-multipart": "FastAPI's parser of the workspace's forms and uploads (zwgk/web)",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(req: str) -> str:
    return _norm(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0])


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_requirement_name(r) for r in project["dependencies"]}
    extras = {
        _requirement_name(r)
        for name, reqs in project["optional-dependencies"].items()
        if name != "dev"
        for r in reqs
    }
    return runtime, extras


def _imported_modules() -> dict[str, str]:
    """Top-level third-party module → one file importing it."""
    found: dict[str, str] = {}
    for root in OWN:
        for path in (REPO / root).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OWN:
                        found.setdefault(top, str(path.relative_to(REPO)))
    return found


def _distribution(module: str) -> str | None:
    dists = packages_distributions().get(module)
    return _norm(dists[0]) if dists else None


def test_every_import_is_declared():
    runtime, extras = _declared()
    imported = _imported_modules()
    assert "scrapy" in imported and "sqlalchemy" in imported  # the scan sees the code
    undeclared = {
        module: (dist, where)
        for module, where in imported.items()
        if (dist := _distribution(module)) is None or dist not in runtime | extras
    }
    assert undeclared == {}, f"declare these in pyproject.toml: {undeclared}"


def test_every_runtime_dependency_is_used():
    runtime, extras = _declared()
    used = {_distribution(m) for m in _imported_modules()}
    unused = sorted((runtime | extras) - used - set(USED_WITHOUT_IMPORT))
    assert unused == [], f"declared but never imported (remove, or say why in USED_WITHOUT_IMPORT): {unused}"
    crawler = REPO / "zwgk" / "crawler"
    assert "ProtegoRobotParser" in (crawler / "settings.py").read_text(encoding="utf-8")
    assert "scrapy_redis.scheduler" in (crawler / "distributed.py").read_text(encoding="utf-8")
