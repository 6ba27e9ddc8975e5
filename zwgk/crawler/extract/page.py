"""extract_page: classify one fetched page and extract everything an inspector needs.

Order matters: data bodies (JSON / dataproxy XML) first, then anti-bot challenges (never an empty
column), then HTML structure — article, list (including lists hidden in comments and inline
script data), JS shell, navigation page. Every decision leaves a note for `zwgk inspect`.
"""

from __future__ import annotations

import re
from datetime import date

from zwgk.encoding import decode_body

from .budget import cap, cap_note
from .data import (
    entries_from_data_document,
    entries_from_records,
    entries_from_scripts,
    find_endpoints,
    parse_json,
)
from .dom import CHROME, NAV, norm_space, parse_html, region_of
from .kind import detect_challenge, js_signals, scripted_fill_targets
from .lists import extract_list, find_placeholder, is_widget_page
from .metadata import (
    extract_body_text,
    extract_links,
    extract_metadata,
    extract_publish_date,
    extract_title,
    meta_tags,
)
from .model import PageExtract, PageKind
from .pagination import find_pagination
from .template import Template, strip_template

MAX_BODY_TEXT = 50_000
_ARTICLE_MAX_ENTRIES = 8
# An article's byline (发布日期：… 来源：…) outside the header/nav/footer, and a long text block.
_BYLINE = re.compile(r"(?:发布日期|发布时间|发文日期|成文日期|信息来源|来源)[\s\u00a0\u3000]*[：:]")
LONG_BLOCK = 150  # characters of paragraph text in one container


def _longest_block(doc) -> str:
    """Text of the container whose direct <p>/text children hold the most text (outside chrome/nav):
    the body of an article in a container the selectors do not know (`div.content` …)."""
    best = ""
    body = doc.find("body")
    if body is None:
        return best
    for el in body.iter("div", "td", "article", "section", "span", "font"):
        if region_of(el) in (CHROME, NAV):
            continue
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str) and child.tag in ("p", "br", "span", "font", "strong", "b"):
                parts.append(child.xpath("string()") or "")
            parts.append(child.tail or "")
        text = norm_space(" ".join(parts))
        if len(text) > len(best):
            best = text
    return best


def _data_page(
    text: str, url: str, encoding: str, content_type: str | None, ref: date | None
) -> PageExtract | None:
    looks_json = (content_type or "").lower().find("json") >= 0 or text.lstrip("\ufeff \r\n\t")[:1] in "[{"
    if looks_json:
        doc = parse_json(text)
        if doc is not None:
            entries = entries_from_records(doc, url, ref)
            page = PageExtract(url=url, kind=PageKind.DATA, encoding=encoding, entries=entries)
            page.notes.append(f"JSON data endpoint: {len(entries)} records read as entries")
            return page
    found = entries_from_data_document(text, url, ref)
    if found is not None:
        entries, _total, note = found
        page = PageExtract(url=url, kind=PageKind.DATA, encoding=encoding, entries=entries)
        page.notes.append(note)
        return page
    return None


def _main_text(doc) -> str:
    """Visible text outside header/nav/footer, for pages without a known body container."""
    body = doc.find("body")
    if body is None:
        return ""
    parts = []
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text and el.text.strip() and region_of(el) not in (CHROME, NAV):
            parts.append(el.text)
        if (
            el.tail
            and el.tail.strip()
            and el.getparent() is not None
            and region_of(el.getparent()) not in (CHROME, NAV)
        ):
            parts.append(el.tail)
    return norm_space(" ".join(parts))


def extract_page(
    body: bytes,
    url: str,
    content_type: str | None = None,
    status: int = 200,
    ref: date | None = None,
    template: Template | None = None,
) -> PageExtract:
    """Classify and extract one page. `ref` is the as-of date for yearless list dates.

    `template` (extract/template.py): blocks shared with the page's reference pages are removed
    before the list is looked for, so a sidebar or a column tree is never read as the list. Only the
    first MAX_EXTRACT_BYTES are parsed (extract/budget.py), with a note when the page was longer."""
    body, cut = cap(body)
    page = _extract_page(body, url, content_type, status, ref, template)
    if cut:
        page.notes.append(cap_note())
    return page


