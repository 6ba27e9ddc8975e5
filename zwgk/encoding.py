"""Turn response bytes into text without letting mojibake reach titles (docs/portal-patterns.md §7).

Order: BOM, HTTP header charset, <meta charset>/http-equiv, then detection. Every GB2312/GBK
label is decoded as GB18030 (a strict superset, so rare characters in names survive). A declared
charset is only trusted when the bytes decode under it without errors; pages that declare GBK but
are really UTF-8 (common after CMS migrations) are caught because valid multi-byte UTF-8 almost
never happens by accident in GBK text.

The one decoder of page bytes: the crawler's extraction and the reports' evidence copies both
read a page through it, so evidence shows the text the finding was judged on.
"""

from __future__ import annotations

import codecs
import re

_GB_FAMILY = {
    "gb2312",
    "gbk",
    "gb18030",
    "x-gbk",
    "gb_2312-80",
    "gb_2312",
    "cp936",
    "csgb2312",
    "euc-cn",
    "hz-gb-2312",
}
_META_CHARSET = re.compile(rb"""<meta[^<>]{1,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def normalize_charset(label: str | None) -> str | None:
    """Canonical Python codec name for a declared label; GB family -> gb18030; unknown -> None."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    if name in {"utf8", "utf-8", "unicode-1-1-utf-8"}:
        return "utf-8"
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if canonical in _GB_FAMILY else canonical


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_utf8(body: bytes) -> bool:
    """True when the bytes are valid UTF-8 and hold multi-byte sequences (not plain ASCII)."""
    if body.isascii():
        return False
    return _strict(body, "utf-8") is not None


def declared_charsets(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(header charset, meta charset), both normalised, either may be None."""
    header = None
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        header = normalize_charset(match.group(1)) if match else None
    found = _META_CHARSET.search(body[:8192])
    meta = normalize_charset(found.group(1).decode("ascii", "ignore")) if found else None
    return header, meta


def _detect(body: bytes) -> tuple[str, str]:
    for encoding in ("utf-8", "gb18030"):
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is not None and best.encoding:
            encoding = normalize_charset(best.encoding) or best.encoding
            return body.decode(encoding, errors="replace"), encoding
    except Exception:  # detection is best effort; fall through to a lossy decode
        pass
    # Lossy last resort: whichever of the two usual encodings loses fewer characters.
    utf8 = body.decode("utf-8", errors="replace")
    gb = body.decode("gb18030", errors="replace")
    if gb.count("\ufffd") < utf8.count("\ufffd"):
        return gb, "gb18030"
    return utf8, "utf-8"


def decode_body(body: bytes, url: str = "", content_type: str | None = None) -> tuple[str, str]:
    """Decode a response body -> (text, encoding name). `url` is accepted for symmetry/logging."""
    if not body:
        return "", "utf-8"
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), encoding
    header, meta = declared_charsets(body, content_type)
    for declared in (header, meta):
        if declared is None:
            continue
        if declared != "utf-8" and _looks_utf8(body):
            # Declared GBK (or Latin-1 ...) but the bytes are UTF-8: the declaration is wrong.
            return body.decode("utf-8"), "utf-8"
        text = _strict(body, declared)
        if text is not None:
            return text, declared
    return _detect(body)
