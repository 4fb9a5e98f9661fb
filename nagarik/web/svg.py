"""Charts and the ward map as inline SVG, drawn on the server (no JavaScript, no tile server)."""

from __future__ import annotations

from html import escape
from typing import Any, List, Mapping, Optional, Sequence, Tuple

BAR_COLOUR = "#2f6f9f"
SECOND_COLOUR = "#e0892b"


def bar_chart(rows: Sequence[Tuple[str, int]], width: int = 420, label_width: int = 170) -> str:
    """Horizontal bars, one per (label, count), the count written at the end of each bar."""
    if not rows:
        return ""
    height, gap = 20, 6
    top = max(count for _, count in rows) or 1
    span = width - label_width - 50
    parts = [f'<svg class="chart" viewBox="0 0 {width} {len(rows) * (height + gap)}" role="img">']
    for index, (label, count) in enumerate(rows):
        y = index * (height + gap)
        length = max(1, round(span * count / top)) if count else 0
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{height}" fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 15}">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def weekly_chart(weeks: Sequence[Tuple[str, int, int]], legend: Tuple[str, str], width: int = 640) -> str:
    """Paired columns per week: (week label, received, resolved)."""
    if not weeks:
        return ""
    height, bottom, left = 180, 36, 30
    top = max(max(received, resolved) for _, received, resolved in weeks) or 1
    slot = (width - left) / len(weeks)
    bar = max(2.0, slot / 2 - 3)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + bottom + 18}" role="img">',
             f'<text x="0" y="12">{top}</text><line x1="{left}" y1="{height}" x2="{width}" y2="{height}" stroke="#999"/>']
    for index, (label, received, resolved) in enumerate(weeks):
        x = left + index * slot
        for offset, value, colour in ((0, received, BAR_COLOUR), (bar + 1, resolved, SECOND_COLOUR)):
            h = height * value / top
            parts.append(f'<rect x="{x + offset:.1f}" y="{height - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{escape(label)}: {value}</title></rect>')
        if index % 2 == 0:
            parts.append(f'<text x="{x:.1f}" y="{height + 14}" class="small">{escape(label)}</text>')
    legend_y = height + bottom
    parts.append(f'<rect x="{left}" y="{legend_y}" width="12" height="12" fill="{BAR_COLOUR}"/>'
                 f'<text x="{left + 16}" y="{legend_y + 11}">{escape(legend[0])}</text>'
                 f'<rect x="{left + 160}" y="{legend_y}" width="12" height="12" fill="{SECOND_COLOUR}"/>'
                 f'<text x="{left + 176}" y="{legend_y + 11}">{escape(legend[1])}</text></svg>')
    return "".join(parts)


def _rings(boundary: Optional[Mapping[str, Any]]) -> List[List[Tuple[float, float]]]:
    if not boundary:
        return []
    polygons = [boundary["coordinates"]] if boundary.get("type") == "Polygon" else boundary.get("coordinates", [])
    return [[(float(p[0]), float(p[1])) for p in polygon[0]] for polygon in polygons]


def ward_map(boundary: Optional[Mapping[str, Any]], pin: Optional[Tuple[float, float]], size: int = 320) -> str:
    """The ward's outline with the complaint's pin (longitude, latitude), scaled to fit; '' if neither is known."""
    rings = _rings(boundary)
    points = [p for ring in rings for p in ring] + ([pin] if pin else [])
    if not points:
        return ""
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    extent = max(east - west, north - south) or 0.002
    margin = extent * 0.1
    scale = (size - 20) / (extent + 2 * margin)

    def xy(point: Tuple[float, float]) -> str:
        return f"{10 + (point[0] - west + margin) * scale:.1f},{10 + (north + margin - point[1]) * scale:.1f}"

    parts = [f'<svg class="map" viewBox="0 0 {size} {size}" role="img"><rect width="{size}" height="{size}" fill="#eef3ea"/>']
    for ring in rings:
        parts.append(f'<polygon points="{" ".join(xy(p) for p in ring)}" fill="#cfe3c4" stroke="#3c6e2f" stroke-width="2"/>')
    if pin:
        x, y = (float(v) for v in xy(pin).split(","))
        parts.append(f'<circle cx="{x}" cy="{y - 12}" r="7" fill="#c0392b"/><path d="M{x - 6},{y - 9} L{x},{y} L{x + 6},{y - 9} Z" '
                     f'fill="#c0392b"/><circle cx="{x}" cy="{y - 12}" r="2.5" fill="#fff"/>')
    parts.append("</svg>")
    return "".join(parts)
