"""In a real browser: the map speaks the page's language (zoom buttons, grid tooltips)."""

from __future__ import annotations

import pytest
from django.db.models import Value
from django.db.models.functions import Concat
from playwright.sync_api import expect

from governance.models import Area

pytestmark = pytest.mark.django_db(transaction=True)

# The names the map's hover tooltip shows: each grid outline's own name.
TOOLTIPS = """() => {
  const names = [];
  const map = document.querySelector("#pick-map")._leafletMap;
  if (!map) return names;
  map.eachLayer(layer => {
    const properties = layer.feature && layer.feature.properties;
    if (properties && properties.name) names.push(String(properties.name));
  });
  return names;
}"""
OUTLINES_LOADED = """() => { const el = document.querySelector("#pick-map");
  return Boolean(el && el._leafletMap && el._outlineData); }"""


@pytest.mark.parametrize(
    ("language", "zoom_in", "zoom_out"),
    [("en", "Zoom in", "Zoom out"), ("zh-hans", "放大", "缩小")],
)
def test_the_maps_zoom_buttons_and_grid_names_follow_the_page(
    browse, city, language, zoom_in, zoom_out
):
    Area.objects.filter(name_en="").update(name_en=Concat(Value("Area "), "code"))
    city.grid_a.refresh_from_db()
    page = browse(None, language=language)
    page.goto("/submit/")
    expect(page.locator("#pick-map .leaflet-control-zoom-in")).to_have_attribute("title", zoom_in)
    expect(page.locator("#pick-map .leaflet-control-zoom-out")).to_have_attribute("title", zoom_out)
    page.wait_for_function(OUTLINES_LOADED)
    names = page.evaluate(TOOLTIPS)
    expected = city.grid_a.name_en if language == "en" else city.grid_a.name
    assert expected in names, names
    assert page.csp_violations == []
