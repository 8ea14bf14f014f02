"""Loading the demo city from seeds/: areas, departments, categories, calendar, people, cases.

Everything is an upsert by natural key (area code, department code, category code, question
code, date, username), and a row is saved only when a value differs, so loading twice changes
nothing. The demo cases are created only when the seed's marker is absent (see
`governance.seed_cases`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal

from governance.area_import import ImportResult, import_areas
from governance.models import (
    Area,
    Assignment,
    CalendarDay,
    Case,
    Category,
    Department,
    Question,
)

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
# Sent at the end of `seed_demo`, inside its transaction, with `now` (the demo's present) and
# `summary` (a `SeedSummary` the receivers add their tallies to): the apps beside governance
# seed their own demo data here (grid work: the registry, patrols and visits).
demo_seeded = Signal()


class SeedError(Exception):
    """A seed file is inconsistent (e.g. an area feature fails validation)."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class SeedSummary:
    areas: ImportResult
    tallies: dict[str, Tally] = field(default_factory=dict)
    cases_created: int = 0
    cases_skipped: bool = False

    def lines(self) -> list[str]:
        lines = [f"areas: {self.areas.summary()}"]
        lines += [f"{name}: {tally}" for name, tally in self.tallies.items()]
        if self.cases_skipped:
            lines.append("cases: the demo cases are already there, none added")
        else:
            lines.append(f"cases: {self.cases_created} created")
        return lines


def upsert(
    model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[Any, str]:
    """Create, update (only when a value differs) or leave alone; returns (row, outcome)."""
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        return model._default_manager.create(**lookup, **values), "created"
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        return row, "unchanged"
    for name in changed:
        setattr(row, name, values[name])
    row.save()
    return row, "updated"


def _check(row: models.Model, where: str) -> None:
    """The model's own validation (lengths, choices, limits), as a SeedError naming the row."""
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise SeedError(f"{where}: {error.message_dict}") from None


def _read(seeds_dir: Path, name: str) -> Any:
    return json.loads((seeds_dir / name).read_text(encoding="utf-8"))


def load_departments(seeds_dir: Path) -> Tally:
    tally = Tally()
    for item in _read(seeds_dir, "departments.json"):
        _row, outcome = upsert(
            Department,
            {"code": item["code"]},
            {"name": item["name"], "name_en": item.get("name_en", "")},
        )
        tally.add(outcome)
    return tally


def load_categories(seeds_dir: Path) -> tuple[Tally, Tally]:
    categories, questions = Tally(), Tally()
    departments = {d.code: d for d in Department.objects.all()}
    for item in _read(seeds_dir, "categories.json"):
        values = {
            "family": item["family"],
            "name": item["name"],
            "name_en": item["name_en"],
            "description": item.get("description", ""),
            "group": item.get("group", ""),
            "default_department": departments.get(item.get("default_department")),
            "limit_unit": item["limit_unit"],
            "general_limit": item["general_limit"],
            "urgent_limit": item.get("urgent_limit"),
            "private_location": item.get("private_location", False),
        }
        category = Category(code=item["code"], **values)
        _check(category, f"categories.json: {item['code']}")
        category, outcome = upsert(Category, {"code": item["code"]}, values)
        categories.add(outcome)
        for order, spec in enumerate(item.get("questions", []), start=1):
            values = {
                "label": spec["label"],
                "label_en": spec["label_en"],
                "description": spec.get("description", ""),
                "description_en": spec.get("description_en", ""),
                "datatype": spec["datatype"],
                "required": spec.get("required", False),
                "order": order,
                "values": spec.get("values", []),
            }
            _check(
                Question(category=category, code=spec["code"], **values),
                f"categories.json: {item['code']}, question {spec['code']}",
            )
            _row, outcome = upsert(Question, {"category": category, "code": spec["code"]}, values)
            questions.add(outcome)
    return categories, questions


def load_calendar(seeds_dir: Path) -> Tally:
    tally = Tally()
    for item in _read(seeds_dir, "calendar.json")["days"]:
        _row, outcome = upsert(
            CalendarDay,
            {"date": date.fromisoformat(item["date"])},
            {"kind": item["kind"], "name": item.get("name", "")},
        )
        tally.add(outcome)
    return tally


def load_people(seeds_dir: Path) -> tuple[Tally, Tally]:
    """Demo accounts, their department memberships and area assignments.

    Passwords are set only when an account is created (hashed once per distinct password:
    the demo shares a handful), so a second load leaves every account as it was.
    """
    people, assignments = Tally(), Tally()
    hashes: dict[str, str] = {}
    departments = {d.code: d for d in Department.objects.select_related("group")}
    areas = {a.code: a for a in Area.objects.active()}
    for item in _read(seeds_dir, "people.json"):
        values = {
            "display_name": item["display_name"],
            "phone": item.get("phone"),
            "email": item.get("email"),
            "preferred_language": item.get("language", "zh-hans"),
            "is_superuser": item.get("superuser", False),
            "is_staff": item.get("superuser", False),
        }
        user = get_user_model().objects.filter(username=item["username"]).first()
        if user is None:
            password = item["password"]
            if password not in hashes:
                hashes[password] = make_password(password)
            user = get_user_model().objects.create(
                username=item["username"], password=hashes[password], **values
            )
            people.add("created")
        else:
            _user, outcome = upsert(get_user_model(), {"pk": user.pk}, values)
            people.add(outcome)
        for code in item.get("departments", []):
            group = departments[code].group
            if not user.groups.filter(pk=group.pk).exists():
                user.groups.add(group)
        for spec in item.get("assignments", []):
            area = areas.get(spec["area"])
            if area is None:
                raise SeedError(f"people.json: {item['username']}: no area {spec['area']}")
            _row, created = Assignment.objects.get_or_create(
                user=user, area=area, role=spec["role"]
            )
            assignments.add("created" if created else "unchanged")
    return people, assignments


def demo_loaded(*, seeds_dir: Path = SEEDS_DIR) -> bool:
    """Whether the demo city's root area is already in the database."""
    collection = json.loads((seeds_dir / "areas.geojson").read_text(encoding="utf-8"))
    roots = [
        f["properties"]["code"]
        for f in collection["features"]
        if f["properties"].get("level") == "city"
    ]
    return Area.objects.filter(code__in=roots).exists()


def seed_demo(
    *, seeds_dir: Path = SEEDS_DIR, with_cases: bool = True, now: datetime | None = None
) -> SeedSummary:
    """Load the whole demo in one transaction; a second call changes nothing."""
    from governance.seed_cases import replay_added_cases, seed_cases

    with transaction.atomic():
        areas = import_areas((seeds_dir / "areas.geojson").read_bytes())
        if not areas.ok:
            raise SeedError("areas.geojson: " + "; ".join(str(p) for p in areas.problems))
        summary = SeedSummary(areas=areas)
        summary.tallies["departments"] = load_departments(seeds_dir)
        summary.tallies["categories"], summary.tallies["questions"] = load_categories(seeds_dir)
        summary.tallies["calendar days"] = load_calendar(seeds_dir)
        summary.tallies["people"], summary.tallies["assignments"] = load_people(seeds_dir)
        if with_cases:
            created = seed_cases(now=now)
            summary.cases_created = created
            summary.cases_skipped = created == 0
        last_case = Case.objects.aggregate(last=models.Max("pk"))["last"] or 0
        demo_seeded.send(sender=SeedSummary, now=now, summary=summary, with_cases=with_cases)
        if with_cases:
            replay_added_cases(after_pk=last_case, now=now)
    return summary
