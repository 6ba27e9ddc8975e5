"""`zwgk demo`: the whole cycle on the built-in demo portal network, scored against its ground truth.

The demo network is its own package, `zwgk_demonet`, installed beside `zwgk` (so `zwgk demo`
works from `pip install`): it serves both the test suite and this command, and the product code
never imports anything of it but its entry points — its templates, class names and phrases stay
out of the extraction.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

from rich.console import Console

from zwgk.errors import BadInput, StageFailed
from zwgk.rules.registry import RULES

# Every registered rule is scored against the ground truth, except those the demo network says it
# cannot seed (zwgk_demonet.NOT_SEEDED, with the reason).
EVALUATED_RULES = [cls.id for cls in RULES]


def scored_rules(demonet) -> list[str]:
    return [r for r in EVALUATED_RULES if r not in getattr(demonet, "NOT_SEEDED", {})]


def load_demonet():
    """The demo portal network package (installed with zwgk)."""
    try:
        return importlib.import_module("zwgk_demonet")
    except ModuleNotFoundError:
        raise BadInput("未安装演示门户网络（zwgk_demonet 包）：请用 pip install 安装 zwgk-monitor") from None


def run_demo(
    as_of: date,
    out_dir: Path,
    db: str | None,
    seed: int,
    out: Console,
    err: Console,
    skin: int = 0,
    nights: int | None = None,
    serve_port: int | None = None,
) -> int:
    """Replay the demo network's nights (a week apart, ending on `as_of`) on one running network, each
    a whole cycle (crawl, check, reports), then score the last night against its ground truth."""
    from zwgk.config.catalog import load_catalog
    from zwgk.config.registry import load_registry
    from zwgk.cycle.night import run_cycle
    from zwgk.store.db import Store

    demonet = load_demonet()
    out_dir.mkdir(parents=True, exist_ok=True)
    if db is None:
        db_file = out_dir / "zwgk-demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        db = f"sqlite:///{db_file.resolve()}"
    catalog = load_catalog()
    store = Store(db, mode="create")
    days = demonet.night_dates(as_of, nights)
    network = demonet.build_network(days[0], seed=seed, skin=skin or None)
    states = demonet.variants(network.ground_truth(), network.portals, len(days))
    with network.serve() as running:  # running while the workspace is served (--serve)
        sites = running.write_registry(out_dir / "sites.yml")
        registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
        units = sum(len(p.units) for p in registry.portals)
        err.print(
            f"演示网络: {len(registry.portals)} 个网站, {units} 个单位, 监测 {len(days)} 晚"
            f"（{days[0]} 至 {as_of}，每周一晚）" + (f", 模板变体 {skin}" if skin else ""),
            highlight=False,
        )
        for n, (day, variant) in enumerate(zip(days, states, strict=True), 1):
            if n > 1:
                network = demonet.build_network(
                    day, seed=seed, variant=variant, skin=skin or None, anchor=days[0]
                )
                running.switch(network)
            try:
                result = run_cycle(
                    store, sites, registry, catalog, day, out_dir=out_dir, lock_command="zwgk demo"
                )
            except StageFailed as exc:
                err.print(f"运行失败: {exc}", highlight=False)
                return 1
            err.print(f"第 {n} 晚 {day}：{night_summary(store, result.check_id)}", highlight=False)
        logins = demo_accounts(store)
        workspace = (
            f"工作台（单位整改反馈、申请复查，监管人员审核）：zwgk demo --serve 后浏览器打开 "
            f"http://127.0.0.1:8080/ ，演示账号：{logins}"
            if serve_port is None
            else f"演示账号：{logins}"
        )
        code = _score_and_print(
            store, demonet, network, as_of, out_dir, catalog, result, days, out, err, workspace
        )
        if serve_port is None:
            store.dispose()
            return code
        out.print(f"工作台：http://127.0.0.1:{serve_port}/ （Ctrl+C 停止）", highlight=False)
        serve_demo(store, sites, out_dir, serve_port)
        return code


def _score_and_print(
    store, demonet, network, as_of, out_dir, catalog, result, days, out, err, workspace
) -> int:
    """The last night scored against the truth, the exports and reports; the daily report's path is
    the last line (what a newcomer opens first)."""
    from zwgk.reports.exports import columns_rows, findings_rows, write_rows

    with store.session() as session:
        findings = findings_rows(session, as_of)
        columns = columns_rows(session, as_of, catalog)
    write_rows(findings, "json", out_dir / "findings.json")
    write_rows(columns, "json", out_dir / "columns.json")
    current = [f for f in findings if f["status"] in ("open", "overdue")]
    scores = demonet.evaluate(current, network.ground_truth(), scored_rules(demonet))
    out.print(f"\n各规则对照演示网络真值（第 {len(days)} 晚，精确率 P / 召回率 R）:", highlight=False)
    out.print(demonet.format_table(scores), highlight=False)
    err.print(
        f"crawl run #{result.crawl_id}, check run #{result.check_id}, {len(current)} open findings",
        highlight=False,
    )
    reports = result.reports
    out.print(f"导出: {out_dir / 'findings.json'}  {out_dir / 'columns.json'}", highlight=False)
    out.print(f"报告目录（周通报、月考核、单位页面）: {reports['units'].resolve()}", highlight=False)
    out.print(workspace, highlight=False)
    out.print(f"日调度报告: {reports['daily'].resolve()}", highlight=False)
    worst = min((min(s["precision"], s["recall"]) for k, s in scores.items() if k != "_all"), default=1.0)
    return 0 if worst >= 0.98 else 1


def night_summary(store, check_id: int) -> str:
    """What one night's check changed, in the words of the daily dispatch."""
    from zwgk.store.schema import Run

    with store.session() as session:
        counts = session.get(Run, check_id).counts or {}
    return (
        f"新发现 {counts.get('opened', 0) + counts.get('reopened', 0)} 条，"
        f"销号 {counts.get('rectified', 0)} 条，转为逾期 {counts.get('overdue', 0)} 条"
    )


