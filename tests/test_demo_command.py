"""`zwgk demo` (what `make demo` runs): the whole cycle, a per-rule table, and the daily report last."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_demo_prints_rule_table_and_ends_with_daily_report(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", "demo", "--out", str(tmp_path / "out"), "--as-of", "2026-11-23"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    rows = {
        m.group(1): (float(m.group(2)), float(m.group(3)))
        for m in (re.match(r"^(\S+\.\S+)\s.*\s(\d\.\d\d)\s+(\d\.\d\d)$", ln) for ln in lines)
        if m
    }
    for rule in (
        "site.unreachable",
        "column.missing",
        "column.blank",
        "column.placeholder",
        "column.undated",
        "column.stale",
    ):
        assert rule in rows, proc.stdout
        assert min(rows[rule]) >= 0.98, (rule, rows[rule])
    assert lines[-1].startswith("日调度报告: ")
    daily = Path(lines[-1].split(": ", 1)[1])
    assert daily.is_file() and daily.name == "daily-2026-11-23.html"
