"""Server-side maps and charts: the no-JavaScript baseline of every map and chart on the dashboard.

This module only computes geometry (numbers and path strings made of numbers). Every piece of text a picture
shows (place names, tooltips, legends) stays a plain string and is escaped by the Jinja templates that draw
the SVG elements, so no markup built here ever carries source text.

Maps use an equirectangular projection with the standard parallel at the centre of the view, which keeps
shapes right at any latitude a story map needs. Country outlines (Natural Earth, converted at set-up by
``vendor.py``) are loaded once; the outline path of a view is cached, and views snap to a half-degree grid so
that the stories of one region share a cache entry.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

MAP_WIDTH = 640
MIN_SPAN_DEG = 3.0
SNAP_DEG = 0.5
MIN_RING_PX = 2.0
MIN_STEP_PX = 3  # Manhattan distance in pixels between kept outline points
PALETTE = ["#c0392b", "#2e86c1", "#27ae60", "#8e44ad", "#d68910", "#17a589", "#7f8c8d", "#a04000", "#1f3a93", "#b03a6f"]


# -- outlines -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Ring:
    bbox: tuple[float, float, float, float]
    coords: list[float]  # lon, lat, lon, lat, ...


@dataclass(slots=True)
class Outlines:
    rings: list[Ring]
    source: str = ""

    @classmethod
    def load(cls, path: Path) -> Outlines | None:
        """The outline file written by ``vendor.py``; None when set-up did not make one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        rings = []
        for country in data.get("countries", []):
            for coords in country.get("rings", []):
                lons, lats = coords[0::2], coords[1::2]
                if lons:
                    rings.append(Ring((min(lons), min(lats), max(lons), max(lats)), coords))
        return cls(rings, str(data.get("source", ""))) if rings else None


# -- views --------------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class View:
    """A lon/lat box drawn into ``width`` x ``height`` pixels."""

    lon0: float
    lat0: float
    lon1: float
    lat1: float
    width: int
    height: int

    @property
    def kx(self) -> float:
        return self.width / (self.lon1 - self.lon0)

    @property
    def ky(self) -> float:
        return self.height / (self.lat1 - self.lat0)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.kx, (self.lat1 - lat) * self.ky)


def view_for(points: Iterable[tuple[float, float]], width: int = MAP_WIDTH, aspect: tuple[float, float] = (0.5, 0.85)) -> View:
    """A view around (lon, lat) points with a margin; the whole world when there are none."""
    pts = [(lon, lat) for lon, lat in points if -180 <= lon <= 180 and -90 <= lat <= 90]
    if not pts:
        return View(-180.0, -60.0, 180.0, 84.0, width, int(width * 0.5))
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    pad_lon = max((lon1 - lon0) * 0.15, MIN_SPAN_DEG / 2)
    pad_lat = max((lat1 - lat0) * 0.15, MIN_SPAN_DEG / 2)
    lon0, lon1 = max(lon0 - pad_lon, -180.0), min(lon1 + pad_lon, 180.0)
    lat0, lat1 = lat0 - pad_lat, lat1 + pad_lat
    # Snap outward so that nearby stories share a view (and its cached outline path).
    lon0, lat0 = math.floor(lon0 / SNAP_DEG) * SNAP_DEG, math.floor(lat0 / SNAP_DEG) * SNAP_DEG
    lon1, lat1 = math.ceil(lon1 / SNAP_DEG) * SNAP_DEG, math.ceil(lat1 / SNAP_DEG) * SNAP_DEG
    lat0, lat1 = max(lat0, -85.0), min(lat1, 85.0)
    if lon1 - lon0 > 300:
        # Nearly the whole world: draw the usual world frame rather than a sliver of polar seas.
        return View(-180.0, -60.0, 180.0, 84.0, width, int(width * 0.5))
    cos_mid = max(math.cos(math.radians((lat0 + lat1) / 2)), 0.2)
    ground_w = (lon1 - lon0) * cos_mid
    ground_h = lat1 - lat0
    # Widen the short side so the picture keeps a readable shape.
    low, high = aspect
    if ground_h / ground_w < low:
        extra = (ground_w * low - ground_h) / 2
        lat0, lat1 = max(lat0 - extra, -85.0), min(lat1 + extra, 85.0)
        ground_h = lat1 - lat0
    elif ground_h / ground_w > high:
        extra = (ground_h / high - ground_w) / cos_mid / 2
        lon0, lon1 = max(lon0 - extra, -180.0), min(lon1 + extra, 180.0)
        ground_w = (lon1 - lon0) * cos_mid
    height = max(120, int(round(width * ground_h / ground_w)))
    return View(round(lon0, 3), round(lat0, 3), round(lon1, 3), round(lat1, 3), width, height)


