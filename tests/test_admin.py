"""The administrator's site: every page opens, the area map has its data, bad input is a form
error, and nothing changes a case outside the workflow."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from citizens import contact_updates
from citizens.models import Alert, ContactMessage, Subscription
from governance import workflow
from governance.models import (
    AccessLog,
    ApiKey,
    Area,
    AreaDailyStatistics,
    AreaGroupObjectPermission,
    CalendarDay,
    Case,
    Department,
    ResponseTemplate,
    SavedFilter,
    SharingGrant,
)
from notifications.models import NotificationPreference
from tests.factories import square

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """These tests read English messages, whatever catalogs are compiled."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def populated(city, people):
    """At least one row of every registered model."""
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.urgent_category,
        description="井盖松动",
        lon=city.point_a[0],
        lat=city.point_a[1],
        contact={"name": "李明", "phone": "13800000001"},
        files=[png()],
    )
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    CalendarDay.objects.create(date="2026-10-01", name="国庆节")
    AreaGroupObjectPermission.objects.create(
        group=city.department.group,
        permission=Permission.objects.get(codename="see_cases"),
        content_object=city.street_a,
    )
    NotificationPreference.objects.create(user=people.citizen, kind="status_changed", sms=True)
    AreaDailyStatistics.objects.create(area=city.grid_a, day="2026-10-01", created=1)
    SharingGrant.objects.create(
        department=city.other_department, area=city.street_a, expires_at=case.created_at
    ).categories.add(city.category)
    ApiKey.objects.create(name="partner", key_hash="0" * 64)
    AccessLog.objects.create(user=people.dispatcher, case=case, fields=["phone"], via="page")
    ResponseTemplate.objects.create(title="已受理", text="已受理，正在处理。", audience="reporter")
    SavedFilter.objects.create(owner=people.dispatcher, name="待受理", query="status=submitted")
    anonymous = workflow.submit_case(
        actor=AnonymousUser(),
        category=city.category,
        description="路灯不亮",
        lon=city.point_b[0],  # in grid B: grid A's count stays one
        lat=city.point_b[1],
        answers={"amount": "small"},
        contact={"email": "walker@example.com"},
    )  # its confirmation: a message to the contact
    contact_updates.deliver(ContactMessage.objects.get(case=anonymous).pk)  # and its link
    follower = Subscription.objects.create(
        user=people.other_citizen,
        target="case",
        case=case,
        created_at=case.created_at,
        confirmed_at=case.created_at,
    )
    Alert.objects.create(
        subscription=follower, event=case.events.last(), created_at=case.created_at
    )
    return case


@pytest.fixture
def admin_client(client, people):
    client.force_login(people.admin)
    return client


def our_models():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ("governance", "citizens")
    ]


def test_every_model_of_ours_is_registered():
    from django.apps import apps

    registered = {model for model, _admin in our_models()}
    ours = set(apps.get_app_config("governance").get_models()) | set(
        apps.get_app_config("citizens").get_models()
    )
    assert ours - registered == set()


def test_superuser_opens_every_changelist_and_change_page(admin_client, populated):
    for model, _model_admin in our_models():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = admin_client.get(changelist)
        assert response.status_code == 200, changelist
        response = admin_client.get(changelist, {"q": "1"})
        assert response.status_code == 200, f"{changelist} search"
        obj = model._default_manager.first()
        assert obj is not None, f"no {opts.model_name} to open"
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        response = admin_client.get(change)
        assert response.status_code == 200, change


def test_add_pages_open_where_adding_is_allowed(admin_client, populated):
    for model, model_admin in our_models():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        response = admin_client.get(url)
        expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
        assert response.status_code == expected, url


def test_area_list_is_indented_by_level_and_counts_cases(admin_client, city, populated):
    response = admin_client.get(reverse("admin:governance_area_changelist"))
    html = response.content.decode()
    assert 'style="padding-left:6.0em">339901001001001' in html  # a grid, four levels down
    assert 'style="padding-left:0.0em">339900' in html
    grid_row = (
        admin_client.get(reverse("admin:governance_area_changelist"), {"q": city.grid_a.code})
        .context["cl"]
        .result_list
    )
    assert [(a.code, a.cases_total) for a in grid_row] == [(city.grid_a.code, 1)]
    under = (
        admin_client.get(reverse("admin:governance_area_changelist"), {"under": city.street_b.code})
        .context["cl"]
        .result_list
    )
    assert {a.code for a in under} == {
        city.street_b.code,
        city.community_b.code,
        city.grid_b.code,
        city.grid_b2.code,
    }
    assert "Import GeoJSON" in html or "导入" in html


