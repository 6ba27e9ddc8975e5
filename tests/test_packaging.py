"""Every data file the package reads at run time (catalog YAML, templates, inline script, migration
template) is declared as package data, so an installed wheel works like the checkout."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_data_file_is_package_data():
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["zwgk"]
    suffixes = {p.rsplit("*", 1)[-1] for p in patterns}
    data = [
        p
        for p in (REPO / "zwgk").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data, "expected data files under zwgk/"
    missing = [str(p.relative_to(REPO)) for p in data if not any(p.name.endswith(s) for s in suffixes)]
    assert missing == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"


def test_product_code_never_imports_the_demo_network():
    """The demo network's templates and phrases must not reach extraction: only `zwgk.cli.demo` loads it."""
    users = [
        str(p.relative_to(REPO))
        for p in (REPO / "zwgk").rglob("*.py")
        if "zwgk_demonet" in p.read_text(encoding="utf-8") and p.name != "demo.py"
    ]
    assert users == []


def test_pip_installed_package_runs_the_demo(tmp_path):
    """`pip install .` into a fresh virtualenv outside the checkout, then `zwgk demo`: the package
    carries its data and the demo network. Dependencies come from this environment (a .pth file)
    so that the test installs only the project itself."""
    import os
    import shutil
    import site
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    src = tmp_path / "src"  # a copy: building in the checkout would leave build/ and egg-info in it
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("zwgk", "zwgk_demonet"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(src)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert pip.returncode == 0, pip.stderr[-2000:]
    target = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(target) / "zz_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    where = subprocess.run(
        [str(py), "-c", "import zwgk, zwgk_demonet; print(zwgk.__file__); print(zwgk_demonet.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(target) for line in where.stdout.split()), where.stdout  # not the checkout
    demo = subprocess.run(
        [
            str(venv / "bin" / "zwgk"),
            "demo",
            "--out",
            str(tmp_path / "out"),
            "--db",
            str(tmp_path / "demo.db"),
            "--as-of",
            "2026-11-23",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert list((tmp_path / "out").glob("daily-2026-11-23.html")), demo.stdout[-1000:]
