"""Following a request ("me too"), area alerts, and what their e-mails say (issue 10, defect 4)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from citizens.following import links as follow_links
from citizens.following import subscribing, telling
from citizens.models import Alert, Subscription
from config.celery import app as celery_app
from governance import workflow
from governance.models import CaseEvent
from notifications.models import Notification

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def eager_tasks():
    """The fan-out and the sending run in-process here, even with a broker configured."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def submit(city, people, *, point=None, category=None, actor=None):
    lon, lat = point or city.point_a
    return workflow.submit_case(
        actor=actor or people.citizen,
        category=category or city.category,
        description="垃圾堆在路边 by the gate of No. 7",
        lon=lon,
        lat=lat,
        address="Lake Road 7",
        answers={"amount": "small"} if category is None else {},
        contact={"name": "张三", "phone": "13800000009"},
    )


def signed_in(user) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def english_client() -> Client:
    """Pages in English (the tests read their words), whatever the catalogs compiled."""
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def links(message) -> list[str]:
    return LINK.findall(message.body)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# --- following a request --------------------------------------------------------------------


def test_a_signed_in_person_follows_with_one_tap_and_stops_with_another(
    city, people, commit, english
):
    case = commit(submit, city, people)
    client = signed_in(people.other_citizen)
    page = client.get(reverse("citizens:public_request", args=[case.tracking_id])).content.decode()
    assert ">Follow</button>" in page
    response = client.post(reverse("citizens:follow", args=[case.tracking_id]))
    assert response.status_code == 302
    page = client.get(reverse("citizens:public_request", args=[case.tracking_id])).content.decode()
    assert "1 person follows this request." in page and "Stop following" in page
    client.post(reverse("citizens:follow", args=[case.tracking_id]))  # twice: still one
    assert subscribing.me_too_count(case) == 1
    client.post(reverse("citizens:follow", args=[case.tracking_id]), {"action": "unfollow"})
    assert subscribing.me_too_count(case) == 0
    assert Subscription.objects.get().ended_at is not None


def test_followers_hear_of_public_changes_and_never_of_notes(city, people, commit, english):
    people.other_citizen.email = "other@example.com"
    people.other_citizen.preferred_language = "en"
    people.other_citizen.save()
    case = commit(submit, city, people)
    signed_in(people.other_citizen).post(
        reverse("citizens:follow", args=[case.tracking_id]), HTTP_HOST="localhost"
    )
    mail.outbox.clear()
    commit(
        workflow.add_note,
        case_id=case.pk,
        actor=people.officer_a,
        text="内部: 联系物业",
        audience="internal",
    )
    commit(
        workflow.add_note,
        case_id=case.pk,
        actor=people.officer_a,
        text="To the reporter only",
        audience="reporter",
    )
    assert mails_to("other@example.com") == []
    assert not Notification.objects.filter(user=people.other_citizen).exists()
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    [message] = mails_to("other@example.com")
    assert message.subject == f"[{case.tracking_id}] Exposed garbage: filed"
    assert "Status: filed" in message.body
    assert "联系物业" not in message.body and "reporter only" not in message.body
    assert f"http://localhost/public/{case.tracking_id}/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in message.body and unsubscribe.startswith("http://localhost/")
    [note] = Notification.objects.filter(user=people.other_citizen)
    assert note.kind == "followed" and note.display_title.startswith(f"Request {case.tracking_id}")
    # The reporter hears of it through their own notification, not as a follower.
    assert len(mails_to("citizen@example.com")) == 1


def test_a_public_summary_reaches_followers_but_the_handlers_note_does_not(
    city, people, commit, english
):
    case = commit(submit, city, people)
    commit(
        subscribing.request_follow_by_email,
        email="Neighbour@Example.com",
        case=case,
        language="en",
        site="https://g.example/",
    )
    assert subscribing.confirm(_token_of()) is not None
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    commit(workflow.dispatch_case, case_id=case.pk, actor=people.street_leader)
    commit(workflow.start_case, case_id=case.pk, actor=people.clerk)
    mail.outbox.clear()
    commit(
        workflow.resolve_case,
        case_id=case.pk,
        actor=people.clerk,
        note="Called Mr Zhang on 138…",
        public_summary="The pile was cleared.",
    )
    bodies = "\n".join(m.body for m in mails_to("neighbour@example.com"))
    assert "The pile was cleared." in bodies
    assert "Mr Zhang" not in bodies


