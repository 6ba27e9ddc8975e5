"""Charts as inline SVG, drawn in Python: no script, no chart library, nothing fetched.

Every text that reaches the SVG is escaped here (labels may be unit names from the registry or
rule titles); the result is `Markup`, so templates insert it as is. Colours follow the report
palette in `_base.html.j2`; the charts print in black and white as well (lines carry markers,
bars carry their value as text).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

INK, MUTED, GRID, BLUE = "#0b0c0c", "#505a5f", "#d8dadb", "#1d70b8"
PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#b54d00", "#4c2c92", "#28a197", "#f499be", "#505a5f"]
FONT = (
    'font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, '
    'WenQuanYi Micro Hei, sans-serif"'
)


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, label: str, body: list[str], cls: str) -> Markup:
    head = (
        f'<svg class="chart {cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" role="img" aria-label="{escape(label)}" {FONT}>'
        f"<title>{escape(label)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return step * 5 if value > step * 4 else max(step * 4, value)
    return value


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    step = (hi - lo) / (n - 1)
    return [lo + step * i for i in range(n)]


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    y_min: float | None = None,
    y_max: float | None = None,
    unit: str = "",
    width: int = 720,
    height: int = 260,
) -> Markup:
    """Trend lines: one polyline per series over `labels` (None leaves a gap), values printed at
    the last point, a legend when there is more than one series."""
    # The right margin holds the legend ("乡镇/街道 87.1": up to 6 characters and a value).
    left, right, top, bottom = 46, (96 if len(series) <= 1 else 136), 14, 34
    values = [v for _, vs in series for v in vs if v is not None]
    lo = y_min if y_min is not None else min([0.0, *values])
    hi = y_max if y_max is not None else _nice_max(max(values, default=1))
    if hi <= lo:
        hi = lo + 1
    pw, ph = width - left - right, height - top - bottom
    n = max(1, len(labels))

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    body: list[str] = []
    for t in _ticks(lo, hi):
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        body.append(
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{MUTED}">{escape(_num(t))}{escape(unit)}</text>'
        )
    step = max(1, (n + 9) // 10)
    for i, lab in enumerate(labels):
        if i % step == 0 or i == n - 1:
            body.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" font-size="11" text-anchor="middle" '
                f'fill="{MUTED}">{escape(lab)}</text>'
            )
    body.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="{INK}"/>')
    for k, (name, vs) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(vs):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(v)))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in run)
                body.append(
                    f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5" '
                    f'stroke-linejoin="round"/>'
                )
            for a, b in run:
                body.append(
                    f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="#fff" stroke="{color}" '
                    f'stroke-width="2"/>'
                )
        last = next(((i, v) for i, v in reversed(list(enumerate(vs))) if v is not None), None)
        if len(series) == 1 and last is not None:
            body.append(
                f'<text x="{x(last[0]) + 8:.1f}" y="{y(last[1]) + 4:.1f}" font-size="12" '
                f'font-weight="700" fill="{color}">{escape(_num(last[1]) + unit)}</text>'
            )
        elif len(series) > 1:  # legend on the right: name and latest value, never overlapping
            ly = top + 10 + 18 * k
            body.append(
                f'<line x1="{left + pw + 10}" x2="{left + pw + 24}" y1="{ly - 4}" y2="{ly - 4}" '
                f'stroke="{color}" stroke-width="2.5"/>'
            )
            text = name[:6] + (f" {_num(last[1])}{unit}" if last is not None else "")
            body.append(
                f'<text x="{left + pw + 28}" y="{ly}" font-size="11.5" fill="{INK}">{escape(text)}</text>'
            )
    return _svg(width, height, title, body, "line")


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    width: int = 720,
    color: str = BLUE,
    label_width: int = 170,
) -> Markup:
    """Horizontal bars, longest first as given, each labelled with its value."""
    row, top = 26, 6
    height = top * 2 + row * max(1, len(items))
    hi = max((v for _, v in items), default=0) or 1
    pw = width - label_width - 70
    body: list[str] = []
    for i, (label, value) in enumerate(items):
        y0 = top + i * row
        w = max(1.0, pw * value / hi) if value else 0
        text = label if len(label) <= 14 else label[:13] + "…"
        body.append(
            f'<text x="{label_width - 8}" y="{y0 + 17}" font-size="12.5" text-anchor="end" '
            f'fill="{INK}">{escape(text)}</text>'
        )
        body.append(
            f'<rect x="{label_width}" y="{y0 + 4}" width="{w:.1f}" height="{row - 9}" fill="{color}"/>'
        )
        body.append(
            f'<text x="{label_width + w + 6:.1f}" y="{y0 + 17}" font-size="12" font-weight="700" '
            f'fill="{INK}">{escape(_num(value))}{escape(unit)}</text>'
        )
    if not items:
        body.append(
            f'<text x="{width / 2}" y="24" font-size="13" text-anchor="middle" fill="{MUTED}">无数据</text>'
        )
    return _svg(width, height, title, body, "bars")


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    width: int = 720,
    height: int = 220,
) -> Markup:
    """Vertical bars, grouped per label (e.g. findings opened and rectified each week), legend on top."""
    left, right, top, bottom = 40, 10, 30, 34
    pw, ph = width - left - right, height - top - bottom
    n = max(1, len(labels))
    k = max(1, len(series))
    hi = _nice_max(max((v for _, vs, _ in series for v in vs), default=1) or 1)
    slot = pw / n
    bw = max(2.0, min(28.0, slot * 0.8 / k))
    body: list[str] = []
    for t in _ticks(0, hi):
        yy = top + ph - t / hi * ph
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>')
        body.append(
            f'<text x="{left - 6}" y="{yy + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{MUTED}">{escape(_num(t))}</text>'
        )
    lx = left
    for name, _, color in series:
        body.append(f'<rect x="{lx}" y="8" width="12" height="12" fill="{color}"/>')
        body.append(f'<text x="{lx + 16}" y="18" font-size="12" fill="{INK}">{escape(name)}</text>')
        lx += 22 + 13 * len(name) + 12
    step = max(1, (n + 11) // 12)
    for i, lab in enumerate(labels):
        cx = left + slot * i + slot / 2
        for j, (_, vs, color) in enumerate(series):
            v = vs[i] if i < len(vs) else 0
            h = ph * v / hi
            bx = cx - bw * k / 2 + j * bw
            if v:
                body.append(
                    f'<rect x="{bx:.1f}" y="{top + ph - h:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" '
                    f'fill="{color}"><title>{escape(lab)}：{escape(_num(v))}</title></rect>'
                )
        if i % step == 0 or i == n - 1:
            body.append(
                f'<text x="{cx:.1f}" y="{height - 12}" font-size="11" text-anchor="middle" '
                f'fill="{MUTED}">{escape(lab)}</text>'
            )
    body.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="{INK}"/>')
    return _svg(width, height, title, body, "columns")


def distribution(bands: Sequence[tuple[str, int, str]], *, title: str, width: int = 720) -> Markup:
    """One stacked bar split by band (e.g. grades), each part labelled with its name and count."""
    height = 64
    total = sum(c for _, c, _ in bands) or 1
    x0 = 0.0
    body: list[str] = []
    for name, count, color in bands:
        if not count:
            continue
        w = width * count / total
        body.append(f'<rect x="{x0:.1f}" y="4" width="{w:.1f}" height="34" fill="{color}" stroke="#fff"/>')
        if w > 28:
            body.append(
                f'<text x="{x0 + w / 2:.1f}" y="27" font-size="13" font-weight="700" text-anchor="middle" '
                f'fill="#fff">{escape(str(count))}</text>'
            )
        body.append(
            f'<text x="{x0 + 2:.1f}" y="56" font-size="12" fill="{INK}">'
            f"{escape(name)} {escape(str(count))}</text>"
        )
        x0 += w
    if not any(c for _, c, _ in bands):
        body.append(
            f'<text x="{width / 2}" y="27" font-size="13" text-anchor="middle" fill="{MUTED}">无数据</text>'
        )
    return _svg(width, height, title, body, "distribution")


def sparkline(
    values: Sequence[float | None],
    *,
    title: str,
    width: int = 120,
    height: int = 28,
    lo: float = 0,
    hi: float = 100,
) -> Markup:
    """A small trend line for a table cell."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    body: list[str] = []
    n = max(1, len(values) - 1)
    coords = [
        (2 + (width - 4) * i / n, height - 3 - (height - 6) * (v - lo) / ((hi - lo) or 1)) for i, v in pts
    ]
    if len(coords) > 1:
        body.append(
            f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in coords)}" fill="none" '
            f'stroke="{BLUE}" stroke-width="1.8"/>'
        )
    if coords:
        a, b = coords[-1]
        body.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{BLUE}"/>')
    return _svg(width, height, title, body, "spark")
