"""Build `world-map.svg` once from Natural Earth 1:110m (public domain).

Source: the npm package `world-atlas@2.0.2` (ISC licence; Natural Earth data is in the
public domain), file `countries-110m.json`. Run from the project root:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    DJANGO_SETTINGS_MODULE=mgi_portal.settings .venv/bin/python scripts/build_world_map.py \
        package/countries-110m.json

Each country is one <path id="c-XX"> (ISO 3166-1 alpha-2), equirectangular, with
Antarctica left out. The site inlines this file and colours assessed countries with
a small <style>, so no tiles, scripts or other hosts are involved.
"""

import json
import sys
from pathlib import Path

import django

WIDTH, TOP, BOTTOM = 1000.0, 84.0, -57.0
SCALE = WIDTH / 360.0


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Turn quantized, delta-encoded TopoJSON arcs into lon/lat lists."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def ring_path(points: list[tuple[float, float]]) -> str:
    lons = [p[0] for p in points]
    if max(lons) - min(lons) > 180:  # crosses the antimeridian: keep it in one piece
        points = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in points]
    out, last = [], None
    for lon, lat in points:
        lat = max(min(lat, TOP), BOTTOM)
        xy = (round((lon + 180) * SCALE), round((TOP - lat) * SCALE))
        if xy != last:
            out.append(f"{xy[0]},{xy[1]}")
            last = xy
    return "M" + "L".join(out) + "Z" if len(out) > 2 else ""


def main(source: str) -> None:
    django.setup()
    from django_countries import countries

    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    by_numeric = {
        str(countries.numeric(c.code)).zfill(3): c.code
        for c in countries
        if countries.numeric(c.code)
    }
    paths = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = by_numeric.get(str(geometry.get("id", "")).zfill(3))
        if code is None or code == "AQ" or not geometry.get("arcs"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        d = "".join(ring_path(ring_points(ring, arcs)) for polygon in polygons for ring in polygon)
        paths.append(f'<path id="c-{code}" d="{d}"/>')
    height = round((TOP - BOTTOM) * SCALE)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {height}" '
        'class="world-map" focusable="false">'
        "<!-- Natural Earth 1:110m countries (public domain), via world-atlas 2.0.2 -->"
        f'<g class="countries">{"".join(paths)}</g></svg>\n'
    )
    target = Path(__file__).with_name("world-map.svg")
    target.write_text(svg, encoding="utf-8")
    print(f"{target}: {len(paths)} countries, {len(svg)} bytes")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1])
