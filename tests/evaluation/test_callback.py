"""回访, the satisfaction callback (issue 12, item 4): a closed case's reporter is asked once,
in their language, with a one-time link; the answer is one timeline entry; "not resolved"
reopens the case or, past the reopen window, goes to the supervisors' review; hotline staff
record an answer given by phone, within their scope."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from citizens.models import User
from config.celery import app as celery_app
from evaluation.callback import answering, reviewing
from evaluation.models import CallbackLink, CallbackRequest
from governance import clock, subscribers, workflow
from governance.errors import InvalidTransition
from governance.models import Assignment, Case, CaseEvent, EventKind, Role, Status
from notifications.models import Notification, NotificationKind
from tests.cases import submit
from tests.pages.helpers import submission

SENT: list[tuple[str, str]] = []
LINK = re.compile(r"https?://[^/\s]+(/callback/[\w-]+/)")


class RecordingSmsGateway:
    """Stands in for an SMS provider, which cannot run here."""

    def send(self, *, phone: str, text: str) -> None:
        SENT.append((phone, text))


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.SMS_GATEWAY = "tests.evaluation.test_callback.RecordingSmsGateway"
    SENT.clear()
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def browser(language: str = "en") -> Client:
    client = Client()
    client.cookies.load({"django_language": language})
    return client


def file_anonymously(city, commit, language: str = "en", **contact) -> Case:
    contact = contact or {"email": "walker@example.com"}
    response = commit(
        browser(language).post, reverse("citizens:submit"), submission(city, **contact)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.latest("pk")


def close(case: Case, people, commit) -> Case:
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    commit(workflow.dispatch_case, case_id=case.pk, actor=people.dispatcher)
    commit(workflow.start_case, case_id=case.pk, actor=people.clerk)
    commit(workflow.resolve_case, case_id=case.pk, actor=people.clerk, note="清理完毕")
    commit(workflow.verify_and_close_case, case_id=case.pk, actor=people.officer_a)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    return case


def callback_mails(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address] and "/callback/" in m.body]


def link_of(message) -> str:
    return LINK.search(message.body).group(1)


def answers(resolved: str = "yes", satisfied: str = "yes", comment: str = "") -> dict:
    return {"resolved": resolved, "satisfied": satisfied, "comment": comment}


def callback_entries(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=EventKind.CALLBACK))


# --- asking -----------------------------------------------------------------------------------


def test_closing_asks_the_anonymous_reporter_once_by_e_mail_with_a_one_time_link(
    city, people, commit
):
    case = close(file_anonymously(city, commit), people, commit)
    [message] = callback_mails("walker@example.com")
    assert case.tracking_id in message.subject and "resolved" in message.subject
    assert "Are you satisfied?" in message.body and "Anything to add?" in message.body
    assert "within 7 days" in message.body
    token = link_of(message).split("/")[2]
    link = CallbackLink.objects.get()
    assert token not in link.token_hash and len(link.token_hash) == 64  # only its hash is kept
    assert link.expires_at - link.created_at == timedelta(days=7)


def test_a_closed_entry_delivered_twice_asks_once(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    closed = CaseEvent.objects.get(case=case, kind=EventKind.CLOSED)
    for _attempt in range(2):  # the relay hands the same row over again after a failure
        commit(subscribers.deliver, [closed.pk])
    assert CallbackRequest.objects.filter(case=case).count() == 1
    assert len(callback_mails("walker@example.com")) == 1
    assert CallbackLink.objects.count() == 1


def test_a_callback_mail_not_sent_is_sent_by_the_sweep_once(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    request = CallbackRequest.objects.get(case=case)
    assert request.emailed_at is not None
    # As if the send had failed for good (the broker was down when it was queued).
    CallbackRequest.objects.filter(pk=request.pk).update(emailed_at=None)
    mail.outbox.clear()
    with clock.travel(clock.now() + timedelta(minutes=5)):
        commit(subscribers.sweep)
        commit(subscribers.sweep)  # a second sweep finds nothing left to send
    assert len(callback_mails("walker@example.com")) == 1
    request.refresh_from_db()
    assert request.emailed_at is not None


def test_the_question_is_in_the_language_the_reporter_filed_in(city, people, commit):
    english = close(file_anonymously(city, commit, "en", email="en@example.com"), people, commit)
    chinese = close(
        file_anonymously(city, commit, "zh-hans", email="zh@example.com"), people, commit
    )
    [en] = callback_mails("en@example.com")
    [zh] = callback_mails("zh@example.com")
    assert english.tracking_id in en.subject and "Was your request" in en.subject
    assert chinese.tracking_id in zh.subject and "Was your request" not in zh.subject
    assert "是否已解决" in zh.subject and "满意" in zh.body


def test_a_hotline_caller_is_asked_by_sms(city, people, commit):
    case = commit(
        workflow.submit_case,
        actor=people.officer_a,
        category=city.category,
        description="来电反映",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
        channel="hotline",
        contact={"name": "李", "phone": "13611112222"},
    )
    close(case, people, commit)
    texts = [text for phone, text in SENT if "/callback/" in text]
    assert len(texts) == 1 and case.tracking_id in texts[0]
    assert CallbackLink.objects.get().channel == "sms"


def test_an_account_is_asked_in_app_linking_the_answer_page_and_by_e_mail(city, people, commit):
    people.citizen.preferred_language = "en"
    people.citizen.save()
    case = close(commit(submit, city, people), people, commit)
    notification = Notification.objects.get(user=people.citizen, kind=NotificationKind.CALLBACK)
    assert notification.case_id == case.pk and notification.email_wanted is False
    [message] = callback_mails("citizen@example.com")
    assert "Was your request" in message.subject
    client = Client()
    client.force_login(people.citizen)
    page = client.get(reverse("citizens:notifications")).content.decode()
    answer_page = reverse("callback:callback_own", args=[case.tracking_id])
    assert f'href="{answer_page}"' in page
    assert (
        f'href="{answer_page}"'
        in client.get(reverse("citizens:request", args=[case.tracking_id])).content.decode()
    )


def test_an_account_that_wants_no_e_mail_is_asked_in_app_only(city, people, commit):
    from notifications.centre import set_preferences

    set_preferences(
        user=people.citizen, choices={"callback": {"in_app": True, "email": False, "sms": False}}
    )
    close(commit(submit, city, people), people, commit)
    assert callback_mails("citizen@example.com") == []
    assert Notification.objects.filter(kind=NotificationKind.CALLBACK).count() == 1


# --- answering through the link ---------------------------------------------------------------


def test_the_link_shows_the_questions_and_records_one_answer(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    url = link_of(callback_mails("walker@example.com")[0])
    reader = browser()
    page = reader.get(url)
    assert page.status_code == 200 and "Are you satisfied" in page.content.decode()
    assert callback_entries(case) == []  # looking at it records nothing
    done = commit(reader.post, url, answers(comment="Thanks, all clean"))
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    [entry] = callback_entries(case)
    assert entry.data == {
        "resolved": True,
        "satisfied": True,
        "channel": "link",
        "answered_by": "reporter",
    }
    assert entry.note == "Thanks, all clean" and entry.audience == "reporter"
    assert entry.actor_id is None
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert CallbackRequest.objects.get(case=case).answered_at == entry.created_at


def test_the_link_used_twice_says_so_and_records_nothing_more(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    url = link_of(callback_mails("walker@example.com")[0])
    reader = browser()
    commit(reader.post, url, answers())
    again = commit(reader.post, url, answers(resolved="no", satisfied="no"))
    assert again.status_code == 410
    assert "already answered" in again.content.decode()
    assert reader.get(url).status_code == 410
    [entry] = callback_entries(case)
    assert entry.data["resolved"] is True
    case.refresh_from_db()
    assert case.status == Status.CLOSED  # the second "not resolved" reopened nothing


def test_an_expired_link_says_so_and_records_nothing(city, people, commit, settings):
    case = close(file_anonymously(city, commit), people, commit)
    url = link_of(callback_mails("walker@example.com")[0])
    with clock.travel(clock.now() + timedelta(days=settings.CALLBACK_LINK_DAYS, minutes=1)):
        shown = browser().get(url)
        posted = commit(browser().post, url, answers())
    assert shown.status_code == 410 and "has expired" in shown.content.decode()
    assert posted.status_code == 410 and "has expired" in posted.content.decode()
    assert callback_entries(case) == []


def test_an_unknown_link_is_a_clear_page(db):
    response = browser().get(reverse("callback:callback", args=["x" * 43]))
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_a_half_answered_form_is_refused_with_nothing_saved(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    url = link_of(callback_mails("walker@example.com")[0])
    response = commit(browser().post, url, {"resolved": "yes", "comment": "x" * 1001})
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert callback_entries(case) == []
    assert CallbackLink.objects.get().used_at is None


# --- "not resolved" ---------------------------------------------------------------------------


def test_not_resolved_within_the_window_reopens_the_case_with_the_answer(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    url = link_of(callback_mails("walker@example.com")[0])
    done = commit(browser().post, url, answers("no", "no", "The bags are back"))
    assert "reopened" in done.content.decode()
    case.refresh_from_db()
    assert case.status == Status.FILED
    entry, reopened = CaseEvent.objects.filter(
        case=case, kind__in=[EventKind.CALLBACK, EventKind.REOPENED]
    ).order_by("pk")
    assert entry.kind == EventKind.CALLBACK and entry.data["outcome"] == "reopened"
    assert reopened.kind == EventKind.REOPENED and "The bags are back" in reopened.note


def _awaiting_review(city, people, commit, settings):
    """A closed case its reporter said was not resolved past the reopen window, the
    district's supervisor who reviews it, and the answer page the reporter saw."""
    settings.CALLBACK_LINK_DAYS = 30
    supervisor = User.objects.create_user(username="supervisor", password="pw-supervisor")
    Assignment.objects.create(user=supervisor, area=city.district, role=Role.SUPERVISOR)
    case = close(file_anonymously(city, commit), people, commit)
    url = link_of(callback_mails("walker@example.com")[0])
    window = settings.GOVERNANCE["REOPEN_WINDOW_DAYS"]
    with clock.travel(clock.now() + timedelta(days=window + 1)):
        done = commit(browser().post, url, answers("no", "no", "Still there"))
    return case, supervisor, done


