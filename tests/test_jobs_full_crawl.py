"""The nightly job re-crawls in full on its `full_on` weekday (links behind unchanged pages re-checked)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from zwgk.cycle import jobs, stages
from zwgk.scheduler import load_config

SITES = """\
portals:
  - id: p1
    name: 测试区人民政府
    home: http://127.0.0.1:9/
    units:
      - {id: gov, name: 测试区人民政府, profile: government, entry: http://127.0.0.1:9/xxgk/}
"""


@pytest.mark.parametrize(
    ("day", "full"), [(datetime(2026, 11, 22, 1), True), (datetime(2026, 11, 23, 1), False)]
)
def test_full_crawl_on_the_configured_weekday(tmp_path, monkeypatch, day, full):
    sites = tmp_path / "sites.yml"
    sites.write_text(SITES, encoding="utf-8")
    seen = {}

    def fake_crawl(store, path, registry, as_of, catalog=None, **kw):
        seen["settings"] = kw.get("settings")
        raise stages.StageFailed("stop after recording the call")

    monkeypatch.setattr(stages, "crawl", fake_crawl)
    with pytest.raises(stages.StageFailed):
        jobs.nightly(
            str(sites),
            db=f"sqlite:///{tmp_path}/t.db",
            full_on="sun",
            clock=lambda: day.replace(tzinfo=ZoneInfo("Asia/Shanghai")),
        )
    assert (seen["settings"] == {"ZWGK_FULL": "True"}) is full


def test_builtin_schedule_asks_for_a_sunday_full_crawl():
    config = load_config(None)
    nightly = next(j for j in config.jobs if j.id == "nightly")
    assert nightly.kwargs.get("full_on") == "sun"
