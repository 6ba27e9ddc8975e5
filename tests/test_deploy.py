"""deploy/: the systemd unit runs commands the CLI really has, `systemd-analyze verify` accepts it,
and the README's upgrade commands work on a database of the first schema.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "deploy" / "zwgk-scheduler.service"
SERVE_UNIT = REPO / "deploy" / "zwgk-serve.service"
README = REPO / "deploy" / "README.md"
INSTALLED = "/opt/zwgk/venv/bin/zwgk"  # where the unit expects the console script
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit file as {section: [(key, value), …]} (comments dropped, `\\` continuations joined)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current, pending = None, ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        line, pending = pending + line, ""
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        key, sep, value = line.partition("=")
        assert sep and current, f"{path}: cannot read {raw!r}"
        sections[current].append((key.strip(), value.strip()))
    return sections


def unit_commands(unit: Path = UNIT) -> list[tuple[str, list[str]]]:
    service = parse_unit(unit)["Service"]
    commands = [
        (key, shlex.split(value.lstrip("-@:+!")))
        for key, value in service
        if key in ("ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop")
    ]
    expected = ["ExecStartPre", "ExecStart"] if unit == UNIT else ["ExecStart"]
    assert [k for k, _ in commands] == expected, commands
    return commands


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "NO_COLOR": "1"},
    )


@pytest.mark.parametrize(
    ("key", "argv"),
    unit_commands() + unit_commands(SERVE_UNIT),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_unit_commands_and_options_exist_in_the_cli(key, argv):
    assert argv[0] == INSTALLED, f"{key} should run the venv's console script, not {argv[0]}"
    words = [a for a in argv[1:] if not a.startswith("-")][: 2 if argv[1] == "db" else 1]
    assert argv[1 : 1 + len(words)] == words, f"{key}: options before the subcommand: {argv}"
    options = [a.split("=", 1)[0] for a in argv[1 + len(words) :] if a.startswith("--")]
    assert options, f"{key}: {argv}"
    proc = cli(*words, "--help")
    assert proc.returncode == 0, f"`zwgk {' '.join(words)}` is not a command: {proc.stdout}{proc.stderr}"
    known = set(OPTION.findall(proc.stdout))
    missing = [o for o in options if o not in known]
    assert not missing, f"{key}: `zwgk {' '.join(words)}` has no option {missing} (it has {sorted(known)})"
    # every option in the unit takes a value, and the unit gives one
    for opt in options:
        i = argv.index(opt)
        assert i + 1 < len(argv) and not argv[i + 1].startswith("--"), f"{key}: {opt} without a value"


def test_required_options_of_schedule_are_in_the_unit():
    [(_, argv)] = [(k, a) for k, a in unit_commands() if k == "ExecStart"]
    assert argv[1] == "schedule"
    help_text = cli("schedule", "--help").stdout
    required = [m for line in help_text.splitlines() if "[required]" in line for m in OPTION.findall(line)]
    assert required == ["--sites"], required
    assert all(opt in argv for opt in required)


@pytest.mark.parametrize("unit", [UNIT, SERVE_UNIT], ids=lambda p: p.name)
def test_systemd_analyze_verify(tmp_path, unit):
    """The unit as installed, with its paths pointed at this machine (verify wants real executables)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        skip_or_fail("systemd-analyze is not installed (apt-get install systemd)")
    console = shutil.which("zwgk", path=str(Path(sys.executable).parent)) or str(REPO / ".venv/bin/zwgk")
    assert os.access(console, os.X_OK), console
    data, etc = tmp_path / "var-lib-zwgk", tmp_path / "etc-zwgk"
    data.mkdir()
    etc.mkdir()
    text = unit.read_text(encoding="utf-8")
    assert INSTALLED in text
    text = text.replace(INSTALLED, console).replace("/var/lib/zwgk", str(data)).replace("/etc/zwgk", str(etc))
    copy = tmp_path / unit.name
    copy.write_text(text, encoding="utf-8")
    proc = subprocess.run([tool, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stdout + proc.stderr
    # … and it does catch a broken unit
    copy.write_text(text.replace("Restart=on-failure", "Restart=sometimes"), encoding="utf-8")
    bad = subprocess.run([tool, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60)
    assert "restart specifier" in bad.stderr and "sometimes" in bad.stderr, bad.stderr


def test_documented_upgrade_commands_on_a_first_schema_database(tmp_path):
    """deploy/README 'Upgrading': `zwgk db upgrade` then `zwgk db check` on a revision-0001 database with data."""
    from alembic import command

    from tests.test_migrations import _assert_first_schema_rows_survive, _insert_first_schema_rows
    from zwgk.store.migrations import alembic_config, current_revision, head_revision

    readme = README.read_text(encoding="utf-8")
    assert "zwgk db upgrade --db /var/lib/zwgk/zwgk.db" in readme
    db = tmp_path / "zwgk.db"
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "0001")
        _insert_first_schema_rows(engine)
    finally:
        engine.dispose()
    up = cli("db", "upgrade", "--db", str(db))
    assert up.returncode == 0, up.stdout + up.stderr
    check = cli("db", "check", "--db", str(db))
    assert check.returncode == 0, check.stdout + check.stderr
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision() != "0001"
        _assert_first_schema_rows_survive(engine)
    finally:
        engine.dispose()
