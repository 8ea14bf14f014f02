"""Issue 10, defect 10: the queue's area filter is a picker — names in the reader's language,
suggestions from an endpoint scoped to what the person sees (never the whole tree), the
person's own areas as quick picks, and a typed name that works without a script."""

import pytest
from django.urls import reverse

from governance import workflow
from governance.models import Area, Level

SUGGEST = "governance:area_suggestions"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


def test_suggestions_are_scoped_and_named_in_the_readers_language(client, city, people):
    city.grid_b.name_en = "Lakeside"
    city.grid_b.save()
    client.force_login(people.dispatcher)
    found = client.get(reverse(SUGGEST), {"q": "lake"}).json()["areas"]
    assert found == [
        {"code": city.grid_b.code, "name": "Lakeside", "within": city.grid_b.parent.display_name}
    ]
    client.cookies["django_language"] = "zh-hans"
    found = client.get(reverse(SUGGEST), {"q": city.grid_b.code}).json()["areas"]
    assert [a["name"] for a in found] == [city.grid_b.name]
    # An officer of grid A is never told of grid B.
    client.force_login(people.officer_a)
    assert client.get(reverse(SUGGEST), {"q": "lake"}).json()["areas"] == []
    assert client.get(reverse(SUGGEST), {"q": city.grid_b.code}).json()["areas"] == []


def test_suggestions_need_a_signed_in_person(client, people):
    response = client.get(reverse(SUGGEST), {"q": "网格"})
    assert response.status_code == 302
    client.force_login(people.citizen)
    assert client.get(reverse(SUGGEST), {"q": "网格"}).json()["areas"] == []


def test_suggestions_stay_short_and_cheap_among_many_areas(
    client, city, people, django_assert_max_num_queries
):
    Area.objects.bulk_create(
        Area(
            code=f"{city.community_a.code}{n:03d}",
            name=f"网格{n}",
            level=Level.GRID,
            parent=city.community_a,
            path=f"{city.community_a.path}{city.community_a.code}{n:03d}/",
        )
        for n in range(100, 400)
    )
    client.force_login(people.dispatcher)
    client.get(reverse(SUGGEST), {"q": "网格"})
    with django_assert_max_num_queries(4):  # session, user, scope, the areas
        found = client.get(reverse(SUGGEST), {"q": "网格"}).json()["areas"]
    assert len(found) == 20


def test_the_queue_takes_a_typed_name_without_a_script(client, city, people):
    city.grid_b.name_en = "Lakeside"
    city.grid_b.save()
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_b[0],
        lat=city.point_b[1],
        answers={"amount": "small"},
    )
    client.force_login(people.dispatcher)
    html = client.get(reverse("governance:queue"), {"area": "lakeside"}).content.decode()
    assert case.tracking_id in html
    html = client.get(reverse("governance:queue"), {"area": "Nowhere"}).content.decode()
    assert "That is not one of your areas." in html
    # The field is a labelled picker, not a numeric code box.
    html = client.get(reverse("governance:queue")).content.decode()
    assert "data-area-picker" in html and 'inputmode="numeric"' not in html
    assert f'data-suggest-url="{reverse(SUGGEST)}"' in html
    assert "area-picker.js" in html


def test_an_ambiguous_name_asks_to_pick(client, city, people):
    city.grid_a.name = city.grid_b.name = "同名网格"
    city.grid_a.save()
    city.grid_b.save()
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("governance:queue"), {"area": "同名网格"}).content.decode()
    assert "Several of your areas have that name" in html
