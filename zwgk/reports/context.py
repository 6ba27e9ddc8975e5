"""What the weekly, monthly and unit reports read, read once per rendering and only for the windows
they show.

Cost grows with new data, not with total history:
- Findings: only those that matter to the window — still open, or rectified on or after the
  window's first day (`Finding.status`, `Finding.rectified_on`). A problem closed before the
  window is never loaded, however long the history. Their states on each date of the window are
  replayed in Python from one query (findings_as_of's rules, zwgk/reports/views.py).
- Opened / rectified counts over time: one GROUP BY over FindingEvent rows whose date is inside
  the window (`on BETWEEN start AND end`), never the whole event log.
- Unit scores (zwgk/findings/scores.py) on past dates: cached on disk under `<out>/.cache/`, keyed by
  the date, the newest run and event recorded up to that date and the scoring/catalog used. A past
  month's end-of-month scores are computed once, then read; tonight only tonight's are computed.
- Everything else (units, portals, the latest crawl's snapshots) is one night's worth of rows.
All reports rendered together share one context, so nothing is read twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from zwgk.config.catalog import Catalog
from zwgk.findings.history import OPEN, FindingState, state_as_of
from zwgk.findings.observations import latest_crawl_run
from zwgk.rules.model import ColumnObs, EntryObs, UnitObs
from zwgk.rules.registry import rule_titles
from zwgk.rules.scoring import Scoring, load_scoring
from zwgk.store.schema import Finding, FindingEvent, Portal, Run, Snapshot, Unit


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def months_back(d: date, n: int) -> list[tuple[int, int]]:
    """The n months ending with d's month, oldest first."""
    out = []
    y, m = d.year, d.month
    for _ in range(n):
        out.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


