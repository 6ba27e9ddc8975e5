"""Find the main list of a column page and turn it into entries (docs/portal-patterns.md §3, §10.3).

A list is a run of sibling nodes (li, tr, dd, p, div ...) that each carry a link and, usually, a
date. The main list is the densest date-bearing run outside the page chrome; side menus count at
half weight, header/top-nav/footer/breadcrumb runs not at all. Runs split into several sibling
containers (TRS groups of five rows) are merged. Lists without dates are accepted only when the
links look like detail pages (./202310/t20231015_1.html ...). The 4-column 信息公开 table
(名称/索引号/发布机构/发布日期) is read by its header, so even a single row counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from .dates import date_match_span, parse_date
from .dom import CHROME, MAIN, NAV, SIDE, abs_url, el_text, norm_space, region_of, strip_all_space
from .model import ListEntry
from .platforms import detail_url_pattern, url_date_pattern
from .template import TEMPLATE_ATTR

ITEM_TAGS = {"li", "tr", "dd", "dt", "p", "div", "tbody", "article", "section", "h3", "h4", "span", "td"}
_TRUNCATED = re.compile(r"(\.{2,}|…+|。{3,})$")
_BULLETS = re.compile(r"^[\s·•●○■□◆◇▪▫►▶>»\-–—*]+")
_MORE = re.compile(r"^(更多|more|详细|详情|查看更多|>>|》》|\+)\W*$", re.I)
_TIME_TAIL = re.compile(r"\s*\d{1,2}:\d{2}(:\d{2})?")
_BRACKETS = re.compile(r"[\[\]【】()（）]")
TITLE_HEADERS = ("名称", "标题", "文件名称", "信息名称", "文件标题", "题名")
DATE_HEADERS = ("发布日期", "日期", "发布时间", "成文日期", "公开日期", "时间")
FIELD_HEADERS = ("索引号", "发布机构", "文号", "发文字号", "发文机关", "主题分类", "有效性")
PLACEHOLDERS = (
    "暂无信息",
    "暂无内容",
    "暂无相关信息",
    "暂无数据",
    "暂无记录",
    "暂无文章",
    "本栏目暂无",
    "正在建设中",
    "栏目建设中",
    "正在建设",
    "升级改版中",
    "敬请期待",
    "无相关信息",
    "没有相关信息",
    "暂无相关内容",
    "暂无公开信息",
)


@dataclass
class Block:
    """One candidate list: the repeated items and what they yield."""

    key: tuple
    items: list = field(default_factory=list)
    entries: list[ListEntry] = field(default_factory=list)
    region: str = MAIN

    @property
    def dated(self) -> int:
        return sum(1 for e in self.entries if e.date is not None)

    @property
    def score(self) -> float:
        return self.dated * (0.5 if self.region == SIDE else 1.0)


@dataclass
class ListResult:
    entries: list[ListEntry] = field(default_factory=list)
    dated_blocks: list[Block] = field(default_factory=list)
    source: str | None = None  # 'table', 'dated', 'undated', 'comment'
    notes: list[str] = field(default_factory=list)


def is_article_url(url: str) -> bool:
    """Has the URL the shape of a detail page on a platform we know (platforms/)?"""
    return bool(detail_url_pattern().search(url))


_RESIDUE_OK = re.compile(r"^(发布|公开|成文|更新|留言|创建|生成|发文|录入)?(日期|时间)?$")
_RESIDUE_PUNCT = re.compile(r"[\s\[\]【】()（）:：|/\-·]")


def _date_chunk(chunk: str, ref: date | None) -> date | None:
    """A date from a text node that is only a date, e.g. '时间：2023-07-26', '[05-17]'."""
    chunk = norm_space(chunk)
    if not chunk or len(chunk) > 40:
        return None
    found = parse_date(chunk, ref)
    if found is None:
        return None
    span = date_match_span(chunk)
    if span is None:  # a yearless form: parse_date only accepts those as the whole text
        return found
    residue = _TIME_TAIL.sub("", chunk[: span[0]] + " " + chunk[span[1] :])
    return found if _RESIDUE_OK.match(_RESIDUE_PUNCT.sub("", residue)) else None


def _edge_date(text: str) -> tuple[int, int] | None:
    """Span of a date at the very start or end of link text (brackets/time allowed), else None."""
    span = date_match_span(text)
    if span is None:
        return None
    before = _RESIDUE_PUNCT.sub("", text[: span[0]])
    after = _RESIDUE_PUNCT.sub("", _TIME_TAIL.sub("", text[span[1] :]))
    return span if not before or not after else None


def _choose_link(links: list[HtmlElement]) -> HtmlElement | None:
    best, best_score = None, -1.0
    for a in links:
        text = el_text(a)
        title = norm_space(a.get("title"))
        if _MORE.match(text) and not title:
            continue
        score = max(len(text), len(title)) + (5 if title else 0)
        if score > best_score:
            best, best_score = a, score
    return best


def clean_title(a) -> str:
    """Title of a list link: @title over truncated text, dates and bullets stripped."""
    text = el_text(a)
    span = _edge_date(text)
    if span is not None:
        head, tail = text[: span[0]], _TIME_TAIL.sub("", text[span[1] :], count=1)
        text = norm_space(_BRACKETS.sub(" ", head) + " " + _BRACKETS.sub(" ", tail))
    text = _BULLETS.sub("", text).strip()
    title = norm_space(a.get("title"))
    if title and (
        not text
        or _TRUNCATED.search(text)
        or text in title
        or len(title) >= len(text)
        or (len(text) >= 6 and title.startswith(text[:6]))
    ):
        # @title is the full title; the text a (truncated) rendering of it, maybe with a date inside.
        return title
    return text


def _holds_list(item) -> bool:
    """True when the element wraps a list of its own: two or more nested li/tr/dd with links."""
    nested = 0
    for el in item.iterdescendants("li", "tr", "dd"):
        if el.find(".//a") is not None:
            nested += 1
            if nested >= 2:
                return True
    return False


def item_entry(item, base_url: str, ref: date | None) -> ListEntry | None:
    """The entry one list item stands for, or None when it holds no usable link."""
    links = [a for a in item.iter("a") if abs_url(base_url, a.get("href"))]
    if len({abs_url(base_url, a.get("href")) for a in links}) > 3 or _holds_list(item):
        return None  # a container of several items, not one item
    a = _choose_link(links)
    if a is None:
        return None
    title = clean_title(a)
    if not title:
        return None
    found, raw = None, None
    for chunk in item.itertext():
        found = _date_chunk(chunk, ref)
        if found is not None:
            raw = norm_space(chunk)
            break
    if found is None:
        text = el_text(a)
        span = _edge_date(text)
        if span is not None:
            found, raw = parse_date(text[span[0] : span[1]]), text[span[0] : span[1]]
    url = abs_url(base_url, a.get("href"))
    if url is None:
        return None
    if found is not None and raw and date_match_span(raw) is None:
        found = year_from_url(found, url, ref)
    return ListEntry(title=title, url=url, date=found, raw_date=raw)


def year_from_url(found: date, url: str | None, ref: date | None = None) -> date:
    """A year-less list date (05-17) resolved against the as-of date may land in the wrong year; when
    the entry's URL names a year and the same month (a platform's date folder: TRS
    …/201710/t20171019_…, Hanweb /art/2017/10/19/), that year is the one,
    unless it would put the date after the as-of date."""
    if not url:
        return found
    for match in url_date_pattern().finditer(urlsplit(url).path):
        groups = match.groups()  # (year, month) pairs, one per platform pattern; one pair matched
        year, month = next((groups[i], groups[i + 1]) for i in range(0, len(groups), 2) if groups[i])
        if int(month) == found.month and int(year) != found.year:
            try:
                moved = found.replace(year=int(year))
            except ValueError:
                return found
            return found if ref is not None and moved > ref else moved
    return found


def _column_dir(urls: list[str]) -> str:
    """The column directory most of these URLs sit in (date folders like /202310/ dropped)."""
    dirs: dict[str, int] = {}
    for url in urls:
        parts = urlsplit(url).path.split("/")[:-1]
        while parts and re.fullmatch(r"\d{4,8}|\d{1,2}", parts[-1]):
            parts.pop()
        key = "/".join(parts)
        dirs[key] = dirs.get(key, 0) + 1
    return max(dirs, key=lambda d: dirs[d]) if dirs else ""


def _candidate_blocks(root, base_url: str, ref: date | None, min_entries: int = 2) -> list[Block]:
    blocks: dict[tuple, Block] = {}
    for parent in root.iter():
        if not isinstance(parent.tag, str):
            continue
        groups: dict[str, list] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag in ITEM_TAGS:
                groups.setdefault(child.tag, []).append(child)
        for tag, children in groups.items():
            entries, items = [], []
            for child in children:
                entry = item_entry(child, base_url, ref)
                if entry is not None:
                    entries.append(entry)
                    items.append(child)
            # Two links to one page (title + source line of a search hit) are one item, not a list.
            if len(entries) < min_entries or len({e.url for e in entries}) < min(2, min_entries):
                continue
            # Siblings of the same shape holding the same column (TRS splits a list into groups of
            # five rows) merge into one run; tab panels of different columns stay apart.
            grand = parent.getparent()
            column = _column_dir([e.url for e in entries])
            key = (
                (id(grand), parent.tag, parent.get("class"), tag, column)
                if grand is not None
                else (id(parent), tag)
            )
            block = blocks.get(key)
            if block is None:
                block = blocks[key] = Block(key=key, region=region_of(parent))
            block.items.extend(items)
            block.entries.extend(entries)
    return list(blocks.values())


def _header_index(cells: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        for i, cell in enumerate(cells):
            if cell == name:
                return i
    for name in names:
        for i, cell in enumerate(cells):
            if name in cell and len(cell) <= len(name) + 4:
                return i
    return None


def _table_entries(root, base_url: str, ref: date | None) -> list[ListEntry]:
    """Rows of a 信息公开 table read by its header (名称 | 索引号 | 发布机构 | 发布日期)."""
    for table in root.iter("table"):
        rows = list(table.iter("tr"))
        for i, row in enumerate(rows):
            cells = [strip_all_space(el_text(c)) for c in row if c.tag in ("th", "td")]
            if len(cells) < 2 or len(cells) > 8:
                continue
            t_idx, d_idx = _header_index(cells, TITLE_HEADERS), _header_index(cells, DATE_HEADERS)
            if t_idx is None or d_idx is None or t_idx == d_idx:
                continue
            entries = []
            for data_row in rows[i + 1 :]:
                data = [c for c in data_row if c.tag in ("th", "td")]
                if len(data) != len(cells):
                    continue
                entry = item_entry(data[t_idx], base_url, ref)
                if entry is None:
                    continue
                raw = el_text(data[d_idx])
                entry.date, entry.raw_date = parse_date(raw, ref), raw or None
                for j, header in enumerate(cells):
                    if header in FIELD_HEADERS and j not in (t_idx, d_idx):
                        entry.fields[header] = el_text(data[j])
                entries.append(entry)
            if entries:
                return entries
    return []


def _dateless_block(blocks: list[Block], page_url: str) -> Block | None:
    best = None
    for block in blocks:
        if block.region != MAIN or len(block.entries) < 3:
            continue
        if belongs_to_page(block, page_url):
            looks = len(block.entries)
        else:
            looks = sum(1 for e in block.entries if is_article_url(e.url))
        if looks < 0.6 * len(block.entries):
            continue
        if best is None or len(block.entries) > len(best.entries):
            best = block
    return best


def _dated_blocks(blocks: list[Block]) -> list[Block]:
    good = [
        b
        for b in blocks
        if b.region not in (CHROME, NAV)
        and b.dated >= 2
        and b.dated >= 0.5 * len(b.entries)
        and len({e.url for e in b.entries}) >= 2
    ]
    return sorted(good, key=lambda b: (b.score, len(b.entries)), reverse=True)


def is_widget_page(dated: list[Block]) -> bool:
    """Several comparable dated blocks and no dominant one: a home page of widgets, not a column."""
    big = [b for b in dated if b.dated >= 3]
    if len(big) < 3:
        return False
    return big[0].dated < 2 * big[1].dated and big[0].dated <= 15


def _column_tokens(page_url: str) -> tuple[str, set[str]]:
    """The list page's directory and the numeric ids in its path (Hanweb col1520598 → 1520598)."""
    path = urlsplit(page_url).path
    directory = path.rsplit("/", 1)[0] + "/" if "/" in path else "/"
    return directory, set(re.findall(r"\d{5,}", path))


