"""Small charts drawn on the server as SVG: no script, no library, nothing fetched. Each returns markup that
scales to the width of its container (a phone or a desk screen) and carries a text title for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BLUE = "#0b4ea2"
SHADES = ("#0b4ea2", "#3a78c9", "#7aa7e0", "#b9d0ef")
WIDTH = 420
ROW = 26
LABEL = 130


def _svg(title: str, height: int, body: str) -> Markup:
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="sans-serif">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _bar(y: int, label: str, fraction: float, shown: str, colour: str = BLUE) -> str:
    room = WIDTH - LABEL - 70
    length = max(round(room * min(max(fraction, 0.0), 1.0)), 1)
    return (
        f'<text x="{LABEL - 8}" y="{y + 17}" text-anchor="end" fill="#1f2329">{escape(label[:9])}</text>'
        f'<rect x="{LABEL}" y="{y + 5}" width="{length}" height="{ROW - 10}" fill="{colour}" rx="2"/>'
        f'<text x="{LABEL + length + 6}" y="{y + 17}" fill="#646a73">{escape(shown)}</text>'
    )


def bars(title: str, items: Sequence[tuple[str, float]], *, percent: bool = False) -> Markup:
    """Horizontal bars, one per label; ``percent`` draws shares (0–1) against 100%, otherwise counts
    against the largest."""
    top = 1.0 if percent else max((v for _, v in items), default=0) or 1
    body = "".join(
        _bar(i * ROW, label, value / top, f"{value * 100:.0f}%" if percent else f"{value:g}")
        for i, (label, value) in enumerate(items)
    )
    return _svg(title, max(len(items), 1) * ROW + 4, body or _empty())


def columns(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """Vertical bars in order (months), the value above each and the label below."""
    height, base = 180, 150
    top = max((v for _, v in items), default=0) or 1
    step = (WIDTH - 20) / max(len(items), 1)
    width = min(step * 0.7, 48)
    parts = []
    for i, (label, value) in enumerate(items):
        x = 10 + i * step + (step - width) / 2
        tall = round((base - 30) * value / top)
        middle = f'x="{x + width / 2:.1f}" text-anchor="middle"'
        parts.append(
            f'<rect x="{x:.1f}" y="{base - tall}" width="{width:.1f}" height="{tall}" fill="{BLUE}" rx="2"/>'
            f'<text {middle} y="{base - tall - 5}" fill="#1f2329">{value}</text>'
            f'<text {middle} y="{base + 18}" fill="#646a73">{escape(label)}</text>'
        )
    return _svg(title, height, "".join(parts) or _empty())


def funnel(title: str, steps: Sequence[str], groups: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """For each group (a department) its steps as shaded bars against the first step (pushes)."""
    parts, y = [], 0
    for name, counts in groups:
        parts.append(f'<text x="0" y="{y + 16}" font-weight="bold" fill="#1f2329">{escape(name)}</text>')
        y += ROW - 6
        first = counts[0] or 1
        for i, (step, count) in enumerate(zip(steps, counts, strict=True)):
            parts.append(_bar(y, step, count / first, str(count), SHADES[i % len(SHADES)]))
            y += ROW
        y += 6
    return _svg(title, max(y, ROW) + 4, "".join(parts) or _empty())


def _empty() -> str:
    return f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" fill="#646a73">期间内没有数据</text>'
