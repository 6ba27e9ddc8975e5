"""Notifications: each unit its own list, the supervisor the summary, the operator alerts.

Everything is received on this machine: an SMTP server (aiosmtpd) and a webhook receiver
(http.server), both bound to 127.0.0.1. Apprise delivers through `mailto://127.0.0.1:PORT` and
`json://127.0.0.1:PORT/…` exactly as it would to a real mail server or 企业微信/钉钉 relay.
"""

from __future__ import annotations

import email
import json
import socket
import threading
from datetime import datetime
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_module

require_module("apprise", "notify")  # a missing module skips locally and fails under CI=true
aiosmtpd_controller = require_module("aiosmtpd.controller")

from tests.reports_fixtures import D6, build_scenario  # noqa: E402
from zwgk.config.catalog import load_catalog  # noqa: E402
from zwgk.cycle import jobs, notify  # noqa: E402
from zwgk.errors import BadInput  # noqa: E402
from zwgk.store.db import Store  # noqa: E402
from zwgk.store.schema import Run  # noqa: E402

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.filterwarnings("ignore:.imghdr. is deprecated:DeprecationWarning"),
]


# -- local receivers -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server on 127.0.0.1 keeping every message: (to, subject, plain text)."""

    def __init__(self):
        self.messages: list[tuple[list[str], str, str]] = []
        self.raw: list[bytes] = []  # every message as received (headers, all parts)
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.raw.append(envelope.content)
                msg = email.message_from_bytes(envelope.content)
                subject = str(make_header(decode_header(msg["Subject"] or "")))
                text = ""
                for part in msg.walk():
                    if part.get_content_type() == "text/plain":
                        text += part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                outer.messages.append((list(envelope.rcpt_tos), subject, text))
                return "250 OK"

        self.port = _free_port()
        self.controller = aiosmtpd_controller.Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=zwgk@example.gov.cn&to={to}&mode=insecure"

    def to(self, address: str) -> list[tuple[str, str]]:
        return [(subj, text) for rcpt, subj, text in self.messages if address in rcpt]


