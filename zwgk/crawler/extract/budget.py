"""Budgets for extracting one page: how much of it is read, and for how long.

A crawled page is untrusted input, and extraction runs in the crawl's reactor thread: one page that
made a parser work for minutes would stop every portal of the night. The extractors themselves are
written to be linear (markers found with `str.find`, attributes read from the parsed tree, no
backtracking over page text), and two budgets hold whatever slips through:

- `cap(body)`: only the first `MAX_EXTRACT_BYTES` of a body are parsed (a real list or article page
  is far smaller; the stored page keeps every byte as evidence);
- `deadline(seconds)`: a wall-clock limit on one page's extraction. In the main thread it is a
  SIGALRM timer, which interrupts Python code and the regex engine alike; elsewhere (a worker thread,
  a platform without SIGALRM) it is a no-op, and the linear extractors are the bound.

A page over budget is a crawl problem with its reason (`OverBudget`), never a finding.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

MAX_EXTRACT_BYTES = 4 * 1024 * 1024
DEFAULT_SECONDS = 20.0


class OverBudget(BaseException):
    """Extraction of one page ran past its time budget. A BaseException so that no extractor's
    `except Exception` fallback swallows it and carries on with the same page."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"页面结构过于复杂，解析超过 {seconds:g} 秒，未能读取")
        self.seconds = seconds


def cap(body: bytes, limit: int = MAX_EXTRACT_BYTES) -> tuple[bytes, bool]:
    """(the part of `body` that is parsed, whether it was cut)."""
    if len(body) <= limit:
        return body, False
    return body[:limit], True


def cap_note(limit: int = MAX_EXTRACT_BYTES) -> str:
    return f"页面超过 {limit // (1024 * 1024)} MB，仅解析前 {limit // (1024 * 1024)} MB"


_active = threading.local()


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise OverBudget in the block if it runs longer than `seconds` (main thread only; nested
    deadlines keep the outer one)."""
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and not getattr(_active, "on", False)
    )
    if not usable or seconds is None:
        yield
        return
    limit = float(seconds)

    def expired(_signum, _frame):
        raise OverBudget(limit)

    previous = signal.signal(signal.SIGALRM, expired)
    _active.on = True
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _active.on = False