def test_not_resolved_past_the_window_opens_a_review_for_the_supervisor(
    city, people, commit, settings
):
    case, supervisor, done = _awaiting_review(city, people, commit, settings)
    assert "supervisor will review" in done.content.decode()
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    [entry] = callback_entries(case)
    assert entry.data["review"] is True and entry.data["outcome"] == "review"
    [told] = Notification.objects.filter(kind=NotificationKind.CALLBACK_REVIEW)
    assert told.user == supervisor and told.case == case and told.body == "Still there"
    # The supervisor's queue finds it with its filter (closed cases included).
    client = Client()
    client.force_login(supervisor)
    listed = client.get(reverse("governance:queue"), {"callback_review": "on"})
    assert case.tracking_id in listed.content.decode()
    other = close(file_anonymously(city, commit, email="other@example.com"), people, commit)
    listed = client.get(reverse("governance:queue"), {"callback_review": "on"})
    assert other.tracking_id not in listed.content.decode()


def _review(client: Client, case: Case, decision: str, reason: str = "Checked on site"):
    return client.post(
        reverse("callback:callback_review", args=[case.tracking_id]),
        {"review-decision": decision, "review-reason": reason},
    )


def test_the_supervisor_keeps_it_closed_with_a_reason_and_the_review_is_done(
    city, people, commit, settings
):
    case, supervisor, _ = _awaiting_review(city, people, commit, settings)
    client = Client()
    client.force_login(supervisor)
    page = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert 'class="callback-review"' in page
    # A reason is required; nothing is recorded without one.
    refused = commit(_review, client, case, "keep", reason="  ")
    assert refused.status_code == 400
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.REVIEWED).exists()

    done = commit(_review, client, case, "keep", "The lamp works; the report was about another")
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    [review] = CaseEvent.objects.filter(case=case, kind=EventKind.REVIEWED)
    assert review.actor == supervisor and review.data == {"reopen": False}
    assert review.audience == "reporter"  # the reporter reads the reason
    # Off the "for review" list, and the form is gone: the review is done, once.
    listed = client.get(reverse("governance:queue"), {"callback_review": "on"})
    assert case.tracking_id not in listed.content.decode()
    page = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert 'class="callback-review"' not in page
    assert 'class="callback-reviewed"' in page and "The lamp works" in page
    again = commit(_review, client, case, "reopen")
    assert again.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REVIEWED).count() == 1
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_the_supervisor_reopens_it_past_the_window(city, people, commit, settings):
    case, supervisor, _ = _awaiting_review(city, people, commit, settings)
    client = Client()
    client.force_login(supervisor)
    done = commit(_review, client, case, "reopen", "Photos show it is still broken")
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.FILED and case.closed_at is None
    reviewed, reopened = CaseEvent.objects.filter(
        case=case, kind__in=[EventKind.REVIEWED, EventKind.REOPENED]
    ).order_by("pk")
    assert reviewed.data == {"reopen": True}
    assert reopened.actor == supervisor and reopened.note == "Photos show it is still broken"
    listed = client.get(reverse("governance:queue"), {"callback_review": "on"})
    assert case.tracking_id not in listed.content.decode()


