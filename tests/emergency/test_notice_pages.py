"""The answer page (no sign-in), my notices, the roll-call page with names only for those
permitted, and the resident's opt-in page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from emergency import answering
from emergency.models import Incident, IncidentArea, Recipient, ResidentEnrolment
from tests.emergency.notice_helpers import notice_to

pytestmark = pytest.mark.django_db


def test_the_answer_page_needs_no_sign_in_and_answers_once(client, city, people, english):
    notice = notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    token = notice.recipients.get().token
    page = client.get(f"/e/a/{token}/")
    text = page.content.decode()
    assert page.status_code == 200 and "暴雨红色预警" in text
    for value in ("received", "on_my_way", "need_help"):
        assert f'value="{value}"' in text
    assert Recipient.objects.get(token=token).reached_at is not None
    done = client.post(f"/e/a/{token}/", {"answer": "received"}, follow=True)
    assert 'name="answer"' not in done.content.decode()  # answered: no more buttons
    again = client.post(f"/e/a/{token}/", {"answer": "need_help"}, follow=True)
    assert again.status_code == 200 and 'name="answer"' not in again.content.decode()
    assert Recipient.objects.get(token=token).answer == "received"


def test_a_wrong_answer_or_token_is_refused(client, city, people):
    notice = notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    token = notice.recipients.get().token
    assert client.post(f"/e/a/{token}/", {"answer": "maybe"}).status_code == 400
    assert client.get("/e/a/nope/").status_code == 404
    assert not Recipient.objects.get(token=token).answered_at


def test_my_notices_lists_only_mine_with_their_buttons(client, city, people, english):
    notice_to(people.dispatcher, [city.grid_a], roles=["officer"], title="甲网格通知")
    notice_to(people.dispatcher, [city.grid_b], roles=["officer"], title="乙网格通知")
    client.force_login(people.officer_a)
    text = client.get("/work/emergency/my-notices/").content.decode()
    assert "甲网格通知" in text and "乙网格通知" not in text
    token = Recipient.objects.get(user=people.officer_a).token
    response = client.post(f"/e/a/{token}/", {"answer": "on_my_way", "next": "mine"})
    assert response.status_code == 302 and response["Location"] == "/work/emergency/my-notices/"
    assert 'name="answer"' not in client.get("/work/emergency/my-notices/").content.decode()
    client.logout()
    assert client.get("/work/emergency/my-notices/").status_code == 302  # to sign in


def _district_notice(people, city):
    notice = notice_to(people.dispatcher, [city.district])
    for recipient in notice.recipients.all():
        if recipient.user_id == people.officer_b.pk:
            answering.answer(recipient.token, "need_help", "水已过膝")
    return notice


def test_the_roll_call_shows_counts_per_area_and_names_to_its_sender(client, city, people):
    notice = _district_notice(people, city)
    client.force_login(people.dispatcher)
    page = client.get(f"/work/emergency/notices/{notice.pk}/roll-call/")
    text = page.content.decode()
    assert page.status_code == 200
    assert page.context["totals"].total == 4 and page.context["totals"].answered == 1
    # a district-wide notice: a row per street (and the district's own dispatcher)
    rows = {r.key: r for r in page.context["rows"]}
    assert set(rows) == {city.district.pk, city.street_a.pk, city.street_b.pk}
    street_b = rows[city.street_b.pk]
    assert (street_b.total, street_b.answered, street_b.answers) == (1, 1, {"need_help": 1})
    assert rows[city.street_a.pk].total == 2
    assert "officer_b" in text and "水已过膝" in text and "officer_a" in text
    # looking into street B: its community, its people
    inside = client.get(f"/work/emergency/notices/{notice.pk}/roll-call/?area={city.street_b.pk}")
    assert [r.key for r in inside.context["rows"]] == [city.community_b.pk]
    assert [p["recipient"].user for p in inside.context["people"]] == [people.officer_b]


def test_a_street_leader_reads_the_names_of_their_street_only(client, city, people):
    notice = _district_notice(people, city)
    client.force_login(people.street_leader)
    page = client.get(f"/work/emergency/notices/{notice.pk}/roll-call/")
    assert page.status_code == 200
    names = {p["recipient"].user.username for p in page.context["people"]}
    assert names == {"officer_a", "street_leader"}  # not officer_b of the other street
    assert "officer_b" not in page.content.decode()


def test_an_officer_sees_the_counts_of_an_incident_they_see_but_no_names(client, city, people):
    now = timezone.now()
    incident = Incident.objects.create(
        title="内涝", kind="flood", level=3, occurred_at=now, created_at=now, updated_at=now
    )
    IncidentArea.objects.create(incident=incident, area=city.district)
    notice = notice_to(people.dispatcher, [city.district], incident=incident)
    client.force_login(people.officer_b)
    page = client.get(f"/work/emergency/notices/{notice.pk}/roll-call/")
    assert page.status_code == 200 and page.context["people"] == []
    assert "officer_a" not in page.content.decode()


def test_the_roll_call_is_not_found_for_the_wrong_person(client, city, people):
    notice = notice_to(people.dispatcher, [city.street_b])
    for person in (people.street_leader, people.officer_a, people.citizen, people.clerk):
        client.force_login(person)
        assert client.get(f"/work/emergency/notices/{notice.pk}/roll-call/").status_code == 404
        url = f"/work/emergency/notices/{notice.pk}/roll-call/data/"
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(f"/work/emergency/notices/{notice.pk}/roll-call/").status_code == 302


def test_the_roll_call_data_for_the_live_page(client, city, people):
    notice = _district_notice(people, city)
    client.force_login(people.dispatcher)
    data = client.get(f"/work/emergency/notices/{notice.pk}/roll-call/data/").json()
    assert data["totals"]["total"] == 4 and data["totals"]["answers"]["need_help"] == 1
    assert "officer_b" not in str(data)  # counts only


def test_a_resident_opts_in_from_the_profile_and_out_again(client, city, people, english):
    client.force_login(people.citizen)
    assert "/emergency/residence/" in client.get("/accounts/profile/").content.decode()
    lon, lat = city.point_a
    response = client.post("/emergency/residence/", {"address": "甲路1号", "lon": lon, "lat": lat})
    assert response.status_code == 302
    enrolment = ResidentEnrolment.objects.get(user=people.citizen)
    assert enrolment.grid == city.grid_a and enrolment.grid_path == city.grid_a.path
    outside = client.post("/emergency/residence/", {"address": "城外", "lon": 121.5, "lat": 31})
    assert outside.status_code == 400
    notice = notice_to(people.dispatcher, [city.street_a], roles=[], target={"residents": True})
    assert list(notice.recipients.values_list("user_id", flat=True)) == [people.citizen.pk]
    client.post("/emergency/residence/", {"leave": "1"})
    assert not ResidentEnrolment.objects.exists()
    assert client.get("/emergency/residence/").status_code == 200


def test_the_roll_call_partial_renders_from_the_summary_alone(city, people):
    from django.template.loader import render_to_string

    from emergency import rollcall

    notice = _district_notice(people, city)
    html = render_to_string("emergency/_rollcall.html", rollcall.summary(notice))
    assert f'data-rollcall="{notice.pk}"' in html
    assert f'data-area="{city.street_b.pk}"' in html and f'data-path="{city.street_b.path}"' in html
    assert 'data-total="answered">1<' in html and 'data-total="total">4<' in html
    assert "officer_b" not in html  # counts only: names are the page's, for the permitted


def test_the_embedded_scheduler_runs_the_resend(city, people):
    from datetime import timedelta

    from governance import clock, scheduler

    notice = notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    job = scheduler._jobs["emergency: resend unanswered notices"]  # run_once runs each job
    with clock.travel(notice.sent_at + timedelta(minutes=10)):
        job()
    assert Recipient.objects.get(notice=notice).sent_count == 2


def test_a_leader_sends_from_the_page_to_their_street_only(client, city, people):
    client.force_login(people.street_leader)
    form = client.get("/work/emergency/notices/new/")
    assert form.status_code == 200
    offered = set(form.context["form"].fields["areas"].queryset)
    assert city.street_a in offered and city.street_b not in offered
    sent = client.post(
        "/work/emergency/notices/new/",
        {
            "title": "停水通知",
            "body": "今晚停水",
            "areas": [city.street_a.pk],
            "roles": ["officer"],
            "options": "已知悉\n需要送水",
            "resend_after": 10,
            "resends": 1,
        },
    )
    notice = Recipient.objects.get(user=people.officer_a).notice
    assert sent.status_code == 302 and sent["Location"].endswith(f"/notices/{notice.pk}/roll-call/")
    assert notice.options == ["已知悉", "需要送水"] and notice.recipient_count == 1
    wrong = client.post(
        "/work/emergency/notices/new/",
        {"title": "x", "body": "y", "areas": [city.street_b.pk], "roles": ["officer"]},
    )
    assert wrong.status_code == 400
    listed = client.get("/work/emergency/notices/")
    assert "停水通知" in listed.content.decode()


def test_officers_and_citizens_cannot_send(client, people):
    for person in (people.officer_a, people.citizen, people.clerk):
        client.force_login(person)
        assert client.get("/work/emergency/notices/new/").status_code == 404
        assert client.post("/work/emergency/notices/new/", {"title": "x"}).status_code == 404
