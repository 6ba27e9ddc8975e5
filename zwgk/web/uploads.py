"""Attachments of 整改反馈: checked by size and by what the bytes are, stored outside any web root.

A unit proves its fix with a screenshot, a scanned document or a spreadsheet. What it uploads is
untrusted: the name is kept only as a label, the file is stored under a random key in the uploads
folder (never inside the reports folder the server also shows), its type is decided by its first
bytes — not by the name or the browser's claim — and it is only ever sent back as a download
(application/octet-stream, attachment, nosniff), never shown inline, so an HTML or SVG file
cannot run in the workspace's origin.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from zwgk.errors import BadInput

MAX_BYTES = 10 * 1024 * 1024
# type → (what its bytes begin with, the names it may carry)
KINDS: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "pdf": ((b"%PDF-",), (".pdf",)),
    "png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
    "jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    "ooxml": ((b"PK\x03\x04",), (".docx", ".xlsx", ".pptx", ".ofd", ".zip")),
    "ole": ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), (".doc", ".xls", ".ppt", ".wps", ".et")),
}
ACCEPTED = "PDF、PNG、JPG、Word、Excel、WPS、OFD 或 ZIP"


def kind_of(name: str, data: bytes) -> str:
    """The file's type from its bytes, checked against its name; BadInput when not accepted."""
    suffix = Path(name or "").suffix.lower()
    for kind, (magics, suffixes) in KINDS.items():
        if any(data.startswith(m) for m in magics):
            if suffix not in suffixes:
                raise BadInput(f"附件内容与文件名不符（{name}）")
            return kind
    raise BadInput(f"附件类型不受支持，请上传 {ACCEPTED} 文件")


def store(folder: Path, name: str, data: bytes) -> tuple[str, str]:
    """(key, kind): the checked file saved under a random key."""
    if not data:
        raise BadInput("附件为空")
    if len(data) > MAX_BYTES:
        raise BadInput(f"附件超过 {MAX_BYTES // (1024 * 1024)} MB")
    kind = kind_of(name, data)
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    tmp = folder / f".{key}.part"
    tmp.write_bytes(data)
    tmp.replace(folder / key)
    return key, kind


def path_of(folder: Path, key: str) -> Path | None:
    if not key or not all(c in "0123456789abcdef" for c in key) or len(key) != 32:
        return None
    path = folder / key
    return path if path.is_file() else None


def safe_name(name: str) -> str:
    """A download name without path parts or control characters."""
    base = Path((name or "").replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?')
    return cleaned[:120] or "附件"
