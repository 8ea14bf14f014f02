"""An API token is read from the shared cache after its first use; deleting it (signing out, a
revocation) or deactivating its account takes effect on the next call."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from governance.api_tokens import user_of_token

pytestmark = pytest.mark.django_db


def _me(token: str):
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")


def test_a_known_token_costs_no_query_after_its_first_use(
    people, django_capture_on_commit_callbacks
):
    token = Token.objects.create(user=people.officer_a).key
    assert _me(token).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert user_of_token(token) == people.officer_a
    assert not [q for q in queries if "authtoken_token" in q["sql"] or "citizens_user" in q["sql"]]


def test_a_deleted_token_is_refused_at_once(people, django_capture_on_commit_callbacks):
    token = Token.objects.create(user=people.citizen)
    assert _me(token.key).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        token.delete()
    assert _me(token.key).status_code == 401
    assert user_of_token(token.key) is None


def test_a_deactivated_account_is_refused_at_once(people, django_capture_on_commit_callbacks):
    token = Token.objects.create(user=people.citizen).key
    assert _me(token).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        people.citizen.is_active = False
        people.citizen.save()
    assert _me(token).status_code == 401


def test_a_wrong_token_is_refused(people):
    assert _me("not-a-token").status_code == 401
    assert _me("x" * 500).status_code == 401
