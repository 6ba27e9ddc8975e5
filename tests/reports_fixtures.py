"""A small builder for report tests: portals, units, runs, snapshots, findings and their history,
inserted through the ORM the way the crawl and check stages write them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from zwgk.config.catalog import Catalog
from zwgk.findings.lifecycle import IDENTITY_VERSION, fingerprint
from zwgk.rules.model import FindingDraft, Severity
from zwgk.store.db import put_page
from zwgk.store.schema import Entry, Finding, FindingEvent, Portal, Run, Snapshot, Unit


class Builder:
    def __init__(self, session, catalog: Catalog):
        self.s = session
        self.catalog = catalog

    def portal(self, pid: str, name: str, home: str) -> Portal:
        p = Portal(id=pid, name=name, home=home)
        self.s.add(p)
        return p

    def unit(self, portal: str, uid: str, name: str, profile: str, entry: str) -> Unit:
        u = Unit(portal_id=portal, unit_id=uid, name=name, profile=profile, entry=entry)
        self.s.add(u)
        return u

    def run(self, stage: str, as_of: date, crawl_run: Run | None = None, status: str = "ok") -> Run:
        # The night's run starts at 01:00 Beijing time, stored (like every time) as naive UTC: 17:00 the day before.
        start = datetime.combine(as_of, time(1, 0)) - timedelta(hours=8)
        r = Run(
            stage=stage,
            as_of=as_of,
            started_at=start,
            finished_at=start + timedelta(hours=2),
            status=status,
            crawl_run_id=crawl_run.id if crawl_run else None,
            counts={},
        )
        self.s.add(r)
        self.s.flush()
        return r

    def snapshot(
        self,
        run: Run,
        portal: str,
        unit: str,
        target: str,
        status: str = "ok",
        *,
        url: str | None = None,
        http_status: int | None = 200,
        entries=(),
        placeholder: str | None = None,
        body: bytes | None = None,
        content_type: str | None = "text/html; charset=utf-8",
        error: str | None = None,
    ) -> Snapshot:
        column_id = target.split(":", 1)[1] if target.startswith("column:") else None
        sha = put_page(self.s, body, content_type) if body is not None else None
        dates = [d for _, d in entries if d]
        snap = Snapshot(
            run_id=run.id,
            portal_id=portal,
            unit_id=unit,
            target=target,
            column_id=column_id,
            url=url,
            final_url=url,
            status=status,
            http_status=http_status,
            error=error,
            page_kind="list" if column_id else "nav",
            entries_count=len(entries),
            dated_count=len(dates),
            newest=max(dates) if dates else None,
            pages_crawled=1 if url else 0,
            placeholder=placeholder,
            page_sha256=sha,
            fetched_at=run.started_at + timedelta(minutes=30),  # 01:30 北京时间
            details={},
        )
        snap.entries = [
            Entry(
                position=i,
                title=t,
                url=f"{url or 'http://x.example/'}{i}.html",
                date=d,
                date_source="list" if d else None,
            )
            for i, (t, d) in enumerate(entries)
        ]
        self.s.add(snap)
        self.s.flush()
        return snap

    def fill_columns(self, run: Run, portal: str, unit: str, profile: str, base: str, newest: date) -> None:
        """Every required column not yet recorded: an ok list with one fresh entry."""
        have = {s.target for s in self.s.new if isinstance(s, Snapshot)}
        have |= {
            t
            for (t,) in self.s.query(Snapshot.target).filter_by(run_id=run.id, portal_id=portal, unit_id=unit)
        }
        for col in self.catalog.required_columns(profile):
            if f"column:{col.id}" not in have:
                self.snapshot(
                    run,
                    portal,
                    unit,
                    f"column:{col.id}",
                    url=f"{base}{col.id}/",
                    entries=[(f"{col.name}信息", newest)],
                )

    def finding(
        self,
        rule: str,
        severity: str,
        portal: str,
        unit: str,
        column: str | None,
        url: str | None,
        message: str,
        evidence: dict | None = None,
        *,
        events: list[tuple[str, date]],
        runs: dict[date, Run] | None = None,
    ) -> Finding:
        """A finding with its event history; stored fields follow the last event, like reconcile."""
        draft = FindingDraft(rule, Severity(severity), portal, unit, column, url, message, evidence or {})
        first = events[0][1]
        status, last_seen, rectified_on, start = "open", first, None, first
        for ev, on in events:
            if ev in ("opened", "reopened"):
                status, rectified_on, start = "open", None, on
                last_seen = max(last_seen, on)
            elif ev == "seen":
                last_seen = max(last_seen, on)
            elif ev == "rectified":
                status, rectified_on = "rectified", on
            elif ev == "overdue":
                status = "overdue"
        runs = runs or {}
        seen_runs = [runs[on].id for ev, on in events if on in runs and ev in ("opened", "seen", "reopened")]
        # Several stored episodes of one subject (history built by hand) keep distinct keys, as
        # re-keyed rows do (zwgk/findings/lifecycle.py rekey).
        fp = fingerprint(draft)
        taken = self.s.query(Finding.id).filter(Finding.fingerprint.like(f"{fp}%")).count()
        f = Finding(
            fingerprint=fp if not taken else f"{fp}~{taken}",
            identity_version=IDENTITY_VERSION,
            rule=rule,
            severity=severity,
            portal_id=portal,
            unit_id=unit,
            column_id=column,
            url=url,
            message=message,
            evidence=evidence or {},
            first_seen=first,
            last_seen=last_seen,
            status=status,
            deadline=start + timedelta(days=self.catalog.deadlines.get(severity, 10)),
            rectified_on=rectified_on,
            first_run_id=seen_runs[0] if seen_runs else None,
            last_run_id=seen_runs[-1] if seen_runs else None,
        )
        f.events = [
            FindingEvent(run_id=runs[on].id if on in runs else None, on=on, event=ev) for ev, on in events
        ]
        self.s.add(f)
        self.s.flush()
        return f


D1, D3, D5, D6 = date(2024, 3, 1), date(2024, 3, 3), date(2024, 3, 5), date(2024, 3, 6)
OLD = date(2024, 2, 20)
GZDT_HTML = (
    "<html><head><title>工作动态</title><script>alert('x')</script></head><body>"
    "<ul><li><a href='1.html'>区发改局召开工作会议</a><span>2024-01-10</span></li>"
    "<li><a href='2.html'>开展安全生产检查</a><span>2023-12-01</span></li></ul></body></html>"
)


def build_scenario(store, catalog: Catalog) -> dict:
    """One county portal, six units, four nightly check cycles (D1, D3, D5, D6)."""
    ids: dict = {}
    with store.session() as s:
        b = Builder(s, catalog)
        b.portal("jiyang", "济阳区人民政府", "http://www.jiyang.example/")
        b.unit("jiyang", "gov", "济阳区人民政府办公室", "government", "http://www.jiyang.example/xxgk/")
        b.unit("jiyang", "fgj", "区发展和改革局", "department", "http://www.jiyang.example/xxgk/fgj/")
        b.unit("jiyang", "jyj", "区教育和体育局", "department", "http://www.jiyang.example/xxgk/jyj/")
        b.unit("jiyang", "wsj", "区卫生健康局", "department", "http://www.jiyang.example/xxgk/wsj/")
        b.unit("jiyang", "xz1", "济阳街道", "township", "http://www.jiyang.example/xxgk/xz1/")
        b.unit("jiyang", "xz2", "崔寨街道", "township", "http://www.jiyang.example/xxgk/xz2/")
        checks: dict[date, Run] = {}
        crawls: dict[date, Run] = {}
        for d in (OLD, D1, D3, D5, D6):
            crawls[d] = b.run("crawl", d)
            checks[d] = b.run("check", d, crawls[d])
        c = crawls[D6]
        base = "http://www.jiyang.example/xxgk/"
        # government: home and entry fine; one js-shell, one 500, one 404 column
        b.snapshot(c, "jiyang", "gov", "home", url="http://www.jiyang.example/", body=b"<html>home</html>")
        b.snapshot(c, "jiyang", "gov", "entry", url=f"{base}", body=b"<html>gov entry</html>")
        b.snapshot(c, "jiyang", "gov", "column:rsxx", "js-shell", url=f"{base}rsxx/")
        b.snapshot(c, "jiyang", "gov", "column:zdjc", "error", url=f"{base}zdjc/", http_status=500)
        b.snapshot(c, "jiyang", "gov", "column:xxgknb", "error", url=f"{base}xxgknb/", http_status=404)
        b.fill_columns(c, "jiyang", "gov", "government", base, date(2024, 3, 4))
        # fgj: reachable with problems
        fgj = f"{base}fgj/"
        b.snapshot(c, "jiyang", "fgj", "entry", url=fgj, body="<html>发改局信息公开</html>".encode())
        ids["gzdt_snap"] = b.snapshot(
            c,
            "jiyang",
            "fgj",
            "column:gzdt",
            url=f"{fgj}gzdt/",
            entries=[("区发改局召开工作会议", date(2024, 1, 10)), ("开展安全生产检查", date(2023, 12, 1))],
            body=GZDT_HTML.encode("gbk"),
            content_type="text/html; charset=GBK",
        ).page_sha256
        b.snapshot(
            c,
            "jiyang",
            "fgj",
            "column:tzgg",
            url=f"{fgj}tzgg/",
            placeholder="暂无信息",
            body="<html><p>暂无信息</p></html>".encode(),
        )
        b.snapshot(
            c,
            "jiyang",
            "fgj",
            "column:zcwj",
            url=f"{fgj}zcwj/",
            entries=[("关于印发某办法的通知", None), ("某某实施意见", None)],
        )
        b.snapshot(c, "jiyang", "fgj", "column:ghjh", "missing", url=None, http_status=None)
        b.fill_columns(c, "jiyang", "fgj", "department", fgj, date(2024, 3, 4))
        # jyj: entry unreachable (503)
        ids["jyj_sha"] = b.snapshot(
            c,
            "jiyang",
            "jyj",
            "entry",
            "unreachable",
            url=f"{base}jyj/",
            http_status=503,
            error="HTTP 503",
            body=b"<html>503 Service Unavailable</html>",
        ).page_sha256
        # wsj: anti-bot challenge
        b.snapshot(
            c,
            "jiyang",
            "wsj",
            "entry",
            "antibot",
            url=f"{base}wsj/",
            http_status=412,
            body=b"<html><script>challenge()</script></html>",
        )
        for uid in ("xz1", "xz2"):
            b.snapshot(c, "jiyang", uid, "entry", url=f"{base}{uid}/", body=f"<html>{uid}</html>".encode())
            b.fill_columns(c, "jiyang", uid, "township", f"{base}{uid}/", date(2024, 3, 4))

        f = b.finding
        ids["stale"] = f(
            "column.stale",
            "major",
            "jiyang",
            "fgj",
            "gzdt",
            f"{fgj}gzdt/",
            "「工作动态」栏目最近更新于 2024-01-10，已 56 天未更新（限 14 天）",
            {
                "newest": "2024-01-10",
                "age_days": 56,
                "limit_days": 14,
                "newest_title": "区发改局召开工作会议",
                "date_source": "list",
            },
            events=[("opened", OLD), ("overdue", D1), ("seen", D1), ("seen", D3), ("seen", D5), ("seen", D6)],
            runs=checks,
        ).id
        ids["blank"] = f(
            "column.blank",
            "major",
            "jiyang",
            "fgj",
            "tzgg",
            f"{fgj}tzgg/",
            "「通知公告」栏目无任何信息，页面显示「暂无信息」",
            {"placeholder": "暂无信息", "entries": 0, "pages": 1},
            events=[("opened", D6)],
            runs=checks,
        ).id
        ids["undated"] = f(
            "column.undated",
            "minor",
            "jiyang",
            "fgj",
            "zcwj",
            f"{fgj}zcwj/",
            "「政策文件」栏目 2 条信息均未注明发布时间",
            {"entries": 2, "titles": ["关于印发某办法的通知", "某某实施意见"]},
            events=[("opened", D3), ("seen", D5), ("seen", D6)],
            runs=checks,
        ).id
        ids["missing"] = f(
            "column.missing",
            "major",
            "jiyang",
            "fgj",
            "ghjh",
            None,
            "未找到「规划计划」栏目",
            {"entry_page": fgj, "searched": ["规划计划", "规划信息"]},
            events=[("opened", D5), ("seen", D6)],
            runs=checks,
        ).id
        ids["rect5"] = f(
            "column.placeholder",
            "major",
            "jiyang",
            "fgj",
            "czyjs",
            f"{fgj}czyjs/",
            "「财政预决算」栏目的 1 条信息均为说明，未公开实际内容",
            {"titles": ["关于暂无预决算信息的说明"], "entries": 1},
            events=[("opened", D1), ("seen", D3), ("rectified", D5)],
            runs=checks,
        ).id
        ids["rect6"] = f(
            "column.undated",
            "minor",
            "jiyang",
            "fgj",
            "jgzn",
            f"{fgj}jgzn/",
            "「机构职能」栏目 1 条信息均未注明发布时间",
            {"entries": 1},
            events=[("opened", D1), ("seen", D3), ("seen", D5), ("rectified", D6)],
            runs=checks,
        ).id
        ids["unreach"] = f(
            "site.unreachable",
            "major",
            "jiyang",
            "jyj",
            None,
            f"{base}jyj/",
            "信息公开页面无法访问：HTTP 503",
            {"page": "entry", "http_status": 503, "error": "HTTP 503"},
            events=[("opened", D5), ("seen", D6)],
            runs=checks,
        ).id
        ids["wsj_stale"] = f(
            "column.stale",
            "major",
            "jiyang",
            "wsj",
            "rsxx",
            f"{base}wsj/rsxx/",
            "「人事信息」栏目最近更新于 2022-12-01，已 456 天未更新（限 365 天）",
            {"newest": "2022-12-01", "age_days": 456, "limit_days": 365},
            events=[("opened", D1)],
            runs=checks,
        ).id
        ids["typo"] = f(
            "text.typo",
            "veto",
            "jiyang",
            "xz2",
            None,
            f"{base}xz2/art1.html",
            "页面存在严重错别字",
            {"text": "中华人民共和国国务院"},
            events=[("opened", D6)],
            runs=checks,
        ).id
    ids["crawls"] = {d: r.id for d, r in crawls.items()}
    return ids