def _token_of() -> str:
    """The confirmation token, read from the last confirmation mail (only its hash is kept)."""
    for message in reversed(mail.outbox):
        for url in links(message):
            if "/follow/confirm/" in url:
                return url.rstrip("/").rsplit("/", 1)[1]
    raise AssertionError("no confirmation mail")


def test_following_by_e_mail_waits_for_the_link_and_one_click_ends_it(
    city, people, commit, english
):
    case = commit(submit, city, people)
    client = english_client()  # the language of the mails to come too
    response = commit(
        client.post,
        reverse("citizens:follow", args=[case.tracking_id]),
        {"email": "walker@example.com"},
    )
    assert response.status_code == 302
    [confirmation] = mails_to("walker@example.com")
    assert case.tracking_id in confirmation.subject
    row = Subscription.objects.get(email="walker@example.com")
    token = _token_of()
    assert token not in row.token_hash and len(row.token_hash) == 64  # only the hash is kept
    assert subscribing.me_too_count(case) == 0  # not before it is confirmed
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    assert len(mails_to("walker@example.com")) == 1  # no updates before confirmation

    confirm_url = next(u for u in links(confirmation) if "/follow/confirm/" in u)
    page = client.get(path_of(confirm_url))
    assert page.status_code == 200 and "You follow this request now" in page.content.decode()
    assert subscribing.me_too_count(case) == 1
    commit(workflow.dispatch_case, case_id=case.pk, actor=people.street_leader)
    update = mails_to("walker@example.com")[-1]
    assert update.subject == f"[{case.tracking_id}] Exposed garbage: dispatched"

    stop_url = next(u for u in links(update) if "/follow/stop/" in u)
    page = english_client().get(path_of(stop_url))  # one click, no sign-in
    assert page.status_code == 200 and "no more e-mails" in page.content.decode()
    assert subscribing.me_too_count(case) == 0
    commit(workflow.start_case, case_id=case.pk, actor=people.clerk)
    assert mails_to("walker@example.com")[-1] == update  # nothing after the click


def test_bad_and_forged_links_change_nothing(city, people, commit):
    case = commit(submit, city, people)
    commit(
        subscribing.request_follow_by_email,
        email="x@example.com",
        case=case,
        language="zh-hans",
        site="",
    )
    assert Client().get(reverse("citizens:follow_confirm", args=["nope"])).status_code == 404
    assert (
        Client().get(reverse("citizens:follow_unsubscribe", args=["1:forged"])).status_code == 404
    )
    assert Subscription.objects.get().confirmed_at is None
    assert Subscription.objects.get().ended_at is None


def test_the_one_click_post_of_mail_programs_unsubscribes_without_a_csrf_token(
    city, people, commit
):
    case = commit(submit, city, people)
    row = subscribing.follow_case(user=people.other_citizen, case=case)
    token = follow_links.unsubscribe_token(row)
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("citizens:follow_unsubscribe", args=[token])).status_code == 200
    assert Subscription.objects.get().ended_at is not None


def test_a_private_location_case_is_followed_by_permitted_staff_only(
    city, people, scenario, commit
):
    case = scenario.private_case
    url = reverse("citizens:follow", args=[case.tracking_id])
    assert Client().post(url, {"email": "nosy@example.com"}).status_code == 404
    assert signed_in(people.other_citizen).post(url).status_code == 404
    assert signed_in(people.officer_b).post(url).status_code == 404
    assert not Subscription.objects.exists()
    assert signed_in(people.officer_a).post(url).status_code == 302
    assert subscribing.me_too_count(case) == 1
    # The reporter is told of it already: sent to their own request page, nothing written.
    response = signed_in(people.citizen).post(url)
    assert response.url == reverse("citizens:request", args=[case.tracking_id])
    assert subscribing.me_too_count(case) == 1


