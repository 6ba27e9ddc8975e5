"""Findings lifecycle: opened, still open, rectified (销号) only by a successful crawl, overdue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zwgk.config.catalog import load_catalog
from zwgk.findings.lifecycle import reconcile
from zwgk.rules.engine import check_units
from zwgk.rules.model import CheckContext, ColumnObs, EntryObs, UnitObs
from zwgk.store.db import Store
from zwgk.store.schema import Finding

CATALOG = load_catalog()


def _unit(entry_status="ok", gzdt_newest=date(2026, 1, 1), unit="jyj") -> UnitObs:
    u = UnitObs("p1", unit, "township", "http://127.0.0.1/xxgk/", entry_status)
    if entry_status == "ok":
        u.columns["gzdt"] = ColumnObs(
            "gzdt",
            "ok",
            url="http://127.0.0.1/gzdt/",
            entries=[EntryObs("区里召开会议", "http://127.0.0.1/gzdt/1.html", gzdt_newest)],
        )
    else:
        u.entry_error = "HTTP 503"
    return u


def _check(store, units, day, run_id):
    drafts = check_units(units, CheckContext(day, CATALOG))
    with store.session() as s:
        return reconcile(s, drafts, units, day, run_id, CATALOG).counts()


def _findings(store):
    with store.session() as s:
        return {
            (f.rule, f.unit_id, f.column_id): f
            for f in s.execute(select(Finding).options(selectinload(Finding.events))).scalars()
        }


def test_open_fix_close_and_failed_fetch_keeps_open(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/l.db")
    day1, day2, day3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 30)
    c1 = _check(store, [_unit(), _unit(unit="ws")], day1, 1)
    assert c1["opened"] == 2
    f = _findings(store)[("column.stale", "jyj", "gzdt")]
    assert (
        f.status == "open" and f.first_seen == day1 and f.deadline == date(2026, 11, 9)
    )  # major: 5 working days

    # Day 2: jyj fixed its column; ws's entry page fails -> its stale finding must stay open.
    c2 = _check(
        store, [_unit(gzdt_newest=date(2026, 11, 8)), _unit(entry_status="unreachable", unit="ws")], day2, 2
    )
    assert c2["rectified"] == 1 and c2["kept_unseen"] == 1
    found = _findings(store)
    fixed, kept = found[("column.stale", "jyj", "gzdt")], found[("column.stale", "ws", "gzdt")]
    assert fixed.status == "rectified" and fixed.rectified_on == day2
    assert [e.event for e in fixed.events] == ["opened", "rectified"]
    assert kept.status == "open"  # still open; its deadline (11-09, the 5th working day) is today
    assert kept.rectified_on is None and kept.last_seen == day1
    assert found[("site.unreachable", "ws", None)].status == "open"

    # Day 3: jyj stale again -> the same finding reopens (history kept), not a duplicate.
    _check(store, [_unit(gzdt_newest=date(2026, 11, 8)), _unit(unit="ws")], day3, 3)
    found = _findings(store)
    again = found[("column.stale", "jyj", "gzdt")]
    assert again.id == fixed.id and again.status == "open"
    assert [e.event for e in again.events] == ["opened", "rectified", "reopened"]
    assert found[("site.unreachable", "ws", None)].status == "rectified"
    late = found[("column.stale", "ws", "gzdt")]
    assert late.status == "overdue" and late.evidence["escalated"] is True  # deadline 11-09 passed
    assert late.evidence["escalated_severity"] == "veto" and late.evidence["escalated_on"] == "2026-11-30"
    assert [e.event for e in late.events][-2:] == ["overdue", "escalated"]
    assert late.events[-1].note.startswith("major→veto") and late.events[-1].on == day3


def test_unit_missing_from_crawl_closes_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/l.db")
    _check(store, [_unit()], date(2026, 11, 2), 1)
    counts = _check(store, [], date(2026, 11, 3), 2)
    assert counts["rectified"] == 0 and counts["kept_unseen"] == 1


# -- article- and link-level findings: closed only by a successful re-read of their subject --------
from zwgk.rules.model import ArticleObs, LinkObs  # noqa: E402

ART = "http://127.0.0.1/zcwj/202611/t20261101_1.html"
DEAD = "http://127.0.0.1/files/dead.pdf"
LIST = "http://127.0.0.1/zcwj/"


def _policy_unit(
    article_status="ok",
    typo=True,
    listed=True,
    fetched=True,
    link_status="broken",
    link_on_page=True,
    list_status="ok",
) -> UnitObs:
    u = UnitObs("p1", "fgj", "department", "http://127.0.0.1/xxgk/", "ok")
    entries = [EntryObs("关于印发《示范办法》的通知", ART, date(2026, 11, 1))] if listed else []
    entries.append(EntryObs("其他通知", "http://127.0.0.1/zcwj/202611/t20261102_2.html", date(2026, 11, 2)))
    links = (
        [LinkObs(DEAD, "附件", LIST, link_status, 404 if link_status == "broken" else 200, attachment=True)]
        if link_on_page
        else []
    )
    col = ColumnObs("zcwj", list_status, url=LIST, entries=entries, links=links)
    if fetched and listed:
        text = "中华人民共合国" if typo else "中华人民共和国"
        col.articles.append(
            ArticleObs(
                ART,
                "关于印发《示范办法》的通知",
                article_status,
                metadata={"索引号": "1", "发布机构": "区发改局", "发布日期": "2026-11-01"},
                publish_date=date(2026, 11, 1),
                text=text,
            )
        )
    u.columns["zcwj"] = col
    return u


def _status(store, rule):
    with store.session() as s:
        return [f.status for f in s.execute(select(Finding).where(Finding.rule == rule)).scalars()]


def test_article_finding_survives_a_failed_or_skipped_article_fetch(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/a.db")
    _check(store, [_policy_unit()], date(2026, 11, 2), 1)
    assert _status(store, "text.typo") == ["open"]
    _check(store, [_policy_unit(article_status="unreachable", typo=False)], date(2026, 11, 3), 2)
    assert _status(store, "text.typo") == ["open"]  # the article answered 503
    _check(store, [_policy_unit(fetched=False)], date(2026, 11, 4), 3)
    assert _status(store, "text.typo") == ["open"]  # still listed, not read this time
    _check(store, [_policy_unit(typo=False)], date(2026, 11, 5), 4)
    assert _status(store, "text.typo") == ["rectified"]  # read again, corrected


def test_article_finding_closes_when_the_article_is_gone_from_a_read_list(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/a.db")
    _check(store, [_policy_unit()], date(2026, 11, 2), 1)
    _check(store, [_policy_unit(listed=False, list_status="truncated")], date(2026, 11, 3), 2)
    assert _status(store, "text.typo") == ["open"]  # a truncated list may just not show it
    _check(store, [_policy_unit(listed=False)], date(2026, 11, 4), 3)
    assert _status(store, "text.typo") == ["rectified"]


def test_broken_link_closes_only_when_rechecked_or_removed(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/l.db")
    _check(store, [_policy_unit(typo=False)], date(2026, 11, 2), 1)
    assert _status(store, "link.broken") == ["open"]
    _check(store, [_policy_unit(typo=False, link_status="skipped")], date(2026, 11, 3), 2)
    assert _status(store, "link.broken") == ["open"]  # not requested this time: proves nothing
    _check(
        store, [_policy_unit(typo=False, link_on_page=False, list_status="js-shell")], date(2026, 11, 4), 3
    )
    assert _status(store, "link.broken") == ["open"]  # its page was not read
    _check(store, [_policy_unit(typo=False, link_status="ok")], date(2026, 11, 5), 4)
    assert _status(store, "link.broken") == ["rectified"]  # re-checked, answers
    _check(store, [_policy_unit(typo=False)], date(2026, 11, 6), 5)
    assert _status(store, "link.broken") == ["open"]  # broken again: reopened
    _check(store, [_policy_unit(typo=False, link_on_page=False)], date(2026, 11, 9), 6)
    assert _status(store, "link.broken") == ["rectified"]  # the page no longer links it


def _interp_unit(zcjd_status: str, interpreted: bool = False) -> UnitObs:
    u = UnitObs("p1", "fgj", "department", "http://127.0.0.1/xxgk/", "ok")
    u.columns["zcwj"] = ColumnObs(
        "zcwj",
        "ok",
        url=LIST,
        entries=[
            EntryObs(
                "关于印发《示范管理办法》的通知",
                "http://127.0.0.1/zcwj/202611/t20261102_1.html",
                date(2026, 11, 2),
            )
        ],
    )
    entries = (
        [EntryObs("《示范管理办法》政策解读", "http://127.0.0.1/zcjd/1.html", date(2026, 11, 3))]
        if interpreted
        else []
    )
    u.columns["zcjd"] = ColumnObs(
        "zcjd",
        zcjd_status,
        url="http://127.0.0.1/zcjd/",
        entries=[*entries, EntryObs("其他解读", "http://127.0.0.1/zcjd/2.html", date(2026, 11, 3))],
    )
    return u


def test_interp_finding_closes_only_when_the_interpretations_were_read(tmp_path):
    """三同步 needs both sides: a night whose 政策解读 column could not be read proves nothing, even
    though the finding's own column (政策文件) was read (the rule's also_read columns)."""
    store = Store(f"sqlite:///{tmp_path}/i.db")
    _check(store, [_interp_unit("ok")], date(2026, 11, 20), 1)
    assert _status(store, "interp.missing") == ["open"]
    _check(store, [_interp_unit("antibot")], date(2026, 11, 23), 2)
    assert _status(store, "interp.missing") == ["open"]
    _check(store, [_interp_unit("ok", interpreted=True)], date(2026, 11, 24), 3)
    assert _status(store, "interp.missing") == ["rectified"]


def _home_unit(identity: dict | None) -> UnitObs:
    u = _unit(gzdt_newest=date(2026, 11, 1), unit="gov")
    u.profile = "government"
    u.home_url, u.home_status, u.home_identity = "http://127.0.0.1/", "ok", identity
    return u


def test_identity_finding_stays_open_while_the_foot_cannot_be_seen(tmp_path):
    """A home answering is not the marks being there: a night whose home foot was written by a
    script (not judged) keeps the 网站标识 finding; a night that shows every mark closes it."""
    store = Store(f"sqlite:///{tmp_path}/l.db")
    bare = {"footer": True, "site_codes": [], "code_label": False, "icp": None, "conac": False}
    hidden = {"footer": False, "site_codes": [], "code_label": False, "icp": None, "conac": False}
    shown = {
        "footer": True,
        "site_codes": ["3702130001"],
        "code_label": True,
        "icp": "ICP备1号",
        "conac": True,
    }
    days = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)]
    _check(store, [_home_unit(bare)], days[0], 1)
    assert _status(store, "site.identity") == ["open"]
    _check(store, [_home_unit(hidden)], days[1], 2)
    assert _status(store, "site.identity") == ["open"]
    _check(store, [_home_unit(shown)], days[2], 3)
    assert _status(store, "site.identity") == ["rectified"]


def _channel_unit(messages: list[dict], status: str = "ok") -> UnitObs:
    u = _home_unit(None)
    u.columns["zwzx"] = ColumnObs("zwzx", status, url="http://127.0.0.1/interact/", messages=messages)
    return u


def test_unanswered_message_finding_closes_only_on_messages_read_with_their_state(tmp_path):
    """留言超期未回复 stays open on a night whose list could not be read for states (a changed
    format, an empty list, the channel unreadable) and closes when the message shows its reply."""
    store = Store(f"sqlite:///{tmp_path}/l.db")
    late = {"title": "道路破损", "url": "http://127.0.0.1/interact/m2.html", "asked": "2026-06-01"}
    days = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5), date(2026, 11, 6)]
    _check(store, [_channel_unit([{**late, "state": "unanswered", "replied": None}])], days[0], 1)
    assert _status(store, "interact.unanswered") in (["open"], ["overdue"])  # not closed
    _check(store, [_channel_unit([{**late, "state": "unknown", "replied": None}])], days[1], 2)
    assert _status(store, "interact.unanswered") in (["open"], ["overdue"])  # not closed
    _check(store, [_channel_unit([])], days[2], 3)
    assert _status(store, "interact.unanswered") in (["open"], ["overdue"])  # not closed
    _check(store, [_channel_unit([], status="unrecognized")], days[3], 4)
    assert _status(store, "interact.unanswered") in (["open"], ["overdue"])  # not closed
    answered = {**late, "state": "answered", "replied": "2026-11-05"}  # answered late: still a finding
    _check(store, [_channel_unit([answered])], days[4], 5)
    assert _status(store, "interact.unanswered") in (["open"], ["overdue"])  # not closed
    in_time = {"title": "新留言", "url": "http://127.0.0.1/interact/m9.html", "asked": "2026-10-01"}
    _check(store, [_channel_unit([{**in_time, "state": "answered", "replied": "2026-10-03"}])], days[4], 6)
    assert _status(store, "interact.unanswered") == ["rectified"]
