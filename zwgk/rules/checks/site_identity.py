"""site.identity — 网站标识不全."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring

MARKS = {"site_code": "网站标识码", "icp": "ICP备案号", "conac": "党政机关标识"}


class SiteIdentity(Rule):
    """The portal home does not show the identity marks at its foot, or shows a wrong 网站标识码.

    ## What it checks
    The portal home (read by the crawl, its foot part of the HTML) must show each mark the
    catalog's `site_identity.required` lists: the 网站标识码 (in text, or an image's alt/title),
    the ICP 备案号, and the 党政机关标识 (the conac.cn badge, its embed script, or an image
    titled 党政机关). A 网站标识码 shown must have the catalog's form (10 digits, or bm + 8 digits)
    and, when the registry gives the portal's `site_code`, be that code. One finding per portal,
    naming every mark that is missing or wrong.

    Not judged (no finding, no pass): a home that was not read, a home whose foot is not in its
    HTML (written by a script or loaded in a frame: nothing like 主办/版权所有/备案 on the page), and
    a 网站标识码 label whose code is an image without alt text (seen, not readable).

    ## Why
    《政府网站发展指引》(国办发〔2017〕47号) and 国办秘函〔2019〕19号: every government website shows its
    网站标识码, its ICP备案号 and the 党政机关网站标识 at the foot of its pages; a missing or wrong
    标识 is deducted in the annual inspection.
    """

    id = "site.identity"
    title = "网站标识不全"
    summary = "网站首页底部未展示网站标识码、ICP备案号或党政机关标识，或网站标识码格式不正确。"
    severity = Severity.MINOR
    scope = Scope.SITE
    source = "《政府网站发展指引》网站标识；国办秘函〔2019〕19号 检查指标"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(evidence.get("icp") or "")]  # the foot where the marks belong

    def can_judge(self, unit: UnitObs) -> bool:
        seen = unit.home_identity
        return bool(unit.home_url and unit.home_status == "ok" and seen and seen.get("footer"))

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        if not self.can_judge(unit):
            return
        seen = unit.home_identity or {}
        spec = ctx.catalog.site_identity
        problems: list[str] = []
        missing: list[str] = []
        codes = [str(c) for c in seen.get("site_codes") or []]
        if "site_code" in spec.required:
            valid = [c for c in codes if re.fullmatch(spec.code_pattern, c)]
            if unit.site_code and codes and unit.site_code not in codes:
                problems.append(f"网站标识码（{'、'.join(codes)}）与登记的 {unit.site_code} 不一致")
            elif codes and not valid:
                problems.append(f"网站标识码（{'、'.join(codes)}）格式不正确")
            elif not codes and not seen.get("code_label"):
                missing.append(MARKS["site_code"])
        if "icp" in spec.required and not seen.get("icp"):
            missing.append(MARKS["icp"])
        if "conac" in spec.required and not seen.get("conac"):
            missing.append(MARKS["conac"])
        if missing:
            problems.insert(0, f"首页底部未展示{'、'.join(missing)}")
        if not problems:
            return
        yield self.draft(
            unit,
            None,
            unit.home_url,
            "门户网站" + "；".join(problems),
            page="home",
            missing=missing,
            shown_codes=codes,
            registered_code=unit.site_code,
            icp=seen.get("icp"),
        )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {
            "首页底部须展示": [MARKS[m] for m in catalog.site_identity.required],
            "网站标识码格式": "10 位数字，或 bm 加 8 位数字（国务院部门）",
        }

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        lines = []
        ev.pop("missing", None)  # named in the message
        codes = ev.pop("shown_codes", None)
        registered = ev.pop("registered_code", None)
        icp = ev.pop("icp", None)
        if codes:
            lines.append(f"首页展示的网站标识码：{'、'.join(codes)}")
        if registered:
            lines.append(f"登记的网站标识码：{registered}")
        if icp:
            lines.append(f"首页展示的备案号：{icp}")
        return lines

    def evidence_pages(self, column_id: str | None, evidence: dict[str, Any]) -> list[str]:
        return ["home"]
