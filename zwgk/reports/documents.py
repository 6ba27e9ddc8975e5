"""The 周通报 and 月考核 as Word documents (zwgk/reports/gongwen.py), from the views their HTML pages
are rendered from: the same units, numbers and deadlines, in the order of a real 通报."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zwgk.reports.gongwen import Gongwen, cn_date

# The views are weekly.WeeklyView and monthly.MonthlyView; not imported (those modules call these).
WeeklyView = MonthlyView = Any


def _score(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def _since(now: float | int | None, before: float | int | None, unit: str = "") -> str:
    if now is None or before is None:
        return ""
    diff = now - before
    if not diff:
        return "，与上周持平"
    shown = f"{abs(diff):.1f}" if isinstance(diff, float) else str(abs(diff))
    return f"，较上周{'增加' if diff > 0 else '减少'}{shown}{unit}"


def weekly_document(v: WeeklyView, path: Path) -> Path:
    """The 周通报 as a 公文: masthead, title, 主送, 一至四, 附件说明, 落款, then the 附件 tables."""
    issuer = f"{v.jurisdiction}{v.issuer}"
    g = Gongwen()
    g.masthead(issuer, [v.issue_no, v.doc_no])
    g.title(f"关于{cn_date(v.start)}至{cn_date(v.end)}政务公开网站监测情况的通报")
    g.recipients(v.recipients)
    t, c = v.totals, v.coverage
    prev = v.prev if v.has_prev else None
    g.para(
        f"{cn_date(v.start)}至{cn_date(v.end)}，共开展自动监测{c['checks']}次，覆盖网站{c['portals']}个、"
        f"信息公开单位{c['units']}个、应设栏目{c['columns']}个（完成检查{c['columns_checked']}个）。"
        "现将监测情况通报如下。"
    )
    g.heading("一、总体情况")
    rate = f"{t.rate:.1f}%" if t.rate is not None else "—（本周无到期或销号问题）"
    text = (
        f"截至{cn_date(v.end)}，待整改问题{t.open}条{_since(t.open, prev.open if prev else None, '条')}；"
        f"本周新发现{t.new}条，已销号{t.rectified}条，逾期未整改{t.overdue}条"
        f"{_since(t.overdue, prev.overdue if prev else None, '条')}；按期整改率{rate}。"
    )
    if t.avg_score is not None:
        text += f"单位平均得分{t.avg_score:.1f}分，不合格单位{t.units_failing}个。"
    g.para(text)
    for line in v.body_lines:
        parts = []
        if line["veto"]:
            parts.append("达到单项否决线：" + "、".join(line["veto"]))
        if line["warning"]:
            parts.append("预警：" + "、".join(line["warning"]))
        g.para(f"{line['portal_name']}：{'；'.join(parts)}。")
    g.heading("二、点名通报")
    if v.named:
        g.para(f"以下{len(v.named)}个单位存在否决级或逾期未整改问题，予以点名通报，请在整改期限内整改到位：")
        for i, n in enumerate(v.named, 1):
            items = "；".join(
                f"{x.number} {x.title}"
                + (f"「{x.column}」" if x.column else "")
                + ("（已逾期）" if x.overdue else "")
                for x in n.items
            )
            more = f"等{len(n.items) + n.more}条" if n.more else ""
            g.para(
                f"{i}. {n.name}（{n.portal_name}）：{'；'.join(n.reasons)}。"
                f"整改期限：{cn_date(n.deadline)}。主要问题：{items}{more}。"
            )
        if v.named_more:
            g.para(f"另有{len(v.named_more)}个单位存在逾期未整改问题，见附件1。")
    else:
        g.para("本周无需点名通报的单位。")
    g.heading("三、典型问题")
    if v.typical:
        for i, t_ in enumerate(v.typical, 1):
            g.subheading(
                f"（{_cn_num(i)}）{t_.title}（{t_.severity_label}，{t_.count}条，涉及{t_.units}个单位）"
            )
            for e in t_.examples:
                col = f"「{e.column}」" if e.column else ""
                g.para(f"{e.number} {e.unit_name}{col}：{e.message}")
    else:
        g.para("本周无待整改问题。")
    g.heading("四、整改要求")
    g.para(f"1. 被点名单位要逐条核查问题，于{cn_date(v.deadline)}前整改到位；问题已逾期的，立即整改。")
    g.para("2. 各单位要对照本通报和本单位页面列出的问题举一反三、全面自查，确保栏目内容准确、更新及时。")
    channel = f"以{v.feedback_channel}" if v.feedback_channel else ""
    contact = f"（{v.contact_line}）" if v.contact_line else ""
    g.para(
        f"3. 整改情况请于{cn_date(v.deadline)}前{channel}报送{issuer}{contact}。整改到位的问题经复核后销号。"
    )
    g.para()
    g.annex_note(["单位排名", "网站整体单项否决指标"])
    g.signature(issuer, v.as_of)
    g.annex(1, "单位排名")
    g.table(
        ["名次", "单位", "网站", "得分", "等级", "待整改", "逾期"],
        [
            [r.rank or "—", r.name, r.portal_name, _score(r.score), r.grade_shown, r.open, r.overdue]
            for r in v.ranking
        ],
        [14, 46, 36, 16, 18, 16, 12],
    )
    g.annex(2, "网站整体单项否决指标")
    g.table(
        ["网站", "指标", "判定", "情况"],
        [[p.portal_name, p.name, p.level_label, p.message] for p in v.portal_lines],
        [30, 36, 22, 70],
    )
    return g.save(path)


def monthly_document(v: MonthlyView, path: Path, issue_no: str, doc_no: str, recipients: str) -> Path:
    """The 月考核 as a 公文: the month's result, the ranking table, the rules that cost most."""
    issuer = f"{v.jurisdiction}{v.issuer}"
    g = Gongwen()
    g.masthead(issuer, [issue_no, doc_no])
    g.title(f"关于{v.label}政务公开网站监测考核结果的通报")
    g.recipients(recipients)
    assessed = [r for r in v.rows if r.checked]
    g.para(
        f"{v.label}{'' if v.complete else f'（截至{cn_date(v.score_date)}）'}，对{len(v.rows)}个信息公开单位"
        f"的政务公开栏目开展了自动监测考核，完成考核{len(assessed)}个"
        + (f"，{v.unchecked}个单位因网站无法访问等原因未能检查、不参与排名" if v.unchecked else "")
        + "。现将考核结果通报如下。"
    )
    g.heading("一、总体情况")
    grades = "、".join(f"{g_}{n}个" for g_, n in v.grades.items() if n)
    avg = f"平均得分{v.average:.1f}分" if v.average is not None else "暂无得分"
    prev = f"（上月{v.prev_average:.1f}分）" if v.has_prev and v.prev_average is not None else ""
    g.para(
        f"{avg}{prev}；{grades or '暂无等级'}。本月新发现问题{v.activity.get('opened', 0)}条，销号{v.activity.get('rectified', 0)}条。"
    )
    g.heading("二、考核结果")
    g.para("各单位得分和等级见附件。触及单项否决指标的单位直接定为不合格。")
    vetoed = [r for r in v.rows if r.veto]
    if vetoed:
        g.para(
            "触及单项否决指标的单位："
            + "；".join(f"{r.name}（{'、'.join(r.veto_lines)}）" for r in vetoed)
            + "。"
        )
    g.heading("三、主要问题")
    if v.costs:
        for i, c in enumerate(v.costs[:5], 1):
            g.para(f"{i}. {c.title}：{c.findings}条，涉及{c.units}个单位，合计扣{c.points:.1f}分。")
    else:
        g.para("本月无扣分问题。")
    g.heading("四、工作要求")
    g.para(
        "各单位要对照考核结果和本单位页面列出的问题，逐条整改、举一反三，确保政务公开栏目内容准确、更新及时。"
    )
    g.para()
    g.annex_note(["各单位考核得分"])
    g.signature(issuer, v.score_date)
    g.annex(None, "各单位考核得分")
    g.table(
        ["名次", "单位", "网站", "得分", "等级", "上月得分", "待整改"],
        [
            [
                r.rank or "—",
                r.name,
                r.portal_name,
                _score(r.score if r.checked else None),
                r.grade_shown,
                _score(r.prev_score),
                r.open,
            ]
            for r in v.rows
        ],
        [14, 46, 36, 16, 18, 18, 14],
    )
    return g.save(path)


def _cn_num(n: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[n] if n <= 10 else str(n)
