"""A case change reaches every group that cares, the public feed included, in one delivery."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from governance import events
from tests.cases import submit


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield get_channel_layer()
    channel_layers.backends.clear()


def _listen(layer, group: str) -> str:
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def test_a_new_case_reaches_its_grid_its_reporter_and_the_public_feed(
    city, people, layer, django_capture_on_commit_callbacks
):
    grid = _listen(layer, f"area.{city.grid_a.code}")
    district = _listen(layer, f"area.{city.district.code}")
    public = _listen(layer, events.PUBLIC_GROUP)
    elsewhere = _listen(layer, f"area.{city.grid_b.code}")
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(city, people)
    for channel in (grid, district, public):
        message = async_to_sync(layer.receive)(channel)
        assert message["payload"]["tracking_id"] == case.tracking_id
        assert message["payload"]["kind"] == "case.created"
    # Another grid's officers hear nothing (the in-memory layer's queue stays empty).
    assert elsewhere not in layer.channels or layer.channels[elsewhere].empty()
