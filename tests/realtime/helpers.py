"""Listening on the channel layer and on consumers, from synchronous tests."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from governance.realtime.routing import websocket_urlpatterns


class Listener:
    """A channel subscribed to groups; collects what the workflow sends after commit."""

    def __init__(self, *groups: str) -> None:
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        for group in groups:
            async_to_sync(self.layer.group_add)(group, self.channel)

    def messages(self) -> list[dict[str, Any]]:
        async def drain() -> list[dict[str, Any]]:
            found = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), 0.05)
                except TimeoutError:
                    return found
                found.append(message["payload"])

        return async_to_sync(drain)()


def communicator(path: str, user=None) -> WebsocketCommunicator:
    """A consumer behind the router only, as `user` (auth middleware tested separately)."""
    from django.contrib.auth.models import AnonymousUser

    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    comm.scope["user"] = user if user is not None else AnonymousUser()
    return comm
