"""The identity marks a government website shows at its foot: 网站标识码, ICP 备案号, 党政机关标识.

Why: 《政府网站发展指引》 asks every government site to show, at the foot of its pages, its 网站标识码,
its ICP 备案号 (and 公安备案号) and the 党政机关 mark issued through 中央编办 (conac.cn). What is
recorded is what a reader of the page can see — text, and the alt/title of images and links — and
where the marks point; the invisible `<meta name="SiteIDCode">` is recorded apart.

`footer` says whether the page shows a foot at all (主办, 版权所有, 备案 …): a foot written by a
script or loaded in a frame is invisible to a plain crawl, and then a missing mark proves nothing
(the rule abstains). A 网站标识码 label whose code is an image without alt text is `code_label`
without `site_codes`: seen, but unreadable — again no accusation.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# 网站标识码 / 网站识别码 followed by the code (10 digits, or bm + 8 digits for 国务院部门)
CODE = re.compile(r"网站(?:标识|识别)码[\s:：]{0,6}((?:bm|BM)\d{8}|\d{10})(?!\d)")  # not 纳税人识别码
CODE_LABEL = re.compile(r"网站(?:标识|识别)码")
ICP = re.compile(r"ICP\s{0,3}[备證证]\s{0,3}\d{5,12}\s{0,3}号(?:\s{0,3}-\s{0,3}\d{1,3})?")
POLICE = re.compile(r"公网安备\s{0,3}\d{10,16}\s{0,3}号")
# what a page foot says (any one of them): the page has a visible foot to judge
FOOT_MARKERS = (
    "版权所有",
    "主办",
    "承办",
    "Copyright",
    "copyright",
    "©",
    "ICP",
    "备案",
    "技术支持",
    "标识码",
)
CONAC_HOST = "conac"  # the mark is served and verified by (bszs|dcs).conac.cn and its mirrors
CONAC_WORDS = ("党政机关",)  # the mark's alt/title text
MAX_TEXT = 400_000  # characters of visible text read (a page's foot is within any real page's text)


def _attr_texts(doc) -> list[str]:
    out = []
    for el in doc.iter("img", "a", "span", "area", "input"):
        for name in ("alt", "title", "value"):
            value = el.get(name)
            if value:
                out.append(value)
    return out


def _points_to_conac(doc, script_srcs: list[str], scripts: list[str]) -> bool:
    urls = list(script_srcs)
    for el in doc.iter("a", "img", "iframe", "script", "link"):
        urls += [v for v in (el.get("href"), el.get("src")) if v]
    for url in urls:
        try:
            host = urlsplit(url.strip()).hostname or ""
        except ValueError:
            continue
        if CONAC_HOST in host:
            return True
    # the official embed code writes the badge from an inline script: document.write(unescape(
    # "%3Cspan id='_ideConac'…%3Cscript src='http://dcs.conac.cn/js/…'"))
    return any(".conac.cn" in script[:20000] for script in scripts if script)


def site_identity(doc, scripts: list[str] | None = None, script_srcs: list[str] | None = None) -> dict:
    """The identity marks visible on a parsed page (zwgk.crawler.extract.dom.parse_html's doc)."""
    body = doc.find("body")
    text = " ".join((body if body is not None else doc).text_content().split())[-MAX_TEXT:]
    attrs = " ".join(_attr_texts(doc))[:MAX_TEXT]
    seen = f"{text} {attrs}"
    codes = []
    for match in CODE.finditer(seen):
        code = match.group(1).lower() if match.group(1)[:2].lower() == "bm" else match.group(1)
        if code not in codes:
            codes.append(code)
    icp = ICP.search(seen)
    police = POLICE.search(seen)
    meta = next(
        (
            (m.get("content") or "").strip()
            for m in doc.iter("meta")
            if (m.get("name") or "").lower() == "siteidcode" and m.get("content")
        ),
        None,
    )
    return {
        "footer": any(marker in text for marker in FOOT_MARKERS),
        "site_codes": codes[:5],
        "code_label": bool(CODE_LABEL.search(seen)),
        "meta_site_code": meta[:20] if meta else None,
        "icp": " ".join(icp.group(0).split())[:40] if icp else None,
        "police": " ".join(police.group(0).split())[:40] if police else None,
        "conac": _points_to_conac(doc, script_srcs or [], scripts or [])
        or any(word in attrs for word in CONAC_WORDS),
    }
