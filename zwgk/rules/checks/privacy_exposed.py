"""privacy.exposed — 泄露个人隐私."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zwgk.rules.base import Rule
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs

KINDS = {"id": "居民身份证号", "mobile": "个人手机号", "card": "银行卡号"}


class PrivacyExposed(Rule):
    """A page of a column publishes personal numbers: 居民身份证号, a person's mobile, a bank card.

    ## What it checks
    The crawl reads every list page and article of the unit's columns, and the attachments of the
    articles it reads (PDF, DOCX, XLSX, DOC, XLS, WPS, ET; bounded in count, bytes and time), for:
    18-character ID
    numbers whose GB 11643 check digit, birth date and province code are right; mobile numbers
    (1[3-9] + 9 digits) labelled as a person's (手机, 联系电话 …), not an office line (办公电话,
    值班电话, 咨询电话 …; numbers with an area code are never personal); bank card numbers (16–19
    digits, Luhn-valid) labelled 银行卡/卡号/账号. One finding per page: `url` is the article (or
    the list page, for numbers in list titles); the evidence lists the numbers masked
    (`3201**********1234`) with the words before them. The full numbers are never stored: page
    bodies, titles and text are masked before they are written.

    ## Why
    国办秘函〔2019〕19号 单项否决: 安全、泄密事故等严重问题; 《个人信息保护法》 and 《政府信息公开条例》
    第十五条: personal information is not disclosed. Subsidy lists, penalty decisions and
    recruitment results are where full ID numbers appear; they must be masked at publication.
    """

    id = "privacy.exposed"
    title = "泄露个人隐私"
    summary = "栏目页面、信息或附件中公开了居民身份证号码、个人手机号码或银行卡号等个人信息。"
    severity = Severity.VETO
    scope = Scope.ARTICLE
    source = "国办秘函〔2019〕19号 单项否决·安全（泄露个人隐私）；《个人信息保护法》"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(n.get("masked") or "") for n in evidence.get("numbers") or [] if isinstance(n, dict)]

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        for column in unit.columns.values():
            if column.status not in ("ok", "truncated") or not column.privacy:
                continue
            name = ctx.catalog.column(column.column_id).name
            by_page: dict[str, list[dict]] = {}
            for row in column.privacy:
                if row.get("url"):
                    by_page.setdefault(str(row["url"]), []).append(row)
            for url, rows in by_page.items():
                kinds = [KINDS.get(k, k) for k in dict.fromkeys(str(r.get("kind")) for r in rows)]
                title = next((r.get("title") for r in rows if r.get("title")), None) or url
                page = next((r.get("page") for r in rows if r.get("page")), None)
                where = (
                    f"附件「{str(title)[:40]}」"
                    if any(r.get("attachment") for r in rows)
                    else f"信息「{str(title)[:40]}」"
                )
                extra = {"page": page} if page else {}
                yield self.draft(
                    unit,
                    column.column_id,
                    url,
                    f"「{name}」{where}公开了{'、'.join(kinds)}（{len(rows)} 处）",
                    **extra,
                    numbers=[
                        {
                            "kind": KINDS.get(str(r.get("kind")), r.get("kind")),
                            "masked": r.get("masked"),
                            "context": r.get("context"),
                        }
                        for r in rows[:10]
                    ],
                    title=title,
                )

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        ev.pop("title", None)
        page = ev.pop("page", None)
        return ([f"附件所在页面：{page}"] if page else []) + [
            f"{n.get('kind')}：{n.get('masked')}（前文：{n.get('context') or '—'}）"
            for n in ev.pop("numbers", None) or []
        ]

    def evidence_pages(self, column_id: str | None, evidence: dict[str, Any]) -> list[str]:
        return [f"column:{column_id}"] if column_id else []
