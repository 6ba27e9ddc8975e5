"""Column scores (栏目评分): 100 points minus a deduction per open rule, floor 0.

Pure (no database, no clock). Deduction points are data (`data/scoring.yml`): the 2019 indicators'
per-item points are not published in a form we could confirm, so these are documented,
configurable defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from zwgk.errors import BadInput

BASE_SCORING = Path(__file__).parent / "data" / "scoring.yml"


@dataclass(frozen=True)
class Scoring:
    """Deduction points per rule id; `default` for rules not listed."""

    deductions: Mapping[str, int] = field(default_factory=dict)
    default: int = 20
    start: int = 100
    floor: int = 0

    def points(self, rule: str) -> int:
        return int(self.deductions.get(rule, self.default))


def load_scoring(path: str | Path | None = None) -> Scoring:
    """The scoring weights from `path`, or the base defaults (`zwgk/rules/data/scoring.yml`)."""
    src = Path(path) if path is not None else BASE_SCORING
    try:
        data = yaml.safe_load(src.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise BadInput(f"cannot read scoring file: {exc.strerror or exc}", path=str(src)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BadInput(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=str(src),
                       line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise BadInput("a scoring file must be a mapping", path=str(src), line=1)
    deductions = data.get("deductions") or {}
    if not isinstance(deductions, dict):
        raise BadInput("'deductions' must map rule ids to points", path=str(src))
    try:
        parsed = {str(k): int(v) for k, v in deductions.items()}
        scoring = Scoring(deductions=parsed, default=int(data.get("default", 20)),
                          start=int(data.get("start", 100)), floor=int(data.get("floor", 0)))
    except (TypeError, ValueError) as exc:
        raise BadInput(f"scoring points must be integers: {exc}", path=str(src)) from None
    if any(v < 0 for v in parsed.values()) or scoring.default < 0:
        raise BadInput("deduction points must not be negative", path=str(src))
    return scoring


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
