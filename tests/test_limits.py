"""Request limits on sign-up, password reset and filing, replayed as the attacks of issue 9.

Every limit counts per address (`client_address`: X-Forwarded-For only behind trusted proxies),
per account when signed in, per Open311 key, per reset e-mail; a refusal is 429 with
Retry-After and a message that says when to retry, in Chinese and English.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from config import env
from governance import limits
from governance.models import Case
from tests.pages.helpers import submission

SPOOFED = [f"10.9.{i // 250}.{i % 250 + 1}" for i in range(120)]


def _rate(settings, scope: str, kind: str) -> int:
    return limits.parse_rate(settings.RATE_LIMITS[scope][kind])[0]


@pytest.fixture
def catalogs():
    call_command("compile_catalogs", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


# --- the client's address ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "203.0.113.9"),
        (0, "1.2.3.4", "203.0.113.9"),  # no trusted proxy: the header is the client's word
        (1, None, "203.0.113.9"),
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # what the client wrote is left of the proxy's
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (2, "1.2.3.4", "1.2.3.4"),  # fewer hops than proxies: the leftmost, like DRF
        (1, "not-an-address", "203.0.113.9"),
        (1, "6.6.6.6, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", headers=headers)
    assert limits.client_address(request) == expected


def test_drf_trusts_the_same_number_of_proxies():
    from django.conf import settings

    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT == 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert BaseThrottle().get_ident(request) == limits.client_address(request)


def test_the_proxy_count_and_the_rates_are_read_strictly():
    assert env.env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, environ={}) == 0
    for bad in ("-1", "one", "1.5"):
        with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
            env.env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, environ={"TRUSTED_PROXY_COUNT": bad})
    assert env.env_rate("LIMIT_X", "30/hour", environ={"LIMIT_X": "5/minute"}) == "5/minute"
    for bad in ("5", "five/hour", "5/fortnight", "-5/hour", "5/h", "٥/hour"):
        with pytest.raises(ImproperlyConfigured, match="LIMIT_X"):
            env.env_rate("LIMIT_X", "30/hour", environ={"LIMIT_X": bad})


def test_a_malformed_proxy_count_or_rate_stops_start_up_naming_it():
    from tests.test_settings import _manage

    for name, value in (("TRUSTED_PROXY_COUNT", "-1"), ("LIMIT_FILING_PER_ADDRESS", "lots")):
        result = _manage("check", **{name: value})
        assert result.returncode != 0 and name in result.stderr and value in result.stderr


def test_one_ipv6_network_is_one_client(settings):
    """A host is given a /64: rotating the low bits of its address is no new client."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": {"address": "2/hour"}}
    factory = RequestFactory()
    refused = [
        limits.hit_request(factory.post("/", REMOTE_ADDR=f"2001:db8:1:2::{i:x}"), "signup")
        for i in range(1, 4)
    ]
    assert refused[:2] == [None, None] and refused[2] is not None
    elsewhere = factory.post("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert limits.hit_request(elsewhere, "signup") is None


# --- filing --------------------------------------------------------------------------------


def _anonymous_submissions(city, count: int, forwarded=lambda i: SPOOFED[i]) -> list[int]:
    client = Client(REMOTE_ADDR="203.0.113.9")
    data = submission(city, phone="13900000009")
    return [
        client.post("/submit/", data, headers={"X-Forwarded-For": forwarded(i)}).status_code
        for i in range(count)
    ]


def test_a_hundred_anonymous_submissions_stop_at_the_address_limit(city, settings):
    limit = _rate(settings, "filing", "address")
    codes = _anonymous_submissions(city, 100)
    assert codes == [302] * limit + [429] * (100 - limit)
    assert Case.objects.count() == limit


def test_behind_a_trusted_proxy_the_spoofed_part_is_ignored_too(city, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "filing": {"address": "5/hour"}}
    codes = _anonymous_submissions(city, 8, forwarded=lambda i: f"{SPOOFED[i]}, 198.51.100.4")
    assert codes == [302] * 5 + [429] * 3
    # Someone else behind the same proxy files as usual.
    other = Client(REMOTE_ADDR="203.0.113.9", headers={"X-Forwarded-For": "198.51.100.5"})
    assert other.post("/submit/", submission(city, phone="13900000008")).status_code == 302


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Too many requests"), ("zh-hans", "请求过于频繁")]
)
def test_the_refusal_says_when_to_retry(city, settings, catalogs, language, words):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "filing": {"address": "1/hour"}}
    client = Client()
    client.cookies["django_language"] = language
    data = submission(city, phone="13900000009")
    assert client.post("/submit/", data).status_code == 302
    refused = client.post("/submit/", data)
    retry = int(refused["Retry-After"])
    assert refused.status_code == 429 and 0 < retry <= 3600
    assert words in refused.content.decode()


