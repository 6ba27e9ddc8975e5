"""Scores (评分): columns and units 0–100, grade bands, veto → 不合格. Pure (no database, no clock).

- Column score: `start` minus the points of each distinct open rule on the column, floor 0.
- Unit score: `unit.start` minus, per rule, points × findings (overdue ones × `overdue_factor`),
  capped per rule; grade by band; any veto line (zwgk/rules/veto.py) → the lowest band.

All points, caps, bands and veto thresholds are data (`data/scoring.yml`): the 2019 indicators'
per-item points are not published in a form we could confirm, so these are documented,
configurable defaults. A jurisdiction's file replaces the sections it names; the others keep
the base defaults.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zwgk.config.yamlines import load_located, load_mapping, refuse_unknown_keys
from zwgk.errors import BadInput

BASE_SCORING = Path(__file__).parent / "data" / "scoring.yml"
# Where a scoring file names its own keys: rule ids, veto lines, column kinds.
SCORING_OPEN_MAPS = frozenset({("deductions",), ("unit", "rules"), ("veto",), ("veto", "*", "warn_age_days")})


@lru_cache(maxsize=1)
def _base_data() -> dict[str, Any]:
    return yaml.safe_load(BASE_SCORING.read_text(encoding="utf-8")) or {}


def _base(section: str) -> Any:
    import copy

    return copy.deepcopy(_base_data().get(section))


@dataclass(frozen=True)
class Scoring:
    """Deduction points per rule id; `default` for rules not listed.

    `unit`, `grades` and `veto` are the unit-score, grade-band and veto-line sections of the
    scoring file (the base defaults unless a file replaces them).
    """

    deductions: Mapping[str, int] = field(default_factory=dict)
    default: int = 20
    start: int = 100
    floor: int = 0
    unit: Mapping[str, Any] = field(default_factory=lambda: _base("unit"))
    grades: tuple[tuple[str, float], ...] = field(
        default_factory=lambda: tuple((g["name"], float(g["min"])) for g in _base("grades"))
    )
    veto: Mapping[str, Any] = field(default_factory=lambda: _base("veto"))
    # The file's `version` and the sha256 of its bytes (load_scoring); '' when built in code.
    # Provenance, not weights: two scorings with the same weights compare equal.
    version: int | None = field(default=None, compare=False)
    sha256: str = field(default="", compare=False)

    def __hash__(self) -> int:  # frozen with mappings inside: identity is enough for caching
        return id(self)

    def points(self, rule: str) -> int:
        return int(self.deductions.get(rule, self.default))

    def unit_rule(self, rule: str) -> tuple[float, float]:
        """(points per finding, cap) of a rule in the unit score."""
        spec = (self.unit.get("rules") or {}).get(rule) or self.unit.get("default") or {}
        return float(spec.get("points", 0)), float(spec.get("cap", spec.get("points", 0)))

    def grade(self, score: float, veto: bool = False) -> str:
        if veto:
            return self.grades[-1][0]
        for name, minimum in self.grades:
            if score >= minimum:
                return name
        return self.grades[-1][0]


def load_scoring(path: str | Path | None = None) -> Scoring:
    """The scoring weights from `path`, or the base defaults (`zwgk/rules/data/scoring.yml`)."""
    src = Path(path) if path is not None else BASE_SCORING
    data = load_mapping(src, "评分文件")
    refuse_unknown_keys(load_located(src), _base_data(), "评分文件", SCORING_OPEN_MAPS)
    raw = src.read_bytes()  # its sha256 identifies the scoring a month was frozen with
    deductions = data.get("deductions") or {}
    if not isinstance(deductions, dict):
        raise BadInput("deductions 应为“检查项: 扣分”的映射", path=str(src))
    try:
        parsed = {str(k): int(v) for k, v in deductions.items()}
        extra: dict[str, Any] = {}
        if "unit" in data:
            extra["unit"] = _unit_section(data["unit"])
        if "grades" in data:
            extra["grades"] = _grades(data["grades"])
        if "veto" in data:
            extra["veto"] = _veto_section(data["veto"])
        scoring = Scoring(
            deductions=parsed,
            default=int(data.get("default", 20)),
            start=int(data.get("start", 100)),
            floor=int(data.get("floor", 0)),
            version=int(data["version"]) if data.get("version") is not None else None,
            sha256=hashlib.sha256(raw).hexdigest(),
            **extra,
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise BadInput(f"评分设置有误：{exc}", path=str(src)) from None
    if any(v < 0 for v in parsed.values()) or scoring.default < 0:
        raise BadInput("扣分不能为负数", path=str(src))
    return scoring


def scoring_sha(scoring: Scoring) -> str:
    """The sha256 of the scoring file, or (a Scoring built in code) of its sections."""
    if scoring.sha256:
        return scoring.sha256
    sections = {
        "deductions": dict(scoring.deductions),
        "default": scoring.default,
        "start": scoring.start,
        "floor": scoring.floor,
        "unit": scoring.unit,
        "grades": scoring.grades,
        "veto": scoring.veto,
    }
    return hashlib.sha256(json.dumps(sections, sort_keys=True, default=str).encode()).hexdigest()


def _unit_section(value: Any) -> dict[str, Any]:
    """The `unit` section, merged over the base one (a file may list only the rules it changes)."""
    base = _base("unit") or {}
    if not isinstance(value, dict):
        raise ValueError("unit 应为映射")
    out = {**base, **{k: v for k, v in value.items() if k != "rules"}}
    out["rules"] = {**(base.get("rules") or {}), **(value.get("rules") or {})}
    for rule, spec in [("default", out.get("default") or {}), *out["rules"].items()]:
        if not isinstance(spec, dict) or float(spec.get("points", 0)) < 0 or float(spec.get("cap", 0)) < 0:
            raise ValueError(f"unit.rules.{rule}：points 和 cap 应为非负数")
    float(out.get("overdue_factor", 1))
    return out


def _grades(value: Any) -> tuple[tuple[str, float], ...]:
    bands = tuple((str(g["name"]), float(g["min"])) for g in value)
    if not bands or [m for _, m in bands] != sorted((m for _, m in bands), reverse=True):
        raise ValueError("grades 应按 min 从高到低列出各等次")
    return bands


def _veto_section(value: Any) -> dict[str, Any]:
    base = _base("veto") or {}
    if not isinstance(value, dict):
        raise ValueError("veto 应为映射")
    out = dict(base)
    for line, spec in value.items():
        out[line] = {**(base.get(line) or {}), **(spec or {})}
    return out


def column_score(open_rules: Iterable[str], weights: Scoring | Mapping[str, int] | None = None) -> int:
    """Score of one column: start (100) minus the points of each distinct open rule, floor 0.

    `weights` is a `Scoring` or a plain {rule id: points} mapping (unlisted rules then deduct 0).
    A rule counts once per column, however many findings of it the column has.
    """
    if weights is None:
        weights = load_scoring()
    if isinstance(weights, Scoring):
        start, floor, points = weights.start, weights.floor, weights.points
    else:
        start, floor = 100, 0
        plain = weights

        def points(rule: str) -> int:
            return int(plain.get(rule, 0))

    total = start - sum(points(rule) for rule in sorted(set(open_rules)))
    return max(floor, min(start, total))


def unit_score(findings: Iterable[Any], scoring: Scoring | None = None, veto: bool = False) -> dict[str, Any]:
    """A unit's score from its open, counted findings (objects or dicts with `rule` and `status`).

    Returns {score, grade, veto, deductions: [{rule, count, overdue, points, cap, deducted}]}.
    Each rule deducts points × count (overdue × `overdue_factor`), at most its cap.
    """
    scoring = scoring or load_scoring()
    factor = float(scoring.unit.get("overdue_factor", 1))
    by_rule: dict[str, list[bool]] = {}
    for f in findings:
        rule = f["rule"] if isinstance(f, Mapping) else f.rule
        status = f.get("status") if isinstance(f, Mapping) else getattr(f, "status", "open")
        by_rule.setdefault(rule, []).append(status == "overdue")
    deductions: list[dict[str, Any]] = []
    total = 0.0
    for rule in sorted(by_rule):
        points, cap = scoring.unit_rule(rule)
        flags = by_rule[rule]
        raw = sum(points * (factor if overdue else 1) for overdue in flags)
        deducted = round(min(cap, raw), 2)
        total += deducted
        deductions.append(
            {
                "rule": rule,
                "count": len(flags),
                "overdue": sum(flags),
                "points": points,
                "cap": cap,
                "deducted": deducted,
            }
        )
    start = float(scoring.unit.get("start", 100))
    floor = float(scoring.unit.get("floor", 0))
    score = round(max(floor, min(start, start - total)), 1)
    deductions.sort(key=lambda d: (-d["deducted"], d["rule"]))
    return {"score": score, "grade": scoring.grade(score, veto), "veto": veto, "deductions": deductions}
