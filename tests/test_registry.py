"""The registry is validated on load: every problem names file and line, and the CLI exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.errors import BadInput

CATALOG = load_catalog()
GOOD = """\
portals:
  - id: jiyang
    name: 济阳区人民政府
    home: http://www.example.gov.cn/
    units:
      - id: fgj
        name: 区发展和改革局
        profile: department
        entry: http://www.example.gov.cn/xxgk/fgj/
        columns: {zcwj: http://www.example.gov.cn/xxgk/fgj/zcwj/}
      - id: gov
        name: 济阳区人民政府
        profile: government
        entry: http://www.example.gov.cn/xxgk/
allow_hosts: [intranet.example.gov.cn]
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "sites.yml"
    path.write_text(text, encoding="utf-8")
    return load_registry(path, set(CATALOG.profiles), CATALOG.column_ids()), path


def test_good_registry(tmp_path):
    reg, _ = _load(tmp_path, GOOD)
    assert [u.id for u in reg.portals[0].units] == ["fgj", "gov"]
    assert reg.hosts() == {"www.example.gov.cn", "intranet.example.gov.cn"}


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("        profile: department", "        profile: bureau", 8, "未知的单位类型 'bureau'"),
        ("    home: http://www.example.gov.cn/", "    home: ftp//nowhere", 4, "不是 http(s) 网址"),
        ("      - id: gov", "      - id: fgj", 11, "单位编号 'fgj' 重复"),
        (
            "        name: 区发展和改革局",
            "        name: 区发展和改革局\n        colour: red",
            8,
            "未知字段 'colour'",
        ),
        ("  - id: jiyang", "  - id: Jiyang", 2, "小写字母、数字和连字符"),
        ("        columns: {zcwj:", "        columns: {zzz:", 10, "未知的栏目编号 'zzz'"),
        (
            "    name: 济阳区人民政府\n",
            "    name: 济阳区人民政府\n    name: 重复\n",
            4,
            "重复的字段 'name'",
        ),
        ("      - id: fgj\n", "      - id: fgj\n     bad: [\n", 7, "YAML 格式有误"),
        ("allow_hosts: [intranet.example.gov.cn]", "allow_hosts: 5", 15, "allow_hosts: 应为列表"),
        ("        profile: department", "        profile: [department]", 8, "profile: 应为文字"),
    ],
)
def test_bad_registry_names_file_and_line(tmp_path, old, new, line, words):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(BadInput) as info:
        _load(tmp_path, text)
    msg = str(info.value)
    assert msg.startswith(f"{tmp_path / 'sites.yml'}:{line}:"), msg
    assert words in msg


def test_cli_exits_2_on_bad_registry(tmp_path):
    path = tmp_path / "sites.yml"
    path.write_text(GOOD.replace("profile: department", "profile: bureau"), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zwgk.cli",
            "crawl",
            "--sites",
            str(path),
            "--db",
            f"sqlite:///{tmp_path}/t.db",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert f"{path}:8:" in proc.stderr and "bureau" in proc.stderr


def test_cli_exits_2_on_missing_file_and_bad_date(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", "crawl", "--sites", str(tmp_path / "nope.yml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "nope.yml" in proc.stderr and "文件不存在" in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zwgk.cli",
            "check",
            "--as-of",
            "2026-13-01",
            "--db",
            f"sqlite:///{tmp_path}/t.db",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "--as-of" in proc.stderr


@pytest.mark.parametrize("loader", ["scoring", "holidays", "reports"])
def test_other_config_files_name_file_and_line(tmp_path, loader):
    """Scoring, holiday and report settings files share the registry's YAML loading (file:line)."""
    from zwgk.config.workdays import load_holiday_file
    from zwgk.reports.config import load_report_config
    from zwgk.rules.scoring import load_scoring

    load = {"scoring": load_scoring, "holidays": load_holiday_file, "reports": load_report_config}[loader]
    path = tmp_path / "x.yml"
    path.write_text("a: 1\nb: [\n", encoding="utf-8")
    with pytest.raises(BadInput) as info:
        load(path)
    assert str(info.value).startswith(f"{path}:") and "YAML 格式有误" in str(info.value)
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(BadInput, match="重复的字段 'a'"):
        load(path)
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(BadInput, match="应为“字段: 值”的映射"):
        load(path)
