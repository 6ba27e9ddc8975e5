"""Stored pages as evidence files: the page body as UTF-8 text, never as HTML.

Crawled HTML is untrusted: opened from file:// it could run scripts. Evidence is therefore written
as `evidence/<sha256>.txt`, decoded with the charset the response declared (else the page's own
meta charset, else UTF-8, else GB18030 with replacement).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk.reports.views import SHA_RE
from zwgk.store.db import get_page
from zwgk.store.schema import Page

_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
# Labels browsers treat as supersets: a page declaring gb2312 is decoded as GB18030.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
             "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = _SUPERSET.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_body(body: bytes, content_type: str | None) -> str:
    """The page as text: declared charset, then meta charset, then UTF-8, then GB18030 (replace)."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace")
    m = _CT_CHARSET.search(content_type or "")
    codec = _codec(m.group(1)) if m else None
    if codec is None:
        m2 = _META_CHARSET.search(body[:4096])
        codec = _codec(m2.group(1).decode("ascii", "ignore")) if m2 else None
    if codec is not None:
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


def write_evidence(session: Session, sha: str, out_dir: Path) -> Path | None:
    """Write one stored page to `out_dir/evidence/<sha>.txt` (UTF-8); None when not stored."""
    if not SHA_RE.match(sha or ""):
        return None
    body = get_page(session, sha)
    if body is None:
        return None
    page = session.get(Page, sha)
    text = decode_body(body, page.content_type if page else None)
    folder = Path(out_dir) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}.txt"
    path.write_text(text, encoding="utf-8", newline="")
    return path
