"""The 信息公开 metadata block, title, publish date and body text of a detail page (docs/portal-patterns.md
§2, §6).

Metadata comes in many layouts (th/td pairs, `li` label + <font> value, <p><strong>label</strong>：
value, gov.cn table.bd1, Hanweb table.xxgk_table, `label：value` runs). Rather than one parser per
template we read label/value pairs from table rows and from short text runs, and only keep labels
from a known vocabulary, so body tables (序号/产品名称 ...) and footers (地址：…) never leak in.
Labels are normalised (索&ensp;引&ensp;号 -> 索引号) and canonical keys are filled from synonyms
(发布机构 <- 发文机关 ...), while the page's own label stays as a key too.
"""

from __future__ import annotations

import re
from datetime import date

from .dates import parse_date
from .dom import abs_url, el_text, norm_space, strip_all_space
from .platforms import body_selectors, comment_body_patterns

KNOWN_LABELS = (
    "索引号",
    "统一编号",
    "信息索取号",
    "发布机构",
    "发文机关",
    "发文单位",
    "发布单位",
    "信息来源",
    "来源",
    "所属机构",
    "责任部门",
    "名称",
    "标题",
    "文件名称",
    "信息名称",
    "文号",
    "发文字号",
    "文件编号",
    "主题分类",
    "分类",
    "信息分类",
    "体裁分类",
    "组配分类",
    "主题词",
    "关键词",
    "有效性",
    "效力状态",
    "时效",
    "有效期",
    "成文日期",
    "发布日期",
    "公开日期",
    "生成日期",
    "发文日期",
    "印发日期",
    "施行日期",
    "实施日期",
    "生效日期",
    "废止日期",
    "发布时间",
    "公开方式",
    "公开范围",
    "公开时限",
    "公开形式",
    "内容概述",
    "摘要",
)
_KNOWN = set(KNOWN_LABELS)
SYNONYMS = {
    "发布机构": ("发布机构", "发文机关", "发文单位", "发布单位", "信息来源", "来源"),
    "发布日期": ("发布日期", "公开日期", "发文日期"),
    "文号": ("文号", "发文字号", "文件编号"),
    "有效性": ("有效性", "效力状态", "时效"),
}
_SEP = r"[\s\u00a0\u2002\u2003\u3000]*"
# A known label, possibly spaced out (索 引 号), followed by a colon.
_LABEL_RUN = re.compile(
    "("
    + "|".join(_SEP.join(map(re.escape, label)) for label in sorted(KNOWN_LABELS, key=len, reverse=True))
    + ")"
    + _SEP
    + "[：:]"
)
# Any other short CJK label with a colon ends the previous value (来源：… 时间：…).
_OTHER_LABEL = re.compile(r"(?<![\w])[\u4e00-\u9fff](?:" + _SEP + r"[\u4e00-\u9fff]){1,5}" + _SEP + "[：:]")
_VALUE_TRIM = re.compile(r"^[\s|｜:：,，;；]+|[\s|｜,，;；]+$")

_DATE_LINE = re.compile(r"(?:发布时间|发布日期|时间|日期)\s*[：:]\s*([^\n|]{6,30})")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|—{1,2}|-{1,2}|\s-\s)\s*")
ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".wps", ".ofd", ".et", ".7z")


def normalize_label(label: str) -> str:
    """索&ensp;引&ensp;号： -> 索引号."""
    return strip_all_space(label).strip("：:").strip()


def _clean_value(value: str) -> str:
    return _VALUE_TRIM.sub("", norm_space(value))


def _pairs_from_rows(doc) -> list[tuple[str, str]]:
    """th/td (or td/td) label-value pairs, any number per row."""
    pairs = []
    for row in doc.iter("tr"):
        cells = [c for c in row if c.tag in ("th", "td")]
        if len(cells) < 2 or len(cells) > 8:
            continue
        texts = [el_text(c) for c in cells]
        i = 0
        while i < len(cells) - 1:
            label = normalize_label(texts[i])
            value = texts[i + 1]
            if label in _KNOWN and normalize_label(value) not in _KNOWN:
                pairs.append((label, _clean_value(value)))
                i += 2
            else:
                i += 1
    return pairs


def _pairs_from_text(text: str) -> list[tuple[str, str]]:
    """`label：value` runs inside one short text (索引号: | 001/2024-1 | 公开方式: | …)."""
    pairs = []
    matches = list(_LABEL_RUN.finditer(text))
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        value = text[match.end() : end]
        other = _OTHER_LABEL.search(value)
        if other:
            value = value[: other.start()]
        pairs.append((normalize_label(match.group(1)), _clean_value(value)))
    return pairs


_LONG_OK = {"名称", "标题", "文件名称", "信息名称", "内容概述", "摘要", "主题词", "关键词"}


def _in_form(el) -> bool:
    """Search forms (索引号：[input]) are not metadata."""
    return any(anc.tag == "form" for anc in el.iterancestors()) or el.find(".//input") is not None