def test_only_who_may_escalate_the_case_reviews_it(city, people, commit, settings):
    case, _, _ = _awaiting_review(city, people, commit, settings)
    officer = Client()
    officer.force_login(people.officer_a)  # sees the case, may not escalate it
    page = officer.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert "callback-review" not in page
    assert commit(_review, officer, case, "reopen").status_code == 403
    outsider = Client()
    outsider.force_login(people.officer_b)  # another grid: the case does not exist for them
    assert commit(_review, outsider, case, "reopen").status_code == 404
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.REVIEWED).exists()


def test_a_case_with_no_review_asked_cannot_be_reviewed(city, people, commit):
    case = close(commit(submit, city, people), people, commit)
    with pytest.raises(InvalidTransition):
        reviewing.conclude_review(
            case_id=case.pk, actor=people.street_leader, reopen=True, reason="why not"
        )


def test_without_a_supervisor_the_areas_leaders_review(city, people, commit, settings):
    case = close(commit(submit, city, people), people, commit)
    with clock.travel(clock.now() + timedelta(days=settings.GOVERNANCE["REOPEN_WINDOW_DAYS"] + 1)):
        commit(
            answering.callback_answer_by_reporter,
            case_id=case.pk,
            actor=people.citizen,
            resolved=False,
            satisfied=False,
        )
    assert [n.user for n in Notification.objects.filter(kind="callback_review")] == [
        people.street_leader
    ]


