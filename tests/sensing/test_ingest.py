"""Readings in over the SensorThings HTTP API: stored, refused with a reason (and counted on the
device), duplicates ignored, out-of-order readings rolled up right, the rules' seam called."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sensing import observers
from sensing.ingest import RawReading, store_readings
from sensing.models import Bucket, Datastream, Device, Observation, Rollup
from tests.sensing.fleet import make_fleet


@pytest.fixture
def fleet(city, english):
    return make_fleet(city)


def at(minutes_ago: float) -> str:
    moment = timezone.now().replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def post(client, path, body, token):
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_one_observation_is_stored_and_becomes_the_latest_value(client, fleet):
    response = post(
        client,
        f"/sta/v1.1/Datastreams({fleet.tilt.pk})/Observations",
        {"phenomenonTime": at(1), "result": 12.5},
        fleet.cover_token,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["@iot.selfLink"]
    assert Observation.objects.get(pk=body["@iot.id"]).result == 12.5
    fleet.tilt.refresh_from_db()
    assert fleet.tilt.last_value == 12.5
    fleet.cover_device.refresh_from_db()
    assert fleet.cover_device.accepted_count == 1
    assert fleet.cover_device.last_seen_at is not None


def test_bulk_create_observations_answers_per_row(client, fleet):
    body = [
        {
            "Datastream": {"@iot.id": fleet.tilt.pk},
            "components": ["phenomenonTime", "result"],
            "dataArray": [[at(3), 1.0], [at(2), 2.0], [at(2), 2.0], [at(1), float("nan")]],
        }
    ]
    response = client.post(
        "/sta/v1.1/CreateObservations",
        data=json.dumps(body),  # NaN written as JSON's NaN literal, which a device may send
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {fleet.cover_token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201
    answer = response.json()
    assert answer[0].startswith("/sta/v1.1/Observations(")
    assert answer[1].startswith("/sta/v1.1/Observations(")
    assert answer[2] == "duplicate"
    assert answer[3].startswith("error:") and "finite" in answer[3]
    assert Observation.objects.filter(datastream=fleet.tilt).count() == 2
    fleet.cover_device.refresh_from_db()
    assert (fleet.cover_device.accepted_count, fleet.cover_device.rejected_count) == (2, 1)
    assert "finite" in fleet.cover_device.last_rejection


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"phenomenonTime": "now", "result": 1}, "ISO 8601"),
        ({"phenomenonTime": "2026-01-01T00:00:00", "result": 1}, "zone"),
        ({"result": "12"}, "expected a number"),
        ({"result": True}, "expected a number"),
        ({"result": None}, "expected a number"),
        ({"phenomenonTime": "2999-01-01T00:00:00Z", "result": 1}, "future"),
        ({"phenomenonTime": "1999-01-01T00:00:00Z", "result": 1}, "older"),
    ],
)
def test_bad_readings_are_refused_with_the_reason_and_counted(client, fleet, body, why):
    response = post(
        client, f"/sta/v1.1/Datastreams({fleet.tilt.pk})/Observations", body, fleet.cover_token
    )
    assert response.status_code == 400
    assert why in response.json()["message"]
    assert not Observation.objects.exists()
    fleet.cover_device.refresh_from_db()
    assert fleet.cover_device.rejected_count == 1
    assert why in fleet.cover_device.last_rejection


def test_unknown_datastream_and_another_devices_datastream_are_refused(client, fleet):
    unknown = post(
        client, "/sta/v1.1/Datastreams(999999)/Observations", {"result": 1}, fleet.cover_token
    )
    assert unknown.status_code == 400 and "unknown datastream" in unknown.json()["message"]
    foreign = post(
        client,
        f"/sta/v1.1/Datastreams({fleet.level.pk})/Observations",
        {"result": 1.0},
        fleet.cover_token,
    )
    assert foreign.status_code == 400 and "not this device" in foreign.json()["message"]
    assert not Observation.objects.exists()
    fleet.cover_device.refresh_from_db()
    assert fleet.cover_device.rejected_count == 2


def test_without_a_valid_token_nothing_is_written(client, fleet):
    path = f"/sta/v1.1/Datastreams({fleet.tilt.pk})/Observations"
    assert client.post(path, data="{}", content_type="application/json").status_code == 401
    assert post(client, path, {"result": 1}, "not-a-token").status_code == 401
    Device.objects.filter(pk=fleet.cover_device.pk).update(active=False)
    from sensing import directory

    directory.forget()
    assert post(client, path, {"result": 1}, fleet.cover_token).status_code == 401
    assert not Observation.objects.exists()


def test_a_text_stream_takes_text_and_refuses_numbers(fleet):
    outcome = store_readings(
        [RawReading(fleet.bin_state.pk, "full"), RawReading(fleet.bin_state.pk, 3)],
        device_id=fleet.cover_device.pk,
    )
    assert outcome.accepted == 1 and len(outcome.refused) == 1
    assert Observation.objects.get().result_json == "full"
    assert not Rollup.objects.exists()  # only numbers are rolled up


def test_out_of_order_readings_land_in_their_buckets_and_keep_the_newest_latest(fleet):
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    late = [RawReading(fleet.tilt.pk, 5.0, (base + timedelta(minutes=7)).isoformat())]
    first = [
        RawReading(fleet.tilt.pk, 1.0, (base + timedelta(minutes=1)).isoformat()),
        RawReading(fleet.tilt.pk, 9.0, (base + timedelta(minutes=9)).isoformat()),
        RawReading(fleet.tilt.pk, 3.0, (base + timedelta(minutes=61)).isoformat()),
    ]
    store_readings(first, device_id=fleet.cover_device.pk)
    outcome = store_readings(late + first[:1], device_id=fleet.cover_device.pk)
    assert (outcome.accepted, outcome.duplicates) == (1, 1)

    five = Rollup.objects.get(
        datastream=fleet.tilt, bucket=Bucket.FIVE_MINUTES, start=base + timedelta(minutes=5)
    )
    assert (five.count, five.min, five.max, five.sum, five.last) == (2, 5.0, 9.0, 14.0, 9.0)
    hour = Rollup.objects.get(datastream=fleet.tilt, bucket=Bucket.HOUR, start=base)
    assert (hour.count, hour.min, hour.max, hour.sum) == (3, 1.0, 9.0, 15.0)
    assert hour.last == 9.0  # the reading at :09 is the hour's last, though :07 came later
    day_total = sum(
        Rollup.objects.filter(datastream=fleet.tilt, bucket=Bucket.DAY).values_list(
            "count", flat=True
        )
    )
    assert day_total == 4
    stream = Datastream.objects.get(pk=fleet.tilt.pk)
    assert stream.last_value == 3.0  # the newest phenomenon time, not the last to arrive


def test_observers_get_the_stored_readings_once(fleet):
    seen: list[list[observers.Reading]] = []
    observers.register(seen.append)
    try:
        reading = RawReading(fleet.tilt.pk, 11.0, at(1))
        store_readings([reading], device_id=fleet.cover_device.pk)
        store_readings([reading], device_id=fleet.cover_device.pk)  # a duplicate: not again
    finally:
        observers.unregister(seen.append)
    assert len(seen) == 1
    (only,) = seen[0]
    assert (only.datastream_id, only.thing_id, only.result) == (fleet.tilt.pk, fleet.cover.pk, 11.0)


def test_an_observer_that_fails_leaves_nothing_half_stored(fleet):
    def broken(readings):
        raise RuntimeError("rules down")

    observers.register(broken)
    try:
        with pytest.raises(RuntimeError):
            store_readings([RawReading(fleet.tilt.pk, 1.0, at(1))], device_id=fleet.cover_device.pk)
    finally:
        observers.unregister(broken)
    assert not Observation.objects.exists() and not Rollup.objects.exists()
