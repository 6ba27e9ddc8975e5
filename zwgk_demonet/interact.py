"""The portals' 互动交流 channels (interact.unanswered, interact.nochannel), with their controls.

Each readable portal's 互动交流 page (linked from the home navigation) lists its channels. Modes by
portal (`CONSULT`; unlisted portals use `clean`):
- `table` — 政务咨询: a table (留言标题 | 留言时间 | 回复时间 | 办理状态). Defect: a message left 130
  days before the monitoring date, still 办理中. Controls: one answered on day 89, one 待回复 for 40
  days, one unanswered but left 400 days ago (outside the year).
- `rows` — 县长信箱: rows labelling only their 留言时间; each message's page says the rest. Defect: a
  page whose 回复内容 is empty, left 150 days ago. Controls: answered after 10 days, answered on day
  89, a 留言内容 that says 正在办理中 but has its reply.
- `none` — the page lists only 在线访谈, 调查征集, 网上信访 and 纪检举报 (none a consultation
  channel): interact.nochannel.
- `clean` — 在线咨询 as a table: every message answered within the limit (day 89 included).
Every 互动交流 page also links 网上信访 (a control: never the channel).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

CONSULT = {"qinglan": "table", "baishi": "none", "yunze": "rows"}
CHANNEL_NAME = {"table": "政务咨询", "rows": "县长信箱", "clean": "在线咨询"}
LIST_PATH = "/interact/mailbox/"


@dataclass
class Message:
    mid: int
    title: str
    asked: date
    replied: date | None
    state: str  # the word shown in a table's 办理状态 cell
    body: str = "请问相关事项如何办理？"

    @property
    def path(self) -> str:
        return f"{LIST_PATH}m{self.mid}.html"


def seed(portal, as_of: date) -> None:
    """Set `portal.consult` (the mode) and `portal.messages`."""
    mode = CONSULT.get(portal.id, "clean")
    if getattr(portal, "challenge", False) or not portal.reachable:
        mode = "clean"
    portal.consult = mode
    day = lambda n: as_of - timedelta(days=n)  # noqa: E731 - a local shorthand
    if mode == "table":
        msgs = [
            Message(1, "小区集中供暖何时开始", day(20), day(18), "已回复"),
            Message(2, "城区道路破损何时维修", day(130), None, "办理中"),  # defect
            Message(3, "新生入学学位申请咨询", day(120), day(120) + timedelta(days=89), "已回复"),
            Message(4, "社保关系转移办理流程", day(40), None, "待回复"),
            Message(5, "老旧小区改造范围咨询", day(400), None, "未回复"),
        ]
    elif mode == "rows":
        msgs = [
            Message(11, "农村医保缴费时间", day(60), day(50), ""),
            Message(12, "村道路灯长期不亮", day(150), None, ""),  # defect (empty reply on its page)
            Message(13, "创业补贴申请条件", day(200), day(200) + timedelta(days=89), ""),
            Message(14, "农贸市场改造进度", day(30), day(28), "", "项目正在办理中，何时完成？"),
        ]
    elif mode == "clean":
        msgs = [
            Message(21, "公积金提取咨询", day(15), day(12), "已回复"),
            Message(22, "不动产登记预约", day(100), day(100) + timedelta(days=89), "已答复"),
            Message(23, "公交线路调整建议", day(20), None, "待回复"),
        ]
    else:
        msgs = []
    portal.messages = msgs


def hub_links(portal) -> list[tuple[str, str]]:
    """(path, text) of the 互动交流 page's channel links."""
    links = [("/interact/ft/", "在线访谈"), ("/interact/xf/", "网上信访")]
    if portal.consult == "none":
        return [*links, ("/interact/zj/", "调查征集"), ("/interact/jb/", "纪检举报")]
    return [(LIST_PATH, CHANNEL_NAME[portal.consult]), *links]


def routes(portal) -> dict[str, tuple]:
    """Every 互动交流 link answers: the other channels are plain pages, the consultation channel
    its list and message pages."""
    out: dict[str, tuple] = {path: ("channel", text) for path, text in hub_links(portal) if path != LIST_PATH}
    if portal.consult == "none":
        return out
    out[LIST_PATH] = ("msglist",)
    out.update({m.path: ("msg", m) for m in portal.messages})
    return out


def _a(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def list_body(portal) -> str:
    name = CHANNEL_NAME[portal.consult]
    if portal.consult == "rows":
        rows = "".join(
            f'<li>{_a(m.path, m.title)}<span class="time">留言时间：{m.asked.isoformat()}</span></li>'
            for m in portal.messages
        )
        return f'<h1>{name}</h1><ul class="letters">{rows}</ul>'
    rows = "".join(
        f"<tr><td>{i + 1}</td><td>{_a(m.path, m.title)}</td><td>{m.asked.isoformat()}</td>"
        f"<td>{m.replied.isoformat() if m.replied else ''}</td><td>{m.state}</td></tr>"
        for i, m in enumerate(portal.messages)
    )
    return (
        f"<h1>{name}</h1><table class='msg-table'><tr><th>序号</th><th>留言标题</th><th>留言时间</th>"
        f"<th>回复时间</th><th>办理状态</th></tr>{rows}</table>"
    )


def channel_body(text: str) -> str:
    return f"<h1>{escape(text)}</h1><p>本栏目提供{escape(text)}服务。</p>"


def message_body(portal, m: Message) -> str:
    reply = (
        f"<p>回复单位：{escape(portal.name)}办公室</p><p>回复时间：{m.replied.isoformat()}</p>"
        "<p>回复内容：您好，您反映的问题已转相关部门办理，感谢您的关注。</p>"
        if m.replied
        else "<p>回复内容：</p>"
    )
    return (
        f"<h1>{escape(m.title)}</h1><p>留言时间：{m.asked.isoformat()}</p>"
        f"<p>留言内容：{escape(m.body)}</p>{reply}"
    )


def truth_rows(portal) -> list[dict]:
    if getattr(portal, "challenge", False) or not portal.reachable:
        return []
    gov = next(u for u in portal.units if u.profile == "government")
    if gov.entry_status >= 400:
        return []
    base = {"portal": portal.id, "unit": gov.id, "column": "zwzx"}
    if portal.consult == "none":
        return [
            {
                **base,
                "rule": "interact.nochannel",
                "url_path": None,
                "note": "互动交流页面只有在线访谈、信访、举报",
            }
        ]
    if portal.consult in ("table", "rows"):
        return [
            {**base, "rule": "interact.unanswered", "url_path": LIST_PATH, "note": "一条留言超过3个月未回复"}
        ]
    return []
