"""The one-way data flow the README draws, enforced: each layer imports only the layers below it.

    base (errors, page decoding) → config → store → (crawler | rules) → findings → reports → cycle → web → cli

crawler and rules sit side by side and never import each other; rules, findings and reports never
import Scrapy. Two checks: the static import graph of every module (function-level imports
included, so a lazy import cannot hide a circle), and a fresh interpreter importing each lower
layer to see what actually gets loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "zwgk"

# Module (or package) → layer. Longest prefix wins; a new top-level module must be placed here.
LAYER_OF = {
    "zwgk": "base",  # the package itself: only its version string
    "zwgk.errors": "base",
    "zwgk.encoding": "base",
    "zwgk.beijing": "base",
    "zwgk.inert": "base",
    "zwgk.config": "config",
    "zwgk.store": "store",
    "zwgk.crawler": "crawler",
    "zwgk.rules": "rules",
    "zwgk.findings": "findings",
    "zwgk.reports": "reports",
    "zwgk.cycle": "cycle",
    "zwgk.jobs": "cycle",  # the schedule files' name for zwgk.cycle.jobs
    "zwgk.scheduler": "cycle",
    "zwgk.web": "web",  # zwgk serve: the workspace over the cycle's store and recheck
    "zwgk.cli": "cli",
}
# What each layer may import (besides itself).
ALLOWED = {
    "base": set(),
    "config": {"base"},
    "store": {"base", "config"},
    "crawler": {"base", "config", "store"},
    "rules": {"base", "config"},
    "findings": {"base", "config", "store", "rules"},
    "reports": {"base", "config", "store", "rules", "findings"},
    "cycle": {"base", "config", "store", "crawler", "rules", "findings", "reports"},
    "web": {"base", "config", "store", "rules", "findings", "reports", "cycle"},
    "cli": {"base", "config", "store", "crawler", "rules", "findings", "reports", "cycle", "web"},
}
NO_SCRAPY = ("config", "store", "rules", "findings", "reports")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PKG.rglob("*.py")}


def layer(module: str) -> str:
    name = module
    while name not in LAYER_OF:
        if "." not in name:
            raise AssertionError(f"{module} is in no layer: place it in tests/test_layers.py LAYER_OF")
        name = name.rsplit(".", 1)[0]
    return LAYER_OF[name]


def _resolve(name: str) -> str | None:
    """The longest known zwgk module a dotted import name refers to."""
    while name and name not in MODULES:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    return name or None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            if n.startswith("zwgk") and (target := _resolve(n)) and target != module:
                found.add(target)
    return found


def test_every_module_has_a_layer():
    for module in MODULES:
        assert layer(module) in ALLOWED


def test_imports_only_go_downwards():
    wrong = []
    for module in sorted(MODULES):
        if "migrations.versions" in module:
            continue
        mine = layer(module)
        for target in sorted(imports_of(module)):
            theirs = layer(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_no_import_circles_between_modules():
    graph = {m: imports_of(m) for m in MODULES}
    # Importing a submodule runs its package's __init__: a package's own __init__ re-exporting a
    # submodule is no circle, so edges from a package to its own submodules are not followed.
    graph = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import circles:\n" + "\n".join(" → ".join(c) for c in cycles)


@pytest.mark.parametrize(
    "lowest",
    [
        "zwgk.config.catalog",
        "zwgk.store.db",
        "zwgk.rules.engine",
        "zwgk.findings.scores",
        "zwgk.reports",
        "zwgk.crawler.extract",
    ],
)
def test_a_layer_loads_nothing_above_it(lowest):
    """What importing a layer really loads, in a fresh interpreter (catches imports made at run time)."""
    code = (
        "import json, sys, importlib; importlib.import_module(sys.argv[1]); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('zwgk', 'scrapy')))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, lowest], capture_output=True, text=True, timeout=120, cwd=PKG.parent
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    mine = layer(lowest)
    above = [m for m in loaded if m.startswith("zwgk") and layer(m) != mine and layer(m) not in ALLOWED[mine]]
    assert not above, f"importing {lowest} loaded {above}"
    if mine in NO_SCRAPY:
        assert not [m for m in loaded if m.startswith("scrapy")], f"importing {lowest} loaded Scrapy"
