"""Shared HTML helpers: parsing malformed portal markup, text normalisation, page regions.

Portal markup is often broken (upper-case tags, `</p></a>`, unquoted attributes), so everything
goes through lxml.html. Scripts, styles and templates are removed before text work; HTML comments
are collected first (a list hidden in a comment is still evidence) and then removed so commented-out
metadata rows never count. Region classification tells site chrome (header, top nav, footer,
breadcrumb) from side menus and the main content, from tags, ids, classes and ARIA roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

import lxml.html
from lxml import etree

_WS = re.compile(r"[\s\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]+")
_SPLIT_TOKENS = re.compile(r"[\s_\-]+")

# Whole-page chrome: never the main list, never a unit's own column tree.
_CHROME_SUBSTR = (
    "header",
    "footer",
    "breadcrumb",
    "crumb",
    "copyright",
    "topbar",
    "topnav",
    "weizhi",
    "dqwz",
)
_CHROME_PARTS = {"top", "head", "foot", "bottom", "location", "position", "banner", "toolbar", "tophead"}
# Navigation bars: chrome unless qualified as a side menu.
_NAV_SUBSTR = ("navbar", "navigation", "menu")
_NAV_PARTS = {"nav", "navs", "mainnav", "dh", "daohang"}
# Side areas: lower priority, still part of the unit's own page.
_SIDE_SUBSTR = ("sidebar", "sidemenu", "leftnav", "leftmenu", "submenu", "subnav", "aside")
_SIDE_PARTS = {"side", "left", "sub", "tree", "zuo", "leftbox", "sidebox"}

CHROME, NAV, SIDE, MAIN = "chrome", "nav", "side", "main"


def norm_space(text: str | None) -> str:
    """Collapse every kind of whitespace (&nbsp;, &ensp;, U+3000 ...) to single spaces."""
    return _WS.sub(" ", text or "").strip()


def strip_all_space(text: str | None) -> str:
    return _WS.sub("", text or "")


@dataclass
class Parsed:
    """A cleaned document plus what was removed from it on the way."""

    doc: lxml.html.HtmlElement
    base_url: str
    comments: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # inline script bodies (templates included)
    script_srcs: list[str] = field(default_factory=list)


def parse_html(text: str, url: str) -> Parsed:
    """Parse and clean `text`; the base URL honours <base href>."""
    if not text.strip():
        text = "<html><body></body></html>"
    # lxml refuses str input carrying an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^<>]{0,500}\?>", "", text)
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        doc = lxml.html.document_fromstring("<html><body></body></html>")
    base_url = url
    for base in doc.iter("base"):
        href = base.get("href")
        if href:
            base_url = urljoin(url, href.strip())
            break
    parsed = Parsed(doc=doc, base_url=base_url)
    for comment in list(doc.iter(etree.Comment)):
        parsed.comments.append(comment.text or "")
        _drop(comment)
    for el in list(doc.iter("script", "style", "noscript", "template", "textarea")):
        if el.tag == "script":
            parsed.scripts.append(el.text or "")
            if el.get("src"):
                parsed.script_srcs.append(el.get("src"))
        _drop(el)
    return parsed


def _drop(el) -> None:
    """Remove an element or comment but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def el_text(el) -> str:
    try:
        return norm_space(el.text_content())
    except ValueError:
        return ""


def _tokens(el) -> list[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return [t for t in raw.split() if t]


def classify_element(el) -> str | None:
    """Region of one element by its own tag/id/class/role, or None when it says nothing."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("header", "footer"):
        return CHROME
    if tag == "nav" or (el.get("role") or "").lower() == "navigation":
        return NAV
    if tag == "aside":
        return SIDE
    tokens = _tokens(el)
    if not tokens:
        return None
    parts: set[str] = set()
    for token in tokens:
        parts.update(p for p in _SPLIT_TOKENS.split(token) if p)
    joined = " ".join(tokens)
    side = any(s in joined for s in _SIDE_SUBSTR) or bool(parts & _SIDE_PARTS)
    nav = any(s in joined for s in _NAV_SUBSTR) or bool(parts & _NAV_PARTS)
    chrome = any(s in joined for s in _CHROME_SUBSTR) or bool(parts & _CHROME_PARTS)
    if chrome:
        return CHROME
    if side:
        return SIDE
    if nav:
        return NAV
    return None


def region_of(el) -> str:
    """Region of an element from its ancestors: any chrome ancestor wins; else the nearest nav/side.

    On a page whose template blocks were removed (extract/template.py) what is left is content:
    class names are no longer consulted."""
    if el.getroottree().getroot().get("data-zwgk-template"):
        return MAIN
    nearest = None
    node = el
    while node is not None:
        if isinstance(node.tag, str) and node.tag not in ("html", "body"):
            kind = classify_element(node)
            if kind == CHROME:
                return CHROME
            if kind is not None and nearest is None:
                nearest = kind
        node = node.getparent()
    return nearest or MAIN


MAX_HREF = 4096


def abs_url(base_url: str, href: str | None) -> str | None:
    """Absolute http(s) URL for an href, or None for javascript:, mailto:, '#' and the like."""
    if not href or len(href) > MAX_HREF:
        return None  # no real link is this long; a hostile one would cost every later step
    return _abs_url(base_url, href)


@lru_cache(maxsize=65536)
def _abs_url(base_url: str, href: str) -> str | None:
    href = href.strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return None
    lowered = href.lower()
    if lowered.startswith(("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:")):
        return None
    url = urljoin(base_url, href)
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url.split("#", 1)[0] if "#" in url else url