_LIST_PAGE_NAME = re.compile(r"^(index|default|list|zwgklist|column-index)([_-]\d+)?\.\w+$", re.I)


def _is_document_path(path: str) -> bool:
    """A leaf document path, not a directory or a list page of a column."""
    name = path.rsplit("/", 1)[-1]
    return bool(name) and not _LIST_PAGE_NAME.match(name)


def belongs_to_page(block: Block, page_url: str) -> bool:
    """Do most of a block's entries belong to this column (under its directory, or naming its id)?

    A column's own articles sit under the column directory (TRS ./202311/t….html, Gansu
    c110634/…) or carry the column id (Hanweb art_<colid>_…); a 热点/推荐 sidebar links elsewhere.
    """
    directory, ids = _column_tokens(page_url)
    if directory == "/" and not ids:
        return False
    hits = 0
    for entry in block.entries:
        path = urlsplit(entry.url).path
        if not _is_document_path(path):
            continue  # a sub-column (./jgzn/, …/index.html) is navigation, not an entry
        if (directory != "/" and path.startswith(directory)) or any(i in path for i in ids):
            hits += 1
    return hits >= 0.5 * len(block.entries)


def _search(root, base_url: str, ref: date | None, page_url: str | None = None) -> ListResult:
    # Links resolve against <base href>; which column they belong to is judged by the page's own URL.
    page_url = page_url or base_url
    table = _table_entries(root, base_url, ref)
    blocks = _candidate_blocks(root, base_url, ref)
    dated = _dated_blocks(blocks)
    # Main-area blocks first. A side block is the list only when the main area offers none and its
    # entries belong to this column (a main list in a container classed 'left'); otherwise a
    # sidebar of old 热点 items would hide an empty, undated or placeholder column.
    main_dated = [b for b in dated if b.region != SIDE]
    side_dated = [b for b in dated if b.region == SIDE and belongs_to_page(b, page_url)]
    result = ListResult(dated_blocks=dated)
    best = main_dated[0] if main_dated else None
    if table and (best is None or sum(1 for e in table if e.date) >= best.dated):
        result.entries, result.source = table, "table"
    elif best is not None:
        result.entries, result.source = list(best.entries), "dated"
    else:
        undated = _dateless_block(blocks, page_url)
        if undated is not None:
            result.entries, result.source = list(undated.entries), "undated"
        elif side_dated:
            result.entries, result.source = list(side_dated[0].entries), "dated"
        else:
            small = _small_block(root, base_url, ref, page_url)
            if small is not None:
                result.entries = list(small.entries)
                result.source = "dated" if small.dated else "undated"
    return result


