"""Request forms: every error in one round, and long texts refused with a message, never cut.

An anonymous reporter's contact errors used to come in a second round (the workflow checked
them only once the form's own errors were fixed); the description (4,000) and address (300)
limits were enforced by the browser cutting the text without a word.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.models import Case
from tests.pages.helpers import submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _errors(response) -> str:
    assert response.status_code == 400
    return response.content.decode()


def test_anonymous_contact_errors_come_with_the_others_at_once(client, city):
    data = submission(city, description="", lon="", lat="", phone="abc", email="")
    body = _errors(client.post(reverse("citizens:submit"), data, HTTP_ACCEPT_LANGUAGE="en"))
    assert 'id="id_description_error"' in body
    assert 'id="id_address_error"' in body  # no pin, no neighbourhood
    assert 'id="id_phone_error"' in body
    assert "Enter a phone number of digits." in body
    assert not Case.objects.exists()


def test_missing_contact_is_said_in_the_same_round_as_a_missing_description(client, city):
    body = _errors(client.post(reverse("citizens:submit"), submission(city, description="")))
    assert 'id="id_description_error"' in body
    assert "Leave a phone number or e-mail so we can reach you." in body


def test_a_bad_email_is_one_error_not_two(client, city):
    body = _errors(client.post(reverse("citizens:submit"), submission(city, email="not-mail")))
    assert 'id="id_email_error"' in body
    assert "Leave a phone number or e-mail" not in body


def test_once_corrected_the_request_goes_through(client, city):
    response = client.post(reverse("citizens:submit"), submission(city, phone="13700000000"))
    assert response.status_code == 302


def test_staff_filing_shows_contact_errors_with_the_others(client, city, people):
    client.force_login(people.officer_a)
    data = submission(city, description="", phone="call me", channel="hotline")
    body = _errors(client.post(reverse("governance:file"), data, HTTP_ACCEPT_LANGUAGE="en"))
    assert 'id="id_description_error"' in body
    assert "Enter a phone number of digits." in body


@pytest.mark.parametrize(("field", "limit"), [("description", 4000), ("address", 300)])
def test_too_long_text_is_refused_with_a_message_and_kept_whole(client, city, people, field, limit):
    client.force_login(people.citizen)
    text = "长" * (limit + 1)
    response = client.post(
        reverse("citizens:submit"), submission(city, **{field: text}), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = _errors(response)
    assert f'id="id_{field}_error"' in body
    assert f"at most {limit} characters (it has {limit + 1})" in body
    assert text in body  # given back whole, for the person to shorten
    assert f'maxlength="{limit}"' in body  # the limit the counter shows
    assert not Case.objects.exists()


def test_the_limit_message_is_chinese_on_chinese_pages(client, city, people):
    client.force_login(people.citizen)
    response = client.post(
        reverse("citizens:submit"),
        submission(city, description="长" * 4001),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "4000" in _errors(response)
    assert "Ensure this value" not in response.content.decode()


def test_category_is_marked_required(client, city):
    body = client.get(reverse("citizens:submit")).content.decode()
    assert '<div class="field required">' in body.split('for="id_category"')[0][-200:]
