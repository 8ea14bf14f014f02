"""Issue 10, staff productivity: saved queue filters — named, one tap above the queue,
deleted; each person's own only."""

import pytest
from django.urls import reverse

from governance.models import SavedFilter

SAVE = "governance:saved_filter_save"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


def test_save_and_tap_a_filter(client, city, people):
    client.force_login(people.dispatcher)
    query = f"status=submitted&category={city.category.pk}&area=&page=3&junk=1&overdue=on"
    response = client.post(reverse(SAVE), {"name": "  早上 待受理 ", "query": query})
    saved = SavedFilter.objects.get(owner=people.dispatcher)
    assert saved.name == "早上 待受理"
    assert saved.query == f"category={city.category.pk}&overdue=on&status=submitted"
    assert response.url == reverse("governance:queue") + "?" + saved.query
    html = client.get(response.url).content.decode()
    chip = f'<a href="{reverse("governance:queue")}?{saved.query.replace("&", "&amp;")}"'
    assert chip + ' aria-current="true">早上 待受理</a>' in html
    assert "Only you see your saved filters." in html


def test_saved_filters_are_private(client, city, people):
    mine = SavedFilter.objects.create(owner=people.officer_a, name="我的", query="status=filed")
    client.force_login(people.officer_b)
    html = client.get(reverse("governance:queue")).content.decode()
    assert "我的" not in html
    delete = reverse("governance:saved_filter_delete", args=[mine.pk])
    assert client.post(delete).status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    client.force_login(people.officer_a)
    assert client.post(delete).status_code == 302
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()


def test_anonymous_people_cannot_save_or_delete(client, people):
    mine = SavedFilter.objects.create(owner=people.officer_a, name="我的", query="")
    response = client.post(reverse(SAVE), {"name": "x", "query": ""})
    assert response.status_code == 302 and "/login" in response.url.replace("signin", "login")
    client.post(reverse("governance:saved_filter_delete", args=[mine.pk]))
    assert SavedFilter.objects.count() == 1
    assert client.get(reverse(SAVE)).status_code in (302, 405)


def test_names_are_required_and_unique_per_person(client, people):
    client.force_login(people.dispatcher)
    client.post(reverse(SAVE), {"name": "", "query": "status=filed"})
    assert not SavedFilter.objects.exists()
    client.post(reverse(SAVE), {"name": "A", "query": "status=filed"})
    client.post(reverse(SAVE), {"name": "A", "query": "status=submitted"})
    assert SavedFilter.objects.get().query == "status=filed"
    SavedFilter.objects.create(owner=people.officer_a, name="A", query="")  # another person's


def test_a_saved_area_is_checked_again_when_tapped(client, city, people):
    # Saved while the person saw grid B; tapped now, the queue's form refuses it.
    saved = SavedFilter.objects.create(
        owner=people.officer_a, name="B", query=f"area={city.grid_b.code}"
    )
    client.force_login(people.officer_a)
    html = client.get(reverse("governance:queue") + "?" + saved.query).content.decode()
    assert "That is not one of your areas." in html
