"""www.gov.cn and the portals built like it (docs/portal-patterns.md §6): detail pages `…/content_<id>.htm`."""

from __future__ import annotations

from .model import Platform

PLATFORM = Platform(
    name="gov.cn",
    detail_urls=(r"/content_\d+",),
)
