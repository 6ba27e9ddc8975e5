"""Stored pages as evidence files: the page body as UTF-8 text, never as HTML.

Crawled HTML is untrusted: opened from file:// it could run scripts. Evidence is therefore written
as `evidence/<sha256>.txt`, decoded as the crawler decoded it (zwgk/encoding.py: a declared charset
only when the bytes agree with it, so a GBK-labelled UTF-8 page shows no mojibake).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from zwgk.encoding import decode_body
from zwgk.reports.views import SHA_RE
from zwgk.store.db import get_page
from zwgk.store.schema import Page


def write_evidence(session: Session, sha: str, out_dir: Path) -> Path | None:
    """Write one stored page to `out_dir/evidence/<sha>.txt` (UTF-8); None when not stored."""
    if not SHA_RE.match(sha or ""):
        return None
    body = get_page(session, sha)
    if body is None:
        return None
    page = session.get(Page, sha)
    text, _ = decode_body(body, "", page.content_type if page else None)  # as the crawler read it
    folder = Path(out_dir) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}.txt"
    path.write_text(text, encoding="utf-8", newline="")
    return path