class OutlineRenderer:
    """Country outlines as one SVG path per view, computed once per view and kept in a small LRU cache."""

    def __init__(self, outlines: Outlines | None, cache_size: int = 256) -> None:
        self.outlines = outlines
        self._cache: OrderedDict[View, str] = OrderedDict()
        self._size = cache_size
        self._lock = Lock()

    def path(self, view: View) -> str:
        if self.outlines is None:
            return ""
        with self._lock:
            hit = self._cache.get(view)
            if hit is not None:
                self._cache.move_to_end(view)
                return hit
        d = _outline_path(self.outlines, view)
        with self._lock:
            self._cache[view] = d
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return d


def _outline_path(outlines: Outlines, view: View) -> str:
    margin_lon = (view.lon1 - view.lon0) * 0.1
    margin_lat = (view.lat1 - view.lat0) * 0.1
    box = (view.lon0 - margin_lon, view.lat0 - margin_lat, view.lon1 + margin_lon, view.lat1 + margin_lat)
    # Points outside the view are clamped to a band around it: edges of 50m outlines are short, so what the
    # clamping changes stays in the band, outside the picture, and the path stays small.
    mx, my = view.width * 0.1, view.height * 0.1
    xmin, xmax, ymin, ymax = -mx, view.width + mx, -my, view.height + my
    kx, ky, lon0, lat1 = view.kx, view.ky, view.lon0, view.lat1
    parts: list[str] = []
    for ring in outlines.rings:
        b = ring.bbox
        if b[2] < box[0] or b[0] > box[2] or b[3] < box[1] or b[1] > box[3]:
            continue
        # Islands smaller than a pixel or two add bytes, not information.
        if (b[2] - b[0]) * kx < MIN_RING_PX and (b[3] - b[1]) * ky < MIN_RING_PX:
            continue
        coords = ring.coords
        # Relative moves ("l dx dy ...") keep the numbers short.
        out: list[str] = []
        first = True
        last_x = last_y = 0
        for i in range(0, len(coords), 2):
            x = round(min(max((coords[i] - lon0) * kx, xmin), xmax))
            y = round(min(max((lat1 - coords[i + 1]) * ky, ymin), ymax))
            if first:
                out.append(f"M{x} {y}l")
                first = False
            elif abs(x - last_x) + abs(y - last_y) < MIN_STEP_PX:
                continue
            else:
                out.append(f"{x - last_x} {y - last_y}")
            last_x, last_y = x, y
        if len(out) >= 3:
            parts.append(out[0] + " ".join(out[1:]) + "z")
    return "".join(parts)


def graticule_path(view: View) -> str:
    span = max(view.lon1 - view.lon0, view.lat1 - view.lat0)
    step = next((s for s in (1, 2, 5, 10, 15, 30) if span / s <= 8), 30)
    parts = []
    lon = math.ceil(view.lon0 / step) * step
    while lon <= view.lon1:
        x = (lon - view.lon0) * view.kx
        parts.append(f"M{x:.1f} 0V{view.height}")
        lon += step
    lat = math.ceil(view.lat0 / step) * step
    while lat <= view.lat1:
        y = (view.lat1 - lat) * view.ky
        parts.append(f"M0 {y:.1f}H{view.width}")
        lat += step
    return "".join(parts)


# -- map pictures ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class MapPoint:
    """Something to mark on a map; ``label`` and ``title`` are plain text."""

    lon: float
    lat: float
    label: str
    title: str = ""
    group: str = ""  # colour group (a side on a control map)
    weight: int = 1
    full: bool = True  # False draws a ring (a place entered but not held)
    href: str | None = None


