"""Finding numbers: the short, stable handle a department cites (ZW-000123).

A finding's number is its row id in the store, shown with a prefix and zero-padded so that it
reads as a file number, never changes over the finding's life (reopened findings keep theirs) and
is accepted wherever a finding is named (`zwgk review ZW-000123`).
"""

from __future__ import annotations

import re

PREFIX = "ZW-"
_NUMBER = re.compile(r"^\s*ZW-?0*(\d+)\s*$", re.I)


def finding_number(finding_id: int) -> str:
    """ZW- and the id, at least six digits."""
    return f"{PREFIX}{finding_id:06d}"


def parse_finding_number(ref: str) -> int | None:
    """The id a finding number names (ZW-000123, zw-123, ZW000123), or None for anything else."""
    match = _NUMBER.match(ref or "")
    return int(match.group(1)) if match else None