def _small_block(root, base_url: str, ref: date | None, page_url: str) -> Block | None:
    """A list of one or two entries (a 指南 column often holds a single document).

    Accepted only in the main area and only when every link is this column's own article
    (under its directory, naming its id, or shaped like a CMS detail URL), so stray links in an
    article body or a breadcrumb are not taken for a list.
    """
    best = None
    # On a page whose template was removed, what is left is content: a lone detail link there is
    # the list, wherever its URL points (numeric or query ids, another directory).
    templated = bool(root.getroottree().getroot().get(TEMPLATE_ATTR))
    for block in _candidate_blocks(root, base_url, ref, min_entries=1):
        if block.region != MAIN or len(block.entries) > 2:
            continue
        each = all(
            belongs_to_page(Block(key=(), entries=[e]), page_url) or is_article_url(e.url)
            for e in block.entries
        )
        own = each and (templated or belongs_to_page(block, page_url))
        if not own:
            continue
        if best is None or (block.dated, len(block.entries)) > (best.dated, len(best.entries)):
            best = block
    return best


def extract_list(
    doc, base_url: str, comments: list[str], ref: date | None = None, page_url: str | None = None
) -> ListResult:
    """Main list of the page; falls back to lists hidden in HTML comments."""
    result = _search(doc, base_url, ref, page_url)
    best_dated = sum(1 for e in result.entries if e.date)
    for comment in comments:
        if "href" not in comment or "<a" not in comment.lower():
            continue
        try:
            fragment = lxml.html.fragment_fromstring(comment, create_parent="div")
        except (etree.ParserError, ValueError):
            continue
        for el in list(fragment.iter("script", "style")):
            el.getparent().remove(el)
        hidden = _search(fragment, base_url, ref, page_url)
        hidden_dated = sum(1 for e in hidden.entries if e.date)
        if hidden.entries and hidden.source != "undated" and hidden_dated > best_dated:
            result = ListResult(entries=hidden.entries, dated_blocks=result.dated_blocks, source="comment")
            result.notes.append(
                f"list of {len(hidden.entries)} entries found inside an HTML comment (rendered by script)"
            )
            best_dated = hidden_dated
    return result


def find_placeholder(doc) -> str | None:
    """Text such as 暂无信息 / 正在建设中 shown in the content area instead of a list."""
    body = doc.find("body")
    if body is None:
        return None
    best: str | None = None
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        text = el_text(el)
        if not text or len(text) > 40:
            continue
        compact = strip_all_space(text)
        for phrase in PLACEHOLDERS:
            # The innermost element saying it: its parent's text also holds the breadcrumb/title.
            if (
                phrase in compact
                and region_of(el) not in (CHROME, NAV)
                and (best is None or len(text) < len(best))
            ):
                best = text
    return best
