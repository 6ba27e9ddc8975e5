"""Column scoring: documented defaults, floor 0, configurable weights."""

from __future__ import annotations

import pytest

from zwgk.errors import BadInput
from zwgk.rules.scoring import BASE_SCORING, Scoring, column_score, load_scoring


def test_defaults_documented():
    scoring = load_scoring()
    assert scoring.start == 100 and scoring.floor == 0
    assert scoring.points("column.missing") == 100
    assert scoring.points("column.blank") == 100
    assert scoring.points("column.placeholder") == 80
    assert scoring.points("column.stale") == 60
    assert scoring.points("column.undated") == 40
    assert "not published" in BASE_SCORING.read_text(encoding="utf-8")


def test_column_score():
    scoring = load_scoring()
    assert column_score([], scoring) == 100
    assert column_score(["column.stale"], scoring) == 40
    assert column_score(["column.undated"], scoring) == 60
    assert column_score(["column.stale", "column.undated"], scoring) == 0
    assert column_score(["column.missing", "column.stale"], scoring) == 0  # floor
    assert column_score(["link.broken", "link.broken"], scoring) == 80  # a rule counts once
    assert column_score(["some.new.rule"], scoring) == 100 - scoring.default


def test_plain_mapping_and_override(tmp_path):
    assert column_score(["column.stale"], {"column.stale": 30}) == 70
    assert column_score(["unknown"], {"column.stale": 30}) == 100
    path = tmp_path / "s.yml"
    path.write_text("start: 100\nfloor: 10\ndefault: 5\ndeductions: {column.stale: 95}\n", encoding="utf-8")
    custom = load_scoring(path)
    assert custom == Scoring(deductions={"column.stale": 95}, default=5, start=100, floor=10)
    assert column_score(["column.stale"], custom) == 10
    assert column_score(["x"], custom) == 95


def test_bad_scoring_file(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("deductions: {column.stale: lots}\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad\.yml"):
        load_scoring(path)
    path.write_text("deductions: [\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad\.yml:\d+"):
        load_scoring(path)


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("start: 100\ndeductons:\n  column.stale: 10\n", 2, "deductons"),  # the typo the defaults would hide
        ("unit:\n  start: 100\n  rules:\n    column.stale: {points: 2, cap: 10, cpa: 3}\n", 4, "cpa"),
        ("veto:\n  blank:\n    threshold: 3\n    treshold: 4\n", 4, "treshold"),
        ("grades:\n  - {name: 优秀, min: 90}\n  - {name: 合格, mni: 0}\n", 3, "mni"),
    ],
)
def test_unknown_scoring_keys_are_refused_with_their_line(tmp_path, text, line, key):
    path = tmp_path / "s.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=rf"s\.yml:{line}: 评分文件中有未知字段 '[a-z_.0-9]*{key}'"):
        load_scoring(path)


def test_scoring_files_name_their_own_rules_and_veto_lines(tmp_path):
    path = tmp_path / "s.yml"
    path.write_text(
        "deductions: {local.rule: 5}\nunit:\n  rules:\n    local.rule: {points: 1, cap: 2}\n"
        "veto:\n  local_line:\n    name: 本地否决线\n    rules: [column.blank]\n    threshold: 9\n"
        "  columns_stale:\n    warn_age_days: {dynamic: 9}\n",
        encoding="utf-8",
    )
    scoring = load_scoring(path)
    assert scoring.deductions == {"local.rule": 5}
    assert scoring.veto["local_line"]["threshold"] == 9
