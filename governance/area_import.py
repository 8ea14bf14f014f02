"""Importing the area tree from a GeoJSON FeatureCollection.

Each feature's properties: `code`, `name`, `name_en` (optional), `level` (city, district,
street, community, grid) and `parent` (the parent's code; none for a city). The geometry is
the boundary (Polygon or MultiPolygon; required for grids, optional above).

Everything is validated first and every bad feature is reported as "feature N (code X):
reason" (N counts from 1); if any feature is bad, nothing is imported. Otherwise, parents
before children, in one transaction: new codes are created, changed names are updated in
place, and a grid whose boundary changed is redrawn — the old row is retired (old cases keep
the grid they were filed in) and a replacement with the same code takes over its assignments.
Features identical to what is stored change nothing, so importing a file twice is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock
from governance.geometry import parse_boundary
from governance.inputs import BadInput, json_document
from governance.models import Area, Assignment, Level
from governance.models.area import PARENT_LEVEL, validate_code

# FeatureCollection → features → feature → geometry → MultiPolygon rings: about 8 levels.
GEOJSON_DEPTH = 16
LEVELS = {
    "city": Level.CITY,
    "district": Level.DISTRICT,
    "street": Level.STREET,
    "community": Level.COMMUNITY,
    "grid": Level.GRID,
}


class AreaImportError(Exception):
    """The file as a whole cannot be read (not JSON, not a FeatureCollection)."""


@dataclass(frozen=True)
class Problem:
    index: int  # 1-based position of the feature in the file
    code: str
    reason: str

    def __str__(self) -> str:
        return _("feature %(n)d (code %(code)s): %(reason)s") % {
            "n": self.index,
            "code": self.code or "?",
            "reason": self.reason,
        }


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    redrawn: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return _(
            "%(created)d created, %(updated)d updated, %(redrawn)d redrawn, %(unchanged)d unchanged"
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "redrawn": len(self.redrawn),
            "unchanged": len(self.unchanged),
        }


@dataclass
class _Row:
    index: int
    code: str
    name: str
    name_en: str
    level: Level
    parent: str | None
    boundary: dict[str, Any] | None


def load_collection(source: str | bytes | dict[str, Any]) -> list[Any]:
    """The features of a GeoJSON FeatureCollection given as text, bytes or parsed JSON."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AreaImportError(_("The file is not UTF-8 text.")) from None
    if isinstance(source, str):
        try:
            source = json_document(source, max_depth=GEOJSON_DEPTH)
        except BadInput as error:
            raise AreaImportError(error.message) from None
        except ValueError as error:
            raise AreaImportError(
                _("The file is not valid JSON: %(error)s.") % {"error": error}
            ) from None
    if not isinstance(source, dict) or source.get("type") != "FeatureCollection":
        raise AreaImportError(_("The file must be a GeoJSON FeatureCollection."))
    features = source.get("features")
    if not isinstance(features, list) or not features:
        raise AreaImportError(_("The FeatureCollection has no features."))
    return features


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return list(error.messages)


