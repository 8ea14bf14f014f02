"""Every name and message in the reader's language, at the time of reading (issue 10, item 7).

English readers see no Chinese data (area, category, department names, list answers, help
texts, notifications written while they read Chinese); Chinese readers see none of the English
names; the map's outlines are named per request language and say so to caches.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import translation

from governance import workflow
from governance.models import Area, Question
from governance.web.cases import answers_for_display
from notifications import centre as notifications
from notifications.models import Notification

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Chrome, not data: the language switcher names Chinese in Chinese.
ALLOWED_CJK = ("简体中文", "中文")
# What people read besides text nodes.
READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value or "" for name, value in attrs if name in READ_ATTRIBUTES]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def chinese_in(html: str) -> list[str]:
    text = readable_text(html)
    for allowed in ALLOWED_CJK:
        text = text.replace(allowed, "")
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


@pytest.fixture(autouse=True)
def catalogs():
    call_command("compile_catalogs", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


@pytest.fixture
def named(city):
    """Every area has an English name, every list value too (the demo's data has them)."""
    Area.objects.filter(name_en="").update(name_en=Concat(Value("Area "), "code"))
    for area in vars(city).values():
        if isinstance(area, Area):
            area.refresh_from_db()
    Question.objects.filter(code="amount").update(
        values=[
            {"key": "small", "name": "少量", "name_en": "A little"},
            {"key": "large", "name": "大量", "name_en": "A lot"},
        ],
        description="估计的数量",
        description_en="Your estimate",
    )
    Question.objects.create(
        category=city.category,
        code="kinds",
        label="种类",
        label_en="Kinds",
        datatype="multivaluelist",
        order=2,
        values=[
            {"key": "paper", "name": "纸", "name_en": "Paper"},
            {"key": "glass", "name": "玻璃", "name_en": "Glass"},
        ],
    )
    Question.objects.create(
        category=city.category,
        code="seen",
        label="发现时间",
        label_en="Seen at",
        datatype="datetime",
        order=3,
    )
    return city


@pytest.fixture
def case(named, people):
    """A request in English words (what the citizen typed is theirs, not ours to translate),
    dispatched so that it reaches every page."""
    lon, lat = named.point_a
    case = workflow.submit_case(
        actor=people.citizen,
        category=named.category,
        description="Rubbish by the road",
        address="1 Lake Road",
        lon=lon,
        lat=lat,
        answers={"amount": "small", "kinds": ["paper", "glass"], "seen": "2026-05-01T09:30"},
    )
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    workflow.dispatch_case(
        case_id=case.pk, actor=people.dispatcher, department=named.department, note="Please go"
    )
    case.refresh_from_db()
    return case


def reader(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def pages(case, people) -> list[tuple[object, str]]:
    tid = case.tracking_id
    return [
        (people.citizen, reverse("citizens:home")),
        (people.citizen, reverse("citizens:submit")),
        (people.citizen, reverse("citizens:public")),
        (people.citizen, reverse("citizens:public_request", args=[tid])),
        (people.citizen, reverse("citizens:my_requests")),
        (people.citizen, reverse("citizens:request", args=[tid])),
        (people.citizen, reverse("citizens:notifications")),
        (people.dispatcher, reverse("governance:queue")),
        (people.dispatcher, reverse("governance:case", args=[tid])),
        (people.dispatcher, reverse("governance:areas")),
        (people.clerk, reverse("citizens:notifications")),
    ]


def test_english_pages_show_no_chinese_data(case, people):
    for user, url in pages(case, people):
        response = reader(user, "en").get(url)
        assert response.status_code == 200, url
        assert chinese_in(response.content.decode()) == [], url


def test_english_pages_name_areas_categories_and_answers_in_english(case, people, named):
    grid = named.grid_a.name_en
    staff_page = reader(people.dispatcher, "en").get(
        reverse("governance:case", args=[case.tracking_id])
    )
    text = readable_text(staff_page.content.decode())
    assert grid in text and "Exposed garbage" in text
    assert "Glass, Paper" in text and "、" not in text  # the list, joined the English way
    assert "2026-05-01T09:30" not in text and "2026" in text  # the moment, as English writes it
    queue = readable_text(
        reader(people.dispatcher, "en").get(reverse("governance:queue")).content.decode()
    )
    assert grid in queue
    tree = readable_text(
        reader(people.dispatcher, "en").get(reverse("governance:areas")).content.decode()
    )
    assert named.street_a.name_en in tree and named.street_a.name not in tree
    submit = readable_text(
        reader(people.citizen, "en")
        .get(reverse("citizens:submit"), {"category": named.category.pk})
        .content.decode()
    )
    assert grid in submit  # the "near" picker names the grids in English


def test_chinese_pages_show_none_of_the_english_names(case, people, named):
    english = {
        named.category.name_en,
        named.department.name_en,
        named.grid_a.name_en,
        named.street_a.name_en,
        "A little",
        "Paper",
    }
    for user, url in pages(case, people):
        text = readable_text(reader(user, "zh-hans").get(url).content.decode())
        assert [name for name in english if name in text] == [], url
    staff_page = reader(people.dispatcher, "zh-hans").get(
        reverse("governance:case", args=[case.tracking_id])
    )
    text = readable_text(staff_page.content.decode())
    assert "玻璃、纸" in text and named.grid_a.name in text


def test_question_help_texts_follow_the_reader(named, people):
    url = reverse("citizens:submit_questions")
    english = reader(people.citizen, "en").get(url, {"category": named.category.pk})
    chinese = reader(people.citizen, "zh-hans").get(url, {"category": named.category.pk})
    assert "Your estimate" in english.content.decode()
    assert "估计的数量" not in english.content.decode()
    assert "估计的数量" in chinese.content.decode()


def test_list_answers_are_joined_in_the_active_language(case):
    with translation.override("en"):
        assert ("Kinds", "Glass, Paper") in answers_for_display(case)
    with translation.override("zh-hans"):
        assert ("种类", "玻璃、纸") in answers_for_display(case)


def test_map_outlines_are_named_in_the_request_language_and_vary_for_caches(named):
    url = reverse("governance:grids_geojson")
    client = Client()
    english = client.get(url, {"lang": "en"})
    names = {f["properties"]["name"] for f in english.json()["features"]}
    assert named.grid_a.name_en in names and not any(CJK.search(n) for n in names)
    chinese = client.get(url, {"lang": "zh-hans"})
    assert named.grid_a.name in {f["properties"]["name"] for f in chinese.json()["features"]}
    client.cookies["django_language"] = "en"
    by_cookie = client.get(url)
    assert named.grid_a.name_en in {f["properties"]["name"] for f in by_cookie.json()["features"]}
    vary = {v.strip().lower() for v in by_cookie["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


def test_pages_ask_for_the_outlines_in_their_own_language(named, people):
    page = reader(people.citizen, "en").get(reverse("citizens:submit")).content.decode()
    assert "grids.geojson?lang=en" in page


@pytest.mark.parametrize(("written_in", "read_in"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_a_notification_reads_in_the_language_of_the_reader(
    case, people, named, written_in, read_in
):
    people.clerk.preferred_language = written_in
    people.clerk.save()
    Notification.objects.filter(user=people.clerk).delete()
    note = notifications.notify(user=people.clerk, kind="dispatched", case=case)
    tid = case.tracking_id
    english, chinese = f"Case {tid} was dispatched to your department", f"案件 {tid}"
    assert note.title.startswith(english if written_in == "en" else chinese)  # as written
    page = reader(people.clerk, read_in).get(reverse("citizens:notifications")).content.decode()
    text = readable_text(page)
    if read_in == "en":
        assert english in text
    else:
        assert chinese in text and english not in text
    api = reader(people.clerk, read_in).get(reverse("api:notification-list"))
    assert api.status_code == 200
    body = api.json()
    titles = [row["title"] for row in (body["results"] if isinstance(body, dict) else body)]
    assert titles and all((english if read_in == "en" else chinese) in t for t in titles)


def test_a_status_notification_names_the_status_in_the_readers_language(case, people):
    note = Notification.objects.filter(user=people.citizen, kind="status_changed").first()
    assert note is not None
    with translation.override("en"):
        assert note.display_title == f"Case {case.tracking_id} is now dispatched"
    with translation.override("zh-hans"):
        assert note.display_title == f"案件 {case.tracking_id} 状态：已派遣"


def test_notifications_written_before_parameters_keep_their_title(case, people):
    old = Notification.objects.create(
        user=people.citizen,
        kind="status_changed",
        case=case,
        title="旧的标题",
        created_at=case.created_at,
    )
    with translation.override("en"):
        assert old.display_title == "旧的标题"


def test_citizens_choose_only_the_kinds_they_can_receive(people):
    citizen = readable_text(
        reader(people.citizen, "en").get(reverse("citizens:notifications")).content.decode()
    )
    assert "my request changed" in citizen
    for staff_only in (
        "a new case in my area",
        "a case dispatched to my department",
        "a case escalated to me",
    ):
        assert staff_only not in citizen
    officer = readable_text(
        reader(people.officer_a, "en").get(reverse("citizens:notifications")).content.decode()
    )
    assert "a new case in my area" in officer and "my request changed" in officer


def test_page_texts_give_the_scripts_translated_statuses_and_zoom_titles(people):
    import json

    page = reader(people.citizen, "zh-hans").get(reverse("citizens:public")).content.decode()
    found = re.search(r'<script id="page-texts" type="application/json">(.*?)</script>', page)
    data = json.loads(found.group(1))
    assert data["statuses"]["in_progress"] == "处置中"
    assert data["zoom_in"] == "放大" and data["zoom_out"] == "缩小"
    assert "%(id)s" in data["live"]["case.transitioned"]
    found = re.search(
        r'<script id="notification-texts" type="application/json">(.*?)</script>', page
    )
    words = json.loads(found.group(1))
    assert words["status_changed"] == "案件 %(id)s 状态：%(status)s"
    assert words["case_created"] == "新案件 %(id)s"


def test_a_pushed_notification_names_its_status_for_the_page_to_word(case, people):
    note = Notification.objects.filter(user=people.citizen, kind="status_changed").first()
    message = notifications.push_message(note)
    assert message["status"] == "dispatched" and message["tracking_id"] == case.tracking_id


def test_djangos_short_password_message_is_in_chinese():
    from django.contrib.auth.password_validation import MinimumLengthValidator
    from django.core.exceptions import ValidationError

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        MinimumLengthValidator(8).validate("short")
    assert caught.value.messages == ["密码太短。密码必须包含至少 8 个字符。"]


def test_the_systems_duplicate_note_reads_in_the_readers_language(
    case, named, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # its check: by hand, below
        other = workflow.submit_case(
            actor=people.other_citizen,
            category=named.category,
            description="Same rubbish",
            lon=named.point_a[0],
            lat=named.point_a[1],
            answers={"amount": "large"},
        )
    with translation.override("zh-hans"):  # the duplicate check runs in a worker, in Chinese
        event = workflow.record_possible_duplicates(case_id=other.pk, duplicates=[case])
    with translation.override("en"):
        assert event.display_note == f"Possible duplicate of {case.tracking_id}."
    page = reader(people.dispatcher, "en").get(reverse("governance:case", args=[other.tracking_id]))
    # The page names the duplicates as links to them (in the reader's language too).
    link = f'<a href="{reverse("governance:case", args=[case.tracking_id])}">{case.tracking_id}</a>'
    assert f"Possible duplicate of: {link}" in page.content.decode()


def test_seeded_texts_come_one_language_per_field():
    """Every seeded Chinese text is Chinese and every English one English; help texts have both."""
    import json
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    latin_word = re.compile(r"[A-Za-z]{2,}")
    helped = 0
    for category in json.loads((seeds / "categories.json").read_text(encoding="utf-8")):
        assert not CJK.search(category["name_en"]) and not latin_word.search(category["name"])
        for question in category.get("questions", []):
            assert not CJK.search(question["label_en"]), question["code"]
            if question.get("description"):
                helped += 1
                assert not latin_word.search(question["description"]), question["code"]
                assert question.get("description_en"), question["code"]
                assert not CJK.search(question["description_en"]), question["code"]
            for value in question.get("values", []):
                assert value.get("name_en") and not CJK.search(value["name_en"]), value
    assert helped


def test_seeding_stores_both_help_texts(db):
    from pathlib import Path

    from governance.seeding import load_categories, load_departments

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    load_departments(seeds)
    load_categories(seeds)
    question = Question.objects.get(code="lamp_id")
    assert (question.description, question.description_en) == (
        "灯杆上的编号",
        "The number on the pole",
    )
    with translation.override("en"):
        assert question.display_description == "The number on the pole"


def test_list_values_are_named_in_the_readers_language_in_every_representation(named):
    from governance.open311.documents import service_definition
    from governance.web.submission import question_field

    question = Question.objects.get(code="amount")
    with translation.override("en"):
        assert dict(question_field(question).choices)["small"] == "A little"
        [attribute] = [
            a for a in service_definition(named.category)["attributes"] if a["code"] == "amount"
        ]
        assert {"key": "small", "name": "A little"} in attribute["values"]
    with translation.override("zh-hans"):
        assert question.value_names == {"small": "少量", "large": "大量"}


def test_the_language_a_person_switches_to_is_the_one_their_mail_comes_in(people, case):
    client = reader(people.clerk, "zh-hans")
    response = client.post(reverse("citizens:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    people.clerk.refresh_from_db()
    assert people.clerk.preferred_language == "en"
    Notification.objects.filter(user=people.clerk).delete()
    with translation.override("zh-hans"):  # whatever the language of the moment of the change
        note = notifications.notify(user=people.clerk, kind="dispatched", case=case)
    assert note.title == f"Case {case.tracking_id} was dispatched to your department"
    anonymous = Client().post(reverse("citizens:language"), {"language": "en", "next": "/"})
    assert anonymous.status_code == 302


def test_a_person_who_signs_up_in_english_prefers_english(client, city, settings):
    from citizens.models import User
    from tests.citizens.test_signup import SENT, code_in

    settings.SMS_GATEWAY = "tests.citizens.test_signup.RecordingSmsGateway"
    SENT.clear()
    client.cookies["django_language"] = "en"
    client.post(
        reverse("citizens:signup"),
        {"login": "13900001112", "password1": "Quiet-harbour-71", "password2": "Quiet-harbour-71"},
    )
    client.post(reverse("citizens:signup_confirm"), {"code": code_in(SENT[0][1])})
    assert User.objects.get(phone="13900001112").preferred_language == "en"