def test_the_duplicate_hint_leads_to_following_and_counts_as_me_too(city, people, commit, english):
    case = commit(submit, city, people)
    client = signed_in(people.other_citizen)
    hint = client.get(
        reverse("citizens:submit_nearby"),
        {"category": city.category.pk, "lon": city.point_a[0], "lat": city.point_a[1]},
    ).content.decode()
    follow_url = reverse("citizens:follow", args=[case.tracking_id]) + "?from=duplicate"
    assert follow_url in hint.replace("&amp;", "&")
    page = client.get(follow_url).content.decode()
    assert "one more person has this problem" in page
    client.post(follow_url, {"from": "duplicate"})
    assert Subscription.objects.get().source == "duplicate"
    assert subscribing.me_too_count(case) == 1


# --- "me too" counts for staff --------------------------------------------------------------


def test_staff_see_the_count_on_the_case_page_and_in_the_queue_but_no_followers(
    city, people, commit, english
):
    people.other_citizen.display_name = "Follower Wang"
    people.other_citizen.save()
    case = commit(submit, city, people)
    subscribing.follow_case(user=people.other_citizen, case=case)
    subscribing.follow_case(user=people.officer_b, case=case)
    officer = signed_in(people.officer_a)
    page = officer.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert "2 people follow it" in page
    queue = officer.get(reverse("governance:queue")).content.decode()
    assert "2 me too" in queue
    assert "Follower Wang" not in page + queue and "other_citizen" not in page + queue
    # Where a person may not see the case, no count either.
    other = signed_in(people.officer_b)
    assert other.get(reverse("governance:case", args=[case.tracking_id])).status_code == 404
    assert case.tracking_id not in other.get(reverse("governance:queue")).content.decode()


# --- area alerts ----------------------------------------------------------------------------


def test_an_alert_on_a_community_tells_of_new_requests_there_and_nothing_outside(
    city, people, commit, english
):
    people.other_citizen.email = "other@example.com"
    people.other_citizen.preferred_language = "en"
    people.other_citizen.save()
    client = signed_in(people.other_citizen)
    response = client.post(
        reverse("citizens:alerts"), {"kind": "area", "area": city.community_a.pk}
    )
    assert response.status_code == 302
    assert city.community_a.name in client.get(reverse("citizens:alerts")).content.decode()
    inside = commit(submit, city, people)
    outside = commit(submit, city, people, point=city.point_b)
    told = mails_to("other@example.com")
    assert [m.subject for m in told] == [f"[{inside.tracking_id}] Exposed garbage: new request"]
    assert outside.tracking_id not in told[0].body
    kinds = Notification.objects.filter(user=people.other_citizen).values_list("kind", "case")
    assert list(kinds) == [("area_alert", inside.pk)]


def test_an_alert_on_a_circle_by_e_mail_after_confirmation(city, people, commit, english):
    client = english_client()
    lon, lat = city.point_a
    commit(
        client.post,
        reverse("citizens:alerts"),
        {"kind": "circle", "lon": lon, "lat": lat, "radius_m": 500, "email": "near@example.com"},
    )
    [confirmation] = mails_to("near@example.com")
    client.get(path_of(next(u for u in links(confirmation) if "/follow/confirm/" in u)))
    near = commit(submit, city, people, point=(lon + 0.002, lat))  # about 190 m east
    commit(submit, city, people, point=(lon + 0.02, lat))  # about 1.9 km: outside
    commit(submit, city, people, point=city.point_b)
    told = mails_to("near@example.com")[1:]
    assert [m.subject for m in told] == [f"[{near.tracking_id}] Exposed garbage: new request"]
    assert "Lake Road 7" in told[0].body  # an ordinary category: its public address


def test_the_radius_is_kept_between_100_m_and_5_km(city, people):
    client = signed_in(people.other_citizen)
    for radius in (50, 5001):
        response = client.post(
            reverse("citizens:alerts"),
            {"kind": "circle", "lon": 120.01, "lat": 30.01, "radius_m": radius},
        )
        assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_a_private_location_case_never_leaks_its_point_in_alert_mails(
    city, people, scenario, commit, english
):
    lon, lat = city.point_a
    row = subscribing.subscribe_alert(user=people.other_citizen, circle=(lon, lat, 2000))
    people.other_citizen.email = "other@example.com"
    people.other_citizen.preferred_language = "en"
    people.other_citizen.save()
    mail.outbox.clear()
    case = commit(
        submit,
        city,
        people,
        point=(120.012345, 30.012345),
        category=scenario.private_category,
    )
    [message] = mails_to("other@example.com")
    assert case.tracking_id in message.subject and "Home care application" in message.subject
    for secret in ("120.012", "30.012", "Lake Road", "No. 7", "张三", "13800000009"):
        assert secret not in message.body, secret
    assert row.pk == Alert.objects.get().subscription_id


