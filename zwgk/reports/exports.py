"""Machine-readable exports (docs/design.md 'Findings export' and 'Columns export'): JSON, CSV, XLSX."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk.config.catalog import Catalog
from zwgk.errors import BadInput
from zwgk.findings.history import FindingState, findings_as_of
from zwgk.findings.observations import latest_crawl_run
from zwgk.findings.review import is_dismissed, review_state
from zwgk.inert import cell as inert_cell
from zwgk.rules.registry import rule_titles
from zwgk.rules.scoring import Scoring, column_score, load_scoring
from zwgk.store.schema import Snapshot, Unit

FINDING_FIELDS = [
    "rule",
    "severity",
    "portal",
    "unit",
    "column",
    "url",
    "message",
    "evidence",
    "first_seen",
    "last_seen",
    "status",
    "deadline",
]
# Additive fields after the contract's (issue 4): the human review on that date, and the handles
# `zwgk review` takes (the number ZW-000123 is the one people cite).
FINDING_EXTRA_FIELDS = ["review", "number", "id", "fingerprint"]
COLUMN_FIELDS = [
    "portal",
    "unit",
    "column",
    "name",
    "url",
    "status",
    "entries",
    "newest",
    "score",
    "findings",
]
# Additive fields after the contract's: what each rule costs the column (中文 title, points) and the
# evidence a department checks (message and URL of each open, counted finding of the column).
COLUMN_EXTRA_FIELDS = ["deductions", "evidence"]
FORMATS = ("json", "csv", "xlsx")
COLUMN_STATUSES = ("ok", "missing", "unreachable", "antibot", "js-shell", "unrecognized", "truncated")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def findings_rows(session: Session, as_of: date) -> list[dict[str, Any]]:
    """One dict per finding first seen on or before `as_of`, with its status on that date."""
    rows = []
    for s in findings_as_of(session, as_of):
        f = s.finding
        rows.append(
            {
                "rule": f.rule,
                "severity": f.severity,
                "portal": f.portal_id,
                "unit": f.unit_id,
                "column": f.column_id,
                "url": f.url,
                "message": f.message,
                "evidence": dict(f.evidence or {}),
                "first_seen": _iso(f.first_seen),
                "last_seen": _iso(s.last_seen),
                "status": s.status,
                "deadline": _iso(s.deadline),
                # Additive (issue 4): human review on that date (误报 / 属实), and the handles `zwgk review` takes.
                "review": review_state(f, as_of),
                "number": s.number,
                "id": f.id,
                "fingerprint": f.fingerprint,
            }
        )
    return rows


def _column_status(entry: Snapshot, snap: Snapshot | None) -> str:
    """A column's export status: the unit's entry page decides first (its columns are unknown)."""
    if entry.status in ("unreachable", "error"):
        return "unreachable"
    if entry.status in ("antibot", "js-shell", "unrecognized"):
        return entry.status
    if snap is None:
        # Not recorded by this crawl although the entry page was read: a limit cut it short.
        return "truncated" if entry.status == "truncated" else "missing"
    if snap.status == "error":
        # A column link answering 404/410 is what column.missing reports as missing.
        return "missing" if snap.http_status in (404, 410) else "unreachable"
    return snap.status if snap.status in COLUMN_STATUSES else "unreachable"


def columns_rows(
    session: Session,
    as_of: date,
    catalog: Catalog,
    scoring: Scoring | None = None,
    states: list[FindingState] | None = None,
) -> list[dict[str, Any]]:
    """One row per (portal, unit, required column of its profile) from the latest crawl by `as_of`.

    `states` (findings as of the date) may be passed in by a caller that has already read them.
    """
    run = latest_crawl_run(session, as_of)
    if run is None:
        return []
    scoring = scoring or load_scoring()
    snaps = session.execute(select(Snapshot).where(Snapshot.run_id == run.id)).scalars().all()
    entries: dict[tuple[str, str], Snapshot] = {}
    columns: dict[tuple[str, str, str], Snapshot] = {}
    for s in snaps:
        if s.target == "entry":
            entries[(s.portal_id, s.unit_id)] = s
        elif s.column_id:
            columns[(s.portal_id, s.unit_id, s.column_id)] = s
    units = {(u.portal_id, u.unit_id): u for u in session.execute(select(Unit)).scalars()}
    open_rules: dict[tuple[str, str, str], set[str]] = {}
    evidence: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for st in states if states is not None else findings_as_of(session, as_of):
        f = st.finding
        if st.is_open and f.column_id and not is_dismissed(f, as_of):  # 误报 does not cost points
            open_rules.setdefault((f.portal_id, f.unit_id, f.column_id), set()).add(f.rule)
            evidence.setdefault((f.portal_id, f.unit_id, f.column_id), []).append(
                {"rule": f.rule, "message": f.message, "url": f.url}
            )
    titles = rule_titles()

    rows: list[dict[str, Any]] = []
    for key in sorted(entries):
        unit = units.get(key)
        if unit is None:
            continue
        entry = entries[key]
        for col in catalog.required_columns(unit.profile):
            snap = columns.get((*key, col.id))
            status = _column_status(entry, snap)
            known = status in ("ok", "truncated", "missing")
            newest = None
            n_entries = None
            if snap is not None and status in ("ok", "truncated"):
                # The crawl stores the count and newest date on the snapshot: no per-entry reads.
                n_entries = snap.entries_count
                newest = snap.newest
            elif status == "missing":
                n_entries = 0
            rules = sorted(open_rules.get((*key, col.id), ()))
            rows.append(
                {
                    "portal": key[0],
                    "unit": key[1],
                    "column": col.id,
                    "name": col.name,
                    "url": (snap.url if snap is not None and status != "missing" else None),
                    "status": status,
                    "entries": n_entries if known else None,
                    "newest": _iso(newest),
                    # A column the crawl could not see (its unit unreachable, anti-bot …) is not scored.
                    "score": column_score(rules, scoring) if known else None,
                    "findings": rules,
                    # additive (after the contract's keys)
                    "deductions": [
                        {
                            "rule": r,
                            "title": titles.get(r, r),
                            "points": min(scoring.points(r), scoring.start),
                        }
                        for r in rules
                    ],
                    "evidence": sorted(
                        evidence.get((*key, col.id), []),
                        key=lambda e: (e["rule"], e["url"] or "", e["message"]),
                    ),
                }
            )
    return rows


# ---------------------------------------------------------------- writing


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _flat(value: Any) -> Any:
    """A cell value: nested values as JSON text, None as empty."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _fields(rows: list[dict[str, Any]], fields: list[str] | None) -> list[str]:
    if fields:
        return list(fields)
    out: list[str] = []
    for row in rows:
        out.extend(k for k in row if k not in out)
    return out


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _emit(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
        return
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def write_rows(
    rows: list[dict[str, Any]], fmt: str, out: Path | None, fields: list[str] | None = None
) -> None:
    """Write rows as json (UTF-8), csv (UTF-8 with BOM for Excel) or xlsx; `out` None is stdout.

    `fields` fixes the column order (and the CSV/XLSX header when there are no rows).
    """
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise BadInput(f"--format: unknown format {fmt!r} (choose json, csv or xlsx)")
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"
        _emit(text.encode("utf-8"), out)
    elif fmt == "csv":
        names = _fields(rows, fields)
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        if names:
            writer.writerow(names)
        for row in rows:
            # A spreadsheet opening the CSV must not evaluate crawled text (zwgk/inert.py cell).
            writer.writerow([inert_cell(_flat(row.get(k))) for k in names])
        _emit(buf.getvalue().encode("utf-8-sig"), out)
    else:
        if out is None:
            raise BadInput("--format xlsx needs an output file (--out FILE.xlsx)")
        _write_xlsx(rows, _fields(rows, fields), Path(out))


def _write_xlsx(rows: list[dict[str, Any]], names: list[str], out: Path) -> None:
    import pandas as pd
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def cell(value: Any) -> Any:
        value = _flat(value)
        return _ILLEGAL_XLSX.sub("", value) if isinstance(value, str) else value

    frame = pd.DataFrame([[cell(r.get(k)) for k in names] for r in rows], columns=names, dtype=object)
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="data")
        sheet = writer.sheets["data"]
        for row in sheet.iter_rows(min_row=2):
            for c in row:
                # Crawled text starting with '=' must stay text, never become a formula.
                if c.data_type == "f":
                    c.data_type = "s"
                if c.data_type == "s" and isinstance(c.value, str) and len(c.value) > 32767:
                    c.value = c.value[:32766] + "…"
        bold = Font(bold=True)
        for c in sheet[1]:
            c.font = bold
            c.alignment = Alignment(vertical="center")
        sheet.freeze_panes = "A2"
        for idx, name in enumerate(names, start=1):
            widths = [_display_width(str(name))]
            widths += [
                _display_width(
                    str(r.get(name) if not isinstance(r.get(name), (dict, list)) else _flat(r.get(name)))
                )
                for r in rows[:500]
            ]
            sheet.column_dimensions[get_column_letter(idx)].width = min(max(widths) + 2, 60)
