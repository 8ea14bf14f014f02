"""A public notice updated and cancelled (CAP Update / Cancel): from the sender's page, the
board and the API; each document valid against the CAP 1.2 schema and referring to the earlier
one; its recipients told; the earlier one no longer chased; only for who may send it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from emergency import resending
from emergency.cap.alerts import reference
from emergency.models import IncidentEventKind, MessageType, Notice, Recipient
from emergency.revising import cancel_notice, update_notice
from governance import clock
from governance.errors import InvalidInput, NotPermitted
from notifications.models import Notification
from tests.emergency.cap_helpers import incident, texts, valid
from tests.emergency.notice_helpers import notice_to
from tests.emergency.test_notice_races import _together

pytestmark = pytest.mark.django_db


def _alert(people, city, areas=None, **more):
    flood = more.pop("incident", None)
    return notice_to(
        people.dispatcher,
        areas or [city.street_a],
        roles=["officer"],
        public=True,
        severity="Severe",
        urgency="Expected",
        certainty="Likely",
        incident=flood,
        **more,
    )


def _cap(client, notice: Notice):
    response = client.get(f"/cap/alerts/{notice.identifier}.xml")
    assert response.status_code == 200
    return valid(response.content)


@override_settings(CAP_SENDER="grid.minghu.example")
def test_update_and_cancel_are_valid_cap_referring_to_the_earlier(client, city, people):
    flood = incident(city.street_a)
    first = _alert(people, city, incident=flood)
    update = update_notice(
        first, people.dispatcher, title="暴雨红色预警（升级）", severity="Extreme"
    )
    cancel = cancel_notice(update, people.dispatcher, "雨已停")

    root = _cap(client, first)
    assert texts(root, "/cap:alert/cap:msgType") == ["Alert"]
    root = _cap(client, update)
    assert texts(root, "/cap:alert/cap:msgType") == ["Update"]
    assert texts(root, "/cap:alert/cap:references") == [reference(first)]
    assert reference(first).startswith(f"grid.minghu.example,{first.identifier},")
    assert texts(root, "//cap:info/cap:severity") == ["Extreme", "Extreme"]
    assert texts(root, "//cap:info[1]/cap:headline") == ["暴雨红色预警（升级）"]
    root = _cap(client, cancel)
    assert texts(root, "/cap:alert/cap:msgType") == ["Cancel"]
    (chain,) = texts(root, "/cap:alert/cap:references")
    assert chain == f"{reference(first)} {reference(update)}"
    assert "已取消" in texts(root, "//cap:info[1]/cap:headline")[0]
    assert "雨已停" in texts(root, "//cap:info[1]/cap:description")[0]

    assert (update.references, cancel.references) == (first, update)
    assert update.target == first.target and cancel.target == first.target
    kinds = list(flood.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == [
        IncidentEventKind.NOTICE_SENT,
        IncidentEventKind.NOTICE_UPDATED,
        IncidentEventKind.NOTICE_CANCELLED,
    ]
    # The officer of street A was told each time; the cancellation says so.
    told = Notification.objects.filter(user=people.officer_a).order_by("pk")
    assert told.count() == 3 and "已取消" in told.last().title
    assert set(cancel.recipients.values_list("user_id", flat=True)) == {people.officer_a.pk}


def test_the_earlier_and_the_cancellation_are_not_chased(city, people):
    first = _alert(people, city, resend_after=1, resends=2)
    cancel_notice(first, people.dispatcher)
    other = _alert(people, city, resend_after=1, resends=2)
    with clock.travel(other.sent_at + timedelta(minutes=5)):
        result = resending.resend_unanswered()
    assert result.resent == 1  # only the notice never revised
    assert Recipient.objects.get(notice=other).sent_count == 2
    assert Recipient.objects.get(notice=first).sent_count == 1


def test_who_may_revise(city, people):
    first = _alert(people, city)
    with pytest.raises(NotPermitted):
        update_notice(first, people.officer_a, title="x")
    east = _alert(people, city, areas=[city.street_b])
    with pytest.raises(NotPermitted):
        cancel_notice(east, people.street_leader)
    update_notice(first, people.street_leader, body="新的内容")  # their own street
    with pytest.raises(InvalidInput):
        cancel_notice(first, people.dispatcher)  # updated since: revise the latest
    private = notice_to(people.dispatcher, [city.street_a], roles=["officer"])
    with pytest.raises(InvalidInput):
        cancel_notice(private, people.dispatcher)
    assert Notice.objects.filter(msg_type=MessageType.CANCEL).count() == 0


def test_the_send_page_offers_public_and_preselects_the_incident(client, city, people, english):
    flood = incident(city.street_a)
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = "en"  # the words the assertions read
    page = client.get(f"/work/emergency/notices/new/?incident={flood.pk}").content.decode()
    assert "Also publish to the public (CAP alert feed)" in page
    assert f'<option value="{flood.pk}" selected>' in page
    for name in ("severity", "urgency", "certainty", "expires_at"):
        assert f'name="{name}"' in page
    response = client.post(
        "/work/emergency/notices/new/",
        {
            "incident": flood.pk,
            "title": "积水预警",
            "body": "低洼处积水",
            "areas": [city.community_a.pk, city.community_b.pk],
            "roles": ["officer"],
            "resend_after": 10,
            "resends": 1,
            "public": "on",
            "severity": "Severe",
            "urgency": "Immediate",
            "certainty": "Observed",
            "expires_at": (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    notice = Notice.objects.get(title="积水预警")
    assert response.status_code == 302
    assert notice.public and notice.incident == flood and notice.severity == "Severe"
    assert notice.urgency == "Immediate" and notice.expires_at > timezone.now()
    root = _cap(client, notice)
    assert texts(root, "//cap:info[1]/cap:urgency") == ["Immediate"]


def test_pages_update_and_cancel_for_who_may(client, city, people, english):
    flood = incident(city.street_a)
    first = _alert(people, city, incident=flood)
    client.force_login(people.officer_a)  # a recipient: sees the notice, may not revise it
    assert client.get(f"/work/emergency/notices/{first.pk}/update/").status_code in (403, 404)
    assert client.post(f"/work/emergency/notices/{first.pk}/cancel/").status_code in (403, 404)
    client.force_login(people.dispatcher)
    rollcall = client.get(f"/work/emergency/notices/{first.pk}/roll-call/").content.decode()
    assert f"/work/emergency/notices/{first.pk}/update/" in rollcall
    board = client.get(f"/work/emergency/incidents/{flood.pk}/").content.decode()
    assert f"/work/emergency/notices/{first.pk}/cancel/" in board
    form = client.get(f"/work/emergency/notices/{first.pk}/update/").content.decode()
    assert "暴雨红色预警" in form  # prefilled
    response = client.post(
        f"/work/emergency/notices/{first.pk}/update/",
        {
            "title": "暴雨红色预警（更新）",
            "body": "请继续值守",
            "severity": "Severe",
            "urgency": "Immediate",
            "certainty": "Observed",
        },
    )
    update = Notice.objects.get(references=first)
    assert response.status_code == 302 and update.msg_type == MessageType.UPDATE
    rollcall = client.get(f"/work/emergency/notices/{first.pk}/roll-call/").content.decode()
    assert f"/work/emergency/notices/{first.pk}/update/" not in rollcall  # revised already
    again = client.post(f"/work/emergency/notices/{first.pk}/cancel/", {"reason": "x"})
    assert again.status_code == 400
    response = client.post(f"/work/emergency/notices/{update.pk}/cancel/", {"reason": "雨停"})
    assert response.status_code == 302
    assert Notice.objects.get(references=update).msg_type == MessageType.CANCEL


def test_the_api_updates_and_cancels(api, city, people):
    first = _alert(people, city)
    east = _alert(people, city, areas=[city.street_b])
    api.force_authenticate(people.officer_a)
    assert api.post(f"/api/v1/emergency/notices/{first.pk}/update/", {}).status_code == 403
    api.force_authenticate(people.street_leader)
    assert api.post(f"/api/v1/emergency/notices/{east.pk}/cancel/", {}).status_code in (403, 404)
    response = api.post(
        f"/api/v1/emergency/notices/{first.pk}/update/",
        {"severity": "Extreme", "body": "升级"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["msg_type"] == "Update" and body["references"] == first.pk
    assert body["severity"] == "Extreme" and body["title"] == first.title
    stale = api.post(f"/api/v1/emergency/notices/{first.pk}/cancel/", {}, format="json")
    assert stale.status_code == 400
    response = api.post(
        f"/api/v1/emergency/notices/{body['id']}/cancel/", {"reason": "解除"}, format="json"
    )
    assert response.status_code == 201 and response.json()["msg_type"] == "Cancel"
    schema = api.get("/api/schema/").content.decode()
    assert "/api/v1/emergency/notices/{notice_id}/cancel/" in schema


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_people_cancelling_at_once_cancel_once(city, people):
    first = _alert(people, city)

    def attempt(who):
        def run():
            try:
                return cancel_notice(first, who, "重复")
            except InvalidInput as refusal:
                return refusal

        return run

    results = _together(attempt(people.dispatcher), attempt(people.street_leader))
    assert sorted(type(r).__name__ for r in results) == ["InvalidInput", "Notice"]
    assert Notice.objects.filter(references=first).count() == 1


def test_a_cancellation_reaches_whoever_heard_the_alert_even_after_they_moved(city, people):
    from governance.models import Assignment

    first = _alert(people, city)
    assert set(first.recipients.values_list("user_id", flat=True)) == {people.officer_a.pk}
    # The officer is moved off street A's grids after the alert: they still heard the alert,
    # so they hear it is cancelled; the area they were reached through is kept for roll-calls.
    Assignment.objects.filter(user=people.officer_a).delete()
    cancel = cancel_notice(first, people.dispatcher, "雨已停")
    [row] = cancel.recipients.all()
    assert row.user_id == people.officer_a.pk
    assert row.area_path == first.recipients.get().area_path
    assert (
        "已取消" in Notification.objects.filter(user=people.officer_a).order_by("pk").last().title
    )
