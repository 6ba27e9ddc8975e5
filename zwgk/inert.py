"""Crawled text made inert for each channel it leaves by: a terminal, a chat message, a spreadsheet.

Everything crawled is written by someone else. Reports escape it through Jinja2's autoescape; the
other channels need their own neutralising, done here once:

- `plain`: control characters (terminal escapes, NUL), bidirectional overrides (which reorder what
  a reader sees) and zero-width characters removed, whitespace collapsed — for every surface.
- `fragment`: `plain` plus markup and addresses removed (HTML tags, Markdown links and images,
  URLs), cut to a length — for quoting a crawled title in a notification sent in the supervising
  office's name, where a link or a tracking pixel must never ride along.
- `cell`: a spreadsheet cell that cannot become a formula (OWASP "CSV injection": a leading
  = + - @ tab or CR is prefixed with an apostrophe).
"""

from __future__ import annotations

import re

# C0/C1 controls (tab and newline handled by the caller's whitespace rule), DEL, bidi embeddings,
# overrides and isolates, zero-width and BOM characters, and unpaired surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^<>]{0,2000}>")
_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]]{0,500})\]\([^()\s]{0,2000}\)")
_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.\-]{1,20}://|www\.)[^\s<>\"'「」]{1,2000}")
_MARKUP_CHARS = re.compile(r"[<>\[\]`*_|#]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(text: object, keep_lines: bool = False) -> str:
    """Text safe to show anywhere: no controls, no bidi overrides, whitespace collapsed."""
    if text is None:
        return ""
    s = _INVISIBLE.sub("", str(text))
    if keep_lines:
        return "\n".join(_SPACE.sub(" ", line).strip() for line in s.splitlines())
    return _SPACE.sub(" ", s).strip()


def fragment(text: object, limit: int = 120) -> str:
    """A crawled fragment to quote in a message: no markup, no addresses, at most `limit` characters."""
    s = plain(text)
    s = _MD_IMAGE_OR_LINK.sub(lambda m: m.group(1), s)
    s = _TAG.sub("", s)
    s = _URL.sub("", s)
    s = _MARKUP_CHARS.sub("", s)
    s = _SPACE.sub(" ", s).strip()
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


def cell(value: object) -> object:
    """A spreadsheet cell value: strings that a spreadsheet would evaluate get a leading apostrophe."""
    if isinstance(value, str):
        value = plain(value, keep_lines=True) if _INVISIBLE.search(value) else value
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def storable(value: object, limit: int = 10_000) -> object:
    """A crawled value as it may be stored: strings without controls, bidi overrides or unpaired
    surrogates (which PostgreSQL and UTF-8 refuse, and which reorder what a reader sees), cut to
    `limit` characters; dicts and lists cleaned throughout. Line breaks and tabs are kept."""
    if isinstance(value, str):
        return _INVISIBLE.sub("", value[: limit * 2])[:limit]
    if isinstance(value, dict):
        return {storable(k, 200): storable(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v, limit) for v in value]
    return value
