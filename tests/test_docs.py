"""Every document the code cites is in docs/, and every §N it names is a section there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"docs/([\w-]+\.md)((?:[\s,]*§\d+(?:\.\d+)?)*)")


def _citations() -> list[tuple[str, str, str]]:
    found = []
    for path in [*ROOT.joinpath("zwgk").rglob("*.py"), *ROOT.joinpath("zwgk").rglob("*.yml")]:
        text = path.read_text(encoding="utf-8")
        for match in CITATION.finditer(text):
            for section in re.findall(r"§(\d+(?:\.\d+)?)", match.group(2)):
                found.append((str(path.relative_to(ROOT)), match.group(1), section))
            found.append((str(path.relative_to(ROOT)), match.group(1), ""))
    return found


def test_cited_documents_and_sections_exist():
    cites = _citations()
    assert len({doc for _, doc, _ in cites}) >= 3  # design, standards, portal-patterns are cited
    missing = []
    for where, doc, section in cites:
        path = ROOT / "docs" / doc
        if not path.exists():
            missing.append(f"{where}: docs/{doc}")
            continue
        if section:
            # §1.2 is a sub-heading, or item 2 of the numbered list under section 1
            text = path.read_text(encoding="utf-8")
            top, _, item = section.partition(".")
            heading = re.compile(rf"^#+\s+{re.escape(section)}\.?\s", re.M)
            under = re.search(rf"^##\s+{top}\.\s.*?(?=^##\s|\Z)", text, re.M | re.S)
            if not heading.search(text) and not (
                item and under and re.search(rf"^{item}\.\s", under.group(0), re.M)
            ):
                missing.append(f"{where}: docs/{doc} §{section}")
    assert not missing, missing