def _extract_page(
    body: bytes, url: str, content_type: str | None, status: int, ref: date | None, template: Template | None
) -> PageExtract:
    text, encoding = decode_body(body, url, content_type)
    data = _data_page(text, url, encoding, content_type, ref)
    if data is not None:
        return data

    parsed = parse_html(text, url)
    doc, base = parsed.doc, parsed.base_url
    page = PageExtract(url=url, kind=PageKind.OTHER, encoding=encoding)
    # Strong challenge signals first (瑞数, 加速乐, a WAF phrase with an error status or in the
    # title); a short page that merely mentions a WAF phrase only once nothing was extracted.
    challenge, why = detect_challenge(text, doc, status, extracted=True)
    if challenge:
        page.kind, page.challenge = PageKind.CHALLENGE, challenge
        page.notes.append(why or challenge)
        return page

    tags = meta_tags(doc)
    page.title = extract_title(doc, tags)
    page.links = extract_links(doc, base)
    if template:
        removed = strip_template(doc, base, template)
        if removed:
            page.notes.append(f"template: {len(removed)} blocks shared with the reference pages removed")
    listing = extract_list(doc, base, parsed.comments, ref, page_url=url)
    page.notes.extend(listing.notes)
    pager = find_pagination(text, doc, base, url)
    body_text = extract_body_text(doc, text)
    metadata = extract_metadata(doc)
    signals = js_signals(text)

    has_article_meta = any(k.lower() in ("articletitle", "pubdate") for k in tags)
    has_body = len(body_text) >= 50
    has_index = sum(ch.isdigit() for ch in metadata.get("索引号", "")) >= 3
    long_block = "" if has_body else _longest_block(doc)
    has_byline = bool(long_block) and len(long_block) >= LONG_BLOCK and bool(_BYLINE.search(_main_text(doc)))
    # A 发布日期：-labelled list (each row "发布日期：2024-01-22 标题") reads like a byline over a long
    # block; the byline alone never outweighs a dated list of three or more entries.
    if has_byline and listing.source in ("dated", "table") and sum(1 for e in listing.entries if e.date) >= 3:
        has_byline = False
    article_like = has_article_meta or has_body or has_index or has_byline
    widget = is_widget_page(listing.dated_blocks)
    if not (article_like or listing.entries or listing.dated_blocks):
        challenge, why = detect_challenge(text, doc, status, extracted=False)
        if challenge:
            page.kind, page.challenge = PageKind.CHALLENGE, challenge
            page.links, page.title, page.notes = [], None, [why or challenge]
            return page

    if article_like and (len(listing.entries) < _ARTICLE_MAX_ENTRIES or listing.source is None or widget):
        page.kind = PageKind.ARTICLE
        page.metadata = metadata
        page.body_text = (body_text or long_block or _main_text(doc))[:MAX_BODY_TEXT]
        page.publish_date = extract_publish_date(doc, tags, metadata, page.body_text)
        page.page_count = pager.page_count
        page.next_pages = pager.next_pages
        page.notes.append(
            "article: "
            + ", ".join(
                n
                for n, ok in (
                    ("ArticleTitle/PubDate meta", has_article_meta),
                    ("body container", has_body),
                    ("索引号 metadata", has_index),
                    ("发布日期/来源 line and a long text block", has_byline),
                )
                if ok
            )
        )
        return page

    page.body_text = (body_text or _main_text(doc))[:MAX_BODY_TEXT]
    if widget:
        page.kind = PageKind.NAV
        seen = set()
        for block in listing.dated_blocks:
            for entry in block.entries:
                if entry.url not in seen:
                    seen.add(entry.url)
                    page.entries.append(entry)
        page.notes.append(
            f"navigation/home page: {len(listing.dated_blocks)} dated widget blocks, none dominant; "
            f"entries are the union of their {len(page.entries)} dated links"
        )
        return page

    if listing.entries:
        page.kind = PageKind.LIST
        page.entries = listing.entries
        page.next_pages, page.page_count = pager.next_pages, pager.page_count
        page.notes.append(f"list ({listing.source}): {len(listing.entries)} entries")
        page.notes.extend(pager.notes)
        return page

    placeholder = find_placeholder(doc)
    if placeholder:
        page.kind = PageKind.LIST
        page.placeholder = placeholder
        page.notes.append(f"list area shows a placeholder instead of entries: {placeholder}")
        return page

    if signals:
        inline = entries_from_scripts(parsed.scripts, base, ref)
        if inline:
            # Still a script shell (the HTML list is empty), but its entries are readable from the
            # inline data without running anything: the column can be judged on them.
            page.kind = PageKind.JS_SHELL
            page.entries = inline
            page.page_count = pager.page_count
            page.next_pages = pager.next_pages
            page.notes.append(
                f"list rendered by script ({', '.join(signals)}); {len(inline)} entries read from inline script data"
            )
            return page
        page.kind = PageKind.JS_SHELL
        page.data_endpoints = find_endpoints(url, text, parsed.scripts)
        page.next_pages, page.page_count = pager.next_pages, pager.page_count
        page.notes.append(
            f"no list in the HTML; entries are rendered by script ({', '.join(signals)})"
            + (
                f"; data endpoints: {len(page.data_endpoints)}"
                if page.data_endpoints
                else "; no endpoint could be built"
            )
        )
        return page

    filled = scripted_fill_targets(doc, parsed.scripts) if len(page.links) < 15 else []
    if filled:
        page.kind = PageKind.JS_SHELL
        page.next_pages, page.page_count = pager.next_pages, pager.page_count
        page.notes.append(
            f"no list in the HTML; an inline script fills {', '.join(filled)} (empty as served)"
        )
        return page

    if len(page.links) >= 15:
        page.kind = PageKind.NAV
        page.notes.append(f"navigation page: {len(page.links)} links and no dated list")
        return page
    page.notes.append("no list, article or navigation structure recognised")
    return page


