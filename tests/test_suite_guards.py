"""The suite's own guards: under CI=true a missing prerequisite fails instead of skipping, and no
test can hang the run (pytest-timeout's suite-wide limit)."""

from __future__ import annotations

import tomllib

import pytest

from tests import conftest


@pytest.mark.parametrize("ci", ["true", ""])
def test_missing_real_pages_skip_locally_and_fail_in_ci(tmp_path, monkeypatch, ci):
    monkeypatch.setattr(conftest, "REAL_PAGES", tmp_path / "absent")
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="real pages not available"):
        conftest.real_page_bytes("x.html")


@pytest.mark.parametrize("ci", ["true", ""])
def test_missing_module_skips_locally_and_fails_in_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="zwgk_no_such_module is not installed"):
        conftest.require_module("zwgk_no_such_module")
    assert conftest.require_module("yaml").safe_load("a: 1") == {"a": 1}


def test_suite_wide_timeout_is_configured(pytestconfig):
    data = tomllib.loads((conftest.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["tool"]["pytest"]["ini_options"]["timeout"] == 600
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert float(pytestconfig.getini("timeout")) == 600
