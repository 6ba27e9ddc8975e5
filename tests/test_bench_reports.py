"""The report benchmark keeps working (run tiny: a synthetic portal, a few days)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_reports.py"


def test_bench_reports_runs_tiny(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("bench_reports", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    result = mod.main(["--days", "4", "--tiny", "--keep", str(tmp_path)])
    assert result["units"] == 4
    assert result["counts"]["runs"] == 8 and result["counts"]["findings"] > 0
    assert set(result["paths"]) == {"daily", "weekly", "monthly", "units"}
    assert "render all reports" in capsys.readouterr().out
