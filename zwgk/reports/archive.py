"""A stored page made readable offline and inert, with what a rule saw marked.

The page is crawled, hence untrusted, and the evidence page is opened from file:// beside the
reports. Everything that runs or loads is removed, not merely blocked: scripts, styles (which can
load and hide), frames, objects, forms' targets, event handlers, images and any other resource
address; links keep their address as text and open only on a click (never automatically). The
reports' Content-Security-Policy (default-src 'none') stands behind this.

`mark` wraps each occurrence of the texts a rule saw (the newest entry's title, the typo, the
anchor of a broken link …) in <mark class="hit">, across the text of elements as rendered.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from zwgk.inert import plain

# Removed with their content: what runs, loads or renders out of band.
DROP = (
    "script", "noscript", "style", "iframe", "frame", "frameset", "object", "applet", "audio",
    "video", "canvas", "svg", "math", "template", "portal", "head", "title", "select", "textarea",
)  # fmt: skip
# Removed, their content kept: void elements an HTML4 parser may wrap the rest of the page into.
UNWRAP = ("link", "meta", "base", "embed", "param", "source", "track", "img", "picture", "input", "button")
KEEP_ATTRS = {"colspan", "rowspan", "headers", "scope", "abbr", "lang", "dir"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_CHARS = 400_000  # a page beyond this is cut (the evidence banner says so)
HIT_CLASS = "hit"


def clean_archive(html: str) -> tuple[etree._Element, bool]:
    """(the page's body as an inert element tree, whether it was cut)."""
    cut = len(html) > MAX_CHARS
    # lxml refuses a str with an XML declaration (XHTML pages) and NUL/control characters
    text = _XML_DECL.sub("", _CONTROLS.sub("", html[:MAX_CHARS]), count=1)
    try:
        root = lxml.html.document_fromstring(text if text.strip() else "<p></p>")
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<p></p>")
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for el in list(root.iter(*DROP)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter(*UNWRAP)):
        if el.getparent() is None:
            continue
        if el.tag == "img" and el.get("alt"):
            alt = lxml.html.Element("span")
            alt.text = f"[图片：{plain(el.get('alt'))[:60]}]"
            el.addprevious(alt)
        el.drop_tag()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        href = el.get("href") if el.tag == "a" else None
        for attr in list(el.attrib):
            if attr not in KEEP_ATTRS:
                del el.attrib[attr]
        if href is not None:
            href = href.strip()
            if re.match(r"(?i)^https?://", href) and not re.search(r"[\s\x00-\x1f]", href):
                el.set("href", href)
                el.set("rel", "noopener noreferrer nofollow")
                el.set("target", "_blank")
            el.set("data-href", href[:500])
        if el.tag == "form":
            el.tag = "div"
    body = root.find("body")
    if body is None:
        body = lxml.html.Element("body")
    body.tag = "div"
    body.set("class", "archive-body")
    return body, cut


def _text_nodes(root: etree._Element):
    """(element, 'text'|'tail') for every text node under root, in document order."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text:
            yield el, "text"
        for child in el:
            if child.tail:
                yield child, "tail"


def _all_text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def mark(root: etree._Element, needles: list[str]) -> list[str]:
    """Wrap the first occurrences of each needle (whitespace ignored) in <mark class="hit">; return
    the texts marked. A needle found only across elements is marked in the element holding it."""
    marked: list[str] = []
    for needle in dict.fromkeys(n for n in needles if n and _compact(n)):
        want = _compact(needle)
        if want not in _compact(_all_text(root)) and len(want) > 12:
            want = want[:12]  # a list shows long titles cut (「关于印发…」): their beginning
        done = False
        for el, where in list(_text_nodes(root)):
            text = getattr(el, where)
            if text is None or want not in _compact(text):
                continue
            # map the compact match back to positions in the text
            idx, pos, start, end = 0, 0, None, None
            target = _compact(text).index(want)
            for pos, ch in enumerate(text):
                if ch.isspace():
                    continue
                if idx == target:
                    start = pos
                if idx == target + len(want) - 1:
                    end = pos + 1
                    break
                idx += 1
            if start is None or end is None:
                continue
            hit = lxml.html.Element("mark")
            hit.set("class", HIT_CLASS)
            hit.text = text[start:end]
            hit.tail = text[end:]
            setattr(el, where, text[:start])
            if where == "text":
                el.insert(0, hit)
            else:
                el.addnext(hit)
            if not marked:
                hit.set("id", "hit-1")
            marked.append(hit.text)
            done = True
            break
        if not done:
            # across elements: mark the smallest element whose text holds the needle
            holders = [
                el for el in root.iter() if isinstance(el.tag, str) and want in _compact(_all_text(el))
            ]
            best = min(
                holders,
                key=lambda el: (len(_all_text(el)), -sum(1 for _ in el.iterancestors())),
                default=None,
            )
            if best is not None and best is not root:
                best.set("class", HIT_CLASS)
                if not marked:
                    best.set("id", "hit-1")
                marked.append(plain(_all_text(best))[:200])
    return marked


def serialize(body: etree._Element) -> str:
    return lxml.html.tostring(body, encoding="unicode", method="html")
