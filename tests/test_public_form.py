"""The one public form of a case, on every path that shows a case publicly.

A private-location case and an ordinary case are each taken through the workflow with
everything that must stay inside: an address and a description (public for the ordinary case
only), the reporter's notes with a flat and a phone number, a staff note to the reporter, an
internal note, photos on each, and a public summary written when resolving. Open311 (list and
detail, JSON and XML, with and without extensions), the public pages, the public socket feed
and the CSV and GeoJSON exports show the ordinary case's public summary and never any of the
rest; nothing of the private case but its category, status, dates and rounded point.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from django.urls import reverse

from governance import events, workflow
from governance.models import Case
from tests.realtime.helpers import Listener
from tests.scenario import PRIVATE_POINT
from tests.uploads import photo

BASE = "/open311/v2"

PRIVATE_ADDRESS = "幸福小区3栋402室"
PRIVATE_SECRETS = (
    PRIVATE_ADDRESS,
    "申请上门助餐",  # its description
    "我住402室，电话13900000001",  # the reporter's note
    "已电话联系13900000001",  # a staff note to the reporter
    "内部：独居老人",  # an internal note
    "已安排助餐",  # the resolution note (the reporter's to read)
    "已安排上门服务",  # a public summary: capped at the reporter on a private-location case
    str(PRIVATE_POINT[0]),  # the exact point
)
ORDINARY_SECRETS = (
    "我的电话13900000002",  # the reporter's note
    "内部：物业推诿",  # an internal note
    "灯泡已换，费用找物业",  # the resolution note (the reporter's to read)
)
ORDINARY_SUMMARY = "路灯已修复"


@dataclass
class Published:
    private: Case
    ordinary: Case
    hidden_files: list[str]  # URLs of every file that is not public
    public_files: list[str]
    feed: list[dict]


def _resolve(case: Case, people, *, note: str, summary: str) -> None:
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.street_leader)
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note=note, public_summary=summary)


@pytest.fixture
def in_memory_layer(settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def published(scenario, city, people, in_memory_layer, django_capture_on_commit_callbacks):
    feed = Listener(events.PUBLIC_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        private = workflow.submit_case(
            actor=people.citizen,
            category=scenario.private_category,
            description="申请上门助餐",
            lon=PRIVATE_POINT[0],
            lat=PRIVATE_POINT[1],
            address=PRIVATE_ADDRESS,
            files=[photo("home.jpg")],
        )
        ordinary = workflow.submit_case(
            actor=people.citizen,
            category=city.category,
            description="路灯不亮",
            lon=120.0712,
            lat=30.0134,
            address="东街 8 号",
            answers={"amount": "small"},
            files=[photo("lamp.jpg")],
        )
        for case, secrets in ((private, PRIVATE_SECRETS), (ordinary, ORDINARY_SECRETS)):
            reporter_note = secrets[2] if case is private else secrets[0]
            workflow.add_note(
                case_id=case.pk, actor=people.citizen, text=reporter_note, files=[photo("n.jpg")]
            )
            workflow.add_note(
                case_id=case.pk,
                actor=people.admin,
                text="已电话联系13900000001" if case is private else "已电话联系居民",
                audience="reporter",
                files=[photo("r.jpg")],
            )
            workflow.add_note(
                case_id=case.pk,
                actor=people.admin,
                text="内部：独居老人" if case is private else "内部：物业推诿",
                audience="internal",
                files=[photo("i.jpg")],
            )
        _resolve(private, people, note="已安排助餐", summary="已安排上门服务")
        _resolve(ordinary, people, note="灯泡已换，费用找物业", summary=ORDINARY_SUMMARY)
    files = {a.pk: a for a in private.attachments.all()} | {
        a.pk: a for a in ordinary.attachments.all()
    }
    public_pk = ordinary.attachments.order_by("pk").first().pk  # filed with the ordinary case
    return Published(
        private=private,
        ordinary=ordinary,
        hidden_files=[f"/files/{pk}/" for pk in files if pk != public_pk],
        public_files=[f"/files/{public_pk}/"],
        feed=feed.messages(),
    )


def _assert_nothing_private(text: str, published: Published) -> None:
    for secret in (*PRIVATE_SECRETS, *ORDINARY_SECRETS, "已电话联系居民"):
        assert secret not in text, f"{secret!r} leaked"
    for url in published.hidden_files:
        assert url not in text, f"non-public file {url} leaked"


OPEN311_PATHS = [
    "requests.json",
    "requests.xml",
    "requests.json?extensions=true",
    "requests.xml?extensions=true",
    "requests/{private}.json",
    "requests/{private}.xml",
    "requests/{private}.json?extensions=true",
    "requests/{private}.xml?extensions=true",
    "requests/{ordinary}.json",
    "requests/{ordinary}.xml",
    "requests/{ordinary}.json?extensions=true",
    "requests/{ordinary}.xml?extensions=true",
]


@pytest.mark.parametrize("path", OPEN311_PATHS)
def test_open311_shows_the_public_form_only(client, published, path):
    url = f"{BASE}/" + path.format(
        private=published.private.tracking_id, ordinary=published.ordinary.tracking_id
    )
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    _assert_nothing_private(text, published)
    if "{private}" not in path:
        assert ORDINARY_SUMMARY in text  # the deliberate public text is the status note
        assert published.public_files[0] in text  # its own photo, as an absolute URL
        assert "东街 8 号" in text and "路灯不亮" in text  # an ordinary case's own fields
    if "{ordinary}" not in path:
        assert published.private.tracking_id in text
        assert "120.012" in text  # the rounded point, and only that


def test_open311_status_notes_is_the_latest_public_summary(client, published):
    body = json.loads(client.get(f"{BASE}/requests.json").content)
    by_id = {r["service_request_id"]: r for r in body}
    assert by_id[published.ordinary.tracking_id]["status_notes"] == ORDINARY_SUMMARY
    private = by_id[published.private.tracking_id]
    assert private["status_notes"] is None
    assert private["address"] is None and private["description"] is None
    assert private["media_url"] is None
    assert (private["long"], private["lat"]) == (120.012, 30.017)


@pytest.mark.parametrize("which", ["private", "ordinary"])
def test_public_pages_show_the_public_form_only(client, published, which):
    case = getattr(published, which)
    listing = client.get(reverse("citizens:public")).content.decode()
    detail = client.get(reverse("citizens:public_request", args=[case.tracking_id]))
    assert detail.status_code == 200
    for text in (listing, detail.content.decode()):
        _assert_nothing_private(text, published)
        assert case.tracking_id in text
    if which == "ordinary":
        assert ORDINARY_SUMMARY in detail.content.decode() and ORDINARY_SUMMARY in listing
        assert published.public_files[0] in detail.content.decode()


def test_public_feed_carries_no_text_and_no_internal_entry(published):
    text = json.dumps(published.feed, ensure_ascii=False)
    _assert_nothing_private(text, published)
    for message in published.feed:
        assert (message["lon"], message["lat"]) == (
            round(message["lon"], 3),
            round(message["lat"], 3),
        )
    # Internal and reporter notes are no public step: the feed never hears of them.
    notes = [m for m in published.feed if m["event"] == "note"]
    assert [m["tracking_id"] for m in notes] == [published.ordinary.tracking_id]  # the summary
    assert published.private.tracking_id in {m["tracking_id"] for m in published.feed}


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_exports_show_the_public_form_only(client, published, fmt):
    response = client.get(f"/api/v1/exports/cases.{fmt}")
    text = b"".join(response.streaming_content).decode()
    _assert_nothing_private(text, published)
    if fmt == "csv":
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    else:
        rows = {f["id"]: f["properties"] for f in json.loads(text)["features"]}
    assert rows[published.ordinary.tracking_id]["public_summary"] == ORDINARY_SUMMARY
    assert rows[published.private.tracking_id]["public_summary"] == ""


def test_the_reporter_reads_their_notes_but_not_internal_ones(client, published, people):
    client.force_login(people.citizen)
    page = client.get(reverse("citizens:request", args=[published.private.tracking_id]))
    text = page.content.decode()
    assert "已电话联系13900000001" in text and "我住402室，电话13900000001" in text
    assert "内部：独居老人" not in text


# --- staff forms say who reads what ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("Only staff see this.", "The reporter sees this", "Published: everyone sees")),
        ("zh-hans", ("仅工作人员可见。", "反映人可以看到", "公开发布：所有人都能看到")),
    ],
)
def test_staff_forms_say_who_will_see_what_they_type(client, scenario, people, language, words):
    from django.core.management import call_command

    call_command("compile_catalogs", verbosity=0)
    from django.utils import translation

    translation.trans_real._translations = {}
    translation.trans_real._default = None
    case = scenario.case_a2
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    client.cookies["django_language"] = language
    client.force_login(people.admin)
    html = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    for word in words:
        assert word in html, word


def test_a_staff_note_is_never_published(scenario, people):
    from governance.errors import InvalidInput

    with pytest.raises(InvalidInput):
        workflow.add_note(
            case_id=scenario.case_a.pk, actor=people.admin, text="x", audience="public"
        )


def test_api_resolution_carries_a_public_summary_to_open311(api, client, scenario, people):
    from tests.scenario import token_for

    case = scenario.case_a2
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.clerk)}")
    response = api.post(
        f"/api/v1/cases/{case.tracking_id}/resolve/",
        {"note": "换了井盖，居民 13900000003", "public_summary": "井盖已更换"},
        format="json",
    )
    assert response.status_code == 200, response.content
    timeline = api.get(f"/api/v1/cases/{case.tracking_id}/timeline/").json()
    assert [e["audience"] for e in timeline[-2:]] == ["reporter", "public"]
    body = json.loads(client.get(f"{BASE}/requests/{case.tracking_id}.json").content)
    assert body[0]["status_notes"] == "井盖已更换"
    assert "13900000003" not in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("persona", ["street_leader", "clerk"])
def test_a_staff_note_from_the_case_page_is_internal_unless_meant_for_the_reporter(
    client, scenario, people, persona
):
    case = scenario.case_a2  # the clerk's department has it; it is in the leader's street
    client.force_login(getattr(people, persona))
    url = reverse("governance:case_act", args=[case.tracking_id, "note"])
    assert client.post(url, {"note-text": "物业电话 13900000004"}).status_code == 302
    assert (
        client.post(url, {"note-text": "已约明天上门", "note-audience": "reporter"}).status_code
        == 302
    )
    notes = list(case.events.filter(kind="note").values_list("note", "audience"))
    assert notes == [("物业电话 13900000004", "internal"), ("已约明天上门", "reporter")]
    client.force_login(people.citizen)
    page = client.get(reverse("citizens:request", args=[case.tracking_id])).content.decode()
    assert "已约明天上门" in page and "13900000004" not in page
