"""The rolling schedule of an incremental night: what is read again tonight when nothing says it changed.

A portal that sends no validators (most jsp/aspx/php pages) answers 200 to every request, so the
crawl itself decides what to fetch again. Everything re-read on a schedule gets a stable slot from
its own address (the same night of every cycle), so a network of any size spreads its re-reading
evenly over the cycle instead of doing it all on one night:

- a link is checked again at most once every `days` nights, on its slot night: every `days` nights
  once in rhythm, the first time between `days` and 2×`days`−1 nights after it was first seen (or
  checked out of turn); a link whose result is 2×`days` old is checked whatever its slot (a
  scheduler that skipped nights, or runs only weekly, leaves no link behind);
- a column is read in full (all list pages, its articles) on its slot night of the cycle, and in any
  case once its last full read is `days` old: a change below its first page is found within the
  cycle.

Pure functions of (address, date): the same on every worker of a distributed crawl.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import date

# A result marked `cut` (not requested: over a budget, behind a tarpit host) is tried again the next
# night; every other result (an answer, or a link never to be requested: off-site, refused by the
# address policy) stands until its re-check.


def slot(key: str, days: int) -> int:
    """The night of the cycle (0 .. days-1) that belongs to `key`: stable across runs and machines."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % max(1, days)


def on_slot(key: str, as_of: date, days: int) -> bool:
    """True on `key`'s night of the cycle."""
    return slot(key, days) == as_of.toordinal() % max(1, days)


def link_due(link: dict, as_of: date, days: int) -> bool:
    """Whether a previous link result must be checked again tonight (rather than carried)."""
    if link.get("cut"):
        return True
    try:
        checked = date.fromisoformat(link.get("checked_on") or "")
    except ValueError:
        return True
    age = (as_of - checked).days
    if age < days:
        return False  # checked within the cycle (tonight, or on a later night being replayed)
    return age >= 2 * days or on_slot(link.get("url") or "", as_of, days)


def full_pass(key: str, as_of: date, days: int, last_full: str | None) -> bool:
    """Whether a column is read in full tonight: on its slot night, or when its last full read is a
    cycle old or unknown."""
    if days <= 1:
        return True
    try:
        age = (as_of - date.fromisoformat(last_full or "")).days
    except ValueError:
        return True
    if age < 1:
        return False
    return age >= days or on_slot(key, as_of, days)


def list_fingerprint(entries: list, placeholder: object = None, more_pages: bool = False) -> str:
    """What a first list page says, as one short digest: its entries (title, address, date), its
    placeholder text and whether it has further pages. The page's bytes are not used: dynamic pages
    differ on every request (counters, tokens, the time) while saying the same thing."""
    h = hashlib.sha256()
    for e in entries:
        # surrogatepass: a hostile page's lone surrogates are digested, not an error
        h.update(
            f"{e.title}\x1f{e.url}\x1f{e.date.isoformat() if e.date else ''}\x1e".encode(
                "utf-8", "surrogatepass"
            )
        )
    h.update(f"\x1d{placeholder or ''}\x1d{int(bool(more_pages))}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]
