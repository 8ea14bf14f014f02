"""Issue 10, the officer's day: honest labels and actions that stay current.

"File a case" only for who may file; a case filed for a caller has no reporter account; the
staff layout is not the citizen's; "Re-dispatch" after a dispatch; the filing page asks for
the caller's contact; duplicate notes link to the cases; every refusal links back; the
actions block has its own live fragment (zh and en).
"""

import pytest
from django.urls import reverse

from governance import workflow
from governance.models import Case, Channel

LANGUAGES = ["zh-hans", "en"]


def _page(client, url, language="en", **params):
    client.cookies["django_language"] = language
    return client.get(url, params)


def _submit(city, people, **extra):
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
        **extra,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_file_a_case_is_offered_only_to_who_may_file(client, people, city, language):
    file_url = f'href="{reverse("governance:file")}"'
    client.force_login(people.clerk)  # staff (a department) who do not file
    html = _page(client, reverse("governance:queue"), language).content.decode()
    assert file_url not in html
    assert client.get(reverse("governance:file")).status_code == 403
    client.force_login(people.officer_a)
    html = _page(client, reverse("governance:queue"), language).content.decode()
    label = "登记案件" if language == "zh-hans" else "File a case"
    assert f"{file_url}>{label}</a>" in html


def test_the_file_a_case_label_is_translated():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("File a case") != "File a case"


