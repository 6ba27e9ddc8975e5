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
    "workspace_url",
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
    workspace_url: str | None = None  # where `zwgk serve` is reached: each message links its page


def _apprise():
    try:
        import apprise
    except ModuleNotFoundError:
        raise BadInput("发送通知需要 Apprise：请运行 pip install 'zwgk-monitor[notify]'") from None
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
        raise bad("通知设置文件应为映射（supervisor、operator、units 等）")
    for key in data:
        if key not in _TOP_KEYS:
            raise bad(f"未知字段 {key!r}（可用：{', '.join(sorted(_TOP_KEYS))}）", key)

    def recipients(value, *loc) -> list[Recipient]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise bad("接收人应为一个 Apprise 地址或地址列表", *loc)
        out = []
        for i, raw in enumerate(items):
            where = (*loc, i) if not isinstance(value, str) else loc
            if not isinstance(raw, str) or "://" not in raw:
                raise bad(
                    f"不是 Apprise 地址：{raw!r}（例如 mailtos://…、wecombot://…、dingtalk://…）", *where
                )
            missing = [m for m in _ENV.findall(raw) if m not in os.environ]
            if missing:
                raise bad(f"环境变量 {missing[0]} 未设置（接收人地址中用到）", *where)
            url = _ENV.sub(lambda m: os.environ[m.group(1)], raw)
            plugin = apprise.Apprise.instantiate(url)
            if plugin is None:
                raise bad(f"Apprise 无法识别此地址：{_ENV.sub('${…}', raw.split('?')[0])}", *where)
            out.append(Recipient(url, plugin.url(privacy=True).split("?")[0]))
        return out

    units: dict[tuple[str, str], list[Recipient]] = {}
    raw_units = data.get("units") or {}
    if not isinstance(raw_units, dict):
        raise bad("units 应为“网站/单位: 接收人”的映射", "units")
    known = None
    if registry is not None:
        known = {(p.id, u.id) for p in registry.portals for u in p.units}
    for key, value in raw_units.items():
        portal, sep, unit = str(key).partition("/")
        if not sep or not portal or not unit:
            raise bad(f"单位 {key!r} 应写作“网站编号/单位编号”（登记表中的编号）", "units", key)
        if known is not None and (portal, unit) not in known:
            raise bad(f"登记表中没有单位 {key!r}", "units", key)
        units[(portal, unit)] = recipients(value, "units", key)

    def number(name: str, default: float, lo: float, hi: float) -> float:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise bad(f"{name} 应为 {lo} 到 {hi} 之间的数，而不是 {value!r}", name)
        return value

    send_clean = data.get("send_clean", False)
    if not isinstance(send_clean, bool):
        raise bad("send_clean 应为 true 或 false", "send_clean")
    report_url = data.get("report_url")
    if report_url is not None and not isinstance(report_url, str):
        raise bad("report_url 应为网址", "report_url")
    workspace_url = data.get("workspace_url")
    if workspace_url is not None and (
        not isinstance(workspace_url, str) or not re.match(r"^https?://[^\s/]+", workspace_url)
    ):
        raise bad("workspace_url 应为工作台的网址（http:// 或 https:// 开头）", "workspace_url")
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
        workspace_url=workspace_url,
    )