def test_a_signed_in_citizen_is_limited_per_account_from_any_address(city, people, settings):
    limit = _rate(settings, "filing", "account")
    codes = []
    for i in range(limit + 3):
        client = Client(REMOTE_ADDR=SPOOFED[i])  # a new address every time
        client.force_login(people.citizen)
        codes.append(client.post("/submit/", submission(city)).status_code)
    assert codes == [302] * limit + [429] * 3


def test_the_api_limits_anonymous_filing_per_address(api, city, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "filing": {"address": "3/hour"}}
    data = {
        "category": city.category.code,
        "description": "x",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "contact": {"phone": "13900000009"},
        "answers": {"amount": "large"},
    }
    answers = [
        api.post("/api/v1/cases/", data, format="json", headers={"X-Forwarded-For": SPOOFED[i]})
        for i in range(5)
    ]
    assert [a.status_code for a in answers] == [201] * 3 + [429] * 2
    assert answers[-1].json()["code"] == "throttled" and int(answers[-1]["Retry-After"]) > 0


def test_officers_filing_for_callers_are_limited_per_account(client, city, people, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staff_filing": {"account": "2/hour"}}
    client.force_login(people.officer_a)
    data = {**submission(city), "channel": "hotline", "phone": "13900000009"}
    codes = [client.post("/work/file/", data).status_code for _ in range(4)]
    assert codes == [302, 302, 429, 429]


def test_open311_is_limited_per_address_across_keys(client, scenario, settings):
    from governance.models import ApiKey

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "open311_post": {"address": "2/hour"}}
    keys = [scenario.api_key] + [ApiKey.objects.issue(f"system {i}")[1] for i in range(3)]
    codes = []
    for i, key in enumerate(keys):
        data = {"api_key": key, "service_code": "component-0102", "lat": 30.01, "long": 120.11}
        answer = client.post(
            "/open311/v2/requests.json",
            {**data, "phone": "13900000002"},
            headers={"X-Forwarded-For": SPOOFED[i]},
        )
        codes.append(answer.status_code)
    assert codes == [200, 200, 429, 429]
    assert int(answer["Retry-After"]) > 0


def test_a_cache_failure_lets_the_filing_through_rather_than_fail(city, monkeypatch):
    """The counters' own cache calls failing (the rest of the site's cache is the redis
    fallback's business) lets the request through: never a server error."""

    class Broken:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

        incr = set = add

    monkeypatch.setattr(limits, "cache", Broken())
    assert Client().post("/submit/", submission(city, phone="13900000009")).status_code == 302


# --- accounts ------------------------------------------------------------------------------


def _reset(client: Client, email: str, **headers):
    return client.post("/accounts/password-reset/", {"email": email}, headers=headers)


def test_seven_reset_mails_to_one_address_stop_at_the_limit(people, settings):
    limit = _rate(settings, "password_reset", "target")
    codes = [
        _reset(Client(REMOTE_ADDR=SPOOFED[i]), "citizen@example.com").status_code for i in range(7)
    ]
    assert codes == [302] * limit + [429] * (7 - limit)
    assert len(mail.outbox) == limit


def test_the_reset_limit_reveals_no_account(people, settings):
    """An address with an account and one without get the same answers, in the same order."""
    known = [_reset(Client(), "citizen@example.com").status_code for _ in range(5)]
    unknown = [_reset(Client(), "nobody@example.com").status_code for _ in range(5)]
    limit = _rate(settings, "password_reset", "target")
    assert known == unknown == [302] * limit + [429] * (5 - limit)


def test_reset_mails_are_limited_per_address_too(people, settings):
    limit = _rate(settings, "password_reset", "address")
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        _reset(client, f"someone{i}@example.com", **{"X-Forwarded-For": SPOOFED[i]}).status_code
        for i in range(limit + 2)
    ]
    assert codes == [302] * limit + [429] * 2


def test_sign_ups_are_limited_per_address(db, settings):
    limit = _rate(settings, "signup", "address")
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = []
    for i in range(limit + 2):
        client.logout()
        data = {
            "login": f"1390000{i:04d}",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        }
        codes.append(
            client.post("/accounts/signup/", data, headers={"X-Forwarded-For": SPOOFED[i]})
        )
    assert [c.status_code for c in codes] == [302] * limit + [429] * 2
    assert int(codes[-1]["Retry-After"]) > 0


def test_sign_up_codes_are_limited_per_address(db, settings):
    """Guessing codes from one address across many pending sign-ups stops at the limit."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup_code": {"address": "3/hour"}}
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = []
    for i in range(5):
        data = {"login": f"1391111{i:04d}", "password1": "a-long-pass-phrase"}
        client.post("/accounts/signup/", {**data, "password2": data["password1"]})
        answers.append(client.post("/accounts/signup/code/", {"code": "000000"}))
    assert [a.status_code for a in answers] == [400, 400, 400, 429, 429]
    assert int(answers[-1]["Retry-After"]) > 0