class Hooks:
    """A webhook receiver on 127.0.0.1: POSTed JSON by path; `fail[path] = n` answers 500 n times first."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        self.fail: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.fail.get(self.path, 0) > 0:
                    outer.fail[self.path] -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.posts.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}?cto=2&rto=5"

    def at(self, path: str) -> list[dict]:
        return [p for where, p in self.posts if where == path]


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def hooks():
    h = Hooks()
    h.thread.start()
    yield h
    h.server.shutdown()
    h.server.server_close()


@pytest.fixture
def scenario(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'n.db'}")
    catalog = load_catalog()
    ids = build_scenario(store, catalog)
    yield store, catalog, ids
    store.dispose()


def _config(tmp_path: Path, data: dict) -> notify.NotifyConfig:
    path = tmp_path / "notify.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return notify.load_notify_config(path)


def _runs(store, kind: str) -> list[Run]:
    with store.session() as s:
        runs = s.query(Run).filter(Run.stage == "notify").order_by(Run.id).all()
        return [r for r in runs if (r.counts or {}).get("kind") == kind]


# -- the tests -------------------------------------------------------------------------------------
def test_each_unit_gets_its_own_list_and_the_supervisor_the_summary(tmp_path, scenario, mailbox, hooks):
    store, catalog, _ = scenario
    cfg = _config(
        tmp_path,
        {
            "retry_delay": 0,
            "min_coverage": 0.9,
            "report_url": "http://zwgk.intranet/reports/",
            "workspace_url": "https://zwgk.intranet/",
            "supervisor": [mailbox.url("zwgkb@example.gov.cn")],
            "operator": [hooks.url("/ops")],
            "units": {
                "jiyang/fgj": [mailbox.url("fgj@example.gov.cn"), hooks.url("/wecom/fgj")],
                "jiyang/jyj": hooks.url("/dingtalk/jyj"),
                "jiyang/xz1": [mailbox.url("xz1@example.gov.cn")],  # no open findings: not messaged
            },
        },
    )
    ids = notify.dispatch_daily(store, D6, catalog, cfg, sleep=lambda s: None)

    # fgj by e-mail: its four open findings, nobody else's
    [(subject, text)] = mailbox.to("fgj@example.gov.cn")
    assert "区发展和改革局" in subject and "4 项" in subject
    for needle in (
        "工作动态",
        "已 56 天未更新",
        "通知公告",
        "暂无信息",
        "未找到「规划计划」栏目",
        "整改期限",
        "http://www.jiyang.example/xxgk/fgj/gzdt/",
        "daily-2024-03-06.html",
        "https://zwgk.intranet/units/jiyang/fgj",  # its own page in the workspace
    ):
        assert needle in text, needle
    for other in ("区教育和体育局", "HTTP 503", "人事信息", "错别字"):
        assert other not in text, other
    # … and through its group webhook, the same list
    [hook] = hooks.at("/wecom/fgj")
    assert (
        "区发展和改革局" in hook["title"]
        and "工作动态" in hook["message"]
        and "HTTP 503" not in hook["message"]
    )
    # jyj by webhook: the unreachable entry page
    [hook] = hooks.at("/dingtalk/jyj")
    assert (
        "区教育和体育局" in hook["title"]
        and "HTTP 503" in hook["message"]
        and "工作动态" not in hook["message"]
    )
    assert "区发展和改革局" not in hook["message"]
    assert mailbox.to("xz1@example.gov.cn") == []

    # supervisor: the summary with last night's coverage and the units ranked
    [(subject, text)] = mailbox.to("zwgkb@example.gov.cn")
    assert "汇总" in subject
    assert "覆盖 5/6 个单位" in text and "区发展和改革局：4 项" in text and "jiyang/jyj" in text
    assert "https://zwgk.intranet/supervisor" in text

    # operator: 5 of 6 units is below the 90 % configured
    [alert] = hooks.at("/ops")
    assert "运行告警" in alert["title"] and "覆盖率 83%" in alert["message"]

    daily, alert_runs = _runs(store, "daily"), _runs(store, "alert")
    assert [r.id for r in daily] == [ids["daily"]] and [r.id for r in alert_runs] == [ids["alert"]]
    assert daily[0].status == "ok" and daily[0].counts["sent"] == 4 and daily[0].counts["failed"] == 0
    assert daily[0].counts["recipients"] == ["jiyang/fgj", "jiyang/jyj", "supervisor"]
    # the same problem is not alerted twice on one day (the nightly job and the dispatch both check)
    assert notify.check_and_alert(store, D6, cfg, sleep=lambda s: None) is None
    assert len(hooks.at("/ops")) == 1


def test_failed_sends_are_retried_bounded_and_recorded(tmp_path, scenario, hooks):
    store, catalog, _ = scenario
    dead = f"json://127.0.0.1:{_free_port()}/nobody?cto=1&rto=1"  # nothing listens there
    hooks.fail["/flaky"] = 2
    waits: list[float] = []
    cfg = _config(
        tmp_path,
        {"retries": 2, "retry_delay": 1, "min_coverage": 0, "supervisor": [hooks.url("/flaky"), dead]},
    )
    ids = notify.dispatch_daily(store, D6, catalog, cfg, sleep=waits.append)
    assert len(hooks.at("/flaky")) == 1  # two 500s, then delivered
    assert waits == [1, 2, 1, 2]  # backoff between the attempts of each recipient, bounded by `retries`
    [run] = _runs(store, "daily")
    assert run.id == ids["daily"] and run.status == "partial"
    assert run.counts["sent"] == 1 and run.counts["failed"] == 1 and run.counts["attempts"] == 6
    assert "supervisor → json://127.0.0.1" in run.error and "3 次尝试" in run.error
    assert ids["alert"] is None  # coverage is fine and no operator is configured


def test_a_sender_that_raises_never_ends_the_run(tmp_path, scenario):
    store, catalog, _ = scenario
    cfg = _config(tmp_path, {"retries": 1, "retry_delay": 0, "units": {"jiyang/fgj": "json://127.0.0.1:9/x"}})

    def explode(recipient, message):
        raise RuntimeError("plugin bug")

    ids = notify.dispatch_daily(store, D6, catalog, cfg, send=explode, sleep=lambda s: None)
    [run] = _runs(store, "daily")
    assert run.id == ids["daily"] and run.status == "failed" and "RuntimeError: plugin bug" in run.error


def test_nightly_failure_alerts_the_operator(tmp_path, hooks, monkeypatch):
    """A crawl that fails at night is in its run record, and the operator hears of it at once."""
    from zwgk.cycle import records, stages

    db = f"sqlite:///{tmp_path / 'night.db'}"
    sites = tmp_path / "sites.yml"
    sites.write_text(
        yaml.safe_dump(
            {
                "portals": [
                    {
                        "id": "demo",
                        "name": "演示县人民政府",
                        "home": "http://127.0.0.1:9/",
                        "units": [
                            {
                                "id": "gov",
                                "name": "演示县人民政府",
                                "profile": "government",
                                "entry": "http://127.0.0.1:9/xxgk/",
                            }
                        ],
                    }
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    notify_yml = tmp_path / "notify.yml"
    notify_yml.write_text(
        yaml.safe_dump(
            {"retry_delay": 0, "operator": [hooks.url("/ops")], "units": {"demo/gov": hooks.url("/gov")}}
        ),
        encoding="utf-8",
    )

    def failing_crawl(store, registry_path, registry, as_of, *a, **kw):
        stages.sync_registry(store, registry)
        run_id = records.start_run(store, "crawl", as_of)
        records.finish_run(store, run_id, "failed", {}, "Traceback …\nOSError: disk full")
        raise stages.StageFailed("crawl failed (exit 1)")

    monkeypatch.setattr(stages, "crawl", failing_crawl)
    clock = lambda: datetime(2026, 3, 2, 1, 0, tzinfo=jobs.SHANGHAI)  # noqa: E731
    with pytest.raises(stages.StageFailed):
        jobs.nightly(str(sites), db=db, notify=str(notify_yml), clock=clock)
    [alert] = hooks.at("/ops")
    assert "failed：OSError: disk full" in alert["message"] and "覆盖率 0%" in alert["message"]
    # the morning dispatch repeats nothing already said, and still sends what it has
    out = tmp_path / "reports"
    path = jobs.daily_report(
        db=db, out=str(out), notify=str(notify_yml), sites=str(sites), lock_wait_minutes=0.05, clock=clock
    )
    assert path and Path(path).exists()
    assert len(hooks.at("/ops")) == 1


def test_config_errors_name_file_and_line(tmp_path, monkeypatch):
    from zwgk.config.registry import load_registry

    def bad(text: str) -> str:
        path = tmp_path / "n.yml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(BadInput) as exc:
            notify.load_notify_config(path, registry)
        return str(exc.value)

    sites = tmp_path / "sites.yml"
    sites.write_text(
        yaml.safe_dump(
            {
                "portals": [
                    {
                        "id": "p",
                        "name": "县政府",
                        "home": "http://127.0.0.1:9/",
                        "units": [
                            {
                                "id": "gov",
                                "name": "县政府",
                                "profile": "government",
                                "entry": "http://127.0.0.1:9/x/",
                            }
                        ],
                    }
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    cat = load_catalog()
    registry = load_registry(sites, set(cat.profiles), cat.column_ids())
    assert ":2: 未知字段 'supervisors'" in bad("retries: 1\nsupervisors: []\n")
    assert ":3: 登记表中没有单位 'p/fgj'" in bad(
        "units:\n  p/gov: json://127.0.0.1:9/\n  p/fgj: json://127.0.0.1:9/\n"
    )
    assert ":2: 单位 'gov' 应写作" in bad("units:\n  gov: json://127.0.0.1:9/\n")
    assert ":3: Apprise 无法识别此地址" in bad("operator:\n  - json://127.0.0.1:9/\n  - nosuch://x\n")
    assert ":1: 环境变量 ZWGK_TEST_NOPE" in bad("operator: mailtos://u:${ZWGK_TEST_NOPE}@127.0.0.1\n")
    assert ":1: min_coverage 应为 0 到 1 之间的数" in bad("min_coverage: 80\n")
    assert ":2: workspace_url 应为工作台的网址" in bad("retries: 1\nworkspace_url: zwgk.intranet\n")
    monkeypatch.setenv("ZWGK_TEST_PW", "s3cret")
    path = tmp_path / "ok.yml"
    path.write_text(
        "operator: mailto://zwgk:${ZWGK_TEST_PW}@127.0.0.1:2525?to=ops@example.gov.cn&from=zwgk@example.gov.cn\n",
        encoding="utf-8",
    )
    cfg = notify.load_notify_config(path)
    assert "s3cret" in cfg.operator[0].url and "s3cret" not in cfg.operator[0].label  # never in records


def test_cli_run_rejects_a_bad_notifications_file(tmp_path):
    import subprocess
    import sys

    sites = tmp_path / "sites.yml"
    sites.write_text(
        yaml.safe_dump(
            {
                "portals": [
                    {
                        "id": "p",
                        "name": "县政府",
                        "home": "http://127.0.0.1:9/",
                        "units": [
                            {
                                "id": "gov",
                                "name": "县政府",
                                "profile": "government",
                                "entry": "http://127.0.0.1:9/x/",
                            }
                        ],
                    }
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    bad = tmp_path / "n.yml"
    bad.write_text("units:\n  p/nosuch: json://127.0.0.1:9/\n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zwgk.cli",
            "run",
            "--sites",
            str(sites),
            "--db",
            str(tmp_path / "x.db"),
            "--notify",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "n.yml:2" in proc.stderr and "p/nosuch" in proc.stderr


# -- 企业微信 / 钉钉 group robots through Apprise, their HTTP post patched (no socket is opened) ------------
class RobotPosts:
    """Stands in for `requests.post` in Apprise's wecombot and dingtalk plugins: keeps what would be sent."""

    def __init__(self):
        self.posts: list[tuple[str, bytes, dict]] = []

    def __call__(self, url, data=None, **kwargs):
        assert url.startswith(("https://qyapi.weixin.qq.com/", "https://oapi.dingtalk.com/")), url
        raw = data if isinstance(data, bytes) else str(data).encode("utf-8")
        self.posts.append((url, raw, json.loads(raw)))

        class Answer:
            status_code, content = 200, b'{"errcode":0,"errmsg":"ok"}'

        return Answer()

    def wecom(self) -> list[dict]:
        return [p for u, _, p in self.posts if "qyapi.weixin.qq.com" in u]

    def dingtalk(self) -> list[tuple[bytes, dict]]:
        return [(raw, p) for u, raw, p in self.posts if "oapi.dingtalk.com" in u]