def _read_feature(index: int, feature: Any) -> tuple[_Row | None, list[str]]:
    """The feature's fields, or the reasons it cannot be read."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, [_("not a GeoJSON Feature")]
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        return None, [_("the feature has no properties")]
    reasons = []
    code = properties.get("code")
    code = str(code).strip() if isinstance(code, str | int) else ""
    if not code:
        reasons.append(_("the code property is missing"))
    name = properties.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        reasons.append(_("the name property is missing"))
    elif len(name) > 100:
        reasons.append(_("the name is longer than 100 characters"))
    name_en = properties.get("name_en") or ""
    if not isinstance(name_en, str) or len(name_en) > 100:
        reasons.append(_("name_en must be text of at most 100 characters"))
        name_en = ""
    level = LEVELS.get(str(properties.get("level", "")).strip().lower())
    if level is None:
        reasons.append(
            _("level must be one of %(levels)s, not %(level)r")
            % {"levels": ", ".join(LEVELS), "level": properties.get("level")}
        )
    parent = properties.get("parent")
    parent = str(parent).strip() if isinstance(parent, str | int) and str(parent).strip() else None
    geometry = feature.get("geometry")
    if geometry is not None:
        try:
            parse_boundary(geometry)
        except ValidationError as error:
            reasons.extend(_messages(error))
    elif level == Level.GRID:
        reasons.append(_("a grid needs a boundary"))
    if reasons or level is None:
        return None, reasons
    return _Row(index, code, name, name_en.strip(), level, parent, geometry), []


def validate_features(features: list[Any]) -> tuple[list[_Row], list[Problem]]:
    """Every feature checked on its own and against the file and the stored tree."""
    rows: list[_Row] = []
    problems: list[Problem] = []
    unreadable: set[str] = set()
    for index, feature in enumerate(features, start=1):
        row, reasons = _read_feature(index, feature)
        if row is None:
            props = feature.get("properties") if isinstance(feature, dict) else None
            code = str(props.get("code", "")) if isinstance(props, dict) else ""
            unreadable.add(code)
            problems.append(Problem(index, code, "; ".join(reasons)))
        else:
            rows.append(row)

    in_file: dict[str, _Row] = {}
    duplicates: set[str] = set()
    for row in rows:
        if row.code in in_file or row.code in unreadable:
            duplicates.add(row.code)
        in_file.setdefault(row.code, row)
    stored = {
        area.code: area
        for area in Area.objects.active().filter(
            code__in={row.code for row in rows} | {row.parent for row in rows if row.parent}
        )
    }
    for row in rows:
        reasons = []
        if row.code in duplicates:
            reasons.append(_("the code appears more than once in the file"))
        try:
            validate_code(row.code, row.level, row.parent)
        except ValidationError as error:
            reasons.extend(_messages(error))
        if row.parent and row.parent not in unreadable:  # a bad parent is reported on its own
            parent_level = (
                in_file[row.parent].level
                if row.parent in in_file
                else (stored[row.parent].level if row.parent in stored else None)
            )
            if parent_level is None:
                reasons.append(
                    _("the parent %(parent)s is neither in the file nor stored")
                    % {"parent": row.parent}
                )
            elif parent_level != PARENT_LEVEL.get(row.level):
                reasons.append(
                    _("a %(level)s must sit under a %(expected)s, and %(parent)s is a %(actual)s")
                    % {
                        "level": row.level.label,
                        "expected": PARENT_LEVEL[row.level].label,
                        "parent": row.parent,
                        "actual": Level(parent_level).label,
                    }
                )
        existing = stored.get(row.code)
        if existing is not None:
            if existing.level != row.level:
                reasons.append(
                    _("code %(code)s is stored as a %(level)s")
                    % {"code": row.code, "level": Level(existing.level).label}
                )
            stored_parent = existing.parent.code if existing.parent_id else None
            if stored_parent != row.parent:
                reasons.append(
                    _("moving an area to another parent (%(old)s → %(new)s) is not supported")
                    % {"old": stored_parent or "-", "new": row.parent or "-"}
                )
        if reasons:
            problems.append(Problem(row.index, row.code, "; ".join(reasons)))
    problems.sort(key=lambda problem: problem.index)
    return rows, problems


def redraw_grid(
    old: Area, *, name: str, name_en: str, boundary: dict[str, Any], parent: Area | None = None
) -> Area:
    """Retire a grid's row and create its replacement with the new boundary.

    The old row keeps its cases (they stay in the grid they were filed in); the replacement,
    with the same code, takes over the officers' assignments and routes new cases.
    """
    now = clock.now()
    old.retired_at = now
    old.save(update_fields=["retired_at", "updated_at"])
    new = Area.objects.create(
        code=old.code,
        name=name,
        name_en=name_en,
        level=old.level,
        parent=parent or old.parent,
        boundary=boundary,
        valid_from=now,
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by", "updated_at"])
    for assignment in list(old.assignments.all()):
        Assignment.objects.get_or_create(user=assignment.user, area=new, role=assignment.role)
        assignment.delete()
    return new


def import_areas(source: str | bytes | dict[str, Any], *, dry_run: bool = False) -> ImportResult:
    """Validate the whole collection, then (unless a dry run) apply it in one transaction.

    Raises AreaImportError when the file itself is unreadable; bad features are reported in
    `result.problems` and nothing is imported.
    """
    features = load_collection(source)
    result = ImportResult(dry_run=dry_run)
    with transaction.atomic():
        rows, result.problems = validate_features(features)
        if result.problems:
            return result
        areas: dict[str, Area] = {
            area.code: area
            for area in Area.objects.active().filter(
                code__in={row.code for row in rows} | {row.parent for row in rows if row.parent}
            )
        }
        for row in sorted(rows, key=lambda r: (r.level, r.code)):
            parent = areas.get(row.parent) if row.parent else None
            existing = areas.get(row.code)
            if existing is None:
                result.created.append(row.code)
                areas[row.code] = Area.objects.create(
                    code=row.code,
                    name=row.name,
                    name_en=row.name_en,
                    level=row.level,
                    parent=parent,
                    boundary=row.boundary,
                    valid_from=clock.now(),
                )
                continue
            redraw = (
                row.level == Level.GRID
                and existing.boundary is not None
                and existing.boundary != row.boundary
            )
            if redraw:
                result.redrawn.append(row.code)
                areas[row.code] = redraw_grid(
                    existing,
                    name=row.name,
                    name_en=row.name_en,
                    boundary=row.boundary,  # type: ignore[arg-type]
                    parent=parent,
                )
            elif (existing.name, existing.name_en, existing.boundary) != (
                row.name,
                row.name_en,
                row.boundary,
            ):
                result.updated.append(row.code)
                existing.name, existing.name_en = row.name, row.name_en
                existing.boundary = row.boundary
                existing.save()
            else:
                result.unchanged.append(row.code)
        if dry_run:
            transaction.set_rollback(True)
    return result
