"""Conditions on materialised area paths: "at or beneath this area", said so the planner
estimates it well.

A case (and every row kept per case, such as an evaluation fact) carries the path of its grid,
and a grid is a leaf of the tree: beneath a grid means exactly the grid's path. So the condition
for a grid is an equality, which PostgreSQL estimates from the column's distinct values (about
the grid's real size), and a prefix `LIKE` is kept for the areas above a grid. The estimate of a
`LIKE` comes from the histogram: for a short prefix range inside one bucket it can be a whole
bucket (~800 cases for a grid holding 44, with a million cases), and "my grid's cases, newest
first, 51 rows" was then planned as a walk down the newest-first index filtering every row —
the whole table, 300 ms, whenever the grid held fewer than 51 cases (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

GRID_DEPTH = 5  # city / district / street / community / grid


def depth(path: str) -> int:
    """The number of codes in a path: "/110100/110101/" → 2."""
    return path.strip("/").count("/") + 1


def at_or_beneath(path: str, field: str = "area_path") -> Q:
    """Rows whose `field` is `path` or a path beneath it."""
    if depth(path) >= GRID_DEPTH:
        return Q(**{field: path})
    return Q(**{f"{field}__startswith": path})


def at_or_beneath_any(paths: Iterable[str], field: str = "area_path") -> Q:
    """Rows at or beneath any of `paths`: the grids in one `IN`, the others as prefixes,
    dropping paths already covered by a shorter one. No paths: nothing."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(shorter) for shorter in kept):
            kept.append(path)
    grids = [path for path in kept if depth(path) >= GRID_DEPTH]
    condition = Q(pk__in=[])
    if grids:
        condition |= Q(**{f"{field}__in": grids}) if len(grids) > 1 else Q(**{field: grids[0]})
    for path in kept:
        if depth(path) < GRID_DEPTH:
            condition |= Q(**{f"{field}__startswith": path})
    return condition
