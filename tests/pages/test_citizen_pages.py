"""Citizen pages with the Django test client: sign-up, submit, follow, act, public record."""

import pytest
from django.core import mail
from django.urls import reverse

from citizens.models import User
from governance import workflow
from governance.models import Case, Status
from tests.pages.helpers import png, submission


def test_sign_up_with_phone_then_sign_in(client, city, settings):
    from tests.citizens.test_signup import SENT, code_in

    settings.SMS_GATEWAY = "tests.citizens.test_signup.RecordingSmsGateway"
    SENT.clear()
    response = client.post(
        reverse("citizens:signup"),
        {"login": "13900001111", "password1": "Quiet-harbour-71", "password2": "Quiet-harbour-71"},
    )
    assert response.status_code == 302
    # The account exists once the code sent to the phone comes back (citizens.signup).
    response = client.post(reverse("citizens:signup_confirm"), {"code": code_in(SENT[0][1])})
    assert response.status_code == 302
    user = User.objects.get(phone="13900001111")
    assert user.email is None
    client.logout()
    response = client.post(
        reverse("citizens:login"), {"username": "13900001111", "password": "Quiet-harbour-71"}
    )
    assert response.status_code == 302
    assert client.get(reverse("citizens:my_requests")).status_code == 200


def test_sign_up_errors_are_next_to_the_field(client, city, people):
    response = client.post(
        reverse("citizens:signup"),
        # (A malformed login: whether a number is taken is never said, citizens.signup.)
        {"login": "138", "password1": "Quiet-harbour-71", "password2": "different-1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_login_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'role="alert"' in html


def test_password_reset_by_email(client, city, people):
    response = client.post(reverse("citizens:password_reset"), {"email": "citizen@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_profile_sets_preferred_language(client, city, people):
    client.force_login(people.citizen)
    response = client.post(
        reverse("citizens:profile"), {"display_name": "小王", "preferred_language": "en"}
    )
    assert response.status_code == 302
    people.citizen.refresh_from_db()
    assert people.citizen.preferred_language == "en"
    assert response.cookies["django_language"].value == "en"


def test_citizen_submits_with_pin_and_photo_and_sees_it(client, city, people):
    client.force_login(people.citizen)
    data = submission(city, photos=[png()])
    response = client.post(reverse("citizens:submit"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.reporter == people.citizen
    assert case.grid == city.grid_a
    assert case.answers == {"amount": "large"}
    assert case.attachments.count() == 1
    assert response["Location"] == reverse("citizens:submitted", args=[case.tracking_id])
    page = client.get(response["Location"]).content.decode()
    assert case.tracking_id in page
    mine = client.get(reverse("citizens:my_requests")).content.decode()
    assert case.tracking_id in mine
    detail = client.get(reverse("citizens:request", args=[case.tracking_id])).content.decode()
    assert 'data-live="case"' in detail
    assert reverse("citizens:request_live", args=[case.tracking_id]) in detail
    assert "Withdraw" in detail or "撤回" in detail
    photo = case.attachments.get()
    assert (
        client.get(reverse("governance:attachment_size", args=[photo.pk, "thumb"])).status_code
        == 200
    )


def test_submit_errors_name_the_field_and_save_nothing(client, city, people):
    client.force_login(people.citizen)
    data = submission(city, description="", lon="", lat="")
    data.pop("answer_amount")
    response = client.post(reverse("citizens:submit"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_description_error"' in html
    assert 'id="id_answer_amount_error"' in html
    assert 'id="id_address_error"' in html
    assert Case.objects.count() == 0


def test_urgent_refused_where_the_category_does_not_allow_it(client, city, people):
    city.category.urgent_limit = None
    city.category.save()
    client.force_login(people.citizen)
    response = client.post(reverse("citizens:submit"), submission(city, urgency="urgent"))
    assert response.status_code == 400
    assert 'id="id_urgency_error"' in response.content.decode()


def test_typed_address_with_neighbourhood_routes_to_that_grid(client, city, people):
    client.force_login(people.citizen)
    data = submission(city, lon="", lat="", address="人民路 12 号", near=city.grid_b.pk)
    assert client.post(reverse("citizens:submit"), data).status_code == 302
    assert Case.objects.get().grid == city.grid_b


def test_anonymous_submission_needs_a_contact(client, city):
    response = client.post(reverse("citizens:submit"), submission(city))
    assert response.status_code == 400
    assert 'id="id_phone_error"' in response.content.decode()
    response = client.post(reverse("citizens:submit"), submission(city, phone="13700000000"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter is None and case.contact.phone == "13700000000"
    assert client.get(response["Location"]).status_code == 200


def test_confirmation_of_someone_elses_request_is_not_shown(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    client.force_login(people.other_citizen)
    assert client.get(reverse("citizens:submitted", args=[case.tracking_id])).status_code == 404
    assert client.get(reverse("citizens:request", args=[case.tracking_id])).status_code == 404


def test_questions_fragment_and_nearby_duplicates(client, city, people):
    html = client.get(
        reverse("citizens:submit_questions"), {"category": city.category.pk}
    ).content.decode()
    assert 'name="answer_amount"' in html
    existing = workflow.submit_case(
        actor=people.other_citizen,
        category=city.category,
        description="x",
        lon=120.0100,
        lat=30.0100,
        answers={"amount": "small"},
    )
    near = client.get(
        reverse("citizens:submit_nearby"),
        {"category": city.category.pk, "lon": "120.0103", "lat": "30.0101"},
    ).content.decode()
    assert existing.tracking_id in near
    assert reverse("citizens:public_request", args=[existing.tracking_id]) in near
    # Found by its public (rounded) point, not its exact one: "far" is beyond 50 m of where
    # the case could be anywhere in its rounding cell (found at 96 m would be by design).
    far = client.get(
        reverse("citizens:submit_nearby"),
        {"category": city.category.pk, "lon": "120.0125", "lat": "30.0100"},
    ).content.decode()
    assert existing.tracking_id not in far
    other = client.get(
        reverse("citizens:submit_nearby"),
        {"category": city.urgent_category.pk, "lon": "120.0100", "lat": "30.0100"},
    ).content.decode()
    assert existing.tracking_id not in other


def _closed_case(city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="cleaned")
    workflow.verify_and_close_case(case_id=case.pk, actor=people.officer_a)
    return case


def test_citizen_rates_a_closed_request(client, city, people):
    case = _closed_case(city, people)
    client.force_login(people.citizen)
    url = reverse("citizens:request_act", args=[case.tracking_id, "rate"])
    response = client.post(url, {"rate-rating": "9"})
    assert response.status_code == 400
    assert 'id="id_rate-rating_error"' in response.content.decode()
    response = client.post(url, {"rate-rating": "4", "rate-comment": "快"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.rating == 4
    # Rated once: the button is gone and posting again is refused, nothing changed.
    response = client.post(url, {"rate-rating": "1"})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.rating == 4


def test_citizen_withdraws_before_dispatch_only(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    client.force_login(people.citizen)
    url = reverse("citizens:request_act", args=[case.tracking_id, "withdraw"])
    assert client.post(url, {"withdraw-reason": "已解决"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN


def test_citizen_cannot_post_staff_actions(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    client.force_login(people.citizen)
    response = client.post(reverse("citizens:request_act", args=[case.tracking_id, "file"]), {})
    assert response.status_code == 404
    response = client.post(reverse("governance:case_act", args=[case.tracking_id, "file"]), {})
    # The staff pages are not the reporter's (issue 10): a 404 there, as for any other case.
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_public_page_is_anonymised(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        # The description is published with the request (the form says so); the contact not.
        description="路边垃圾三天没人收",
        lon=120.012345,
        lat=30.012345,
        answers={"amount": "small"},
        contact={"name": "王小明", "phone": "13800000001"},
    )
    html = client.get(reverse("citizens:public")).content.decode()
    assert case.tracking_id in html
    assert "13800000001" not in html and "王小明" not in html
    assert "120.012345" not in html and "120.012" in html
    detail = client.get(reverse("citizens:public_request", args=[case.tracking_id])).content
    assert "13800000001" not in detail.decode() and "王小明" not in detail.decode()
    assert "路边垃圾三天没人收" in detail.decode()
    filtered = client.get(reverse("citizens:public"), {"status": "closed"}).content.decode()
    assert case.tracking_id not in filtered


@pytest.mark.parametrize("name", ["citizens:my_requests", "citizens:profile"])
def test_signed_in_pages_need_sign_in(client, city, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_citizen_reopens_within_the_window_with_a_reason(client, city, people):
    case = _closed_case(city, people)
    client.force_login(people.citizen)
    url = reverse("citizens:request_act", args=[case.tracking_id, "reopen"])
    response = client.post(url, {"reopen-reason": ""})
    assert response.status_code == 400
    assert 'id="id_reopen-reason_error"' in response.content.decode()
    assert client.post(url, {"reopen-reason": "又堆起来了"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.FILED


def test_citizen_adds_information_with_a_photo(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    client.force_login(people.citizen)
    url = reverse("citizens:request_act", args=[case.tracking_id, "note"])
    response = client.post(url, {"note-text": "还有一袋", "note-files": [png()]})
    assert response.status_code == 302
    assert case.events.filter(kind="note", audience="reporter").count() == 1
    assert case.attachments.count() == 1


def test_live_fragment_is_scoped_like_the_page(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    client.force_login(people.citizen)
    fragment = client.get(reverse("citizens:request_live", args=[case.tracking_id]))
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    client.force_login(people.other_citizen)
    assert client.get(reverse("citizens:request_live", args=[case.tracking_id])).status_code == 404


def test_sign_in_with_email(client, city, people):
    response = client.post(
        reverse("citizens:login"), {"username": "Citizen@Example.com", "password": "pw-citizen"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"


def test_photo_of_a_case_is_not_served_to_others(client, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    # Information the reporter adds is for the reporter and staff (its audience), not public.
    workflow.add_note(case_id=case.pk, actor=people.citizen, text="门牌号", files=[png()])
    photo = case.attachments.get()
    url = reverse("governance:attachment", args=[photo.pk])
    assert client.get(url).status_code == 404
    client.force_login(people.officer_b)
    assert client.get(url).status_code == 404
    client.force_login(people.officer_a)
    assert client.get(url).status_code == 200
