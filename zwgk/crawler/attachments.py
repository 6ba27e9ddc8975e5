"""Reading an attachment's text in a separate, limited process.

Why a process: the parsers (pypdf, openpyxl, xlrd, olefile) are written for cooperative files. A
hostile or merely huge one — a zip bomb, a PDF whose object graph loops, a 50 MB spreadsheet — can
take gigabytes or minutes inside a library where no bound of ours reaches. The worker runs under
operating-system limits (address space, CPU seconds) and a wall-clock timeout; when it breaks one,
it is killed and the attachment is a typed problem (`timeout`, `memory`), the crawl goes on.

`python -m zwgk.crawler.attachments` is the worker: jobs on stdin, one JSON line each on stdout. Workers
live for many files (class Worker: start-up is most of the cost of a small file).
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import selectors
import subprocess
import sys
import tempfile
import threading
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


class Worker:
    """One long-lived reading process: `python -m zwgk.crawler.attachments --serve`.

    Starting Python and importing the parsers costs about 0.2 s of CPU; one process per attachment
    made a night's CPU mostly start-up. A worker reads attachments one after another under the same
    limits: its address space is capped once at start, its CPU soft limit is moved before each file
    to what it has used plus that file's allowance, and the parent kills it at the wall-clock
    timeout. A worker that broke a limit, answered badly or read `MAX_JOBS` files is replaced."""

    MAX_JOBS = 100

    def __init__(self, memory_mb: int):
        env = {**os.environ, "ZWGK_ATTACHMENT_MEMORY_MB": str(memory_mb)}
        self.memory_mb = memory_mb
        self.jobs = 0
        # a file, not a pipe: parser warnings never fill a buffer nobody reads
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the worker (close)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zwgk.crawler.attachments", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env=env,
        )

    def read(self, body: bytes, url: str, seconds: float) -> AttachmentText:
        self.jobs += 1
        head = json.dumps({"url": url, "size": len(body), "cpu": int(seconds) + 1}) + "\n"
        try:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(head.encode("utf-8") + body)
            self.proc.stdin.flush()
            with selectors.DefaultSelector() as sel:
                sel.register(self.proc.stdout, selectors.EVENT_READ)
                if not sel.select(timeout=seconds):
                    self.close()
                    return AttachmentText("timeout", "unknown", notes=[f"超过 {seconds:g} 秒"])
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = b""
        try:
            return AttachmentText(**json.loads(line.decode("utf-8")))
        except (ValueError, TypeError):
            return self._died()

    def _died(self) -> AttachmentText:
        """No answer: killed by a limit (SIGKILL, SIGXCPU) or a MemoryError before it could answer."""
        self._stop()
        self.errors.seek(0)
        err = self.errors.read()[-20000:].decode("utf-8", "replace")
        self.close()
        code = self.proc.returncode
        if code in (-9, -24) or "MemoryError" in err:
            return AttachmentText("memory" if "MemoryError" in err or code == -9 else "timeout", "unknown")
        return AttachmentText(
            "broken", "unknown", notes=[err.strip().splitlines()[-1][:200] if err.strip() else ""]
        )

    @property
    def usable(self) -> bool:
        return self.proc.poll() is None and self.jobs < self.MAX_JOBS

    def _stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        self._stop()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        self.errors.close()


class Pool:
    """Idle workers by memory limit, shared by the crawl's reading threads."""

    def __init__(self):
        self._idle: list[Worker] = []
        self._lock = threading.Lock()

    def read(self, body: bytes, url: str, seconds: float, memory_mb: int) -> AttachmentText:
        with self._lock:
            worker = next((w for w in self._idle if w.memory_mb == memory_mb), None)
            if worker is not None:
                self._idle.remove(worker)
        if worker is None or not worker.usable:
            if worker is not None:
                worker.close()
            worker = Worker(memory_mb)
        out = worker.read(body, url, seconds)
        if out.status in ("timeout", "memory"):
            worker.close()  # whatever it was doing, it does not go on
        if worker.usable:
            with self._lock:
                self._idle.append(worker)
        else:
            worker.close()
        return out

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


POOL = Pool()
atexit.register(POOL.close)


def read_attachment(
    body: bytes, url: str = "", seconds: float = 20.0, memory_mb: int = 768
) -> AttachmentText:
    """The attachment's text, read by a worker process within `seconds` and `memory_mb`."""
    return POOL.read(body, url, seconds, memory_mb)


def _limit_self() -> None:
    memory = int(os.environ.get("ZWGK_ATTACHMENT_MEMORY_MB", "768")) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _allow_cpu(seconds: int) -> None:
    """The CPU soft limit at what this process has used plus `seconds` (SIGXCPU past it)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    now = int(used.ru_utime + used.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = now + seconds
    resource.setrlimit(
        resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard)
    )


def serve() -> int:
    """The worker loop: a JSON header line and the file's bytes in, one JSON line out."""
    _limit_self()
    from zwgk.crawler.extract.attachment import extract

    # answers go to the original stdout only; anything a parser prints goes to stderr
    stdin, stdout = sys.stdin.buffer, os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = sys.stderr
    while True:
        head = stdin.readline()
        if not head:
            return 0
        job = json.loads(head)
        body = stdin.read(job["size"])
        _allow_cpu(job["cpu"])
        try:
            out = extract(body, job["url"])
        except MemoryError:
            out = AttachmentText("memory", "unknown")
        stdout.write(json.dumps(asdict(out), ensure_ascii=False) + "\n")
        stdout.flush()
        if out.status == "memory":
            return 0  # a process that ran out of memory is not trusted with the next file


if __name__ == "__main__":
    raise SystemExit(serve())
