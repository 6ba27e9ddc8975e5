"""Reading 政务咨询 messages (extract/messages.py) in the shapes portals use: a table with a header
row, list rows that label their own values, a message's own page. Unanswered only on positive
evidence."""

from __future__ import annotations

from datetime import date

from zwgk.crawler.extract.dom import parse_html
from zwgk.crawler.extract.messages import message_from_page, messages_from_list

BASE = "http://127.0.0.1/hdjl/zxzx/"


def _list(html: str):
    return messages_from_list(parse_html(f"<html><body>{html}</body></html>", BASE).doc, BASE)


def test_a_table_with_a_header_row_gives_dates_and_states_by_column():
    got = _list(
        """<table><tr><th>序号</th><th>留言标题</th><th>留言时间</th><th>回复时间</th><th>办理状态</th></tr>
        <tr><td>1</td><td><a href="m1.html">关于未回复问题的咨询</a></td><td>2026-03-02</td>
            <td>2026-03-05</td><td>已回复</td></tr>
        <tr><td>2</td><td><a href="m2.html">小区供暖何时开始</a></td><td>2026/04/10 09:12</td>
            <td></td><td>办理中</td></tr>
        <tr><td>3</td><td><a href="m3.html">社保转移咨询</a></td><td>2026年5月1日</td><td></td><td></td></tr>
        </table>"""
    )
    assert [(m.title, m.asked, m.replied, m.state) for m in got] == [
        ("关于未回复问题的咨询", date(2026, 3, 2), date(2026, 3, 5), "answered"),
        ("小区供暖何时开始", date(2026, 4, 10), None, "unanswered"),
        ("社保转移咨询", date(2026, 5, 1), None, "unknown"),  # no state, no date: not evidence
    ]
    assert got[1].url == BASE + "m2.html"


def test_rows_that_label_their_own_values_and_a_title_that_names_a_state():
    got = _list(
        """<table class="layout"><tr><td><a href="/">首页</a></td><td><ul class="lyb">
        <li><a href="/m/1.html">为什么我的留言未回复</a><span>留言时间：2026-01-04</span>
            <span>回复时间：2026-01-09</span></li>
        <li><a href="/m/2.html">道路破损</a><span>提问时间：2026-02-11</span><em>待回复</em></li>
        <li><a href="/m/3.html">学位申请</a><span>来信日期：2026.02.20</span></li>
        <li><a href="/xw/1.html">一条新闻</a><span>2026-02-20</span></li>
        </ul></td></tr></table>"""
    )
    assert [(m.title, m.asked, m.replied, m.state) for m in got] == [
        ("为什么我的留言未回复", date(2026, 1, 4), date(2026, 1, 9), "answered"),
        ("道路破损", date(2026, 2, 11), None, "unanswered"),
        ("学位申请", date(2026, 2, 20), None, "unknown"),
    ]


def _page(html: str):
    from zwgk.crawler.extract.dom import el_text

    doc = parse_html(
        f"<html><body>{html}<div class='foot'>网站标识码：1234567890 联系我们</div></body></html>", BASE
    ).doc
    return message_from_page(el_text(doc), "留言", BASE + "m.html", doc)


def test_a_message_page_read_by_its_reply_slot_not_by_the_foot_after_it():
    empty = _page("<p>留言时间：2026-01-02</p><p>留言内容：路灯不亮</p><p>回复内容：</p>")
    assert (empty.state, empty.shown) == ("unanswered", "回复内容为空")
    cells = _page(
        "<table><tr><th>留言时间</th><td>2026-01-02</td></tr><tr><th>答复内容</th><td></td></tr></table>"
    )
    assert cells.state == "unanswered"
    pending = _page("<p>来信时间：2026-01-02</p><div>回复内容：暂未回复</div>")
    assert pending.state == "unanswered"
    filled = _page("<p>留言时间：2026-01-02</p><p>回复内容：已转交住建局办理。</p>")
    assert filled.state == "unknown"  # answered, but when is not shown: not evidence either way
    no_slot = _page("<p>留言时间：2026-01-02</p><p>留言内容：项目正在办理中，何时完成？</p>")
    assert no_slot.state == "unknown"


def test_a_message_page_with_its_reply_date_or_none_at_all():
    answered = message_from_page(
        "留言标题：供暖 留言时间：2026-01-02 留言内容：…… 回复单位：住建局 回复时间：2026-03-31 回复内容：已安排。"
    )
    assert (answered.asked, answered.replied, answered.state) == (
        date(2026, 1, 2),
        date(2026, 3, 31),
        "answered",
    )
    # a body word (办理中) is no state; without a reply slot the page proves nothing
    unknown = message_from_page("留言时间：2026-01-02 留言内容：项目正在办理中，何时完成？")
    assert unknown.state == "unknown"
    assert message_from_page("发布时间：2026-01-02 一篇新闻") is None
