import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "name",
    [
        "citizens:home",
        "citizens:submit",
        "citizens:public",
        "citizens:login",
        "citizens:signup",
        "citizens:password_reset",
        "governance:grids_geojson",
    ],
)
def test_anonymous_pages_render(client, city, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
