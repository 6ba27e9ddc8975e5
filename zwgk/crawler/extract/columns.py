"""Find a unit's catalogue columns on its 信息公开 entry page (design: column discovery).

The entry page usually carries the portal's header navigation (首页/政务公开/政策文件 pointing at
portal-level pages) next to the unit's own column tree. Links in header, top-nav, footer and
breadcrumb regions are ignored; side menus rank below the main area. Anchor text is normalised
(spaces, punctuation, counts like (12), bullets) and matched against the catalogue: exact name,
then exact alias, then text containing the name or an alias. Among equals the URL under the entry
page's path wins, then the first in page order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from zwgk.encoding import decode_body

from .dom import CHROME, MAIN, NAV, SIDE, abs_url, el_text, norm_space, parse_html, region_of
from .model import Link
from .template import Template, strip_template

_COUNTS = re.compile(r"[(（\[［【〔]\s*\d+\s*[)）\]］】〕]")
_PUNCT = re.compile(
    r"[\s\u00a0\u2002\u3000·•●○■□◆◇▪►▶>»<«\-–—_:：,，.。、;；!！?？'\"“”‘’()（）\[\]【】［］《》〈〉|｜/\\*#+0-9]"
)
_TIER = {MAIN: 0, SIDE: 1, NAV: 2}


def normalize_name(text: str) -> str:
    """Anchor text or catalogue name reduced to its characters (counts, punctuation, bullets gone)."""
    return _PUNCT.sub("", _COUNTS.sub("", norm_space(text)))


def _match_score(text: str, names: list[str]) -> int:
    """4 exact name, 3 exact alias, 2 contains name, 1 contains alias (len>=4), 0 none."""
    if not text or not names:
        return 0
    normalized = [normalize_name(n) for n in names]
    if text == normalized[0]:
        return 4
    if text in normalized[1:]:
        return 3
    if normalized[0] and normalized[0] in text and len(text) <= len(normalized[0]) + 12:
        return 2
    for alias in normalized[1:]:
        if len(alias) >= 4 and alias in text and len(text) <= len(alias) + 12:
            return 1
    return 0


def _under(url: str, entry_url: str) -> bool:
    entry = urlsplit(entry_url)
    target = urlsplit(url)
    base_path = entry.path if entry.path.endswith("/") else entry.path.rsplit("/", 1)[0] + "/"
    return target.netloc == entry.netloc and (target.path or "/").startswith(base_path)


def discover_columns(
    page_html: str | bytes, url: str, columns: dict[str, list[str]], template: Template | None = None
) -> dict[str, Link]:
    """catalog_id -> the column's link on this entry page, for the columns that were found.

    With a `template` (the portal home's block signatures) the blocks this page shares with the home
    page — header, navigation, footer, sidebars, whatever their class names — are removed first, and
    the unit's column tree is what remains; without one, regions are guessed from class names."""
    return {cid: link for cid, (link, _) in discover_column_map(page_html, url, columns, template).items()}


# How sure a match is, by its kind (_match_score): exact name, exact alias, contains name / alias.
CONFIDENCE = {4: 1.0, 3: 0.9, 2: 0.7, 1: 0.5}
MATCH_HOW = {4: "栏目名称完全一致", 3: "与栏目别名一致", 2: "链接文字包含栏目名称", 1: "链接文字包含栏目别名"}


def discover_column_map(
    page_html: str | bytes, url: str, columns: dict[str, list[str]], template: Template | None = None
) -> dict[str, tuple[Link, int]]:
    """Like discover_columns, with the match score of each link (keys of CONFIDENCE / MATCH_HOW)."""
    if isinstance(page_html, bytes):
        page_html, _ = decode_body(page_html, url)
    parsed = parse_html(page_html, url)
    if template:
        strip_template(parsed.doc, parsed.base_url, template)
    return _best_links(_candidates(parsed, url), url, columns)


def _candidates(parsed, url: str) -> list[tuple]:
    candidates = []
    for order, a in enumerate(parsed.doc.iter("a")):
        target = abs_url(parsed.base_url, a.get("href"))
        if not target:
            continue
        region = region_of(a)
        # Header/footer/breadcrumb never count; a nav bar only for links into the unit's own
        # subtree (a left column tree styled as "nav"), never for portal-level pages.
        if region == CHROME or (region == NAV and not _under(target, url)):
            continue
        raw_text = el_text(a) or norm_space(a.get("title"))
        candidates.append(
            (
                order,
                target,
                raw_text,
                normalize_name(raw_text),
                normalize_name(a.get("title") or ""),
                _TIER[region],
            )
        )
    return candidates


def _best_links(
    candidates: list[tuple], url: str, columns: dict[str, list[str]]
) -> dict[str, tuple[Link, int]]:
    found: dict[str, tuple[Link, int]] = {}
    for catalog_id, names in columns.items():
        best, best_key = None, None
        for order, target, raw_text, text, title, tier in candidates:
            score = max(_match_score(text, names), _match_score(title, names))
            if score == 0:
                continue
            key = (-tier, score, _under(target, url), -order)
            if best_key is None or key > best_key:
                best, best_key = Link(url=target, text=raw_text), key
        if best is not None and best_key is not None:
            found[catalog_id] = (best, best_key[1])
    return found


def tree_unrecognized(required: list[str], found: set[str], min_share: float) -> str | None:
    """Why a readable entry page's column tree counts as not recognised (abstain), or None.

    A unit whose page yields fewer than `min_share` of its required columns is far more likely a
    layout the crawler cannot read than a unit without most of its columns: a crawl problem for the
    operator, never a row of 栏目缺失 against the department."""
    if not required:
        return None
    hits = sum(1 for c in required if c in found)
    if hits < min_share * len(required):
        return f"信息公开页面已读取，但只识别出 {hits}/{len(required)} 个应设栏目，栏目目录结构未能识别（不据此认定栏目缺失）"
    return None


def find_channel(
    page_html: str | bytes, url: str, names: list[str], exclude: list[str], hubs: Sequence[str] = ()
) -> tuple[Link | None, list[Link]]:
    """(the best link to a portal-wide channel such as 政务咨询, the hub links to look behind).

    Unlike a unit's column tree, a portal's 互动交流 channels live in its navigation, header and
    foot (领导信箱 at the foot of every page is common), so every region counts here. A link whose
    text holds an `exclude` word (网上信访, 纪检举报 …) is never the channel; `hubs` are the link
    texts of pages that gather the channels (互动交流) when none is linked directly."""
    if isinstance(page_html, bytes):
        page_html, _ = decode_body(page_html, url)
    parsed = parse_html(page_html, url)
    banned = [normalize_name(w) for w in exclude if normalize_name(w)]
    hub_names = [normalize_name(h) for h in hubs]
    best: Link | None = None
    best_key: tuple | None = None
    found_hubs: list[Link] = []
    for order, a in enumerate(parsed.doc.iter("a")):
        target = abs_url(parsed.base_url, a.get("href"))
        if not target:
            continue
        raw = el_text(a) or norm_space(a.get("title"))
        text = normalize_name(raw)
        if not text or any(w in text for w in banned):
            continue
        if text in hub_names and all(h.url != target for h in found_hubs):
            found_hubs.append(Link(url=target, text=raw))
        score = max(_match_score(text, names), _match_score(normalize_name(a.get("title") or ""), names))
        if score and (best_key is None or (score, -order) > best_key):
            best, best_key = Link(url=target, text=raw), (score, -order)
    return best, found_hubs
