"""Set-up step: copy the front-end libraries from ``node_modules`` into the git-ignored ``static/vendor/``.

Run once by the set-up (``python -m watchfloor.web.vendor [NODE_MODULES]``) after ``npm ci`` in
``web-frontend/``. Nothing here runs per request: the dashboard serves what this step left behind, and falls
back to its server-side SVG map when the folder is missing.

Besides copying Leaflet and topojson-client, it converts world-atlas's Natural Earth country outlines
(TopoJSON) into ``outlines.json``: rings of rounded lon/lat pairs that ``svg.py`` projects without any
TopoJSON decoding at run time.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
DEFAULT_NODE_MODULES = Path(__file__).resolve().parents[2] / "web-frontend" / "node_modules"
OUTLINES_FILE = "outlines.json"
OUTLINE_SOURCE = "countries-50m.json"

# (package, file inside it, where it goes under vendor/)
FILES: list[tuple[str, str, str]] = [
    ("leaflet", "dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "LICENSE", "leaflet/LICENSE"),
    ("topojson-client", "dist/topojson-client.min.js", "topojson-client/topojson-client.min.js"),
    ("topojson-client", "LICENSE", "topojson-client/LICENSE"),
    ("world-atlas", OUTLINE_SOURCE, f"world-atlas/{OUTLINE_SOURCE}"),
    ("world-atlas", "LICENSE", "world-atlas/LICENSE"),
]

# 0.01 degree is about 1 km: finer than any map this dashboard draws.
ROUND_DIGITS = 2


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as absolute lon/lat points (quantized arcs are delta-encoded)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _ring(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stitch arcs into one ring; a negative index ~i means arc i reversed, and shared end points are dropped."""
    out: list[tuple[float, float]] = []
    for index in arc_ids:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        out.extend(points[1:] if out else points)
    return out


def unwrap_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring made drawable on a flat map: no edge jumps across the antimeridian.

    A ring that crosses and comes back (eastern Russia, Fiji) continues past 180 degrees instead; a ring
    around a pole (Antarctica) is rotated to start at the crossing and closed along the pole's latitude.
    """
    jumps = [i for i in range(1, len(ring)) if abs(ring[i][0] - ring[i - 1][0]) > 180]
    if not jumps:
        return ring
    if len(jumps) % 2 == 1:
        cut = jumps[0]
        rotated = ring[cut:] + ring[1:cut]  # the closing point repeats the first: drop it before rotating
        if any(abs(rotated[i][0] - rotated[i - 1][0]) > 180 for i in range(1, len(rotated))):
            return ring  # not a simple ring around a pole; leave it as it is
        pole = -90.0 if sum(lat for _, lat in ring) < 0 else 90.0
        return [*rotated, (rotated[-1][0], pole), (rotated[0][0], pole), rotated[0]]
    out = [ring[0]]
    shift = 0.0
    for (lon0, _), (lon, lat) in zip(ring, ring[1:], strict=False):
        if lon - lon0 > 180:
            shift -= 360.0
        elif lon0 - lon > 180:
            shift += 360.0
        out.append((lon + shift, lat))
    return out


def _compact(ring: list[tuple[float, float]]) -> list[float]:
    flat: list[float] = []
    last: tuple[float, float] | None = None
    for lon, lat in ring:
        point = (round(lon, ROUND_DIGITS), round(lat, ROUND_DIGITS))
        if point != last:
            flat.extend(point)
            last = point
    return flat


def convert_outlines(topology: dict[str, Any], object_name: str = "countries") -> dict[str, Any]:
    """{"countries": [{"id", "name", "bbox", "rings": [[lon, lat, lon, lat, ...], ...]}]} from a TopoJSON topology."""
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"][object_name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = []
        for polygon in polygons:
            for ring_arcs in polygon:
                flat = _compact(unwrap_ring(_ring(ring_arcs, arcs)))
                if len(flat) >= 6:  # at least three points
                    rings.append(flat)
        if not rings:
            continue
        lons = [v for r in rings for v in r[0::2]]
        lats = [v for r in rings for v in r[1::2]]
        countries.append(
            {
                "id": str(geometry.get("id", "")),
                "name": str((geometry.get("properties") or {}).get("name", "")),
                "bbox": [min(lons), min(lats), max(lons), max(lats)],
                "rings": rings,
            }
        )
    return {
        "source": "Natural Earth via world-atlas (public domain)",
        "countries": countries,
    }


def build_vendor(node_modules: Path = DEFAULT_NODE_MODULES, vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Copy what the dashboard needs; returns the vendor paths written. Missing packages are skipped."""
    written: list[str] = []
    vendor_dir.mkdir(parents=True, exist_ok=True)
    for package, inner, target in FILES:
        source = node_modules / package / inner
        if not source.is_file():
            continue
        destination = vendor_dir / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        written.append(target)
    atlas = node_modules / "world-atlas" / OUTLINE_SOURCE
    if atlas.is_file():
        outlines = convert_outlines(json.loads(atlas.read_text(encoding="utf-8")))
        (vendor_dir / OUTLINES_FILE).write_text(json.dumps(outlines, separators=(",", ":")), encoding="utf-8")
        written.append(OUTLINES_FILE)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    node_modules = Path(args[0]) if args else DEFAULT_NODE_MODULES
    if not node_modules.is_dir():
        print(f"watchfloor.web.vendor: {node_modules} not found; the dashboard will draw SVG maps only", file=sys.stderr)
        return 0
    written = build_vendor(node_modules)
    print(f"watchfloor.web.vendor: {len(written)} files in {VENDOR_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
