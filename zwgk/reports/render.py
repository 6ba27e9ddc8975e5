"""The Jinja2 environment shared by HTML reports: autoescaped, strict, templates on disk.

Pages that sort tables or filter the unit index carry one small inline script (`templates/_app.js`).
Their Content-Security-Policy allows exactly that script by its SHA-256 hash and nothing else:
no other inline script, no external script, style, font, image or connection.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from zwgk.beijing import shown

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def app_script() -> tuple[Markup, str]:
    """The inline script and its CSP source ('sha256-…')."""
    text = (TEMPLATES / "_app.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"'sha256-{digest}'"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["beijing"] = shown  # {{ run.started_at|beijing }} → 2026-12-06 01:05（北京时间）
    script, source = app_script()
    env.globals.update(
        app_js=script,
        app_js_csp=source,
        use_script=False,
        root="",
        nav=None,
        exports=None,
        calendar_banner=None,
    )
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
