"""submit_case: routing, contacts, validation, files and who may file for others."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from governance import workflow
from governance.access import cases_for
from governance.errors import InvalidInput, NotPermitted
from governance.models import (
    Attachment,
    Case,
    CaseContact,
    CaseEvent,
    Category,
    Channel,
    Question,
    Status,
)
from tests.uploads import photo, stored_files, text_file, upload

pytestmark = pytest.mark.usefixtures("english")


def submit(city, people, **overrides: Any) -> Case:
    arguments: dict[str, Any] = {
        "actor": people.citizen,
        "category": city.category,
        "description": "垃圾堆在路边",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "large"},
    }
    arguments.update(overrides)
    return workflow.submit_case(**arguments)


def assert_nothing_saved(settings) -> None:
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    assert CaseContact.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_request_is_routed_to_its_grid_with_its_first_event(city, people):
    case = submit(city, people, address="湖滨路 1 号")
    assert case.grid == city.grid_a
    assert case.area_path == city.grid_a.path
    assert (case.status, case.reporter, case.channel) == (Status.SUBMITTED, people.citizen, "web")
    assert case.due_at is not None and case.due_at > case.created_at
    (event,) = case.events.all()
    assert (event.kind, event.actor, event.to_status) == ("submitted", people.citizen, "submitted")
    assert list(cases_for(people.officer_a)) == [case]
    assert list(cases_for(people.officer_b)) == []


def test_the_answers_are_stored_typed(city, people):
    Question.objects.create(
        category=city.category,
        code="count",
        label="袋数",
        label_en="Bags",
        datatype="number",
        order=2,
    )
    case = submit(city, people, answers={"amount": ["small"], "count": "3"})
    assert Case.objects.get(pk=case.pk).answers == {"amount": "small", "count": 3}


def test_an_anonymous_request_needs_a_contact(city, people, settings):
    with pytest.raises(InvalidInput) as refused:
        submit(city, people, actor=AnonymousUser(), contact={"name": "王先生"})
    assert list(refused.value.errors) == ["contact"]
    assert_nothing_saved(settings)


@pytest.mark.parametrize(
    "contact", [{"phone": "+86 138 0000 0009"}, {"email": "wang@example.com", "name": "王先生"}]
)
def test_an_anonymous_contact_is_kept_apart_from_the_case(city, people, contact):
    case = submit(city, people, actor=AnonymousUser(), contact=contact)
    assert case.reporter is None
    stored = CaseContact.objects.get(case=case)
    for field, value in contact.items():
        assert getattr(stored, field) == value
    # No public field of the case carries the personal data.
    row = Case.objects.filter(pk=case.pk).values().get()
    for value in contact.values():
        assert not any(value in str(v) for v in row.values())
    assert not any(value in str(e.data) + e.note for e in case.events.all() for value in contact)


def test_a_signed_in_citizen_needs_no_contact(city, people):
    case = submit(city, people)
    assert not CaseContact.objects.filter(case=case).exists()


def _no_urgent_category(city) -> Category:
    return Category.objects.create(
        family="suggestion",
        code="suggestion-01",
        name="建议",
        name_en="Suggestion",
        general_limit=5,
        limit_unit="working_days",
    )


def _number_question(city) -> None:
    Question.objects.create(
        category=city.category,
        code="count",
        label="袋数",
        label_en="Bags",
        datatype="number",
        order=2,
    )


INVALID = {
    "lon missing": ({"lon": None}, "lon"),
    "lat missing": ({"lat": ""}, "lat"),
    "lon not a number": ({"lon": "東経120"}, "lon"),
    "lat NaN": ({"lat": float("nan")}, "lat"),
    "lat NaN text": ({"lat": "nan"}, "lat"),
    "lon infinite": ({"lon": float("inf")}, "lon"),
    "lon 181": ({"lon": 181}, "lon"),
    "lat -91": ({"lat": -91}, "lat"),
    "empty description": ({"description": ""}, "description"),
    "blank description": ({"description": "   \n "}, "description"),
    "too long description": ({"description": "垃" * 4001}, "description"),
    "unknown urgency": ({"urgency": "whenever"}, "urgency"),
    "urgent without urgent limit": (
        {"urgency": "urgent", "category": _no_urgent_category},
        "urgency",
    ),
    "unknown channel": ({"channel": "pigeon"}, "channel"),
    "unknown answers": ({"answers": {"amount": "large", "colour": "red"}}, "answers"),
    "unknown non-text answer key": ({"answers": {"amount": "large", 7: "x"}}, "answers"),
    "answers not a mapping": ({"answers": ["large"]}, "answers"),
    "answers as text": ({"answers": "amount=large"}, "answers"),
    "missing required answer": ({"answers": {}}, "answers.amount"),
    "value not offered": ({"answers": {"amount": "huge"}}, "answers.amount"),
    "wrong answer type": ({"answers": {"amount": "large", "count": "many"}}, "answers.count"),
    "bad e-mail": ({"contact": {"email": "not-an-address"}}, "contact.email"),
    "bad phone": ({"contact": {"phone": "call me"}}, "contact.phone"),
    "too long address": ({"address": "路" * 301}, "address"),
}


@pytest.mark.parametrize(("overrides", "field"), INVALID.values(), ids=INVALID.keys())
def test_invalid_input_names_the_field_and_saves_nothing(city, people, settings, overrides, field):
    _number_question(city)
    overrides = {k: v(city) if callable(v) else v for k, v in overrides.items()}
    with pytest.raises(InvalidInput) as refused:
        submit(city, people, files=[photo()], **overrides)
    assert field in refused.value.errors
    assert refused.value.errors[field] and all(refused.value.errors[field])
    assert_nothing_saved(settings)


def test_every_bad_field_is_named_at_once(city, people, settings):
    with pytest.raises(InvalidInput) as refused:
        submit(city, people, lon=None, lat=95, description="", answers={})
    assert {"lon", "lat", "description", "answers.amount"} <= set(refused.value.errors)
    assert_nothing_saved(settings)


def test_an_inactive_category_takes_no_requests(city, people, settings):
    Category.objects.filter(pk=city.category.pk).update(active=False)
    city.category.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        submit(city, people)
    assert list(refused.value.errors) == ["category"]
    assert_nothing_saved(settings)


def test_photos_are_stored_with_the_case(city, people, settings):
    case = submit(city, people, files=[photo("a.jpg"), photo("b.jpg")])
    attachments = list(case.attachments.all())
    assert [a.content_type for a in attachments] == ["image/jpeg", "image/jpeg"]
    assert all(a.event == case.events.get() for a in attachments)
    assert len(stored_files(settings.MEDIA_ROOT)) == 4  # two photos, two thumbnails


def test_a_bad_file_among_good_ones_saves_nothing(city, people, settings):
    with pytest.raises(InvalidInput) as refused:
        submit(city, people, files=[photo("a.jpg"), text_file("b.jpg"), photo("c.jpg")])
    assert list(refused.value.errors) == ["files"]
    assert "b.jpg" in refused.value.errors["files"][0]
    assert_nothing_saved(settings)


def test_a_failure_while_storing_files_leaves_no_file_behind(city, people, settings, monkeypatch):
    """The first photo is already on disk when the second one's row fails to save."""
    real_save = Attachment.save
    calls = []

    def save_then_fail(self: Model, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", save_then_fail)
    with pytest.raises(OSError):
        submit(city, people, files=[photo("a.jpg"), photo("b.jpg")])
    assert len(calls) == 2
    assert_nothing_saved(settings)


def test_more_than_six_files_are_refused(city, people, settings):
    with pytest.raises(InvalidInput) as refused:
        submit(city, people, files=[photo(f"{n}.jpg") for n in range(7)])
    assert list(refused.value.errors) == ["files"]
    assert_nothing_saved(settings)


@pytest.mark.parametrize("channel", [Channel.HOTLINE, Channel.PATROL])
def test_an_officer_files_hotline_and_patrol_cases_in_their_grid(city, people, channel):
    case = submit(
        city, people, actor=people.officer_a, channel=channel, contact={"phone": "13900000000"}
    )
    # The officer is not the case's reporter (no "withdraw my request" for them): the caller's
    # contact is the contact; the submission's entry names the officer.
    assert (case.grid, case.channel, case.reporter) == (city.grid_a, channel, None)
    assert case.events.get().actor == people.officer_a
    assert CaseContact.objects.get(case=case).phone == "13900000000"


@pytest.mark.parametrize("channel", [Channel.HOTLINE, Channel.PATROL])
@pytest.mark.parametrize("who", ["officer_b", "citizen", "clerk", "anonymous"])
def test_no_hotline_or_patrol_case_outside_ones_areas(city, people, settings, channel, who):
    actor = AnonymousUser() if who == "anonymous" else getattr(people, who)
    with pytest.raises(NotPermitted):
        submit(city, people, actor=actor, channel=channel, contact={"phone": "13900000000"})
    assert_nothing_saved(settings)


def test_an_officer_of_grid_b_reports_in_grid_b(city, people):
    case = submit(city, people, actor=people.officer_b, channel="patrol", lon=120.11, lat=30.01)
    assert case.grid == city.grid_b


def test_a_street_leader_reports_anywhere_in_the_street(city, people):
    case = submit(city, people, actor=people.street_leader, channel="hotline", lon=120.07)
    assert case.grid == city.grid_a2
    with pytest.raises(NotPermitted):
        submit(city, people, actor=people.street_leader, channel="hotline", lon=120.12)


def test_a_hotline_case_outside_every_grid_needs_city_staff(city, people, settings):
    with pytest.raises(NotPermitted):
        submit(city, people, actor=people.officer_a, channel="hotline", lon=121.5, lat=31.2)
    case = submit(city, people, actor=people.admin, channel="hotline", lon=121.5, lat=31.2)
    assert case.grid is None and case.area_path == city.city.path


def test_an_uploaded_file_named_like_a_photo_is_checked_by_content(city, people, settings):
    with pytest.raises(InvalidInput):
        submit(city, people, files=[upload("evil.png", b"<script>alert(1)</script>", "image/png")])
    assert_nothing_saved(settings)
