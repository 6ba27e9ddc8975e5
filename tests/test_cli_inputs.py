"""Bad input exits 2 with a clear message: a --db in a missing folder, a typo'd registry key;
`zwgk inspect` accepts (and ignores) --db like every other command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_registry import GOOD, _load
from zwgk.errors import BadInput
from zwgk.store.db import make_engine


def _zwgk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_db_in_a_missing_folder_is_bad_input(tmp_path):
    missing = tmp_path / "no-such-dir" / "z.db"
    with pytest.raises(BadInput) as info:
        make_engine(f"sqlite:///{missing}")
    assert "文件夹不存在" in str(info.value) and str(missing.parent) in str(info.value)
    with pytest.raises(BadInput):
        make_engine(str(missing))  # a bare path too
    proc = _zwgk("check", "--db", str(missing), "--as-of", "2026-11-23")
    assert proc.returncode == 2, proc.stderr
    assert "no-such-dir" in proc.stderr and "文件夹不存在" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not missing.parent.exists()


def test_registry_typo_is_named_before_the_missing_key(tmp_path):
    text = GOOD.replace("        profile: department", "        profle: department", 1)
    with pytest.raises(BadInput) as info:
        _load(tmp_path, text)
    msg = str(info.value)
    assert "未知字段 'profle'" in msg, msg
    assert msg.startswith(f"{tmp_path / 'sites.yml'}:8:"), msg
    assert "另有 1 处问题" in msg  # the missing 'profile' is still counted


def test_inspect_accepts_db_and_ignores_it(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>测试</title></head><body><p>正文</p></body></html>",
        encoding="utf-8",
    )
    db = tmp_path / "unused" / "z.db"  # not even its folder exists: inspect reads no database
    proc = _zwgk("inspect", "http://127.0.0.1/p.html", "--file", str(page), "--json", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert '"kind"' in proc.stdout
    assert not db.parent.exists()
