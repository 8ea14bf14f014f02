"""Sign-up answers the same whether or not a phone number or e-mail has an account; only the
phone or inbox itself learns which (a code, or a note that it already has an account)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from citizens.models import User
from citizens.signup import MAX_ATTEMPTS

SENT: list[tuple[str, str]] = []
PASSWORD = "Quiet-harbour-71"


class RecordingSmsGateway:
    def send(self, *, phone: str, text: str) -> None:
        SENT.append((phone, text))


@pytest.fixture(autouse=True)
def sms(settings):
    settings.SMS_GATEWAY = "tests.citizens.test_signup.RecordingSmsGateway"
    SENT.clear()
    return SENT


def sign_up(client, login: str, **extra):
    data = {"login": login, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(reverse("citizens:signup"), data)


def code_in(text: str) -> str | None:
    found = re.search(r"\b(\d{6})\b", text)
    return found.group(1) if found else None


def visible(response) -> tuple[int, str]:
    """What the person at the keyboard sees: the status, where it leads, and the page."""
    return response.status_code, response.get("Location", "")


def test_free_and_taken_numbers_get_the_same_answer(client, people):
    taken = sign_up(client, people.citizen.phone)
    client.cookies.clear()
    free = sign_up(client, "13900001111")
    assert visible(taken) == visible(free) == (302, reverse("citizens:signup_confirm"))
    page_taken = client.get(reverse("citizens:signup_confirm"))
    assert page_taken.status_code == 200
    # The difference goes to the phones only.
    (to_taken, note), (to_free, code_text) = SENT
    assert to_taken == people.citizen.phone and code_in(note) is None
    assert "already has one" in note or "已有账号" in note
    assert to_free == "13900001111" and code_in(code_text)


def test_taken_email_gets_the_same_answer_and_a_note(client, people):
    response = sign_up(client, "Citizen@Example.com")
    assert visible(response) == (302, reverse("citizens:signup_confirm"))
    assert len(mail.outbox) == 1 and code_in(mail.outbox[0].body) is None
    # No code can open an account for it.
    for guess in ("000000", "123456"):
        response = client.post(reverse("citizens:signup_confirm"), {"code": guess})
    assert User.objects.filter(email="citizen@example.com").count() == 1


def test_the_code_creates_the_account_and_signs_in(client, city):
    sign_up(client, "13900001111", display_name="小王")
    code = code_in(SENT[0][1])
    response = client.post(reverse("citizens:signup_confirm"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("citizens:home")
    user = User.objects.get(phone="13900001111")
    assert user.display_name == "小王" and user.check_password(PASSWORD)
    assert client.get(reverse("citizens:my_requests")).status_code == 200


def test_wrong_codes_run_out(client, city):
    sign_up(client, "13900001111")
    code = code_in(SENT[0][1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        response = client.post(reverse("citizens:signup_confirm"), {"code": wrong})
    assert response.status_code in (302, 400)
    response = client.post(reverse("citizens:signup_confirm"), {"code": code})
    assert response["Location"] == reverse("citizens:signup")  # start again
    assert not User.objects.filter(phone="13900001111").exists()


def test_the_form_still_says_what_is_malformed(client, city):
    response = sign_up(client, "not a phone")
    assert response.status_code == 400
    assert SENT == [] and mail.outbox == []
