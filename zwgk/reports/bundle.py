"""Each report's numbers as files beside its HTML: one XLSX workbook (a sheet per table, pandas +
openpyxl), one JSON document and one CSV per table (UTF-8 with BOM, for Excel)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zwgk.reports.exports import _ILLEGAL_XLSX, _display_width, _fields, _flat, write_rows


def _cell(value: Any) -> Any:
    value = _flat(value)
    return _ILLEGAL_XLSX.sub("", value) if isinstance(value, str) else value


def write_bundle(out_dir: Path, stem: str, tables: dict[str, list[dict[str, Any]]], meta: dict[str, Any],
                 sheet_names: dict[str, str] | None = None) -> dict[str, str]:
    """Write `stem.xlsx`, `data/stem.json` and `data/stem-<table>.csv`; return {format: relative path}."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    out_dir = Path(out_dir)
    data_dir = out_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    links = {"xlsx": f"{stem}.xlsx", "json": f"data/{stem}.json"}
    doc = {**meta, "tables": tables}
    tmp = data_dir / f"{stem}.json.tmp"
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    tmp.replace(data_dir / f"{stem}.json")
    for name, rows in tables.items():
        write_rows(rows, "csv", data_dir / f"{stem}-{name}.csv")
        links[f"csv:{name}"] = f"data/{stem}-{name}.csv"
    path = out_dir / f"{stem}.xlsx"
    tmp_x = out_dir / f".{stem}.xlsx.tmp"
    with pd.ExcelWriter(tmp_x, engine="openpyxl") as writer:
        for name, rows in tables.items():
            names = _fields(rows, None) or ["—"]
            frame = pd.DataFrame([[_cell(r.get(k)) for k in names] for r in rows], columns=names, dtype=object)
            sheet_name = (sheet_names or {}).get(name, name)[:31]
            frame.to_excel(writer, index=False, sheet_name=sheet_name)
            sheet = writer.sheets[sheet_name]
            for row in sheet.iter_rows(min_row=2):
                for c in row:
                    if c.data_type == "f":  # crawled text starting with '=' stays text
                        c.data_type = "s"
            for c in sheet[1]:
                c.font = Font(bold=True)
                c.alignment = Alignment(vertical="center")
            sheet.freeze_panes = "A2"
            for idx, key in enumerate(names, start=1):
                widths = [_display_width(str(key))] + [_display_width(str(_flat(r.get(key)))) for r in rows[:300]]
                sheet.column_dimensions[get_column_letter(idx)].width = min(max(widths) + 2, 60)
    tmp_x.replace(path)
    return links