def embedded_map(response) -> dict:
    match = re.search(
        r'<script id="area-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the map data is embedded in the page"
    return json.loads(match.group(1))


def test_area_change_page_embeds_boundary_and_leaflet(admin_client, city, settings):
    settings.MAP_TILE_URL = "https://tiles.invalid/{z}/{x}/{y}.png"
    response = admin_client.get(reverse("admin:governance_area_change", args=[city.grid_a.pk]))
    html = response.content.decode()
    assert "/static/leaflet/leaflet.js" in html
    assert "/static/leaflet/leaflet.css" in html
    assert "/static/governance/admin-map.js" in html
    data = embedded_map(response)
    assert data["area"]["boundary"] == city.grid_a.boundary
    assert data["parent"]["code"] == city.community_a.code
    assert data["parent"]["boundary"] == city.community_a.boundary
    assert [s["code"] for s in data["siblings"]] == [city.grid_a2.code]
    assert data["tile_url"] == "https://tiles.invalid/{z}/{x}/{y}.png"


def test_static_files_for_the_map_are_served_locally(admin_client):
    from django.contrib.staticfiles import finders

    for name in ("leaflet/leaflet.js", "leaflet/leaflet.css", "governance/admin-map.js"):
        assert finders.find(name), name


def area_post(area: Area, **changes) -> dict:
    data = {
        "code": area.code,
        "name": area.name,
        "name_en": area.name_en,
        "level": area.level,
        "parent": area.parent_id or "",
        "boundary": json.dumps(area.boundary) if area.boundary else "",
        "valid_from_0": "2026-01-01",
        "valid_from_1": "00:00:00",
        "retired_at_0": "",
        "retired_at_1": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ("{not json", "JSON"),
        (
            json.dumps(
                {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
            ),
            "Self-intersection",
        ),
        (json.dumps({"type": "Point", "coordinates": [120.0, 30.0]}), "Point"),
    ],
)
def test_invalid_boundary_is_a_form_error(admin_client, city, boundary, message):
    before = city.grid_a.boundary
    url = reverse("admin:governance_area_change", args=[city.grid_a.pk])
    response = admin_client.post(url, area_post(city.grid_a, boundary=boundary))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "boundary" in errors
    assert message in " ".join(errors["boundary"])
    city.grid_a.refresh_from_db()
    assert city.grid_a.boundary == before


def test_a_code_that_breaks_the_parent_prefix_is_a_form_error(admin_client, city):
    url = reverse("admin:governance_area_add")
    data = area_post(city.grid_a, code="339901002001009", boundary=json.dumps(square(1, 1, 2, 2)))
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "does not continue" in " ".join(response.context["adminform"].form.errors["code"])
    assert not Area.objects.filter(code="339901002001009").exists()


def test_an_areas_place_in_the_tree_is_fixed_once_created(admin_client, city):
    url = reverse("admin:governance_area_change", args=[city.grid_a.pk])
    data = area_post(city.grid_a, code="339901001001009", name="改名网格")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    city.grid_a.refresh_from_db()
    assert (city.grid_a.code, city.grid_a.name) == ("339901001001001", "改名网格")


def test_editing_a_boundary_without_cases_saves_in_place(admin_client, city):
    url = reverse("admin:governance_area_change", args=[city.grid_a2.pk])
    new = square(120.05, 30.0, 120.1, 30.04)
    response = admin_client.post(url, area_post(city.grid_a2, boundary=json.dumps(new)))
    assert response.status_code == 302
    city.grid_a2.refresh_from_db()
    assert city.grid_a2.boundary == new
    assert city.grid_a2.max_lat == pytest.approx(30.04)


def test_redrawing_a_grid_with_cases_keeps_them_on_the_retired_row(
    admin_client, city, people, populated
):
    url = reverse("admin:governance_area_change", args=[city.grid_a.pk])
    new = square(120.0, 30.0, 120.05, 30.06)
    response = admin_client.post(url, area_post(city.grid_a, boundary=json.dumps(new)))
    assert response.status_code == 302
    old = Area.objects.get(pk=city.grid_a.pk)
    replacement = Area.objects.active().get(code=city.grid_a.code)
    assert old.retired_at is not None and old.replaced_by == replacement
    assert replacement.boundary == new
    assert Case.objects.get(pk=populated.pk).grid == old
    assert replacement.assignments.filter(user=people.officer_a).exists()


def test_department_members_are_its_group(admin_client, city, people):
    department = city.department
    url = reverse("admin:governance_department_change", args=[department.pk])
    response = admin_client.post(
        url,
        {
            "code": department.code,
            "name": department.name,
            "name_en": department.name_en,
            "members": [people.other_clerk.pk],
        },
    )
    assert response.status_code == 302
    assert list(department.group.user_set.all()) == [people.other_clerk]
    listing = admin_client.get(reverse("admin:governance_department_changelist"))
    assert listing.status_code == 200


def test_case_admin_is_read_only_and_shows_the_timeline(admin_client, populated):
    url = reverse("admin:governance_case_change", args=[populated.pk])
    response = admin_client.get(url)
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert populated.tracking_id in html
    assert "13800000001" in html  # the contact, for the administrator
    assert html.count("field-kind") >= 2  # submitted and filed, in the timeline
    before = Case.objects.get(pk=populated.pk).status
    response = admin_client.post(url, {"status": "closed"})
    assert response.status_code == 403
    assert Case.objects.get(pk=populated.pk).status == before
    assert admin_client.get(reverse("admin:governance_case_add")).status_code == 403
    delete = reverse("admin:governance_case_delete", args=[populated.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=populated.pk).exists()


def test_assignment_admin_autocompletes_people_and_areas(admin_client, city, people):
    response = admin_client.get(reverse("admin:governance_assignment_add"))
    html = response.content.decode()
    assert "admin-autocomplete" in html
    autocomplete = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "339901001",
            "app_label": "governance",
            "model_name": "assignment",
            "field_name": "area",
        },
    )
    assert autocomplete.status_code == 200
    assert {r["text"].split()[0] for r in autocomplete.json()["results"]} >= {city.grid_a.code}


def test_category_admin_edits_questions_inline(admin_client, city):
    url = reverse("admin:governance_category_change", args=[city.category.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "questions-0-code" in response.content.decode()


def test_user_admin_shows_phone_and_language(admin_client, people):
    url = reverse("admin:citizens_user_change", args=[people.citizen.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="phone"' in html and "13800000001" in html
    assert 'name="preferred_language"' in html
    listing = admin_client.get(reverse("admin:citizens_user_changelist"), {"q": "13800000002"})
    assert [u.username for u in listing.context["cl"].result_list] == ["other_citizen"]


def test_non_staff_cannot_open_the_admin(client, people):
    client.force_login(people.officer_a)
    response = client.get(reverse("admin:governance_area_changelist"))
    assert response.status_code == 302
    assert Department.objects.count() == 2
