"""The shape of a rule: an id from docs/design.md, a Chinese title, a severity and its source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from zwgk.config.catalog import Catalog
from zwgk.rules.identity import normalize_url
from zwgk.rules.model import CheckContext, ColumnObs, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring


class Rule:
    """Base for unit-level rules. Subclasses set the class attributes and implement `check`.

    The docstring of each rule is its documentation (`zwgk rules` prints it).
    """

    id: ClassVar[str]
    title: ClassVar[str]
    # What it fires on, in plain Chinese for the people who read the reports (the docstring is for
    # developers and says it in English).
    summary: ClassVar[str] = ""
    severity: ClassVar[Severity]
    source: ClassVar[str]
    scope: ClassVar[Scope]  # what a finding is about: the lifecycle closes it only when that was read again

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        raise NotImplementedError

    def also_read(self, catalog: Catalog) -> tuple[str, ...]:
        """Columns besides the finding's own that a crawl must have read before the finding may close."""
        return ()

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        """The rule's limits, read from the catalog and scoring data, for `zwgk rules` and the reports'
        规则说明 page (label → value), so the documentation never disagrees with what is checked."""
        return {}

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        """The texts this rule saw on its evidence page (the newest entry's title, the typo, a broken
        link's anchor …), marked there for the department; [] for a rule that found something absent
        (the evidence page then says what was looked for)."""
        return []

    def attempted_page(self, evidence: Mapping[str, Any]) -> str | None:
        """The snapshot target ('home', 'entry') whose every fetch attempt over the period the
        evidence page lists, for a rule about a page that did not answer; None for the others."""
        return None

    def evidence_lines(self, evidence: dict[str, Any]) -> list[str]:
        """Plain-Chinese sentences for this rule's structured evidence; pops the keys it states, and
        the reports label whatever is left generically."""
        return []

    def subject(self, column: str | None, url: str | None, evidence: Mapping[str, Any]) -> tuple[str, ...]:
        """What a finding of this rule is about within its unit: its identity from night to night.

        By scope: a site finding is about the page that failed (home or entry), a column finding
        about the column (whatever its URL tonight), an article or link finding about its page by
        normalised URL. A rule with several findings per column says what tells them apart.
        """
        if self.scope == Scope.SITE:
            return (str(evidence.get("page") or "entry"),)
        if self.scope == Scope.COLUMN:
            return (column or "",)
        return (normalize_url(url),)

    def can_judge(self, unit: UnitObs) -> bool:
        """Could this crawl of the unit have shown the problem? A rule that abstains on some pages
        (a foot written by a script …) says so here, and the lifecycle never closes its finding on
        such a night — the page answering is not the problem being gone."""
        return True

    def evidence_pages(self, column_id: str | None, evidence: dict[str, Any]) -> list[str]:
        """The crawl targets whose stored page is this finding's evidence (the archived page shown)."""
        return [f"column:{column_id}"] if column_id else []

    def draft(
        self, unit: UnitObs, column: str | None, url: str | None, message: str, **evidence
    ) -> FindingDraft:
        return FindingDraft(self.id, self.severity, unit.portal, unit.unit, column, url, message, evidence)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "id", None):
            for attr in ("title", "severity", "source", "scope"):
                if not getattr(cls, attr, None):
                    raise TypeError(f"rule {cls.__name__} lacks {attr}")
            if not (cls.__doc__ or "").strip():
                raise TypeError(f"rule {cls.__name__} lacks a docstring")


class ColumnRule(Rule):
    """A rule about one column's content. The engine keeps only the most specific one per column
    (missing > blank > placeholder > undated > stale), so `precedence` orders them."""

    precedence: ClassVar[int]
    scope = Scope.COLUMN

    def check_column(self, column: ColumnObs, unit: UnitObs, ctx: CheckContext) -> FindingDraft | None:
        raise NotImplementedError

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        for column in unit.columns.values():
            if not ctx.catalog.column_rules_apply(column.column_id):
                continue  # a kind judged by its own rules (互动交流: interact.*)
            draft = self.check_column(column, unit, ctx)
            if draft:
                yield draft
