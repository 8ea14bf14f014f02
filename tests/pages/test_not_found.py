"""With the embedded default (DEBUG on) an unknown address still gets the site's own 404 page.

Django's technical 404 page lists every URL pattern of the site; a person trying the demo must
see the friendly page with a way home instead. A 500 keeps its DEBUG traceback.
"""

import pytest
from django.test import Client, override_settings
from django.urls import reverse


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    "path", ["/no-such-page/", "/submitted/000000-NOPE/", "/public/000000-NOPE/"]
)
def test_unknown_addresses_get_the_friendly_page(db, city, path, debug):
    with override_settings(DEBUG=debug):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not found" in body
    assert "There is nothing here" in body
    assert 'href="/"' in body or f'href="{reverse("citizens:home")}"' in body
    # Not Django's technical page: no list of the site's URL patterns.
    assert "URLconf" not in body
    assert "api/v1/" not in body


@override_settings(DEBUG=True)
def test_the_friendly_page_speaks_chinese(db, city):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" not in response.content.decode()
    assert 'lang="zh-Hans"' in response.content.decode()


@override_settings(DEBUG=True)
def test_a_missing_slash_is_still_added(db, city):
    response = Client().get("/submit")
    assert response.status_code == 301
    assert response["Location"] == "/submit/"


@override_settings(DEBUG=True)
def test_the_api_keeps_its_json_not_found(db, city):
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