DEMO_PASSWORD = "zwgk-demo-2026"  # the demo's own database only; a real office sets its own


def demo_accounts(store) -> str:
    """Accounts of the demo workspace: the 政务公开办 (supervisor), a leader, and the department
    with the most open findings; returns them as a line to print."""
    from sqlalchemy import func, select

    from zwgk.store.schema import Account, Finding, Unit
    from zwgk.web import accounts

    with store.session() as s:
        row = s.execute(
            select(Finding.portal_id, Finding.unit_id, func.count())
            .join(Unit, (Unit.portal_id == Finding.portal_id) & (Unit.unit_id == Finding.unit_id))
            .where(Finding.status.in_(("open", "overdue")), Unit.profile == "department")
            .group_by(Finding.portal_id, Finding.unit_id)
            .order_by(func.count().desc(), Finding.portal_id, Finding.unit_id)
            .limit(1)
        ).first()
        wanted = [
            ("office", "政务公开办", "supervisor", None, None),
            ("leader", "分管领导", "leader", None, None),
        ]
        if row is not None:
            wanted.append(("dept", "", "unit", row[0], row[1]))
        for login, name, role, portal, unit in wanted:
            if s.execute(select(Account).where(Account.login == login)).scalar_one_or_none() is None:
                accounts.add_account(s, login, name, role, DEMO_PASSWORD, portal, unit)
        dept = s.execute(select(Account).where(Account.login == "dept")).scalar_one_or_none()
        unit_name = dept.display_name if dept else ""
    parts = ["监管人员 office", "领导 leader"] + ([f"单位 dept（{unit_name}）"] if unit_name else [])
    return "、".join(parts) + f"，密码均为 {DEMO_PASSWORD}"


def serve_demo(store, sites: Path, out_dir: Path, port: int) -> None:
    """The workspace on the demo's database, reports and still-running network (plain http on
    loopback only), until Ctrl+C."""
    import uvicorn

    from zwgk.web.app import create_app
    from zwgk.web.context import ServeConfig

    config = ServeConfig(
        db_url=store.url,
        sites=str(sites),
        reports=out_dir,
        uploads=out_dir / "zwgk-uploads",
        secure_cookies=False,
    )
    uvicorn.run(create_app(config), host="127.0.0.1", port=port, log_level="warning", server_header=False)
