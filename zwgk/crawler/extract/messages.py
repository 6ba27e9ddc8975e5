"""Messages of a 政务咨询 column (留言, 信箱, 问政): when each was asked and whether and when it was
answered — what 互动回应差 of 国办秘函〔2019〕19号 is judged on (a valid message unanswered for more
than three months within the last year).

Portals show this in three shapes, and a reader must take each as it comes:
- a table with a header row (标题 | 留言时间 | 回复时间 | 状态), the roles told by the header words;
- list rows that label their own values (`留言时间：2026-03-02 … 状态：已回复`);
- a message's own page: 留言时间/来信时间 and 回复时间/答复时间 labels, a 回复内容 that is empty or says
  暂未回复.

Precision first (a finding accuses a department): a message counts as unanswered only on positive
evidence — a state word (未回复, 待回复, 办理中 …) or an empty reply slot on its page. A row without
a reply date and without a state is `unknown`, never unanswered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .dates import find_full_date
from .dom import abs_url, el_text, norm_space

ASKED = (
    "留言时间",
    "留言日期",
    "提问时间",
    "来信时间",
    "来信日期",
    "咨询时间",
    "写信时间",
    "提交时间",
    "提问日期",
)
REPLIED = ("回复时间", "回复日期", "答复时间", "答复日期", "办结时间", "办结日期", "反馈时间", "处理时间")
STATE = ("办理状态", "处理状态", "回复状态", "答复状态", "状态")
ANSWERED = ("已回复", "已答复", "已办结", "已处理", "已反馈", "已解答")
UNANSWERED = (
    "未回复",
    "待回复",
    "未答复",
    "待答复",
    "办理中",
    "处理中",
    "待处理",
    "受理中",
    "未办结",
    "暂未回复",
    "尚未回复",
)
REPLY_BODY = ("回复内容", "答复内容", "回复意见", "答复意见", "办理结果")


@dataclass
class Message:
    title: str
    url: str | None
    asked: date | None
    replied: date | None = None
    state: str = "unknown"  # answered | unanswered | unknown
    shown: str = ""  # the words the state was read from (evidence)


def _state(text: str) -> tuple[str, str]:
    for word in UNANSWERED:  # first: 未回复 contains 回复, 暂未回复 contains 未回复
        if word in text:
            return "unanswered", word
    for word in ANSWERED:
        if word in text:
            return "answered", word
    return "unknown", ""


def _date(text: str) -> date | None:
    found = find_full_date(text)
    return found[0] if found else None


def _labelled_state(text: str) -> tuple[str, str]:
    """The state after a 状态 label (办理状态：已回复); a state word elsewhere (a title such as
    关于未回复问题的咨询, a body saying 正在办理中) is not read."""
    for label in STATE:
        for m in re.finditer(re.escape(label) + r"\s*[:：]\s*", text):
            state = _state(text[m.end() : m.end() + 8])
            if state[0] != "unknown":
                return state
    return "unknown", ""


def _labelled_date(text: str, labels: tuple[str, ...]) -> date | None:
    for label in labels:
        for m in re.finditer(re.escape(label) + r"\s*[:：]?\s*", text):
            found = _date(text[m.end() : m.end() + 30])
            if found:
                return found
    return None


def _role(header: str) -> str | None:
    text = re.sub(r"\s+", "", header)
    if len(text) > 12:
        return None  # a cell holding a whole table (layout) is no header
    if any(label in text for label in ASKED):
        return "asked"
    if any(label in text for label in REPLIED):
        return "replied"
    if any(label == text or text.endswith(label) for label in STATE):
        return "state"
    return None


def messages_from_table(table, base_url: str) -> list[Message] | None:
    """The rows of a table whose header names a 留言 date column; None when it is no such table."""
    rows = table.findall(".//tr")
    if len(rows) < 2:
        return None
    header = [norm_space(el_text(c)) for c in rows[0] if c.tag in ("th", "td")]
    roles = {i: r for i, h in enumerate(header) if (r := _role(h))}
    if "asked" not in roles.values():
        return None
    out = []
    for tr in rows[1:]:
        cells = [c for c in tr if c.tag in ("th", "td")]
        link = next(iter(tr.iter("a")), None)
        msg = Message(
            title=norm_space(el_text(link))
            if link is not None
            else norm_space(el_text(cells[0]) if cells else ""),
            url=abs_url(base_url, link.get("href")) if link is not None else None,
            asked=None,
        )
        for i, role in roles.items():
            if i >= len(cells):
                continue
            text = norm_space(el_text(cells[i]))
            if role == "asked":
                msg.asked = _date(text)
            elif role == "replied":
                msg.replied = _date(text)
            else:
                msg.state, msg.shown = _state(text)
        if msg.replied and msg.state == "unknown":
            msg.state, msg.shown = "answered", "回复时间"
        if msg.asked:
            out.append(msg)
    return out


def message_from_row(row, base_url: str) -> Message | None:
    """A list row (li, dl, div) that labels its own 留言 date, or None."""
    text = norm_space(el_text(row))
    asked = _labelled_date(text, ASKED)
    if asked is None:
        return None
    if sum(text.count(label) for label in ASKED) > 1:
        return None  # a container of rows (a layout table's cell, a whole list), not one message
    link = next(iter(row.iter("a")), None)
    replied = _labelled_date(text, REPLIED)
    title = norm_space(el_text(link)) if link is not None else ""
    # a state word outside the title: 已回复 in its own span, or after a 状态 label
    state, shown = _state(text.replace(title, "")) if title else _labelled_state(text)
    if replied and state == "unknown":
        state, shown = "answered", "回复时间"
    return Message(
        title=title or text[:60],
        url=abs_url(base_url, link.get("href")) if link is not None else None,
        asked=asked,
        replied=replied,
        state=state,
        shown=shown,
    )


def messages_from_list(doc, base_url: str) -> list[Message]:
    """Every message a list page shows, from its tables first, else from self-labelled rows."""
    out: list[Message] = []
    for table in doc.iter("table"):
        got = messages_from_table(table, base_url)
        if got:
            out += got
    if out:
        return out
    for row in doc.iter("li", "dl", "tr"):
        msg = message_from_row(row, base_url)
        if msg is not None:
            out.append(msg)
    return out


PENDING = ("暂未回复", "尚未回复", "暂无回复", "未回复", "待回复", "正在办理")
_SLOT_TAGS = ("p", "div", "td", "th", "dd", "dt", "li", "span", "section")


def reply_slot(doc) -> str | None:
    """What a message page's reply slot holds: `empty`, `pending` (暂未回复 …), `filled`, or None
    when the page has no slot labelled 回复内容 (or a synonym). Read element by element, so the
    page's foot after an empty slot is not taken for a reply: the label and its value share an
    element (`<p>回复内容：…</p>`) or the value is the label cell's next sibling (`<th>回复内容</th>
    <td></td>`)."""
    seen = None
    for el in doc.iter(*_SLOT_TAGS):
        text = norm_space(el_text(el))
        label = next((lb for lb in REPLY_BODY if text.startswith(lb)), None)
        if label is None or len(text) > 2000:
            continue
        rest = text[len(label) :].lstrip(" :：")
        if not rest:
            sibling = el.getnext()
            rest = (
                norm_space(el_text(sibling)) if sibling is not None and el.tag in ("th", "td", "dt") else ""
            )
        if rest.startswith(PENDING):
            return "pending"
        seen = "filled" if rest else "empty"
        if seen == "filled":
            return seen
    return seen


def message_from_page(text: str, title: str = "", url: str | None = None, doc=None) -> Message | None:
    """A message's own page (its visible text, and its tree for the reply slot): asked and replied
    dates by their labels; an empty reply slot, or one saying 暂未回复, is positive evidence of no
    answer."""
    text = norm_space(text)
    asked = _labelled_date(text, ASKED)
    if asked is None:
        return None
    replied = _labelled_date(text, REPLIED)
    state, shown = _labelled_state(text)
    if replied:
        state, shown = "answered", "回复时间"
    elif state == "unknown" and doc is not None:
        slot = reply_slot(doc)
        if slot == "empty":
            state, shown = "unanswered", "回复内容为空"
        elif slot == "pending":
            state, shown = "unanswered", "回复内容显示暂未回复"
    return Message(title=title, url=url, asked=asked, replied=replied, state=state, shown=shown)