def _pairs_from_elements(doc) -> list[tuple[str, str]]:
    """Pairs from the smallest elements that carry each label (parents repeat their children)."""
    best: dict[str, tuple[int, int, str]] = {}  # label -> (text length, doc order, value)
    for order, el in enumerate(
        doc.iter("li", "p", "div", "span", "dd", "td", "font", "em", "h3", "h4", "b", "strong")
    ):
        text = el_text(el)
        if not text or len(text) > 400 or not _LABEL_RUN.search(text) or _in_form(el):
            continue
        for label, value in _pairs_from_text(text):
            if len(value) > 120 and label not in _LONG_OK:
                continue
            rank = (len(text) if value else 10_000, order, value)
            if label not in best or rank < best[label]:
                best[label] = rank
    pairs = [(label, rank[2]) for label, rank in sorted(best.items(), key=lambda kv: kv[1][1])]
    for dl in doc.iter("dl"):
        dts, dds = dl.findall("dt"), dl.findall("dd")
        for dt, dd in zip(dts, dds, strict=False):
            label = normalize_label(el_text(dt))
            if label in _KNOWN:
                pairs.append((label, _clean_value(el_text(dd))))
    return pairs


def extract_metadata(doc) -> dict[str, str]:
    """Normalised label -> value, first occurrence wins, canonical keys filled from synonyms."""
    meta: dict[str, str] = {}
    for label, value in _pairs_from_rows(doc) + _pairs_from_elements(doc):
        if label not in meta or (not meta[label] and value):
            meta[label] = value
    for canonical, synonyms in SYNONYMS.items():
        if meta.get(canonical):
            continue
        for synonym in synonyms:
            if meta.get(synonym):
                meta[canonical] = meta[synonym]
                break
    return meta


def meta_tags(doc) -> dict[str, str]:
    """<meta name=… content=…> (first of each name, case kept)."""
    tags: dict[str, str] = {}
    for meta in doc.iter("meta"):
        name = meta.get("name")
        content = meta.get("content")
        if name and content is not None and name not in tags:
            tags[name] = norm_space(content)
    return tags


def _meta(tags: dict[str, str], name: str) -> str | None:
    for key, value in tags.items():
        if key.lower() == name.lower() and value:
            return value
    return None


def extract_title(doc, tags: dict[str, str]) -> str | None:
    """meta ArticleTitle, else a non-logo <h1>, else <title> without the site suffix."""
    title = _meta(tags, "ArticleTitle")
    if title:
        return title
    site = _meta(tags, "SiteName") or ""
    for h1 in doc.iter("h1"):
        text = el_text(h1)
        if (
            text
            and text != site
            and len(text) >= 4
            and not (len(h1) == 1 and h1[0].tag == "a" and not h1[0].tail)
        ):
            return text
    head_title = doc.find(".//title")
    if head_title is not None:
        text = el_text(head_title)
        parts = [p for p in _TITLE_SPLIT.split(text) if p]
        if parts:
            return parts[0] if parts[0] != site or len(parts) == 1 else parts[-1]
    return None


def extract_publish_date(doc, tags: dict[str, str], metadata: dict[str, str], body_text: str) -> date | None:
    """The date the page shows: 发布/公开日期 metadata, then a 发布时间：/时间： line; the PubDate meta
    tag only when the page shows none (some CMSs put the time a page was regenerated there); the
    document's 成文/发文日期 last."""
    for label in ("发布日期", "公开日期", "发布时间"):
        if label == "发布日期" and metadata.get(label) == metadata.get("发文日期"):
            continue  # 发布日期 filled from the synonym 发文日期 (a document date), not a shown 发布日期
        found = parse_date(metadata.get(label, ""))
        if found:
            return found
    body = doc.find("body")
    text = el_text(body) if body is not None else body_text
    for match in _DATE_LINE.finditer(text):
        found = parse_date(match.group(1))
        if found:
            return found
    for candidate in (_meta(tags, "PubDate"), _meta(tags, "pubdate")):
        found = parse_date(candidate or "")
        if found:
            return found
    # The document's own dates (成文/发文) say when it was signed, not published: the last resort.
    for label in ("成文日期", "发文日期", "生成日期"):
        found = parse_date(metadata.get(label, ""))
        if found:
            return found
    return None


def extract_body_text(doc, raw: str) -> str:
    """Text of the article body container, else of the comment-delimited content, else ''
    (containers and comment markers are the platforms', platforms/)."""
    for xpath in body_selectors():
        for el in doc.xpath(xpath):
            text = el_text(el)
            if text:
                return text
    for begin, end in comment_body_patterns():
        # the first begin marker, then the first end marker after it: one pass over the page
        opened = begin.search(raw)
        closed = end.search(raw, opened.end()) if opened else None
        if opened and closed:
            return norm_space(re.sub(r"<[^<>]*>", " ", raw[opened.end() : closed.start()]))
    return ""


def is_attachment(url: str) -> bool:
    path = url.split("?", 1)[0].lower()
    return path.endswith(ATTACHMENT_EXT) or "downfile.jsp" in path or ("/download/" in path and "?" in url)


def extract_links(doc, base_url: str):
    """All <a href> as (absolute url, text, attachment), http(s) only, first text per URL kept."""
    from .model import Link

    seen: dict[str, Link] = {}
    for a in doc.iter("a"):
        url = abs_url(base_url, a.get("href"))
        if not url or url in seen:
            continue
        text = el_text(a) or norm_space(a.get("title"))
        seen[url] = Link(url=url, text=text, attachment=is_attachment(url))
    return list(seen.values())
