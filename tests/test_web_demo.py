"""`zwgk demo` tells how to open the workspace, and `zwgk demo --serve` serves it with its demo
accounts over the still-running demo network (a recheck there re-reads a live page)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.test_web_browser import _free_port

httpx = pytest.importorskip("httpx")
pytestmark = pytest.mark.slow


def test_demo_serve_signs_in_with_the_printed_accounts(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "zwgk.cli", "demo", "--serve", "--port", str(port), "--nights", "1",
         "--as-of", "2026-11-23", "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "工作台：http://127.0.0.1" in line:
                break
        text = "".join(lines)
        m = re.search(r"单位 (\w+)（(.+?)）.*密码均为 ([\w-]+)", text)
        assert m, text[-2000:]
        login, unit_name, password = m.groups()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, follow_redirects=True) as client:
            form = client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            page = client.post(
                "/login", data={"login": login, "password": password, "csrf": token, "next": "/"}
            )
            assert page.status_code == 200 and unit_name in page.text
            assert re.search(r'data-number="ZW-\d+"', page.text), "the department's findings are listed"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
