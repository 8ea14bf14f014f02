"""The demo city: its areas tile the district, and `seed_demo` loads everything once."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from citizens.models import User
from governance.models import Area, Case, CaseEvent, Role, Status
from governance.models.area import validate_code

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def features(level: str | None = None) -> list[dict]:
    data = json.loads((SEEDS / "areas.geojson").read_text(encoding="utf-8"))
    return [f for f in data["features"] if level is None or f["properties"]["level"] == level]


def test_the_generator_reproduces_the_committed_file(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_areas", SEEDS / "make_areas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == json.loads((SEEDS / "areas.geojson").read_text(encoding="utf-8"))


def test_grids_tile_the_district_without_gaps_or_overlaps():
    (district,) = features("district")
    grids = [shape(f["geometry"]) for f in features("grid")]
    assert len(grids) >= 48
    area = shape(district["geometry"]).area
    assert abs(unary_union(grids).area - area) < 1e-9
    assert all(a.intersection(b).area == 0 for a, b in itertools.combinations(grids, 2))


@pytest.mark.parametrize(
    ("parent_level", "child_level"),
    [
        ("district", "street"),
        ("street", "community"),
        ("community", "grid"),
    ],
)
def test_each_level_tiles_its_parent(parent_level, child_level):
    children: dict[str, list] = {}
    for f in features(child_level):
        children.setdefault(f["properties"]["parent"], []).append(shape(f["geometry"]))
    for parent in features(parent_level):
        pieces = children[parent["properties"]["code"]]
        assert abs(unary_union(pieces).area - shape(parent["geometry"]).area) < 1e-9


def test_codes_follow_the_standard_and_grids_run_west_to_east_north_to_south():
    levels = {"city": 1, "district": 2, "street": 3, "community": 4, "grid": 5}
    for f in features():
        p = f["properties"]
        validate_code(p["code"], levels[p["level"]], p["parent"])
        assert p["name"] and p["name_en"]
    for community in features("community"):
        grids = sorted(
            (
                f
                for f in features("grid")
                if f["properties"]["parent"] == community["properties"]["code"]
            ),
            key=lambda f: f["properties"]["code"],
        )
        assert len(grids) == 4
        centres = [shape(g["geometry"]).centroid for g in grids]
        # 001 north-west, 002 north-east, 003 south-west, 004 south-east
        assert centres[0].x < centres[1].x and centres[2].x < centres[3].x
        assert centres[0].y > centres[2].y and centres[1].y > centres[3].y


def snapshot() -> dict:
    counts = {
        model._meta.label: model._default_manager.count()
        for app in ("governance", "citizens", "auth")
        for model in apps.get_app_config(app).get_models()
    }
    return {
        "counts": counts,
        "area_updated": Area.objects.aggregate(m=Max("updated_at"))["m"],
        "case_updated": Case.objects.aggregate(m=Max("updated_at"))["m"],
        "last_event": CaseEvent.objects.aggregate(m=Max("pk"))["m"],
        "passwords": dict(User.objects.values_list("username", "password")),
        "statuses": sorted(Case.objects.values_list("tracking_id", "status")),
    }


@pytest.mark.django_db
def test_seed_demo_loads_everything_once(capsys):
    started = time.monotonic()
    call_command("seed_demo")
    first_run = time.monotonic() - started
    output = capsys.readouterr().out
    assert "cases:" in output and "created" in output

    assert Area.objects.active().grids().count() >= 48
    assert Case.objects.count() >= 200
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Case.objects.overdue().exists()
    assert Case.objects.filter(escalation_level__gt=0).exists()
    assert Case.objects.filter(rework_count__gt=0).exists()
    assert Case.objects.filter(status=Status.CLOSED, rating__isnull=False).exists()
    assert CaseEvent.objects.filter(kind="reopened").exists()
    assert Case.objects.filter(grid__isnull=True).exists()  # outside every grid: city queue
    roles = set(User.objects.values_list("assignments__role", flat=True))
    assert set(Role.values) <= roles
    assert User.objects.filter(is_superuser=True, username="admin").exists()
    assert User.objects.filter(groups__department__isnull=False).distinct().count() >= 3
    assert User.objects.filter(username__startswith="citizen.").count() == 2
    assert User.objects.get(username="dispatcher").check_password("demo1234")

    # Every routed case lies inside its grid; every case has a timeline starting "submitted".
    boundaries = {a.pk: shape(a.boundary) for a in Area.objects.grids()}
    for case in Case.objects.exclude(grid=None):
        assert boundaries[case.grid_id].covers(Point(case.lon, case.lat)), case.tracking_id
    firsts = {e.case_id: e.kind for e in CaseEvent.objects.order_by("-created_at", "-pk")}
    assert set(firsts.values()) == {"submitted"}
    # Every transition recorded: each case's last status event matches its status.
    for case in Case.objects.prefetch_related("events"):
        moves = [e for e in case.events.all() if e.to_status and e.kind not in ("note",)]
        assert moves[-1].to_status == case.status, case.tracking_id
    assert Case.objects.order_by("created_at").first().created_at.date() < (
        Case.objects.order_by("-created_at").first().created_at.date()
    )

    # Tracking ids carry the submission's local date, also for cases seeded in the past.
    for case in Case.objects.all():
        assert case.tracking_id[:6] == timezone.localtime(case.created_at).strftime("%y%m%d")

    before = snapshot()
    call_command("seed_demo")
    assert "already there" in capsys.readouterr().out
    assert snapshot() == before
    print(f"seed_demo: first run {first_run:.1f} s")
    assert first_run < 60  # < 20 s when the machine is not shared; a loose bound here


@pytest.mark.django_db
def test_a_bad_seed_file_is_named_and_nothing_is_loaded(tmp_path):
    import shutil

    from governance.seeding import SeedError, seed_demo

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    categories = json.loads((seeds / "categories.json").read_text(encoding="utf-8"))
    categories[0]["urgent_limit"] = 99  # longer than the general limit
    (seeds / "categories.json").write_text(json.dumps(categories), encoding="utf-8")
    with pytest.raises(SeedError, match="component-0101"):
        seed_demo(seeds_dir=seeds, with_cases=False)
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_replayed_history_is_not_broadcast(city, people, django_capture_on_commit_callbacks):
    """The seeds replay months of cases: recorded in full, pushed to no one's browser."""
    from governance import events, workflow

    def submit():
        return workflow.submit_case(
            actor=people.citizen,
            category=city.urgent_category,
            description="井盖",
            lon=city.point_a[0],
            lat=city.point_a[1],
        )

    with django_capture_on_commit_callbacks() as live:
        submit()
    assert len(live) >= 1
    with django_capture_on_commit_callbacks() as replayed, events.muted():
        case = submit()
    assert replayed == []
    assert case.events.filter(kind="submitted").exists()
