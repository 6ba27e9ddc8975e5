"""Template-aware extraction: what the pages of one portal share is chrome, what differs is content.

Portals are built from templates. The header, the top navigation, the footer, a 热点 sidebar and a
unit's own column tree repeat on the pages of a portal whatever their class names are, and the
content slot is what changes from page to page. Class-name heuristics (dom.region_of) guess chrome
from words like `nav` or `left`; real CMSs put main lists in `div.left-menu` and column trees in
`div.list`, so a comparison of pages is the better judge and the class names only break ties.

A *block* is an element holding two or more links; its *signature* is a short hash of its links in
order (absolute URL and text). A block whose signature also occurs on a reference page (the home
page for a unit's entry page; the unit's entry page for its column pages) is template. So is a block
whose every link leads to the unit's own pages (entry page, column pages, home): a column tree or a
breadcrumb, even where the entry page draws the tree differently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from .dom import abs_url, el_text

# Set on the document root once template blocks were removed: dom.region_of then treats what is
# left as content and no longer judges by class names.
TEMPLATE_ATTR = "data-zwgk-template"
MIN_LINKS = 2


def _clean(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


@dataclass(frozen=True)
class Template:
    """What a page's reference pages share with it (see the module docstring)."""

    shared: frozenset[str] = frozenset()  # block signatures seen on the reference pages
    own_urls: frozenset[str] = frozenset()  # the unit's entry, column and home URLs (cleaned)

    @classmethod
    def of(cls, shared: Iterable[str] = (), own_urls: Iterable[str] = ()) -> Template:
        return cls(frozenset(shared), frozenset(_clean(u) for u in own_urls if u))

    def __bool__(self) -> bool:
        return bool(self.shared or self.own_urls)


@dataclass
class Blocks:
    """Every block of a page: element -> (signature, its link URLs)."""

    by_element: dict = field(default_factory=dict)

    @property
    def signatures(self) -> set[str]:
        return {sig for sig, _ in self.by_element.values()}


def page_blocks(doc, base_url: str) -> Blocks:
    """The blocks of a parsed page (elements with two or more links), with their signatures."""
    keys: list[str] = []
    urls: list[str] = []
    spans: dict = {}
    for a in doc.iter("a"):
        url = abs_url(base_url, a.get("href"))
        if not url:
            continue
        index = len(keys)
        urls.append(_clean(url))
        keys.append(f"{_clean(url)}\x1f{el_text(a)[:60]}")
        node = a.getparent()
        while node is not None:
            span = spans.get(node)
            if span is None:
                spans[node] = [index, index]
            else:
                span[1] = index
            node = node.getparent()
    blocks = Blocks()
    for el, (first, last) in spans.items():
        if last - first + 1 < MIN_LINKS or el.tag in ("html", "body"):
            continue
        digest = hashlib.blake2b(
            "\x1e".join(keys[first : last + 1]).encode("utf-8", "replace"), digest_size=8
        )
        blocks.by_element[el] = (digest.hexdigest(), urls[first : last + 1])
    return blocks


def signatures(doc, base_url: str) -> list[str]:
    """Sorted block signatures of a page: what a reference page contributes to a template."""
    return sorted(page_blocks(doc, base_url).signatures)


def strip_template(doc, base_url: str, template: Template) -> list[str]:
    """Remove the template blocks from `doc` (outermost first); returns a note per removed block.

    When anything was removed the document is marked (TEMPLATE_ATTR) so that region guessing by
    class names stops: what is left is the page's own content.
    """
    if not template:
        return []
    blocks = page_blocks(doc, base_url)
    removed: list[str] = []
    body = doc.find("body")
    if body is None:
        return removed
    stack = list(reversed(list(body)))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        info = blocks.by_element.get(el)
        if info is not None:
            sig, urls = info
            why = None
            if sig in template.shared and _link_dense(el, 200, 3.0):
                why = "与参照页面相同"
            elif template.own_urls and all(u in template.own_urls for u in urls) and _link_dense(el, 40, 0.5):
                why = "只链接本单位栏目"
            if why:
                removed.append(
                    f"{el.tag}.{(el.get('class') or '').strip() or '-'}（{len(urls)} 个链接，{why}）"
                )
                _remove(el)
                continue
        stack.extend(reversed(list(el)))
    if removed:
        doc.set(TEMPLATE_ATTR, str(len(removed)))
    return removed


def _link_dense(el, floor: int, ratio: float) -> bool:
    """Is the element mostly links (a menu, a breadcrumb, a sidebar), not a content area that merely
    holds a few of them? Its text outside links is at most max(floor, ratio × link text)."""
    total = len(el_text(el))
    linked = sum(len(el_text(a)) for a in el.iter("a"))
    return total - linked <= max(floor, ratio * linked)


def _remove(el) -> None:
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
