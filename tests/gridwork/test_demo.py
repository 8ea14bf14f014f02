"""`seed_demo` gives the demo city its grid work: a registry in every grid, a few weeks of
patrols (tracks inside the grids, check-ins, reports) and visits, duty days — reachable from
the navigation of the staff who may see them — and a second run changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from shapely.geometry import Point, shape

from governance.models import Area
from gridwork.idnumbers import is_valid_id_number
from gridwork.models import (
    Building,
    CheckIn,
    DutyDay,
    Household,
    KeyPlace,
    Organisation,
    Patrol,
    PatrolReport,
    Resident,
    Visit,
)
from gridwork.track_codec import decode

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.django_db
def test_seed_demo_gives_every_grid_its_registry_patrols_and_visits(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    line = next(line for line in output.splitlines() if line.startswith("grid work:"))
    seconds = float(line.rsplit("(", 1)[1].split(" s")[0])
    print(line)
    if connection.vendor == "sqlite":  # the embedded demo's: < 20 s extra
        assert seconds < 20

    grids = list(Area.objects.active().grids())
    for model in (Building, KeyPlace, Organisation):
        assert set(model.objects.values_list("grid", flat=True)) == {g.pk for g in grids}
    assert Household.objects.count() >= len(grids) * 3
    residents = list(Resident.objects.all())
    assert len(residents) >= len(grids) * 9
    assert all(is_valid_id_number(r.id_number) for r in residents)
    assert any("elderly_alone" in r.tags for r in residents)

    patrols = list(Patrol.objects.select_related("grid").prefetch_related("segments"))
    assert len(patrols) >= 50 and {p.officer.username[:8] for p in patrols} == {"officer."}
    for patrol in patrols[:20]:
        outline = shape(patrol.grid.boundary)
        (segment,) = patrol.segments.all()
        points = decode(segment.points, segment.first_t)
        assert len(points) == patrol.point_count > 40
        assert all(outline.covers(Point(p.lon, p.lat)) for p in points)
    assert CheckIn.objects.count() >= 20
    reports = list(PatrolReport.objects.select_related("case", "patrol"))
    assert len(reports) >= 10
    assert all(r.case.channel == "patrol" and r.case.grid == r.patrol.grid for r in reports)
    assert Visit.objects.count() >= 20
    assert DutyDay.objects.filter(patrols__gt=0).exists()
    assert DutyDay.objects.filter(visits__gt=0).exists()

    # Reachable from the navigation: the registry link, then its visits and duty tabs.
    officer = get_user_model().objects.get(username="officer.hubin1")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    home = client.get("/").content.decode()
    assert reverse("gridwork:home") in home
    registry = client.get(reverse("gridwork:home")).content.decode()
    assert reverse("gridwork:visits") in registry and reverse("gridwork:duty") in registry
    visits = client.get(reverse("gridwork:visits"))
    assert visits.status_code == 200 and "Record a visit" in visits.content.decode()
    duty = client.get(reverse("gridwork:duty")).content.decode()
    assert "officer.hubin1" in duty or officer.get_full_name() in duty
    leader = get_user_model().objects.get(username="leader.hubin")
    client.force_login(leader)
    duty = client.get(reverse("gridwork:duty")).content.decode()
    assert duty.count(reverse("gridwork:duty_officer", args=[officer.pk])) == 1

    counts = [m.objects.count() for m in (Building, Resident, Patrol, CheckIn, PatrolReport, Visit)]
    call_command("seed_demo")
    assert [
        m.objects.count() for m in (Building, Resident, Patrol, CheckIn, PatrolReport, Visit)
    ] == counts
