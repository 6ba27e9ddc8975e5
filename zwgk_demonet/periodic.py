"""Defects and controls for doc.overdue (定期公开事项) and interp.missing (三同步) in the demo network.

Applied to a portal's units after their columns are filled (spec.build_spec), before layout.
The ground truth is computed from the resulting entries by the oracles below, which read the
catalog's data (periodic patterns) and count working days with `chinese_calendar` directly
(Monday–Friday where it does not know the year, as the monitor does); `check_plan` in spec.py
checks that the oracles flag exactly the planned defects.

doc.overdue, per reachable portal k (documents required by the latest deadline before as-of):
- defects: the government's 年报 dropped (k=0) or replaced by a 情况说明 (k=2), its 重大行政决策
  事项目录 dropped (k=1, 2); one department's 年报 dropped; one township's dropped (k even) or
  replaced by a 情况说明 (k odd);
- controls: a department's 年报 published 20 days after its deadline (late but present), a
  department and a township titled 「YYYY年度政府信息公开年报」 (the alias form).
interp.missing, over the units whose 政策文件 carries policies (关于印发《X》的通知):
- defects: `missing` (the newest judged policy has no 解读), `late6` (its 解读 on the 6th working day);
- controls: `day5` (解读 on the 5th working day, across a weekend or holiday), `old` (policies
  older than a year without 解读).
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from functools import lru_cache

import yaml

from .catalog import _read_text, load_catalog

POLICY = re.compile(r"^关于印发《(?P<doc>[^》]+)》的通知$")
INTERP_MODES = ["missing", "late6", "day5", "late6", "missing", "old"]
WORKING_DAYS = 5
WINDOW_DAYS = 365


def is_workday(day: date) -> bool:
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def nth_workday(start: date, n: int) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        n -= is_workday(day)
    return day


@lru_cache(maxsize=1)
def periodic_items() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(_read_text()).get("periodic") or ())


def _latest_due(item: dict, as_of: date) -> tuple[date, int]:
    month, day = (int(x) for x in item["due"].split("-"))
    for year in (as_of.year, as_of.year - 1):
        deadline = date(year, month, min(day, 28) if month == 2 else day)
        if deadline < as_of:
            return deadline, year + int(item.get("year_offset", -1))
    raise AssertionError("unreachable")


def _matches(item: dict, year: int, title: str) -> bool:
    return any(re.search(p.replace("{year}", str(year)), title) for p in item["patterns"])


# -- oracles -----------------------------------------------------------------------------------------


def doc_overdue_columns(unit, as_of: date) -> list[tuple[str, str]]:
    """(column, note) of each periodic document the unit lacks after its deadline."""
    catalog = load_catalog()
    out = []
    for item in periodic_items():
        if unit.profile not in item["profiles"]:
            continue
        col = unit.columns.get(item["column"])
        if col is None or not col.linked or not col.entries:
            continue  # column.missing / column.blank say it
        real = [e for e in col.entries if not catalog.is_placeholder(e.title)]
        if not real:
            continue
        deadline, year = _latest_due(item, as_of)
        if not any(_matches(item, year, e.title) for e in real):
            name = re.sub(r"^(上一|本)年度", "", item["name"])
            out.append((item["column"], f"{year}年度{name}应于{deadline.isoformat()}前公开，未见"))
    return out


def interp_violations(unit, as_of: date) -> list[str]:
    """Titles of the policies of a unit whose 解读 is missing or later than 5 working days."""
    if unit.profile not in ("government", "department"):
        return []
    zcwj, zcjd = unit.columns.get("zcwj"), unit.columns.get("zcjd")
    if not zcwj or not zcjd or not zcwj.linked or not zcjd.linked:
        return []
    bad = []
    for e in zcwj.entries:
        m = POLICY.match(e.title)
        if not m or (as_of - e.date).days > WINDOW_DAYS:
            continue
        deadline = nth_workday(e.date, WORKING_DAYS)
        if deadline >= as_of:
            continue
        interps = sorted(i.date for i in zcjd.entries if f"《{m['doc']}》" in i.title and i.date >= e.date)
        if not interps or interps[0] > deadline:
            bad.append(e.title)
    return bad


# -- seeding -----------------------------------------------------------------------------------------


def _plain(name: str) -> str:
    return re.sub(r"^.{1,12}?(街道|区|县|市|镇|乡)", "", name)


def _unique_policies(zcwj) -> list:
    docs = [POLICY.match(e.title)["doc"] for e in zcwj.entries if POLICY.match(e.title)]
    keys = [_plain(d) for d in docs]
    return [
        e
        for e in zcwj.entries
        if (m := POLICY.match(e.title)) and keys.count(_plain(m["doc"])) == 1 and docs.count(m["doc"]) == 1
    ]


def _interp_of(zcjd, doc: str) -> list:
    return [i for i in zcjd.entries if f"《{doc}》" in i.title]


def _seed_interp(unit, mode: str, as_of: date) -> bool:
    zcwj, zcjd = unit.columns["zcwj"], unit.columns["zcjd"]
    if mode == "old":
        old = [e for e in zcwj.entries if POLICY.match(e.title) and (as_of - e.date).days > WINDOW_DAYS]
        for e in old:
            for i in _interp_of(zcjd, POLICY.match(e.title)["doc"]):
                # only interpretations too old to belong to a policy of the window
                if e.date <= i.date <= e.date + timedelta(days=2) and (as_of - i.date).days > WINDOW_DAYS:
                    zcjd.entries.remove(i)
        return bool(old)
    for e in _unique_policies(zcwj):  # newest first
        if (as_of - e.date).days > WINDOW_DAYS - 10:
            break
        day5, day6 = nth_workday(e.date, WORKING_DAYS), nth_workday(e.date, WORKING_DAYS + 1)
        if day6 > as_of:
            continue
        interps = _interp_of(zcjd, POLICY.match(e.title)["doc"])
        if len(interps) != 1:
            continue
        # Never touch the column's newest entry: its newest date stays as-of-relative (and fresh).
        others = max((i.date for i in zcjd.entries if i is not interps[0]), default=None)
        if others is None or interps[0].date >= others or day6 >= others:
            continue
        if mode == "missing":
            zcjd.entries.remove(interps[0])
        else:
            interps[0].date = day6 if mode == "late6" else day5
        zcjd.entries.sort(key=lambda x: x.date, reverse=True)
        return True
    return False


def _swap_doc(col, item: dict, year: int, how: str, as_of: date, deadline: date) -> bool:
    target = [e for e in col.entries if _matches(item, year, e.title)]
    if not target:
        return False
    e = target[0]
    if how == "drop":
        col.entries.remove(e)
    elif how == "placeholder":
        e.title = f"关于{year}年度政府信息公开工作年度报告的情况说明"
    elif how == "late":
        late = deadline + timedelta(days=20)
        if late > as_of:
            return False
        e.date = late
        col.entries.sort(key=lambda x: x.date, reverse=True)
    elif how == "alias":
        e.title = f"{year}年度政府信息公开年报"
    return True


def seed_periodic_and_interp(portal, k: int, as_of: date, seed: int, fixes: set) -> None:
    """Plant the doc.overdue and interp.missing defects and controls of one reachable portal.

    Who gets what depends only on the portal's unit list and the seed (never on which units a
    variant breaks or repairs), so a variant leaves every other unit's truth unchanged.
    """
    if not portal.reachable or getattr(portal, "challenge", False):
        return
    rng = random.Random(f"{seed}|periodic|{portal.id}")
    by_profile = {
        p: [u for u in portal.units if u.profile == p] for p in ("government", "department", "township")
    }
    for p in by_profile.values():
        rng.shuffle(p)
    plan: list[tuple[object, str, str]] = []  # (unit, column, how)
    gov = by_profile["government"][0] if by_profile["government"] else None
    if gov:
        if k % 3 in (0, 2):
            plan.append((gov, "xxgknb", "drop" if k % 3 == 0 else "placeholder"))
        if k % 3 in (1, 2):
            plan.append((gov, "zdjc", "drop"))
    for unit, how in zip(by_profile["department"], ["drop", "late", "alias"], strict=False):
        plan.append((unit, "xxgknb", how))
    for unit, how in zip(
        by_profile["township"], ["drop" if k % 2 == 0 else "placeholder", "alias"], strict=False
    ):
        plan.append((unit, "xxgknb", how))
    for unit, cid, how in plan:
        if (portal.id, unit.id, cid) in fixes:
            continue
        col = unit.columns.get(cid)
        items = [i for i in periodic_items() if i["column"] == cid and unit.profile in i["profiles"]]
        if col is None or col.state != "ok" or not items:
            continue
        deadline, year = _latest_due(items[0], as_of)
        _swap_doc(col, items[0], year, how, as_of, deadline)

    # Units whose 政策文件 carries policies (both columns planned healthy, no control), in an order
    # fixed by the seed alone, take the modes in turn.
    def healthy(u, cid: str) -> bool:
        col = u.columns.get(cid)
        return bool(col) and col.state == "ok" and col.control is None and (portal.id, u.id, cid) not in fixes

    order = sorted(
        [*by_profile["government"], *by_profile["department"]],
        key=lambda u: random.Random(f"{seed}|interp|{portal.id}|{u.id}").random(),
    )
    eligible = [u for u in order if healthy(u, "zcwj") and healthy(u, "zcjd")]
    for i, unit in enumerate(eligible):
        _seed_interp(unit, INTERP_MODES[(i + k) % len(INTERP_MODES)], as_of)


def truth_rows(portal, as_of: date) -> list[dict]:
    """Ground-truth rows of doc.overdue and interp.missing for one portal's reachable units."""
    rows: list[dict] = []
    if not portal.reachable or getattr(portal, "challenge", False):
        return rows
    for u in portal.units:
        if u.entry_status >= 400:
            continue
        for cid, note in doc_overdue_columns(u, as_of):
            rows.append(
                {
                    "rule": "doc.overdue",
                    "portal": portal.id,
                    "unit": u.id,
                    "column": cid,
                    "url_path": u.columns[cid].path,
                    "note": note,
                }
            )
        bad = interp_violations(u, as_of)
        if bad:
            rows.append(
                {
                    "rule": "interp.missing",
                    "portal": portal.id,
                    "unit": u.id,
                    "column": "zcwj",
                    "url_path": u.columns["zcwj"].path,
                    "note": f"{len(bad)}件政策未按时解读：{bad[0]}",
                }
            )
    return rows
