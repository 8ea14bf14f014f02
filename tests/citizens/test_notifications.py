"""The notification centre: who is told, how (in-app, e-mail, SMS), pages, idempotent delivery."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from governance import workflow
from notifications import centre as notifications
from notifications import messages
from notifications.models import Notification, NotificationPreference
from tests.realtime.test_events import submit

SENT: list[tuple[str, str]] = []


class RecordingSmsGateway:
    """Stands in for an SMS provider, which cannot run here."""

    def send(self, *, phone: str, text: str) -> None:
        SENT.append((phone, text))


class FailingSmsGateway:
    def send(self, *, phone: str, text: str) -> None:
        from notifications.sms import SmsUnavailable

        raise SmsUnavailable("provider timeout")


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """Delivery tasks run in-process here even when REDIS_URL points Celery at a broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.SMS_GATEWAY = "tests.citizens.test_notifications.RecordingSmsGateway"
    SENT.clear()
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def sms_text(note) -> str:
    """The SMS of a request's status change: short, with the request's absolute link."""
    case = note.case
    link = f"http://127.0.0.1:8000/requests/{case.tracking_id}/"
    return (
        f"[{case.tracking_id}] {case.category.name}: {case.get_status_display()}. "
        f"{messages.next_step(case.status)} {link}"
    )


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_grid_officers_hear_of_new_cases_in_their_grid_only(city, people, commit):
    case = commit(submit, city, people)
    [note] = Notification.objects.filter(user=people.officer_a)
    assert note.kind == "case_created" and note.case == case
    assert case.tracking_id in note.title
    assert titles(people.officer_b) == []
    assert titles(people.citizen) == []  # the reporter's own submission is no news to them


def test_the_reporter_hears_of_each_status_change_by_e_mail_in_their_language(city, people, commit):
    people.citizen.preferred_language = "en"
    people.citizen.save()
    case = commit(submit, city, people)
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    [note] = Notification.objects.filter(user=people.citizen)
    assert note.kind == "status_changed"
    assert note.title == f"Case {case.tracking_id} is now filed"
    [message] = [m for m in mail.outbox if m.to == ["citizen@example.com"]]
    assert message.subject == f"{note.title} · {case.category.name_en}"
    assert Notification.objects.get(pk=note.pk).emailed_at is not None


def test_the_department_hears_of_dispatch_and_the_other_department_does_not(city, people, commit):
    case = commit(submit, city, people)
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    commit(workflow.dispatch_case, case_id=case.pk, actor=people.dispatcher)
    assert titles(people.clerk) == ["dispatched"]
    assert titles(people.other_clerk) == []


def test_nobody_is_told_of_their_own_action(city, people, commit):
    case = commit(submit, city, people)
    commit(workflow.withdraw_case, case_id=case.pk, actor=people.citizen)
    assert titles(people.citizen) == []


def test_preferences_choose_the_channels(city, people, commit):
    NotificationPreference.objects.create(
        user=people.citizen, kind="status_changed", in_app=False, email=False, sms=True
    )
    case = commit(submit, city, people)
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    note = Notification.objects.get(user=people.citizen)
    assert not note.in_app and not note.email_wanted
    assert [m for m in mail.outbox if m.to == ["citizen@example.com"]] == []
    assert [("13800000001", sms_text(note))] == SENT
    assert notifications.unread_count(people.citizen) == 0  # not shown in the centre


def test_delivery_runs_at_most_once_per_channel(city, people, commit):
    NotificationPreference.objects.create(user=people.citizen, kind="status_changed", sms=True)
    case = commit(submit, city, people)
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    note = Notification.objects.get(user=people.citizen)
    notifications.deliver(note.pk)
    notifications.deliver(note.pk)
    assert len([m for m in mail.outbox if m.to == ["citizen@example.com"]]) == 1
    assert len(SENT) == 1