WECOM_LIMITS = {"text": 2048, "markdown": 4096}  # bytes of UTF-8 content, by msgtype (企业微信 群机器人)


def _wecom_content(payload: dict) -> str:
    return payload[payload["msgtype"]]["content"]


@pytest.fixture
def robots(monkeypatch):
    import apprise.plugins.dingtalk as dingtalk_plugin
    import apprise.plugins.wecombot as wecombot_plugin

    fake = RobotPosts()
    monkeypatch.setattr(wecombot_plugin.requests, "post", fake)
    monkeypatch.setattr(dingtalk_plugin.requests, "post", fake)
    return fake


def test_wecom_and_dingtalk_robots_get_the_units_list(tmp_path, scenario, robots):
    store, catalog, _ = scenario
    cfg = _config(
        tmp_path,
        {
            "retry_delay": 0,
            "min_coverage": 0,
            "units": {"jiyang/fgj": ["wecombot://zwgkfgjkey", "dingtalk://zwgkfgjtoken/"]},
        },
    )
    ids = notify.dispatch_daily(store, D6, catalog, cfg, sleep=lambda s: None)
    [wecom] = robots.wecom()
    [(raw, ding)] = robots.dingtalk()
    ding_text = ding["markdown"]["text"] if ding["msgtype"] == "markdown" else ding["text"]["content"]
    for text in (_wecom_content(wecom), ding_text):
        for needle in (
            "区发展和改革局",
            "工作动态",
            "已 56 天未更新",
            "通知公告",
            "暂无信息",
            "整改期限",
            "http://www.jiyang.example/xxgk/fgj/gzdt/",
        ):
            assert needle in text, needle
        assert "区教育和体育局" not in text and "HTTP 503" not in text
    assert len(_wecom_content(wecom).encode("utf-8")) <= WECOM_LIMITS[wecom["msgtype"]]
    assert len(raw) <= notify.DINGTALK_REQUEST_BYTES
    [run] = _runs(store, "daily")
    assert run.id == ids["daily"] and run.status == "ok" and run.counts["sent"] == 2