@dataclass(slots=True)
class Marker:
    x: float
    y: float
    r: float
    label: str
    title: str
    color: str
    full: bool
    href: str | None
    show_label: bool
    label_x: float
    anchor: str


@dataclass(slots=True)
class LegendItem:
    label: str
    color: str


@dataclass(slots=True)
class MapPicture:
    width: int
    height: int
    outline: str
    graticule: str
    markers: list[Marker] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    has_outlines: bool = True


def group_colors(groups: Sequence[str]) -> dict[str, str]:
    """A stable colour per group, in the order given (most important first)."""
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}


def _label_box(label: str, x: float, y: float, leftward: bool) -> tuple[float, float, float, float]:
    """Roughly where an 11px label sits: about 6.2 px per character."""
    w = 6.2 * len(label) + 2
    return (x - w, y - 9, x, y + 5) if leftward else (x, y - 9, x + w, y + 5)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def map_picture(
    renderer: OutlineRenderer,
    points: Sequence[MapPoint],
    *,
    colors: dict[str, str] | None = None,
    legend_names: dict[str, str] | None = None,
    max_labels: int = 12,
    width: int = MAP_WIDTH,
    extent: Sequence[tuple[float, float]] | None = None,
) -> MapPicture:
    """``extent`` (lon, lat points) fixes the view, so that pictures of one place over time line up."""
    view = view_for(extent if extent else [(p.lon, p.lat) for p in points], width)
    colors = colors or {}
    markers = []
    placed: list[tuple[float, float, float, float]] = []
    # Bigger places first: they are drawn underneath and get first claim on a label.
    for p in sorted(points, key=lambda p: (-p.weight, p.label)):
        x, y = view.project(p.lon, p.lat)
        r = min(4.0 + 2.5 * math.sqrt(max(p.weight, 1) - 1), 16.0)
        right_side = x > view.width * 0.7
        label_x = x - r - 3 if right_side else x + r + 3
        box = _label_box(p.label, label_x, y, right_side)
        show = (
            bool(p.label)
            and len(placed) < max_labels
            and box[0] >= 0
            and box[2] <= view.width
            and not any(_overlap(box, other) for other in placed)
        )
        if show:
            placed.append(box)
        markers.append(
            Marker(
                x=round(x, 1),
                y=round(y, 1),
                r=round(r, 1),
                label=p.label,
                title=p.title or p.label,
                color=colors.get(p.group, "#c0392b"),
                full=p.full,
                href=p.href,
                show_label=show,
                label_x=round(label_x, 1),
                anchor="end" if right_side else "start",
            )
        )
    legend = [LegendItem((legend_names or {}).get(g, g), c) for g, c in colors.items()]
    return MapPicture(
        width=view.width,
        height=view.height,
        outline=renderer.path(view),
        graticule=graticule_path(view),
        markers=markers,
        legend=legend,
        has_outlines=renderer.outlines is not None,
    )


# -- charts ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    title: str


@dataclass(slots=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    first: str
    last: str
    peak: int
    baseline: float


def day_chart(counts: Sequence[tuple[str, int]], unit: str = "event", width: int = 320, height: int = 80) -> BarChart | None:
    """Bars for consecutive days, given (YYYY-MM-DD, count) rows for the days that have any."""
    import datetime as dt

    parsed = []
    for day, n in counts:
        try:
            parsed.append((dt.date.fromisoformat(day[:10]), n))
        except ValueError:
            continue
    if not parsed:
        return None
    parsed.sort()
    first, last = parsed[0][0], parsed[-1][0]
    by_day = dict(parsed)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    peak = max(by_day.values()) or 1
    plot_h = height - 16  # room for the date labels
    step = width / len(days)
    bars = []
    for i, day in enumerate(days):
        n = by_day.get(day, 0)
        h = plot_h * n / peak
        plural = "" if n == 1 else "s"
        bars.append(
            Bar(
                x=round(i * step, 2),
                y=round(plot_h - h, 2),
                w=round(max(step - (1 if step > 3 else 0), 0.5), 2),
                h=round(h, 2),
                title=f"{day.isoformat()}: {n} {unit}{plural}",
            )
        )
    return BarChart(width, height, bars, first.isoformat(), last.isoformat(), peak, plot_h)
