"""Generate seeds/areas.geojson: the demo city 明湖市 Minghu and its district 青湖区 Qinghu.

Deterministic: run `python seeds/make_areas.py` and the same file comes out. The district is a
rectangle split into 2 × 2 streets, each street into 3 communities (vertical strips), each
community into 2 × 2 grids. Every vertex is rounded to 6 decimals once and shared by all the
polygons that meet there, so the polygons tile the district without gaps or overlaps.

Codes follow the 15-digit standard: 6-digit district + 3 street + 3 community + 3 grid; grids
are numbered west→east, north→south inside their community.
"""

from __future__ import annotations

import json
from pathlib import Path

CITY = ("339900", "明湖市", "Minghu")
DISTRICT = ("339901", "青湖区", "Qinghu District")
WEST, EAST, SOUTH, NORTH = 120.10, 120.20, 30.20, 30.28

# Streets numbered west→east, north→south: NW, NE, SW, SE.
STREETS = [
    ("湖滨街道", "Hubin Street", ["湖滨", "东坡", "青年"], ["Hubin", "Dongpo", "Qingnian"]),
    ("西溪街道", "Xixi Street", ["西溪", "花坞", "留下"], ["Xixi", "Huawu", "Liuxia"]),
    ("翠苑街道", "Cuiyuan Street", ["翠苑", "古荡", "文鼎"], ["Cuiyuan", "Gudang", "Wending"]),
    ("明珠街道", "Mingzhu Street", ["明珠", "望江", "南星"], ["Mingzhu", "Wangjiang", "Nanxing"]),
]
COMMUNITIES_PER_STREET = 3
GRID_COLUMNS = GRID_ROWS = 2


def r(value: float) -> float:
    return round(value, 6)


def rectangle(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A GeoJSON polygon, counter-clockwise (RFC 7946), from west/south to east/north."""
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, name: str, name_en: str, level: str, parent: str | None, geometry):
    properties = {"code": code, "name": name, "name_en": name_en, "level": level}
    properties["parent"] = parent
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def build() -> dict:
    features = [
        feature(CITY[0], CITY[1], CITY[2], "city", None, None),
        feature(*DISTRICT, "district", CITY[0], rectangle(WEST, SOUTH, EAST, NORTH)),
    ]
    mid_x, mid_y = r((WEST + EAST) / 2), r((SOUTH + NORTH) / 2)
    street_boxes = [  # (west, south, east, north), numbered west→east, north→south
        (WEST, mid_y, mid_x, NORTH),
        (mid_x, mid_y, EAST, NORTH),
        (WEST, SOUTH, mid_x, mid_y),
        (mid_x, SOUTH, EAST, mid_y),
    ]
    for s, ((sname, sname_en, cnames, cnames_en), box) in enumerate(
        zip(STREETS, street_boxes, strict=True), start=1
    ):
        street_code = f"{DISTRICT[0]}{s:03d}"
        x0, y0, x1, y1 = box
        features.append(
            feature(street_code, sname, sname_en, "street", DISTRICT[0], rectangle(*box))
        )
        xs = [r(x0 + (x1 - x0) * i / COMMUNITIES_PER_STREET) for i in range(4)]
        xs[0], xs[-1] = x0, x1
        for c in range(COMMUNITIES_PER_STREET):
            community_code = f"{street_code}{c + 1:03d}"
            cx0, cx1 = xs[c], xs[c + 1]
            features.append(
                feature(
                    community_code,
                    f"{cnames[c]}社区",
                    f"{cnames_en[c]} Community",
                    "community",
                    street_code,
                    rectangle(cx0, y0, cx1, y1),
                )
            )
            gx = [cx0, r((cx0 + cx1) / 2), cx1]
            gy = [y1, r((y0 + y1) / 2), y0]  # north to south
            sequence = 0
            for row in range(GRID_ROWS):
                for column in range(GRID_COLUMNS):
                    sequence += 1
                    features.append(
                        feature(
                            f"{community_code}{sequence:03d}",
                            f"{cnames[c]}社区第{sequence}网格",
                            f"{cnames_en[c]} Grid {sequence}",
                            "grid",
                            community_code,
                            rectangle(gx[column], gy[row + 1], gx[column + 1], gy[row]),
                        )
                    )
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    target = Path(__file__).with_name("areas.geojson")
    text = json.dumps(build(), ensure_ascii=False, indent=1)
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
