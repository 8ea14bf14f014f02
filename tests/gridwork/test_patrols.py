"""Patrols: positions validated and stored packed, one segment per batch, resends stored once;
check-ins within the radius with cleaned photos; reports from here linked to the patrol; who
sees which patrol; the API and its answers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.errors import InvalidInput, NotPermitted
from governance.models import Case
from governance.routing import grid_index
from gridwork import patrolling
from gridwork.access import patrols_for
from gridwork.models import CheckInPhoto, Patrol, PatrolReport, PatrolSegment
from tests.gridwork.patrols import START, STEP, key_place, walk
from tests.uploads import bomb, png_bytes, upload

BASE = "/api/v1/gridwork/patrols/"


@pytest.fixture
def patrol(city, people):
    return patrolling.start_patrol(
        officer=people.officer_a, now=timezone.now() - timedelta(hours=2)
    )


# -- storing positions -----------------------------------------------------------------------


def test_a_batch_is_one_packed_row_and_the_summaries_add_up(patrol, people):
    points = walk(patrol.started_at, 5)
    patrolling.city_bounds(), grid_index()  # kept by the process (warmed before serving)
    with CaptureQueriesContext(connection) as queries:
        result = patrolling.record_own_points(
            officer=people.officer_a, patrol_id=patrol.pk, points=points, batch="b1"
        )
    assert (result.accepted, result.refused, result.total_points) == (5, [], 5)
    # The day's hottest write is four statements: the patrol found by id and officer and
    # locked, the batch id looked up, the segment, the summaries (the live push: no row).
    statements = [
        q["sql"].split()[0]
        for q in queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
    ]
    assert statements == ["SELECT", "SELECT", "INSERT", "UPDATE"], [q["sql"][:90] for q in queries]
    segment = PatrolSegment.objects.get()
    assert segment.count == 5 and len(bytes(segment.points)) == 5 * 14
    track = patrolling.track_of(patrol)
    assert [(round(p.lon, 7), p.lat) for p in track] == [(q["lon"], q["lat"]) for q in points]
    patrol.refresh_from_db()
    assert patrol.point_count == 5
    assert 4 * 47 < patrol.distance_m < 4 * 50  # four steps of ~48 m
    assert patrol.seconds_in_grid == 4 * 60  # all inside grid A
    assert patrol.last_lon == points[-1]["lon"]


def test_a_resent_batch_is_stored_once(patrol):
    points = walk(patrol.started_at, 4)
    first = patrolling.record_points(patrol, points, batch="same")
    again = patrolling.record_points(patrol, points, batch="same")
    assert again.repeated and again.accepted == first.accepted == 4
    # the same points under a new batch id (the phone lost the answer and started over)
    other = patrolling.record_points(patrol, points, batch="other")
    assert other.accepted == 0
    assert {r.reason for r in other.refused} == {"duplicate"}
    assert len(patrolling.track_of(patrol)) == 4
    patrol.refresh_from_db()
    assert patrol.point_count == 4


def test_each_refused_point_says_why(patrol, english):
    t0 = patrol.started_at
    good = walk(t0, 2)
    points = [
        good[0],
        {"t": (t0 + timedelta(days=1)).isoformat(), "lon": 120.011, "lat": 30.01, "acc": 5},
        {"t": (t0 - timedelta(hours=1)).isoformat(), "lon": 120.011, "lat": 30.01, "acc": 5},
        {"t": (t0 + timedelta(seconds=70)).isoformat(), "lon": 116.4, "lat": 39.9, "acc": 5},
        {"t": (t0 + timedelta(seconds=80)).isoformat(), "lon": 120.0101, "lat": 30.01, "acc": 900},
        # 3 km in 10 s
        {"t": (t0 + timedelta(seconds=90)).isoformat(), "lon": 120.04, "lat": 30.02, "acc": 5},
        {"t": "yesterday", "lon": 120.01, "lat": 30.01, "acc": 5},
        {"lon": 120.01},
        good[1],
    ]
    result = patrolling.record_points(patrol, points, batch="mixed")
    assert result.accepted == 2
    reasons = {r.index: r.reason for r in result.refused}
    assert reasons == {
        1: "future",
        2: "before_start",
        3: "outside_city",
        4: "inaccurate",
        5: "too_fast",
        6: "invalid",
        7: "invalid",
    }
    messages = {r.reason: r.message for r in result.refused}
    assert messages["inaccurate"] == "Less accurate than 100 m."
    assert messages["outside_city"] == "Outside the city."
    patrol.refresh_from_db()
    assert (patrol.point_count, patrol.refused_count) == (2, 7)


def test_a_patrol_past_midnight_keeps_its_figures_per_day(city, people):
    """Points from 23:51 to 00:10 in the city's time zone, the day changing in the middle of
    the second batch: each minute counts on the day it ended."""
    tz = timezone.get_current_timezone()
    yesterday = timezone.localdate() - timedelta(days=2)  # its 00:10 is past, whatever the hour
    start = datetime.combine(yesterday, time(23, 50), tzinfo=tz)
    night = patrolling.start_patrol(officer=people.officer_a, now=start)
    points = walk(start, 20)  # 23:51 … 00:10, a minute apart, all in grid A
    patrolling.record_points(night, points[:5], batch="before")  # 23:51–23:55
    patrolling.record_points(night, points[5:], batch="across")  # 23:56–00:10
    night.refresh_from_db()
    first, second = yesterday.isoformat(), (yesterday + timedelta(days=1)).isoformat()
    assert set(night.day_figures) == {first, second}
    # Nineteen one-minute steps: eight end by 23:59, eleven from 00:00 on.
    assert night.day_figures[first]["s"] == 8 * 60
    assert night.day_figures[second]["s"] == 11 * 60
    assert night.seconds_in_grid == 19 * 60
    metres = night.day_figures[first]["m"] + night.day_figures[second]["m"]
    assert abs(metres - night.distance_m) < 0.2


def test_points_in_any_order_are_sorted_and_epoch_milliseconds_are_taken(patrol):
    points = walk(patrol.started_at, 3)
    points[0]["t"] = int((patrol.started_at + timedelta(seconds=60)).timestamp() * 1000)
    result = patrolling.record_points(patrol, list(reversed(points)), batch="r")
    assert result.accepted == 3
    assert [p.lon for p in patrolling.track_of(patrol)] == sorted(p["lon"] for p in points)


def test_time_inside_counts_only_the_officers_grids_and_short_gaps(patrol, city):
    t0 = patrol.started_at
    inside = walk(t0, 2)  # grid A, 60 s apart
    gap = {  # 20 minutes later, still in grid A: the gap is not patrol time
        "t": (t0 + timedelta(minutes=22)).isoformat(),
        "lon": START[0] + 2 * STEP,
        "lat": START[1],
        "acc": 10,
    }
    in_b = {  # then into grid B (another officer's): walked, but not in the officer's grids
        "t": (t0 + timedelta(minutes=40)).isoformat(),
        "lon": city.point_b[0],
        "lat": city.point_b[1],
        "acc": 10,
    }
    patrolling.record_points(patrol, [*inside, gap, in_b], batch="x")
    patrol.refresh_from_db()
    assert patrol.seconds_in_grid == 60
    assert patrol.grid_seconds == {str(city.grid_a.pk): 60}
    assert patrol.distance_m > 9000  # the walk into grid B counts as distance


def test_a_batch_too_large_or_not_a_list_is_refused_whole(patrol, settings):
    settings.GRIDWORK_PATROL = {"MAX_BATCH": 3}
    with pytest.raises(InvalidInput):
        patrolling.record_points(patrol, walk(patrol.started_at, 4))
    with pytest.raises(InvalidInput):
        patrolling.record_points(patrol, "120,30")
    assert not PatrolSegment.objects.exists()


def test_only_the_officer_records_and_one_patrol_at_a_time(patrol, people):
    with pytest.raises(NotPermitted):
        patrolling.record_points(patrol, walk(patrol.started_at, 1), actor=people.street_leader)
    assert patrolling.start_patrol(officer=people.officer_a) == patrol  # resumed
    with pytest.raises(NotPermitted):
        patrolling.start_patrol(officer=people.citizen)
    ended = patrolling.end_patrol(patrol=patrol, actor=people.officer_a)
    assert ended.status == "ended" and ended.ended_at is not None
    assert patrolling.start_patrol(officer=people.officer_a) != patrol


def test_points_kept_offline_are_taken_after_the_patrol_ended(patrol, people):
    """The phone sends what it kept once back online, after the officer ended the patrol."""
    points = walk(patrol.started_at, 3)
    end_at = patrol.started_at + timedelta(minutes=5)
    patrolling.end_patrol(patrol=patrol, actor=people.officer_a, now=end_at)
    late = {"t": (end_at + timedelta(minutes=1)).isoformat(), "lon": 120.02, "lat": 30.01, "acc": 5}
    result = patrolling.record_points(patrol, [*points, late], batch="late")
    assert result.accepted == 3
    assert [r.reason for r in result.refused] == ["after_end"]


# -- check-ins ---------------------------------------------------------------------------------


def test_a_check_in_near_a_key_place_keeps_its_note_and_cleaned_photo(patrol, city, people):
    place = key_place(city)
    visit = patrolling.check_in(
        patrol=patrol,
        actor=people.officer_a,
        key_place=place,
        lon=START[0],
        lat=START[1],
        note="油罐区正常",
        photos=[upload("tank.png", png_bytes((200, 100)), "image/png")],
    )
    assert visit.distance_m < 100 and visit.note == "油罐区正常"
    (photo,) = CheckInPhoto.objects.all()
    assert photo.content_type == "image/png" and photo.thumbnail


def test_a_check_in_too_far_or_with_a_bomb_is_refused_and_nothing_kept(
    patrol, city, people, english
):
    place = key_place(city, lon=120.02, lat=30.01)  # about 1 km east
    with pytest.raises(InvalidInput) as refused:
        patrolling.check_in(
            patrol=patrol, actor=people.officer_a, key_place=place, lon=START[0], lat=START[1]
        )
    assert "check in within 100 m" in str(refused.value)
    near = key_place(city)
    with pytest.raises(InvalidInput) as refused:
        patrolling.check_in(
            patrol=patrol,
            actor=people.officer_a,
            key_place=near,
            lon=START[0],
            lat=START[1],
            photos=[bomb()],
        )
    assert "million pixels" in str(refused.value)
    assert not patrol.check_ins.exists() and not CheckInPhoto.objects.exists()


def test_another_grids_key_place_is_not_for_check_in(city, people):
    patrol_b = patrolling.start_patrol(officer=people.officer_b)
    with pytest.raises(NotPermitted):
        patrolling.check_in(
            patrol=patrol_b,
            actor=people.officer_b,
            key_place=key_place(city),
            lon=START[0],
            lat=START[1],
        )


# -- report from here --------------------------------------------------------------------------


def test_report_from_here_files_a_patrol_case_linked_to_the_patrol(patrol, city, people):
    report = patrolling.report_from_here(
        patrol=patrol,
        actor=people.officer_a,
        category=city.category,
        lon=START[0],
        lat=START[1],
        answers={"amount": "small"},
        request_id="tap-1",
    )
    case = report.case
    assert case.channel == "patrol" and case.events.first().actor == people.officer_a
    assert case.grid == city.grid_a
    again = patrolling.report_from_here(
        patrol=patrol,
        actor=people.officer_a,
        category=city.category,
        lon=START[0],
        lat=START[1],
        request_id="tap-1",
    )
    assert again == report and Case.objects.count() == 1
    assert PatrolReport.objects.get().patrol == patrol


# -- who sees which patrol ---------------------------------------------------------------------


def test_an_officer_sees_their_own_and_a_leader_their_subtrees(patrol, people):
    patrol_b = patrolling.start_patrol(officer=people.officer_b)
    seen = {
        name: set(patrols_for(getattr(people, name)))
        for name in ("officer_a", "officer_b", "street_leader", "dispatcher", "clerk", "admin")
    }
    assert seen["officer_a"] == {patrol}
    assert seen["officer_b"] == {patrol_b}
    assert seen["street_leader"] == {patrol}  # street A's grids only
    assert seen["dispatcher"] == set() and seen["clerk"] == set()
    assert seen["admin"] == {patrol, patrol_b}


# -- the API -------------------------------------------------------------------------------------


def test_the_api_runs_a_patrol_from_start_to_end(api, city, people):
    api.force_authenticate(people.officer_a)
    started = api.post(BASE)
    assert started.status_code == 201
    pid = started.json()["id"]
    patrol = Patrol.objects.get(pk=pid)
    points = walk(patrol.started_at, 3, every_s=20)
    points.append({"t": points[-1]["t"], "lon": 120.02, "lat": 30.01, "acc": 5})
    sent = api.post(f"{BASE}{pid}/points/", {"batch": "p1", "points": points}, format="json")
    assert sent.status_code == 200
    body = sent.json()
    assert (body["accepted"], body["repeated"], body["total_points"]) == (3, False, 3)
    assert [(r["index"], r["reason"]) for r in body["refused"]] == [(3, "duplicate")]
    resent = api.post(f"{BASE}{pid}/points/", {"batch": "p1", "points": points}, format="json")
    assert resent.json()["repeated"] is True and resent.json()["total_points"] == 3

    place = key_place(city)
    checked = api.post(
        f"{BASE}{pid}/check-ins/",
        {"key_place": place.pk, "lon": START[0], "lat": START[1], "note": "正常"},
    )
    assert checked.status_code == 201, checked.content
    nearby = api.get(f"{BASE}nearby-places/", {"lon": START[0], "lat": START[1]}).json()
    assert [p["id"] for p in nearby] == [place.pk]
    reported = api.post(
        f"{BASE}{pid}/reports/",
        {
            "category": city.category.code,
            "lon": START[0],
            "lat": START[1],
            "request_id": "r1",
            "answers.amount": "small",
        },
    )
    assert reported.status_code == 201, reported.content
    assert Case.objects.get(tracking_id=reported.json()["tracking_id"]).channel == "patrol"

    ended = api.post(f"{BASE}{pid}/end/")
    assert ended.json()["status"] == "ended"
    detail = api.get(f"{BASE}{pid}/").json()
    assert len(detail["track"]) == 3
    assert detail["check_ins"][0]["key_place"] == place.pk
    assert detail["reports"][0]["tracking_id"] == reported.json()["tracking_id"]


def test_the_api_refuses_others_and_bad_input(api, patrol, people):
    url = f"{BASE}{patrol.pk}/points/"
    body = {"batch": "x", "points": walk(patrol.started_at, 1)}
    api.force_authenticate(people.officer_b)
    assert api.post(url, body, format="json").status_code == 404
    assert api.get(f"{BASE}{patrol.pk}/").status_code == 404
    assert api.get(BASE).json()["results"] == []
    api.force_authenticate(people.street_leader)
    assert api.get(f"{BASE}{patrol.pk}/").status_code == 200  # a leader reads it …
    assert api.post(url, body, format="json").status_code == 403  # … but does not write it
    api.force_authenticate(people.citizen)
    assert api.post(BASE).status_code == 403
    api.force_authenticate(people.officer_a)
    bad = api.post(url, {"batch": "y", "points": "nope"}, format="json")
    assert bad.status_code == 400
    api.force_authenticate(None)
    assert api.get(BASE).status_code == 401


def test_openapi_documents_the_patrol_endpoints(api, people):
    api.force_authenticate(people.admin)
    schema = api.get("/api/schema/", {"format": "json"})
    if schema.status_code == 404:
        pytest.skip("no schema route here")
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/gridwork/patrols/",
        "/api/v1/gridwork/patrols/{id}/points/",
        "/api/v1/gridwork/patrols/{id}/check-ins/",
        "/api/v1/gridwork/patrols/{id}/reports/",
        "/api/v1/gridwork/patrols/{id}/end/",
    ):
        assert path in paths


def test_a_batch_for_someone_elses_patrol_is_not_found_and_stores_nothing(patrol, people):
    with pytest.raises(Patrol.DoesNotExist):
        patrolling.record_own_points(
            officer=people.officer_b, patrol_id=patrol.pk, points=walk(patrol.started_at, 2)
        )
    assert not PatrolSegment.objects.exists()
