"""Password guessing, replayed on every path that signs in (issue 9, item 9).

The pages, the admin and the API token share one lockout (django-axes, in the database): after
AXES_FAILURE_LIMIT failures for one account — whichever of its username, phone or e-mail was
typed — or SIGNIN_ADDRESS_FAILURE_LIMIT from one address, every sign-in answers 429 with
Retry-After and says when to retry; after the cool-off the right password works again.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import translation

from tests.conftest import _clear_own_cache_keys


@dataclass
class Path:
    url: str
    ok: int  # the status of a right password
    wrong: int  # the status of a wrong one

    def post(self, client: Client, login: str, password: str, **headers):
        return client.post(self.url, {"username": login, "password": password}, headers=headers)


PATHS = {
    "pages": Path("/accounts/login/", 302, 200),
    "admin": Path("/admin/login/", 302, 200),
    "api": Path("/api/v1/auth/token/", 200, 400),
}


@pytest.fixture
def catalogs():
    call_command("compile_catalogs", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def _after_cool_off(settings) -> None:
    """As if the cool-off had passed: failures that old, request counters of an old window."""
    _clear_own_cache_keys()
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - settings.AXES_COOLOFF_TIME
    )


def _is_lockout(response, settings) -> bool:
    """429 with Retry-After: the cool-off, or (API, past 30 a minute) the address's limit."""
    retry = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return response.status_code == 429 and 0 < int(response["Retry-After"]) <= retry


@pytest.mark.parametrize("name", PATHS)
def test_fifty_wrong_passwords_lock_the_account_at_the_limit(client, people, settings, name):
    path = PATHS[name]
    login, password = ("admin", "pw-admin") if name == "admin" else ("citizen", "pw-citizen")
    limit = settings.AXES_FAILURE_LIMIT

    answers = [path.post(client, login, f"guess-{i}") for i in range(50)]

    assert [a.status_code for a in answers[: limit - 1]] == [path.wrong] * (limit - 1)
    assert all(_is_lockout(a, settings) for a in answers[limit - 1 :])
    assert answers[limit - 1]["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    # Locked means locked: the right password is refused too, and says so.
    assert _is_lockout(path.post(client, login, password), settings)
    _after_cool_off(settings)
    assert path.post(client, login, password).status_code == path.ok


def test_the_api_lockout_is_the_api_error_shape(api, people, settings):
    wrong = {"username": "citizen", "password": "guess"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = api.post("/api/v1/auth/token/", wrong, headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    assert response.json() == {
        "detail": "Too many failed sign-ins for this account or from this address. "
        "Please try again in 15 minutes.",
        "code": "throttled",
    }


def test_username_phone_and_email_of_one_account_share_one_counter(client, people, settings):
    spellings = ["citizen", "13800000001", "citizen@example.com", "CITIZEN@example.com"]
    limit = settings.AXES_FAILURE_LIMIT

    codes = [
        PATHS["pages"].post(client, spellings[i % len(spellings)], f"guess-{i}").status_code
        for i in range(50)
    ]

    assert codes[: limit - 1] == [200] * (limit - 1) and set(codes[limit - 1 :]) == {429}
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"citizen"}
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    for spelling in spellings:  # the locked account is not reachable by another spelling
        assert PATHS["pages"].post(elsewhere, spelling, "pw-citizen").status_code == 429
    # One account, one counter: the other citizen, from there, signs in.
    assert PATHS["pages"].post(elsewhere, "other_citizen", "pw-other_citizen").status_code == 302


def test_a_sign_in_of_ones_own_does_not_clear_the_guesses_at_another(client, people, settings):
    """Axes would clear every failure from the address on a success; ours clears the
    account's own only, so interleaving one's own sign-ins does not reset the count."""
    limit = settings.AXES_FAILURE_LIMIT
    codes = []
    for i in range(limit):
        codes.append(PATHS["pages"].post(client, "citizen", f"guess-{i}").status_code)
        own = PATHS["api"].post(Client(), "other_citizen", "pw-other_citizen")
        assert own.status_code == 200
    assert codes[-1] == 429


def test_a_success_clears_the_accounts_failures(client, people, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for round_ in range(3):
        for i in range(limit - 1):
            assert PATHS["pages"].post(client, "citizen", f"guess-{i}").status_code == 200
        assert PATHS["pages"].post(Client(), "citizen", "pw-citizen").status_code == 302, round_


def _guesses_from_one_address(path: Path, settings, **headers_for) -> list[int]:
    """Different accounts each time (none reaches its own limit), from one machine that
    claims another address in X-Forwarded-For every time."""
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = []
    for i in range(50):
        headers = {"X-Forwarded-For": headers_for["forwarded"](i)}
        codes.append(path.post(client, f"someone-{i}", "guess", **headers).status_code)
    return codes


@pytest.mark.parametrize("name", PATHS)
def test_rotating_x_forwarded_for_does_not_escape_the_address_limit(people, settings, name):
    path = PATHS[name]
    limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
    assert settings.TRUSTED_PROXY_COUNT == 0

    codes = _guesses_from_one_address(path, settings, forwarded=lambda i: f"10.0.{i}.1")

    assert codes[: limit - 1] == [path.wrong] * (limit - 1)
    assert set(codes[limit - 1 :]) == {429}
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_behind_one_trusted_proxy_the_address_is_the_one_the_proxy_saw(people, settings):
    """The proxy appends the address it saw; whatever the client wrote left of it is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT

    codes = _guesses_from_one_address(
        PATHS["pages"], settings, forwarded=lambda i: f"10.0.{i}.1, 198.51.100.20"
    )

    assert set(codes[limit - 1 :]) == {429}
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    # Another client behind the same proxy is someone else.
    fresh = Client(REMOTE_ADDR="203.0.113.9", headers={"X-Forwarded-For": "198.51.100.21"})
    assert PATHS["pages"].post(fresh, "citizen", "pw-citizen").status_code == 302


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Too many failed sign-ins"), ("zh-hans", "登录失败次数过多")],
)
def test_the_lockout_page_says_when_to_retry_in_both_languages(
    client, people, settings, catalogs, language, words
):
    client.cookies["django_language"] = language
    for i in range(settings.AXES_FAILURE_LIMIT):
        response = PATHS["pages"].post(client, "citizen", f"guess-{i}")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60
    html = response.content.decode()
    assert response.status_code == 429 and words in html and str(minutes) in html


def test_a_few_wrong_passwords_are_only_a_wrong_password(client, people, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert PATHS["pages"].post(client, "citizen", f"guess-{i}").status_code == 200
    assert PATHS["pages"].post(client, "citizen", "pw-citizen").status_code == 302
