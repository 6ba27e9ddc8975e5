"""Reading an attachment's text in a separate, limited process.

Why a process: the parsers (pypdf, openpyxl, xlrd, olefile) are written for cooperative files. A
hostile or merely huge one — a zip bomb, a PDF whose object graph loops, a 50 MB spreadsheet — can
take gigabytes or minutes inside a library where no bound of ours reaches. The worker runs under
operating-system limits (address space, CPU seconds) and a wall-clock timeout; when it breaks one,
it is killed and the attachment is a typed problem (`timeout`, `memory`), the crawl goes on.

`python -m zwgk.crawler.attachments` is the worker: the attachment on stdin, JSON on stdout.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import asdict

from zwgk.crawler.extract.attachment import AttachmentText

# What an operator reads about an attachment that could not be read (crawl notes, never a finding).
PROBLEMS = {
    "too_large": "附件超过大小上限，未读取内容",
    "encrypted": "附件已加密，无法读取内容",
    "bomb": "附件解压后过大（疑似压缩炸弹），未读取",
    "no_text": "附件为扫描图片，没有可读取的文字",
    "unsupported": "附件格式无法读取",
    "broken": "附件文件损坏，无法读取",
    "timeout": "附件读取超时，已中止",
    "memory": "附件过于复杂，读取超出内存上限，已中止",
    "fetch_failed": "附件下载失败",
}


def read_attachment(
    body: bytes, url: str = "", seconds: float = 20.0, memory_mb: int = 768
) -> AttachmentText:
    """The attachment's text, read by a worker process within `seconds` and `memory_mb`."""
    env = {
        **os.environ,
        "ZWGK_ATTACHMENT_MEMORY_MB": str(memory_mb),
        "ZWGK_ATTACHMENT_CPU": str(int(seconds) + 1),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "zwgk.crawler.attachments", url],
            input=body,
            capture_output=True,
            timeout=seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return AttachmentText("timeout", "unknown", notes=[f"超过 {seconds:g} 秒"])
    try:
        data = json.loads(proc.stdout.decode("utf-8"))
        return AttachmentText(**data)
    except (ValueError, TypeError):
        # killed by a limit (SIGKILL, SIGXCPU) or a MemoryError before it could answer
        err = proc.stderr.decode("utf-8", "replace")
        if proc.returncode in (-9, -24) or "MemoryError" in err:
            return AttachmentText(
                "memory" if "MemoryError" in err or proc.returncode == -9 else "timeout", "unknown"
            )
        return AttachmentText(
            "broken", "unknown", notes=[err.strip().splitlines()[-1][:200] if err.strip() else ""]
        )


def _limit_self() -> None:
    memory = int(os.environ.get("ZWGK_ATTACHMENT_MEMORY_MB", "768")) * 1024 * 1024
    cpu = int(os.environ.get("ZWGK_ATTACHMENT_CPU", "21"))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def main() -> int:
    _limit_self()
    from zwgk.crawler.extract.attachment import extract

    body = sys.stdin.buffer.read()
    url = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        out = extract(body, url)
    except MemoryError:
        out = AttachmentText("memory", "unknown")
    sys.stdout.write(json.dumps(asdict(out), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
