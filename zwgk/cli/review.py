"""Commands of issue 4: `zwgk review` (人工复核) and `zwgk scores` (单位/栏目评分, 单项否决, 预警).

zwgk review FINGERPRINT|ID --false-positive --by 张三 --why "栏目已合并"   # 误报: not scored
zwgk review FINGERPRINT|ID --confirm --by 张三 --why "属实"
zwgk review FINGERPRINT|ID --undo --by 张三                               # back to unreviewed
zwgk review --import reviews.yaml|reviews.csv                             # finding, action, by, why
zwgk scores [--columns] [--json] [--as-of D]                              # recomputed from history
"""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zwgk.cli.common import AsOfOpt, CatalogOpt, DbOpt, _catalog, _fail, _store, err, out, parse_as_of
from zwgk.errors import BadInput


def register(app: typer.Typer) -> None:

    @app.command(help="人工复核问题：标记误报或确认属实（记录复核人、理由和日期），可撤销。")
    def review(
        finding: Annotated[
            str | None,
            typer.Argument(help="问题编号（如 ZW-000123）"),
        ] = None,
        false_positive: Annotated[
            bool, typer.Option("--false-positive", help="标记为误报（不计分）")
        ] = False,
        confirm: Annotated[bool, typer.Option("--confirm", help="确认属实")] = False,
        undo: Annotated[bool, typer.Option("--undo", help="撤销最近一次复核")] = False,
        by: Annotated[str | None, typer.Option("--by", help="复核人")] = None,
        why: Annotated[str | None, typer.Option("--why", help="复核理由")] = None,
        import_file: Annotated[
            Path | None,
            typer.Option("--import", help="批量导入复核记录（YAML 或 CSV：问题编号、操作、复核人、理由）"),
        ] = None,
        db: DbOpt = None,
        as_of: AsOfOpt = None,
    ):
        """Human review of a finding: false positive or confirmed, with who/why/when; reversible."""
        from zwgk.findings.numbers import finding_number
        from zwgk.findings.review import read_review_file
        from zwgk.findings.review import review as do_review

        try:
            day = parse_as_of(as_of)
            if import_file is not None:
                if finding or false_positive or confirm or undo:
                    raise BadInput("使用 --import 时不要再给出问题编号或操作（它们来自文件）")
                rows = read_review_file(import_file)
                with _store(db, "write").session() as session:
                    results = [
                        do_review(
                            session, r["finding"], r["action"], r["by"] or (by or ""), r["why"] or why, day
                        )
                        for r in rows
                    ]
                changed = sum(r.changed for r in results)
                out.print(f"已导入 {len(results)} 条复核记录（{changed} 条有变化）", highlight=False)
                return
            actions = [
                a
                for a, on in (("false_positive", false_positive), ("confirmed", confirm), ("undo", undo))
                if on
            ]
            if not finding or len(actions) != 1:
                raise BadInput(
                    "请给出一个问题编号，并且只选 --false-positive、--confirm、--undo 之一（或用 --import 文件）"
                )
            with _store(db, "write").session() as session:
                res = do_review(session, finding, actions[0], by or "", why, day)
            verb = {"reviewed_fp": "标记为误报", "confirmed": "确认属实", "review_undone": "撤销复核"}[
                res.event
            ]
            note = "" if res.changed else "（状态未变）"
            out.print(f"问题 {finding_number(res.finding_id)} 已{verb}{note}", highlight=False)
        except BadInput as exc:
            raise _fail(exc) from None

    @app.command(help="单位得分（0–100、等级、单项否决、预警）或栏目得分，可查任意日期。")
    def scores(
        db: DbOpt = None,
        as_of: AsOfOpt = None,
        catalog: CatalogOpt = None,
        scoring: Annotated[str | None, typer.Option("--scoring", help="评分与否决设置文件（YAML）")] = None,
        columns: Annotated[bool, typer.Option("--columns", help="按栏目列出（默认按单位）")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="以 JSON 格式输出")] = False,
    ):
        """Unit scores (0–100, grade, veto lines, warnings) or column scores, for any as-of date."""
        from zwgk.findings.scores import column_scores, portal_vetoes, unit_scores
        from zwgk.rules.scoring import load_scoring

        try:
            day, cat, sc = parse_as_of(as_of), _catalog(catalog), load_scoring(scoring)
            with _store(db).session() as session:
                if columns:
                    rows = column_scores(session, day, cat, sc)
                else:
                    rows = unit_scores(session, day, cat, sc)
                    portals = portal_vetoes(session, day, cat, sc)
        except BadInput as exc:
            raise _fail(exc) from None
        if as_json:
            data = rows if columns else {"units": rows, "portals": portals}
            print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        if not rows:
            err.print(f"{day} 及以前没有完成的抓取记录", highlight=False)
            return
        if columns:
            table = Table("网站", "单位", "栏目", "得分", "扣分规则", title=f"栏目评分 {day}")
            for r in rows:
                table.add_row(
                    r["portal"],
                    r["unit"],
                    r["name"],
                    "—" if r["score"] is None else str(r["score"]),
                    "、".join(f"{c['rule']}(-{c['points']})" for c in r["costs"])
                    if r["checked"]
                    else "未能检查",
                )
        else:
            table = Table("网站", "单位", "得分", "等级", "单项否决", "预警", title=f"单位评分 {day}")
            for r in rows:
                table.add_row(
                    r["portal"],
                    r["name"] or r["unit"],
                    "—" if r["score"] is None else f"{r['score']:g}",
                    r["grade"] or f"未能检查（{r.get('unchecked_reason') or '未抓取'}）",
                    "、".join(v["name"] for v in r["veto_lines"]) or "—",
                    "、".join(w["name"] for w in r["warnings"]) or "—",
                )
        out.print(table)
        cal = rows[0].get("calendar") if not columns else None
        if cal and cal.get("provisional"):
            out.print(f"注意：{cal['label']}", highlight=False)
