"""Reporters without an account are never left in the dark: the tracking page, the
confirmation and status messages to their contact, the one-time link that opens their request
in any browser, and the unsubscribe link (issue 10, defect 3; "e-mails a person can act on")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.urls import reverse

from citizens import contact_updates, reporter_links
from citizens.models import ContactMessage, ReporterLink
from citizens.views.tracking import normalise_tracking_id
from config.celery import app as celery_app
from governance import clock, workflow
from governance.access import Action, CaseHolder, cases_for
from governance.models import Case, CaseContact, CaseEvent, Channel, OutboxMessage
from tests.pages.helpers import submission

SENT: list[tuple[str, str]] = []
LINK = re.compile(r"http://127\.0\.0\.1:8000(/track/link/[\w-]+/)")
UNSUBSCRIBE = re.compile(r"http://127\.0\.0\.1:8000(/track/unsubscribe/[^/\s]+/)")
INTERNAL = "内部：该户多次投诉，注意方式"


class RecordingSmsGateway:
    """Stands in for an SMS provider, which cannot run here."""

    def send(self, *, phone: str, text: str) -> None:
        SENT.append((phone, text))


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """Delivery tasks run in-process here even when REDIS_URL points Celery at a broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.SMS_GATEWAY = "tests.citizens.test_tracking.RecordingSmsGateway"
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
    """A fresh browser (no session) reading the site in `language`."""
    client = Client()
    client.cookies.load({"django_language": language})
    return client


@pytest.fixture
def client() -> Client:
    """The reporter's browser, in English (the Chinese messages have a test of their own)."""
    return browser()


def file_anonymously(client: Client, city, commit, **contact) -> Case:
    contact = contact or {"email": "walker@example.com"}
    response = commit(client.post, reverse("citizens:submit"), submission(city, **contact))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.latest("pk")


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def updates_to(address: str) -> list:
    """The request's status messages, without the satisfaction callback (回访) after closing."""
    return [m for m in mails_to(address) if "/callback/" not in m.body]


def link_in(text: str) -> str:
    return LINK.search(text).group(1)


def close(case: Case, people, commit, *, note: str = "") -> None:
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    commit(workflow.dispatch_case, case_id=case.pk, actor=people.dispatcher)
    commit(workflow.start_case, case_id=case.pk, actor=people.clerk)
    commit(workflow.resolve_case, case_id=case.pk, actor=people.clerk, note="清理完毕")
    commit(workflow.verify_and_close_case, case_id=case.pk, actor=people.officer_a, note=note)


# --- the tracking page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "261129-7K3QX2",
        " 261129 - 7k3qx2 ",
        "２６１１２９－７Ｋ３ＱＸ２",
        "2611297K3QX2",
        "261129—7K3QX2",
    ],
)
def test_a_tracking_id_is_read_as_typed_on_a_phone(typed):
    assert normalise_tracking_id(typed) == "261129-7K3QX2"


def test_lookalike_letters_are_read_as_the_digits_they_stand_for():
    assert normalise_tracking_id("261129-7K3QXO") == "261129-7K3QX0"
    assert normalise_tracking_id("not an id") == ""


