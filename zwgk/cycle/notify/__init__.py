"""Notifications after the daily dispatch: each unit its list, the supervisor the summary, the operator alerts.

Delivery goes through Apprise (the `notify` extra), so one recipient line may be an e-mail
(`mailtos://user:pass@smtp.example.gov.cn?to=fgj@example.gov.cn`), a 企业微信 group robot
(`wecombot://KEY`), a 钉钉 group robot (`dingtalk://TOKEN/`), or a plain JSON webhook on the
intranet (`json://10.1.2.3:8080/hook`). Recipients come from a notifications YAML (`--notify FILE`):

```yaml
retries: 2            # re-sends after a failed send (bounded), waiting retry_delay, 2×, 4× … seconds
retry_delay: 5
min_coverage: 0.8     # alert the operator when the night's crawl reached fewer units than this share
send_clean: false     # also tell units without open findings that all is well
report_url: http://zwgk.intranet/reports/   # optional: where the HTML reports are published
workspace_url: https://zwgk.intranet/       # optional: `zwgk serve`; each unit's message links its page
supervisor: [mailtos://…?to=zwgkb@example.gov.cn]
operator: [json://127.0.0.1:9000/alerts]
units:
  jiyang/fgj: [mailtos://…?to=fgj@example.gov.cn, wecombot://KEY]
```
`${NAME}` in a URL is replaced by the environment variable NAME (keep passwords out of the file).

The chat robots reject an over-long message, so for them a long list is cut to fit (whole items
dropped from the end, with a count and the report link kept): 企业微信 2048 bytes of text, 钉钉
20000 bytes per request (PLATFORM_LIMITS). E-mail and plain webhooks get everything.

A failed send is retried, then recorded — never raised: every dispatch leaves a Run row with
stage `notify` (counts sent/failed/attempts, the failures in `error`), shown by `zwgk status`.
"""

from __future__ import annotations

from .config import MAX_DELAY, MAX_RETRIES, NotifyConfig, Recipient, load_notify_config
from .dispatch import alert_operator, check_and_alert, dispatch_daily, run_problems
from .messages import (
    DINGTALK_REQUEST_BYTES,
    PLATFORM_LIMITS,
    WECOM_TEXT_BYTES,
    Message,
    fit_message,
    for_platform,
    listing,
    supervisor_message,
    unit_message,
)
from .send import Delivery, Sender, apprise_send, deliver, send_messages

__all__ = [
    "DINGTALK_REQUEST_BYTES",
    "MAX_DELAY",
    "MAX_RETRIES",
    "PLATFORM_LIMITS",
    "WECOM_TEXT_BYTES",
    "Delivery",
    "Message",
    "NotifyConfig",
    "Recipient",
    "Sender",
    "alert_operator",
    "apprise_send",
    "check_and_alert",
    "deliver",
    "dispatch_daily",
    "fit_message",
    "for_platform",
    "listing",
    "load_notify_config",
    "run_problems",
    "send_messages",
    "supervisor_message",
    "unit_message",
]
