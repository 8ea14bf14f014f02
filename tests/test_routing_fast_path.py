"""The router's raster fast path gives the same grid as the exact GEOS path, everywhere."""

from __future__ import annotations

import itertools
import json

import numpy as np
import shapely
from shapely.geometry import MultiPoint, box, mapping

from governance import routing
from governance.models import Area, Level


def _voronoi_city(city, n: int = 60) -> list[Area]:
    """n irregular grids tiling a square under the city's community A."""
    rng = np.random.default_rng(7)
    frame = box(121.0, 31.0, 121.1, 31.1)
    seeds = MultiPoint(rng.uniform([121.0, 31.0], [121.1, 31.1], size=(n, 2)).tolist())
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    grids = []
    for number, cell in enumerate(cells, start=1):
        cell = shapely.set_precision(cell.intersection(frame), 1e-7)
        geo = mapping(cell)
        grids.append(
            Area.objects.create(
                code=f"{city.community_a.code}{100 + number:03d}",
                name=f"V{number}",
                level=Level.GRID,
                parent=city.community_a,
                boundary=json.loads(
                    json.dumps({"type": geo["type"], "coordinates": geo["coordinates"]})
                ),
            )
        )
    return grids


def test_fast_and_exact_paths_agree_on_random_points_edges_and_vertices(city):
    grids = _voronoi_city(city)
    index = routing.grid_index()
    rng = np.random.default_rng(8)
    points = [tuple(p) for p in rng.uniform([120.95, 30.95], [121.15, 31.15], size=(3000, 2))]
    for grid in grids[:20]:  # vertices and edge midpoints: the hard cases
        ring = grid.boundary["coordinates"][0]
        points += [tuple(v) for v in ring]
        points += [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in itertools.pairwise(ring)]
    for lon, lat in points:
        assert index.locate(lon, lat) == index.locate_exact(lon, lat), (lon, lat)
    inside = [p for p in points if 121.0 < p[0] < 121.1 and 31.0 < p[1] < 31.1]
    assert all(index.locate(lon, lat) is not None for lon, lat in inside)


def test_most_points_answer_from_the_raster_without_geometry(city):
    _voronoi_city(city)
    buckets = routing.grid_index().buckets
    interior = sum(1 for cell in buckets.cells if cell >= 0)
    crossing = sum(1 for cell in buckets.cells if cell <= -2)
    assert interior > crossing > 0
