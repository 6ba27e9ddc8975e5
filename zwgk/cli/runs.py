"""Run records as an operator reads them: stages, statuses and counts in plain Chinese.

The stored values (stage 'crawl', status 'ok', counts key 'column_ok') are the contract of the
JSON output and the exports; this module only names them for the terminal, so that `zwgk run`,
`zwgk status` and the scheduler's lines read the same words.
"""

from __future__ import annotations

from typing import Any

from zwgk.cycle.jobs import JOB_NAMES
from zwgk.cycle.records import STAGE_LABELS, STATUS_LABELS

STAGES = STAGE_LABELS  # one wording for run stages and outcomes: the CLI, the workspace
STATUSES = STATUS_LABELS


COUNTS = {
    "requests": "请求",
    "responses": "响应",
    "elapsed_s": "耗时（秒）",
    "spider_exceptions": "解析异常",
    "store_failed": "未能保存",
    "units": "单位",
    "drafts": "检出问题",
    "opened": "新增问题",
    "rectified": "销号",
    "reopened": "重新打开",
    "overdue": "逾期",
    "still_open": "仍未整改",
    "kept_unseen": "未能复查（保持原状）",
    "frozen_scores": "冻结月度分数",
    "sent": "已发送",
    "failed": "发送失败",
    "kind": "类别",
    "report": "报告",
    "path": "文件",
    "workers": "抓取进程",
    "worker_requests": "各进程请求",
    "links_cut": "超出检查额度未检查的链接（次日起轮换检查）",
}

TARGETS = {"column": "栏目", "portal": "网站", "unit": "单位", "link": "链接", "article": "文章"}


def stage_label(stage: str) -> str:
    return STAGES.get(stage, stage)


def status_label(status: str) -> str:
    return STATUSES.get(status, status)


def count_label(key: str) -> str:
    """Snapshot tallies such as 'column_ok' → '栏目成功'; keys from the crawl's snapshot tally get a readable name too."""
    if key in COUNTS:
        return COUNTS[key]
    target, _, status = key.partition("_")
    if target in TARGETS and status:
        return f"{TARGETS[target]}{status_label(status) if status in STATUSES else status}"
    return key


def counts_text(counts: dict[str, Any], skip: tuple[str, ...] = ("log",)) -> str:
    """The counts of a run on one line, '请求 120，响应 118，…', in a stable order."""
    return "，".join(
        f"{count_label(k)} {v}"
        for k, v in sorted(counts.items())
        if k not in skip and not isinstance(v, dict) and not (k == "links_cut" and not v)
    )


JOBS = JOB_NAMES


def job_label(job_id: str) -> str:
    """A scheduled job by its Chinese name, with the id an operator passes to schedule.yml."""
    return f"{JOBS[job_id]}（{job_id}）" if job_id in JOBS else job_id
