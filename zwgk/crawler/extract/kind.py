"""Anti-bot interstitials and script-rendered shells (docs/portal-patterns.md §8).

A 瑞数 (Riversecurity) first response is a short page of loader script; 加速乐 sets
`__jsl_clearance` from a tiny script; WAFs answer with a short block notice. None of them is an
empty column, so they must be told apart before any list logic runs. Some portals keep the 瑞数
loader on every page after the cookie is accepted, so the markers only count when the page has
little visible content.
"""

from __future__ import annotations

import re

from .dom import CHROME, NAV, el_text, region_of

_RUISHU = (
    re.compile(r"\$_ts\s*=\s*window\[['\"]\$_ts['\"]\]"),
    re.compile(r"\$_ss\s*=\s*window\[['\"]\$_ss['\"]\]"),
)
# 瑞数 marks its loader <meta>/<script> with r='m': read from the parsed tree, not by a regex over
# the page (an unclosed "<meta " repeated would make that regex rescan the rest of the page each time).
_RUISHU_TAGS = "//meta[@r='m'] | //script[@r='m']"
_JIASULE = re.compile(r"__jsl_clearance|__jsluid")
_WAF = re.compile(
    r"防火墙|WAF|访问被拦截|请求被拦截|已被拦截|拦截了您的|安全狗|云防御|创宇盾|非法请求|访问受限|疑似攻击|"
    r"威胁|Access Denied|Request Rejected|您的访问被阻断|网站防护|安全防护",
    re.I,
)
SHORT_TEXT = 300
JS_SIGNALS = {
    "dataproxy": re.compile(r"dataproxy", re.I),
    "json": re.compile(r"\.json\b"),
    "loadPageData": re.compile(r"loadPageData"),
    "ms-repeat": re.compile(r"ms-repeat|ms-for"),
    "ng-repeat": re.compile(r"ng-repeat"),
    "unitid": re.compile(r"unitid", re.I),
    "handlebars": re.compile(r"\{\{#each|x-handlebars-template"),
    "v-for": re.compile(r"\bv-for="),
    "jpage": re.compile(r"jpage", re.I),
}


def visible_text_length(doc) -> int:
    body = doc.find("body")
    return len(el_text(body)) if body is not None else 0


_WAF_STATUS = (403, 405, 429)


def _heading_text(doc) -> str:
    return " ".join(el_text(el) for tag in ("title", "h1") for el in doc.iter(tag))


def detect_challenge(raw: str, doc, status: int, extracted: bool = False) -> tuple[str | None, str | None]:
    """(challenge type, note) or (None, None).

    A WAF block is a short page with a block phrase (防火墙, 安全防护 …) that is also one of: an
    error status (403/405/429/5xx), the phrase in <title>/<h1>, or a page from which nothing (no
    list entry, no article) was extracted — `extracted` says whether something was. A short real
    list whose entry title mentions 安全防护 is not a challenge."""
    short = visible_text_length(doc) < SHORT_TEXT
    ruishu = any(p.search(raw) for p in _RUISHU) or bool(doc.xpath(_RUISHU_TAGS))
    if status == 412:
        return "ruishu", "HTTP 412 with a script challenge (瑞数/Riversecurity)"
    if ruishu and short:
        return "ruishu", "瑞数 loader ($_ts / r='m' script) and no page content"
    if _JIASULE.search(raw) and (short or status == 521):
        return "jiasule", "加速乐 cookie challenge (__jsl_clearance / __jsluid)"
    if (
        short
        and _WAF.search(el_text(doc))
        and (status in _WAF_STATUS or status >= 500 or _WAF.search(_heading_text(doc)) or not extracted)
    ):
        return "waf", "short page from a web application firewall (访问被拦截/防火墙)"
    return None, None


def js_signals(raw: str) -> list[str]:
    """Names of script-rendering markers present in the page."""
    return [name for name, pattern in JS_SIGNALS.items() if pattern.search(raw)]


# A script that fills a page element with content: getElementById('x').innerHTML = / .appendChild(,
# jQuery $('#x').html( / .append( / .prepend( / .load(. The element named is the list container.
_FILL_BY_ID = re.compile(
    r"getElementById\(\s*['\"]([\w-]+)['\"]\s*\)\s*\.\s*(?:innerHTML\s*\+?=|appendChild\s*\(|insertAdjacentHTML\s*\()"
)
_FILL_BY_JQUERY = re.compile(r"\$\(\s*['\"]([#.][\w-]+)['\"]\s*\)\s*\.\s*(?:html|append|prepend|load)\s*\(")


def scripted_fill_targets(doc, scripts: list[str]) -> list[str]:
    """Containers on this page that an inline script fills and that are empty in the HTML.

    A list built by script from data we cannot see (no known CMS marker) must not be judged an
    empty column: the element the script writes into is named in the script, and it is empty (no
    link) in the page as served. Paging scripts (createPageHTML) are not content.
    """
    targets: list[str] = []
    for script in scripts:
        if "createPageHTML" in script:
            continue
        for ident in _FILL_BY_ID.findall(script):
            targets.append(f"#{ident}")
        targets.extend(_FILL_BY_JQUERY.findall(script))
    empty = []
    for selector in dict.fromkeys(targets):
        if selector.startswith("#"):
            found = doc.xpath(f"//*[@id='{selector[1:]}']")
        else:
            found = doc.xpath(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {selector[1:]} ')]")
        # A list container (not a visit counter's <span>), outside header/footer/nav, with no link yet.
        boxes = [el for el in found if el.tag in _LIST_BOXES and region_of(el) not in (CHROME, NAV)]
        if boxes and all(not el.xpath(".//a[@href]") for el in boxes):
            empty.append(selector)
    return empty


_LIST_BOXES = frozenset({"ul", "ol", "dl", "div", "table", "tbody", "section"})
