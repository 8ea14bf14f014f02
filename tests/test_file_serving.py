"""Every file through one view, to exactly its audience (issue 9, items 7 and 12b).

Persona × file: for an ordinary and a private-location case, files filed with the case, on
an internal note, on a note for the reporter, on the reporter's own information and on a note
written for everyone — anonymous, the reporter, another citizen, the officer of the grid, an
officer of another grid and the administrator each get 200 or 404 as the audience says, at
the addresses the pages, the API and Open311 hand out, with DEBUG on and off. Stored names
under /media/ are never served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from governance import workflow
from governance.access import Action, may
from governance.audience import Audience, attachment_audience
from governance.models import Attachment, Case
from tests.scenario import token_for
from tests.uploads import PDF, make_public, photo, upload

PERSONAS = ["anonymous", "citizen", "other_citizen", "officer_a", "officer_b", "admin"]
STAFF = {"officer_a", "admin"}  # permitted to view both cases (grid A)
FILE_URL = re.compile(r"http://testserver/files/(\d+)/")
PAGE_LINK = re.compile(r'href="(?:http://testserver)?/files/(\d+)/"')


@dataclass
class Files:
    cases: dict[str, Case]
    files: dict[tuple[str, str], Attachment]  # (case kind, where) → the file


def _user(people, persona):
    return AnonymousUser() if persona == "anonymous" else getattr(people, persona)


def expected(persona: str, audience: Audience) -> bool:
    """The rule, written out: staff any file; the reporter reporter or public ones; anyone
    the public ones (of cases the public may see: all of them, in the public form)."""
    if persona in STAFF:
        return True
    if persona == "citizen":
        return audience in (Audience.REPORTER, Audience.PUBLIC)
    return audience == Audience.PUBLIC


@pytest.fixture
def files(city, people, scenario, monkeypatch) -> Files:
    cases = {}
    found = {}
    for kind, category in (("ordinary", city.category), ("private", scenario.private_category)):
        case = workflow.submit_case(
            actor=people.citizen,
            category=category,
            description="门口",
            lon=city.point_a[0],
            lat=city.point_a[1],
            answers={"amount": "large"} if kind == "ordinary" else {},
            files=[photo("filed.jpg")],
        )
        cases[kind] = case
        found[(kind, "filed")] = case.attachments.get()

        def note(where, actor, *, public, document=False):
            workflow.add_note(
                case_id=case.pk,  # noqa: B023 - called at once, in this loop turn
                actor=actor,
                text=where,
                audience="reporter" if public else "internal",
                files=[upload("d.pdf", PDF) if document else photo(f"{where}.jpg")],
            )
            found[(kind, where)] = case.attachments.order_by("pk").last()  # noqa: B023

        note("internal", people.admin, public=False)
        note("internal-pdf", people.admin, public=False, document=True)
        note("for-reporter", people.admin, public=True)
        note("reporters-own", people.citizen, public=True)
        note("for-everyone", people.admin, public=True)
    make_public(
        monkeypatch,
        *(found[(k, w)].event for k in cases for w in ("for-everyone",)),
    )
    return Files(cases, found)


def _audiences(files: Files) -> dict[tuple[str, str], Audience]:
    return {key: attachment_audience(a) for key, a in files.files.items()}


def test_the_files_have_the_audiences_of_their_notes_and_cases(files, people):
    heard = _audiences(files)
    for kind in ("ordinary", "private"):
        assert heard[(kind, "internal")] == heard[(kind, "internal-pdf")] == Audience.INTERNAL
        assert heard[(kind, "for-reporter")] == Audience.REPORTER
        assert heard[(kind, "reporters-own")] in (Audience.REPORTER, Audience.PUBLIC)
    assert heard[("ordinary", "for-everyone")] == Audience.PUBLIC
    # A private-location case is never public, whatever its notes say.
    assert Audience.PUBLIC not in {a for (k, _w), a in heard.items() if k == "private"}
    for case in files.cases.values():
        assert may(people.officer_a, Action.VIEW, case)
        assert not may(people.officer_b, Action.VIEW, case)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_exactly_what_the_audience_allows(
    files, people, settings, persona, debug
):
    settings.DEBUG = debug
    client = Client()
    if persona != "anonymous":
        client.force_login(_user(people, persona))
    heard = _audiences(files)
    for key, attachment in files.files.items():
        allowed = expected(persona, heard[key])
        response = client.get(reverse("governance:attachment", args=[attachment.pk]))
        assert response.status_code == (200 if allowed else 404), (persona, key)
        if allowed:
            assert b"".join(response.streaming_content) == attachment.file.open("rb").read()
        if attachment.thumbnail:
            thumb = client.get(reverse("governance:attachment_size", args=[attachment.pk, "thumb"]))
            assert thumb.status_code == (200 if allowed else 404), (persona, key)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_guessed_media_paths_are_never_served(files, people, settings, persona, debug):
    settings.DEBUG = debug
    client = Client()
    if persona != "anonymous":
        client.force_login(_user(people, persona))
    for attachment in files.files.values():
        assert attachment.file.name.startswith("cases/")
        assert re.search(r"/[0-9a-f]{16}\.(jpg|pdf)$", attachment.file.name)  # random names
        assert client.get(f"/media/{attachment.file.name}").status_code == 404
        assert client.get(attachment.file.url).status_code == 404
    assert client.get("/media/").status_code == 404


def _opened_by(people, persona: str, urls: list[str]) -> list[int]:
    client = Client()
    if persona != "anonymous":
        client.force_login(_user(people, persona))
    codes = []
    for url in urls:
        codes.append(client.get(url).status_code)
    return codes


@pytest.mark.parametrize("persona", ["citizen", "officer_a", "admin"])
def test_the_pages_link_only_what_the_viewer_may_open(files, people, settings, persona):
    settings.DEBUG = False
    client = Client()
    client.force_login(_user(people, persona))
    heard = _audiences(files)
    for kind, case in files.cases.items():
        if persona == "citizen":
            page = client.get(reverse("citizens:request", args=[case.tracking_id]))
        else:
            page = client.get(reverse("governance:case", args=[case.tracking_id]))
        assert page.status_code == 200
        html = page.content.decode()
        linked = {int(pk) for pk in PAGE_LINK.findall(html)}
        openable = {
            a.pk
            for (k, _w), a in files.files.items()
            if k == kind and expected(persona, heard[(k, _w)])
        }
        assert linked == openable, (persona, kind)
        absolute = sorted(set(FILE_URL.findall(html)))
        assert absolute  # the photo lists use the one absolute address
        urls = [f"http://testserver/files/{pk}/" for pk in absolute]
        assert set(_opened_by(people, persona, urls)) == {200}


@pytest.mark.parametrize("persona", ["citizen", "other_citizen", "officer_a", "officer_b", "admin"])
def test_the_api_lists_absolute_urls_that_open(files, people, persona):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(_user(people, persona))}")
    heard = _audiences(files)
    for kind, case in files.cases.items():
        response = api.get(f"/api/v1/cases/{case.tracking_id}/attachments/")
        if persona in ("other_citizen", "officer_b"):
            assert response.status_code == 404  # the case itself is out of their reach
            continue
        assert response.status_code == 200
        listed = {item["id"]: item for item in response.json()}
        openable = {
            a.pk
            for (k, w), a in files.files.items()
            if k == kind and expected(persona, heard[(k, w)])
        }
        assert set(listed) == openable, (persona, kind)
        urls = []
        for pk, item in listed.items():
            assert item["url"] == f"http://testserver/files/{pk}/"
            if item["content_type"] == "application/pdf":
                assert item["thumbnail_url"] is None
            else:
                assert item["thumbnail_url"] == f"http://testserver/files/{pk}/thumb/"
                urls.append(item["thumbnail_url"])
            urls.append(item["url"])
        api_client = Client()
        api_client.force_login(_user(people, persona))
        assert {api_client.get(url).status_code for url in urls} == {200}


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_open311_lists_only_public_files_and_they_open_for_anyone(files, people, settings, debug):
    settings.DEBUG = debug
    heard = _audiences(files)
    anonymous = Client()
    for kind, case in files.cases.items():
        path = f"/open311/v2/requests/{case.tracking_id}.json?extensions=true"
        (body,) = anonymous.get(path).json()
        listed = body["extended_attributes"]["media_urls"]
        public = [a for (k, w), a in files.files.items() if k == kind and heard[(k, w)] == "public"]
        assert listed == [f"http://testserver/files/{a.pk}/" for a in public]
        assert body["media_url"] == (listed[0] if listed else None)
        for persona in PERSONAS:
            assert set(_opened_by(people, persona, listed)) <= {200}
    assert heard[("ordinary", "for-everyone")] == "public"  # so the list above is not empty


def test_served_files_carry_safe_headers(files, people):
    client = Client()
    client.force_login(people.admin)
    image = client.get(
        reverse("governance:attachment", args=[files.files[("private", "internal")].pk])
    )
    assert image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert image["Content-Disposition"].startswith("inline")
    assert image["Cache-Control"].startswith("private")
    document = client.get(
        reverse("governance:attachment", args=[files.files[("ordinary", "internal-pdf")].pk])
    )
    assert document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"].startswith("attachment")
    assert "sandbox" in document["Content-Security-Policy"]
    public = Client().get(
        reverse("governance:attachment", args=[files.files[("ordinary", "for-everyone")].pk])
    )
    assert public.status_code == 200 and public["Cache-Control"].startswith("public")
    assert Client().get("/files/999999/").status_code == 404
    assert client.get(f"/files/{files.files[('ordinary', 'filed')].pk}/large/").status_code == 404


def test_the_schema_says_the_urls_are_absolute(client):
    schema = client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["Attachment"]["properties"]
    assert fields["url"]["format"] == "uri"
    assert fields["thumbnail_url"]["format"] == "uri"


def test_the_admin_links_files_through_the_one_view(files, people):
    client = Client()
    client.force_login(people.admin)
    case = files.cases["private"]
    pages = [
        client.get(reverse("admin:governance_case_change", args=[case.pk])),
        client.get(reverse("admin:governance_attachment_changelist")),
        client.get(
            reverse(
                "admin:governance_attachment_change", args=[files.files[("private", "internal")].pk]
            )
        ),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "/media/" not in html and 'type="file"' not in html
        assert re.search(r'href="/files/\d+/"', html)
    linked = {int(pk) for pk in re.findall(r'href="/files/(\d+)/"', pages[0].content.decode())}
    assert linked == {a.pk for (k, _w), a in files.files.items() if k == "private"}
