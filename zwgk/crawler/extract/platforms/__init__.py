"""What each CMS platform does its own way, one module per platform (alltheplaces: one file each).

The generic extraction — list detection, pagination, article bodies, data endpoints — is written
for the patterns most portals share and iterates `PLATFORMS` for the rest: a platform's pager
script, the shapes of its detail URLs, the dates its URLs carry, its body containers and comment
markers, its data endpoints and how they are requested. A new platform is one module here and one
line in `PLATFORMS` (CONTRIBUTING.md walks through it); nothing else changes.

Order matters only where the first answer wins (pager scripts, body containers): more specific
platforms come first, `generic` (what many CMSs share) last.
"""

from __future__ import annotations

import re
from functools import cache

from . import gansu, generic, govcn, hanweb, nfra, trs
from .model import Platform

PLATFORMS: tuple[Platform, ...] = (
    gansu.PLATFORM,
    trs.PLATFORM,
    hanweb.PLATFORM,
    govcn.PLATFORM,
    nfra.PLATFORM,
    generic.PLATFORM,
)


def detail_url_pattern() -> re.Pattern[str]:
    """Any platform's detail-page URL shape, as one pattern."""
    return _detail_urls(PLATFORMS)


def url_date_pattern() -> re.Pattern[str]:
    """Any platform's (year, month) in a detail URL: each alternative captures exactly two groups."""
    return _url_dates(PLATFORMS)


def body_selectors() -> tuple[str, ...]:
    """XPaths of article body containers, platform-specific first."""
    return tuple(x for platform in PLATFORMS for x in platform.body_selectors)


def comment_body_patterns() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """Comment markers around an article body, as (begin, end) patterns: a platform writes one
    pattern with `(.*?)` for the body, split here so that the body is found in linear time."""
    return _comment_bodies(PLATFORMS)


# Compiled once per platform list (the list is read at call time, so a platform added to it counts).
@cache
def _detail_urls(platforms: tuple[Platform, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for platform in platforms for p in platform.detail_urls), re.I)


@cache
def _url_dates(platforms: tuple[Platform, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for platform in platforms for p in platform.url_dates))


@cache
def _comment_bodies(platforms: tuple[Platform, ...]) -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    pairs = []
    for platform in platforms:
        for pattern in platform.comment_bodies:
            begin, body, end = pattern.partition("(.*?)")
            if not body:
                raise ValueError(f"{platform.name}: a comment body pattern needs one (.*?) group: {pattern}")
            pairs.append((re.compile(begin, re.S), re.compile(end, re.S)))
    return tuple(pairs)


__all__ = [
    "PLATFORMS",
    "Platform",
    "body_selectors",
    "comment_body_patterns",
    "detail_url_pattern",
    "url_date_pattern",
]