@pytest.mark.parametrize("caller", ["en", "zh-hans"])
def test_the_callers_messages_are_in_the_language_staff_chose_for_them(
    client, people, city, caller
):
    """An officer on a Chinese page files for a caller who reads English (or the reverse):
    the caller's confirmation and updates are written in the caller's language."""
    client.force_login(people.officer_a)
    page = "zh-hans" if caller == "en" else "en"
    form = client.get(reverse("governance:file"), HTTP_ACCEPT_LANGUAGE=page).content.decode()
    assert 'name="language"' in form
    response = client.post(
        reverse("governance:file"),
        {
            "channel": "hotline",
            "category": city.category.pk,
            "description": "来电：垃圾",
            "lon": city.point_a[0],
            "lat": city.point_a[1],
            "urgency": "general",
            "answer_amount": "small",
            "phone": "13600000000",
            "language": caller,
        },
        HTTP_ACCEPT_LANGUAGE=page,
    )
    assert response.status_code == 302
    assert Case.objects.get().contact.language == caller


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_case_filed_for_a_caller_has_no_reporter_account(client, people, city, language):
    client.force_login(people.officer_a)
    response = client.post(
        reverse("governance:file"),
        {
            "channel": "hotline",
            "category": city.category.pk,
            "description": "来电：垃圾",
            "lon": city.point_a[0],
            "lat": city.point_a[1],
            "urgency": "general",
            "answer_amount": "small",
            "name": "李",
            "phone": "13600000000",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.HOTLINE and case.reporter is None
    assert case.contact.phone == "13600000000"
    html = _page(client, reverse("governance:case", args=[case.tracking_id]), language)
    html = html.content.decode()
    # The timeline names the officer, not "the reporter"; no "withdraw my request" for them.
    assert "· officer_a" in html
    assert ("上报人" if language == "zh-hans" else "the reporter") not in html.split("timeline")[-1]
    assert 'data-action="withdraw"' not in html
    assert not [c for c in Case.objects.filter(reporter=people.officer_a)]
    assert client.get(reverse("citizens:my_requests")).content.decode().count(case.tracking_id) == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_filing_page_asks_for_the_callers_contact(client, people, language):
    client.force_login(people.officer_a)
    html = _page(client, reverse("governance:file"), language).content.decode()
    if language == "en":
        assert "Caller&#x27;s name" in html and "Caller&#x27;s phone" in html
        assert "Your name" not in html
    else:
        assert "来电人姓名" in html and "来电人电话" in html
        assert "您的姓名" not in html


def test_a_reporter_is_sent_from_the_staff_page_to_their_request(client, people, city):
    case = _submit(city, people)
    client.force_login(people.citizen)
    response = client.get(reverse("governance:case", args=[case.tracking_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("citizens:request", args=[case.tracking_id])
    for name in ("case_live", "case_actions"):
        assert client.get(reverse(f"governance:{name}", args=[case.tracking_id])).status_code == 404
    # Someone else's case is simply not found, as before.
    client.force_login(people.other_citizen)
    assert client.get(reverse("governance:case", args=[case.tracking_id])).status_code == 404
    # A reporter who has a staff role on the case keeps the staff page.
    own = workflow.submit_case(
        actor=people.dispatcher,
        category=city.category,
        description="路上有坑",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    client.force_login(people.dispatcher)
    assert client.get(reverse("governance:case", args=[own.tracking_id])).status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_dispatched_case_offers_re_dispatch(client, people, city, language):
    case = _submit(city, people)
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    client.force_login(people.dispatcher)
    url = reverse("governance:case", args=[case.tracking_id])
    dispatch, again = ("派遣", "重新派遣") if language == "zh-hans" else ("Dispatch", "Re-dispatch")
    html = _page(client, url, language).content.decode()
    assert f">{dispatch}</summary>" in html and again not in html
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    html = _page(client, url, language).content.decode()
    assert f">{again}</summary>" in html and f">{dispatch}</summary>" not in html
    fragment = _page(client, reverse("governance:case_actions", args=[case.tracking_id]), language)
    assert f">{again}</summary>" in fragment.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_duplicate_notes_link_to_the_cases_the_person_may_open(
    client, people, city, language, django_capture_on_commit_callbacks
):
    first = _submit(city, people)
    far = workflow.submit_case(
        actor=people.other_citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_b[0],
        lat=city.point_b[1],
        answers={"amount": "small"},
    )
    with django_capture_on_commit_callbacks(execute=False):  # not the relay's own check
        second = _submit(city, people)
    workflow.record_possible_duplicates(case_id=second.pk, duplicates=[first, far])
    link = f'<a href="{reverse("governance:case", args=[first.tracking_id])}">'
    far_link = f'<a href="{reverse("governance:case", args=[far.tracking_id])}">'
    client.force_login(people.dispatcher)
    html = _page(client, reverse("governance:case", args=[second.tracking_id]), language)
    html = html.content.decode()
    assert ("可能重复：" if language == "zh-hans" else "Possible duplicate of:") in html
    assert link in html and far_link in html
    client.force_login(people.officer_a)  # sees grid A's cases, not grid B's
    html = _page(client, reverse("governance:case", args=[second.tracking_id]), language)
    html = html.content.decode()
    assert link in html and far_link not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_action_links_back_to_the_case(client, people, city, language):
    case = _submit(city, people)
    client.force_login(people.officer_a)  # sees it, may not accept it
    url = reverse("governance:case", args=[case.tracking_id])
    client.cookies["django_language"] = language
    response = client.post(reverse("governance:case_act", args=[case.tracking_id, "file"]), {})
    assert response.status_code == 403
    html = response.content.decode()
    back = "返回刚才的页面" if language == "zh-hans" else "Back to where you were"
    assert f'<a href="{url}">{back}</a>' in html
    # The citizen's page too: a withdrawn request cannot be withdrawn again.
    workflow.withdraw_case(case_id=case.pk, actor=people.citizen)
    client.force_login(people.citizen)
    response = client.post(reverse("citizens:request_act", args=[case.tracking_id, "withdraw"]))
    assert response.status_code == 409
    own = reverse("citizens:request", args=[case.tracking_id])
    assert f'<a href="{own}">{back}</a>' in response.content.decode()


def test_other_refusal_pages_link_back_to_the_page_of_this_site_one_came_from(client, people):
    client.force_login(people.clerk)
    client.cookies["django_language"] = "en"
    queue = reverse("governance:queue")
    response = client.get(reverse("governance:file"), HTTP_REFERER=f"http://testserver{queue}")
    assert response.status_code == 403
    assert f'<a href="{queue}">Back to where you were</a>' in response.content.decode()
    # Never a link elsewhere.
    response = client.get(reverse("governance:file"), HTTP_REFERER="https://evil.example/x")
    assert "evil.example" not in response.content.decode()


def test_the_actions_fragments_follow_the_status(client, people, city):
    case = _submit(city, people)
    client.force_login(people.citizen)
    url = reverse("citizens:request_actions", args=[case.tracking_id])
    html = client.get(url).content.decode()
    assert 'data-action="withdraw"' in html and 'data-action="rate"' not in html
    page = client.get(reverse("citizens:request", args=[case.tracking_id])).content.decode()
    assert 'data-live="case-actions"' in page and f'data-live-refresh="{url}"' in page
    for step, actor in (
        (workflow.file_case, people.dispatcher),
        (workflow.dispatch_case, people.dispatcher),
        (workflow.start_case, people.clerk),
    ):
        step(case_id=case.pk, actor=actor)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="已清运")
    workflow.verify_and_close_case(case_id=case.pk, actor=people.officer_a)
    html = client.get(url).content.decode()
    assert 'data-action="withdraw"' not in html and 'data-action="rate"' in html
    assert 'data-case-status="closed"' in html
    # Someone else's request: not found.
    client.force_login(people.other_citizen)
    assert client.get(url).status_code == 404
