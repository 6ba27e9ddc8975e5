"""The shape of a rule: an id from design.md, a Chinese title, a severity and its source."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from zwgk.rules.model import CheckContext, ColumnObs, FindingDraft, Severity, UnitObs


class Rule:
    """Base for unit-level rules. Subclasses set the class attributes and implement `check`.

    The docstring of each rule is its documentation (`zwgk rules` prints it).
    """

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    source: ClassVar[str]

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        raise NotImplementedError

    def draft(self, unit: UnitObs, column: str | None, url: str | None, message: str, **evidence) -> FindingDraft:
        return FindingDraft(self.id, self.severity, unit.portal, unit.unit, column, url, message, evidence)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "id", None):
            for attr in ("title", "severity", "source"):
                if not getattr(cls, attr, None):
                    raise TypeError(f"rule {cls.__name__} lacks {attr}")
            if not (cls.__doc__ or "").strip():
                raise TypeError(f"rule {cls.__name__} lacks a docstring")


class ColumnRule(Rule):
    """A rule about one column's content. The engine keeps only the most specific one per column
    (missing > blank > placeholder > undated > stale), so `precedence` orders them."""

    precedence: ClassVar[int]

    def check_column(self, column: ColumnObs, unit: UnitObs, ctx: CheckContext) -> FindingDraft | None:
        raise NotImplementedError

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        for column in unit.columns.values():
            draft = self.check_column(column, unit, ctx)
            if draft:
                yield draft