# --- the reporter's own page and staff on the phone -------------------------------------------


def test_a_signed_in_reporter_answers_from_their_request(city, people, commit):
    case = close(commit(submit, city, people), people, commit)
    client = Client()
    client.force_login(people.citizen)
    url = reverse("callback:callback_own", args=[case.tracking_id])
    assert client.get(url).status_code == 200
    commit(client.post, url, answers("yes", "no", "慢"))
    [entry] = callback_entries(case)
    assert entry.data["channel"] == "app" and entry.actor == people.citizen
    assert client.get(url).status_code == 410
    outsider = Client()
    outsider.force_login(people.other_citizen)
    assert outsider.get(url).status_code == 404


def test_hotline_staff_record_a_phone_answer_from_the_case_page(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    staff = browser("en")
    staff.force_login(people.dispatcher)
    page = staff.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    phone_url = reverse("callback:callback_phone", args=[case.tracking_id])
    assert f'action="{phone_url}"' in page
    response = commit(
        staff.post,
        phone_url,
        {"callback-resolved": "yes", "callback-satisfied": "yes", "callback-comment": "满意"},
    )
    assert response.status_code == 302
    [entry] = callback_entries(case)
    assert entry.data == {
        "resolved": True,
        "satisfied": True,
        "channel": "phone",
        "answered_by": "staff",
    }
    assert entry.actor == people.dispatcher
    page = staff.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    at = page.find(f'action="{phone_url}"')
    assert at == -1, page[at - 600 : at + 200]
    assert "by phone, recorded by staff" in page
    # The reporter's link is useless now.
    url = link_of(callback_mails("walker@example.com")[0])
    assert browser().get(url).status_code == 410


def test_staff_outside_the_scope_cannot_record_a_phone_answer(city, people, commit):
    case = close(file_anonymously(city, commit), people, commit)
    phone_url = reverse("callback:callback_phone", args=[case.tracking_id])
    form = {"callback-resolved": "no", "callback-satisfied": "no"}
    for person, status in ((people.officer_b, 404), (people.clerk, 403)):
        client = Client()
        client.force_login(person)
        assert commit(client.post, phone_url, form).status_code == status
    assert callback_entries(case) == []
    with pytest.raises(answering.NotPermitted):
        answering.callback_answer_by_phone(
            case_id=case.pk, actor=people.officer_b, resolved=True, satisfied=True
        )
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_an_open_case_has_no_callback_yet(city, people, commit):
    case = commit(submit, city, people)
    with pytest.raises(answering.InvalidTransition):
        answering.callback_answer_by_phone(
            case_id=case.pk, actor=people.dispatcher, resolved=True, satisfied=True
        )
    assert callback_entries(case) == []


def test_the_database_keeps_one_answer_per_case(city, people, commit):
    case = close(commit(submit, city, people), people, commit)
    answering.callback_answer_by_phone(
        case_id=case.pk, actor=people.dispatcher, resolved=True, satisfied=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(case=case, kind=EventKind.CALLBACK, data={"resolved": False})
    with pytest.raises(answering.AlreadyAnswered):
        answering.callback_answer_by_reporter(
            case_id=case.pk, actor=people.citizen, resolved=False, satisfied=False
        )
    assert len(callback_entries(case)) == 1


# --- the setting ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["seven", "0", "-1"])
def test_a_bad_callback_link_days_stops_start_up_naming_it(value):
    from tests.test_settings import _manage

    result = _manage("check", CALLBACK_LINK_DAYS=value)
    assert result.returncode != 0
    assert "CALLBACK_LINK_DAYS" in result.stderr
