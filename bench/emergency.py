"""Emergency notices at scale: one notice to every officer and leader of the bench city, then
answers arriving at (and above) 1,000 a minute while the roll-call is counted.

    python -m bench run --scale full      # the whole bench, this included (figures["emergency"])

Targets (issue, scale part): the notice is written and in every recipient's in-app centre within
10 s, the sockets of those connected receive it, and the roll-call counts stay live while 1,000
answers a minute arrive.

Measured here, in this process (the writer's own after-commit delivery is the push):
- `send_seconds`: `send_notice` from the call to its commit — every Recipient and Notification
  row exists when it returns;
- `drained_seconds`: until the outbox holds nothing undelivered (the pushes, the deliveries);
- `sockets`: a sample of recipients' notification groups listened to on the channel layer, and
  how many of them received their push;
- `answers`: ANSWERS answers by token (the API's `answering.answer`), each timed, and the
  roll-call summary (`rollcall.summary`, the page's and the JSON's query) timed every
  SUMMARY_EVERY answers; `answers_per_minute` is the rate one process sustained.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any

from bench.stats import summary

if TYPE_CHECKING:
    from bench.city import City

ROLES = ["officer", "lead_officer", "leader", "dispatcher"]
LISTENERS = 200
ANSWERS = 1000
SUMMARY_EVERY = 50


def _sender():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.filter(username="bench-emergency-sender").first()
    return user or User.objects.create_superuser("bench-emergency-sender", None, "bench-pw-1")


class _Listeners:
    """Channels on the layer subscribed to a sample of recipients' notification groups, in a
    thread with its own event loop (a Redis pub/sub layer serves a channel in its own loop),
    noting when each channel received its first message."""

    def __init__(self, user_ids: list[int]) -> None:
        self.user_ids = user_ids
        self.ready = threading.Event()
        self.at: dict[str, float] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.tasks: list[asyncio.Task] = []
        self.thread = threading.Thread(target=lambda: asyncio.run(self._listen()), daemon=True)
        self.thread.start()
        self.ready.wait(30)

    async def _listen(self) -> None:
        from channels.layers import get_channel_layer

        from governance.realtime.groups import user_group

        layer = get_channel_layer()
        self.loop = asyncio.get_running_loop()
        channels = []
        for user_id in self.user_ids:
            channel = await layer.new_channel()
            await layer.group_add(user_group(user_id), channel)
            channels.append(channel)

        async def first(channel: str) -> None:
            await layer.receive(channel)  # never cancelled mid-message: no timeout here
            self.at[channel] = time.perf_counter()

        self.tasks = [asyncio.create_task(first(channel)) for channel in channels]
        self.ready.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def received(self, *, wait: float = 10.0) -> dict[str, Any]:
        deadline = time.perf_counter() + wait
        while len(self.at) < len(self.user_ids) and time.perf_counter() < deadline:
            time.sleep(0.05)
        if self.loop is not None and not self.loop.is_closed():
            for task in self.tasks:
                try:
                    self.loop.call_soon_threadsafe(task.cancel)
                except RuntimeError:  # every task done: the loop closed meanwhile
                    break
        self.thread.join(5)
        return {"listened": len(self.user_ids), "received": len(self.at)}


def notice_fanout_figures(city: City) -> dict[str, Any]:
    """Send one notice to every officer and leader of the city; answer it; count the roll-call."""
    from emergency import answering, rollcall
    from emergency.models import Recipient
    from emergency.notices import send_notice
    from governance import outbox
    from governance.models import Area
    from notifications.models import Notification

    root = Area.objects.filter(parent=None).order_by("code").first()
    if root is None:
        return {"skipped": "no city"}
    sample = [int(pk) for pk in city.officer_ids[:, 1][:LISTENERS]]
    listeners = _Listeners(sample)
    before = Notification.objects.count()

    tick = started_at = time.perf_counter()
    notice = send_notice(
        sender=_sender(),
        title="基准测试：暴雨红色预警",
        title_en="Bench: red rainstorm warning",
        body="请立即到岗并签收。",
        target={"areas": [root.pk], "roles": ROLES},
        resend_after=60,
    )
    send_seconds = time.perf_counter() - tick
    written = Notification.objects.count() - before
    while outbox.pending_count() and outbox.relay():
        pass
    drained_seconds = time.perf_counter() - tick
    pending = outbox.pending_count()
    pushed = listeners.received()
    if listeners.at:
        pushed["last_received_seconds"] = round(max(listeners.at.values()) - started_at, 3)

    tokens = list(
        Recipient.objects.filter(notice=notice)
        .order_by("?")
        .values_list("token", flat=True)[:ANSWERS]
    )
    choices = notice.answer_options()
    answer_seconds: list[float] = []
    summary_seconds: list[float] = []
    started = time.perf_counter()
    for index, token in enumerate(tokens):
        tick = time.perf_counter()
        answering.answer(token, choices[index % len(choices)])
        answer_seconds.append(time.perf_counter() - tick)
        if index % SUMMARY_EVERY == 0:
            tick = time.perf_counter()
            counts = rollcall.summary(notice)
            summary_seconds.append(time.perf_counter() - tick)
    answering_seconds = time.perf_counter() - started
    final = rollcall.summary(notice)["totals"]
    return {
        "recipients": notice.recipient_count,
        "notifications_written": written,
        "send_seconds": round(send_seconds, 3),
        "drained_seconds": round(drained_seconds, 3),
        "outbox_pending_after": pending,
        "sockets": pushed,
        "answers": {
            "count": len(tokens),
            "answer": summary(answer_seconds),
            "answers_per_minute": round(len(tokens) / answering_seconds * 60)
            if answering_seconds
            else None,
            "rollcall_summary": summary(summary_seconds),
            "rollcall_rows": len(counts["rows"]) if tokens else 0,
            "answered_counted": final.answered,
        },
        "target_seconds": 10,
    }
