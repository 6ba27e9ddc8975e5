"""Score a checker's findings against the demo network's ground truth."""

from __future__ import annotations

from urllib.parse import urlsplit

RULE_TITLES = {
    "site.unreachable": "站点无法访问",
    "column.missing": "栏目缺失",
    "column.blank": "空白栏目",
    "column.placeholder": "栏目内容以说明代替",
    "column.stale": "栏目不更新",
    "column.undated": "未注明发布时间",
    "link.broken": "错链断链",
    "meta.incomplete": "要素不全",
    "doc.overdue": "定期公开事项逾期",
    "interp.missing": "政策未同步解读",
    "text.typo": "严重错别字",
    "site.identity": "网站标识不全",
    "site.tls": "网站证书无效或即将过期",
    "date.future": "发布日期晚于监测日期",
    "privacy.exposed": "泄露个人隐私",
    "interact.nochannel": "无有效咨询渠道",
    "interact.unanswered": "留言超期未回复",
    "_all": "合计",
}


# Rules whose findings name one page (an article, a link): the match includes that page's path, so
# flagging the wrong article or link is a false positive plus a miss, not a hit.
URL_RULES = frozenset({"link.broken", "meta.incomplete", "text.typo", "interp.missing", "privacy.exposed"})


def _path(url: str | None) -> str | None:
    if not url:
        return None
    return urlsplit(url).path or "/" if "://" in url else url


def _key(row: dict) -> tuple:
    key = (row.get("rule"), row.get("portal"), row.get("unit"), row.get("column") or None)
    if row.get("rule") in URL_RULES:
        # the truth's `url_path`, a finding's `url` (compared by path)
        key += (_path(row["url_path"] if "url_path" in row else row.get("url")),)
    return key


def _score(found: set, expected: set) -> dict:
    tp, fp, fn = len(found & expected), len(found - expected), len(expected - found)
    precision = tp / (tp + fp) if found else (1.0 if not expected else 0.0)
    recall = tp / (tp + fn) if expected else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall}


def evaluate(findings: list[dict], truth: list[dict], rules: list[str] | None = None) -> dict[str, dict]:
    """Per rule: tp, fp, fn, precision, recall, matched on (rule, portal, unit, column) as sets, plus
    the page's URL path for the URL_RULES (truth `url_path` vs. the finding's `url`).

    Vacuous cases: nothing expected and nothing found scores 1.0/1.0; findings where nothing is
    expected score precision 0.0 (recall 1.0); nothing found where something is expected scores
    precision 0.0 and recall 0.0. `rules` defaults to every rule in the truth. "_all" pools the rules.
    """
    if rules is None:
        rules = sorted({r["rule"] for r in truth})
    found = {_key(f) for f in findings}
    expected = {_key(t) for t in truth}
    out: dict[str, dict] = {}
    all_f: set = set()
    all_e: set = set()
    for rule in rules:
        f = {k for k in found if k[0] == rule}
        e = {k for k in expected if k[0] == rule}
        out[rule] = _score(f, e)
        all_f |= f
        all_e |= e
    out["_all"] = _score(all_f, all_e)
    return out


def format_table(scores: dict[str, dict]) -> str:
    """Plain-text table: rule, 中文, tp, fp, fn, P, R."""

    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    def pad(s: str, n: int) -> str:
        return s + " " * max(0, n - width(s))

    head = ["rule", "中文", "tp", "fp", "fn", "P", "R"]
    rows = [
        [
            rule,
            RULE_TITLES.get(rule, ""),
            str(s["tp"]),
            str(s["fp"]),
            str(s["fn"]),
            f"{s['precision']:.2f}",
            f"{s['recall']:.2f}",
        ]
        for rule, s in scores.items()
    ]
    widths = [max(width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(pad(c, widths[i]) for i, c in enumerate(r)).rstrip() for r in [head, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