def _long_unit(n: int):
    from types import SimpleNamespace

    rows = [
        SimpleNamespace(
            number=f"ZW-{i:06d}",
            column_id="gzdt",
            column_name="工作动态",
            overdue_days=i % 7,
            is_new=i % 3 == 0,
            severity_label="严重",
            rule_title="栏目长期未更新",
            message=f"第{i}条：工作动态栏目已 {40 + i} 天未更新，超过规定的更新周期",
            deadline=D6,
            first_seen=D6,
            url=f"http://www.jiyang.example/xxgk/fgj/gzdt/{i}.html",
        )
        for i in range(1, n + 1)
    ]
    return SimpleNamespace(
        portal_id="jiyang",
        unit_id="fgj",
        name="区发展和改革局",
        entry_url="http://www.jiyang.example/xxgk/fgj/",
        rows=rows,
        new_count=n // 3,
        overdue_count=n,
        crawl_note="已抓取 12 个栏目，全部可访问",
    )


def test_long_lists_are_cut_to_the_robots_size_limits(robots):
    n = 150
    link = "http://zwgk.intranet/reports/daily-2024-03-06.html"
    message = notify.unit_message("济阳区人民政府", _long_unit(n), D6, link)
    assert len(message.body.encode("utf-8")) > 4 * notify.WECOM_TEXT_BYTES  # far over the limits as built
    for url in ("wecombot://zwgkfgjkey", "dingtalk://zwgkfgjtoken/"):
        assert notify.apprise_send(notify.Recipient(url, url), message)
    [wecom] = robots.wecom()
    [(raw, ding)] = robots.dingtalk()
    content = _wecom_content(wecom)
    assert len(content.encode("utf-8")) <= WECOM_LIMITS[wecom["msgtype"]]
    assert len(raw) <= notify.DINGTALK_REQUEST_BYTES
    ding_text = ding["markdown"]["text"] if ding["msgtype"] == "markdown" else ding["text"]["content"]
    for text in (content, ding_text):
        listed = [i for i in range(1, n + 1) if f"\n{i}. " in text]
        assert listed == list(range(1, len(listed) + 1)) and 0 < len(listed) < n  # the first ones, whole
        assert f"另有 {n - len(listed)} 项未列出" in text
        assert "区发展和改革局" in text and "待整改问题 150 项" in text
        assert text.rstrip().endswith(f"完整报告：{link}")  # the link to the whole list is kept
    # e-mail has no such limit: everything is sent
    assert notify.for_platform(notify.Recipient("mailto://127.0.0.1:25?to=a@b", "mail"), message) is message


def test_a_message_without_items_is_hard_cut():
    body = "告警：" + "很长的错误信息" * 2000
    msg = notify.Message("operator", "operator", "【运行告警】", body)
    cut = notify.for_platform(notify.Recipient("wecombot://zwgkopskey", "wecom"), msg)
    size = len(f"{cut.title}\r\n{cut.body}".encode())
    assert size <= notify.WECOM_TEXT_BYTES and cut.body.endswith("已截断，请查看完整报告）")
    assert size > notify.WECOM_TEXT_BYTES - 40  # as much as fits, not far less