def test_the_tracking_page_opens_the_public_page_of_a_typed_id(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    assert client.get(reverse("citizens:track")).status_code == 200
    typed = " ".join(case.tracking_id.lower())  # spaces between every character
    response = client.get(reverse("citizens:track"), {"id": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("citizens:public_request", args=[case.tracking_id])


def test_the_tracking_page_says_clearly_when_there_is_no_such_request(client, city, english):
    response = client.get(
        reverse("citizens:track"), {"id": "261129-ZZZZZZ"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no request with the tracking id 261129-ZZZZZZ" in html
    assert 'aria-invalid="true"' in html
    response = client.get(reverse("citizens:track"), {"id": "hello"})
    assert response.status_code == 404 and "tracking-id-error" in response.content.decode()


def test_tracking_lookups_are_rate_limited_so_ids_cannot_be_walked(client, city, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "tracking": {"address": "3/hour"}}
    for n in range(3):
        assert client.get(reverse("citizens:track"), {"id": f"261129-ZZZZZ{n}"}).status_code == 404
    response = client.get(reverse("citizens:track"), {"id": "261129-ZZZZZ9"})
    assert response.status_code == 429 and response["Retry-After"]
    assert client.get(reverse("citizens:track")).status_code == 200  # the empty form is free


def test_the_tracking_id_alone_reveals_no_personal_data(client, city, commit):
    case = file_anonymously(
        browser(), city, commit, name="王小明", email="walker@example.com", phone="13712345678"
    )
    response = browser().get(reverse("citizens:track"), {"id": case.tracking_id}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and case.tracking_id in html
    for personal in ("王小明", "walker@example.com", "13712345678", "/track/link/"):
        assert personal not in html


def test_the_browser_that_holds_a_request_is_taken_to_its_reporter_page(client, city, commit):
    case = file_anonymously(client, city, commit)
    response = client.get(reverse("citizens:track"), {"id": case.tracking_id.lower()})
    assert response["Location"] == reverse("citizens:request", args=[case.tracking_id])
    elsewhere = browser().get(reverse("citizens:track"), {"id": case.tracking_id})
    assert elsewhere["Location"] == reverse("citizens:public_request", args=[case.tracking_id])


def test_the_header_and_home_link_the_tracking_page(client, city):
    html = client.get("/").content.decode()
    assert html.count('href="/track/"') >= 2


# --- the confirmation, and the e-mail that is followed ----------------------------------------


def test_the_confirmation_mail_is_followed_to_the_request_with_the_reporters_actions(
    city, commit, english
):
    client = browser()
    case = file_anonymously(client, city, commit, email="walker@example.com")
    submitted = client.get(reverse("citizens:submitted", args=[case.tracking_id]))
    assert 'id="confirmation-sent"' in submitted.content.decode()

    [message] = mails_to("walker@example.com")
    assert case.tracking_id in message.subject and city.category.name_en in message.subject
    assert "Your request is received" in message.subject
    body = message.body
    assert "Status: submitted" in body
    assert "Next: the officers check it and take it on as a case" in body
    assert f"{case.tracking_id} at http://127.0.0.1:8000/track/" in body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/track/")

    phone = browser()  # another browser: the reporter's phone, where the mail was read
    path = link_in(body)
    page = phone.get(path)
    assert page.status_code == 200 and "Open my request" in page.content.decode()
    assert ReporterLink.objects.get().used_at is None  # looking at it (a mail scanner) is free
    response = phone.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("citizens:request", args=[case.tracking_id])
    html = phone.get(response["Location"]).content.decode()
    assert case.tracking_id in html
    assert f'action="/requests/{case.tracking_id}/act/withdraw/"' in html
    assert f'action="/requests/{case.tracking_id}/act/note/"' in html
    assert ReporterLink.objects.get().used_at is not None


def test_the_stored_link_is_only_a_hash_of_the_token(client, city, commit):
    case = file_anonymously(client, city, commit)
    token = link_in(mails_to("walker@example.com")[0].body).split("/")[-2]
    link = ReporterLink.objects.get(case=case)
    assert token not in link.token_hash and len(token) >= 40
    assert link.expires_at - link.created_at == timedelta(days=7)


def test_a_link_works_once_then_offers_a_fresh_one_sent_to_the_same_contact(
    client, city, commit, english
):
    file_anonymously(client, city, commit)
    path = link_in(mails_to("walker@example.com")[0].body)
    assert browser().post(path).status_code == 302
    again = browser().post(path)
    assert again.status_code == 410
    html = again.content.decode()
    assert "already used or has expired" in html
    assert "walker@example.com" not in html  # the contact is never shown
    fresh = commit(
        browser().post, reverse("citizens:reporter_link_fresh", args=[path.split("/")[-2]])
    )
    assert fresh.status_code == 200 and "A new link is on its way" in fresh.content.decode()
    [_first, second] = mails_to("walker@example.com")
    assert "A new link to your request" in second.subject
    assert browser().post(link_in(second.body)).status_code == 302


def test_a_signed_in_person_is_told_to_sign_out_and_the_link_is_kept(
    client, city, people, commit, english
):
    """Opened in a browser signed in to an account, the link would be spent on a session
    that cannot show a request filed without one: it says so, offers to sign out, and is
    still good afterwards."""
    file_anonymously(client, city, commit)
    path = link_in(mails_to("walker@example.com")[0].body)
    signed_in = browser()
    signed_in.force_login(people.citizen)
    page = signed_in.get(path).content.decode()
    assert "sign out, then open the link again" in page
    assert 'name="next" value="' + path + '"' in page
    assert signed_in.post(path).status_code == 200  # not redeemed
    signed_in.post(reverse("citizens:logout"), {"next": path})
    opened = signed_in.post(path)
    assert opened.status_code == 302 and "/requests/" in opened["Location"]


def test_an_expired_link_offers_a_fresh_one(client, city, commit, english):
    case = file_anonymously(client, city, commit)
    path = link_in(mails_to("walker@example.com")[0].body)
    with clock.travel(clock.now() + timedelta(days=7, minutes=1)):
        response = browser().post(path)
        assert response.status_code == 410
        assert "Send me a new link" in response.content.decode()
    assert browser().get(reverse("citizens:request", args=[case.tracking_id])).status_code == 302


def test_fresh_links_are_rate_limited_per_request(client, city, commit, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "reporter_link": {"address": "100/hour", "target": "2/hour"},
    }
    file_anonymously(client, city, commit)
    token = link_in(mails_to("walker@example.com")[0].body).split("/")[-2]
    url = reverse("citizens:reporter_link_fresh", args=[token])
    assert [commit(browser().post, url).status_code for _ in range(3)] == [200, 200, 429]
    assert len(mails_to("walker@example.com")) == 3  # the confirmation and two fresh links


def test_an_unknown_link_leads_to_the_tracking_page(client, city):
    response = client.get(reverse("citizens:reporter_link", args=["made-up"]))
    assert response.status_code == 404 and 'href="/track/"' in response.content.decode()


def test_a_link_is_bound_to_its_case(client, city, commit):
    first = file_anonymously(browser(), city, commit, email="one@example.com")
    second = file_anonymously(browser(), city, commit, email="two@example.com")
    reader = browser()
    assert reader.post(link_in(mails_to("one@example.com")[0].body)).status_code == 302
    assert reader.get(reverse("citizens:request", args=[first.tracking_id])).status_code == 200
    assert reader.get(reverse("citizens:request", args=[second.tracking_id])).status_code == 404
    assert reader.get(reverse("governance:case", args=[first.tracking_id])).status_code in (
        302,
        403,
        404,
    )


def test_a_session_never_holds_a_request_with_an_account_behind_it(city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    holder = CaseHolder([case.tracking_id])
    assert not cases_for(holder, Action.VIEW).exists()
    assert not cases_for(AnonymousUser(), Action.OWN).exists()


def test_the_reporter_rates_after_close_through_the_link(client, city, people, commit):
    case = file_anonymously(client, city, commit)
    close(case, people, commit, note="已清理，谢谢反映")
    closed = updates_to("walker@example.com")[-1]  # the last change: verified and closed
    assert "已清理，谢谢反映" in closed.body
    phone = browser()
    assert phone.post(link_in(closed.body)).status_code == 302
    response = commit(
        phone.post,
        reverse("citizens:request_act", args=[case.tracking_id, "rate"]),
        {"rate-rating": "4", "rate-comment": "及时"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.rating == 4


# --- status messages ----------------------------------------------------------------------------


def test_each_change_the_reporter_would_hear_of_reaches_the_contact_and_no_internal_note(
    client, city, people, commit
):
    case = file_anonymously(client, city, commit, email="walker@example.com", phone="13712345678")
    commit(
        workflow.add_note,
        case_id=case.pk,
        actor=people.officer_a,
        text=INTERNAL,
        audience="internal",
    )
    close(case, people, commit)
    subjects = [m.subject for m in updates_to("walker@example.com")]
    # The confirmation, then filed, dispatched, in progress, resolved, closed (each once).
    assert len(subjects) == 6 and len(set(subjects)) == 6
    updates = [(phone, text) for phone, text in SENT if "/callback/" not in text]
    assert len(updates) == 6 and all(phone == "13712345678" for phone, _t in SENT)
    # After closing, one satisfaction callback (回访) by each channel, and only one.
    assert len(mails_to("walker@example.com")) == 7 and len(SENT) == 7
    every_text = (
        [m.body for m in mail.outbox] + [m.subject for m in mail.outbox] + [t for _p, t in SENT]
    )
    assert not any(INTERNAL in text for text in every_text)
    for _phone, text in updates:
        assert case.tracking_id in text and "http://127.0.0.1:8000/track/link/" in text
        assert "http://127.0.0.1:8000/track/unsubscribe/" in text


def test_messages_are_in_the_language_the_reporter_filed_in(city, people, commit):
    english, chinese = browser("en"), browser("zh-hans")
    en_case = file_anonymously(english, city, commit, email="en@example.com")
    zh_case = file_anonymously(chinese, city, commit, email="zh@example.com")
    assert CaseContact.objects.get(case=en_case).language == "en"
    assert CaseContact.objects.get(case=zh_case).language == "zh-hans"
    for case in (en_case, zh_case):
        commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    [_c, en_filed] = mails_to("en@example.com")
    [_c2, zh_filed] = mails_to("zh@example.com")
    assert "Your request is now filed" in en_filed.subject and "Next: it is passed" in en_filed.body
    assert city.category.name_en in en_filed.subject
    assert "Your request" not in zh_filed.subject and "Next: it is passed" not in zh_filed.body
    assert city.category.name in zh_filed.subject
    assert re.search(r"[\u4e00-\u9fff]", zh_filed.body)


def test_a_hotline_callers_contact_hears_too(city, people, commit):
    case = commit(
        workflow.submit_case,
        actor=people.officer_a,
        category=city.category,
        description="来电反映",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
        channel=Channel.HOTLINE,
        contact={"name": "李", "phone": "13611112222"},
    )
    assert case.reporter_id is None
    [(phone, text)] = SENT
    assert phone == "13611112222" and case.tracking_id in text and "/track/link/" in text


def test_the_reporters_own_withdrawal_is_not_told_back_to_them(client, city, commit):
    case = file_anonymously(client, city, commit)
    response = commit(
        client.post,
        reverse("citizens:request_act", args=[case.tracking_id, "withdraw"]),
        {"withdraw-reason": "已自行解决"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"
    assert len(mails_to("walker@example.com")) == 1  # the confirmation only


# --- unsubscribing ------------------------------------------------------------------------------


def test_unsubscribe_is_one_click_stops_every_message_and_can_be_undone(
    client, city, people, commit, english
):
    case = file_anonymously(client, city, commit, email="walker@example.com", phone="13712345678")
    path = UNSUBSCRIBE.search(mails_to("walker@example.com")[0].body).group(1)
    stranger = browser()  # no sign-in, no session
    response = stranger.get(path)
    assert response.status_code == 200 and "Unsubscribed" in response.content.decode()
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    assert len(mails_to("walker@example.com")) == 1 and len(SENT) == 1  # nothing more

    undo = stranger.post(path + "undo/")
    assert undo.status_code == 200 and "Messages turned back on" in undo.content.decode()
    commit(workflow.dispatch_case, case_id=case.pk, actor=people.dispatcher)
    assert len(mails_to("walker@example.com")) == 2 and len(SENT) == 2


def test_a_message_queued_before_unsubscribing_is_not_sent_after(
    client, city, people, commit, django_capture_on_commit_callbacks
):
    case = file_anonymously(client, city, commit)
    with django_capture_on_commit_callbacks(execute=False):  # the relay has not run yet
        workflow.file_case(case_id=case.pk, actor=people.street_leader)
    entries = CaseEvent.objects.filter(case=case).select_related("case").order_by("pk")
    contact_updates.messages_for([(e.case, e) for e in entries])  # the relay's writing, alone
    row = ContactMessage.objects.get(kind="update")
    contact_updates.set_subscribed(case_id=case.pk, subscribed=False)
    contact_updates.deliver(row.pk)
    assert len(mails_to("walker@example.com")) == 1
    assert contact_updates.pending(older_than=timedelta(0)) == []


def test_mail_programs_one_click_post_unsubscribes_without_a_csrf_token(client, city, commit):
    case = file_anonymously(client, city, commit)
    path = UNSUBSCRIBE.search(mails_to("walker@example.com")[0].body).group(1)
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert CaseContact.objects.get(case=case).unsubscribed_at is not None


def test_a_forged_unsubscribe_link_changes_nothing(client, city, commit):
    case = file_anonymously(client, city, commit)
    assert browser().get(f"/track/unsubscribe/{case.pk}:forged/").status_code == 404
    assert CaseContact.objects.get(case=case).unsubscribed_at is None


# --- delivery -----------------------------------------------------------------------------------


def test_each_message_is_sent_at_most_once(client, city, commit):
    case = file_anonymously(client, city, commit, email="walker@example.com", phone="13712345678")
    row = ContactMessage.objects.get(case=case)
    contact_updates.deliver(row.pk)
    contact_updates.deliver(row.pk)
    assert len(mails_to("walker@example.com")) == 1 and len(SENT) == 1


def test_with_the_broker_down_at_filing_the_confirmation_is_sent_later_exactly_once(
    request, client, city, commit, monkeypatch
):
    from celery import Task
    from django.core.management import call_command

    from governance import queueing

    state = {"down": True}
    real = Task.apply_async

    def apply_async(self, args=None, kwargs=None, **options):
        if state["down"]:
            raise ConnectionError("broker is down")
        return real(self, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    request.addfinalizer(lambda: setattr(celery_app.conf, "task_always_eager", eager))
    case = file_anonymously(client, city, commit)  # the reporter sees their page as usual
    assert mails_to("walker@example.com") == []
    assert OutboxMessage.objects.filter(delivered_at__isnull=True, kind="events").exists()

    state["down"] = False
    queueing.broker.reset()
    celery_app.conf.task_always_eager = True
    from io import StringIO

    call_command("relay_outbox", stdout=StringIO())
    call_command("relay_outbox", stdout=StringIO())
    contact_updates.requeue_pending(older_than=timedelta(0))
    [message] = mails_to("walker@example.com")
    assert case.tracking_id in message.subject


# --- e-mails to accounts ------------------------------------------------------------------------


def test_an_account_e_mail_links_the_right_page_for_each_reader(city, people, commit, english):
    from notifications.models import NotificationPreference

    people.citizen.preferred_language = "en"
    people.citizen.save()
    people.officer_a.email = "officer_a@example.com"
    people.officer_a.save()
    NotificationPreference.objects.create(user=people.officer_a, kind="case_created", email=True)
    case = commit(
        workflow.submit_case,
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader, note="已受理")
    [staff] = [m for m in mail.outbox if m.to == [people.officer_a.email]]
    assert f"http://127.0.0.1:8000/work/cases/{case.tracking_id}/" in staff.body
    [reporter] = [m for m in mail.outbox if m.to == ["citizen@example.com"]]
    assert case.tracking_id in reporter.subject and city.category.name_en in reporter.subject
    body = reporter.body
    assert f"http://127.0.0.1:8000/requests/{case.tracking_id}/" in body
    assert "Status: filed" in body and "已受理" in body
    assert "Next: it is passed to the department or officer" in body
    assert "http://127.0.0.1:8000/notifications/preferences/" in body
    assert "/track/unsubscribe/" not in body


def test_the_site_address_of_the_links_is_a_strict_setting():
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_site_url

    assert env_site_url("X", "http://127.0.0.1:8000/", environ={}) == "http://127.0.0.1:8000"
    assert (
        env_site_url("X", "", environ={"X": "https://grid.example.org/city"})
        == "https://grid.example.org/city"
    )
    for bad in ("grid.example.org", "ftp://x.org", "https://x.org/?a=1", "https://x.org:port"):
        with pytest.raises(ImproperlyConfigured):
            env_site_url("X", "", environ={"X": bad})


def test_reporter_links_refuse_garbage_tokens(db):
    assert reporter_links.redeem(token="") is None
    assert reporter_links.redeem(token="x" * 500) is None