def test_each_alert_is_written_and_sent_once(city, people, commit):
    people.other_citizen.email = "other@example.com"
    people.other_citizen.save()
    subscribing.subscribe_alert(user=people.other_citizen, area=city.community_a)
    case = commit(submit, city, people)
    event = CaseEvent.objects.filter(case=case).get()
    assert telling.fan_out(event.pk) == 0  # a re-run of the task: nothing new
    alert = Alert.objects.get()
    telling.send_alert(alert.pk)
    assert len(mails_to("other@example.com")) == 1


def test_an_alert_whose_sending_failed_is_released_and_sent_by_the_sweep(
    city, people, commit, settings
):
    from datetime import timedelta

    people.other_citizen.email = "other@example.com"
    people.other_citizen.save()
    case = commit(submit, city, people)
    row = subscribing.subscribe_alert(user=people.other_citizen, area=city.community_a)
    event = CaseEvent.objects.filter(case=case).get()
    alert = Alert.objects.create(subscription=row, event=event, created_at=event.created_at)
    settings.EMAIL_BACKEND = "tests.citizens.test_following.BrokenMail"
    with pytest.raises(ConnectionError):
        telling.send_alert(alert.pk)
    assert Alert.objects.get().sent_at is None  # released, not lost
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert telling.requeue_pending(older_than=timedelta(0)) == 1
    assert len(mails_to("other@example.com")) == 1
    assert Alert.objects.get().sent_at is not None


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")


def test_citizens_preference_page_lists_the_new_kinds_and_links_the_alerts(people, english):
    page = signed_in(people.other_citizen).get(reverse("citizens:notifications")).content.decode()
    assert "a request I follow changed" in page and "a request in my alert area" in page
    assert reverse("citizens:alerts") in page


def test_area_names_in_the_alert_form_are_in_the_readers_language(city, people):
    city.community_a.name_en = "Jia Community"
    city.community_a.save()
    client = english_client()
    assert "Jia Community" in client.get(reverse("citizens:alerts")).content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "甲社区" in client.get(reverse("citizens:alerts")).content.decode()


def test_matching_an_entry_to_alerts_costs_three_queries_however_many_subscriptions(
    city, people, commit, django_assert_max_num_queries
):
    """The followers, the areas by path prefix, the circles by bounding box: indexed queries in
    SQL, never every subscription read into Python."""
    from django.utils import timezone

    now = timezone.now()
    far = [
        Subscription(
            email=f"far{n}@example.com",
            target="circle",
            **subscribing._circle_fields(121.0 + n * 0.001, 31.0, 1000),
            created_at=now,
            confirmed_at=now,
        )
        for n in range(300)
    ]
    Subscription.objects.bulk_create(far)
    near = subscribing.subscribe_alert(user=people.other_citizen, circle=(*city.point_a, 1000))
    case = commit(submit, city, people)
    event = CaseEvent.objects.get(case=case)
    with django_assert_max_num_queries(3):  # a new request: no followers yet, two
        matched = telling.subscribers_of(case, event)
    assert [m.subscription.pk for m in matched] == [near.pk]


def test_followers_hear_that_a_request_was_merged_and_it_takes_no_new_followers(
    city, people, commit, english
):
    people.other_citizen.email = "other@example.com"
    people.other_citizen.preferred_language = "en"
    people.other_citizen.save()
    first = commit(submit, city, people)
    second = commit(submit, city, people)
    subscribing.follow_case(user=people.other_citizen, case=second)
    commit(workflow.merge_case, case_id=second.pk, into_id=first.pk, actor=people.street_leader)
    [message] = mails_to("other@example.com")
    assert message.subject.startswith(f"[{second.tracking_id}]")
    second.refresh_from_db()
    with pytest.raises(subscribing.NotFollowable):
        subscribing.follow_case(user=people.officer_b, case=second)
