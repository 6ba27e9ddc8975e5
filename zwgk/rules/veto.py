"""单项否决 (veto lines) and 预警 (early warnings) of 国办秘函〔2019〕19号, per unit and per portal.

Pure functions over what is already known — open findings, one crawl's column observations,
the home page's newest date, and counts of availability checks — with every threshold taken
from the scoring file's `veto` section. Early warnings are separate from findings: they are
not rectification items, they tell a unit it is close to a line.

Lines (ids are stable, names and thresholds are data):
- `home_stale`    首页不更新: the home page's newest dated item older than `days` (14).
- `columns_stale` 栏目不更新: stale 动态/通知/政策 columns (`kinds`) ≥ `threshold` (5).
- `long_stale`    应更新但长期未更新: stale or undated columns of any kind ≥ `threshold` (10).
- `blank`         空白栏目: blank or placeholder-only columns ≥ `threshold` (5).
- `typo`          严重错别字: text.typo findings ≥ `threshold` (1).
- any other line with `rules:` counts their findings the same way: `privacy` 泄露个人隐私,
  `interaction` 互动回应差 (interact.nochannel, interact.unanswered), each ≥ 1.
- `unreachable`   站点无法访问: failed checks / checks over `window_days` ≥ `rate` (5%).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.model import UnitObs


@dataclass
class LineResult:
    line: str
    name: str
    level: str  # veto | warning | ok | unknown
    value: float | int | None
    threshold: float | int | None
    warn: float | int | None
    message: str
    items: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class VetoReport:
    portal: str
    unit: str | None  # None: the portal as a whole
    lines: list[LineResult]

    @property
    def veto(self) -> bool:
        return any(r.level == "veto" for r in self.lines)

    @property
    def hits(self) -> list[LineResult]:
        return [r for r in self.lines if r.level == "veto"]

    @property
    def warnings(self) -> list[LineResult]:
        return [r for r in self.lines if r.level == "warning"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "portal": self.portal,
            "unit": self.unit,
            "veto": self.veto,
            "hits": [r.as_dict() for r in self.hits],
            "warnings": [r.as_dict() for r in self.warnings],
            "lines": [r.as_dict() for r in self.lines],
        }


@dataclass
class Availability:
    """Checks of a page over the window: how many, how many failed (site.unreachable)."""

    checks: int
    failures: int
    window_days: int | None = None
    source: str = "crawls"  # crawls: one visit a night; probes: the probe job's visits (and the nights')
    failed: list[dict[str, Any]] = field(default_factory=list)  # probes: {at (Beijing), error}

    @property
    def rate(self) -> float | None:
        return self.failures / self.checks if self.checks else None


def _get(f: Any, *names: str) -> Any:
    for name in names:
        if isinstance(f, Mapping):
            if name in f:
                return f[name]
        elif hasattr(f, name):
            return getattr(f, name)
    return None


def _ref(f: Any) -> dict[str, Any]:
    return {
        "rule": _get(f, "rule"),
        "unit": _get(f, "unit", "unit_id"),
        "column": _get(f, "column", "column_id"),
        "url": _get(f, "url"),
        "message": _get(f, "message"),
    }


def _count_line(
    line: str, spec: Mapping[str, Any], findings: list[dict[str, Any]], catalog: Catalog
) -> LineResult:
    rules = set(spec.get("rules") or ())
    kinds = set(spec.get("kinds") or ())
    hits: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for f in findings:
        if f["rule"] not in rules:
            continue
        if kinds:
            try:
                if catalog.column(f["column"]).kind not in kinds:
                    continue
            except KeyError:
                continue
        key = (f["unit"], f["column"]) if f["column"] else (f["unit"], f["rule"], f["url"])
        if key in seen:
            continue
        seen.add(key)
        hits.append(f)
    n, threshold, warn = len(hits), spec.get("threshold"), spec.get("warn")
    name = spec.get("name", line)
    if threshold is not None and n >= threshold:
        level, msg = "veto", f"{name} {n} 个，达到单项否决线（≥{threshold}）"
    elif warn is not None and n >= warn:
        level, msg = "warning", f"{name} {n} 个，接近单项否决线（≥{threshold}），预警线 {warn}"
    else:
        level, msg = "ok", f"{name} {n} 个"
    return LineResult(line, name, level, n, threshold, warn, msg, hits)


def _age_warnings(
    spec: Mapping[str, Any],
    units: Iterable[UnitObs],
    findings: list[dict[str, Any]],
    catalog: Catalog,
    as_of: date,
) -> list[dict[str, Any]]:
    """Columns not yet stale but within the warning age of their limit (e.g. 动态 10 days old)."""
    ages = spec.get("warn_age_days") or {}
    flagged = {(f["unit"], f["column"]) for f in findings if f["column"]}
    out: list[dict[str, Any]] = []
    for u in units:
        if u.entry_status != "ok":
            continue
        for col in u.columns.values():
            if col.status not in ("ok", "truncated") or (u.unit, col.column_id) in flagged:
                continue
            try:
                kind = catalog.column(col.column_id).kind
            except KeyError:
                continue
            warn_at, limit = ages.get(kind), catalog.kinds[kind].max_age_days
            newest = col.newest
            if warn_at is None or limit is None or newest is None:
                continue
            age = (as_of - newest).days
            if warn_at <= age <= limit:
                out.append(
                    {
                        "unit": u.unit,
                        "column": col.column_id,
                        "url": col.url,
                        "newest": newest.isoformat(),
                        "age_days": age,
                        "limit_days": limit,
                        "message": f"「{catalog.column(col.column_id).name}」已 {age} 天未更新（{limit} 天即超期）",
                    }
                )
    return out


def judge(
    portal: str,
    unit: str | None,
    findings: Iterable[Any],
    units: Iterable[UnitObs],
    as_of: date,
    catalog: Catalog,
    config: Mapping[str, Any],
    home_newest: date | None = None,
    availability: Availability | None = None,
    home: bool = True,
) -> VetoReport:
    """Every veto line for one unit (or, with unit None, a whole portal) on `as_of`.

    `findings`: the open, counted findings of the unit/portal (dismissed ones already removed);
    objects or dicts with rule, column (or column_id), unit (or unit_id), url, message.
    `units`: the latest crawl's observations of the unit(s), for the early-warning ages.
    `home`: judge the home-page line (the portal's government unit and the portal itself).
    """
    refs = [_ref(f) for f in findings]
    units = list(units)
    lines: list[LineResult] = []

    spec = config.get("home_stale") or {}
    if home and spec:
        name, days, warn = spec.get("name", "首页不更新"), spec.get("days"), spec.get("warn_days")
        if home_newest is None:
            lines.append(
                LineResult("home_stale", name, "unknown", None, days, warn, f"{name}：首页更新日期未知")
            )
        else:
            age = (as_of - home_newest).days
            level = (
                "veto"
                if days is not None and age > days
                else ("warning" if warn is not None and age >= warn else "ok")
            )
            lines.append(
                LineResult(
                    "home_stale",
                    name,
                    level,
                    age,
                    days,
                    warn,
                    f"首页最近更新于 {home_newest.isoformat()}，已 {age} 天（限 {days} 天）",
                    [{"newest": home_newest.isoformat(), "age_days": age}],
                )
            )

    # Columns about to pass their kind's limit (预警 means approaching, never past): each under the
    # line of its kind — 动态/通知/政策 under columns_stale, any other kind under long_stale.
    stale_spec = config.get("columns_stale") or {}
    near_all = _age_warnings(stale_spec, units, refs, catalog, as_of) if stale_spec else []
    stale_kinds = set(stale_spec.get("kinds") or ())
    near_by_line: dict[str, list[dict[str, Any]]] = {"columns_stale": [], "long_stale": []}
    for item in near_all:
        kind = catalog.column(item["column"]).kind
        in_stale = not stale_kinds or kind in stale_kinds
        target = "columns_stale" if in_stale or not config.get("long_stale") else "long_stale"
        near_by_line[target].append(item)
    # every line that counts findings (`rules:`): the stale and blank lines, then any other the
    # scoring file names (严重错别字, 泄露个人隐私, 互动回应差 …, in its order)
    counted = ["columns_stale", "long_stale", "blank", "typo"]
    counted += [
        k for k, v in config.items() if k not in counted and isinstance(v, Mapping) and v.get("rules")
    ]
    for line in counted:
        spec = config.get(line)
        if not spec:
            continue
        result = _count_line(line, spec, refs, catalog)
        near = near_by_line.get(line) or []
        if near and result.level == "ok":
            result.level = "warning"
            result.message = f"{result.name} {result.value} 个；{len(near)} 个栏目临近更新期限"
        result.items.extend({**n, "near_limit": True} for n in near)
        lines.append(result)

    spec = config.get("unreachable") or {}
    if spec and availability is not None:
        name, rate_line, warn = spec.get("name", "站点无法访问"), spec.get("rate"), spec.get("warn_rate")
        rate = availability.rate
        probes = availability.source == "probes"
        min_checks = int(spec.get("min_probe_checks" if probes else "min_checks", 1))
        detail = [
            {
                "checks": availability.checks,
                "failures": availability.failures,
                "window_days": availability.window_days,
                "source": availability.source,
                "failed": availability.failed[-20:],
            }
        ]
        if rate is None:
            lines.append(
                LineResult("unreachable", name, "unknown", None, rate_line, warn, f"{name}：无检测记录")
            )
        else:
            pct = f"{rate:.1%}"
            msg = f"近 {availability.window_days or '?'} 天 {availability.checks} 次检测中 {availability.failures} 次无法访问（{pct}）"
            if availability.failed:
                latest = availability.failed[-3:]
                msg += "；最近失败：" + "，".join(
                    f"{f['at'][5:16].replace('T', ' ')} {f['error'] or ''}" for f in latest
                )
            if availability.checks < min_checks:
                # Too few checks for a rate to mean anything: neither veto nor 正常 (nor a warning).
                level = "unknown"
                msg += f"；检测次数不足（{availability.checks} 次，至少 {min_checks} 次），暂不判定"
            elif rate_line is not None and rate >= rate_line:
                level = "veto"
            elif warn is not None and rate >= warn:
                level = "warning"
            else:
                level = "ok"
            lines.append(LineResult("unreachable", name, level, round(rate, 4), rate_line, warn, msg, detail))
    return VetoReport(portal, unit, lines)