def test_a_transient_sms_failure_stays_pending_and_is_sent_later(city, people, commit, settings):
    settings.SMS_GATEWAY = "tests.citizens.test_notifications.FailingSmsGateway"
    NotificationPreference.objects.create(user=people.citizen, kind="status_changed", sms=True)
    case = commit(submit, city, people)
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)  # no error shown
    note = Notification.objects.get(user=people.citizen)
    assert note.texted_at is None and note.emailed_at is not None
    settings.SMS_GATEWAY = "tests.citizens.test_notifications.RecordingSmsGateway"
    from datetime import timedelta

    assert notifications.requeue_pending(older_than=timedelta(0)) == 1
    assert [("13800000001", sms_text(note))] == SENT
    assert notifications.pending(older_than=timedelta(0)) == []


# --- pages -----------------------------------------------------------------------------------


def test_the_centre_needs_signing_in_and_shows_only_ones_own(
    city, people, client, commit, settings
):
    settings.LOGIN_URL = "/admin/login/"  # any sign-in page: only the redirect matters
    commit(submit, city, people)
    note = Notification.objects.get(user=people.officer_a)
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(people.officer_b)
    assert note.title not in client.get("/notifications/").content.decode()
    client.force_login(people.officer_a)
    assert note.title in client.get("/notifications/").content.decode()


def test_mark_read_is_post_only_with_csrf_and_updates_the_count(city, people, commit):
    commit(submit, city, people)
    commit(submit, city, people)
    first, _second = Notification.objects.filter(user=people.officer_a)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.officer_a)
    read_url = reverse("citizens:notification-read", args=[first.pk])
    assert browser.get(read_url).status_code == 405
    assert browser.post(read_url).status_code == 403  # no CSRF token
    assert notifications.unread_count(people.officer_a) == 2
    token = browser.get("/notifications/").context["csrf_token"]
    assert browser.post(read_url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert notifications.unread_count(people.officer_a) == 1
    fragment = browser.get("/notifications/unread/").content.decode()
    assert 'data-unread="1"' in fragment
    browser.post(reverse("citizens:notifications-read-all"), {"csrfmiddlewaretoken": token})
    assert notifications.unread_count(people.officer_a) == 0
    assert "data-unread" not in browser.get("/notifications/unread/").content.decode()


def test_someone_elses_notification_cannot_be_marked_read(city, people, client, commit):
    commit(submit, city, people)
    note = Notification.objects.get(user=people.officer_a)
    client.force_login(people.officer_b)
    client.post(reverse("citizens:notification-read", args=[note.pk]))
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_preferences_page_saves_and_refuses_unknown_kinds(people, client):
    client.force_login(people.citizen)
    response = client.post(
        reverse("citizens:notifications-preferences"),
        {"status_changed.in_app": "on", "status_changed.sms": "on"},
    )
    assert response.status_code == 302
    row = NotificationPreference.objects.get(user=people.citizen, kind="status_changed")
    assert (row.in_app, row.email, row.sms) == (True, False, True)
    bad = client.post(reverse("citizens:notifications-preferences"), {"nonsense.sms": "on"})
    assert bad.status_code == 400 and "nonsense" in bad.content.decode()


def test_the_header_shows_the_unread_count_and_loads_live_js(city, people, client, commit):
    commit(submit, city, people)
    client.force_login(people.officer_a)
    page = client.get("/").content.decode()
    assert 'data-live="unread"' in page and 'data-unread="1"' in page
    assert 'data-live-refresh="/notifications/unread/"' in page
    assert "governance/live.js" in page


def test_notifications_are_written_in_each_persons_language(city, people, commit):
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_catalogs", verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    case = commit(submit, city, people)
    note = Notification.objects.get(user=people.officer_a)  # preferred language: zh-hans
    assert note.title == f"新案件 {case.tracking_id}：{city.category.display_name}"


def checked(page: str, name: str) -> bool:
    return page.split(f'name="{name}"')[1].split(">")[0].endswith(" checked")


def test_the_preferences_form_shows_the_defaults_then_the_persons_choices(people, client):
    client.force_login(people.officer_a)  # staff: every kind is theirs to choose
    page = client.get("/notifications/").content.decode()
    assert checked(page, "status_changed.email") and checked(page, "case_created.in_app")
    assert not checked(page, "case_created.email") and not checked(page, "status_changed.sms")
    client.post(reverse("citizens:notifications-preferences"), {"case_created.email": "on"})
    page = client.get("/notifications/").content.decode()
    assert checked(page, "case_created.email")
    assert not checked(page, "status_changed.email") and not checked(page, "case_created.in_app")