class ReportContext:
    def __init__(
        self,
        session: Session,
        catalog: Catalog,
        scoring: Scoring | None = None,
        cache_dir: Path | None = None,
        since: date | None = None,
    ):
        """`since`: the earliest date any report of this rendering looks at (for the findings load)."""
        self.session = session
        self.catalog = catalog
        self.scoring = scoring or load_scoring()
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.since = since
        self.titles = rule_titles()
        self.portals = {p.id: p for p in session.execute(select(Portal)).scalars()}
        self.units = {(u.portal_id, u.unit_id): u for u in session.execute(select(Unit)).scalars()}
        self._findings: list[Finding] | None = None
        self._states: dict[date, list[FindingState]] = {}
        self._scores: dict[date, list[dict]] = {}
        self._columns: dict[date, list[dict]] = {}
        self.memo: dict[Any, Any] = {}  # views built once per rendering (e.g. the daily view)
        self._key = hashlib.sha256(
            (
                json.dumps(
                    {
                        "scoring": [
                            dict(self.scoring.deductions),
                            self.scoring.default,
                            dict(self.scoring.unit),
                            list(self.scoring.grades),
                            dict(self.scoring.veto),
                        ]
                    },
                    sort_keys=True,
                    default=str,
                )
                + catalog.model_dump_json()
            ).encode()
        ).hexdigest()[:16]

    # ------------------------------------------------------------ names
    def unit_name(self, portal: str, unit: str) -> str:
        u = self.units.get((portal, unit))
        return u.name if u else unit

    def portal_name(self, portal: str) -> str:
        p = self.portals.get(portal)
        return p.name if p else portal

    def profile_name(self, portal: str, unit: str) -> str:
        u = self.units.get((portal, unit))
        if u is None:
            return ""
        prof = self.catalog.profiles.get(u.profile)
        return prof.name if prof else u.profile

    # ------------------------------------------------------------ findings
    def findings(self) -> list[Finding]:
        """Findings open now, or rectified on/after `since` (all of them when `since` is None)."""
        if self._findings is None:
            q = select(Finding).options(selectinload(Finding.events))
            if self.since is not None:
                q = q.where(or_(Finding.status != "rectified", Finding.rectified_on >= self.since))
            self._findings = list(self.session.execute(q).scalars())
        return self._findings

    def states(self, as_of: date) -> list[FindingState]:
        """Findings' states on `as_of` (those relevant to the window; see the module docstring)."""
        if as_of not in self._states:
            out = [s for f in self.findings() if (s := state_as_of(f, as_of)) is not None]
            out.sort(
                key=lambda s: (
                    s.finding.portal_id,
                    s.finding.unit_id,
                    s.finding.rule,
                    s.finding.column_id or "",
                    s.finding.url or "",
                    s.finding.id,
                )
            )
            self._states[as_of] = out
        return self._states[as_of]

    def open_states(self, as_of: date) -> list[FindingState]:
        """Open findings that count: those reviewed as 误报 by `as_of` are left out."""
        return [s for s in self.states(as_of) if s.status in OPEN and not s.dismissed]

    # ------------------------------------------------------------ the latest crawl's units
    def portal_lines(self, as_of: date) -> list[dict]:
        """Veto lines and early warnings of each portal as a whole (zwgk/store/scores.portal_vetoes)."""
        key = ("portal_lines", as_of)
        if key not in self.memo:
            from zwgk.findings.scores import portal_vetoes

            self.memo[key] = portal_vetoes(self.session, as_of, self.catalog, self.scoring)
        return self.memo[key]

    def diversity(self, as_of: date) -> dict[tuple[str, str], dict]:
        """(portal, unit) → share of diverse interpretation forms (图解/视频/H5 …) against the target,
        from the latest crawl's 政策解读 lists (zwgk/rules/checks/interp_missing.diversity_shares).
        Reads only the entry pages and the 政策解读 columns' entries, not whole snapshots."""
        key = ("diversity", as_of)
        if key not in self.memo:
            from zwgk.rules.checks.interp_missing import diversity_shares

            run = latest_crawl_run(self.session, as_of)
            column = self.catalog.interpretation.interp_column
            obs: dict[tuple[str, str], UnitObs] = {}
            snaps = (
                []
                if run is None
                else self.session.execute(
                    select(Snapshot)
                    .where(
                        Snapshot.run_id == run.id,
                        or_(Snapshot.target == "entry", Snapshot.column_id == column),
                    )
                    .options(selectinload(Snapshot.entries))
                )
                .scalars()
                .all()
            )
            for snap in sorted(snaps, key=lambda x: x.target != "entry"):
                k = (snap.portal_id, snap.unit_id)
                unit = self.units.get(k)
                if unit is None:
                    continue
                if snap.target == "entry":
                    obs[k] = UnitObs(
                        portal=k[0],
                        unit=k[1],
                        profile=unit.profile,
                        entry_url=snap.url or "",
                        entry_status=snap.status,
                    )
                elif k in obs:
                    obs[k].columns[column] = ColumnObs(
                        column_id=column,
                        status=snap.status,
                        url=snap.url,
                        entries=[EntryObs(e.title, e.url, e.date, e.date_source) for e in snap.entries],
                    )
            self.memo[key] = {
                (d["portal"], d["unit"]): d for d in diversity_shares(obs.values(), self.catalog, as_of)
            }
        return self.memo[key]

    def columns(self, as_of: date) -> list[dict[str, Any]]:
        from zwgk.reports.exports import columns_rows

        if as_of not in self._columns:
            self._columns[as_of] = columns_rows(
                self.session,
                as_of,
                self.catalog,
                self.scoring,
                states=self.states(as_of) if self.since is None or self.since <= as_of else None,
            )
        return self._columns[as_of]

    # ------------------------------------------------------------ events per period
    def event_counts(self, start: date, end: date) -> dict[tuple[str, str], dict[date, dict[str, int]]]:
        """(portal, unit) → day → {opened, rectified} counts of events within [start, end]."""
        rows = self.session.execute(
            select(Finding.portal_id, Finding.unit_id, FindingEvent.on, FindingEvent.event, func.count())
            .join(Finding, Finding.id == FindingEvent.finding_id)
            .where(
                FindingEvent.on >= start,
                FindingEvent.on <= end,
                FindingEvent.event.in_(("opened", "reopened", "rectified")),
            )
            .group_by(Finding.portal_id, Finding.unit_id, FindingEvent.on, FindingEvent.event)
        ).all()
        out: dict[tuple[str, str], dict[date, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: {"opened": 0, "rectified": 0})
        )
        for portal, unit, on, event, n in rows:
            out[(portal, unit)][on]["rectified" if event == "rectified" else "opened"] += n
        return out

    def check_dates(self, start: date, end: date) -> list[date]:
        return sorted(
            set(
                self.session.execute(
                    select(Run.as_of).where(
                        Run.stage == "check",
                        Run.as_of >= start,
                        Run.as_of <= end,
                        Run.status.in_(("ok", "partial")),
                    )
                ).scalars()
            )
        )

    def first_check(self) -> date | None:
        return self.session.execute(select(func.min(Run.as_of)).where(Run.stage == "check")).scalar()

    # ------------------------------------------------------------ scores
    def scores(self, as_of: date) -> list[dict]:
        """unit_scores on `as_of` (zwgk/findings/scores.py), cached in memory and, for settled dates,
        on disk."""
        if as_of in self._scores:
            return self._scores[as_of]
        from zwgk.findings.scores import unit_scores

        path = None
        if self.cache_dir is not None:
            run_id = self.session.execute(select(func.max(Run.id)).where(Run.as_of <= as_of)).scalar() or 0
            ev_id = (
                self.session.execute(
                    select(func.max(FindingEvent.id)).where(FindingEvent.on <= as_of)
                ).scalar()
                or 0
            )
            path = self.cache_dir / f"scores-{as_of.isoformat()}-{run_id}-{ev_id}-{self._key}.json"
            if path.is_file():
                try:
                    self._scores[as_of] = json.loads(path.read_text(encoding="utf-8"))
                    return self._scores[as_of]
                except (OSError, ValueError):
                    pass
        rows = unit_scores(self.session, as_of, self.catalog, self.scoring)
        self._scores[as_of] = rows
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob(f"scores-{as_of.isoformat()}-*.json"):
                old.unlink(missing_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(rows, ensure_ascii=False, default=str), encoding="utf-8")
            tmp.replace(path)
        return rows

    def score_map(self, as_of: date) -> dict[tuple[str, str], dict]:
        return {(r["portal"], r["unit"]): r for r in self.scores(as_of)}
