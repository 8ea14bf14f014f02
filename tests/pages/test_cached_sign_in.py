"""The session and the signed-in account come from the shared cache, and never outlive a change.

`governance.sessions` (the session) and `governance.cached_users` (the account, without its
password) save two queries on every page of a signed-in person. What a person notices must not
change: signing out elsewhere, a new password, a deactivated account and a new language take
effect on the very next request, served from the cache or not.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import caching
from governance.cached_users import cached_user
from governance.models import SavedFilter
from governance.sessions import SessionStore

QUEUE = "governance:queue"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(reverse(QUEUE)).status_code == 200  # fills the cached copies
    return client


def _tables(queries) -> list[str]:
    """The table each query reads first (FROM …)."""
    found = []
    for query in queries.captured_queries:
        words = query["sql"].replace('"', "").split()
        found.append(words[words.index("FROM") + 1] if "FROM" in words else query["sql"][:20])
    return found


def test_a_signed_in_page_reads_neither_session_nor_account_from_the_database(people):
    client = signed_in(people.officer_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(QUEUE)).status_code == 200
    assert "django_session" not in _tables(queries)
    assert "citizens_user" not in _tables(queries)
    assert "governance_savedfilter" not in _tables(queries)


def test_signing_out_in_another_browser_tab_ends_the_session_at_once(people):
    client = signed_in(people.officer_a)
    key = client.cookies["sessionid"].value
    SessionStore(key).delete()  # what signing out does, in another process
    response = client.get(reverse(QUEUE))
    assert response.status_code == 302 and reverse("citizens:login") in response["Location"]


def test_a_session_deleted_from_the_database_alone_is_gone_once_its_copy_is(people):
    """The copy in the cache is the session until it expires or is deleted through the engine;
    clearing expired sessions (`clearsessions`) also goes through it."""
    client = signed_in(people.officer_a)
    key = client.cookies["sessionid"].value
    DatabaseStore(key).delete()
    caching.shared.delete(SessionStore.cache_key_prefix + key)
    assert client.get(reverse(QUEUE)).status_code == 302


def test_a_new_password_signs_out_the_other_sessions(people):
    other = signed_in(people.officer_a)
    people.officer_a.set_password("a new and long password 42")
    people.officer_a.save()
    response = other.get(reverse(QUEUE))
    assert response.status_code == 302


def test_a_deactivated_account_is_refused_on_its_next_request(people):
    client = signed_in(people.officer_a)
    people.officer_a.is_active = False
    people.officer_a.save()
    assert client.get(reverse(QUEUE)).status_code == 302


def test_the_cached_account_has_no_password_and_reads_it_when_asked(people):
    officer = people.officer_a
    cached_user(officer.pk)  # fills the cache
    copy = cached_user(officer.pk)
    assert "password" not in copy.__dict__
    assert copy.get_session_auth_hash() == officer.get_session_auth_hash()
    assert copy.check_password("pw-" + officer.username)  # the password is read when asked
    assert cached_user("not a number") is None
    assert cached_user(10**9) is None


def test_the_language_switch_is_the_accounts_language_at_once(people):
    client = signed_in(people.officer_a)
    client.post(reverse("citizens:language"), {"language": "en", "next": "/"})
    assert cached_user(people.officer_a.pk).preferred_language == "en"


def test_saved_filters_appear_and_go_at_once(people):
    client = signed_in(people.officer_a)
    assert "Near the school" not in client.get(reverse(QUEUE)).content.decode()
    saved = SavedFilter.objects.create(owner=people.officer_a, name="Near the school", query="")
    assert "Near the school" in client.get(reverse(QUEUE)).content.decode()
    saved.delete()
    assert "Near the school" not in client.get(reverse(QUEUE)).content.decode()