def extract_article(
    body: bytes,
    url: str,
    content_type: str | None = None,
    status: int = 200,
    ref: date | None = None,
    template: Template | None = None,
) -> PageExtract:
    """Extract a page fetched *as an article* (an entry of a column list).

    With a `template` (the column's: blocks of the unit's entry page, links to its own pages) the
    page's chrome — a dated 热点 sidebar above all — is removed first, so neither the publish date
    nor the text checks read it. The caller knows it is an article, so metadata, publish date and body text are extracted
    whatever `extract_page` classified it as (an unknown body container, a page with a long
    related-articles list …): a missing field is then really missing, never an artefact of
    classification. Anti-bot challenges and data bodies are returned as classified.
    """
    page = extract_page(body, url, content_type=content_type, status=status, ref=ref, template=template)
    if page.kind in (PageKind.ARTICLE, PageKind.CHALLENGE, PageKind.DATA):
        return page
    text, _ = decode_body(cap(body)[0], url, content_type)
    parsed = parse_html(text, url)
    doc = parsed.doc
    if template:
        strip_template(doc, parsed.base_url, template)
    tags = meta_tags(doc)
    metadata = extract_metadata(doc)
    body_text = extract_body_text(doc, text) or _longest_block(doc) or _main_text(doc)
    page.metadata = metadata
    page.body_text = body_text[:MAX_BODY_TEXT]
    page.publish_date = extract_publish_date(doc, tags, metadata, page.body_text)
    page.notes.append(
        f"read as an article (classified {page.kind.value}): metadata and publish date extracted"
    )
    if page.kind in (PageKind.OTHER, PageKind.NAV):
        page.kind = PageKind.ARTICLE
    return page
