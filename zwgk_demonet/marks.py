"""Identity marks at the foot of each portal (site.identity) and entries dated after the monitoring
date (date.future), with their controls.

Applied to a portal after its columns are filled and depth defects seeded (spec.build_spec), before
layout; the ground truth rows come from the same attributes (`truth_rows`).

- site.identity: each readable portal's foot shows its marks in one of three ways (`FEET`):
  `text` (网站标识码 and ICP备案号 in text, the 党政机关 badge as an image titled 党政机关), `alt`
  (control: the code only in an image's alt text), `bare` (defect: no 网站标识码 and no badge,
  only the ICP number). Unlisted portals use `text`.
- privacy.exposed: in two units per readable portal the newest 政策文件 article publishes a
  person's 身份证号 (valid GB 11643 check digit) and mobile — the first in its text, the second in an
  attached name list (XLSX with a bank card number too on even portals, PDF on odd ones; the finding
  names the file); a third
  unit's carries the controls — an office line with its area code, a 咨询电话 mobile and an ID-like
  number with a wrong check digit in its text, and an attached DOCX table of office lines.
- date.future: in two units per readable portal, one fresh dynamic/notice column gets an extra
  entry on top dated well after the monitoring date (40 days, or a year mistyped as 2099); in a
  third unit a column gets an entry dated the next day (control: within a day's tolerance).
"""

from __future__ import annotations

from datetime import date, timedelta

FEET = {"qinglan": "text", "baishi": "bare", "yunze": "alt"}
FUTURE_COLUMNS = ("gzdt", "tzgg")  # fresh columns only: the extra entry must not hide a defect
FUTURE_TITLES = ("关于做好年度重点工作的通知", "召开专题工作推进会")


def foot_marks(portal) -> str:
    """The marks line of the portal's foot (every page), as `portal.foot` says."""
    code = portal.site_code
    icp = f"ICP备案号：ICP备0{code[:6]}号-1"
    badge = '<img src="/images/dzjg.png" alt="党政机关" title="党政机关" width="55" height="66">'
    foot = getattr(portal, "foot", "text")
    if foot == "bare":
        return f"<p>{icp}</p>"
    if foot == "alt":
        return f'<p><img src="/images/bsm.png" alt="网站标识码：{code}"> {icp}</p><p>{badge}</p>'
    return f"<p>网站标识码：{code}　{icp}</p><p>{badge}</p>"


def _candidates(portal, fixes: set) -> list:
    """(unit, column) pairs that may carry an extra entry, chosen on the base network so that a
    Variant (a fixed column, a broken or repaired unit) leaves every other choice as it was: the
    unit's entry answers in the base network, the column was planned healthy (a fixed column was
    not) with no control, and no depth defect sits in it."""
    from .spec import PORTAL_DEFS

    base_status = {
        d[0]: (d[4] if len(d) > 4 else 200)
        for pdef in PORTAL_DEFS
        if pdef["id"] == portal.id
        for d in pdef["units"]
    }
    out = []
    for u in portal.units:
        if base_status.get(u.id) != 200 or getattr(u, "data_mode", None):
            continue
        if sum(c.state != "ok" for c in u.columns.values()) > 2:
            continue  # the many-defect unit keeps its score story (the 空白栏目 veto whatever its points)
        for cid in FUTURE_COLUMNS:
            col = u.columns.get(cid)
            if col is None or col.state != "ok" or col.control or not col.entries:
                continue
            if getattr(col, "dead_links", None) or (portal.id, u.id, cid) in fixes:
                continue
            out.append((u, col))
            break
    return out


def apply(portal, k: int, as_of: date, fixes: set) -> None:
    """Seed the portal's foot style and its future-dated entries (attributes read by the layouts
    and by `truth_rows`)."""
    from . import interact
    from .spec import Entry

    portal.foot = FEET.get(portal.id, "text")
    interact.seed(portal, as_of)  # the 互动交流 channels (interact.*)
    for u in portal.units:
        for col in u.all_columns():
            col.future_entry = None
            for e in col.entries:
                e.personal, e.personal_control = None, None
                e.personal_file, e.control_file = None, None
    if getattr(portal, "challenge", False) or not portal.reachable:
        return
    _seed_personal(portal, k, fixes)
    for i, (u, col) in enumerate(_candidates(portal, fixes)[:3]):
        if u.entry_status >= 400:
            continue  # broken in this variant: skipped, not re-drawn
        if i < 2:
            when = as_of + timedelta(days=40) if (k + i) % 2 else date(2099, as_of.month, min(as_of.day, 28))
            kind = "future"
        else:
            when, kind = as_of + timedelta(days=1), "tomorrow"
        docid = max(e.docid for e in col.entries) + 500
        entry = Entry(f"{u.short}{FUTURE_TITLES[i % 2]}", when, docid)
        col.entries.insert(0, entry)
        col.future_entry = (kind, entry)


WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def demo_id(portal_code: str, k: int, i: int) -> str:
    """A valid-looking 18-character ID number (GB 11643 check digit) for a person who does not exist."""
    body = f"{portal_code[:6]}1985{(k % 9) + 1:02d}{(i * 7) % 27 + 1:02d}{k}{i}5"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def _seed_personal(portal, k: int, fixes: set) -> None:
    """privacy.exposed defects and controls on newest 政策文件 articles (see the module docstring)."""
    from .spec import PORTAL_DEFS

    base_status = {
        d[0]: (d[4] if len(d) > 4 else 200)
        for pdef in PORTAL_DEFS
        if pdef["id"] == portal.id
        for d in pdef["units"]
    }
    picks = []
    for u in portal.units:
        col = u.columns.get("zcwj")
        if base_status.get(u.id) != 200 or col is None or col.state != "ok" or not col.entries:
            continue
        if sum(c.state != "ok" for c in u.columns.values()) > 2:
            continue  # the many-defect unit keeps its score story (the 空白栏目 veto whatever its points)
        picks.append((u, col))
    picks = picks[-3:]  # the last units of the portal: apart from the first ones' depth defects
    for i, (u, col) in enumerate(picks):
        if (portal.id, u.id, "zcwj") in fixes or u.entry_status >= 400:
            continue
        newest = max((e for e in col.entries if not e.pinned), key=lambda e: e.date)
        if i == 0:
            ident = demo_id(portal.site_code, k, i)
            newest.personal = f"经审核，拟补助对象：王某某，身份证号{ident}，联系电话13{k}{i}8{portal.site_code[-6:]}，请于公示期内提出意见。"
        elif i == 1:
            newest.personal_file = _name_list(portal, k, i, newest.docid)
        else:
            wrong = demo_id(portal.site_code, k, i)
            wrong = wrong[:-1] + ("0" if wrong[-1] != "0" else "1")
            newest.personal_control = (
                f"监督电话：0{portal.site_code[:3]}-6{portal.site_code[-6:]}，咨询电话 13800{portal.site_code[-6:]}；"
                f"档案编号 {wrong}。"
            )
            newest.control_file = _office_lines(portal, newest.docid, wrong)


def _name_list(portal, k: int, i: int, docid: int) -> tuple[str, bytes, str, str]:
    """(path, bytes, content type, link text) of an attached 公示 name list with full numbers."""
    from . import files

    ident = demo_id(portal.site_code, k, i)
    mobile = f"13{k}{i}9{portal.site_code[-6:]}"
    if k % 2 == 0:
        body = files.xlsx(
            [
                ["序号", "姓名", "身份证号码", "联系电话", "银行卡号", "补助金额（元）"],
                [1, "王某某", ident, int(mobile), demo_card(portal.site_code, k), 1200],
            ]
        )
        return f"/uploads/{docid}/bzmd.xlsx", body, files.XLSX, "附件：拟补助对象名单.xlsx"
    body = files.pdf([["拟补助对象名单", f"1. 王某某 身份证号：{ident}", f"联系电话：{mobile}"]])
    return f"/uploads/{docid}/bzmd.pdf", body, files.PDF, "附件：拟补助对象名单.pdf"


def demo_card(portal_code: str, k: int) -> str:
    """A Luhn-valid 19-digit bank card number (a made-up 6217 prefix), kept as text as offices do."""
    body = f"621700{portal_code[-6:]}{k:06d}"
    digits = [int(d) for d in reversed(body)]
    total = sum(
        d * 2 - 9 if i % 2 == 0 and d > 4 else d * 2 if i % 2 == 0 else d for i, d in enumerate(digits)
    )
    return body + str((10 - total % 10) % 10)


def _office_lines(portal, docid: int, wrong_id: str) -> tuple[str, bytes, str, str]:
    """A control attachment: a table of office lines (area code, 办公电话) and a non-ID number."""
    from . import files

    code = portal.site_code
    body = files.docx(
        ["各科室联系方式", f"档案编号：{wrong_id}"],
        [["科室", "办公电话", "咨询电话"], ["办公室", f"0{code[:3]}-6{code[-6:]}", f"13800{code[-6:]}"]],
    )
    return f"/uploads/{docid}/lxfs.docx", body, files.DOCX, "附件：各科室联系方式.docx"


def truth_rows(portal) -> list[dict]:
    """site.identity and date.future rows of one portal (none for challenge/unreachable ones)."""
    if getattr(portal, "challenge", False) or not portal.reachable:
        return []
    rows = []
    if portal.foot == "bare":
        gov = next(u for u in portal.units if u.profile == "government")
        rows.append(
            {
                "rule": "site.identity",
                "portal": portal.id,
                "unit": gov.id,
                "column": None,
                "url_path": "/",
                "note": "首页底部未展示网站标识码、党政机关标识",
            }
        )
    for u in portal.units:
        zcwj = u.columns.get("zcwj")
        if (
            zcwj is not None
            and u.entry_status < 400
            and any(getattr(e, "personal", None) or getattr(e, "personal_file", None) for e in zcwj.entries)
        ):
            rows.append(
                {
                    "rule": "privacy.exposed",
                    "portal": portal.id,
                    "unit": u.id,
                    "column": "zcwj",
                    "url_path": None,  # the article's (or file's) path, named once laid out (network._with_urls)
                    "note": "最新政策文件（或其附件）公开了身份证号和手机号",
                }
            )
        for col in u.columns.values():
            seeded = getattr(col, "future_entry", None)
            if seeded and seeded[0] == "future":
                rows.append(
                    {
                        "rule": "date.future",
                        "portal": portal.id,
                        "unit": u.id,
                        "column": col.cid,
                        "url_path": col.path,
                        "note": f"「{seeded[1].title}」标注 {seeded[1].date.isoformat()}",
                    }
                )
    return rows
