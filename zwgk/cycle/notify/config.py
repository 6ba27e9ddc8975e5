"""The notifications file: recipients (Apprise URLs, `${NAME}` from the environment) and sending
options, validated with FILE:LINE errors."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from zwgk.config.yamlines import load_located
from zwgk.errors import BadInput

_TOP_KEYS = {
    "retries",
    "retry_delay",
    "min_coverage",
    "send_clean",
    "report_url",
    "supervisor",
    "operator",
    "units",
}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_RETRIES = 10
MAX_DELAY = 300.0  # seconds: one wait between two attempts never exceeds this


@dataclass(frozen=True)
class Recipient:
    url: str  # with secrets (never logged or stored)
    label: str  # the privacy-safe form (apprise hides passwords and tokens)


@dataclass(frozen=True)
class NotifyConfig:
    path: Path
    supervisor: list[Recipient] = field(default_factory=list)
    operator: list[Recipient] = field(default_factory=list)
    units: dict[tuple[str, str], list[Recipient]] = field(default_factory=dict)
    retries: int = 2
    retry_delay: float = 5.0
    min_coverage: float = 0.8
    send_clean: bool = False
    report_url: str | None = None


def _apprise():
    try:
        import apprise
    except ModuleNotFoundError:
        raise BadInput("notifications need Apprise: pip install 'zwgk-monitor[notify]'") from None
    return apprise


def load_notify_config(path: str | Path, registry=None) -> NotifyConfig:
    """Read and validate a notifications YAML; any problem is BadInput naming the file and line.

    With a registry, every `units` key must name a registered portal/unit.
    """
    apprise = _apprise()
    doc = load_located(path)
    src = str(doc.path)

    def bad(msg: str, *loc) -> BadInput:
        return BadInput(msg, path=src, line=doc.line_of(loc))

    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise bad("the notifications file must be a mapping (supervisor, operator, units …)")
    for key in data:
        if key not in _TOP_KEYS:
            raise bad(f"unknown key {key!r} (known: {', '.join(sorted(_TOP_KEYS))})", key)

    def recipients(value, *loc) -> list[Recipient]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise bad("recipients must be an Apprise URL or a list of them", *loc)
        out = []
        for i, raw in enumerate(items):
            where = (*loc, i) if not isinstance(value, str) else loc
            if not isinstance(raw, str) or "://" not in raw:
                raise bad(
                    f"not an Apprise URL: {raw!r} (e.g. mailtos://…, wecombot://…, dingtalk://…)", *where
                )
            missing = [m for m in _ENV.findall(raw) if m not in os.environ]
            if missing:
                raise bad(f"environment variable {missing[0]} is not set (used in a recipient URL)", *where)
            url = _ENV.sub(lambda m: os.environ[m.group(1)], raw)
            plugin = apprise.Apprise.instantiate(url)
            if plugin is None:
                raise bad(
                    f"Apprise does not understand this URL: {_ENV.sub('${…}', raw.split('?')[0])}", *where
                )
            out.append(Recipient(url, plugin.url(privacy=True).split("?")[0]))
        return out

    units: dict[tuple[str, str], list[Recipient]] = {}
    raw_units = data.get("units") or {}
    if not isinstance(raw_units, dict):
        raise bad("'units' must map 'portal/unit' ids to recipients", "units")
    known = None
    if registry is not None:
        known = {(p.id, u.id) for p in registry.portals for u in p.units}
    for key, value in raw_units.items():
        portal, sep, unit = str(key).partition("/")
        if not sep or not portal or not unit:
            raise bad(f"unit key {key!r} must be 'portal/unit' (registry ids)", "units", key)
        if known is not None and (portal, unit) not in known:
            raise bad(f"no unit {key!r} in the registry", "units", key)
        units[(portal, unit)] = recipients(value, "units", key)

    def number(name: str, default: float, lo: float, hi: float) -> float:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise bad(f"{name} must be a number from {lo} to {hi}, not {value!r}", name)
        return value

    send_clean = data.get("send_clean", False)
    if not isinstance(send_clean, bool):
        raise bad("send_clean must be true or false", "send_clean")
    report_url = data.get("report_url")
    if report_url is not None and not isinstance(report_url, str):
        raise bad("report_url must be a URL", "report_url")
    return NotifyConfig(
        path=doc.path,
        supervisor=recipients(data.get("supervisor"), "supervisor"),
        operator=recipients(data.get("operator"), "operator"),
        units=units,
        retries=int(number("retries", 2, 0, MAX_RETRIES)),
        retry_delay=number("retry_delay", 5, 0, MAX_DELAY),
        min_coverage=number("min_coverage", 0.8, 0, 1),
        send_clean=send_clean,
        report_url=report_url,
    )
